// Ingress → Gateway API, as `kube-netsim migrate` writes it: per IngressClass one Gateway (an HTTP
// listener, an HTTPS listener per TLS host), per Ingress and host one HTTPRoute (Exact and Prefix
// paths as Exact and PathPrefix, the default backend as a route without hostnames), and the
// ingress-nginx annotations that have an equivalent: ssl-redirect (a 308 redirect route on the
// HTTP listener) and rewrite-target (URLRewrite). What cannot mean the same is a note, never a guess.
import { dump } from 'js-yaml';
import type { IngressBackend, IngressModel, IngressPath, SimIngress } from '../ingress/model';
import { annotations, canaries, canaryGrants, canaryRules, isCanary, NGINX, type Canary, type MigrationNote } from './canary';

export type { MigrationNote } from './canary';

const TRANSLATED = new Set([
  'ssl-redirect',
  'force-ssl-redirect',
  'rewrite-target',
  'use-regex',
  'canary',
  'canary-weight',
  'canary-weight-total',
  'canary-by-header',
  'canary-by-header-value',
]);
// On a canary Ingress ingress-nginx reads only the canary annotations (the rest come from the main
// Ingress), and canary.ts says which of those cannot be translated.
const CANARY_READ = /^canary(-|$)/;

/** What one Ingress's annotations ask of the requests it routes, as ingress-nginx does it. */
export interface NginxBehaviour {
  /** HTTP requests for these hosts are redirected to HTTPS (308). */
  redirectHosts: string[];
  /** The request path the backend receives, for a path the Ingress matched; undefined when unchanged. */
  rewrite: ((path: string, matched: string) => string) | undefined;
  /** use-regex: paths are case-insensitive regular expressions anchored at the start, as ingress-nginx reads them. */
  regex: boolean;
}

export interface Migration {
  /** The Gateway each IngressClass becomes, `NAMESPACE/NAME` by class name. */
  gateways: Map<string, string>;
  documents: Array<Record<string, unknown>>;
  yaml: string;
  notes: MigrationNote[];
  behaviour: Map<SimIngress, NginxBehaviour>;
  /** The canary merged into each main Ingress path (ingress-nginx's canary annotations). */
  canaries: Map<IngressPath, Canary>;
  /** The Ingresses converted (all of the model's, or those `only` kept). */
  ingresses: SimIngress[];
}

const slug = (s: string) =>
  s
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50) || 'any';

function backendRef(b: IngressBackend): Record<string, unknown> | undefined {
  if (!b.service) return undefined;
  return typeof b.service.port === 'number' ? { name: b.service.name, port: b.service.port } : { name: b.service.name };
}

/** `rewrite-target` as ingress-nginx applies it: the whole path replaced, or with `/$2` after a `/prefix(/|$)(.*)` path the rest kept. */
function rewriteOf(ing: SimIngress, ann: Record<string, string>, notes: MigrationNote[]): NginxBehaviour['rewrite'] {
  const target = ann[`${NGINX}rewrite-target`];
  if (target === undefined) return undefined;
  const id = `${ing.namespace}/${ing.name}`;
  if (!/\$\d/.test(target)) return () => target;
  const paths = ing.rules.flatMap((r) => r.paths.map((p) => p.path));
  if (target === '/$2' && paths.every((p) => /^\/[^()]*\(\/\|\$\)\(\.\*\)$/.test(p)))
    return (path, matched) => {
      const prefix = matched.replace(/\(\/\|\$\)\(\.\*\)$/, '');
      return `/${path.slice(prefix.length).replace(/^\//, '')}`;
    };
  notes.push({ ingress: id, message: `rewrite-target ${target} with these paths has no Gateway API equivalent; not translated` });
  return undefined;
}

