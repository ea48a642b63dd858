import * as vscode from 'vscode';
import { parseSettings, DEFAULT_LIMITS, type ClusterSettings, type Diagnostic, type InputFile } from '../engine';
import type { AnalysisClient } from './analysisClient';
import type { AnalysisReport, WorkerAnalyzeOptions } from './analysis/protocol';
import type { Position } from './analysis/symbols';
import type { LensData } from './analysis/lensData';
import type { QueryArgs, QueryName, QueryResult } from './analysis/queries';

const MANIFEST_GLOB = '**/*.{yaml,yml,json}';
/** A path as a glob that matches only itself (VS Code globs treat these characters as syntax). */
const globEscape = (path: string) => path.replace(/[[\]{}*?!]/g, (c) => `[${c}]`);
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/out/**', '**/build/**', '**/.vscode-test/**'];
export const SETTINGS_FILE = 'kube-netsim.yaml';
const CLUSTER_KEYS = [
  'cni',
  'encapsulation',
  'kubeProxyMode',
  'hostNetworkPods',
  'clusterDomain',
  'podCIDR',
  'serviceCIDR',
  'nodePortRange',
  'loadBalancerPool',
  'nodes',
];

/**
 * One workspace folder's simulated cluster. Holds the text of every manifest (unsaved editor text
 * wins over disk) and re-analyses after edits with a debounce. The analysis runs in the analysis
 * worker, which keeps the texts and the parse of unchanged files: only changed texts are sent.
 * Hovers, lenses, the topology and the commands ask the worker (query()): only data crosses over,
 * and the extension host never simulates.
 */
