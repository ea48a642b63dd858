import type { FieldPath, SourceRange } from '../source';
import { isRecord } from '../manifests/fields';
import { type ManifestObject } from '../manifests/types';

/** Points a rendered field back at the text it came from (a base file, a patch, the kustomization). */
export interface Override {
  /** The rendered object's path this override covers (and everything below it). */
  prefix: FieldPath;
  locate: (rest: FieldPath) => SourceRange;
}

/**
 * A resource while a kustomization renders it: its current YAML value (a private deep copy that
 * transformers edit in place), the object it was read from, and where transformed fields came from,
 * so that every diagnostic on the rendered object still points into a real file.
 */
export interface KResource {
  raw: Record<string, unknown>;
  source: ManifestObject;
  overrides: Override[];
  /** kind/name as the resource was first read, for references renamed by namePrefix/nameSuffix. */
  originalName: string;
}

export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out as T;
  }
  return v;
}

export function resourceFrom(o: ManifestObject): KResource {
  return { raw: clone(o.raw), source: o, overrides: [], originalName: o.name };
}

export function kindOf(r: KResource): string {
  return typeof r.raw['kind'] === 'string' ? r.raw['kind'] : '';
}

export function apiVersionOf(r: KResource): string {
  return typeof r.raw['apiVersion'] === 'string' ? r.raw['apiVersion'] : '';
}

export function metadata(r: KResource): Record<string, unknown> {
  if (!isRecord(r.raw['metadata'])) r.raw['metadata'] = {};
  return r.raw['metadata'] as Record<string, unknown>;
}

export function nameOf(r: KResource): string {
  const n = metadata(r)['name'];
  return typeof n === 'string' ? n : '';
}

export function namespaceOfResource(r: KResource): string | undefined {
  const n = metadata(r)['namespace'];
  return typeof n === 'string' ? n : undefined;
}

/** Records that the field at `prefix` (and below) now comes from another place. */
export function override(r: KResource, prefix: FieldPath, locate: (rest: FieldPath) => SourceRange): void {
  r.overrides.push({ prefix: [...prefix], locate });
}

function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

function valueAt(raw: unknown, path: FieldPath): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (Array.isArray(v) && typeof p === 'number') v = v[p];
    else if (isRecord(v) && typeof p === 'string') v = v[p];
    else return undefined;
  }
  return v;
}

/** The rendered resource as the rest of the engine sees any manifest object. */
export function toManifestObject(r: KResource): ManifestObject {
  const raw = r.raw;
  const md = isRecord(raw['metadata']) ? raw['metadata'] : {};
  const overrides = [...r.overrides];
  return {
    file: r.source.file,
    apiVersion: typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : r.source.apiVersion,
    kind: typeof raw['kind'] === 'string' ? raw['kind'] : r.source.kind,
    name: typeof md['name'] === 'string' ? md['name'] : r.source.name,
    namespace: typeof md['namespace'] === 'string' ? md['namespace'] : undefined,
    raw,
    locate(path: FieldPath): SourceRange {
      // The longest (then the latest) override covering the path decides; else the source object.
      let best: Override | undefined;
      for (const o of overrides) if (startsWith(path, o.prefix) && (!best || o.prefix.length >= best.prefix.length)) best = o;
      return best ? best.locate(path.slice(best.prefix.length)) : r.source.locate(path);
    },
    has(path: FieldPath): boolean {
      return valueAt(raw, path) !== undefined;
    },
  };
}
