// One request through one Gateway, as its data plane would handle it: the listener the port and
// host (or SNI) select, the route rule whose match takes precedence (and why it beat the others),
// the rule's filters, and the weighted backendRefs it sends to, or the answer the Gateway gives
// itself (404 no match, 500 invalid backends, a redirect, a closed TLS connection).
import { applyFilters, type FilterEffect } from './filters';
import { compareSpecificity, hostnameMatches } from './hostnames';
import {
  compareGrpc,
  compareHttp,
  describeGrpcMatch,
  describeHttpMatch,
  grpcMatches,
  httpMatches,
  routeHostnameMatch,
  whyWins,
  type Candidate,
} from './match';
import type { GatewayModel } from './model';
import type {
  BackendStatus,
  GatewayRequest,
  GrpcMatch,
  Header,
  HeaderModifier,
  HttpMatch,
  Listener,
  RouteKind,
  RouteRule,
  SimGateway,
  SimRoute,
} from './types';

/** What reaches the Gateway: an HTTP request, a gRPC call, a TLS connection with its SNI, or plain TCP/UDP. */
export interface GatewayCall {
  kind: 'http' | 'https' | 'grpc' | 'tls' | 'tcp' | 'udp';
  port: number;
  request: GatewayRequest;
  /** The TLS server name (https, tls). */
  sni: string | undefined;
  grpc: { service: string; method: string } | undefined;
  /** gRPC over TLS (grpcs://) rather than cleartext HTTP/2. */
  secure?: boolean;
}

export interface MatchInfo {
  route: SimRoute;
  rule: RouteRule;
  matchIndex: number;
  hostname: string | undefined;
  match: string;
  /** Why this match beat the others that also matched. */
  why: string;
  /** How many matches (of every route on the listener) matched the request. */
  matched: number;
}

export interface WeightedBackend {
  status: BackendStatus;
  /** Share of the rule's traffic, 0..1 (an invalid backend's share is answered 500). */
  share: number;
}

export type GatewayDecision =
  | { kind: 'no-listener'; reason: string }
  | { kind: 'closed'; listener: Listener | undefined; reason: string }
  | {
      kind: 'answer';
      /** Undefined when the Host matched no listener's hostname (the data plane still answers on the port). */
      listener: Listener | undefined;
      status: number;
      grpcStatus: string | undefined;
      location: string | undefined;
      reason: string;
      match: MatchInfo | undefined;
      effects: FilterEffect[];
      backends: WeightedBackend[];
      tls: 'terminated' | undefined;
      /** Headers of the Gateway's own answer (a CORS preflight's). */
      headers?: Header[];
    }
  | {
      kind: 'forward';
      listener: Listener;
      match: MatchInfo | undefined;
      effects: FilterEffect[];
      request: GatewayRequest;
      tls: 'terminated' | 'passthrough' | undefined;
      backends: WeightedBackend[];
      responseHeaders: HeaderModifier[];
      mirrors: BackendStatus[];
      /** The matched HTTPRoute match, for a backendRef's own filters (ReplacePrefixMatch needs it). */
      httpMatch: HttpMatch | undefined;
    };

const PROTOCOLS: Record<GatewayCall['kind'], string[]> = {
  http: ['HTTP'],
  grpc: ['HTTP'],
  https: ['HTTPS', 'TLS'],
  tls: ['TLS', 'HTTPS'],
  tcp: ['TCP'],
  udp: ['UDP'],
};

