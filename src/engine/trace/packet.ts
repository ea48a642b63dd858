// A packet's walk from a source to a target, hop by hop, as the cluster would carry it: DNS from
// the source pod, kube-proxy's DNAT (or Cilium's socket LB), NodePorts and load balancers,
// ingress controllers, NetworkPolicy on both ends, the CNI's data path, and the reply's way back.
import type { Analysis } from '../analyze';
import { locate, podId, serviceId, type Protocol, type SimPod, type SimService } from '../cluster/model';
import { isIP } from '../cluster/ipam';
import type { SimGateway } from '../gateway/types';
import { resolveFromPod } from './dns';
import type { Source } from './sources';
import { NO_POLICIES, type PolicyOracle } from '../policy/oracle';
import { fail, notRunning, type Outcome, type Packet, type TraceContext } from './context';
import { toAddress, viaLoadBalancer } from './legs';
import { explainBalancerName } from './outsideBalancer';
import { leaveCluster } from './edge';
import { ingressLeg } from './ingress';
import { gatewayLeg } from './gateway';
import { albLeg } from './alb';
import { replyPath } from './reply';
import { parseTarget } from './target';
import type { Target, TraceResult, TraceSourceInfo } from './types';

export interface TraceOptions {
  /** The NetworkPolicy oracle; defaults to the analysis's policy engine. */
  policies?: PolicyOracle;
  /** The request's method (`--method`): GET by default, POST for gRPC. */
  method?: string;
  /** Request headers (`--header 'NAME: VALUE'`); `Host` sets the Host header the routes match. */
  headers?: Array<{ name: string; value: string }>;
  /** `NAMESPACE/NAME` of the Gateway to enter by (`--via`), whatever the host resolves to. */
  via?: string;
  /** Headers the backend answers with (`--response-header`), for ResponseHeaderModifier filters to act on. */
  responseHeaders?: Array<{ name: string; value: string }>;
}

/**
 * Traces one connection from `source` to `target` (a URL, HOST:PORT or IP:PORT). Always returns
 * a result: a target that does not parse is `unresolved` with the parse error as its reason.
 */
export function tracePacket(
  analysis: Analysis,
  source: Source,
  target: string | Target,
  protocol: Protocol = 'TCP',
  options: TraceOptions = {},
): TraceResult {
  return walk(analysis, source, target, protocol, options, true);
}

/** What a trace ends with, without its explanation: the verdict and its reason. */
export interface TraceEnd {
  verdict: TraceResult['verdict'];
  reason: string;
}

/**
 * The verdict and reason `tracePacket` gives for the same arguments, without building what only
 * the explanation needs (the reply's way back and the result's assembly): the same walk decides
 * both, so they cannot disagree. For the topology's map, which traces every call the manifests make.
 */
export function traceVerdict(
  analysis: Analysis,
  source: Source,
  target: string | Target,
  protocol: Protocol = 'TCP',
  options: TraceOptions = {},
): TraceEnd {
  return walk(analysis, source, target, protocol, options, false);
}

