// A Gateway's part of a trace: the listener that takes the connection, TLS termination or
// passthrough, the route rule whose match wins (and why it beat the others), each filter as a
// hop, the weighted backendRefs as candidates, and the data plane's own connection to one
// endpoint of the chosen Service, with NetworkPolicy on that hop as on any pod's.
import { fnv1a } from '../hash';
import { isIP } from '../cluster/ipam';
import { categorizeEndpoints, endpointString } from '../dataplane/kubeProxy';
import { locate, serviceId, type SimPod } from '../cluster/model';
import { backendTlsPolicies } from '../gateway/backendTls';
import { applyFilters, responseHeaders } from '../gateway/filters';
import { routeCall, type GatewayCall, type GatewayDecision, type WeightedBackend } from '../gateway/routing';
import type { GatewayRequest, Listener, SimGateway } from '../gateway/types';
import { fail, pendingBehind, type Outcome, type Packet, type TraceContext } from './context';
import { toPod } from './legs';
import { leaveCluster } from './edge';
import { round } from './steps';
import type { Target, TraceCandidate, TraceRequest } from './types';
import { podById, podByIp } from './lookup';

function listenerText(l: Listener): string {
  return `${l.name} (${l.protocol} ${l.port}${l.hostname ? `, ${l.hostname}` : ''})`;
}

/** The call a target makes once at the Gateway: an HTTP request, a gRPC call, a TLS connection, or plain TCP/UDP. */
export function gatewayCall(ctx: TraceContext, target: Target, port: number): GatewayCall | { error: string } {
  const scheme = target.scheme;
  const kind: GatewayCall['kind'] =
    scheme === 'grpc' || scheme === 'grpcs'
      ? 'grpc'
      : scheme === 'https'
        ? 'https'
        : scheme === 'tls'
          ? 'tls'
          : scheme === 'http'
            ? 'http'
            : ctx.protocol === 'UDP'
              ? 'udp'
              : 'tcp';
  const path = target.path;
  const hostHeader = ctx.http.headers.find((h) => h.name.toLowerCase() === 'host')?.value;
  const host = (hostHeader ?? target.host).toLowerCase().replace(/:\d+$/, '');
  let grpc: GatewayCall['grpc'];
  if (kind === 'grpc') {
    const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) return { error: `${target.text}: a gRPC target is grpc://HOST[:PORT]/SERVICE/METHOD` };
    grpc = { service: m[1] as string, method: m[2] as string };
  }
  const headers = ctx.http.headers.filter((h) => h.name.toLowerCase() !== 'host');
  if (kind === 'grpc' && !headers.some((h) => h.name.toLowerCase() === 'content-type'))
    headers.push({ name: 'content-type', value: 'application/grpc' });
  const request: GatewayRequest = {
    scheme: kind === 'https' || kind === 'tls' || scheme === 'grpcs' ? 'https' : 'http',
    host,
    port,
    path: path || '/',
    query: target.query ?? '',
    method: ctx.http.method ?? (kind === 'grpc' ? 'POST' : 'GET'),
    headers,
  };
  const secure = scheme === 'grpcs';
  const sni = (kind === 'https' || kind === 'tls' || secure) && !isIP(target.host) ? target.host : undefined;
  return { kind, port, request, sni, grpc, secure };
}

function asRecord(headers: ReadonlyArray<{ name: string; value: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) out[h.name] = h.value;
  return out;
}