/** The listener a connection lands on: its port and protocol, then the most specific hostname matching the SNI or Host. */
export function chooseListener(gw: SimGateway, call: GatewayCall): { listener: Listener } | { none: string; byHostname?: true } {
  const id = `Gateway ${gw.namespace}/${gw.name}`;
  const onPort = gw.listeners.filter((l) => l.port === call.port && (l.protocol === 'UDP') === (call.kind === 'udp'));
  if (onPort.length === 0)
    return {
      none: `${id} has no listener on port ${call.port} (its listeners: ${gw.listeners.map((l) => `${l.name} ${l.protocol} ${l.port}`).join(', ')})`,
    };
  const wanted = call.kind === 'grpc' && call.secure ? ['HTTPS'] : PROTOCOLS[call.kind];
  const fitting = onPort.filter((l) => wanted.includes(l.protocol));
  if (fitting.length === 0)
    return {
      none: `${id}'s port ${call.port} speaks ${onPort.map((l) => l.protocol).join('/')}, not ${call.kind === 'grpc' ? 'HTTP/2 cleartext' : call.kind.toUpperCase()}`,
    };
  const programmed = fitting.filter((l) => !l.conflict && !l.unsupported && !l.certificateProblem);
  if (programmed.length === 0) {
    const cert = fitting.find((l) => l.certificateProblem);
    return {
      none: `${id}'s listeners on port ${call.port} are not programmed (${cert?.certificateProblem ? `listener ${cert.name}: ${cert.certificateProblem.reason}, ${cert.certificateProblem.message}` : 'they conflict with another listener'})`,
    };
  }
  const name = call.kind === 'https' || call.kind === 'tls' || call.secure ? call.sni : call.request.host;
  const byName = programmed.filter((l) => l.hostname === undefined || (name !== undefined && hostnameMatches(l.hostname, name)));
  if (byName.length === 0)
    return {
      none: `no listener of ${id} on port ${call.port} takes ${name ?? 'a connection without a server name'} (listener hostnames: ${programmed.map((l) => l.hostname).join(', ')})`,
      byHostname: true,
    };
  const best = byName.reduce((a, b) => (compareSpecificity(b.hostname, a.hostname) > 0 ? b : a));
  return { listener: best };
}

function shares(backends: BackendStatus[]): WeightedBackend[] {
  const total = backends.reduce((s, b) => s + b.ref.weight, 0);
  return backends.map((b) => ({ status: b, share: total > 0 ? b.ref.weight / total : 0 }));
}

/** After a rule matched: its filters, then its backends (or the 500 the spec asks for when none is valid). */
function afterMatch(
  model: GatewayModel,
  listener: Listener,
  call: GatewayCall,
  info: MatchInfo,
  httpMatch: HttpMatch | undefined,
  tls: 'terminated' | undefined,
): GatewayDecision {
  const filtered = applyFilters(call.request, info.rule.filters, httpMatch);
  for (const u of info.rule.unsimulated ?? [])
    filtered.effects.push({ filter: { type: 'Unsupported', name: u.field, fieldPath: u.fieldPath }, detail: u.detail });
  const backends = shares(model.ruleBackends(info.route, info.rule.index));
  const answer = (status: number, reason: string, location?: string, headers?: Header[]): GatewayDecision => ({
    kind: 'answer',
    listener,
    status,
    grpcStatus: call.kind === 'grpc' ? (status === 500 ? 'Unavailable' : undefined) : undefined,
    location,
    reason,
    match: info,
    effects: filtered.effects,
    backends,
    tls,
    ...(headers ? { headers } : {}),
  });
  if (filtered.redirect)
    return answer(filtered.redirect.status, `RequestRedirect answers ${filtered.redirect.status}`, filtered.redirect.location);
  if (filtered.direct) return answer(filtered.direct.status, `its DirectResponse filter answers ${filtered.direct.status}`);
  // A CORS preflight is the Gateway's to answer, whatever the rule's backends are.
  if (filtered.preflight)
    return answer(
      filtered.preflight.status,
      `its CORS filter answers the preflight ${filtered.preflight.status}`,
      undefined,
      filtered.preflight.headers,
    );
  const live = backends.filter((b) => b.share > 0);
  if (live.length === 0)
    return answer(500, info.rule.backendRefs.length === 0 ? 'the rule has no backendRefs' : 'every backendRef of the rule has weight 0');
  if (live.every((b) => !b.status.resolved))
    return answer(500, `no backendRef of the rule is valid (${live.map((b) => `${b.status.reason}: ${b.status.message}`).join('; ')})`);
  const mirrors = filtered.mirrors.flatMap((m) => model.mirrorBackend(info.route, m.backend) ?? []);
  return {
    kind: 'forward',
    listener,
    match: info,
    effects: filtered.effects,
    request: filtered.request,
    tls,
    backends,
    responseHeaders: filtered.responseHeaders,
    mirrors,
    httpMatch,
  };
}

function candidatesOf<M>(
  model: GatewayModel,
  gw: SimGateway,
  listener: Listener,
  kind: RouteKind,
  host: string,
  test: (m: M) => boolean,
  pick: (r: RouteRule) => M[],
) {
  const out: Array<Candidate<M>> = [];
  for (const route of model.routesOn(gw, listener, kind)) {
    const m = routeHostnameMatch(route, listener, host);
    if (m === null) continue;
    for (const rule of route.rules)
      pick(rule).forEach(
        (match, matchIndex) => test(match) && out.push({ route, rule, match, matchIndex, hostname: m.hostname, original: m.original }),
      );
  }
  return out;
}

