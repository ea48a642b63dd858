import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { indexFiles, kustomizeMissing, type InputFile, type RenderOptions } from '../engine';
import { UsageError } from './files';

const MANIFEST_RE = /\.(ya?ml|json)$/i;
const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Relative to the working directory even above it (`../base/x.yaml`), so that kustomize paths join up. */
function rel(abs: string): string {
  const r = relative(process.cwd(), abs).split(sep).join('/');
  return r === '' ? '' : r;
}

function hasKustomization(dir: string): boolean {
  return KUSTOMIZATION.some((n) => existsSync(join(dir, n)));
}

function readTree(abs: string, out: Map<string, InputFile>): void {
  const st = statSync(abs);
  if (st.isFile()) {
    if (!out.has(rel(abs))) out.set(rel(abs), { path: rel(abs), text: readFileSync(abs, 'utf8') });
    return;
  }
  for (const e of readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(abs, e.name);
    if (e.isDirectory()) readTree(p, out);
    else if (e.isFile() && (MANIFEST_RE.test(e.name) || KUSTOMIZATION.includes(e.name))) readTree(p, out);
  }
}

/**
 * What the CLI adds for Kustomize and Helm: the overlay to render (--kustomize DIR, or a single
 * PATH that is a kustomization), the files its bases and patches live in (read from disk until
 * nothing is missing), and `helm template` output for charts when --helm asks for it.
 */
export function renderInputs(
  paths: string[],
  files: InputFile[],
  opts: { kustomize?: string | undefined; helm?: boolean | undefined },
): { files: InputFile[]; options: RenderOptions } {
  const options: RenderOptions = {};
  let dir = opts.kustomize;
  if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory() && hasKustomization(dir))) {
    throw new UsageError(`--kustomize ${dir}: not a folder with kustomization.yaml`);
  }
  if (
    dir === undefined &&
    paths.length === 1 &&
    paths[0] !== undefined &&
    existsSync(paths[0]) &&
    statSync(paths[0]).isDirectory() &&
    hasKustomization(paths[0])
  )
    dir = paths[0];
  let out = files;
  if (dir !== undefined) {
    // One naming for every file (relative, `..` allowed), so that `../../base` resolves.
    const byPath = new Map(
      files.map((f) => [isAbsolute(f.path) ? rel(f.path) : f.path, { ...f, path: isAbsolute(f.path) ? rel(f.path) : f.path }]),
    );
    const overlay = rel(resolve(dir));
    const tried = new Set<string>();
    for (;;) {
      const missing = kustomizeMissing(overlay, indexFiles([...byPath.values()])).filter((m) => !tried.has(m));
      if (missing.length === 0) break;
      for (const m of missing) {
        tried.add(m);
        const abs = resolve(m);
        if (existsSync(abs)) readTree(abs, byPath);
      }
    }
    out = [...byPath.values()];
    options.kustomizeOverlay = overlay;
  }
  if (opts.helm) options.helm = renderCharts(out);
  return { files: out, options };
}

function renderCharts(files: InputFile[]): NonNullable<RenderOptions['helm']> {
  const charts = files.filter((f) => /(^|\/)Chart\.ya?ml$/.test(f.path)).map((f) => f.path.replace(/\/?Chart\.ya?ml$/, ''));
  const result: NonNullable<RenderOptions['helm']> = {};
  for (const dir of charts) {
    const r = spawnSync('helm', ['template', resolve(dir || '.')], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.error)
      result[dir] = {
        error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'helm is not on PATH' : `helm could not run: ${r.error.message}`,
      };
    else if (r.status !== 0) result[dir] = { error: `helm template failed: ${(r.stderr || '').trim().split('\n')[0] ?? ''}` };
    else result[dir] = { rendered: { path: `${dir ? `${dir}/` : ''}(helm template)`, text: r.stdout } };
  }
  return result;
}
