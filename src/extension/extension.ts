import * as vscode from 'vscode';
import { WorkspaceModel } from './workspaceModel';
import { AnalysisClient } from './analysisClient';
import { Problems } from './problems';
import { FixStore, QuickFixProvider } from './quickFix';
import { ClusterStatus } from './statusBar';
import { HoverProvider } from './hover';
import { CodeLensProvider } from './codeLens';
import { registerCommands } from './commands';
import { registerTopology } from './topologyCommands';
import { CompletionProvider, DefinitionProvider, ReferenceProvider, RenameProvider } from './navigation';
import { NETWORK_VIEW_COMMANDS, NETWORK_VIEW_ID, NetworkView } from './networkView';
import { ConvertActionProvider } from './gatewayCommands';

/** Everything the providers and commands share: one model per workspace folder. */
export class Context {
  readonly models = new Map<string, WorkspaceModel>();
  /** How long activate() took (before any analysis), for the benchmark. */
  activationMs = 0;
  /** The Kubernetes Network view's data (tests read its tree through it). */
  readonly networkView: NetworkView;

  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly log: vscode.OutputChannel,
    readonly client: AnalysisClient,
  ) {
    this.networkView = new NetworkView(() => [...this.models.values()], log);
  }

  modelFor(uri: vscode.Uri): WorkspaceModel | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.models.get(folder.uri.toString()) : undefined;
  }

  /** The folder a command acts on: the one of the active editor, else the first. */
  activeModel(): WorkspaceModel | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return (uri && this.modelFor(uri)) ?? this.models.values().next().value;
  }
}

/** Runs one part's reaction to an event: a failure is logged, and the other parts still run. */
function isolate(log: vscode.OutputChannel, part: string, step: () => void): void {
  try {
    step();
  } catch (err) {
    log.appendLine(`[${part}] ${(err as Error).stack ?? String(err)}`);
  }
}

