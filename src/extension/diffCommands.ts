import * as vscode from 'vscode';
import type { InputFile } from '../engine';
import type { Context } from './extension';
import type { CommandSpec } from './commands';

// The parts of the built-in Git extension's API (extensions/git/src/api/git.d.ts) this uses.
interface GitRepository {
  readonly rootUri: vscode.Uri;
  show(ref: string, path: string): Promise<string>;
}
interface GitAPI {
  readonly repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}
interface GitExtension {
  getAPI(version: 1): GitAPI;
}

async function gitApi(): Promise<GitAPI> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!ext) throw new Error('the built-in Git extension (vscode.git) is not available, so the last commit cannot be read');
  const exports = ext.isActive ? ext.exports : await ext.activate();
  return exports.getAPI(1);
}

/** Simulates HEAD's version of every manifest of the folder and shows what the working tree opens and closes. */
async function compareWithLastCommit(ctx: Context): Promise<void> {
  const model = ctx.activeModel();
  if (model && !model.report) await model.analyzeNow();
  const paths = await model?.query('simulatedFiles', {});
  if (!model || !paths) {
    void vscode.window.showInformationMessage('kube-netsim: no manifests have been analysed yet; open a folder with Kubernetes manifests.');
    return;
  }
  const git = await gitApi();
  const repo = git.getRepository(model.folder.uri) ?? git.repositories.find((r) => model.folder.uri.fsPath.startsWith(r.rootUri.fsPath));
  if (!repo) throw new Error(`${model.folder.name} is not in a Git repository, so there is no last commit to compare with`);
  const old: InputFile[] = [];
  for (const path of paths) {
    const uri = model.uriOf(path);
    if (!uri) continue;
    // A file that HEAD does not have is new: absent from the old side.
    const text = await repo.show('HEAD', uri.fsPath).catch(() => undefined);
    if (text !== undefined) old.push({ path, text });
  }
  // Both simulations and the diff run in the analysis worker, with the working tree's settings.
  const report = await model.query('compareWith', {
    old,
    title: `Connectivity of ${model.folder.name}: last commit (HEAD) → working tree`,
  });
  if (report === undefined) return;
  const doc = await vscode.workspace.openTextDocument({ content: report, language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

export const DIFF_COMMANDS: CommandSpec[] = [{ id: 'kubeNetsim.compareWithLastCommit', handler: (ctx) => compareWithLastCommit(ctx) }];
