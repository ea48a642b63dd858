// The proof of a migration: probe requests (every rule's host and path, the boundaries around each
// path, hosts no rule names) traced from outside through the old Ingresses, with ingress-nginx's
// ssl-redirect and rewrite-target applied as it applies them, and through the new Gateway
// (`--via`), each outcome reduced to where it lands: a Service (and the path it receives), a
// redirect, or the status the proxy answers.
import { analyzeWorkspace, type Analysis, type AnalyzeOptions } from '../analyze';
import type { InputFile } from '../manifests/types';
import { tracePacket } from '../trace/packet';
import { findSource } from '../trace/sources';
import type { TraceResult } from '../trace/types';
import { hostMatches, type IngressPath, type SimIngress } from '../ingress/model';
import { migrateIngresses, type Migration } from './translate';
import { canaryShares, isCanary } from './canary';

type Header = { name: string; value: string };

export interface Probe {
  className: string;
  url: string;
  /** The address to send to instead of the host (for a host no rule names). */
  old: string;
  new: string;
  /** Request headers (a canary-by-header probe). */
  headers: Header[];
}

export interface ProbeResult {
  probe: string;
  old: string;
  new: string;
  same: boolean;
}

export interface MigrationProof {
  migration: Migration;
  results: ProbeResult[];
}

/** Paths around an Ingress path: itself, with a trailing slash, one element deeper, and the same characters run on (`/apix`). */
function aroundPath(path: string, exact: boolean): string[] {
  const p = path.replace(/\(\/\|\$\)\(\.\*\)$/, '') || '/';
  const base = p.replace(/\/+$/, '') || '/';
  if (exact) return [p, `${base}/`];
  return base === '/' ? ['/', '/zz-probe'] : [base, `${base}/`, `${base}/sub`, `${base}x`];
}

function hostsFor(host: string): string[] {
  return host.startsWith('*.') ? [`probe${host.slice(1)}`, `a.probe${host.slice(1)}`] : [host];
}

function probes(old: Analysis, m: Migration): Probe[] {
  const out: Probe[] = [];
  const seen = new Set<string>();
  const add = (p: Probe) => {
    const key = `${p.className} ${p.old} ${p.new} ${JSON.stringify(p.headers)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const ing of m.ingresses) {
    const cls = ing.className ?? 'default';
    if (!m.gateways.has(cls) || ing.origin.kind !== 'manifest') continue;
    const tls = new Set(ing.tls.flatMap((t) => t.hosts));
    for (const rule of ing.rules)
      for (const p of rule.paths)
        for (const headers of headerProbes(m, p))
          for (const path of aroundPath(p.path, p.pathType === 'Exact'))
            for (const host of rule.host ? hostsFor(rule.host) : ['']) {
              const schemes = rule.host && [...tls].some((t) => t === rule.host) ? ['http', 'https'] : ['http'];
              const said = headers.map((h) => ` [${h.name}: ${h.value}]`).join('');
              for (const scheme of schemes)
                add({ className: cls, url: `${scheme}://${host || '(address)'}${path}${said}`, ...paths(scheme, host, path), headers });
            }
  }
  for (const cls of m.gateways.keys())
    for (const path of ['/', '/zz-probe']) add({ className: cls, url: `http://(address)${path}`, ...paths('http', '', path), headers: [] });
  return out;
}

/** The header sets to probe a path with: none, and for a canary-by-header the values that pick the canary, keep the main, or neither. */
function headerProbes(m: Migration, p: IngressPath): Header[][] {
  const h = m.canaries.get(p)?.header;
  if (!h) return [[]];
  const values = h.value !== undefined ? [h.value, `not-${h.value}`] : ['always', 'never', 'sometimes'];
  return [[], ...values.map((value) => [{ name: h.name, value }])];
}

/** Shares of Services as the proof compares them: `Service A`, or `Services A 90%, B 10%`. */
function sharesText(shares: Map<string, number>): string {
  const list = [...shares].filter(([, w]) => w > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (list.length === 1) return `Service ${list[0]?.[0]}`;
  const total = list.reduce((n, [, w]) => n + w, 0) || 1;
  return `Services ${list.map(([s, w]) => `${s} ${Math.round((w / total) * 1000) / 10}%`).join(', ')}`;
}

/** Placeholder URLs: `{addr}` is replaced by the side's own address for a host no rule names. */
function paths(scheme: string, host: string, path: string): { old: string; new: string } {
  const url = `${scheme}://${host || '{addr}'}${path}`;
  return { old: url, new: url };
}

function landing(r: TraceResult, path: string): string {
  if (r.verdict === 'redirected') return `redirect ${r.response?.status ?? ''} ${r.response?.location ?? ''}`.trim();
  if (r.verdict === 'unrouted') return `answer ${r.response?.status ?? 404}`;
  if (r.verdict !== 'delivered') return `${r.verdict}${r.destination && 'service' in r.destination ? ` at ${r.destination.service}` : ''}`;
  const service = r.destination && 'service' in r.destination ? r.destination.service : undefined;
  const got = r.request?.path ?? path;
  // Weighted backendRefs: every Service that could have answered, with its share, not only the one picked.
  const shares = new Map<string, number>();
  for (const c of r.candidates) if (c.service && c.weight > 0) shares.set(c.service, (shares.get(c.service) ?? 0) + c.weight);
  const where = shares.size > 1 ? sharesText(shares) : `Service ${service ?? '(none)'}`;
  return `${where}${got !== path ? ` path ${got}` : ''}`;
}

/** Where a path lands through an Ingress with use-regex, as ingress-nginx matches it (the longest matching expression). */
function regexRoute(m: Migration, ingresses: readonly SimIngress[], u: URL, path: string): string | undefined {
  let best: { text: string; length: number } | undefined;
  for (const ing of ingresses) {
    const b = m.behaviour.get(ing);
    if (!b?.regex) continue;
    for (const rule of ing.rules) {
      if (rule.host !== undefined && !hostMatches(rule.host, u.hostname)) continue;
      for (const p of rule.paths) {
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${p.path})`, 'i');
        } catch {
          continue;
        }
        if (!re.test(path) || !p.backend.service || (best && best.length >= p.path.length)) continue;
        if (u.protocol === 'http:' && b.redirectHosts.includes(u.hostname)) return `redirect 308 https://${u.hostname}${path}`;
        const got = b.rewrite ? b.rewrite(path, p.path) : path;
        best = { text: `Service ${ing.namespace}/${p.backend.service.name}${got !== path ? ` path ${got}` : ''}`, length: p.path.length };
      }
    }
  }
  return best?.text;
}

