// How the trace words kube-proxy's work in each mode's own terms (the topology hints it followed,
// where it masquerades, how it rejects), and which address family a packet leaves with.
import { ipFamily } from '../cluster/ipam';
import { podId, type SimNode, type SimService, type TopologyHintsResult } from '../cluster/model';
import { nodeIPOf, type IPFamily } from '../dataplane/families';
import type { ServiceDataplane } from '../dataplane/kubeProxy';
import { zoneOf, type TopologyChoice } from '../services/topology';
import { fail, type Outcome, type Packet, type TraceContext } from './context';

/**
 * A packet to an address of the other family leaves with the sender's address of that family (a
 * dual-stack pod has both); a single-stack sender has none, and the kernel answers "Network is
 * unreachable" before anything is sent.
 */
export function sourceOfFamily(ctx: TraceContext, pkt: Packet, family: IPFamily): Outcome | undefined {
  if (ipFamily(pkt.srcIP) === family || pkt.srcIP !== pkt.clientIP) return undefined;
  const pod = pkt.sender && !pkt.sender.hostNetwork && pkt.srcIP === pkt.sender.ip ? pkt.sender : undefined;
  const node = ctx.a.cluster.nodes.find((n) => n.ip === pkt.srcIP || n.ipv6 === pkt.srcIP);
  const other = pod ? (family === 'ipv6' ? pod.ipv6 : pod.ip) : node ? nodeIPOf(node, family) : undefined;
  if (other === undefined) {
    if (!pod && !node) return undefined; // an outside client: its own addresses are not known here
    const who = pod ? `pod ${podId(pod)}` : `node ${node?.name}`;
    return fail(
      'unrouted',
      `${who} has no ${family === 'ipv6' ? 'IPv6' : 'IPv4'} address (the cluster's ${family === 'ipv6' ? 'podCIDR has no IPv6 range' : 'pods are IPv6-only'}), so a connection to an ${family === 'ipv6' ? 'IPv6' : 'IPv4'} address fails with "Network is unreachable"`,
    );
  }
  pkt.srcIP = other;
  pkt.clientIP = other;
  return undefined;
}

/** What topology hints or the terminating fallback did to the candidates, in a sentence for the DNAT hop. */
export function topologyNote(
  d: { topology?: TopologyChoice; terminatingFallback?: boolean },
  node: SimNode,
  svc?: SimService,
): { topology?: string } {
  const parts: string[] = [];
  const hints = svc?.topologyModeAuto ? svc.topologyHints : undefined;
  if (d.topology?.mode === 'PreferSameZone')
    parts.push(
      `topology hints: only endpoints hinted for zone ${zoneOf(node)} (${hints?.enabled ? autoHintsText(hints) : 'trafficDistribution'}; kube-proxy keeps the node's zone)`,
    );
  else if (hints && !hints.enabled) parts.push(`no topology hints: the EndpointSlice controller removed them (${hints.reason})`);
  else if (d.topology?.mode === 'PreferSameNode') parts.push(`topology hints: only endpoints hinted for ${node.name} (PreferSameNode)`);
  else if (d.topology?.ignored) parts.push(`topology hints ignored: ${d.topology.ignored}`);
  if (d.terminatingFallback) parts.push('no endpoint is ready, so kube-proxy uses the serving terminating ones');
  return parts.length > 0 ? { topology: parts.join('; ') } : {};
}

/** Where kube-proxy marks and masquerades, in the mode's own terms. */
export function masqueradeMechanism(mode: string, hairpin: boolean): string {
  if (mode === 'nftables')
    return hairpin
      ? 'kube-proxy endpoint- chain: ip saddr <endpoint> jump mark-for-masquerade, masquerade fully-random in masquerading'
      : 'kube-proxy mark-for-masquerade (meta mark | 0x4000), masquerade fully-random in masquerading (nat-postrouting)';
  return hairpin
    ? 'kube-proxy KUBE-SEP -s <endpoint> → KUBE-MARK-MASQ, MASQUERADE in KUBE-POSTROUTING'
    : 'kube-proxy KUBE-MARK-MASQ, MASQUERADE in KUBE-POSTROUTING';
}

/** How each data plane turns away a Service without endpoints. */
export function rejectHow(dataplane: ServiceDataplane): string {
  switch (dataplane) {
    case 'iptables':
      return 'filter table REJECTs it (ICMP port unreachable / TCP reset)';
    case 'nftables':
      return 'no-endpoint-services map sends it to reject-chain before DNAT (ICMP port unreachable / TCP reset)';
    case 'ipvs':
      return 'IPVS virtual server has no real servers and the local stack resets it';
    case 'ebpf':
      return 'eBPF service lookup finds no backend and connect() fails with ECONNREFUSED';
  }
}

/** What topology-mode Auto hinted, zone by zone, and what it weighed them by. */
export function autoHintsText(h: Extract<TopologyHintsResult, { enabled: true }>): string {
  const zones = h.zones.map((z) => `${z.zone} ${Math.round(z.cpuRatio * 100)}% CPU → ${z.hinted}`).join(', ');
  return `topology-mode Auto: endpoints hinted by zone in proportion to allocatable CPU (${zones})${h.cpuAssumed ? ', every node counted alike as no node gives its allocatable CPU' : ''}`;
}
