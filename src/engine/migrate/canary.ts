// The migration's side of ingress-nginx canaries: ingress/canary.ts reads them as the controller
// merges them; here they become HTTPRoute rules (weighted backendRefs, Exact header matches) and
// the ReferenceGrants a canary in another namespace needs.
import type { IngressModel, IngressPath } from '../ingress/model';
import { readCanaries, type Canary, type MigrationNote } from '../ingress/canary';

export { NGINX, annotations, isCanary, canaryShares, type Canary, type MigrationNote } from '../ingress/canary';

/** Each main Ingress path's canary, as ingress-nginx merges them; what the routes cannot say alike is a note. */
export function canaries(model: IngressModel, notes: MigrationNote[]): Map<IngressPath, Canary> {
  return readCanaries(model.ingresses, notes);
}

/** The rules a main path with a canary becomes: header rules first (for reading; a header match outranks none anyway), then the weighted one. */
export function canaryRules(
  c: Canary,
  match: Record<string, unknown>,
  mainRef: Record<string, unknown>,
  filters: Array<Record<string, unknown>>,
): Array<Record<string, unknown>> {
  const f = filters.length > 0 ? { filters } : {};
  const rule = (value: string, ref: Record<string, unknown>) => ({
    matches: [{ ...match, headers: [{ type: 'Exact', name: c.header?.name, value }] }],
    ...f,
    backendRefs: [ref],
  });
  const out: Array<Record<string, unknown>> = [];
  if (c.header) {
    if (c.header.value !== undefined) out.push(rule(c.header.value, c.backendRef));
    else out.push(rule('always', c.backendRef), rule('never', mainRef));
  }
  const weighted =
    c.weight <= 0
      ? [mainRef]
      : c.weight >= c.total
        ? [c.backendRef]
        : [
            { ...mainRef, weight: c.total - c.weight },
            { ...c.backendRef, weight: c.weight },
          ];
  out.push({ matches: [match], ...f, backendRefs: weighted });
  return out;
}

/** The ReferenceGrants the routes need for canaries in another namespace than their main Ingress. */
export function canaryGrants(used: Iterable<Canary>): Array<Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const c of used) {
    if (c.mainNamespace === c.ingress.namespace) continue;
    const name = c.service.split('/')[1] ?? '';
    const key = `${c.ingress.namespace}/${c.mainNamespace}/${name}`;
    if (out.has(key)) continue;
    out.set(key, {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: `from-${c.mainNamespace}-to-${name}`.slice(0, 63), namespace: c.ingress.namespace },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: c.mainNamespace }],
        to: [{ group: '', kind: 'Service', name }],
      },
    });
  }
  return [...out.values()];
}
