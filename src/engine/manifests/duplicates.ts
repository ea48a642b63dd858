// Objects defined more than once (same group, kind, namespace and name) in the workspace. In the
// cluster only one of them exists: the one `kubectl apply` writes last, since each apply of the same
// object replaces what the one before wrote. So the engine keeps that one alone, everywhere (DNS,
// endpoints, policies, topology), and reports the others as the ones that lose.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from './fields';
import { namespaceOf } from './kinds';
import type { ManifestObject } from './types';

/**
 * The order in which `kubectl apply -f DIR` reads files: it walks each folder's entries sorted by
 * name (Go's filepath.Walk), so a folder's files come before a sibling whose name its name
 * prefixes (`app/x.yaml` before `app.yaml`), which a plain string sort of whole paths inverts
 * ('.' sorts before '/'). Comparing path segment by segment gives the walk's order.
 */
export function compareApplyOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p !== q) {
      // A folder and a file of the same level: the walk descends into the folder when its name sorts first.
      return p < q ? -1 : 1;
    }
  }
  return x.length - y.length;
}

function identity(o: ManifestObject): string | undefined {
  // Once per object (a ParseCache keeps unchanged ones): every analysis asks for every object, twice.
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = spellIdentity(o) ?? null));
  return id ?? undefined;
}

const identities = new WeakMap<ManifestObject, string | null>();

function spellIdentity(o: ManifestObject): string | undefined {
  // An object without a name (generateName, or a custom resource its tool names) is never the same as another.
  if (o.name === '') return undefined;
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${namespaceOf(o) ?? ''}/${o.name}`;
}

/**
 * The objects that exist once every file is applied in order: of the objects sharing a group, kind,
 * namespace and name, only the last (in `objects`' order, which is kubectl's apply order) is kept;
 * each other one gets a duplicate-resource at its name, naming the one that wins.
 */
export function resolveDuplicates(objects: ManifestObject[], diagnostics: Diagnostic[]): ManifestObject[] {
  const last = new Map<string, ManifestObject>();
  for (const o of objects) {
    const key = identity(o);
    if (key !== undefined) last.set(key, o);
  }
  if (last.size === objects.length) return objects;
  const kept: ManifestObject[] = [];
  for (const o of objects) {
    const key = identity(o);
    const winner = key === undefined ? o : last.get(key);
    if (winner === o || winner === undefined) {
      kept.push(o);
      continue;
    }
    const where = winner.locate(['metadata', 'name']);
    const resource = resourceName({ kind: o.kind, namespace: namespaceOf(o), name: o.name });
    diagnostics.push(
      makeDiagnostic('duplicate-resource', o.locate(['metadata', 'name']), { resource, other: `${where.file}:${where.line}` }, resource, [
        { message: 'applied after this one: this definition is the one that exists', location: where },
      ]),
    );
  }
  return kept;
}