function walk(
  analysis: Analysis,
  source: Source,
  target: string | Target,
  protocol: Protocol,
  options: TraceOptions,
  explain: true,
): TraceResult;
function walk(
  analysis: Analysis,
  source: Source,
  target: string | Target,
  protocol: Protocol,
  options: TraceOptions,
  explain: false,
): TraceEnd;
function walk(
  analysis: Analysis,
  source: Source,
  target: string | Target,
  protocol: Protocol,
  options: TraceOptions,
  explain: boolean,
): TraceResult | TraceEnd {
  const oracle = options.policies ?? (analysis as { policies?: PolicyOracle }).policies ?? NO_POLICIES;
  const ctx: TraceContext = {
    a: analysis,
    oracle,
    protocol,
    hops: [],
    candidates: [],
    legs: [],
    nats: [],
    unenforced: [],
    http: { method: options.method, headers: options.headers ?? [], via: options.via, responseHeaders: options.responseHeaders ?? [] },
    service: undefined,
    response: undefined,
    request: undefined,
  };
  const info = sourceInfo(source);
  const parsed = typeof target === 'string' ? parseTarget(target) : { ok: true as const, target };
  // Only an unparsable string gets here; a Target given as an object always parses.
  const targetText = typeof target === 'string' ? target : target.text;
  const tgt: Target = parsed.ok
    ? parsed.target
    : { text: targetText, scheme: undefined, host: targetText, port: 0, path: '/', literal: false };
  if (parsed.ok) {
    ctx.http.host = tgt.host;
    ctx.http.path = tgt.path;
    ctx.http.scheme = tgt.scheme;
  }
  const pkt = startPacket(analysis, source);
  // The reply ends where the first leg began, even when the packet left and came back (a balancer outside).
  const firstLeg = pkt.legStart;
  let outcome: Outcome;
  if (!parsed.ok) outcome = fail('unresolved', parsed.message);
  else if (source.kind === 'pod' && (!source.pod.ip || !source.pod.node))
    outcome = fail('unrouted', `${notRunning(source.pod)}, so it sends nothing`);
  else outcome = run(ctx, pkt, source, tgt);
  let reason = outcome.reason;
  if (outcome.verdict === 'delivered' && ctx.unenforced.length > 0) {
    reason += `. NetworkPolicy would drop it (${ctx.unenforced.join('; ')}), but ${analysis.cluster.settings.cni} does not enforce NetworkPolicy`;
  }
  if (!explain) return { verdict: outcome.verdict, reason };
  const destination =
    outcome.destination?.kind === 'pod' && ctx.service ? { ...outcome.destination, service: ctx.service } : outcome.destination;
  const result: TraceResult = {
    verdict: outcome.verdict,
    reason,
    source: info,
    target: tgt,
    protocol,
    destination,
    sourceIPAtDestination: outcome.sourceIPAtDestination,
    hops: ctx.hops,
    candidates: ctx.candidates,
    reply: outcome.verdict === 'delivered' ? replyPath(ctx, { ...pkt, legStart: firstLeg }, outcome) : [],
  };
  if (ctx.response) result.response = ctx.response;
  if (ctx.request) result.request = ctx.request;
  if (ctx.ingressController) result.ingressController = ctx.ingressController;
  return result;
}

function sourceInfo(s: Source): TraceSourceInfo {
  switch (s.kind) {
    case 'pod':
      return { kind: 'pod', name: podId(s.pod), ip: s.pod.ip, node: s.pod.node };
    case 'external':
      return { kind: 'external', name: 'external', ip: s.ip, node: undefined };
    case 'node':
      return { kind: 'node', name: `node/${s.node.name}`, ip: s.node.ip, node: s.node.name };
  }
}

function startPacket(a: Analysis, s: Source): Packet {
  switch (s.kind) {
    case 'pod': {
      const node = a.cluster.nodes.find((n) => n.name === s.pod.node);
      const ip = s.pod.ip ?? '';
      return {
        srcIP: ip,
        srcPort: 'ephemeral',
        clientIP: ip,
        at: node,
        legStart: node ? { node, ip, pod: s.pod } : 'outside',
        sender: s.pod,
        seenAs: { kind: 'pod', pod: s.pod },
        snatNode: undefined,
        originalPeer: { kind: 'pod', pod: s.pod },
      };
    }
    case 'external':
      return {
        srcIP: s.ip,
        srcPort: 'ephemeral',
        clientIP: s.ip,
        at: undefined,
        legStart: 'outside',
        sender: undefined,
        seenAs: { kind: 'external', ip: s.ip },
        snatNode: undefined,
        originalPeer: { kind: 'external', ip: s.ip },
      };
    case 'node':
      return {
        srcIP: s.node.ip,
        srcPort: 'ephemeral',
        clientIP: s.node.ip,
        at: s.node,
        legStart: { node: s.node, ip: s.node.ip, pod: undefined },
        sender: undefined,
        seenAs: { kind: 'external', ip: s.node.ip },
        snatNode: undefined,
        originalPeer: { kind: 'external', ip: s.node.ip },
      };
  }
}

