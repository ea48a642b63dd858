// The AWS Load Balancer Controller's Ingresses, as its docs describe them
// (kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/ and
// .../guide/ingress/spec/): no proxy runs in the cluster; each IngressGroup (`group.name`), or each
// Ingress without one, becomes one Application Load Balancer outside it. Its listener rules are
// the group's Ingresses in `group.order` (then namespace/name), each rule's paths Exact first,
// then Prefix longest first, then ImplementationSpecific as listed; the first rule whose host,
// path and `conditions.SERVICE` match wins (no longest match across rules), else 404.
// `target-type` ip sends to the pod IPs, instance (the default) to the Service's NodePort on the
// nodes; `scheme` internal (the default) is reachable only inside the VPC; `listen-ports`,
// `ssl-redirect` and `actions.NAME` (forward, redirect, fixed-response) shape the listeners.
import ipaddr from 'ipaddr.js';
import { fnv1a } from '../hash';
import { addressAt, parseCidr } from '../cluster/ipam';
import type { Cluster } from '../cluster/model';
import { annotations } from './canary';
import { albPatternMatches } from './paths';
import type { IngressBackend, IngressPath, IngressRule, SimIngress } from './types';

export const ALB = 'alb.ingress.kubernetes.io/';

export interface AlbListener {
  protocol: 'HTTP' | 'HTTPS';
  port: number;
}

/** One ALB condition (conditions.SERVICE): a field and the values any of which it accepts. */
export interface AlbCondition {
  field: 'host-header' | 'path-pattern' | 'http-header' | 'http-request-method' | 'query-string' | 'source-ip';
  values: string[];
  /** http-header: the header's name. */
  name?: string;
  /** query-string: key/value pairs (a missing key matches any key). */
  pairs?: Array<{ key?: string; value: string }>;
}

export type AlbAction =
  | { type: 'forward'; targets: Array<{ service: string; port: number | string | undefined; weight: number }> }
  | { type: 'redirect'; status: number; protocol?: string; host?: string; port?: string; path?: string; query?: string }
  | { type: 'fixed-response'; status: number; body?: string };

/** One listener rule: an Ingress path (or the defaultBackend) with its conditions. */
export interface AlbRule {
  ingress: SimIngress;
  rule: IngressRule | undefined;
  path: IngressPath | undefined;
  backend: IngressBackend;
  conditions: AlbCondition[];
  /** The action named by a `use-annotation` backend, when it names one. */
  action: AlbAction | undefined;
}

export interface AlbLoadBalancer {
  /** The IngressGroup's name, or NAMESPACE/NAME for an Ingress in no group. */
  key: string;
  group: string | undefined;
  ingresses: SimIngress[];
  scheme: 'internal' | 'internet-facing';
  address: string;
  /** The DNS name the Ingress status shows. */
  hostname: string;
  listeners: AlbListener[];
  /** ssl-redirect: HTTP listeners answer 301 to HTTPS on this port. */
  sslRedirect: number | undefined;
  rules: AlbRule[];
  /** What an annotation could not mean, per Ingress (bad JSON, conflicting exclusive values). */
  problems: Array<{ ingress: SimIngress; annotation: string; message: string }>;
}

/** The ALB annotations of an Ingress (or Service), by name without the prefix. */
export function albAnnotations(o: SimIngress): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations(o))) if (k.startsWith(ALB)) out[k.slice(ALB.length)] = v;
  return out;
}

