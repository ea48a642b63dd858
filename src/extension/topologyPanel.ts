import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PolicyLayer } from '../engine';
import type { SourceRange } from '../engine';
import {
  parseToExtension,
  DEFAULT_VIEW_STATE,
  type ExportFormat,
  type MapWire,
  type RevealTarget,
  type ToExtension,
  type ToPage,
  type TraceProtocol,
  type TraceView,
  type ViewName,
  type ViewState,
} from '../shared/protocol';
import { toRange } from './convert';
import type { WorkspaceModel } from './workspaceModel';

/** What a panel needs from the extension: the folder's model, and a log. */
export interface PanelHost {
  model(folder: string): WorkspaceModel | undefined;
  log: vscode.OutputChannel;
  extensionUri: vscode.Uri;
}

const EXPORT_TIMEOUT_MS = 30_000;

/** A trace the view keeps showing: re-run on every re-analysis, so edits and CNI switches show at once. */
export interface TraceRequest {
  from: string;
  to: string;
  protocol?: TraceProtocol;
  /** Through a Gateway (a route lens's trace): the Gateway to enter by, the method and headers its match asks for. */
  via?: string;
  method?: string;
  headers?: Array<{ name: string; value: string }>;
}

/** A CSP nonce from a cryptographic source (Math.random is predictable). */
function nonce(): string {
  return randomBytes(24).toString('base64');
}

/** Webview options: scripts on, and only the built bundle and media/ readable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * One topology view of one workspace folder: draws the folder's latest analysis, follows its
 * re-analyses, answers the page's requests (reveal, focus, settings, export) and shows traces.
 */
