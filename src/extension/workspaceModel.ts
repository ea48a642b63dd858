import * as vscode from 'vscode';
import { analyzeWorkspace, parseSettings, ParseCache, DEFAULT_LIMITS, type Analysis, type ClusterSettings, type Diagnostic, type InputFile } from '../engine';

const MANIFEST_GLOB = '**/*.{yaml,yml,json}';
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/out/**', '**/build/**', '**/.vscode-test/**'];
export const SETTINGS_FILE = 'kube-netsim.yaml';
const CLUSTER_KEYS = ['cni', 'encapsulation', 'kubeProxyMode', 'clusterDomain', 'podCIDR', 'serviceCIDR', 'nodePortRange', 'loadBalancerPool', 'nodes'];

/**
 * One workspace folder's simulated cluster. Holds the text of every manifest (unsaved editor text
 * wins over disk), re-analyses after edits with a debounce, and reuses the parse of unchanged files.
 */
export class WorkspaceModel implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  /** Sizes of files left unread because they are above kubeNetsim.maxFileBytes (the engine reports them). */
  private readonly sizes = new Map<string, number>();
  private readonly uris = new Map<string, vscode.Uri>();
  private readonly cache = new ParseCache();
  private timer: NodeJS.Timeout | undefined;
  private current: Analysis | undefined;
  private settingsText: string | undefined;
  private readonly changed = new vscode.EventEmitter<Analysis>();
  readonly onDidAnalyze = this.changed.event;
  /** Milliseconds the last analysis took, for the status bar and the benchmark. */
  lastDurationMs = 0;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly log: vscode.OutputChannel,
  ) {}

  get analysis(): Analysis | undefined {
    return this.current;
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

  /** Reads every manifest of the folder, respecting files.exclude and skipping build outputs. */
  async index(): Promise<void> {
    const filesExclude = vscode.workspace.getConfiguration('files', this.folder.uri).get<Record<string, boolean>>('exclude') ?? {};
    const excluded = [...ALWAYS_EXCLUDED, ...Object.entries(filesExclude).filter(([, on]) => on).map(([glob]) => glob)];
    const exclude = `{${excluded.join(',')}}`;
    const maxFiles = vscode.workspace.getConfiguration('kubeNetsim').get<number>('maxFiles', 20000);
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(this.folder, MANIFEST_GLOB), exclude, maxFiles);
    await Promise.all(found.map((uri) => this.load(uri)));
    const settingsUri = vscode.Uri.joinPath(this.folder.uri, SETTINGS_FILE);
    try {
      this.settingsText = new TextDecoder().decode(await vscode.workspace.fs.readFile(settingsUri));
    } catch {
      this.settingsText = undefined;
    }
    for (const doc of vscode.workspace.textDocuments) if (this.accepts(doc.uri)) this.setText(doc.uri, doc.getText());
  }

  accepts(uri: vscode.Uri): boolean {
    if (!this.contains(uri) || !/\.(ya?ml|json)$/i.test(uri.path)) return false;
    return !/\/(node_modules|\.git|dist|out|build|\.vscode-test)\//.test(uri.path);
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
    this.texts.set(path, text);
    if (bytes === undefined) this.sizes.delete(path);
    else this.sizes.set(path, bytes);
    this.uris.set(path, uri);
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
    this.cache.forget(path);
  }

  /** Schedules a re-analysis; bursts of keystrokes collapse into one run. */
  schedule(delayMs = 150): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.analyzeNow();
    }, delayMs);
  }

  analyzeNow(): Analysis | undefined {
    const started = Date.now();
    try {
      const files: InputFile[] = [...this.texts].map(([path, text]) => {
        const bytes = this.sizes.get(path);
        return bytes === undefined ? { path, text } : { path, text, bytes };
      });
      const { settings, diagnostics } = this.settings();
      const maxFileBytes = this.maxFileBytes();
      // The Kustomize overlay to simulate, relative to the folder (unset: every file as written).
      const overlay = vscode.workspace.getConfiguration('kubeNetsim', this.folder.uri).get<string>('kustomizeOverlay', '').trim();
      this.current = analyzeWorkspace(files, { settings, settingsDiagnostics: diagnostics, cache: this.cache, limits: { ...DEFAULT_LIMITS, maxFileBytes }, ...(overlay ? { kustomizeOverlay: overlay.replace(/^\.\/?|\/$/g, '') } : {}) });
      this.lastDurationMs = Date.now() - started;
      this.changed.fire(this.current);
    } catch (err) {
      // An engine bug must not take the editor down: log it once and keep the previous result.
      this.log.appendLine(`[analyze] ${this.folder.name}: internal error: ${(err as Error).stack ?? String(err)}`);
    }
    return this.current;
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
    const base = this.settingsText !== undefined ? parseSettings(SETTINGS_FILE, this.settingsText, editor.settings) : { settings: editor.settings, diagnostics: [] };
    Object.assign(base.settings, this.overrides);
    return base;
  }

  /** Switches from the topology view (CNI, kube-proxy mode) that re-simulate without editing files. */
  overrides: Partial<ClusterSettings> = {};

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}
