// An in-cluster client of a load balancer that kube-proxy does not short-circuit: a balancer known
// only by hostname (status.loadBalancer.ingress[].hostname, as AWS reports its ELBs), or an ingress
// IP with ipMode Proxy (KEP-1860). kube-proxy programs the LB IP only when ipMode is VIP or unset
// (proxy/util IsVIPMode), so the packet leaves through the node, masqueraded to the node's address,
// and comes back from the balancer to a NodePort like any outside client's: loadBalancerSourceRanges
// and externalTrafficPolicy then judge the node's address.
import { cidrContains, ipFamily } from '../cluster/ipam';
import { locate, serviceId, type SimService } from '../cluster/model';
import { podCIDROf } from '../dataplane/families';
import type { Outcome, Packet, TraceContext } from './context';
import { nodeAddress } from './dataPath';
import { outsideEgress } from './edge';
import { snat } from './steps';

/** Whether a packet from inside the cluster to this Service's balancer goes out to it (no kube-proxy shortcut). */
export function leavesForBalancer(svc: SimService): boolean {
  return svc.loadBalancerIP === undefined ? svc.loadBalancerHostname !== undefined : svc.loadBalancerIPMode === 'Proxy';
}

/** Why kube-proxy lets this balancer's traffic out, in its own terms. */
export function whyNotShortCircuited(svc: SimService): string {
  return svc.loadBalancerIP === undefined
    ? `the balancer is known by hostname only (status.loadBalancer.ingress hostname ${svc.loadBalancerHostname ?? ''}), so kube-proxy has no LB IP to capture`
    : `ingress IP ${svc.loadBalancerIP} has ipMode Proxy, so kube-proxy programs no rule for it (only VIP or unset ipMode is short-circuited)`;
}

/**
 * The packet leaves the cluster for the balancer: the sender's egress policy towards the balancer's
 * address (unknown for a hostname), the CNI's outgoing NAT to the node's address, and the leg ends
 * outside. Returns the drop, or undefined once the packet is at the balancer as an outside client.
 */
export function leaveForBalancer(ctx: TraceContext, pkt: Packet, svc: SimService, port: number): Outcome | undefined {
  const here = pkt.at;
  if (!here) return undefined;
  const address = svc.loadBalancerIP ?? svc.loadBalancerHostname ?? '';
  const label = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  const egress = outsideEgress(ctx, pkt, address, port, svc.loadBalancerIP === undefined);
  if ('outcome' in egress) return egress.outcome;
  const { settings } = ctx.a.cluster;
  const family = ipFamily(pkt.srcIP);
  const podNet = podCIDROf(settings, family);
  if (!pkt.sender?.hostNetwork && podNet && cidrContains(podNet, pkt.srcIP))
    snat(ctx, pkt, here, nodeAddress(here, family), 'leaving-cluster', `${settings.cni} outgoing NAT (natOutgoing / ip-masq)`);
  ctx.hops.push({
    kind: 'leave-cluster',
    node: here.name,
    host: label,
    note: `towards the load balancer of Service ${serviceId(svc)}, outside the cluster: ${whyNotShortCircuited(svc)}${egress.note}`,
  });
  ctx.legs.push({ from: pkt.legStart, to: 'outside', nats: ctx.nats, seenSource: pkt.srcIP, servedFrom: label });
  ctx.nats = [];
  // From here the packet is an outside client's, from the node's address: the backend's policy sees that address.
  pkt.at = undefined;
  pkt.legStart = 'outside';
  pkt.sender = undefined;
  pkt.seenAs = { kind: 'external', ip: pkt.srcIP };
  pkt.originalPeer = { kind: 'external', ip: pkt.srcIP };
  pkt.snatNode = undefined;
  return undefined;
}

/** A pod asked for a balancer's hostname: CoreDNS forwarded it upstream, where it names that balancer. */
export function explainBalancerName(ctx: TraceContext, svc: SimService, host: string): void {
  const dns = [...ctx.hops]
    .reverse()
    .find((h) => h.kind === 'dns' && (h.query === host || h.resolvedName?.replace(/\.$/, '') === host.replace(/\.$/, '')));
  if (dns?.kind !== 'dns') return;
  dns.meaning = `outside the cluster domain: CoreDNS forwards it upstream, where public DNS answers the name of Service ${serviceId(svc)}'s load balancer (status.loadBalancer.ingress hostname): the balancer's own address, outside the cluster, not known here`;
  dns.range = locate(svc.origin, ['status', 'loadBalancer', 'ingress', 0, 'hostname']) ?? dns.range;
}