/** Migrates the Ingresses of `files` and compares every probe through the old and the new. */
export function proveMigration(
  files: InputFile[],
  gatewayClass: string,
  options: AnalyzeOptions = {},
  only?: (ingress: { namespace: string; name: string; file: string | undefined }) => boolean,
): MigrationProof {
  const old = analyzeWorkspace(files, options);
  const keep = only
    ? (ing: SimIngress) =>
        only({ namespace: ing.namespace, name: ing.name, file: ing.origin.kind === 'manifest' ? ing.origin.object.file : undefined })
    : undefined;
  const migration = migrateIngresses(old.ingress, gatewayClass, keep);
  // ingress-nginx never routes by a canary Ingress alone (it merges it into the main Ingress's
  // location, which the shares below stand for): the old side routes without them. This analysis
  // is this function's own.
  for (const c of old.ingress.controllers) c.ingresses = c.ingresses.filter((i) => !isCanary(i));
  const next = analyzeWorkspace([...files, { path: 'kube-netsim-migrated.yaml', text: migration.yaml }], options);
  for (const [cls, id] of migration.gateways) {
    const [ns, name] = id.split('/') as [string, string];
    if (!next.gateway.findGateway(ns, name)?.gatewayClass)
      migration.notes.push({
        ingress: `(class ${cls})`,
        message: `GatewayClass ${gatewayClass} is neither in the input nor one a controller installs (istio, cilium, nginx), so nothing programs Gateway ${id}; add the GatewayClass to the input or pass --gateway-class`,
      });
  }
  const external = findSource(old.cluster, 'external');
  const externalNew = findSource(next.cluster, 'external');
  if (!external.ok || !externalNew.ok) return { migration, results: [] };
  const results: ProbeResult[] = [];
  for (const p of probes(old, migration)) {
    const controller = old.ingress.controllers.find((c) => c.className === p.className);
    const gw = migration.gateways.get(p.className) ?? '';
    const [gwNs, gwName] = gw.split('/') as [string, string];
    const gateway = next.gateway.findGateway(gwNs, gwName);
    const oldUrl = p.old.replace('{addr}', controller?.service?.loadBalancerIP ?? '0.0.0.0');
    const newUrl = p.new.replace('{addr}', gateway?.addresses[0] ?? '0.0.0.0');
    const u = new URL(oldUrl);
    const path = u.pathname;
    const http = p.headers.length > 0 ? { headers: p.headers } : {};
    const r0 = tracePacket(old, external.source, oldUrl, 'TCP', http);
    let before = landing(r0, path);
    // What ingress-nginx's annotations do on top of the route the Ingress chose.
    const route = controller ? old.ingress.route(controller, u.hostname, path) : undefined;
    const regex = controller ? regexRoute(migration, controller.ingresses, u, path) : undefined;
    // Converting some Ingresses: a request another Ingress of the class answers is that one's to prove.
    if (keep && regex === undefined && route?.kind === 'backend' && !migration.ingresses.includes(route.ingress)) continue;
    if (regex !== undefined) before = regex;
    else if (route?.kind === 'backend') {
      const b = migration.behaviour.get(route.ingress);
      const canary = route.path ? migration.canaries.get(route.path) : undefined;
      if (canary && r0.verdict === 'delivered' && route.backend.service)
        before = `${sharesText(canaryShares(canary, `${route.ingress.namespace}/${route.backend.service.name}`, p.headers))}${before.replace(/^Service \S+/, '')}`;
      if (b && u.protocol === 'http:' && b.redirectHosts.includes(u.hostname)) before = `redirect 308 https://${u.hostname}${path}`;
      else if (b?.rewrite && route.path && r0.verdict === 'delivered')
        before = `${before} path ${b.rewrite(path, route.path.path)}`.replace(/ path (\S+) path /, ' path ');
      if (before.endsWith(` path ${path}`)) before = before.slice(0, -` path ${path}`.length);
    }
    const after = landing(tracePacket(next, externalNew.source, newUrl, 'TCP', { via: gw, ...http }), path);
    results.push({ probe: p.url, old: before, new: after, same: before === after });
  }
  return { migration, results };
}