function run(ctx: TraceContext, pkt: Packet, source: Source, target: Target): Outcome {
  let outcome: Outcome;
  // The address the packet was sent to, to tell which Gateway a data-plane pod serves it for.
  let entered: string | undefined;
  if (ctx.http.via !== undefined) {
    const via = viaGateway(ctx, pkt, target);
    if ('outcome' in via) return via.outcome;
    entered = via.ip;
    outcome = toAddress(ctx, pkt, via.ip, target.port);
  } else if (target.literal) {
    entered = target.host;
    const alb = source.kind !== 'pod' ? ctx.a.ingress.albByAddress(target.host) : undefined;
    if (alb) return albLeg(ctx, pkt, alb.controller, alb.lb, target);
    outcome = toAddress(ctx, pkt, target.host, target.port);
  } else if (source.kind === 'pod') {
    const r = resolveFromPod(ctx, source.pod, target.host);
    if ('outcome' in r) return r.outcome;
    if ('external' in r && lbByHostname(ctx, target.host)) {
      // Upstream DNS answers the balancer's name with its own address: the packet goes out to it.
      const svc = lbByHostname(ctx, target.host) as SimService;
      explainBalancerName(ctx, svc, target.host);
      outcome = viaLoadBalancer(ctx, pkt, svc, target.port);
    } else if ('external' in r) {
      const claimed = gatewayAddressFor(ctx, target.host, pkt.at?.name ?? null, 'upstream DNS');
      if (!claimed) return leaveCluster(ctx, pkt, r.external, `${r.external}:${target.port}`, r.unknown);
      entered = claimed;
      outcome = toAddress(ctx, pkt, claimed, target.port);
    } else {
      entered = r.ip;
      outcome = toAddress(ctx, pkt, r.ip, target.port);
    }
  } else if (source.kind === 'external' && lbByHostname(ctx, target.host)) {
    // The balancer's name (status.loadBalancer.ingress[].hostname) resolves in public DNS to the balancer itself.
    const svc = lbByHostname(ctx, target.host) as SimService;
    ctx.hops.push({
      kind: 'route',
      node: null,
      route: `${target.host} → the load balancer of Service ${serviceId(svc)}`,
      note: "public DNS answers the balancer's own name (status.loadBalancer.ingress hostname); its addresses are the cloud's, not known here",
    });
    outcome = viaLoadBalancer(ctx, pkt, svc, target.port);
  } else if (source.kind === 'external') {
    const r = resolveFromOutside(ctx, target.host);
    if ('outcome' in r) return r.outcome;
    const alb = ctx.a.ingress.albByAddress(r.ip);
    if (alb) return albLeg(ctx, pkt, alb.controller, alb.lb, target);
    entered = r.ip;
    outcome = toAddress(ctx, pkt, r.ip, target.port);
  } else {
    return fail(
      'unresolved',
      `${target.host}: a node resolves names with its own resolv.conf, which does not use cluster DNS; trace from a pod, or give an IP:PORT target`,
    );
  }
  const d = outcome.delivered;
  if (!d) return outcome;
  // A request that reached a Gateway's data plane continues through the Gateway.
  const gw = gatewayServing(ctx, d.pod, entered);
  if (gw) return gatewayLeg(ctx, { ...pkt, at: d.node }, gw, d.pod, d.port, target);
  // A request that reached an ingress controller continues through the controller.
  const controller = ctx.a.ingress.controllerOfPod(d.pod);
  if (controller?.dataPlane && (d.port === controller.dataPlane.httpPort || d.port === controller.dataPlane.httpsPort)) {
    return ingressLeg(ctx, { ...pkt, at: d.node }, controller, d.pod, d.port, target);
  }
  return outcome;
}

