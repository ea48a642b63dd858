import * as vscode from 'vscode';
import type { Context } from './extension';
import { TOPOLOGY_COMMANDS } from './topologyCommands';
import { TRACE_COMMANDS } from './traceCommands';
import { SNAPSHOT_COMMANDS } from './snapshotCommand';
import { DIFF_COMMANDS } from './diffCommands';
import { TROUBLESHOOT_COMMANDS } from './troubleshootCommands';
import { GATEWAY_COMMANDS } from './gatewayCommands';

interface CommandSpec {
  id: string;
  /** VS Code hands a command whatever its caller passed; each handler declares the arguments it accepts. */
  handler: (ctx: Context, ...args: never[]) => unknown;
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
      const found = args?.service ? await model?.query('endpoints', { service: args.service }) : undefined;
      if (!found) return;
      await vscode.window.showQuickPick(
        found.rows.length ? found.rows : [{ label: 'No endpoints', description: 'the selector matches no ready pod' }],
        { title: `Endpoints of ${found.service}` },
      );
    },
  },
  ...TOPOLOGY_COMMANDS,
  ...TRACE_COMMANDS,
  ...SNAPSHOT_COMMANDS,
  ...DIFF_COMMANDS,
  ...TROUBLESHOOT_COMMANDS,
  ...GATEWAY_COMMANDS,
];

export function registerCommands(ctx: Context, extra: CommandSpec[] = []): vscode.Disposable[] {
  return [...COMMANDS, ...extra].map(({ id, handler }) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(ctx, ...(args as never[]));
      } catch (err) {
        ctx.log.appendLine(`[${id}] ${(err as Error).stack ?? String(err)}`);
        void vscode.window.showErrorMessage(`kube-netsim: ${(err as Error).message}`);
        return undefined;
      }
    }),
  );
}

export type { CommandSpec };
