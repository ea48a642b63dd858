// ingress-nginx's canary Ingresses, as the controller reads them: an Ingress annotated
// `canary: "true"` never routes by itself; each of its paths is merged into the location of the
// main Ingress with the same host, path and pathType, where it takes a share of the requests
// (canary-weight of canary-weight-total, default 100) and, with canary-by-header, the requests
// whose header asks for it (the value of canary-by-header-value, else "always"; "never" keeps a
// request on the main backend). HTTPRoute says the same with weighted backendRefs and rules with
// an Exact header match; a cookie or a header pattern it cannot say alike, so those stay notes.
import type { Canary, IngressPath, SimIngress } from './types';
import { isRecord } from '../manifests/fields';

export type { Canary } from './types';

export const NGINX = 'nginx.ingress.kubernetes.io/';

export interface MigrationNote {
  ingress: string;
  message: string;
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
export function readCanaries(ingresses: readonly SimIngress[], notes: MigrationNote[]): Map<IngressPath, Canary> {
  const out = new Map<IngressPath, Canary>();
  const mains = ingresses.filter((i) => i.origin.kind === 'manifest' && !isCanary(i));
  for (const ing of ingresses) {
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
