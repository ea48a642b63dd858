import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { summarizeSnapshot } from '../engine';
import type { CommandSpec } from './commands';

export const SNAPSHOT_FILE = 'cluster-snapshot.yaml';
/** Everything the simulation reads from a live cluster, in one List (the user's current kubectl context). */
export const KUBECTL_ARGS = [
  'get',
  'namespaces,nodes,pods,services,endpointslices,deployments,statefulsets,daemonsets,replicasets,networkpolicies,ingresses,ingressclasses',
  '-A',
  '-o',
  'yaml',
];

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 512 * 1024 * 1024, timeout: 120_000, windowsHide: true }, (err, stdout, stderr) => {
      const code = err ? ((err as NodeJS.ErrnoException).code ?? (err as { status?: number }).status ?? 1) : 0;
      resolve({ code: typeof code === 'number' || typeof code === 'string' ? code : 1, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * Import Cluster Snapshot: runs `kubectl get … -A -o yaml` with the user's own context and saves the
 * List into the workspace, where the simulation picks up its live addresses. It executes a program,
 * so it is refused in Restricted Mode.
 */
async function importSnapshot(folderUri?: vscode.Uri): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(
      'Import Cluster Snapshot runs kubectl, which Restricted Mode does not allow. Trust this workspace first (Manage Workspace Trust).',
    );
    return;
  }
  const folder =
    (folderUri && vscode.workspace.getWorkspaceFolder(folderUri)) ??
    (vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)) ??
    vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(
      'Import Cluster Snapshot needs a workspace folder on disk to save cluster-snapshot.yaml into; open one first.',
    );
    return;
  }
  const cwd = folder.uri.fsPath;
  const probe = await run('kubectl', ['version', '--client'], cwd);
  if (probe.code === 'ENOENT') {
    void vscode.window.showErrorMessage(
      'kubectl was not found on PATH. Install kubectl (and point it at your cluster), then run Import Cluster Snapshot again.',
    );
    return;
  }
  const target = vscode.Uri.joinPath(folder.uri, SNAPSHOT_FILE);
  const exists = await vscode.workspace.fs.stat(target).then(
    () => true,
    () => false,
  );
  if (
    exists &&
    (await vscode.window.showWarningMessage(
      `${SNAPSHOT_FILE} exists in ${folder.name}. Replace it with a new snapshot?`,
      { modal: true },
      'Replace',
    )) !== 'Replace'
  )
    return;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'kube-netsim: kubectl get … -A -o yaml (current context)' },
    () => run('kubectl', KUBECTL_ARGS, cwd),
  );
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n')[0] || `exit ${String(result.code)}`;
    void vscode.window.showErrorMessage(
      `kubectl failed: ${why}. Check the current context (kubectl config current-context) and your access.`,
    );
    return;
  }
  const summary = summarizeSnapshot(result.stdout);
  if (!summary.ok) {
    void vscode.window.showErrorMessage(`Nothing saved: ${summary.message}.`);
    return;
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.stdout));
  const open = await vscode.window.showInformationMessage(
    `Saved ${SNAPSHOT_FILE} (${summary.summary}); the simulation now uses its live addresses.`,
    'Open',
  );
  if (open === 'Open') await vscode.window.showTextDocument(target);
}

export const SNAPSHOT_COMMANDS: CommandSpec[] = [
  { id: 'kubeNetsim.importSnapshot', handler: (_ctx, uri?: vscode.Uri) => importSnapshot(uri) },
];

/** The bundled samples: the shop (the walkthrough's first step) and the Gateway API store. */
const SAMPLES = new Set(['shop', 'gateway']);

/**
 * Open Sample Workspace: a copy of a bundled sample (examples/shop unless the walkthrough asks for
 * another) in the extension's storage, so that trying things out never edits the extension's own files.
 */
async function openSample(ctx: { extension: vscode.ExtensionContext }, name?: unknown): Promise<void> {
  const sample = typeof name === 'string' && SAMPLES.has(name) ? name : 'shop';
  const source = vscode.Uri.joinPath(ctx.extension.extensionUri, 'examples', sample);
  const target = vscode.Uri.joinPath(ctx.extension.globalStorageUri, `sample-${sample}`);
  const present = await vscode.workspace.fs.stat(target).then(
    () => true,
    () => false,
  );
  if (!present) await vscode.workspace.fs.copy(source, target, { overwrite: false });
  await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: false });
}

SNAPSHOT_COMMANDS.push({ id: 'kubeNetsim.openSample', handler: (ctx, name?: string) => openSample(ctx, name) });
