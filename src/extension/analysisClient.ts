import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import { AnalysisService } from './analysis/service';
import type { AnalysisRequest, RequestEnvelope, ResponseEnvelope, ResultOf } from './analysis/protocol';

/** Times a worker may fail, at start-up or while working, before the client gives up on it. */
const MAX_FAILURES = 3;
/** An analysis still running after this long is taken as hung: the worker is stopped (adversarial inputs take ~15 s). */
export const DEFAULT_ANALYZE_TIMEOUT_MS = 120_000;

/**
 * The main thread's side of the analysis worker: sends requests, matches answers, restarts the
 * worker when it dies or hangs (bumping `epoch`, so models send their texts again).
 *
 * A worker that cannot even start (no worker threads, a missing bundle) is replaced by analysing
 * in-process: the host then blocks while it analyses, as without a worker. A worker that keeps
 * failing while it works is not: the same input would crash or hang the extension host itself, so
 * requests fail with a message saying so until the window is reloaded.
 */
export class AnalysisClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private local: AnalysisService | undefined;
  private nextId = 1;
  private startFailures = 0;
  private workFailures = 0;
  private gaveUp: string | undefined;
  /** Whether the current worker said it is ready (loaded): a failure after that is not a start-up failure. */
  private ready = false;
  private noticeTaken = false;
  private disposed = false;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | undefined }
  >();
  /** Changes whenever the worker's state is lost: a model whose texts were sent in another epoch resends them all. */
  epoch = 0;

  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.OutputChannel,
    mode: 'worker' | 'in-process' = 'worker',
    private readonly analyzeTimeoutMs = DEFAULT_ANALYZE_TIMEOUT_MS,
  ) {
    if (mode === 'in-process') this.local = new AnalysisService();
  }

  /** Where analyses run, for the log and the benchmark. */
  get mode(): 'worker' | 'in-process' {
    return this.local ? 'in-process' : 'worker';
  }

  /** The in-process service when there is no worker, for inspection (tests, debugging). */
  get inProcess(): AnalysisService | undefined {
    return this.local;
  }

  request<R extends AnalysisRequest>(request: R): Promise<ResultOf<R>> {
    if (this.local) {
      try {
        return Promise.resolve(this.local.handle(request) as ResultOf<R>);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (this.gaveUp) return Promise.reject(new Error(this.gaveUp));
    const worker = this.ensureWorker();
    if (!worker) return this.request(request);
    const id = this.nextId++;
    return new Promise<ResultOf<R>>((resolve, reject) => {
      // Only analyses can run away; queries wait behind them and are settled when the worker goes.
      const timer = request.type === 'analyze' ? setTimeout(() => this.hung(worker), this.analyzeTimeoutMs) : undefined;
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.postMessage({ id, request } satisfies RequestEnvelope);
    });
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(this.workerPath);
      // The host may exit while the worker is idle: it must not keep the process alive.
      worker.unref();
      worker.on('message', (m: ResponseEnvelope | { ready: true }) => this.settle(m));
      worker.on('error', (err) => this.lost(worker, `failed: ${err.stack ?? err.message}`));
      worker.on('exit', (code) => this.lost(worker, `exited with code ${code}`));
      this.worker = worker;
      this.ready = false;
      return worker;
    } catch (err) {
      this.log.appendLine(`[worker] cannot start ${this.workerPath} (${(err as Error).message}); analysing on the extension host instead`);
      this.local = new AnalysisService();
      this.epoch++;
      return undefined;
    }
  }

  private settle(m: ResponseEnvelope | { ready: true }): void {
    if ('ready' in m) {
      this.ready = true;
      return;
    }
    const waiter = this.pending.get(m.id);
    if (!waiter) return;
    this.pending.delete(m.id);
    if (waiter.timer) clearTimeout(waiter.timer);
    if (m.ok) waiter.resolve(m.result);
    else waiter.reject(new Error(m.error));
  }

  private hung(worker: Worker): void {
    if (this.worker !== worker) return;
    const limit = this.analyzeTimeoutMs < 1000 ? `${this.analyzeTimeoutMs} ms` : `${Math.round(this.analyzeTimeoutMs / 1000)} s`;
    this.lost(worker, `did not finish an analysis within ${limit} and was stopped`);
    void worker.terminate();
  }

  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.epoch++;
    for (const w of this.pending.values()) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new Error(`the analysis worker ${why}`));
    }
    this.pending.clear();
    if (this.disposed) return;
    this.log.appendLine(`[worker] the analysis worker ${why}`);
    if (!this.ready) {
      if (++this.startFailures >= MAX_FAILURES) {
        this.log.appendLine(`[worker] it failed to start ${this.startFailures} times; analysing on the extension host from now on`);
        this.local = new AnalysisService();
      }
    } else if (++this.workFailures >= MAX_FAILURES) {
      this.gaveUp = `the analysis worker failed ${this.workFailures} times while analysing this workspace (see the "Kubernetes Network" output); kube-netsim stopped analysing it. Reload the window to try again, and please report the input that causes it.`;
      this.log.appendLine(`[worker] ${this.gaveUp}`);
    }
  }

  /** Why the client stopped analysing, the first time it is asked (so the user is told once). */
  takeFailureNotice(): string | undefined {
    if (!this.gaveUp || this.noticeTaken) return undefined;
    this.noticeTaken = true;
    return this.gaveUp;
  }

  dispose(): void {
    this.disposed = true;
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