/** The runner-up: the best candidate of another rule than the winner's. */
function runnerUp<M>(sorted: Array<Candidate<M>>): Candidate<M> | undefined {
  const w = sorted[0];
  return sorted.find((c) => c.rule !== w?.rule || c.route !== w?.route);
}

/** An HTTP request (or gRPC call) on an HTTP or HTTPS listener. */
export function routeHttp(
  model: GatewayModel,
  gw: SimGateway,
  listener: Listener,
  call: GatewayCall,
  tls: 'terminated' | undefined,
): GatewayDecision {
  const req = call.request;
  const considered = model.routesOn(gw, listener, call.kind === 'grpc' ? 'GRPCRoute' : 'HTTPRoute').length;
  const notFound = (what: string): GatewayDecision => ({
    kind: 'answer',
    listener,
    status: 404,
    grpcStatus: call.kind === 'grpc' ? 'Unimplemented' : undefined,
    location: undefined,
    reason: `no ${what} attached to listener ${listener.name} matches (${considered} attached), so the Gateway answers 404`,
    match: undefined,
    effects: [],
    backends: [],
    tls,
  });
  if (call.kind === 'grpc' && call.grpc) {
    const rpc = call.grpc;
    const list = candidatesOf<GrpcMatch>(
      model,
      gw,
      listener,
      'GRPCRoute',
      req.host,
      (m) => grpcMatches(m, rpc, req),
      (r) => r.grpcMatches,
    ).sort(compareGrpc);
    const w = list[0];
    if (!w) return notFound(`GRPCRoute rule for ${rpc.service}/${rpc.method}`);
    const info: MatchInfo = {
      ...w,
      match: describeGrpcMatch(w.match),
      why: whyWins(w, runnerUp(list), true, list.length),
      matched: list.length,
    };
    return afterMatch(model, listener, call, info, undefined, tls);
  }
  const list = candidatesOf<HttpMatch>(
    model,
    gw,
    listener,
    'HTTPRoute',
    req.host,
    (m) => httpMatches(m, req),
    (r) => r.matches,
  ).sort(compareHttp);
  const w = list[0];
  if (!w) return notFound(`HTTPRoute rule for ${req.host}${req.path}`);
  const info: MatchInfo = {
    ...w,
    match: describeHttpMatch(w.match),
    why: whyWins(w, runnerUp(list), false, list.length),
    matched: list.length,
  };
  return afterMatch(model, listener, call, info, w.match, tls);
}

/** A TLS connection on a TLS listener: TLSRoutes by SNI (passthrough or terminated), or an HTTPS listener's routes. */
function routeTls(model: GatewayModel, gw: SimGateway, listener: Listener, call: GatewayCall): GatewayDecision {
  const sni = call.sni ?? call.request.host;
  if (listener.protocol === 'HTTPS')
    return routeHttp(model, gw, listener, { ...call, request: { ...call.request, host: sni } }, 'terminated');
  const kinds: RouteKind[] = listener.tlsMode === 'Terminate' ? ['TLSRoute', 'TCPRoute'] : ['TLSRoute'];
  const routes = kinds.flatMap((k) => model.routesOn(gw, listener, k));
  const scored = routes
    .map((route) => ({
      route,
      m: route.kind === 'TCPRoute' ? { hostname: listener.hostname, original: undefined } : routeHostnameMatch(route, listener, sni),
    }))
    .flatMap(({ route, m }) => (m !== null && route.rules.length > 0 ? [{ route, hostname: m.hostname, original: m.original }] : []))
    .sort(
      (a, b) => compareSpecificity(b.hostname, a.hostname) || compareSpecificity(b.original, a.original) || olderFirst(a.route, b.route),
    );
  const w = scored[0];
  if (!w)
    return {
      kind: 'closed',
      listener,
      reason: `no TLSRoute attached to listener ${listener.name} takes SNI ${sni}, so the Gateway closes the connection`,
    };
  return streamRoute(
    model,
    listener,
    call,
    w.route,
    w.hostname,
    listener.tlsMode === 'Passthrough' ? 'passthrough' : 'terminated',
    scored.length,
  );
}

