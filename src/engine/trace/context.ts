// The state a trace carries from hop to hop: the packet as it is on the wire, the hops so far,
// the NAT done on the way (for the reply), and the legs the packet travelled.
import type { Analysis } from '../analyze';
import { mapMatches } from '../cluster/labels';
import { locate, podId, type Protocol, type SimNode, type SimPod } from '../cluster/model';
import { cniProfile, policyPoint } from '../dataplane/cni';
import type { PathEnd } from './dataPath';
import type { Peer, PolicyOracle } from '../policy/oracle';
import type { Destination, Hop, TraceCandidate, TraceIngressController, TraceRequest, TraceResponse, TraceVerdict } from './types';
import type { SourceRange } from '../source';
import { layerText, ruleText } from '../policy/explain';
import { httpAllows, httpRuleText, PROXY } from '../policy/cilium';
import { pathText } from '../policy/ciliumParse';
import { policyRefId } from '../policy/parse';
import type { HttpRuleRef, RuleHit } from '../policy/types';

/** A NAT done on the way, which conntrack undoes for the reply. */
export interface NatRecord {
  kind: 'dnat' | 'snat';
  node: string | null;
  original: string;
  translated: string;
}

/** One stretch of the path between two NAT/proxy points: where it started and where it ended. */
export interface Leg {
  from: PathEnd | 'outside';
  to: PathEnd | 'outside';
  nats: NatRecord[];
  /** The address the receiving end saw as the source, and what it answered from. */
  seenSource: string;
  servedFrom: string;
}

export interface TraceContext {
  a: Analysis;
  oracle: PolicyOracle;
  protocol: Protocol;
  hops: Hop[];
  candidates: TraceCandidate[];
  legs: Leg[];
  /** NATs of the leg in progress. */
  nats: NatRecord[];
  /** Policies that would have dropped the packet but are not enforced (Flannel). */
  unenforced: string[];
  /** The HTTP request as given (--method, --header) and --via, for the Gateway and ingress legs. */
  http: {
    method: string | undefined;
    headers: Array<{ name: string; value: string }>;
    via: string | undefined;
    /** What the backend answers with, for the response filters to work on. */
    responseHeaders: Array<{ name: string; value: string }>;
    /** The target URL's host and path (an L7 proxy on the way checks them). */
    host?: string;
    path?: string;
    scheme?: string | undefined;
  };
  /** Set when an L7 proxy refused the request (the drop becomes `refused` with its status). */
  l7Refused?: { status: number | undefined; reason: string };
  /** The last Service chosen on the way (by a URL, an Ingress or a route). */
  service: string | undefined;
  response: TraceResponse | undefined;
  request: TraceRequest | undefined;
  /** The ingress controller the request went through, once an Ingress leg ran. */
  ingressController?: TraceIngressController;
}

/** The packet as it is now. */
export interface Packet {
  /** Source address on the wire (after any SNAT so far). */
  srcIP: string;
  srcPort: string;
  /** The original client's address. */
  clientIP: string;
  /** The node the packet is on; undefined while it is outside the cluster. */
  at: SimNode | undefined;
  /** Where the current leg started (for the reply path). */
  legStart: PathEnd | 'outside';
  /** The pod whose egress policy applies (the sender), if the sender is a pod. */
  sender: SimPod | undefined;
  /** How a destination's ingress policy identifies the source. */
  seenAs: Peer;
  /** Where the packet was masqueraded, if it was (policy on that same node still sees the original). */
  snatNode: string | undefined;
  originalPeer: Peer;
}

export interface Outcome {
  verdict: TraceVerdict;
  reason: string;
  destination: Destination | null;
  sourceIPAtDestination: string | null;
  /** The pod reached, when a pod was reached. */
  delivered?: { pod: SimPod; port: number; node: SimNode };
}

export function fail(verdict: TraceVerdict, reason: string): Outcome {
  return { verdict, reason, destination: null, sourceIPAtDestination: null };
}

