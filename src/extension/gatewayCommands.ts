import * as vscode from 'vscode';
import type { AttachedRoutesRequest } from './analysis/gatewayLenses';
import type { CommandSpec } from './commands';
import { toRange } from './convert';
import type { Context } from './extension';

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

export const GATEWAY_COMMANDS: CommandSpec[] = [
  { id: 'kubeNetsim.showAttachedRoutes', handler: (ctx, req?: AttachedRoutesRequest) => showAttachedRoutes(ctx, req) },
];