/** Pushes the hops of the Gateway's decision (TLS, the listener and match, each filter). */
function decisionHops(ctx: TraceContext, gw: SimGateway, node: string | null, call: GatewayCall, d: GatewayDecision): void {
  const gwId = `${gw.namespace}/${gw.name}`;
  const listener = d.kind === 'no-listener' ? undefined : d.listener;
  if (!listener) {
    const why = d.kind === 'forward' ? '' : d.reason;
    ctx.hops.push({
      kind: 'gateway',
      node,
      gateway: gwId,
      listener: undefined,
      host: call.request.host,
      path: call.request.path,
      route: undefined,
      rule: undefined,
      match: '',
      why,
      range: locate(gw.origin, ['spec', 'listeners']),
    });
    return;
  }
  const tls = d.kind === 'answer' || d.kind === 'forward' ? d.tls : undefined;
  if (tls) {
    const cert = listener.certificateRefs[0];
    ctx.hops.push({
      kind: 'tls',
      node,
      host: call.sni ?? call.request.host,
      secretName: tls === 'terminated' && cert ? `${cert.namespace}/${cert.name}` : undefined,
      ingress: undefined,
      range: locate(gw.origin, [...listener.fieldPath, 'tls']),
      gateway: { gateway: gwId, listener: listener.name, mode: tls },
    });
  }
  const m = d.kind === 'answer' || d.kind === 'forward' ? d.match : undefined;
  ctx.hops.push({
    kind: 'gateway',
    node,
    gateway: gwId,
    listener: listenerText(listener),
    host: call.request.host,
    path: call.kind === 'tls' || call.kind === 'tcp' || call.kind === 'udp' ? '' : call.request.path,
    route: m ? `${m.route.kind} ${m.route.namespace}/${m.route.name}` : undefined,
    rule: m ? `${m.rule.index}${m.rule.name ? ` (${m.rule.name})` : ''}` : undefined,
    match: m?.match ?? '',
    why: m ? m.why : d.kind === 'closed' || d.kind === 'answer' ? d.reason : 'no match',
    range: m
      ? locate(m.route.origin, m.rule.matches[m.matchIndex]?.fieldPath ?? m.rule.grpcMatches[m.matchIndex]?.fieldPath ?? m.rule.fieldPath)
      : locate(gw.origin, listener.fieldPath),
  });
  const effects = d.kind === 'answer' || d.kind === 'forward' ? d.effects : [];
  for (const e of effects) {
    const origin = m?.route.origin;
    ctx.hops.push({
      kind: 'filter',
      node,
      filter: e.filter.type === 'Unsupported' ? e.filter.name : e.filter.type,
      detail: e.detail,
      range: origin ? locate(origin, e.filter.fieldPath) : undefined,
    });
  }
}

/** The candidates of a weighted backend list: each Service's endpoints sharing its weight, an invalid backend's share as a 500. */
function weightedCandidates(backends: WeightedBackend[]): Array<TraceCandidate & { backend: WeightedBackend }> {
  const out: Array<TraceCandidate & { backend: WeightedBackend }> = [];
  for (const b of backends) {
    if (b.share <= 0) continue;
    const svc = b.status.service;
    const id = `${b.status.ref.namespace}/${b.status.ref.name}`;
    const eps =
      b.status.resolved && svc && b.status.port ? categorizeEndpoints(svc, svc.ports.indexOf(b.status.port), undefined).cluster : [];
    if (!b.status.resolved)
      out.push({ pod: '', ip: '', port: 0, node: null, weight: round(b.share), chosen: false, service: id, status: 500, backend: b });
    else if (svc?.type === 'ExternalName' || eps.length === 0)
      out.push({
        pod: '',
        ip: '',
        port: 0,
        node: null,
        weight: round(b.share),
        chosen: false,
        service: id,
        ...(svc?.type === 'ExternalName' ? {} : { status: 503 }),
        backend: b,
      });
    else
      for (const e of eps)
        out.push({
          pod: e.pod,
          ip: e.ip,
          port: e.port,
          node: e.node ?? null,
          weight: round(b.share / eps.length),
          chosen: false,
          service: id,
          backend: b,
        });
  }
  return out;
}