/** `only` converts some of the Ingresses (those of one file, one Ingress); the canaries of those it converts come along. */
export function migrateIngresses(model: IngressModel, gatewayClass: string, only?: (ing: SimIngress) => boolean): Migration {
  const notes: MigrationNote[] = [];
  const merged = canaries(model, notes);
  const picked = model.ingresses.filter(
    (ing) =>
      ing.origin.kind === 'manifest' &&
      (only === undefined ||
        only(ing) ||
        (isCanary(ing) && [...merged.values()].some((c) => c.ingress === ing && pathsOf(model, merged, c).some(only)))),
  );
  const documents: Array<Record<string, unknown>> = [];
  const gateways = new Map<string, string>();
  const behaviour = new Map<SimIngress, NginxBehaviour>();
  const byClass = new Map<string, SimIngress[]>();
  for (const ing of picked) {
    if (isCanary(ing)) continue;
    const cls = ing.className ?? 'default';
    byClass.set(cls, [...(byClass.get(cls) ?? []), ing]);
  }
  for (const [cls, ingresses] of byClass) {
    const gwNs = ingresses[0]?.namespace ?? 'default';
    const gwName = `${slug(cls)}-gateway`;
    gateways.set(cls, `${gwNs}/${gwName}`);
    const listeners: Array<Record<string, unknown>> = [
      { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
    ];
    const tlsListener = new Map<string, string>();
    for (const ing of ingresses) {
      const id = `${ing.namespace}/${ing.name}`;
      const ann = annotations(ing);
      for (const key of Object.keys(ann))
        if (key.startsWith(NGINX) && !TRANSLATED.has(key.slice(NGINX.length)) && !CANARY_READ.test(key.slice(NGINX.length)))
          notes.push({ ingress: id, message: `annotation ${key}: ${ann[key]} has no translation; the routes do without it` });
      for (const tls of ing.tls) {
        for (const host of tls.hosts.length > 0 ? tls.hosts : ['']) {
          if (tlsListener.has(host)) continue;
          const name = host ? `https-${slug(host)}` : 'https';
          tlsListener.set(host, name);
          const ref: Record<string, unknown> = { kind: 'Secret', name: tls.secretName ?? 'missing-secret' };
          if (ing.namespace !== gwNs) {
            ref['namespace'] = ing.namespace;
            documents.push({
              apiVersion: 'gateway.networking.k8s.io/v1beta1',
              kind: 'ReferenceGrant',
              metadata: { name: `${gwName}-${slug(tls.secretName ?? 'secret')}`, namespace: ing.namespace },
              spec: {
                from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gwNs }],
                to: [{ group: '', kind: 'Secret', name: tls.secretName }],
              },
            });
          }
          listeners.push({
            name,
            port: 443,
            protocol: 'HTTPS',
            ...(host ? { hostname: host } : {}),
            tls: { mode: 'Terminate', certificateRefs: [ref] },
            allowedRoutes: { namespaces: { from: 'All' } },
          });
          if (host.startsWith('*.'))
            notes.push({
              ingress: id,
              message: `TLS host ${host}: an Ingress wildcard covers one label, a listener's any number (a.b${host.slice(1)} is served too)`,
            });
        }
      }
    }
    documents.unshift({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: gwName, namespace: gwNs },
      spec: { gatewayClassName: gatewayClass, listeners },
    });
    for (const ing of ingresses) documents.push(...routesOf(ing, gwNs, gwName, tlsListener, notes, behaviour, merged));
  }
  // Notes about canaries of Ingresses left out belong to those, not to this conversion.
  const kept = new Set(picked.map((i) => `${i.namespace}/${i.name}`));
  const mainPaths = picked.filter((i) => !isCanary(i)).flatMap((i) => i.rules.flatMap((r) => r.paths));
  documents.push(...canaryGrants(mainPaths.flatMap((p) => merged.get(p) ?? [])));
  const yaml = documents.map((d) => dump(d, { lineWidth: -1, noRefs: true })).join('---\n');
  return { gateways, documents, yaml, notes: notes.filter((n) => kept.has(n.ingress)), behaviour, canaries: merged, ingresses: picked };
}

/** The main Ingresses a canary is merged into. */
function pathsOf(model: IngressModel, merged: Map<IngressPath, Canary>, c: Canary): SimIngress[] {
  const paths = [...merged].filter(([, x]) => x === c).map(([p]) => p);
  return model.ingresses.filter((i) => i.rules.some((r) => r.paths.some((p) => paths.includes(p))));
}

