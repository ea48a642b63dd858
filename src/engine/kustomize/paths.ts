import { load, CORE_SCHEMA } from 'js-yaml';
import { isRecord } from '../manifests/fields';
import { type InputFile } from '../manifests/types';

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The input files by path, and every folder that holds one (paths in the files' own naming, `/`-separated). */
export interface FileIndex {
  byPath: Map<string, InputFile>;
  dirs: Set<string>;
}

export function indexFiles(files: InputFile[]): FileIndex {
  const byPath = new Map<string, InputFile>();
  const dirs = new Set<string>();
  for (const f of files) {
    const p = normalize(f.path);
    byPath.set(p, f);
    for (let d = dirnameOf(p); ; d = dirnameOf(d)) {
      if (dirs.has(d)) break;
      dirs.add(d);
      if (d === '' || d === '/' || d === '..' || d.endsWith('/..')) break;
    }
  }
  return { byPath, dirs };
}

/** `a/b/../c/./d` → `a/c/d`; leading `..` are kept (paths relative to somewhere above). `''` is the root of relative paths. */
export function normalize(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg === '..' && absolute) continue;
    else out.push(seg);
  }
  return (absolute ? '/' : '') + out.join('/');
}

export function joinPath(dir: string, rel: string): string {
  return normalize(rel.startsWith('/') ? rel : dir === '' || dir === '.' ? rel : `${dir}/${rel}`);
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '';
  return i === 0 ? '/' : path.slice(0, i);
}

export function kustomizationIn(dir: string, files: FileIndex): InputFile | undefined {
  for (const name of KUSTOMIZATION_NAMES) {
    const f = files.byPath.get(joinPath(dir, name));
    if (f) return f;
  }
  return undefined;
}

function quickLoad(text: string): Record<string, unknown> | undefined {
  try {
    const v = load(text, { schema: CORE_SCHEMA });
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function entries(k: Record<string, unknown>, field: string): string[] {
  const v = k[field];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Paths of the patch files a kustomization names (they are partial objects, never simulated as they are). */
function patchPaths(k: Record<string, unknown>): string[] {
  const out = entries(k, 'patchesStrategicMerge').filter((e) => !e.includes('\n'));
  for (const p of Array.isArray(k['patches']) ? k['patches'] : []) if (isRecord(p) && typeof p['path'] === 'string') out.push(p['path']);
  for (const p of Array.isArray(k['patchesJson6902']) ? k['patchesJson6902'] : [])
    if (isRecord(p) && typeof p['path'] === 'string') out.push(p['path']);
  return out;
}

const PLAIN = new Set(['apiVersion', 'kind', 'metadata', 'resources', 'bases', 'sortOptions', 'buildMetadata']);
const REMOTE = /^[a-z]+:\/\/|^git@|^github\.com\/|\?ref=/;

/**
 * The kustomizations among the files: every folder with one, those no other kustomization names
 * (the overlays a user would select), and the patch files they name.
 */
export function kustomizeDirs(files: FileIndex): { all: string[]; topLevel: string[]; patchFiles: Set<string>; transforms: boolean } {
  const all: string[] = [];
  let transforms = false;
  const referenced = new Set<string>();
  const patchFiles = new Set<string>();
  for (const dir of [...files.dirs].sort()) {
    const kfile = kustomizationIn(dir, files);
    if (!kfile) continue;
    all.push(dir);
    const k = quickLoad(kfile.text) ?? {};
    // A kustomization that only lists files renders to those files as they are.
    if (Object.keys(k).some((key) => !PLAIN.has(key))) transforms = true;
    for (const e of [...entries(k, 'resources'), ...entries(k, 'bases'), ...entries(k, 'components')])
      if (!REMOTE.test(e)) referenced.add(joinPath(dir, e));
    for (const p of patchPaths(k)) patchFiles.add(joinPath(dir, p));
  }
  return { all, topLevel: all.filter((d) => !referenced.has(d)), patchFiles, transforms };
}

/**
 * What the overlay in `dir` names (folders of bases, resource and patch files) that the files do not
 * hold: a host reads those from disk and hands them over too, until nothing is missing.
 */
export function kustomizeMissing(dir: string, files: FileIndex): string[] {
  const missing = new Set<string>();
  const seen = new Set<string>();
  const visit = (at: string) => {
    if (seen.has(at)) return;
    seen.add(at);
    const kfile = kustomizationIn(at, files);
    if (!kfile) {
      missing.add(at);
      return;
    }
    const k = quickLoad(kfile.text) ?? {};
    for (const e of [...entries(k, 'resources'), ...entries(k, 'bases')]) {
      if (REMOTE.test(e)) continue;
      const p = joinPath(at, e);
      if (files.byPath.has(p)) continue;
      if (files.dirs.has(p)) visit(p);
      else missing.add(p);
    }
    for (const e of patchPaths(k)) if (!files.byPath.has(joinPath(at, e))) missing.add(joinPath(at, e));
  };
  visit(normalize(dir));
  return [...missing].sort();
}
