// HTTPRoute rules that can never match: every match of the rule is covered by a match of another
// rule on the same listener and hostnames (it matches every request the first one does) that
// takes precedence over it, by the spec's order. Only covering that holds for every request is
// claimed: regular expressions and differing hostname sets never make a rule shadowed.
import { hostnameIntersection } from './hostnames';
import { compareHttp, prefixMatches, type Candidate } from './match';
import type { GatewayModel } from './model';
import type { HttpMatch, Listener, RouteRule, SimGateway, SimRoute, ValueMatch } from './types';

export interface Shadowed {
  route: SimRoute;
  rule: RouteRule;
  /** The match that takes precedence over the rule's first match. */
  by: Candidate<HttpMatch>;
}

/** The hostnames a route serves on a listener, as a key: routes compete only where these are equal. */
function hostKey(route: SimRoute, l: Listener): string {
  if (route.hostnames.length === 0) return l.hostname ?? '*';
  const lh = l.hostname;
  const list = route.hostnames.flatMap((h) => (lh ? (hostnameIntersection(lh, h) ?? []) : [h]));
  return [...new Set(list)].sort().join(',');
}

function sameValues(a: ValueMatch[], b: ValueMatch[], caseless: boolean): boolean {
  const key = (v: ValueMatch) => `${v.type}|${caseless ? v.name.toLowerCase() : v.name}|${v.value}`;
  const have = new Set(b.map(key));
  return a.every((v) => have.has(key(v)));
}

/** Whether `wide` matches every request `narrow` matches. */
export function covers(wide: HttpMatch, narrow: HttpMatch): boolean {
  if (wide.path.type === 'RegularExpression' || narrow.path.type === 'RegularExpression') return false;
  // `/api` and `/api/` match the same paths, and implementations differ on which is the longer prefix: never claimed.
  const bare = (v: string) => v.replace(/\/+$/, '') || '/';
  if (
    wide.path.type === 'PathPrefix' &&
    narrow.path.type === 'PathPrefix' &&
    wide.path.value !== narrow.path.value &&
    bare(wide.path.value) === bare(narrow.path.value)
  )
    return false;
  const pathOk =
    wide.path.type === 'Exact'
      ? narrow.path.type === 'Exact' && narrow.path.value === wide.path.value
      : narrow.path.type === 'Exact'
        ? prefixMatches(wide.path.value, narrow.path.value)
        : prefixMatches(wide.path.value, narrow.path.value.replace(/\/+$/, '') || '/');
  return (
    pathOk &&
    (wide.method === undefined || wide.method === narrow.method) &&
    sameValues(wide.headers, narrow.headers, true) &&
    sameValues(wide.queryParams, narrow.queryParams, false)
  );
}

/** The HTTPRoute rules of the model that no request can ever reach. */
export function shadowedRules(model: GatewayModel): Shadowed[] {
  const found = new Map<RouteRule, { route: SimRoute; by: Candidate<HttpMatch>; listeners: Set<Listener> }>();
  const attachedTo = new Map<SimRoute, Array<[SimGateway, Listener]>>();
  for (const gw of model.gateways)
    for (const l of gw.listeners) {
      const routes = model.routesOn(gw, l, 'HTTPRoute');
      const all: Array<Candidate<HttpMatch>> = routes.flatMap((route) =>
        route.rules.flatMap((rule) => rule.matches.map((match, matchIndex) => ({ route, rule, match, matchIndex, hostname: undefined }))),
      );
      for (const route of routes) {
        attachedTo.set(route, [...(attachedTo.get(route) ?? []), [gw, l]]);
        const key = hostKey(route, l);
        for (const rule of route.rules) {
          let by: Candidate<HttpMatch> | undefined;
          const shadowed = rule.matches.every((match, matchIndex) => {
            const me: Candidate<HttpMatch> = { route, rule, match, matchIndex, hostname: undefined };
            const winner = all.find(
              (o) => o.rule !== rule && hostKey(o.route, l) === key && covers(o.match, match) && compareHttp(o, me) < 0,
            );
            by ??= winner;
            return winner !== undefined;
          });
          if (!shadowed || !by) continue;
          const entry = found.get(rule) ?? { route, by, listeners: new Set<Listener>() };
          entry.listeners.add(l);
          found.set(rule, entry);
        }
      }
    }
  const out: Shadowed[] = [];
  for (const [rule, e] of found) {
    // Never matched means never on any listener the route is attached to.
    if ((attachedTo.get(e.route) ?? []).every(([, l]) => e.listeners.has(l))) out.push({ route: e.route, rule, by: e.by });
  }
  return out;
}