/** Continues a trace that reached a pod of Gateway `gw`'s data plane on `port` (a listener's port). */
export function gatewayLeg(ctx: TraceContext, pkt: Packet, gw: SimGateway, pod: SimPod, port: number, target: Target): Outcome {
  const node = pod.node ?? null;
  const gwId = `${gw.namespace}/${gw.name}`;
  const call = gatewayCall(ctx, target, port);
  if ('error' in call) return fail('unrouted', call.error);
  const d = routeCall(ctx.a.gateway, gw, call);
  decisionHops(ctx, gw, node, call, d);
  ctx.candidates = [];
  if (d.kind === 'no-listener') return fail('unrouted', d.reason);
  if (d.kind === 'closed') {
    ctx.hops.push({
      kind: 'reject',
      node,
      rule: `Gateway ${gwId}${d.listener ? ` listener ${d.listener.name}` : ''}`,
      reason: d.reason,
      range: locate(gw.origin, d.listener?.fieldPath ?? ['spec', 'listeners']),
    });
    return fail('refused', d.reason);
  }
  if (d.kind === 'answer') {
    ctx.response = {
      status: d.status,
      ...(d.location ? { location: d.location } : {}),
      ...(d.grpcStatus ? { grpcStatus: d.grpcStatus } : {}),
      ...(d.headers && d.headers.length > 0 ? { headers: asRecord(d.headers) } : {}),
    };
    ctx.candidates = weightedCandidates(d.backends).map(({ backend: _b, ...c }) => c);
    if (d.location) {
      const f = d.effects.find((e) => e.filter.type === 'RequestRedirect');
      ctx.hops.push({
        kind: 'redirect',
        node,
        status: d.status,
        location: d.location,
        range: f && d.match ? locate(d.match.route.origin, f.filter.fieldPath) : undefined,
      });
      return fail(
        'redirected',
        `Gateway ${gwId} answers ${d.status} with Location ${d.location} (RequestRedirect of ${d.match ? `${d.match.route.kind} ${d.match.route.namespace}/${d.match.route.name} rule ${d.match.rule.index}` : 'the rule'}); nothing reaches a pod`,
      );
    }
    return fail('unrouted', `Gateway ${gwId} answers ${d.status}${d.grpcStatus ? ` (gRPC ${d.grpcStatus})` : ''}: ${d.reason}`);
  }
  // Weighted backendRefs: the share this request falls into (a stable pick, as the trace picks endpoints).
  const candidates = weightedCandidates(d.backends);
  const total = candidates.reduce((s, c) => s + c.weight, 0);
  let at = ((fnv1a(`${pkt.clientIP}|${gwId}|${call.request.host}${call.request.path}`) % 1_000_000) / 1_000_000) * total;
  const chosen = candidates.find((c) => (at -= c.weight) < 0) ?? candidates[candidates.length - 1];
  ctx.candidates = candidates.map(({ backend: _b, ...c }, i) => ({ ...c, chosen: candidates[i] === chosen }));
  if (!chosen) return fail('unrouted', `Gateway ${gwId} has no backend to send to`);
  const b = chosen.backend;
  const svcId = `${b.status.ref.namespace}/${b.status.ref.name}`;
  const others = candidates.filter((c) => c.status !== undefined && c.backend !== b).reduce((s, c) => s + c.weight, 0);
  const caveat = others > 0 ? ` (${Math.round(others * 1000) / 10}% of such requests get an error answer instead: see candidates)` : '';
  if (!b.status.resolved) {
    ctx.response = { status: 500 };
    return fail('unrouted', `Gateway ${gwId} answers 500 for this request's share of ${svcId}: ${b.status.reason}, ${b.status.message}`);
  }
  const own = applyFilters(d.request, b.status.ref.filters, d.httpMatch);
  for (const e of own.effects)
    ctx.hops.push({
      kind: 'filter',
      node,
      filter: e.filter.type === 'Unsupported' ? e.filter.name : e.filter.type,
      detail: `${e.detail} (backendRef ${svcId})`,
      range: d.match ? locate(d.match.route.origin, e.filter.fieldPath) : undefined,
    });
  // A backendRef's own RequestRedirect (or DirectResponse) answers for the share of traffic that picks it.
  if (own.redirect) {
    ctx.response = { status: own.redirect.status, location: own.redirect.location };
    ctx.hops.push({
      kind: 'redirect',
      node,
      status: own.redirect.status,
      location: own.redirect.location,
      range: d.match ? locate(d.match.route.origin, own.redirect.filter.fieldPath) : undefined,
    });
    return fail(
      'redirected',
      `Gateway ${gwId} answers ${own.redirect.status} with Location ${own.redirect.location} (RequestRedirect of backendRef ${svcId}); nothing reaches a pod${caveat}`,
    );
  }
  if (own.direct) {
    ctx.response = { status: own.direct.status };
    return fail(
      'unrouted',
      `Gateway ${gwId} answers ${own.direct.status} (DirectResponse of backendRef ${svcId}); nothing reaches a pod${caveat}`,
    );
  }
  const req = own.request;
  const http =
    call.kind === 'http' ||
    call.kind === 'https' ||
    call.kind === 'grpc' ||
    (call.kind === 'tls' && d.tls === 'terminated' && d.listener.protocol === 'HTTPS');
  if (http || call.kind === 'tls') {
    const request: TraceRequest = http
      ? { method: req.method, host: req.host, path: `${req.path}${req.query ? `?${req.query}` : ''}`, headers: asRecord(req.headers) }
      : { method: '', host: call.sni ?? req.host, path: '', headers: {} };
    if (d.tls) request.tls = d.tls;
    ctx.request = request;
  }
  const rh = responseHeaders([...d.responseHeaders, ...own.responseHeaders], ctx.http.responseHeaders);
  if (rh.length > 0) ctx.response = { headers: asRecord(rh) };
  ctx.service = svcId;
  const svc = b.status.service;
  if (!svc) return fail('unrouted', `Service ${svcId} does not exist`);
  for (const n of backendTlsPolicies(ctx.a.cluster.objects, svc.namespace, svc.name, b.status.port?.name))
    ctx.hops.push({
      kind: 'filter',
      node,
      filter: 'BackendTLSPolicy',
      detail: n.detail,
      range: n.policy.locate(['spec', 'targetRefs', n.index]),
    });
  const proxied: Packet = {
    srcIP: pod.ip ?? pkt.srcIP,
    srcPort: 'ephemeral',
    clientIP: pkt.clientIP,
    at: ctx.a.cluster.nodes.find((n) => n.name === pod.node),
    legStart: 'outside',
    sender: pod,
    seenAs: { kind: 'pod', pod },
    snatNode: undefined,
    originalPeer: { kind: 'pod', pod },
  };
  const start = proxied.at;
  if (start && pod.ip) proxied.legStart = { node: start, ip: pod.ip, pod };
  if (svc.type === 'ExternalName' && svc.externalName)
    return leaveCluster(ctx, proxied, svc.externalName, `${svc.externalName}:${b.status.ref.port ?? 80}`);
  if (chosen.status === 503) {
    ctx.hops.push({
      kind: 'reject',
      node,
      rule: 'the data plane has no healthy upstream',
      reason: `Service ${serviceId(svc)} has no ready endpoints; the Gateway answers 503`,
      range: locate(svc.origin, ['spec', 'selector']),
    });
    ctx.response = { status: 503 };
    return fail(
      'refused',
      `Service ${serviceId(svc)} behind Gateway ${gwId} has no ready endpoints${pendingBehind(ctx.a.cluster.pods, svc)}, so the Gateway answers 503${caveat}`,
    );
  }
  const target2 = podById(ctx.a.cluster, chosen.pod) ?? podByIp(ctx.a.cluster, chosen.ip);
  if (!target2) return leaveCluster(ctx, proxied, chosen.ip, endpointString({ ip: chosen.ip, port: chosen.port }));
  const out = toPod(ctx, proxied, target2, chosen.port, undefined);
  return caveat && out.verdict === 'delivered' ? { ...out, reason: `${out.reason}${caveat}` } : out;
}
