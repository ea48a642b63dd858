// Small steps every leg of a trace shares: the packet arriving at a node, a source NAT, the
// candidates of a load-balancing choice, and the reason of the last policy hop.
import { cidrContains, ipFamily } from '../cluster/ipam';
import { podCIDROf } from '../dataplane/families';
import type { Candidate } from '../dataplane/kubeProxy';
import { masqueradeAddress } from '../dataplane/cni';
import { dataPath, fromOutside, nodeAddress } from './dataPath';
import { type Endpoint, type SimNode, type SimPod } from '../cluster/model';
import { podById, podByIp } from './lookup';
import type { Packet, TraceContext } from './context';
import type { SnatReason, TraceCandidate } from './types';

export function podByEndpoint(ctx: TraceContext, e: Endpoint): SimPod | undefined {
  return podById(ctx.a.cluster, e.pod) ?? podByIp(ctx.a.cluster, e.ip, true);
}

export function toCandidates(ctx: TraceContext, list: Candidate[], chosen: Candidate | undefined): TraceCandidate[] {
  return list.map((c) => ({
    pod: c.endpoint.pod,
    ip: c.endpoint.ip,
    port: c.endpoint.port,
    node: c.endpoint.node ?? null,
    weight: round(c.weight),
    chosen: c === chosen,
  }));
}

export function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The packet reaches `node` from outside the cluster or from another node's pod. */
export function arrive(ctx: TraceContext, pkt: Packet, node: SimNode, note: string): void {
  if (pkt.at?.name === node.name) return;
  const family = ipFamily(pkt.srcIP);
  if (!pkt.at) ctx.hops.push(fromOutside(node, note, family));
  else {
    if (
      pkt.sender &&
      !pkt.sender.hostNetwork &&
      cidrContains(podCIDROf(ctx.a.cluster.settings, family) ?? ctx.a.cluster.settings.podCIDR, pkt.srcIP) &&
      ctx.a.cluster.settings.cni !== 'cilium'
    ) {
      // Pod traffic to a node address leaves the pod network: the CNI's outgoing NAT masquerades it.
      snat(
        ctx,
        pkt,
        pkt.at,
        masqueradeAddress(ctx.a.cluster.settings, pkt.at, undefined, family),
        'leaving-cluster',
        `${ctx.a.cluster.settings.cni} outgoing NAT (destination outside the pod network)`,
      );
      pkt.seenAs = { kind: 'external', ip: pkt.srcIP };
    }
    ctx.hops.push(
      ...dataPath(
        ctx.a.cluster.settings,
        { node: pkt.at, ip: pkt.srcIP, pod: undefined },
        { node, ip: nodeAddress(node, family), pod: undefined },
      ),
    );
  }
  pkt.at = node;
}

export function snat(ctx: TraceContext, pkt: Packet, node: SimNode, to: string, reason: SnatReason, mechanism: string): void {
  if (to === pkt.srcIP) return;
  ctx.hops.push({ kind: 'snat', node: node.name, from: pkt.srcIP, to, reason, mechanism });
  ctx.nats.push({ kind: 'snat', node: node.name, original: pkt.srcIP, translated: to });
  pkt.srcIP = to;
  pkt.snatNode = node.name;
}

export function lastPolicyReason(ctx: TraceContext): string {
  for (let i = ctx.hops.length - 1; i >= 0; i--) {
    const h = ctx.hops[i];
    if (h?.kind === 'policy') return h.result.reason;
  }
  return 'denied';
}
