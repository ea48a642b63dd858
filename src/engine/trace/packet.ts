// A packet's walk from a source to a target, hop by hop, as the cluster would carry it: DNS from
// the source pod, kube-proxy's DNAT (or Cilium's socket LB), NodePorts and load balancers,
// ingress controllers, NetworkPolicy on both ends, the CNI's data path, and the reply's way back.
import type { Analysis } from '../analyze';
import { podId, type Protocol } from '../cluster/model';
import { resolveFromPod } from './dns';
import type { Source } from './sources';
import { NO_POLICIES, type PolicyOracle } from '../policy/oracle';
import { fail, notRunning, type Outcome, type Packet, type TraceContext } from './context';
import { toAddress } from './legs';
import { leaveCluster } from './edge';
import { ingressLeg } from './ingress';
import { replyPath } from './reply';
import { parseTarget } from './target';
import type { Target, TraceResult, TraceSourceInfo } from './types';

export interface TraceOptions {
  /** The NetworkPolicy oracle; defaults to the analysis's policy engine. */
  policies?: PolicyOracle;
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
  const oracle = options.policies ?? (analysis as { policies?: PolicyOracle }).policies ?? NO_POLICIES;
  const ctx: TraceContext = { a: analysis, oracle, protocol, hops: [], candidates: [], legs: [], nats: [], unenforced: [] };
  const info = sourceInfo(source);
  const parsed = typeof target === 'string' ? parseTarget(target) : { ok: true as const, target };
  // Only an unparsable string gets here; a Target given as an object always parses.
  const targetText = typeof target === 'string' ? target : target.text;
  const tgt: Target = parsed.ok
    ? parsed.target
    : { text: targetText, scheme: undefined, host: targetText, port: 0, path: '/', literal: false };
  const pkt = startPacket(analysis, source);
  let outcome: Outcome;
  if (!parsed.ok) outcome = fail('unresolved', parsed.message);
  else if (source.kind === 'pod' && (!source.pod.ip || !source.pod.node))
    outcome = fail('unrouted', `${notRunning(source.pod)}, so it sends nothing`);
  else outcome = run(ctx, pkt, source, tgt);
  let reason = outcome.reason;
  if (outcome.verdict === 'delivered' && ctx.unenforced.length > 0) {
    reason += `. NetworkPolicy would drop it (${ctx.unenforced.join('; ')}), but ${analysis.cluster.settings.cni} does not enforce NetworkPolicy`;
  }
  return {
    verdict: outcome.verdict,
    reason,
    source: info,
    target: tgt,
    protocol,
    destination: outcome.destination,
    sourceIPAtDestination: outcome.sourceIPAtDestination,
    hops: ctx.hops,
    candidates: ctx.candidates,
    reply: outcome.verdict === 'delivered' ? replyPath(ctx, pkt, outcome) : [],
  };
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
  if (target.literal) outcome = toAddress(ctx, pkt, target.host, target.port);
  else if (source.kind === 'pod') {
    const r = resolveFromPod(ctx, source.pod, target.host);
    if ('outcome' in r) return r.outcome;
    if ('external' in r) return leaveCluster(ctx, pkt, r.external, `${r.external}:${target.port}`, r.unknown);
    outcome = toAddress(ctx, pkt, r.ip, target.port);
  } else if (source.kind === 'external') {
    const r = resolveFromOutside(ctx, target.host);
    if ('outcome' in r) return r.outcome;
    outcome = toAddress(ctx, pkt, r.ip, target.port);
  } else {
    return fail(
      'unresolved',
      `${target.host}: a node resolves names with its own resolv.conf, which does not use cluster DNS; trace from a pod, or give an IP:PORT target`,
    );
  }
  // A request that reached an ingress controller continues through the controller.
  const d = outcome.delivered;
  const controller = d ? ctx.a.ingress.controllerOfPod(d.pod) : undefined;
  if (d && controller && (d.port === 80 || d.port === 443)) {
    return ingressLeg(ctx, { ...pkt, at: d.node }, controller, d.pod, d.port, target);
  }
  return outcome;
}

/**
 * From outside, only hosts an Ingress rule names resolve (to the controller's load balancer); a
 * rule without a host matches every host, so any name is taken to point at its controller.
 */
function resolveFromOutside(ctx: TraceContext, host: string): { ip: string } | { outcome: Outcome } {
  const { ingress } = ctx.a;
  const controller = ingress.controllersForHost(host)[0];
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