function json(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** `listen-ports`: '[{"HTTP": 80}, {"HTTPS": 443}]'; undefined when absent, null when it does not parse. */
export function listenPorts(text: string | undefined): AlbListener[] | undefined | null {
  const v = json(text);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return null;
  const out: AlbListener[] = [];
  for (const e of v) {
    const r = rec(e);
    if (!r) return null;
    for (const [proto, port] of Object.entries(r)) {
      if ((proto !== 'HTTP' && proto !== 'HTTPS') || typeof port !== 'number') return null;
      out.push({ protocol: proto, port });
    }
  }
  return out;
}

/** `conditions.NAME`: a JSON list of {field, …Config}; null when it does not parse. */
export function readConditions(text: string | undefined): AlbCondition[] | null {
  const v = json(text);
  if (v === undefined) return [];
  if (!Array.isArray(v)) return null;
  const out: AlbCondition[] = [];
  for (const e of v) {
    const r = rec(e);
    const field = r?.['field'];
    if (!r || typeof field !== 'string') return null;
    switch (field) {
      case 'host-header':
        out.push({ field, values: strings(rec(r['hostHeaderConfig'])?.['values'] ?? r['values']) });
        break;
      case 'path-pattern':
        out.push({ field, values: strings(rec(r['pathPatternConfig'])?.['values'] ?? r['values']) });
        break;
      case 'http-request-method':
        out.push({ field, values: strings(rec(r['httpRequestMethodConfig'])?.['values']) });
        break;
      case 'source-ip':
        out.push({ field, values: strings(rec(r['sourceIpConfig'])?.['values']) });
        break;
      case 'http-header': {
        const c = rec(r['httpHeaderConfig']);
        const name = c?.['httpHeaderName'];
        if (typeof name !== 'string') return null;
        out.push({ field, name, values: strings(c?.['values']) });
        break;
      }
      case 'query-string': {
        const vals = rec(r['queryStringConfig'])?.['values'];
        const pairs = (Array.isArray(vals) ? vals : []).map(rec).filter((x) => x !== undefined);
        out.push({
          field,
          values: [],
          pairs: pairs.map((p) => ({
            ...(typeof p['key'] === 'string' ? { key: p['key'] } : {}),
            value: typeof p['value'] === 'string' ? p['value'] : '',
          })),
        });
        break;
      }
      default:
        return null;
    }
  }
  return out;
}

/** `actions.NAME`: forward, redirect or fixed-response; null when it does not parse or is another type. */
export function readAction(text: string | undefined): AlbAction | null | undefined {
  const r = rec(json(text));
  if (text === undefined) return undefined;
  if (!r) return null;
  const code = (v: unknown, fallback: number) => {
    const m = /^(?:HTTP_)?(\d{3})$/.exec(typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
    return m ? Number(m[1]) : fallback;
  };
  switch (r['type']) {
    case 'fixed-response': {
      const c = rec(r['fixedResponseConfig']);
      return {
        type: 'fixed-response',
        status: code(c?.['statusCode'], 200),
        ...(typeof c?.['messageBody'] === 'string' ? { body: c['messageBody'] } : {}),
      };
    }
    case 'redirect': {
      const c = rec(r['redirectConfig']) ?? {};
      const s = (k: string) => (typeof c[k] === 'string' ? { [k]: c[k] } : {});
      return {
        type: 'redirect',
        status: code(c['statusCode'], 301),
        ...s('protocol'),
        ...s('host'),
        ...s('port'),
        ...s('path'),
        ...s('query'),
      };
    }
    case 'forward': {
      const groups = rec(r['forwardConfig'])?.['targetGroups'];
      const targets = (Array.isArray(groups) ? groups : [])
        .map(rec)
        .filter((g) => g !== undefined && typeof g['serviceName'] === 'string')
        .map((g) => ({
          service: g?.['serviceName'] as string,
          port: typeof g?.['servicePort'] === 'number' || typeof g?.['servicePort'] === 'string' ? g['servicePort'] : undefined,
          weight: typeof g?.['weight'] === 'number' ? g['weight'] : 1,
        }));
      return targets.length > 0 ? { type: 'forward', targets } : null;
    }
    default:
      return null;
  }
}

/** An ALB host-header or path pattern: `*` any characters, `?` one; host headers ignore case. */
function patternMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  return ignoreCase ? albPatternMatches(pattern.toLowerCase(), value.toLowerCase()) : albPatternMatches(pattern, value);
}

const TYPE_RANK = { Exact: 0, Prefix: 1, ImplementationSpecific: 2 } as const;

/** A rule's paths in the controller's order: Exact first, then Prefix longest first, then ImplementationSpecific as listed. */
export function orderedPaths(paths: IngressPath[]): IngressPath[] {
  return paths
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        TYPE_RANK[a.p.pathType] - TYPE_RANK[b.p.pathType] ||
        (a.p.pathType === 'Prefix' ? b.p.path.length - a.p.path.length : 0) ||
        a.i - b.i,
    )
    .map(({ p }) => p);
}

