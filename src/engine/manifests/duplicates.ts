// Objects defined more than once (same group, kind, namespace and name) in the workspace.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from './fields';
import { namespaceOf } from './kinds';
import type { ManifestObject } from './types';

/** Reports every object that repeats an earlier one's group, kind, namespace and name, pointing at the first. */
export function reportDuplicates(objects: ManifestObject[], diagnostics: Diagnostic[]): void {
  const seen = new Map<string, ManifestObject>();
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    const key = `${group}/${o.kind}/${namespaceOf(o) ?? ''}/${o.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, o);
      continue;
    }
    const where = first.locate(['metadata', 'name']);
    diagnostics.push(
      makeDiagnostic(
        'duplicate-resource',
        o.locate(['metadata', 'name']),
        { resource: resourceName({ kind: o.kind, namespace: namespaceOf(o), name: o.name }), other: `${where.file}:${where.line}` },
        resourceName({ kind: o.kind, namespace: namespaceOf(o), name: o.name }),
        [{ message: 'first defined here', location: where }],
      ),
    );
  }
}
