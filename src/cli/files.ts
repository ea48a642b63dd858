import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep, dirname } from 'node:path';
import { renderInputs } from './render';
import { analyzeWorkspace, parseSettings, defaultSettings, type Analysis, type ClusterSettings, type Diagnostic, type InputFile } from '../engine';

/** A user error: printed as one line on stderr, exit status 2. */
export class UsageError extends Error {}

const MANIFEST_RE = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'build', '.vscode-test']);
export const SETTINGS_FILE = 'kube-netsim.yaml';

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return (rel === '' || rel.startsWith('..') ? path : rel).split(sep).join('/');
}

/** Reads the manifests under the given paths (files or folders, searched recursively), sorted for determinism. */
export function readInputs(paths: string[]): { files: InputFile[]; roots: string[] } {
  if (paths.length === 0) throw new UsageError('no PATH given: name the manifest files or folders to analyse');
  const found: string[] = [];
  const roots: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or folder`);
    const st = statSync(abs);
    if (st.isDirectory()) {
      roots.push(abs);
      walk(abs, found);
    } else {
      roots.push(dirname(abs));
      found.push(abs);
    }
  }
  const unique = [...new Set(found)].sort();
  const files: InputFile[] = [];
  for (const abs of unique) {
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      throw new UsageError(`${display(abs)}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    files.push({ path: display(abs), text });
  }
  return { files, roots };
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(join(dir, e.name), out);
    } else if (e.isFile() && MANIFEST_RE.test(e.name) && e.name !== SETTINGS_FILE) {
      out.push(join(dir, e.name));
    }
  }
}

/** Cluster settings from --cluster FILE, else kube-netsim.yaml at the first root, else the defaults. */
export function readSettings(clusterFile: string | undefined, roots: string[]): { settings: ClusterSettings; diagnostics: Diagnostic[] } {
  let path = clusterFile ? resolve(clusterFile) : undefined;
  if (path && !existsSync(path)) throw new UsageError(`--cluster ${clusterFile}: no such file`);
  if (!path) {
    const candidate = roots.map((r) => join(r, SETTINGS_FILE)).find((p) => existsSync(p));
    path = candidate;
  }
  if (!path) return { settings: defaultSettings(), diagnostics: [] };
  return parseSettings(display(path), readFileSync(path, 'utf8'));
}

/** Reads the paths and the settings, and runs the simulation: what every command starts with. */
export function simulate(paths: string[], opts: SimulateOptions): Analysis {
  const { files, roots } = readInputs(paths);
  const { settings, diagnostics } = readSettings(opts.cluster, roots);
  const rendered = renderInputs(paths, files, opts);
  return analyzeWorkspace(rendered.files, { settings, settingsDiagnostics: diagnostics, ...rendered.options });
}

/** --cluster, and the Kustomize/Helm choices (see render.ts). */
export interface SimulateOptions {
  cluster?: string | undefined;
  kustomize?: string | undefined;
  helm?: boolean | undefined;
}