/** The Gateway a data-plane pod carries this packet for: by the address it was sent to, else the pod's own Gateway. */
function gatewayServing(ctx: TraceContext, pod: SimPod, entered: string | undefined): SimGateway | undefined {
  const model = ctx.a.gateway;
  if (!model.isDataPlanePod(pod)) return undefined;
  const mine = (g: SimGateway | undefined) => g?.dataPlane?.pods.some((p) => podId(p) === podId(pod)) === true;
  const byAddress = entered !== undefined && isIP(entered) ? model.gatewayByAddress(entered) : undefined;
  if (mine(byAddress)) return byAddress;
  const own = model.gateways.filter(mine);
  return own.length === 1 ? own[0] : undefined;
}

/** `--via NAMESPACE/NAME`: the Gateway's address, whatever the host would resolve to. */
function viaGateway(ctx: TraceContext, pkt: Packet, target: Target): { ip: string } | { outcome: Outcome } {
  const via = ctx.http.via ?? '';
  const [ns, name, extra] = via.split('/');
  const gw = ns && name && extra === undefined ? ctx.a.gateway.findGateway(ns, name) : undefined;
  if (!gw) {
    const known = ctx.a.gateway.gateways.map((g) => `${g.namespace}/${g.name}`).join(', ') || 'none';
    return { outcome: fail('unresolved', `--via ${via}: no Gateway of that name (Gateways: ${known})`) };
  }
  const ip = gw.addresses[0];
  if (!gw.dataPlane || ip === undefined)
    return {
      outcome: fail(
        'unrouted',
        `Gateway ${via} is not programmed: ${gw.gatewayClass ? 'it has no address' : `its GatewayClass ${gw.className || '(none)'} does not exist, so no controller serves it`}`,
      ),
    };
  ctx.hops.push({
    kind: 'dns',
    node: pkt.at?.name ?? null,
    query: target.host,
    server: undefined,
    searched: [],
    rcode: 'NOERROR',
    resolvedName: target.host,
    answers: [`A ${ip}`],
    forwarded: false,
    cname: undefined,
    meaning: `--via ${via}: the request is sent to the Gateway's address, whatever ${target.host} resolves to`,
    range: locate(gw.origin, ['metadata', 'name']),
  });
  return { ip };
}

/** The address of the Gateway that claims `host` (public DNS assumed to point there), with its DNS hop; undefined when none does. */
function gatewayAddressFor(ctx: TraceContext, host: string, node: string | null, server: string): string | undefined {
  const claim = ctx.a.gateway.gatewaysForHost(host)[0];
  const ip = claim?.gateway.addresses[0];
  if (!claim || ip === undefined) return undefined;
  const gw = claim.gateway;
  const ingress = ctx.a.ingress.ingressesForHost(host)[0];
  const both = ingress
    ? `; Ingress ${ingress.namespace}/${ingress.name} names it too, and the Gateway listener is taken first (the DNS record decides on a real cluster)`
    : '';
  ctx.hops.push({
    kind: 'dns',
    node,
    query: host,
    server,
    searched: [host],
    rcode: 'NOERROR',
    resolvedName: host,
    answers: [`A ${ip}`],
    forwarded: false,
    cname: undefined,
    meaning: `served by Gateway ${gw.namespace}/${gw.name} (${claim.claim}): assumed to point at its address${both}`,
    range: locate(gw.origin, ['metadata', 'name']),
  });
  return ip;
}

/**
 * From outside, only hosts a Gateway or an Ingress rule serves resolve (to its load balancer; a Gateway
 * first); an Ingress rule without a host matches every host, so any name is taken to point at its controller.
 */
