import { isRecord } from '../manifests/fields';
import type { FieldPath, SourceRange } from '../source';
import { clone, toManifestObject, type KResource, type Override } from './object';

/** What a strategic-merge patch could not apply; the caller turns it into a diagnostic at the patch. */
export interface PatchProblem {
  path: FieldPath;
  why: string;
}

/**
 * Lists that strategic merge merges item by item, by this key (the patchMergeKey of the Kubernetes
 * API types); every other list is replaced whole, as for the API's atomic lists.
 */
function mergeKey(path: FieldPath, kind: string): string | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (last) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'imagePullSecrets':
    case 'env':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'hostAliases':
      return 'ip';
    case 'ports':
      // A Service's ports merge by port; a container's by containerPort.
      return kind === 'Service' && parent === 'spec' && path.length === 2
        ? 'port'
        : typeof parent === 'number'
          ? 'containerPort'
          : undefined;
    default:
      return undefined;
  }
}

const DIRECTIVES = ['$setElementOrder', '$retainKeys', '$deleteFromPrimitiveList'];

/**
 * Applies one strategic-merge patch to a resource, the simple way kustomize does for the common
 * cases: maps merge key by key, `null` deletes, lists of containers/ports/env/volumes merge by
 * their key (patch items first, in patch order, then the others, as kubectl's merge orders them),
 * other lists are replaced. `patchLocate` points into the patch text for the fields it sets.
 */
export function applyStrategicMerge(
  target: KResource,
  patch: Record<string, unknown>,
  patchLocate: (p: FieldPath) => SourceRange,
): PatchProblem[] {
  const problems: PatchProblem[] = [];
  const kind = typeof target.raw['kind'] === 'string' ? target.raw['kind'] : '';
  const mergeMap = (dst: Record<string, unknown>, src: Record<string, unknown>, path: FieldPath, srcPath: FieldPath): void => {
    if (src['$patch'] === 'replace') {
      for (const k of Object.keys(dst)) delete dst[k];
      for (const [k, v] of Object.entries(src)) if (k !== '$patch') dst[k] = clone(v);
      target.overrides.push({ prefix: [...path], locate: (rest) => patchLocate([...srcPath, ...rest]) });
      return;
    }
    for (const [key, value] of Object.entries(src)) {
      if (key === '$patch') {
        if (value !== 'merge') problems.push({ path: [...srcPath, key], why: `$patch: ${String(value)} on a mapping` });
        continue;
      }
      if (DIRECTIVES.some((d) => key.startsWith(d))) {
        problems.push({ path: [...srcPath, key], why: `the ${key.split('/')[0]} directive` });
        continue;
      }
      const here = [...path, key];
      const there = [...srcPath, key];
      const current = dst[key];
      if (value === null) {
        delete dst[key];
      } else if (isRecord(value) && isRecord(current)) {
        mergeMap(current, value, here, there);
      } else if (Array.isArray(value) && Array.isArray(current) && mergeKey(here, kind) !== undefined) {
        dst[key] = mergeList(current, value, here, there, mergeKey(here, kind) ?? 'name');
      } else {
        dst[key] = stripDirectives(clone(value));
        target.overrides.push({ prefix: here, locate: (rest) => patchLocate([...there, ...rest]) });
      }
    }
  };

  const mergeList = (dst: unknown[], src: unknown[], path: FieldPath, srcPath: FieldPath, key: string): unknown[] => {
    const before = toManifestObject(target).locate;
    const keyOf = (item: unknown) => (isRecord(item) ? item[key] : undefined);
    const out: unknown[] = [];
    const used = new Set<number>();
    const pending: Array<() => void> = [];
    const added: Override[] = [];
    src.forEach((item, k) => {
      const itemKey = keyOf(item);
      const at = itemKey === undefined ? -1 : dst.findIndex((d, i) => !used.has(i) && keyOf(d) === itemKey);
      if (isRecord(item) && item['$patch'] === 'delete') {
        if (at >= 0) used.add(at);
        return;
      }
      if (isRecord(item) && at >= 0) {
        used.add(at);
        const merged = dst[at] as Record<string, unknown>;
        const j = out.length;
        out.push(merged);
        // The merged item keeps its old text for what the patch leaves alone; the patch's own fields
        // are recorded (more specifically) while merging below.
        added.push({ prefix: [...path, j], locate: (rest) => before([...path, at, ...rest]) });
        pending.push(() => mergeMap(merged, item, [...path, j], [...srcPath, k]));
      } else {
        const j = out.length;
        out.push(stripDirectives(clone(item)));
        added.push({ prefix: [...path, j], locate: (rest) => patchLocate([...srcPath, k, ...rest]) });
      }
    });
    dst.forEach((item, i) => {
      if (used.has(i)) return;
      const j = out.length;
      out.push(item);
      if (i !== j) added.push({ prefix: [...path, j], locate: (rest) => before([...path, i, ...rest]) });
    });
    // Overrides below this list named old indices; `before` still resolves them, so drop them.
    const depth = path.length;
    target.overrides = [...target.overrides.filter((o) => !(o.prefix.length > depth && path.every((p, i) => o.prefix[i] === p))), ...added];
    for (const run of pending) run();
    return out;
  };

  mergeMap(target.raw, patch, [], []);
  return problems;
}

function stripDirectives<T>(v: T): T {
  if (Array.isArray(v)) return v.filter((x) => !(isRecord(x) && x['$patch'] === 'delete')).map(stripDirectives) as T;
  if (isRecord(v)) {
    const map: Record<string, unknown> = v;
    for (const k of Object.keys(map)) {
      if (k === '$patch') delete map[k];
      else map[k] = stripDirectives(map[k]);
    }
  }
  return v;
}
