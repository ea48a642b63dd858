import * as vscode from 'vscode';
import type { SourceRange } from '../engine';
import type { TreeKind, TreeNode } from './analysis/networkTree';
import type { CommandSpec } from './commands';
import { toRange } from './convert';
import type { Context } from './extension';
import type { WorkspaceModel } from './workspaceModel';

export const NETWORK_VIEW_ID = 'kubeNetsim.networkView';

/** An item of the view: a workspace folder (when there are several) or a node of a folder's tree. */
export type NetworkItem = { type: 'folder'; model: WorkspaceModel } | { type: 'node'; folder: string; node: TreeNode };

const ICONS: Record<TreeKind, string> = {
  namespace: 'symbol-namespace',
  group: 'folder',
  workload: 'server-process',
  pod: 'circle-filled',
  service: 'plug',
  endpoint: 'debug-breakpoint-log',
  policy: 'shield',
  ingress: 'globe',
  route: 'arrow-right',
  gateway: 'radio-tower',
};

/**
 * The Kubernetes Network view in the Explorer. Its tree is built by the analysis worker (query
 * `networkTree`) after each analysis of a folder; here it is only cached and shown. Each folder
 * keeps its own tree, so two folders never mix.
 */
export class NetworkView implements vscode.TreeDataProvider<NetworkItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<NetworkItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly trees = new Map<string, Promise<TreeNode[]>>();

  constructor(
    private readonly models: () => WorkspaceModel[],
    private readonly log: vscode.OutputChannel,
  ) {}

  /** A folder was analysed (or removed): its tree is asked for again when shown. */
  refresh(folder?: string): void {
    if (folder) this.trees.delete(folder);
    else this.trees.clear();
    this.changed.fire(undefined);
  }

  /** The folder's tree (namespaces at the top), from the worker's latest simulation. */
  treeOf(model: WorkspaceModel): Promise<TreeNode[]> {
    const key = model.folder.uri.toString();
    let tree = this.trees.get(key);
    if (!tree) {
      tree = model.query('networkTree', {}).then(
        (t) => t ?? [],
        (err: unknown) => {
          this.log.appendLine(`[networkView] ${(err as Error).stack ?? String(err)}`);
          return [];
        },
      );
      this.trees.set(key, tree);
    }
    return tree;
  }

  async getChildren(item?: NetworkItem): Promise<NetworkItem[]> {
    if (!item) {
      const models = this.models();
      if (models.length === 1 && models[0]) return this.nodes(models[0]);
      return models.map((model) => ({ type: 'folder' as const, model }));
    }
    if (item.type === 'folder') return this.nodes(item.model);
    return (item.node.children ?? []).map((node) => ({ type: 'node' as const, folder: item.folder, node }));
  }

  private async nodes(model: WorkspaceModel): Promise<NetworkItem[]> {
    const folder = model.folder.uri.toString();
    return (await this.treeOf(model)).map((node) => ({ type: 'node' as const, folder, node }));
  }

  getTreeItem(item: NetworkItem): vscode.TreeItem {
    if (item.type === 'folder') {
      const t = new vscode.TreeItem(item.model.folder.name, vscode.TreeItemCollapsibleState.Expanded);
      t.id = item.model.folder.uri.toString();
      t.iconPath = vscode.ThemeIcon.Folder;
      t.contextValue = 'folder';
      return t;
    }
    const n = item.node;
    const expand =
      n.children && n.children.length > 0
        ? n.kind === 'namespace'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None;
    const t = new vscode.TreeItem(n.label, expand);
    t.id = `${item.folder}|${n.id}`;
    if (n.description) t.description = n.description;
    t.tooltip = n.tooltip ?? `${n.label}${n.description ? ` · ${n.description}` : ''}`;
    t.iconPath = new vscode.ThemeIcon(ICONS[n.kind]);
    // The context menu's actions are offered where they apply (package.json menus, `viewItem =~`).
    t.contextValue = [n.kind, n.traceFrom ? 'traceFrom' : '', n.traceTo ? 'traceTo' : '', n.focus ? 'focus' : '', n.at ? 'manifest' : '']
      .filter(Boolean)
      .join(' ');
    if (n.at) t.command = { command: 'kubeNetsim.revealManifest', title: 'Reveal in manifest', arguments: [item] };
    return t;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function modelOf(ctx: Context, item: NetworkItem | undefined): WorkspaceModel | undefined {
  if (!item) return undefined;
  return item.type === 'folder' ? item.model : ctx.models.get(item.folder);
}

async function reveal(model: WorkspaceModel, at: SourceRange): Promise<void> {
  const uri = model.uriOf(at.file);
  if (!uri) return;
  const range = toRange(at);
  await vscode.window.showTextDocument(uri, { selection: range, preview: true });
}

/** The view's item actions; hidden from the palette (they need an item). */
export const NETWORK_VIEW_COMMANDS: CommandSpec[] = [
  {
    id: 'kubeNetsim.revealManifest',
    handler: async (ctx: Context, item?: NetworkItem) => {
      const model = modelOf(ctx, item);
      if (model && item?.type === 'node' && item.node.at) await reveal(model, item.node.at);
    },
  },
  {
    id: 'kubeNetsim.traceFromHere',
    handler: (ctx: Context, item?: NetworkItem) => {
      const model = modelOf(ctx, item);
      if (!model || item?.type !== 'node' || !item.node.traceFrom) return undefined;
      return vscode.commands.executeCommand('kubeNetsim.tracePacket', { folder: item.folder, from: item.node.traceFrom });
    },
  },
  {
    id: 'kubeNetsim.traceToHere',
    handler: (ctx: Context, item?: NetworkItem) => {
      const model = modelOf(ctx, item);
      if (!model || item?.type !== 'node' || !item.node.traceTo) return undefined;
      return vscode.commands.executeCommand('kubeNetsim.tracePacket', { folder: item.folder, to: item.node.traceTo });
    },
  },
  {
    id: 'kubeNetsim.showInTopology',
    handler: (ctx: Context, item?: NetworkItem) => {
      const model = modelOf(ctx, item);
      if (!model || item?.type !== 'node') return undefined;
      return vscode.commands.executeCommand('kubeNetsim.showTopology', {
        folder: item.folder,
        ...(item.node.focus ? { focus: item.node.focus } : {}),
      });
    },
  },
];
