import { readdirSync, readFileSync, statSync, existsSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep, dirname } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import ignore, { type Ignore } from 'ignore';
import { renderInputs } from './render';
import {
  analyzeWorkspace,
  parseSettings,
  defaultSettings,
  DEFAULT_LIMITS,
  type Analysis,
  type AnalyzeOptions,
  type ClusterSettings,
  type Diagnostic,
  type InputFile,
} from '../engine';

/** A user error: printed as one line on stderr, exit status 2. */
export class UsageError extends Error {}

const MANIFEST_RE = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'build', '.vscode-test']);
export const SETTINGS_FILE = 'kube-netsim.yaml';

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return (rel === '' || rel.startsWith('..') ? path : rel).split(sep).join('/');
}

/** The reason of a failed file-system call, for a one-line message (`EACCES`, `EISDIR`, ...). */
function reason(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? String(err);
}

function stat(abs: string, shown: string): Stats {
  try {
    return statSync(abs);
  } catch (err) {
    throw new UsageError(`${shown}: cannot read (${reason(err)})`);
  }
}

/**
 * Reads the manifests under the given paths (files or folders, searched recursively), sorted for
 * determinism. A file above `maxFileBytes` is not read at all: the engine reports it as skipped.
 * `exclude` holds gitignore-style patterns matched against paths relative to each folder PATH
 * (`legacy/`, `*.generated.yaml`, `/top-only.yaml`, `!keep.yaml`); a file named as a PATH is always read.
 */
export function readInputs(
  paths: string[],
  maxFileBytes = DEFAULT_LIMITS.maxFileBytes,
  exclude: readonly string[] = [],
): { files: InputFile[]; roots: string[] } {
  if (paths.length === 0) throw new UsageError('no PATH given: name the manifest files or folders to analyse');
  const found: string[] = [];
  const roots: string[] = [];
  const excluded = exclude.length > 0 ? ignore().add([...exclude]) : undefined;
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or folder`);
    const st = stat(abs, p);
    if (st.isDirectory()) {
      roots.push(abs);
      walk(abs, found, abs, excluded);
    } else if (st.isFile()) {
      roots.push(dirname(abs));
      found.push(abs);
    } else throw new UsageError(`${p}: not a file or folder (a device, socket or pipe cannot be analysed)`);
  }
  const unique = [...new Set(found)].sort();
  const files: InputFile[] = [];
  for (const abs of unique) {
    const size = stat(abs, display(abs)).size;
    if (size > maxFileBytes) {
      files.push({ path: display(abs), text: '', bytes: size });
      continue;
    }
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      throw new UsageError(`${display(abs)}: cannot read (${reason(err)})`);
    }
    files.push({ path: display(abs), text });
  }
  return { files, roots };
}

function walk(dir: string, out: string[], root: string, excluded: Ignore | undefined): void {
  let listed;
  try {
    listed = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new UsageError(`${display(dir)}: cannot read the folder (${reason(err)})`);
  }
  const entries = listed.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const abs = join(dir, e.name);
    // Relative to the PATH, with forward slashes and a trailing one for folders, as .gitignore matching wants.
    const rel = relative(root, abs).split(sep).join('/');
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.') && !excluded?.ignores(`${rel}/`)) walk(abs, out, root, excluded);
    } else if (e.isFile() && MANIFEST_RE.test(e.name) && e.name !== SETTINGS_FILE && !excluded?.ignores(rel)) {
      out.push(abs);
    }
  }
}

/** Cluster settings from --cluster FILE, else kube-netsim.yaml at the first root, else the defaults. */
export function readSettings(clusterFile: string | undefined, roots: string[]): { settings: ClusterSettings; diagnostics: Diagnostic[] } {
  let path = clusterFile ? resolve(clusterFile) : undefined;
  if (path && !existsSync(path)) throw new UsageError(`--cluster ${clusterFile}: no such file`);
  if (path && stat(path, `--cluster ${clusterFile}`).isDirectory())
    throw new UsageError(`--cluster ${clusterFile}: is a folder; name the settings file (kube-netsim.yaml)`);
  if (!path) {
    const candidate = roots.map((r) => join(r, SETTINGS_FILE)).find((p) => existsSync(p));
    path = candidate;
  }
  if (!path) return { settings: defaultSettings(), diagnostics: [] };
  const shown = clusterFile ? `--cluster ${clusterFile}` : display(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${shown}: cannot read (${reason(err)})`);
  }
  if (text.includes('\u0000')) throw new UsageError(`${shown}: not a settings file (it is binary)`);
  const parsed = parseSettings(display(path), text);
  // A --cluster file that is not YAML at all is a usage error (the run would silently use the
  // defaults); bad keys and values in it are diagnostics like any other.
  const broken = clusterFile ? parsed.diagnostics.find((d) => d.code === 'yaml-syntax' || d.code === 'yaml-limit') : undefined;
  if (broken) throw new UsageError(`${shown}: line ${broken.range.line}, column ${broken.range.column}: ${broken.message}`);
  return parsed;
}

/** Parses --max-file-bytes: a byte count, or with a K or M suffix (1024-based). */
export function parseBytes(value: string): number {
  const m = /^(\d+)\s*([kKmM]i?[bB]?)?$/.exec(value.trim());
  const n = m ? Number(m[1]) * (m[2] ? (m[2][0]?.toLowerCase() === 'k' ? 1024 : 1024 * 1024) : 1) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Give a size in bytes, such as 4194304, 512K or 8M.');
  return n;
}

/** --max-file-bytes, shared by every command that reads manifests. */
export function maxFileBytesOption(): Option {
  return new Option(
    '--max-file-bytes <size>',
    `skip manifest files larger than this (bytes, or with K/M; default ${DEFAULT_LIMITS.maxFileBytes / 1024 / 1024}M)`,
  ).argParser(parseBytes);
}

/** --exclude GLOB, repeatable, shared by every command that reads manifests. */
export function excludeOption(): Option {
  return new Option(
    '--exclude <glob>',
    'leave out files and folders matching this gitignore-style pattern, relative to each folder PATH (repeatable)',
  )
    .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .default([], 'none');
}

/** Adds --max-file-bytes and --exclude to a command. */
export function addInputOptions(cmd: Command): Command {
  return cmd.addOption(maxFileBytesOption()).addOption(excludeOption());
}

/** Reads the paths and the settings, and runs the simulation: what every command starts with. */
export function simulate(paths: string[], opts: SimulateOptions, extra: Pick<AnalyzeOptions, 'checks'> = {}): Analysis {
  const { files, options } = simulationInputs(paths, opts);
  return analyzeWorkspace(files, { ...options, ...extra });
}

/** The files and analysis options `simulate` runs on (for commands that analyse them more than once). */
export function simulationInputs(paths: string[], opts: SimulateOptions): { files: InputFile[]; options: AnalyzeOptions } {
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const { files, roots } = readInputs(paths, maxFileBytes, opts.exclude ?? []);
  const { settings, diagnostics } = readSettings(opts.cluster, roots);
  const rendered = renderInputs(paths, files, opts);
  return {
    files: rendered.files,
    options: { settings, settingsDiagnostics: diagnostics, limits: { ...DEFAULT_LIMITS, maxFileBytes }, ...rendered.options },
  };
}

/** --cluster, and the Kustomize/Helm choices (see render.ts). */
export interface SimulateOptions {
  cluster?: string | undefined;
  kustomize?: string | undefined;
  helm?: boolean | undefined;
  maxFileBytes?: number | undefined;
  exclude?: string[] | undefined;
}