export function podDestination(pod: SimPod, port: number, ip: string | undefined = pod.ip): Destination {
  return {
    kind: 'pod',
    namespace: pod.namespace,
    name: pod.name,
    workload: `${pod.workload.namespace}/${pod.workload.name}`,
    ip: ip ?? '',
    port,
    node: pod.node ?? null,
  };
}

export function peerName(p: Peer): string {
  return p.kind === 'pod' ? podId(p.pod) : p.ip;
}

/**
 * Checks one direction of NetworkPolicy and records it as a hop. Returns false when the packet is
 * dropped here; under a CNI that enforces nothing, a denial is recorded as not enforced and the
 * packet goes on.
 */
export function checkPolicy(
  ctx: TraceContext,
  direction: 'egress' | 'ingress',
  node: string | null,
  src: Peer,
  dst: Peer,
  port: number,
  protocol: Protocol,
  purpose: 'connection' | 'dns',
): boolean {
  const subject = direction === 'egress' ? src : dst;
  if (subject.kind !== 'pod') return true;
  const verdict = ctx.oracle.verdict(src, dst, port, protocol);
  const result = direction === 'egress' ? verdict.egress : verdict.ingress;
  const profile = cniProfile(ctx.a.cluster.settings);
  const enforcer = policyPoint(profile, direction, subject.pod);
  const range: SourceRange | undefined = result.rule?.range ?? result.allowedBy?.range ?? result.isolatingPolicies[0]?.range;
  const l7 = result.allowed && result.rule?.http && purpose === 'connection' && enforcer ? proxyCheck(ctx, result.rule.http) : undefined;
  ctx.hops.push({
    kind: 'policy',
    direction,
    node,
    purpose,
    enforcer,
    subject: podId(subject.pod),
    peer: peerName(direction === 'egress' ? dst : src),
    port,
    protocol,
    result,
    range,
    ...(l7 ? { l7: l7.hop } : {}),
  });
  if (l7 && !l7.allowed) {
    const rules = `${ruleText(result.rule as RuleHit)} (${(result.rule?.http ?? []).map((h) => httpRuleText(h.rule)).join('; ')})`;
    ctx.l7Refused = l7.tls
      ? {
          status: undefined,
          reason: `${PROXY} enforces the HTTP rules of ${rules} on this port, but the connection is TLS: without TLS interception (terminatingTLS, not simulated) the proxy cannot read a request in it, so the connection fails`,
        }
      : { status: 403, reason: `${PROXY} answers 403 Access denied: ${l7.hop.request} matches none of the HTTP rules of ${rules}` };
    return false;
  }
  if (result.allowed) return true;
  if (!enforcer) {
    ctx.unenforced.push(`${direction} of ${podId(subject.pod)}: ${result.reason}`);
    return true;
  }
  return false;
}

/** The HTTP request of the trace as Cilium's proxy sees it, against the HTTP rules that apply. */
function proxyCheck(
  ctx: TraceContext,
  rules: HttpRuleRef[],
): { allowed: boolean; tls: boolean; hop: NonNullable<Extract<Hop, { kind: 'policy' }>['l7']> } {
  const req = ctx.request;
  const tls = req ? req.tls === 'passthrough' : ['https', 'wss', 'grpcs', 'tls'].includes(ctx.http.scheme ?? '');
  if (tls)
    return {
      allowed: false,
      tls,
      hop: { proxy: PROXY, request: 'a TLS connection', allowedBy: undefined, range: rules[0]?.range, tls: true },
    };
  const headers = req ? Object.entries(req.headers).map(([name, value]) => ({ name, value })) : ctx.http.headers;
  const hostHeader = headers.find((h) => h.name.toLowerCase() === 'host')?.value;
  const method = (req?.method ?? ctx.http.method ?? 'GET').toUpperCase();
  const path = req?.path ?? ctx.http.path ?? '/';
  const host = req?.host ?? hostHeader ?? ctx.http.host;
  const by = httpAllows(rules, { method, path, host, headers });
  // A target without a scheme (HOST:PORT) is read as the simplest request a client sends.
  const guessed = !req && ctx.http.scheme === undefined ? ' (no URL given: read as a plain HTTP request)' : '';
  return {
    allowed: by !== undefined,
    tls,
    hop: {
      proxy: PROXY,
      request: `${method} ${path}${guessed}`,
      allowedBy: by ? `${policyRefId(by.policy)} ${pathText(by.rule.path)} (${httpRuleText(by.rule)})` : undefined,
      range: by?.range ?? rules[0]?.range,
    },
  };
}