function olderFirst(a: SimRoute, b: SimRoute): number {
  if (a.created !== b.created) return a.created === undefined ? 1 : b.created === undefined ? -1 : a.created < b.created ? -1 : 1;
  return a.order - b.order;
}

function streamRoute(
  model: GatewayModel,
  listener: Listener,
  call: GatewayCall,
  route: SimRoute,
  hostname: string | undefined,
  tls: 'terminated' | 'passthrough' | undefined,
  count: number,
): GatewayDecision {
  const rule = route.rules[0] as RouteRule;
  const info: MatchInfo = {
    route,
    rule,
    matchIndex: 0,
    hostname,
    match: route.kind === 'TLSRoute' ? `SNI ${call.sni ?? ''}${hostname ? ` by hostname ${hostname}` : ''}` : `port ${listener.port}`,
    why:
      count > 1
        ? `the ${route.kind === 'TLSRoute' ? 'most specific hostname, then the oldest' : 'oldest'} of ${count} routes on the listener`
        : 'the only route on the listener',
    matched: count,
  };
  const backends = shares(model.ruleBackends(route, rule.index));
  if (!backends.some((b) => b.share > 0 && b.status.resolved))
    return {
      kind: 'closed',
      listener,
      reason: `${route.kind} ${route.namespace}/${route.name} has no valid backend, so the Gateway closes the connection`,
    };
  return {
    kind: 'forward',
    listener,
    match: info,
    effects: [],
    request: call.request,
    tls,
    backends,
    responseHeaders: [],
    mirrors: [],
    httpMatch: undefined,
  };
}

/** Routes one call through a Gateway. */
export function routeCall(model: GatewayModel, gw: SimGateway, call: GatewayCall): GatewayDecision {
  const chosen = chooseListener(gw, call);
  if ('none' in chosen) {
    // The port is served: an HTTP request for a host no listener takes gets the data plane's 404, a TLS handshake for such a name is refused.
    if (chosen.byHostname && (call.kind === 'http' || call.kind === 'grpc'))
      return {
        kind: 'answer',
        listener: undefined,
        status: 404,
        grpcStatus: call.kind === 'grpc' ? 'Unimplemented' : undefined,
        location: undefined,
        reason: `${chosen.none}, so the Gateway answers 404`,
        match: undefined,
        effects: [],
        backends: [],
        tls: undefined,
      };
    if (chosen.byHostname) return { kind: 'closed', listener: undefined, reason: `${chosen.none}, so the TLS handshake fails` };
    return { kind: 'no-listener', reason: chosen.none };
  }
  const { listener } = chosen;
  switch (call.kind) {
    case 'http':
    case 'grpc':
      return routeHttp(model, gw, listener, call, listener.protocol === 'HTTPS' ? 'terminated' : undefined);
    case 'https': {
      if (listener.protocol === 'TLS') return routeTls(model, gw, listener, call);
      // A Host that another listener (or none) would take than the one the SNI chose is misdirected.
      if (call.sni !== undefined && call.request.host !== call.sni) {
        const byHost = chooseListener(gw, { ...call, sni: call.request.host });
        if (!('listener' in byHost) || byHost.listener !== listener)
          return {
            kind: 'answer',
            listener,
            status: 421,
            grpcStatus: undefined,
            location: undefined,
            reason: `the TLS connection is for ${call.sni} (listener ${listener.name}) but the request names Host ${call.request.host}, which that listener does not serve: 421 Misdirected Request`,
            match: undefined,
            effects: [],
            backends: [],
            tls: 'terminated',
          };
      }
      return routeHttp(model, gw, listener, call, 'terminated');
    }
    case 'tls':
      return routeTls(model, gw, listener, call);
    case 'tcp':
    case 'udp': {
      const routes = model
        .routesOn(gw, listener, call.kind === 'tcp' ? 'TCPRoute' : 'UDPRoute')
        .filter((r) => r.rules.length > 0)
        .sort(olderFirst);
      const route = routes[0];
      if (!route)
        return {
          kind: 'closed',
          listener,
          reason: `no ${call.kind === 'tcp' ? 'TCPRoute' : 'UDPRoute'} is attached to listener ${listener.name}`,
        };
      return streamRoute(model, listener, call, route, undefined, undefined, routes.length);
    }
  }
}