export function activate(extension: vscode.ExtensionContext): Context {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Kubernetes Network');
  // The worker starts on the first analysis, not here: activation stays cheap.
  const workerMode = vscode.workspace.getConfiguration('kubeNetsim').get<boolean>('analysisWorker', true) ? 'worker' : 'in-process';
  const client = new AnalysisClient(vscode.Uri.joinPath(extension.extensionUri, 'dist', 'analysisWorker.js').fsPath, log, workerMode);
  const ctx = new Context(extension, log, client);
  const push = (...d: vscode.Disposable[]) => extension.subscriptions.push(...d);
  const collection = vscode.languages.createDiagnosticCollection('kube-netsim');
  const fixes = new FixStore();
  const problems = new Problems(collection, fixes);
  const lenses = new CodeLensProvider((u) => ctx.modelFor(u), log);
  const selector: vscode.DocumentSelector = [{ language: 'yaml' }, { language: 'json' }, { pattern: '**/*.{yaml,yml}' }];
  const status = new ClusterStatus();
  push(log, collection, lenses, status, client);
  push(vscode.languages.registerHoverProvider(selector, new HoverProvider((u) => ctx.modelFor(u), log)));
  push(vscode.languages.registerCodeLensProvider(selector, lenses));
  push(
    vscode.languages.registerCodeActionsProvider(selector, new QuickFixProvider(fixes, (u) => ctx.modelFor(u), log), {
      providedCodeActionKinds: QuickFixProvider.kinds,
    }),
  );
  const modelFor = (u: vscode.Uri) => ctx.modelFor(u);
  push(
    vscode.languages.registerCodeActionsProvider(selector, new ConvertActionProvider(modelFor, log), {
      providedCodeActionKinds: ConvertActionProvider.kinds,
    }),
  );
  push(
    vscode.languages.registerDefinitionProvider(selector, new DefinitionProvider(modelFor, log)),
    vscode.languages.registerReferenceProvider(selector, new ReferenceProvider(modelFor, log)),
    vscode.languages.registerRenameProvider(selector, new RenameProvider(modelFor, log)),
    vscode.languages.registerCompletionItemProvider(selector, new CompletionProvider(modelFor, log), ...CompletionProvider.triggers),
  );
  push(ctx.networkView, vscode.window.registerTreeDataProvider(NETWORK_VIEW_ID, ctx.networkView));
  push(...registerCommands(ctx, NETWORK_VIEW_COMMANDS));
  push(...registerTopology(ctx));

  const addFolder = (folder: vscode.WorkspaceFolder) => {
    const model = new WorkspaceModel(folder, log, client);
    ctx.models.set(folder.uri.toString(), model);
    push(model);
    push(
      model.onDidAnalyze((report) => {
        const publishStarted = performance.now();
        isolate(log, 'problems', () => problems.publish(model, report.diagnostics));
        model.lastPublishMs = performance.now() - publishStarted;
        isolate(log, 'codeLens', () => lenses.refresh());
        isolate(log, 'networkView', () => ctx.networkView.refresh(folder.uri.toString()));
        isolate(log, 'status', () => {
          if (ctx.activeModel() === model) status.update(report.summary, ctx.models.size);
        });
        log.appendLine(
          `[analyze] ${folder.name}: ${report.summary.pods} pods, ${report.summary.services} services, ${report.diagnostics.length} diagnostics in ${report.durationMs} ms (${client.mode})`,
        );
      }),
    );
    push(
      model.onDidChangeAnalysing((on) => {
        if (ctx.activeModel() === model) status.setAnalysing(on);
      }),
    );
    // A failed index still analyses what it read, so one unreadable corner does not blank the folder.
    const analyze = () => void model.analyzeNow();
    void model.index().then(analyze, (err: unknown) => {
      log.appendLine(`[index] ${folder.name}: ${String(err)}`);
      analyze();
    });
  };
  for (const folder of vscode.workspace.workspaceFolders ?? []) addFolder(folder);
  push(
    vscode.workspace.onDidChangeWorkspaceFolders((e) => {
      for (const f of e.removed) {
        ctx.models.get(f.uri.toString())?.dispose();
        ctx.models.delete(f.uri.toString());
      }
      e.added.forEach(addFolder);
      ctx.networkView.refresh();
    }),
  );

  // Unsaved text counts: every edit of an open manifest re-analyses its folder (debounced).
  // files.exclude is honoured for opened and changed files too, not only when the folder is indexed.
  const onText = async (doc: vscode.TextDocument) => {
    const model = ctx.modelFor(doc.uri);
    if (!model || !(model.isSettings(doc.uri) || (await model.admits(doc.uri)))) return;
    model.setText(doc.uri, doc.getText());
    model.schedule();
  };
  push(
    vscode.workspace.onDidChangeTextDocument((e) => void onText(e.document)),
    vscode.workspace.onDidOpenTextDocument((d) => void onText(d)),
  );
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json}');
  const onDisk = async (uri: vscode.Uri, removed: boolean) => {
    const model = ctx.modelFor(uri);
    if (!model || !(model.isSettings(uri) || (removed ? model.accepts(uri) : await model.admits(uri)))) return;
    if (removed) model.remove(uri);
    else if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty)) return;
    const done = removed ? Promise.resolve() : model.reload(uri);
    void done.then(() => model.schedule());
  };
  push(
    watcher,
    watcher.onDidCreate((u) => void onDisk(u, false)),
    watcher.onDidChange((u) => void onDisk(u, false)),
    watcher.onDidDelete((u) => void onDisk(u, true)),
  );
  push(
    vscode.window.onDidChangeActiveTextEditor(() => {
      const model = ctx.activeModel();
      if (model?.report) status.update(model.report.summary, ctx.models.size);
    }),
  );
  push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('kubeNetsim') && !e.affectsConfiguration('files.exclude')) return;
      // The limits and files.exclude decide which files are read at all: read the folder again.
      const reindex =
        e.affectsConfiguration('kubeNetsim.maxFileBytes') ||
        e.affectsConfiguration('kubeNetsim.maxFiles') ||
        e.affectsConfiguration('files.exclude');
      for (const m of ctx.models.values()) {
        if (reindex)
          void m.index().then(
            () => m.schedule(0),
            () => m.schedule(0),
          );
        else m.schedule(0);
      }
    }),
  );
  ctx.activationMs = performance.now() - started;
  log.appendLine(`[activate] ready in ${ctx.activationMs.toFixed(1)} ms; indexing runs after`);
  return ctx;
}

export function deactivate(): void {}