function resolveFromOutside(ctx: TraceContext, host: string): { ip: string } | { outcome: Outcome } {
  const viaGatewayIP = gatewayAddressFor(ctx, host, null, 'public DNS');
  if (viaGatewayIP) return { ip: viaGatewayIP };
  const { ingress } = ctx.a;
  const controller = ingress.controllersForHost(host)[0];
  const albIng =
    controller?.profile.dataPlane === 'outside'
      ? (controller.ingresses.find((i) => ingress.ruleForHost(i, host)?.hostless === false) ??
        controller.ingresses.find((i) => ingress.ruleForHost(i, host) !== undefined) ??
        controller.ingresses.find((i) => i.defaultBackend !== undefined))
      : undefined;
  const lb = albIng ? ingress.albOf(albIng) : undefined;
  if (lb && albIng) {
    ctx.hops.push({
      kind: 'dns',
      node: null,
      query: host,
      server: 'public DNS',
      searched: [host],
      rcode: 'NOERROR',
      resolvedName: host,
      answers: [`CNAME ${lb.hostname}`, `A ${lb.address}`],
      forwarded: false,
      cname: lb.hostname,
      meaning: `a host of Ingress ${albIng.namespace}/${albIng.name}: assumed to point at its ALB ${lb.hostname} (${lb.scheme}), outside the cluster`,
      range: locate(albIng.origin, ['metadata', 'name']),
    });
    return { ip: lb.address };
  }
  if (controller?.service?.loadBalancerIP) {
    const ing =
      controller.ingresses.find((i) => ingress.ruleForHost(i, host)?.hostless === false) ??
      controller.ingresses.find((i) => ingress.ruleForHost(i, host) !== undefined) ??
      controller.ingresses.find((i) => i.defaultBackend !== undefined);
    const rule = ing ? ingress.ruleForHost(ing, host) : undefined;
    const field = rule ? ['spec', 'rules', rule.index, ...(rule.hostless ? [] : ['host'])] : ['spec', 'defaultBackend'];
    const range = ing && ing.origin.kind === 'manifest' ? ing.origin.object.locate(field) : undefined;
    const lb = `ingress controller ${controller.namespace}/${controller.name}'s load balancer`;
    const id = ing ? `${ing.namespace}/${ing.name}` : '';
    const meaning =
      rule && !rule.hostless
        ? `a host of Ingress ${id}: assumed to point at ${lb}`
        : rule
          ? `Ingress ${id} has a rule without a host, which matches every host: ${host} is assumed to point at ${lb}`
          : `no rule names ${host}, but Ingress ${id}'s defaultBackend takes every request: ${host} is assumed to point at ${lb}`;
    ctx.hops.push({
      kind: 'dns',
      node: null,
      query: host,
      server: 'public DNS',
      searched: [host],
      rcode: 'NOERROR',
      resolvedName: host,
      answers: [`A ${controller.service.loadBalancerIP}`],
      forwarded: false,
      cname: undefined,
      meaning,
      range,
    });
    return { ip: controller.service.loadBalancerIP };
  }
  const unserved = ctx.a.ingress.ingressesForHost(host)[0];
  if (unserved)
    return {
      outcome: fail(
        'unrouted',
        `Ingress ${unserved.namespace}/${unserved.name} names ${host}, but no ingress controller serves it (its IngressClass is missing), so the host leads nowhere`,
      ),
    };
  return {
    outcome: fail(
      'unresolved',
      `${host}: clients outside the cluster do not use cluster DNS, and no Ingress rule names this host; target an Ingress host, a node IP and NodePort, or a LoadBalancer IP`,
    ),
  };
}

/** The LoadBalancer Service whose status names this host as its balancer. */
function lbByHostname(ctx: TraceContext, host: string): SimService | undefined {
  const h = host.replace(/\.$/, '').toLowerCase();
  return ctx.a.cluster.services.find((s) => s.type === 'LoadBalancer' && s.loadBalancerHostname === h);
}
