import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import { AnalysisService } from './analysis/service';
import type { AnalysisRequest, RequestEnvelope, ResponseEnvelope, ResultOf } from './analysis/protocol';

/** Worker crashes tolerated before analysing in-process for the rest of the session. */
const MAX_RESTARTS = 3;

/**
 * The main thread's side of the analysis worker: sends requests, matches answers, restarts the
 * worker when it dies (bumping `epoch`, so models send their texts again), and falls back to
 * analysing in-process when no worker can run (then the host blocks while it analyses, as before).
 */
export class AnalysisClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private local: AnalysisService | undefined;
  private nextId = 1;
  private restarts = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Changes whenever the worker's state is lost: a model whose texts were sent in another epoch resends them all. */
  epoch = 0;

  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.OutputChannel,
    mode: 'worker' | 'in-process' = 'worker',
  ) {
    if (mode === 'in-process') this.local = new AnalysisService();
  }

  /** Where analyses run, for the log and the benchmark. */
  get mode(): 'worker' | 'in-process' {
    return this.local ? 'in-process' : 'worker';
  }

  /** The in-process service when there is no worker (commands then reuse its simulation). */
  get inProcess(): AnalysisService | undefined {
    return this.local;
  }

  request<R extends AnalysisRequest>(request: R): Promise<ResultOf<R>> {
    if (this.local) {
      try {
        return Promise.resolve(this.local.handle(request) as ResultOf<R>);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    const worker = this.ensureWorker();
    if (!worker) return this.request(request);
    const id = this.nextId++;
    return new Promise<ResultOf<R>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, request } satisfies RequestEnvelope);
    });
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(this.workerPath);
      // The host may exit while the worker is idle: it must not keep the process alive.
      worker.unref();
      worker.on('message', (m: ResponseEnvelope) => this.settle(m));
      worker.on('error', (err) => this.lost(worker, `failed: ${err.stack ?? err.message}`));
      worker.on('exit', (code) => this.lost(worker, `exited with code ${code}`));
      this.worker = worker;
      return worker;
    } catch (err) {
      this.log.appendLine(`[worker] cannot start ${this.workerPath} (${(err as Error).message}); analysing on the extension host instead`);
      this.local = new AnalysisService();
      this.epoch++;
      return undefined;
    }
  }

  private settle(m: ResponseEnvelope): void {
    const waiter = this.pending.get(m.id);
    if (!waiter) return;
    this.pending.delete(m.id);
    if (m.ok) waiter.resolve(m.result);
    else waiter.reject(new Error(m.error));
  }

  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.epoch++;
    for (const w of this.pending.values()) w.reject(new Error(`the analysis worker ${why}`));
    this.pending.clear();
    if (this.disposed) return;
    this.log.appendLine(`[worker] the analysis worker ${why}`);
    if (++this.restarts > MAX_RESTARTS) {
      this.log.appendLine(`[worker] it failed ${this.restarts} times; analysing on the extension host from now on`);
      this.local = new AnalysisService();
    }
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