export class WorkspaceModel implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  /** Sizes of files left unread because they are above kubeNetsim.maxFileBytes (the engine reports them). */
  private readonly sizes = new Map<string, number>();
  private readonly uris = new Map<string, vscode.Uri>();
  /** Paths changed or removed since the worker last got them. */
  private readonly unsent = new Set<string>();
  private readonly unsentRemovals = new Set<string>();
  /** The client epoch the worker's copy of the texts belongs to (-1: never sent). */
  private sentEpoch = -1;
  private timer: NodeJS.Timeout | undefined;
  private latest: AnalysisReport | undefined;
  private settingsText: string | undefined;
  private readonly changed = new vscode.EventEmitter<AnalysisReport>();
  readonly onDidAnalyze = this.changed.event;
  private readonly busyChanged = new vscode.EventEmitter<boolean>();
  /** Fires true when an analysis starts and false when the last one of a burst ends. */
  readonly onDidChangeAnalysing = this.busyChanged.event;
  /** Milliseconds the last analysis took in the worker, for the log and the benchmark. */
  lastDurationMs = 0;
  /** Milliseconds publishing the last analysis's diagnostics took on the extension host, for the benchmark. */
  lastPublishMs = 0;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly log: vscode.OutputChannel,
    private readonly client: AnalysisClient,
  ) {}

  /** The latest analysis's diagnostics and summary (undefined until the first one is done). */
  get report(): AnalysisReport | undefined {
    return this.latest;
  }

  private get key(): string {
    return this.folder.uri.toString();
  }

  /** Workspace-relative path, the name the engine and its messages use for a file. */
  relativePath(uri: vscode.Uri): string {
    return vscode.workspace.asRelativePath(uri, false);
  }

  uriOf(path: string): vscode.Uri | undefined {
    return this.uris.get(path);
  }

  contains(uri: vscode.Uri): boolean {
    return vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() === this.folder.uri.toString();
  }

  /** The exclude glob for findFiles: build outputs and the folder's files.exclude. */
  private excludeGlob(): string {
    const filesExclude = vscode.workspace.getConfiguration('files', this.folder.uri).get<Record<string, unknown>>('exclude') ?? {};
    const excluded = [
      ...ALWAYS_EXCLUDED,
      ...Object.entries(filesExclude)
        .filter(([, on]) => on === true)
        .map(([glob]) => glob),
    ];
    return `{${excluded.join(',')}}`;
  }

  /** Paths found by the last index (so, not excluded), and the verdicts on paths met since. */
  private readonly admitted = new Map<string, boolean>();
  /** Verdicts on paths met while an index runs: files created then are not in what it found. */
  private metWhileIndexing: Map<string, boolean> | undefined;

  /**
   * Reads every manifest of the folder, respecting files.exclude and skipping build outputs. Run
   * again when files.exclude changes: files it now excludes are dropped.
   */
  async index(): Promise<void> {
    const maxFiles = vscode.workspace.getConfiguration('kubeNetsim').get<number>('maxFiles', 20000);
    const met = new Map<string, boolean>();
    this.metWhileIndexing = met;
    let found: vscode.Uri[];
    try {
      found = await vscode.workspace.findFiles(new vscode.RelativePattern(this.folder, MANIFEST_GLOB), this.excludeGlob(), maxFiles);
    } finally {
      if (this.metWhileIndexing === met) this.metWhileIndexing = undefined;
    }
    this.admitted.clear();
    for (const uri of found) this.admitted.set(this.relativePath(uri), true);
    // A file created while the search ran is not in what it found, but was admitted (or not) when
    // its watcher event came: keep that verdict, or re-indexing drops a file just written.
    for (const [path, ok] of met) if (!this.admitted.has(path)) this.admitted.set(path, ok);
    for (const [path, uri] of [...this.uris]) if (!this.admitted.get(path)) this.remove(uri);
    await Promise.all(found.map((uri) => this.load(uri)));
    const settingsUri = vscode.Uri.joinPath(this.folder.uri, SETTINGS_FILE);
    try {
      this.settingsText = new TextDecoder().decode(await vscode.workspace.fs.readFile(settingsUri));
    } catch {
      this.settingsText = undefined;
    }
    // Unsaved text wins over disk, for the files the index admitted (an open excluded file stays out).
    for (const doc of vscode.workspace.textDocuments)
      if (this.accepts(doc.uri) && this.admitted.get(this.relativePath(doc.uri))) this.setText(doc.uri, doc.getText());
  }

  /** Whether a path could be a manifest of this folder (by name; files.exclude is `admits`). */
  accepts(uri: vscode.Uri): boolean {
    if (!this.contains(uri) || !/\.(ya?ml|json)$/i.test(uri.path)) return false;
    return !/\/(node_modules|\.git|dist|out|build|\.vscode-test)\//.test(uri.path);
  }

  /**
   * Whether a manifest of this folder is simulated: `accepts` it and files.exclude does not
   * exclude it. A file the index did not meet (created or opened since) is asked of VS Code's own
   * matcher, findFiles with the same exclude, once per path.
   */
  async admits(uri: vscode.Uri): Promise<boolean> {
    if (!this.accepts(uri)) return false;
    const path = this.relativePath(uri);
    const known = this.admitted.get(path);
    if (known !== undefined) return known;
    const hits = await vscode.workspace.findFiles(new vscode.RelativePattern(this.folder, globEscape(path)), this.excludeGlob(), 1);
    const ok = hits.some((u) => u.toString() === uri.toString());
    this.admitted.set(path, ok);
    this.metWhileIndexing?.set(path, ok);
    return ok;
  }

  isSettings(uri: vscode.Uri): boolean {
    return uri.toString() === vscode.Uri.joinPath(this.folder.uri, SETTINGS_FILE).toString();
  }

  private maxFileBytes(): number {
    return vscode.workspace.getConfiguration('kubeNetsim', this.folder.uri).get<number>('maxFileBytes', DEFAULT_LIMITS.maxFileBytes);
  }

  private async load(uri: vscode.Uri): Promise<void> {
    if (this.isSettings(uri)) return;
    try {
      // A file above the limit is not even read: a 2 GB log named .yaml must not fill the extension host.
      const { size } = await vscode.workspace.fs.stat(uri);
      if (size > this.maxFileBytes()) {
        this.setText(uri, '', size);
        return;
      }
      const bytes = await vscode.workspace.fs.readFile(uri);
      this.setText(uri, new TextDecoder().decode(bytes));
    } catch (err) {
      this.log.appendLine(`[index] cannot read ${uri.fsPath}: ${(err as Error).message}`);
    }
  }

  /** The text of a manifest (unsaved editor text included); `bytes` when the file was left unread as too large. */
  setText(uri: vscode.Uri, text: string, bytes?: number): void {
    if (this.isSettings(uri)) {
      this.settingsText = text;
      return;
    }
    const path = this.relativePath(uri);
    if (this.texts.get(path) === text && this.sizes.get(path) === bytes) return;
    this.texts.set(path, text);
    if (bytes === undefined) this.sizes.delete(path);
    else this.sizes.set(path, bytes);
    this.uris.set(path, uri);
    this.unsent.add(path);
    this.unsentRemovals.delete(path);
  }

  async reload(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) this.setText(uri, open.getText());
    else await this.load(uri);
    if (this.isSettings(uri)) await this.readSettings(uri);
  }

  private async readSettings(uri: vscode.Uri): Promise<void> {
    try {
      this.settingsText = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      this.settingsText = undefined;
    }
  }

  remove(uri: vscode.Uri): void {
    if (this.isSettings(uri)) {
      this.settingsText = undefined;
      return;
    }
    const path = this.relativePath(uri);
    this.texts.delete(path);
    this.sizes.delete(path);
    this.uris.delete(path);
    this.unsent.delete(path);
    this.unsentRemovals.add(path);
  }

  /**
   * Schedules a re-analysis; bursts of keystrokes collapse into one run. The debounce is short
   * because the analysis runs in the worker: typing never waits for it. While one analysis runs,
   * further edits collapse into one more run after it, so a slow analysis never queues up.
   */
  schedule(delayMs = 50): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) this.rerun = true;
      else void this.analyzeNow();
    }, delayMs);
  }

  private running = false;
  private rerun = false;

  /** Whether an analysis is scheduled or running (the benchmark waits for quiet before it edits). */
  get busy(): boolean {
    return this.running || this.timer !== undefined;
  }

  private inputFile(path: string, text: string): InputFile {
    const bytes = this.sizes.get(path);
    return bytes === undefined ? { path, text } : { path, text, bytes };
  }

  /** What analyzeWorkspace needs besides the texts, from the editor's settings and kube-netsim.yaml. */
  private analyzeOptions(): WorkerAnalyzeOptions {
    const { settings, diagnostics } = this.settings();
    const maxFileBytes = this.maxFileBytes();
    // The Kustomize overlay to simulate, relative to the folder (unset: every file as written).
    const overlay = vscode.workspace.getConfiguration('kubeNetsim', this.folder.uri).get<string>('kustomizeOverlay', '').trim();
    return {
      settings,
      settingsDiagnostics: diagnostics,
      limits: { ...DEFAULT_LIMITS, maxFileBytes },
      ...(overlay ? { kustomizeOverlay: overlay.replace(/^\.\/?|\/$/g, '') } : {}),
    };
  }

  /** Sends what changed to the analysis worker, waits for its analysis and announces it. */
  async analyzeNow(): Promise<AnalysisReport | undefined> {
    this.running = true;
    this.busyChanged.fire(true);
    try {
      return await this.analyzeOnce();
    } finally {
      this.running = false;
      if (this.rerun) {
        this.rerun = false;
        this.schedule(0);
      } else this.busyChanged.fire(false);
    }
  }

  private async analyzeOnce(): Promise<AnalysisReport | undefined> {
    const epoch = this.client.epoch;
    const reset = epoch !== this.sentEpoch;
    const changed = reset
      ? [...this.texts].map(([path, text]) => this.inputFile(path, text))
      : [...this.unsent].flatMap((path) => {
          const text = this.texts.get(path);
          return text === undefined ? [] : [this.inputFile(path, text)];
        });
    const removed = reset ? [] : [...this.unsentRemovals];
    this.unsent.clear();
    this.unsentRemovals.clear();
    this.sentEpoch = epoch;
    const options = this.analyzeOptions();
    try {
      const report = await this.client.request({ type: 'analyze', folder: this.key, reset, changed, removed, options });
      this.latest = report;
      this.lastDurationMs = report.durationMs;
      this.changed.fire(report);
    } catch (err) {
      // An engine bug must not take the editor down: log it and keep the previous result. When the
      // worker died, the epoch moved on and the next analysis sends every text again.
      this.log.appendLine(`[analyze] ${this.folder.name}: ${(err as Error).stack ?? String(err)}`);
      const notice = this.client.takeFailureNotice();
      if (notice) void vscode.window.showErrorMessage(`kube-netsim: ${notice}`);
      else if (this.client.epoch !== epoch) this.schedule(500);
    }
    return this.latest;
  }

  /**
   * Resolves once no analysis is scheduled or running (at most `timeoutMs`): navigation and
   * rename then answer from the text as it is, not as it was a keystroke ago.
   */
  settled(timeoutMs = 3000): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const sub = this.busyChanged.event((on) => {
        if (!on && !this.busy) done();
      });
    });
  }

  /** A hover from the worker's latest simulation. */
  hover(file: string, position: Position): Promise<QueryResult<'hover'> | undefined> {
    return this.query('hover', { file, position });
  }

  /** The code lenses of a file, from the worker's latest simulation. */
  async lenses(file: string): Promise<LensData[]> {
    return (await this.query('lenses', { file, folder: this.key })) ?? [];
  }

  /** Asks the worker's latest simulation of this folder; undefined until the worker has it. */
  query<N extends QueryName>(name: N, args: QueryArgs<N>): Promise<QueryResult<N> | undefined> {
    if (this.sentEpoch !== this.client.epoch) return Promise.resolve(undefined);
    return this.client.request({ type: 'query', folder: this.key, name, args });
  }

  /**
   * The cluster settings: the editor's kubeNetsim.* settings that the user set, then
   * kube-netsim.yaml on top (the file takes precedence key by key), then the view's switches.
   */
  private settings(): { settings: ClusterSettings; diagnostics: Diagnostic[] } {
    const config = vscode.workspace.getConfiguration('kubeNetsim', this.folder.uri);
    const fromEditor: Record<string, unknown> = {};
    for (const key of CLUSTER_KEYS) {
      const i = config.inspect(key);
      const value = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
      if (value !== undefined) fromEditor[key] = value;
    }
    // The editor's settings go through the same validation as the file (JSON is YAML).
    const editor = parseSettings('settings.json', JSON.stringify(fromEditor));
    for (const d of editor.diagnostics) this.log.appendLine(`[settings] kubeNetsim: ${d.message}`);
    const base =
      this.settingsText !== undefined
        ? parseSettings(SETTINGS_FILE, this.settingsText, editor.settings)
        : { settings: editor.settings, diagnostics: [] };
    Object.assign(base.settings, this.overrides);
    return base;
  }

  /** Switches from the topology view (CNI, kube-proxy mode) that re-simulate without editing files. */
  overrides: Partial<ClusterSettings> = {};

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
    this.busyChanged.dispose();
    void this.client.request({ type: 'forget', folder: this.key }).catch(() => undefined);
  }
}
