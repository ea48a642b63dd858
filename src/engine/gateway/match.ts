// HTTPRoute and GRPCRoute matching, and the precedence the spec orders matches by across every
// route on a listener: the most specific matching hostname, then an Exact path, the longest
// PathPrefix (by characters), a method, the most header matches, the most query matches, then
// the oldest route, `namespace/name`, and rule order. GRPCRoute: hostname, service and method
// characters, header matches, then the same tie-breaks.
import { compareSpecificity, hostnameIntersection, hostnameMatches, hostnameSpecificity } from './hostnames';
import type { GatewayRequest, GrpcMatch, HttpMatch, Listener, RouteRule, SimRoute, ValueMatch } from './types';

/** One match of one rule of one route, with the hostname through which it matches the request. */
export interface Candidate<M> {
  route: SimRoute;
  rule: RouteRule;
  match: M;
  matchIndex: number;
  hostname: string | undefined;
  /** The route's own hostname that gave `hostname` (undefined: the route has none). */
  original?: string | undefined;
}

/** A regular expression matched against the whole value; an invalid one matches nothing. */
export function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

/** Whether a path matches a PathPrefix value element by element (`/api` matches `/api` and `/api/x`, not `/apix`). */
export function prefixMatches(prefix: string, path: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return p === '' || path === p || path.startsWith(`${p}/`);
}

function pathMatches(m: HttpMatch, path: string): boolean {
  switch (m.path.type) {
    case 'Exact':
      return path === m.path.value;
    case 'PathPrefix':
      return prefixMatches(m.path.value, path);
    case 'RegularExpression':
      return fullMatch(m.path.value, path);
  }
}

/** The request's value of a header (repeated headers joined with ","), names compared case-insensitively. */
export function headerValue(req: { headers: ReadonlyArray<{ name: string; value: string }> }, name: string): string | undefined {
  const values = req.headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);
  return values.length > 0 ? values.join(',') : undefined;
}

function valueMatches(m: ValueMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  return m.type === 'Exact' ? value === m.value : fullMatch(m.value, value);
}

/** The value of the first query parameter of that name (names are case-sensitive). */
export function queryValue(query: string, name: string): string | undefined {
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    if (key === name) return decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1).replace(/\+/g, ' '));
  }
  return undefined;
}

export function httpMatches(m: HttpMatch, req: GatewayRequest): boolean {
  return (
    pathMatches(m, req.path) &&
    (m.method === undefined || m.method === req.method) &&
    m.headers.every((h) => valueMatches(h, headerValue(req, h.name))) &&
    m.queryParams.every((q) => valueMatches(q, queryValue(req.query, q.name)))
  );
}

export function grpcMatches(m: GrpcMatch, call: { service: string; method: string }, req: GatewayRequest): boolean {
  const test = (want: string | undefined, have: string) =>
    want === undefined || (m.type === 'Exact' ? want === have : fullMatch(want, have));
  return test(m.service, call.service) && test(m.method, call.method) && m.headers.every((h) => valueMatches(h, headerValue(req, h.name)));
}

/**
 * The hostname through which a route on a listener matches `host`: the most specific
 * intersection of the route's hostnames with the listener's that matches it, the listener's
 * hostname for a route without hostnames; null when the route does not match the host at all.
 * `original` is the route hostname that intersection came from (the more specific one on a tie).
 */
export function routeHostnameMatch(
  route: SimRoute,
  listener: Listener,
  host: string,
): { hostname: string | undefined; original: string | undefined } | null {
  if (route.hostnames.length === 0) return { hostname: listener.hostname, original: undefined };
  let best: { hostname: string; original: string } | null = null;
  for (const h of route.hostnames) {
    const x = listener.hostname ? hostnameIntersection(listener.hostname, h) : h;
    if (x === undefined || !hostnameMatches(x, host)) continue;
    const c = best === null ? 1 : compareSpecificity(x, best.hostname) || compareSpecificity(h, best.original);
    if (c > 0) best = { hostname: x, original: h };
  }
  return best;
}

export function routeHostname(route: SimRoute, listener: Listener, host: string): string | undefined | null {
  const m = routeHostnameMatch(route, listener, host);
  return m === null ? null : m.hostname;
}

function pathRank(m: HttpMatch): number {
  return m.path.type === 'Exact' ? 2 : m.path.type === 'PathPrefix' ? 1 : 0;
}

/** The precedence key of an HTTPRoute match, most significant first (larger wins). */
// Where routes intersect the listener to the same hostname, the route's own hostname decides
// (site docs, hostnames.md "Route precedence resolution": the original spec.hostnames, not the
// intersection), so `abc.example.com` beats `*.example.com` on a listener for abc.example.com.
function httpKey(c: Candidate<HttpMatch>): number[] {
  const [h1, h2] = hostnameSpecificity(c.hostname);
  const [o1, o2] = hostnameSpecificity(c.original);
  return [
    h1,
    h2,
    o1,
    o2,
    pathRank(c.match),
    c.match.path.value.length,
    c.match.method ? 1 : 0,
    c.match.headers.length,
    c.match.queryParams.length,
  ];
}

