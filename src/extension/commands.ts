import * as vscode from 'vscode';
import { serviceId } from '../engine';
import type { Context } from './extension';
import { TOPOLOGY_COMMANDS } from './topologyCommands';
import { TRACE_COMMANDS } from './traceCommands';
import { SNAPSHOT_COMMANDS } from './snapshotCommand';
import { DIFF_COMMANDS } from './diffCommands';

interface CommandSpec {
  id: string;
  handler: (ctx: Context, ...args: any[]) => unknown;
}

/** Opens a read-only text view (an untitled document) with the given content. */
export async function showText(content: string, language = 'plaintext'): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

function modelByFolder(ctx: Context, folder: string | undefined) {
  return (folder ? ctx.models.get(folder) : undefined) ?? ctx.activeModel();
}

/** The command table: ids match package.json's contributes.commands. */
const COMMANDS: CommandSpec[] = [
  {
    id: 'kubeNetsim.showEndpoints',
    handler: async (ctx, args?: { folder?: string; service?: string }) => {
      const model = modelByFolder(ctx, args?.folder);
      const svc = model?.simulation()?.cluster.services.find((s) => serviceId(s) === args?.service);
      if (!svc) return;
      const rows = svc.ports.flatMap((p, i) => (svc.endpointsByPort[i] ?? []).map((e) => `${p.name ?? p.port}\t${e.ip}:${e.port}\t${e.pod}\t${e.node ?? ''}`));
      const items = rows.map((r) => ({ label: r.split('\t')[1] ?? r, description: r.split('\t').slice(2).join('  ') }));
      await vscode.window.showQuickPick(items.length ? items : [{ label: 'No endpoints', description: 'the selector matches no ready pod' }], { title: `Endpoints of ${serviceId(svc)}` });
    },
  },
  ...TOPOLOGY_COMMANDS,
  ...TRACE_COMMANDS,
  ...SNAPSHOT_COMMANDS,
  ...DIFF_COMMANDS,
];

export function registerCommands(ctx: Context, extra: CommandSpec[] = []): vscode.Disposable[] {
  return [...COMMANDS, ...extra].map(({ id, handler }) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(ctx, ...args);
      } catch (err) {
        ctx.log.appendLine(`[${id}] ${(err as Error).stack ?? String(err)}`);
        void vscode.window.showErrorMessage(`kube-netsim: ${(err as Error).message}`);
        return undefined;
      }
    }),
  );
}

export type { CommandSpec };