export class TopologyPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** How many analyses were sent to the page (0: none yet); the page asks for the nodes view's part of one by it. */
  private revision = 0;
  private layer: PolicyLayer | null = null;
  private trace: TraceView | null = null;
  private traceRequest: TraceRequest | undefined;
  private state: ViewState;
  private ready: Promise<void>;
  private markReady: () => void = () => {};
  private nextRequest = 1;
  private readonly pending = new Map<number, { resolve: (data: string) => void; reject: (err: Error) => void }>();
  private readonly closed = new vscode.EventEmitter<void>();
  /** When the panel was created (Show Topology ran): sent with the first topology, for the view's own measurement. */
  private readonly openedAt = Date.now();
  readonly onDidClose = this.closed.event;

  constructor(
    private readonly host: PanelHost,
    readonly panel: vscode.WebviewPanel,
    readonly folder: string,
    state: ViewState | undefined,
  ) {
    this.state = { ...(state ?? DEFAULT_VIEW_STATE), folder };
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'topology.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
    const model = host.model(folder);
    if (model) this.disposables.push(model.onDidAnalyze(() => this.refresh()));
    panel.webview.html = this.html();
    // The worker builds the map while the page loads, rather than after it says it is ready, and
    // the map is posted as soon as it is here: a page still loading gets it when its script has run
    // (the webview holds messages until then), which saves the round trip of its 'ready'. On 'ready'
    // it is posted again (the same revision, which the page ignores when it has it), in case it was not.
    if (model) {
      const prefetched = this.queryMap(model);
      this.prefetched = prefetched;
      prefetched.then(
        (got) => {
          // Unless a refresh took it meanwhile (an analysis finished): that one posts it.
          if (this.prefetched !== prefetched || !got.map) return;
          this.prefetched = undefined;
          this.early = this.postTopology(model, got.map, got.queryMs);
        },
        () => undefined,
      );
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const n = nonce();
    const js = webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview.css'));
    const csp = [
      `default-src 'none'`,
      `style-src ${webview.cspSource} 'nonce-${n}'`,
      `script-src 'nonce-${n}'`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${n}" href="${css.toString()}">
<title>Kubernetes Network Topology</title>
</head>
<body>
<div id="app" data-nonce="${n}"></div>
<script nonce="${n}" src="${js.toString()}"></script>
</body>
</html>`;
  }

  private post(message: ToPage): void {
    void this.panel.webview.postMessage(message);
  }

  /** Sends the folder's current topology (and the policy layer of the focus) to the page; built in the analysis worker. */
  refresh(): void {
    void this.refreshNow().catch((err: unknown) => this.host.log.appendLine(`[topology] refresh: ${(err as Error).stack ?? String(err)}`));
  }

  /** The map the worker is building while the page loads (the panel asks for it as it opens), taken by the first refresh. */
  private prefetched: Promise<{ map: MapWire | undefined; queryMs: number }> | undefined;

  private queryMap(model: WorkspaceModel): Promise<{ map: MapWire | undefined; queryMs: number }> {
    const started = Date.now();
    return model.query('topologyMap', {}).then((map) => ({ map, queryMs: Date.now() - started }));
  }

  /** The first topology as posted before the page said it was ready (see the constructor), to post again on 'ready'. */
  private early: Extract<ToPage, { type: 'topology' }> | undefined;

  /** Posts a new revision of the map; returns the message. */
  private postTopology(model: WorkspaceModel, map: MapWire, queryMs: number): Extract<ToPage, { type: 'topology' }> {
    this.revision++;
    const message: Extract<ToPage, { type: 'topology' }> = {
      type: 'topology',
      folder: this.folder,
      folderName: model.folder.name,
      revision: this.revision,
      map,
      queryMs,
      sentAt: Date.now(),
      ...(this.revision === 1 ? { openedAt: this.openedAt } : {}),
    };
    this.post(message);
    return message;
  }

  private async refreshNow(fromReady = false): Promise<void> {
    const model = this.host.model(this.folder);
    const started = Date.now();
    const early = this.early;
    this.early = undefined;
    if (fromReady && model && early && early.revision === this.revision) {
      // Nothing newer since the map was posted early: the same message again, for a page that did not get it.
      this.post(early);
    } else {
      const prefetched = this.prefetched;
      this.prefetched = undefined;
      const { map, queryMs } = model ? await (prefetched ?? this.queryMap(model)) : { map: undefined, queryMs: 0 };
      if (!model || !map) {
        this.post({ type: 'status', message: 'Analysing the workspace…' });
        return;
      }
      this.postTopology(model, map, queryMs);
      if (map.rest.counts.pods > 300)
        this.host.log.appendLine(
          `[topology] ${model.folder.name}: the map of ${map.workloads.length} workloads (${map.rest.counts.pods} pods) sent to the view in ${Date.now() - started} ms`,
        );
    }
    await this.sendLayer();
    if (this.traceRequest) await this.runTrace();
  }

  /** Traces `request` on the current analysis and shows it; the request is kept and re-run after each re-analysis. */
  traceOn(request: TraceRequest): void {
    this.traceRequest = request;
    this.panel.reveal(undefined, true);
    if (this.revision > 0)
      void this.runTrace().catch((err: unknown) => this.host.log.appendLine(`[topology] trace: ${(err as Error).stack ?? String(err)}`));
  }

  private async runTrace(): Promise<void> {
    const request = this.traceRequest;
    const model = this.host.model(this.folder);
    if (!request || !model || this.revision === 0) return;
    const title = `${request.from} → ${request.to}${request.protocol && request.protocol !== 'TCP' ? ` (${request.protocol})` : ''}`;
    const http = { via: request.via, method: request.method, headers: request.headers };
    const traced = await model.query('topologyTrace', {
      from: request.from,
      to: request.to,
      protocol: request.protocol ?? 'TCP',
      title,
      http,
    });
    if (!traced) return;
    if (!traced.ok) {
      this.post({ type: 'status', message: `Cannot trace from ${request.from}: ${traced.message}` });
      return;
    }
    this.showTrace(traced.view);
  }

  private async sendLayer(): Promise<void> {
    const focus = this.state.focus;
    const layer = focus ? ((await this.host.model(this.folder)?.query('policyLayer', { focus })) ?? null) : null;
    // A later focus may have been asked for while this one was computed: keep the view on the latest.
    if (focus !== this.state.focus) return;
    this.layer = layer;
    this.post({ type: 'policy', layer });
  }

  /** Draws the policy layer for a pod or workload (NAMESPACE/NAME), e.g. from a NetworkPolicy lens. */
  setFocus(id: string | null): void {
    this.state = { ...this.state, focus: id };
    if (this.revision > 0)
      void this.sendLayer().catch((err: unknown) => this.host.log.appendLine(`[topology] focus: ${(err as Error).stack ?? String(err)}`));
  }

  /** Shows a trace in the view: the page animates it hop by hop beside its step list. */
  showTrace(trace: TraceView | null): void {
    this.trace = trace;
    if (!trace) this.traceRequest = undefined;
    this.panel.reveal(undefined, true);
    void this.ready.then(() => this.post({ type: 'trace', trace }));
  }

  get viewState(): ViewState {
    return this.state;
  }

  private receive(raw: unknown): void {
    const parsed = parseToExtension(raw);
    if (!parsed.ok) {
      this.host.log.appendLine(`[topology] ignored a message from the page: ${parsed.error}`);
      return;
    }
    void this.handle(parsed.message).catch((err: unknown) => {
      this.host.log.appendLine(`[topology] ${parsed.message.type}: ${(err as Error).stack ?? String(err)}`);
      void vscode.window.showErrorMessage(`kube-netsim: ${(err as Error).message}`);
    });
  }

  private async handle(m: ToExtension): Promise<void> {
    switch (m.type) {
      case 'ready':
        // The page counts as ready once it has the topology: an export asked for meanwhile waits for it.
        try {
          await this.refreshNow(true);
          if (this.trace) this.post({ type: 'trace', trace: this.trace });
        } finally {
          this.markReady();
        }
        return;
      case 'state': {
        const focusChanged = m.state.focus !== this.state.focus;
        this.state = { ...m.state, folder: this.folder };
        if (focusChanged) await this.sendLayer();
        return;
      }
      case 'focus':
        this.state = { ...this.state, focus: m.id };
        await this.sendLayer();
        return;
      case 'traceRequest': {
        const request: TraceRequest = { from: m.from, to: m.to };
        if (m.protocol) request.protocol = m.protocol;
        this.traceOn(request);
        return;
      }
      case 'reveal':
        return this.reveal(m.target);
      case 'settings':
        return this.switchSettings(m);
      case 'export': {
        const target = await this.pickExportTarget(m.format);
        if (target) await this.exportTo(target, m.format);
        return;
      }
      case 'nodesRequest': {
        // Only for what the page shows: a request for an older revision waits for the newer one's own.
        if (m.revision !== this.revision) return;
        const nodes = await this.host.model(this.folder)?.query('topologyNodes', {});
        if (nodes && m.revision === this.revision) this.post({ type: 'nodes', revision: m.revision, nodes });
        return;
      }
      case 'matrixRequest': {
        const matrix = await this.host.model(this.folder)?.query('matrixView', {});
        if (matrix) this.post({ type: 'matrix', matrix });
        return;
      }
      case 'exportMatrix':
        return this.exportMatrix();
      case 'exportResponse':
        this.pending.get(m.requestId)?.resolve(m.data);
        this.pending.delete(m.requestId);
        return;
      case 'exportFailed':
        this.pending.get(m.requestId)?.reject(new Error(`the view could not export: ${m.message}`));
        this.pending.delete(m.requestId);
        return;
      default: {
        const never: never = m;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Where a drawn object, trace hop or policy edge is written; undefined for what the simulator adds. */
  async sourceOf(target: RevealTarget): Promise<{ source: SourceRange | undefined; what: string }> {
    switch (target.kind) {
      case 'hop': {
        const hop = this.trace?.hops[target.index];
        return { source: hop?.source, what: hop ? `the ${hop.step} hop` : `hop ${target.index + 1}` };
      }
      case 'policy': {
        const edge = this.layer?.edges.find((e) => e.id === target.id);
        return { source: edge?.policies.find((p) => p.source)?.source, what: 'this connection (no NetworkPolicy decides it)' };
      }
      default: {
        const found = await this.host.model(this.folder)?.query('topologySource', { kind: target.kind, id: target.id });
        return found ?? { source: undefined, what: `${target.kind} ${target.id}` };
      }
    }
  }

  /** Saves the connectivity matrix as CSV where the user picks, as `kube-netsim matrix --format csv` prints it. */
  private async exportMatrix(): Promise<void> {
    const model = this.host.model(this.folder);
    const csv = await model?.query('matrixCsv', {});
    if (!model || csv === undefined) return;
    const target = await vscode.window.showSaveDialog({
      title: 'Export Connectivity Matrix',
      defaultUri: vscode.Uri.joinPath(model.folder.uri, 'connectivity.csv'),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(csv));
    void vscode.window.showInformationMessage(`kube-netsim: connectivity matrix exported to ${vscode.workspace.asRelativePath(target)}`);
  }

  private async reveal(target: RevealTarget): Promise<void> {
    const { source, what } = await this.sourceOf(target);
    if (!source) {
      void vscode.window.showInformationMessage(`kube-netsim: ${what} is added by the simulator; there is no manifest line to show.`);
      return;
    }
    const model = this.host.model(this.folder);
    const uri = model?.uriOf(source.file) ?? (model ? vscode.Uri.joinPath(model.folder.uri, source.file) : undefined);
    if (!uri) return;
    const range = toRange(source);
    const doc = await vscode.workspace.openTextDocument(uri);
    // Keep focus in the view so one can click through objects and hops; the editor follows.
    await vscode.window.showTextDocument(doc, { selection: range, viewColumn: vscode.ViewColumn.One, preserveFocus: true });
  }

  /** Writes the CNI, kube-proxy mode or hostNetwork reading to the workspace settings; the re-analysis that follows redraws the view. */
  private async switchSettings(m: Extract<ToExtension, { type: 'settings' }>): Promise<void> {
    const model = this.host.model(this.folder);
    const config = vscode.workspace.getConfiguration('kubeNetsim', model?.folder.uri);
    const changes: string[] = [];
    if (m.cni) {
      await config.update('cni', m.cni, vscode.ConfigurationTarget.Workspace);
      changes.push(`CNI ${m.cni}`);
    }
    if (m.kubeProxyMode) {
      await config.update('kubeProxyMode', m.kubeProxyMode, vscode.ConfigurationTarget.Workspace);
      changes.push(`kube-proxy ${m.kubeProxyMode}`);
    }
    if (m.hostNetworkPods) {
      await config.update('hostNetworkPods', m.hostNetworkPods, vscode.ConfigurationTarget.Workspace);
      changes.push(`hostNetwork pods read as ${m.hostNetworkPods === 'pod' ? 'pods' : "their node's address"}`);
    }
    if (changes.length) this.post({ type: 'status', message: `Re-simulating with ${changes.join(' and ')}…` });
  }

  private async pickExportTarget(format: ExportFormat): Promise<vscode.Uri | undefined> {
    const model = this.host.model(this.folder);
    const base = model?.folder.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    return vscode.window.showSaveDialog({
      title: 'Export Topology',
      defaultUri: base ? vscode.Uri.joinPath(base, `topology.${format}`) : undefined,
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
    });
  }

  /** Asks the page for the picture and writes it to `target`. */
  async exportTo(target: vscode.Uri, format: ExportFormat, view?: ViewName): Promise<vscode.Uri> {
    await this.ready;
    const requestId = this.nextRequest++;
    const data = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(
          new Error(
            `the topology view did not answer the export request within ${EXPORT_TIMEOUT_MS / 1000} s; make sure it is open and try again`,
          ),
        );
      }, EXPORT_TIMEOUT_MS);
      this.pending.set(requestId, {
        resolve: (d) => (clearTimeout(timer), resolve(d)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.post(view ? { type: 'exportRequest', requestId, format, view } : { type: 'exportRequest', requestId, format });
    });
    const bytes = format === 'svg' ? new TextEncoder().encode(data) : Buffer.from(data, 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    this.host.log.appendLine(`[topology] exported ${format.toUpperCase()} (${bytes.length} bytes) to ${target.fsPath}`);
    return target;
  }

  dispose(): void {
    for (const p of this.pending.values()) p.reject(new Error('the topology view was closed'));
    this.pending.clear();
    this.closed.fire();
    this.closed.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