function grpcKey(c: Candidate<GrpcMatch>): number[] {
  const [h1, h2] = hostnameSpecificity(c.hostname);
  const [o1, o2] = hostnameSpecificity(c.original);
  return [h1, h2, o1, o2, c.match.service?.length ?? 0, c.match.method?.length ?? 0, c.match.headers.length];
}

/** Tie-breaks after the match itself: the oldest route (creationTimestamp, else apply order), namespace/name, rule, match. */
function tieBreak(a: Candidate<unknown>, b: Candidate<unknown>): number {
  const ta = a.route.created;
  const tb = b.route.created;
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return ta < tb ? -1 : 1;
  }
  if (a.route.order !== b.route.order && a.route !== b.route) {
    const ka = `${a.route.namespace}/${a.route.name}`;
    const kb = `${b.route.namespace}/${b.route.name}`;
    return a.route.order - b.route.order || (ka < kb ? -1 : 1);
  }
  return a.rule.index - b.rule.index || a.matchIndex - b.matchIndex;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (b[i] ?? 0) - (a[i] ?? 0);
  return 0;
}

/** Negative when `a` takes precedence over `b`. */
export function compareHttp(a: Candidate<HttpMatch>, b: Candidate<HttpMatch>): number {
  return compareKeys(httpKey(a), httpKey(b)) || tieBreak(a, b);
}

export function compareGrpc(a: Candidate<GrpcMatch>, b: Candidate<GrpcMatch>): number {
  return compareKeys(grpcKey(a), grpcKey(b)) || tieBreak(a, b);
}

export function describeHttpMatch(m: HttpMatch): string {
  const parts = [`${m.path.type} ${m.path.value}`];
  if (m.method) parts.push(`method ${m.method}`);
  for (const h of m.headers) parts.push(`header ${h.name}${h.type === 'Exact' ? '=' : '~'}${h.value}`);
  for (const q of m.queryParams) parts.push(`query ${q.name}${q.type === 'Exact' ? '=' : '~'}${q.value}`);
  return m.explicit ? parts.join(', ') : `${parts[0]} (the rule has no matches)`;
}

export function describeGrpcMatch(m: GrpcMatch): string {
  if (!m.explicit) return 'every call (the rule has no matches)';
  const parts = [`${m.type === 'Exact' ? '' : 'regex '}service ${m.service ?? '*'} method ${m.method ?? '*'}`];
  for (const h of m.headers) parts.push(`header ${h.name}${h.type === 'Exact' ? '=' : '~'}${h.value}`);
  return parts.join(', ');
}

export function candidateName(c: Candidate<unknown>): string {
  return `${c.route.kind} ${c.route.namespace}/${c.route.name} rule ${c.rule.index}${c.rule.name ? ` (${c.rule.name})` : ''}`;
}

const HTTP_CRITERIA = [
  'a more specific hostname',
  'a more specific hostname',
  'a more specific route hostname (the intersections tie)',
  'a more specific route hostname (the intersections tie)',
  'an Exact path',
  'a longer PathPrefix',
  'a method match',
  'more header matches',
  'more query matches',
];
const GRPC_CRITERIA = [
  'a more specific hostname',
  'a more specific hostname',
  'a more specific route hostname (the intersections tie)',
  'a more specific route hostname (the intersections tie)',
  'a longer service match',
  'a longer method match',
  'more header matches',
];

/** Why the winner beat the runner-up, in words (the first criterion of the spec's order that tells them apart). */
export function whyWins<M>(winner: Candidate<M>, other: Candidate<M> | undefined, grpc: boolean, count: number): string {
  if (!other) return 'is the only match for this request';
  const ka = grpc ? grpcKey(winner as Candidate<GrpcMatch>) : httpKey(winner as Candidate<HttpMatch>);
  const kb = grpc ? grpcKey(other as Candidate<GrpcMatch>) : httpKey(other as Candidate<HttpMatch>);
  const criteria = grpc ? GRPC_CRITERIA : HTTP_CRITERIA;
  const i = ka.findIndex((v, j) => v !== kb[j]);
  const others = count > 2 ? ` and ${count - 2} other match${count > 3 ? 'es' : ''}` : '';
  const loser = `${candidateName(other)}${others}`;
  if (i >= 0) return `beats ${loser} by ${criteria[i] ?? 'precedence'}`;
  if (winner.route !== other.route) {
    const older =
      winner.route.created !== other.route.created
        ? 'an older creationTimestamp'
        : winner.route.order !== other.route.order
          ? 'being created first (apply order)'
          : 'namespace/name order';
    return `ties with ${loser} on every match criterion and wins by ${older}`;
  }
  return `ties with ${loser} on every match criterion and wins by rule order`;
}