function groupOrder(ing: SimIngress): number {
  const n = Number(albAnnotations(ing)['group.order'] ?? '0');
  return Number.isInteger(n) ? n : 0;
}

/** The ALB of every IngressGroup (or lone Ingress) of the class, with its listener rules in order. */
export function albLoadBalancers(cluster: Cluster, ingresses: SimIngress[]): AlbLoadBalancer[] {
  const byKey = new Map<string, SimIngress[]>();
  for (const ing of ingresses) {
    const group = albAnnotations(ing)['group.name'];
    const key = group ?? `${ing.namespace}/${ing.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), ing]);
  }
  const taken = new Set(cluster.services.flatMap((s) => (s.loadBalancerIP ? [s.loadBalancerIP] : [])));
  const out: AlbLoadBalancer[] = [];
  for (const [key, list] of [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const members = [...list].sort(
      (a, b) => groupOrder(a) - groupOrder(b) || (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1),
    );
    const problems: AlbLoadBalancer['problems'] = [];
    const exclusive = (name: string): string | undefined => {
      let value: string | undefined;
      let first: SimIngress | undefined;
      for (const ing of members) {
        const v = albAnnotations(ing)[name];
        if (v === undefined) continue;
        if (value === undefined) [value, first] = [v, ing];
        else if (v !== value)
          problems.push({
            ingress: ing,
            annotation: name,
            message: `${name} is "${v}" here but "${value}" on Ingress ${first?.namespace}/${first?.name} of the same group; the controller rejects the group (an exclusive annotation must agree)`,
          });
      }
      return value;
    };
    const scheme = exclusive('scheme') === 'internet-facing' ? 'internet-facing' : 'internal';
    const redirect = exclusive('ssl-redirect');
    const listeners: AlbListener[] = [];
    for (const ing of members) {
      const a = albAnnotations(ing);
      const ports = listenPorts(a['listen-ports']);
      if (ports === null)
        problems.push({
          ingress: ing,
          annotation: 'listen-ports',
          message: 'listen-ports is not a JSON list like [{"HTTP": 80}, {"HTTPS": 443}]',
        });
      const mine =
        ports ??
        (a['certificate-arn'] !== undefined || ing.tls.length > 0
          ? [{ protocol: 'HTTPS' as const, port: 443 }]
          : [{ protocol: 'HTTP' as const, port: 80 }]);
      for (const l of mine) if (!listeners.some((x) => x.port === l.port)) listeners.push(l);
    }
    const rules: AlbRule[] = [];
    for (const ing of members) {
      const a = albAnnotations(ing);
      const make = (rule: IngressRule | undefined, path: IngressPath | undefined, backend: IngressBackend): AlbRule => {
        const name = backend.service?.name ?? '';
        const conds = readConditions(a[`conditions.${name}`]);
        if (conds === null)
          problems.push({
            ingress: ing,
            annotation: `conditions.${name}`,
            message: `conditions.${name} is not a list of ALB conditions the simulation reads (host-header, path-pattern, http-header, http-request-method, query-string, source-ip)`,
          });
        const usesAction = backend.service?.port === 'use-annotation';
        const action = usesAction ? readAction(a[`actions.${name}`]) : undefined;
        if (usesAction && !action)
          problems.push({
            ingress: ing,
            annotation: `actions.${name}`,
            message: `actions.${name} is missing or is not a forward, redirect or fixed-response action`,
          });
        return { ingress: ing, rule, path, backend, conditions: conds ?? [], action: action ?? undefined };
      };
      for (const rule of ing.rules) for (const p of orderedPaths(rule.paths)) rules.push(make(rule, p, p.backend));
    }
    // The default action: the first defaultBackend in the group's order, else a 404.
    const withDefault = members.find((i) => i.defaultBackend !== undefined);
    if (withDefault?.defaultBackend) rules.push({ ...makeDefault(withDefault, withDefault.defaultBackend) });
    const index = Number(fnv1a(key) % 32);
    out.push({
      key,
      group: albAnnotations(members[0] as SimIngress)['group.name'],
      ingresses: members,
      scheme,
      address: albAddress(cluster.settings.loadBalancerPool, index, taken),
      hostname: `k8s-${key
        .replace(/[^a-z0-9]+/gi, '-')
        .toLowerCase()
        .slice(0, 30)}-${fnv1a(`alb/${key}`).toString(16).slice(0, 8)}.elb.amazonaws.com`,
      listeners,
      sslRedirect: redirect !== undefined && /^\d+$/.test(redirect) ? Number(redirect) : undefined,
      rules,
      problems,
    });
  }
  return out;
}

function makeDefault(ing: SimIngress, backend: IngressBackend): AlbRule {
  return { ingress: ing, rule: undefined, path: undefined, backend, conditions: [], action: undefined };
}

/** An address for an ALB: from the top of the load-balancer pool, clear of the Services' addresses. */
function albAddress(poolText: string, index: number, taken: Set<string>): string {
  const pool = parseCidr(poolText);
  for (let i = 0; i < 256; i++) {
    const offset = pool.size - 2n - BigInt((index + i) % Number(pool.size > 64n ? 64n : pool.size - 2n));
    const ip = addressAt(pool, offset);
    if (!taken.has(ip)) {
      taken.add(ip);
      return ip;
    }
  }
  return addressAt(pool, pool.size - 2n);
}

/** The request an ALB rule is matched against. */
export interface AlbRequest {
  host: string;
  path: string;
  method: string;
  headers: ReadonlyArray<{ name: string; value: string }>;
  query: string;
  sourceIP: string;
}

function conditionMatches(c: AlbCondition, req: AlbRequest): boolean {
  switch (c.field) {
    case 'host-header':
      return c.values.some((v) => patternMatches(v, req.host, true));
    case 'path-pattern':
      return c.values.some((v) => patternMatches(v, req.path, false));
    case 'http-request-method':
      return c.values.includes(req.method);
    case 'http-header': {
      const got = req.headers.filter((h) => h.name.toLowerCase() === c.name?.toLowerCase()).map((h) => h.value);
      return got.some((g) => c.values.some((v) => patternMatches(v, g, true)));
    }
    case 'query-string': {
      const params = new URLSearchParams(req.query);
      return (c.pairs ?? []).some((p) =>
        [...params.entries()].some(([k, v]) => (p.key === undefined || patternMatches(p.key, k, true)) && patternMatches(p.value, v, true)),
      );
    }
    case 'source-ip':
      return c.values.some((cidr) => {
        try {
          const ip = ipaddr.parse(req.sourceIP);
          const range = ipaddr.parseCIDR(cidr);
          return ip.kind() === range[0].kind() && ip.match(range);
        } catch {
          return false;
        }
      });
  }
}

/** Whether an Ingress path matches as the ALB's path condition: Exact the path, Prefix the path or PATH/*, ImplementationSpecific a pattern. */
function pathConditionMatches(p: IngressPath, path: string): boolean {
  if (p.pathType === 'Exact') return path === p.path;
  if (p.pathType === 'ImplementationSpecific') return albPatternMatches(p.path, path);
  const base = p.path.replace(/\/+$/, '');
  return base === '' || path === base || path.startsWith(`${base}/`);
}

/** The first listener rule that matches, or undefined (the ALB's 404). */
export function albRoute(lb: AlbLoadBalancer, req: AlbRequest): AlbRule | undefined {
  return lb.rules.find((r) => {
    if (r.rule?.host !== undefined && !patternMatches(r.rule.host, req.host, true)) return false;
    if (r.path && !pathConditionMatches(r.path, req.path)) return false;
    return r.conditions.every((c) => conditionMatches(c, req));
  });
}
