import * as vscode from 'vscode';
import type { TroubleshootResult, TroubleshootSubject } from '../engine';
import type { Context } from './extension';
import type { CommandSpec } from './commands';
import { troubleshootMarkdown, type TroubleshootPick } from './analysis/troubleshoot';
import type { WorkspaceModel } from './workspaceModel';

type TroubleshootArgs = { folder?: string; service?: string; ingress?: string; external?: string; from?: string };

async function analysed(ctx: Context, folder: string | undefined): Promise<WorkspaceModel | undefined> {
  const model = (folder ? ctx.models.get(folder) : undefined) ?? ctx.activeModel();
  if (model && !model.report) await model.analyzeNow();
  return model?.report ? model : undefined;
}

function subjectOf(args: TroubleshootArgs | undefined): TroubleshootSubject | undefined {
  if (args?.service) return { service: args.service, ...(args.from ? { from: args.from } : {}) };
  if (args?.ingress) return { ingress: args.ingress };
  if (args?.external) return { external: args.external };
  return undefined;
}

const EXTERNAL_URL = 'External URL…';

/** Asks which walk to run: a Service, a Service from outside, an Ingress, or a URL typed in. */
async function pickSubject(picks: TroubleshootPick[]): Promise<TroubleshootSubject | undefined> {
  const items: Array<vscode.QuickPickItem & { subject?: TroubleshootSubject }> = [
    ...picks,
    { label: EXTERNAL_URL, description: 'a URL as a client outside the cluster asks it' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Troubleshoot', placeHolder: 'what does not work?' });
  if (!picked) return undefined;
  if (picked.subject) return picked.subject;
  const url = await vscode.window.showInputBox({
    title: 'Troubleshoot external access',
    prompt: 'http://HOST/PATH or IP:PORT',
    value: 'http://',
  });
  return url ? { external: url } : undefined;
}

/** Opens the walk as a Markdown checklist, each field at fault a link into its manifest. */
async function showChecklist(model: WorkspaceModel, r: TroubleshootResult): Promise<void> {
  const text = troubleshootMarkdown(r, (file, line, column) =>
    model
      .uriOf(file)
      ?.with({ fragment: `L${line},${column}` })
      .toString(),
  );
  const doc = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  // The rendered checklist where the Markdown preview is there; the text stays open where it is not.
  await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => undefined);
}

export const TROUBLESHOOT_COMMANDS: CommandSpec[] = [
  {
    id: 'kubeNetsim.troubleshoot',
    handler: async (ctx: Context, args?: TroubleshootArgs) => {
      const model = await analysed(ctx, args?.folder);
      if (!model) {
        void vscode.window.showWarningMessage('kube-netsim: open a folder with Kubernetes manifests to troubleshoot it.');
        return undefined;
      }
      const subject = subjectOf(args) ?? (await pickSubject((await model.query('troubleshootPicks', {})) ?? []));
      if (!subject) return undefined;
      const walked = await model.query('troubleshoot', { subject });
      if (!walked) return undefined;
      if (!walked.ok) throw new Error(walked.message);
      await showChecklist(model, walked.result);
      return walked.result;
    },
  },
  {
    id: 'kubeNetsim.tracePortForward',
    handler: async (ctx: Context, args?: { folder?: string; to?: string }) => {
      const model = await analysed(ctx, args?.folder);
      if (!model) return undefined;
      let to = args?.to;
      if (!to) {
        const picks = (await model.query('forwardPicks', {})) ?? [];
        to = (await vscode.window.showQuickPick(picks, { title: 'Trace kubectl port-forward', placeHolder: 'svc/NAME.NAMESPACE:PORT' }))
          ?.label;
      }
      if (!to) return undefined;
      return vscode.commands.executeCommand('kubeNetsim.tracePacket', { folder: model.folder.uri.toString(), from: 'local', to });
    },
  },
];
