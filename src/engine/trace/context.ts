// The state a trace carries from hop to hop: the packet as it is on the wire, the hops so far,
// the NAT done on the way (for the reply), and the legs the packet travelled.
import type { Analysis } from '../analyze';
import { locate, podId, type Protocol, type SimNode, type SimPod } from '../cluster/model';
import { cniProfile, policyPoint } from '../dataplane/cni';
import type { PathEnd } from './dataPath';
import type { Peer, PolicyOracle } from '../policy/oracle';
import type { Destination, Hop, TraceCandidate, TraceVerdict } from './types';
import type { SourceRange } from '../source';

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

export function podDestination(pod: SimPod, port: number): Destination {
  return {
    kind: 'pod',
    namespace: pod.namespace,
    name: pod.name,
    workload: `${pod.workload.namespace}/${pod.workload.name}`,
    ip: pod.ip ?? '',
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
  });
  if (result.allowed) return true;
  if (!enforcer) {
    ctx.unenforced.push(`${direction} of ${podId(subject.pod)}: ${result.reason}`);
    return true;
  }
  return false;
}

/** Where a Service field sits in its manifest (for hops the editor can reveal). */
export function serviceRange(svc: { origin: Parameters<typeof locate>[0] }, path: Parameters<typeof locate>[1]): SourceRange | undefined {
  return locate(svc.origin, path);
}