function routesOf(
  ing: SimIngress,
  gwNs: string,
  gwName: string,
  tlsListener: Map<string, string>,
  notes: MigrationNote[],
  behaviour: Map<SimIngress, NginxBehaviour>,
  merged: Map<IngressPath, Canary>,
): Array<Record<string, unknown>> {
  const id = `${ing.namespace}/${ing.name}`;
  const ann = annotations(ing);
  const rewrite = rewriteOf(ing, ann, notes);
  const tlsHosts = ing.tls.flatMap((t) => t.hosts);
  const redirectOn = ann[`${NGINX}ssl-redirect`] !== 'false' || ann[`${NGINX}force-ssl-redirect`] === 'true';
  const redirectHosts = redirectOn ? tlsHosts : [];
  const regex = ann[`${NGINX}use-regex`] === 'true' || /\$\d/.test(ann[`${NGINX}rewrite-target`] ?? '');
  behaviour.set(ing, { redirectHosts, rewrite, regex });
  if (regex)
    notes.push({
      ingress: id,
      message:
        'use-regex: its paths are compared as ingress-nginx reads them (regular expressions anchored at the start, any case), which the simulated Ingress does not; NetworkPolicy is not checked on those probes',
    });
  const out: Array<Record<string, unknown>> = [];
  const hosts = [...new Set(ing.rules.map((r) => r.host))];
  const parent = (host: string | undefined) =>
    host !== undefined && redirectHosts.includes(host) && tlsListener.has(host)
      ? [{ name: gwName, namespace: gwNs, sectionName: tlsListener.get(host) }]
      : [{ name: gwName, namespace: gwNs }];
  hosts.forEach((host) => {
    const rules = ing.rules
      .filter((r) => r.host === host)
      .flatMap((r) => r.paths)
      .flatMap((p) => {
        const ref = backendRef(p.backend);
        if (!ref) {
          notes.push({ ingress: id, message: `path ${p.path}: a resource backend has no HTTPRoute equivalent; not translated` });
          return [];
        }
        let type = p.pathType === 'Exact' ? 'Exact' : 'PathPrefix';
        let value = p.path || '/';
        const filters: Array<Record<string, unknown>> = [];
        if (rewrite) {
          const prefix = value.replace(/\(\/\|\$\)\(\.\*\)$/, '');
          const full = !/\$\d/.test(ann[`${NGINX}rewrite-target`] ?? '');
          if (prefix !== value) type = 'PathPrefix';
          value = prefix || '/';
          filters.push({
            type: 'URLRewrite',
            urlRewrite: {
              path: full
                ? { type: 'ReplaceFullPath', replaceFullPath: ann[`${NGINX}rewrite-target`] }
                : { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' },
            },
          });
        } else if (p.pathType === 'ImplementationSpecific')
          notes.push({
            ingress: id,
            message: `path ${p.path}: ImplementationSpecific is translated as PathPrefix, matched element by element; what it means is up to the controller (ingress-nginx matches it as a plain string prefix, /api taking /apix too, and the proof simulates it so), so check the probes that land differently`,
          });
        const canary = merged.get(p);
        if (canary) return canaryRules(canary, { path: { type, value } }, ref, filters);
        return [{ matches: [{ path: { type, value } }], ...(filters.length > 0 ? { filters } : {}), backendRefs: [ref] }];
      });
    if (host?.startsWith('*.'))
      notes.push({
        ingress: id,
        message: `host ${host}: an Ingress wildcard covers one label, an HTTPRoute's any number (a.b${host.slice(1)} routes here too)`,
      });
    const name = hosts.length === 1 ? ing.name : `${ing.name}-${slug(host ?? 'any')}`;
    out.push(route(ing.namespace, name, host, parent(host), rules));
    if (host !== undefined && redirectHosts.includes(host))
      out.push(
        route(
          ing.namespace,
          `${name}-https-redirect`,
          host,
          [{ name: gwName, namespace: gwNs, sectionName: 'http' }],
          [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 308 } }] }],
        ),
      );
  });
  if (ing.defaultBackend) {
    const ref = backendRef(ing.defaultBackend);
    if (ref)
      out.push(route(ing.namespace, `${ing.name}-default`, undefined, [{ name: gwName, namespace: gwNs }], [{ backendRefs: [ref] }]));
  }
  return out;
}

function route(
  namespace: string,
  name: string,
  host: string | undefined,
  parentRefs: Array<Record<string, unknown>>,
  rules: Array<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec: { parentRefs, ...(host !== undefined ? { hostnames: [host] } : {}), rules },
  };
}
