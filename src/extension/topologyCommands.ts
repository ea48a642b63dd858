import * as vscode from 'vscode';
import { parseToExtension, VIEW_TYPE, VIEWS, type ExportFormat, type ViewName, type ViewState } from '../shared/protocol';
import { TopologyPanel, webviewOptions, type PanelHost, type TraceRequest } from './topologyPanel';
import type { CommandSpec } from './commands';
import type { Context } from './extension';

/** The open topology views, one per workspace folder (keyed by the folder's URI). */
class TopologyViews {
  readonly panels = new Map<string, TopologyPanel>();

  constructor(private readonly ctx: Context) {}

  private host(): PanelHost {
    return { model: (folder) => this.ctx.models.get(folder), log: this.ctx.log, extensionUri: this.ctx.extension.extensionUri };
  }

  private track(panel: TopologyPanel): TopologyPanel {
    this.panels.set(panel.folder, panel);
    panel.onDidClose(() => {
      if (this.panels.get(panel.folder) === panel) this.panels.delete(panel.folder);
    });
    return panel;
  }

  /** The view of `folder` (the active folder by default), created if needed, brought to the front. */
  show(folder?: string, opts: { preserveFocus?: boolean } = {}): TopologyPanel | undefined {
    const model = (folder ? this.ctx.models.get(folder) : undefined) ?? this.ctx.activeModel();
    if (!model) {
      void vscode.window.showWarningMessage('kube-netsim: open a folder with Kubernetes manifests to see its topology.');
      return undefined;
    }
    const key = model.folder.uri.toString();
    const open = this.panels.get(key);
    if (open) {
      open.panel.reveal(undefined, opts.preserveFocus);
      return open;
    }
    const title = this.ctx.models.size > 1 ? `Topology: ${model.folder.name}` : 'Kubernetes Topology';
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus ?? false },
      webviewOptions(this.ctx.extension.extensionUri),
    );
    return this.track(new TopologyPanel(this.host(), panel, key, undefined));
  }

  /** Brings a view back after a reload, on the folder it showed (the active folder if that one is gone). */
  restore(panel: vscode.WebviewPanel, raw: unknown): void {
    const parsed = parseToExtension({ type: 'state', state: raw });
    const state: ViewState | undefined = parsed.ok && parsed.message.type === 'state' ? parsed.message.state : undefined;
    const folder = state?.folder && this.ctx.models.has(state.folder) ? state.folder : this.ctx.activeModel()?.folder.uri.toString();
    if (!folder) {
      panel.dispose();
      return;
    }
    this.track(new TopologyPanel(this.host(), panel, folder, state));
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
  }
}

const views = new WeakMap<Context, TopologyViews>();

function viewsOf(ctx: Context): TopologyViews {
  let v = views.get(ctx);
  if (!v) {
    v = new TopologyViews(ctx);
    views.set(ctx, v);
  }
  return v;
}

/** Registers the serializer that brings topology views back after a window reload. Call once at activation. */
export function registerTopology(ctx: Context): vscode.Disposable[] {
  const v = viewsOf(ctx);
  return [
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => Promise.resolve(v.restore(panel, state)),
    }),
    { dispose: () => v.dispose() },
  ];
}

/**
 * Shows a packet trace animated in the topology view of `folder` (the active folder by default),
 * e.g. from a "Trace packet" lens: `from` is a SOURCE as the CLI takes it, `to` a TARGET. The
 * view keeps re-running it as the manifests or the simulated CNI change.
 */
export function showTraceInTopology(ctx: Context, request: TraceRequest & { folder?: string }): void {
  const { folder, ...rest } = request;
  viewsOf(ctx).show(folder, { preserveFocus: true })?.traceOn(rest);
}

interface ExportArgs {
  /** Where to write; without it a save dialog asks. */
  path?: string;
  format?: ExportFormat;
  folder?: string;
  /** The view to export (map, nodes, matrix); the one shown by default. */
  view?: ViewName;
}

function formatOf(path: string, given: ExportFormat | undefined): ExportFormat {
  if (given) return given;
  return /\.png$/i.test(path) ? 'png' : 'svg';
}

/** The topology commands, for the command table in commands.ts. */
export const TOPOLOGY_COMMANDS: CommandSpec[] = [
  {
    id: 'kubeNetsim.showTopology',
    handler: (ctx: Context, args?: { folder?: string; focus?: string; trace?: TraceRequest }) => {
      const panel = viewsOf(ctx).show(typeof args?.folder === 'string' ? args.folder : undefined);
      if (panel && typeof args?.focus === 'string') panel.setFocus(args.focus);
      const t = args?.trace;
      if (panel && t && typeof t.from === 'string' && typeof t.to === 'string') panel.traceOn(t);
    },
  },
  {
    id: 'kubeNetsim.exportTopology',
    handler: async (ctx: Context, args?: ExportArgs) => {
      const panel = viewsOf(ctx).show(typeof args?.folder === 'string' ? args.folder : undefined, { preserveFocus: true });
      if (!panel) return undefined;
      let target: vscode.Uri | undefined;
      if (typeof args?.path === 'string') target = vscode.Uri.file(args.path);
      else {
        const model = ctx.models.get(panel.folder);
        target = await vscode.window.showSaveDialog({
          title: 'Export Topology',
          defaultUri: model ? vscode.Uri.joinPath(model.folder.uri, 'topology.svg') : undefined,
          filters: { 'SVG image': ['svg'], 'PNG image': ['png'] },
        });
      }
      if (!target) return undefined;
      const view = VIEWS.find((v) => v === args?.view);
      const written = await panel.exportTo(target, formatOf(target.path, args?.format), view);
      void vscode.window.showInformationMessage(`kube-netsim: topology exported to ${vscode.workspace.asRelativePath(written)}`);
      return written.fsPath;
    },
  },
];
