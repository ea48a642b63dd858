// ingress-nginx's canary Ingresses, as the controller reads them: an Ingress annotated
// `canary: "true"` never routes by itself; each of its paths is merged into the location of the
// main Ingress with the same host, path and pathType, where it takes a share of the requests
// (canary-weight of canary-weight-total, default 100) and, with canary-by-header, the requests
// whose header asks for it (the value of canary-by-header-value, else "always"; "never" keeps a
// request on the main backend). HTTPRoute says the same with weighted backendRefs and rules with
// an Exact header match; a cookie or a header pattern it cannot say alike, so those stay notes.
import type { IngressModel, IngressPath, SimIngress } from '../ingress/model';
import { isRecord } from '../manifests/fields';

export const NGINX = 'nginx.ingress.kubernetes.io/';

export interface MigrationNote {
  ingress: string;
  message: string;
}

/** A canary merged into one path of a main Ingress. */
export interface Canary {
  ingress: SimIngress;
  /** The namespace of the main Ingress, where its HTTPRoute is. */
  mainNamespace: string;
  /** The canary's backend Service (in the canary Ingress's namespace) and port. */
  service: string;
  backendRef: Record<string, unknown>;
  /** canary-weight, clamped to 0..total. */
  weight: number;
  total: number;
  /** canary-by-header: its name, and canary-by-header-value (undefined: "always"/"never" decide). */
  header: { name: string; value: string | undefined } | undefined;
}

export function annotations(ing: SimIngress): Record<string, string> {
  if (ing.origin.kind !== 'manifest') return {};
  const meta = ing.origin.object.raw['metadata'];
  const ann = isRecord(meta) ? meta['annotations'] : undefined;
  const out: Record<string, string> = {};
  if (isRecord(ann)) for (const [k, v] of Object.entries(ann)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function isCanary(ing: SimIngress): boolean {
  return annotations(ing)[`${NGINX}canary`] === 'true';
}

function count(text: string | undefined, fallback: number): number {
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** Each main Ingress path's canary, found as ingress-nginx merges them; what it cannot merge or say alike is a note. */
export function canaries(model: IngressModel, notes: MigrationNote[]): Map<IngressPath, Canary> {
  const out = new Map<IngressPath, Canary>();
  const mains = model.ingresses.filter((i) => i.origin.kind === 'manifest' && !isCanary(i));
  for (const ing of model.ingresses) {
    if (ing.origin.kind !== 'manifest' || !isCanary(ing)) continue;
    const id = `${ing.namespace}/${ing.name}`;
    const ann = annotations(ing);
    const total = Math.max(1, count(ann[`${NGINX}canary-weight-total`], 100));
    const weight = Math.min(total, count(ann[`${NGINX}canary-weight`], 0));
    const name = ann[`${NGINX}canary-by-header`];
    const header = name ? { name, value: ann[`${NGINX}canary-by-header-value`] } : undefined;
    if (ann[`${NGINX}canary-by-cookie`] !== undefined)
      notes.push({
        ingress: id,
        message: 'canary-by-cookie: an HTTPRoute cannot match a cookie; requests with the cookie are not sent to the canary',
      });
    if (ann[`${NGINX}canary-by-header-pattern`] !== undefined && header?.value === undefined)
      notes.push({
        ingress: id,
        message: `canary-by-header-pattern: ingress-nginx's regular expressions are not an HTTPRoute's (RegularExpression is implementation-specific); header ${name ?? '?'} is matched only by "always" and "never"`,
      });
    if (ing.defaultBackend) notes.push({ ingress: id, message: 'a canary defaultBackend has no HTTPRoute equivalent; not translated' });
    for (const rule of ing.rules)
      for (const p of rule.paths) {
        const found = mains
          .filter((m) => m.className === ing.className)
          .flatMap((m) => m.rules.filter((r) => r.host === rule.host).flatMap((r) => r.paths.map((mp) => ({ m, mp }))))
          .find(({ mp }) => mp.path === p.path && mp.pathType === p.pathType);
        const main = found?.mp;
        const where = `${rule.host ?? '(any host)'}${p.path || '/'}`;
        if (!main) {
          notes.push({
            ingress: id,
            message: `canary path ${where}: no main Ingress serves this host and path, so ingress-nginx ignores it; so do the routes`,
          });
          continue;
        }
        if (out.has(main)) {
          notes.push({
            ingress: id,
            message: `canary path ${where}: another canary already takes this path; ingress-nginx merges only one`,
          });
          continue;
        }
        const svc = p.backend.service;
        if (!svc) {
          notes.push({ ingress: id, message: `canary path ${where}: a resource backend has no HTTPRoute equivalent; not translated` });
          continue;
        }
        // The route lives in the main Ingress's namespace; a canary elsewhere is reached across namespaces.
        const backendRef: Record<string, unknown> = { name: svc.name };
        if (found.m.namespace !== ing.namespace) backendRef['namespace'] = ing.namespace;
        if (typeof svc.port === 'number') backendRef['port'] = svc.port;
        out.set(main, {
          ingress: ing,
          mainNamespace: found.m.namespace,
          service: `${ing.namespace}/${svc.name}`,
          backendRef,
          weight,
          total,
          header,
        });
      }
  }
  return out;
}

/** Where a request lands among a main backend and its canary, as shares, for the proof. */
export function canaryShares(c: Canary, main: string, headers: ReadonlyArray<{ name: string; value: string }>): Map<string, number> {
  const got = c.header ? headers.find((h) => h.name.toLowerCase() === c.header?.name.toLowerCase())?.value : undefined;
  if (c.header && got !== undefined) {
    if (c.header.value !== undefined ? got === c.header.value : got === 'always') return new Map([[c.service, 1]]);
    if (c.header.value === undefined && got === 'never') return new Map([[main, 1]]);
  }
  const shares = new Map<string, number>();
  if (c.weight < c.total) shares.set(main, (c.total - c.weight) / c.total);
  if (c.weight > 0) shares.set(c.service, (shares.get(c.service) ?? 0) + c.weight / c.total);
  return shares;
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