/** Where a Service field sits in its manifest (for hops the editor can reveal). */
export function serviceRange(svc: { origin: Parameters<typeof locate>[0] }, path: Parameters<typeof locate>[1]): SourceRange | undefined {
  return locate(svc.origin, path);
}

/** Why a pod has no place in the simulated network: Pending (with the scheduler's reason), or on a node the input does not describe. */
export function notRunning(pod: SimPod): string {
  if (pod.pending !== undefined) return `pod ${podId(pod)} is Pending (${pod.pending})`;
  if (pod.node === undefined) return `pod ${podId(pod)} runs on a node the input does not describe, so it has no simulated address`;
  return `pod ${podId(pod)} has no address: its node's pod CIDR has none left`;
}

/** ` (the pods it selects are Pending: REASON)` when Pending pods are why a Service has no endpoints, else ''. */
export function pendingBehind(pods: SimPod[], svc: { namespace: string; selector: Record<string, string> | null }): string {
  const selector = svc.selector;
  // Without a selector, endpoints come from Endpoints/EndpointSlices someone else writes; an empty one may be filled at run time.
  if (!selector)
    return ' (it has no selector, so its endpoints are the addresses its Endpoints or EndpointSlices list, and the manifests give none; whatever fills them in at run time is not simulated)';
  const waiting = pods.find((p) => p.namespace === svc.namespace && p.pending !== undefined && mapMatches(selector, p.labels));
  return waiting ? ` (the pods it selects are Pending: ${waiting.pending})` : '';
}

/** The layer that decided the last policy hop (`AdminNetworkPolicy`, `NetworkPolicy`, ...), for the drop's sentence. */
function lastPolicyLayer(ctx: TraceContext): string {
  for (let i = ctx.hops.length - 1; i >= 0; i--) {
    const h = ctx.hops[i];
    if (h?.kind === 'policy') return layerText(h.result);
  }
  return 'NetworkPolicy';
}

function lastPolicyRange(ctx: TraceContext): SourceRange | undefined {
  for (let i = ctx.hops.length - 1; i >= 0; i--) {
    const h = ctx.hops[i];
    if (h?.kind === 'policy') return h.l7?.range ?? h.range;
  }
  return undefined;
}

function lastPolicyReason(ctx: TraceContext): string {
  for (let i = ctx.hops.length - 1; i >= 0; i--) {
    const h = ctx.hops[i];
    if (h?.kind === 'policy') return h.result.reason;
  }
  return 'denied';
}

/** A policy drop: the drop hop and the verdict, naming the layer that decided (the last policy hop's). */
export function policyDrop(ctx: TraceContext, direction: 'egress' | 'ingress', node: string | null, pod: SimPod): Outcome {
  const refused = ctx.l7Refused;
  if (refused) {
    ctx.hops.push({
      kind: 'reject',
      node,
      rule: refused.status !== undefined ? `${PROXY}: ${refused.status} Forbidden` : `${PROXY}: no HTTP request in a TLS stream`,
      reason: refused.reason,
      range: lastPolicyRange(ctx),
    });
    if (refused.status !== undefined) ctx.response = { status: refused.status };
    return fail('refused', refused.reason);
  }
  const layer = lastPolicyLayer(ctx);
  ctx.hops.push({ kind: 'drop', node, rule: undefined, reason: `${direction} ${layer} of ${podId(pod)}`, range: undefined });
  return fail(
    'dropped',
    `${layer} drops it on the way ${direction === 'egress' ? 'out of' : 'into'} ${podId(pod)}: ${lastPolicyReason(ctx)}`,
  );
}
