import * as vscode from 'vscode';
import type { AttachedRoutesRequest } from './analysis/gatewayLenses';
import type { ConvertArgs, ConvertResult } from './analysis/gatewayConvert';
import type { CommandSpec } from './commands';
import { toRange } from './convert';
import type { Context } from './extension';
import type { WorkspaceModel } from './workspaceModel';

/** The "N routes attached" lens: a quick pick of the listener's routes; picking one opens it at its name. */
async function showAttachedRoutes(ctx: Context, req?: AttachedRoutesRequest): Promise<string[] | undefined> {
  if (!req || !Array.isArray(req.routes)) return undefined;
  const model = (req.folder ? ctx.models.get(req.folder) : undefined) ?? ctx.activeModel();
  const items: Array<vscode.QuickPickItem & { route?: AttachedRoutesRequest['routes'][number] }> = req.routes.map((r) => ({
    label: r.label,
    description: r.description,
    route: r,
  }));
  if (items.length === 0)
    items.push({ label: 'No route attached', description: req.problems.join('; ') || 'no route names this listener and is allowed on it' });
  const picked = await vscode.window.showQuickPick(items, { title: `Routes attached to ${req.gateway} listener ${req.listener}` });
  const range = picked?.route?.range;
  const uri = range ? model?.uriOf(range.file) : undefined;
  if (range && uri) {
    const editor = await vscode.window.showTextDocument(uri, { selection: toRange(range), preview: true });
    editor.revealRange(toRange(range), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return req.routes.map((r) => r.label);
}

interface ConvertRequest {
  folder?: string;
  /** The file whose Ingresses to convert (relative to the folder); without it and `ingress`, the active editor's. */
  file?: string;
  /** One Ingress, `NAMESPACE/NAME` (the quick fix). */
  ingress?: string;
}

const TITLE = 'Convert to Gateway API';

/** Converts Ingresses in the worker and opens the Gateway and HTTPRoutes beside, with the proof as their comment header. */
async function convert(ctx: Context, req?: ConvertRequest): Promise<ConvertResult | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const model = (req?.folder ? ctx.models.get(req.folder) : undefined) ?? (active && ctx.modelFor(active)) ?? ctx.activeModel();
  if (!model) {
    void vscode.window.showWarningMessage('kube-netsim: open a folder with Kubernetes manifests to convert its Ingresses.');
    return undefined;
  }
  if (!model.report) await model.analyzeNow();
  let args: ConvertArgs = {};
  if (typeof req?.ingress === 'string') args = { ingress: req.ingress };
  else if (typeof req?.file === 'string') args = { file: req.file };
  else if (active && model.contains(active)) {
    // From the palette: the active file's Ingresses, or the folder's when it has none.
    const file = model.relativePath(active);
    if ((await model.query('ingressesIn', { file }))?.length) args = { file };
  }
  const result = await model.query('convertToGatewayApi', args);
  if (!result) return undefined;
  if ('error' in result) {
    void vscode.window.showWarningMessage(`kube-netsim: ${result.error}.`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ content: result.text, language: 'yaml' });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  // Not awaited: a message resolves only when it is dismissed.
  const said =
    result.notes.length > 0
      ? ` ${result.notes.length} thing${result.notes.length === 1 ? '' : 's'} could not mean the same: see the comments.`
      : '';
  if (result.differ.length > 0)
    void vscode.window.showWarningMessage(
      `kube-netsim: ${result.differ.length} of ${result.probes} probe requests land differently through the new routes than through ${result.subject}.${said}`,
    );
  else if (said)
    void vscode.window.showWarningMessage(`kube-netsim: all ${result.probes} probe requests land alike for ${result.subject}.${said}`);
  else void vscode.window.showInformationMessage(`kube-netsim: all ${result.probes} probe requests land alike for ${result.subject}.`);
  return result;
}

export const GATEWAY_COMMANDS: CommandSpec[] = [
  { id: 'kubeNetsim.showAttachedRoutes', handler: (ctx, req?: AttachedRoutesRequest) => showAttachedRoutes(ctx, req) },
  { id: 'kubeNetsim.convertToGatewayApi', handler: (ctx, req?: ConvertRequest) => convert(ctx, req) },
];

/** "Convert to Gateway API" on an Ingress's kind or metadata.name line. */
export class ConvertActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly modelFor: (uri: vscode.Uri) => WorkspaceModel | undefined,
    private readonly log: vscode.OutputChannel,
  ) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.CodeAction[]> {
    try {
      const model = this.modelFor(doc.uri);
      if (!model) return [];
      const places = (await model.query('ingressesIn', { file: model.relativePath(doc.uri) })) ?? [];
      const line = range.start.line + 1;
      return places
        .filter((p) => p.kind.line === line || p.nameRange.line === line)
        .map((p) => {
          const action = new vscode.CodeAction(TITLE, vscode.CodeActionKind.QuickFix);
          action.command = {
            command: 'kubeNetsim.convertToGatewayApi',
            title: TITLE,
            arguments: [{ folder: model.folder.uri.toString(), ingress: `${p.namespace}/${p.name}` }],
          };
          return action;
        });
    } catch (err) {
      this.log.appendLine(`[convertAction] ${(err as Error).stack ?? String(err)}`);
      return [];
    }
  }
}
