// loadBalancerSourceRanges: the cloud balancer admits only these sources, and kube-proxy's firewall
// chain does the same for what reaches a node by the balancer's address.
import { cidrContains, ipFamily } from '../cluster/ipam';
import { fwChain, servicePortName } from '../dataplane/kubeProxy';
import { nftFirewallChain, nftPortName } from '../dataplane/nftNames';
import { locate, serviceId, type ServicePort, type SimService } from '../cluster/model';
import { fail, type Outcome, type Packet, type TraceContext } from './context';

/** The Service's source ranges of the client's address family (a range of the other family says nothing about it). */
export function sourceRangesOf(svc: SimService, srcIP: string): string[] {
  return (svc.loadBalancerSourceRanges ?? []).filter((r) => ipFamily(r.split('/')[0] ?? '') === ipFamily(srcIP));
}

/** The drop, with the rule that makes it, when the client is outside every range; undefined when it is admitted. */
export function refuseOutsideSourceRanges(
  ctx: TraceContext,
  pkt: Packet,
  svc: SimService,
  sp: ServicePort,
  ranges: string[],
): Outcome | undefined {
  if (ranges.length === 0 || ranges.some((r) => cidrContains(r, pkt.srcIP))) return undefined;
  const id = serviceId(svc);
  const rule =
    ctx.a.cluster.settings.kubeProxyMode === 'nftables'
      ? `${nftFirewallChain(nftPortName(svc, sp), sp.protocol)}: ${ipFamily(pkt.srcIP) === 'ipv6' ? 'ip6' : 'ip'} saddr != { ${ranges.join(', ')} } drop`
      : `${fwChain(servicePortName(svc, sp), sp.protocol)}: no -s ${ranges.join(' / -s ')} matches, -j DROP`;
  ctx.hops.push({
    kind: 'drop',
    node: pkt.at?.name ?? null,
    rule,
    reason: `loadBalancerSourceRanges of Service ${id} admit ${ranges.join(', ')}; ${pkt.srcIP} is outside them`,
    range: locate(svc.origin, ['spec', 'loadBalancerSourceRanges']),
  });
  ctx.candidates = [];
  return fail(
    'dropped',
    `the load balancer of Service ${id} (${svc.loadBalancerIP}) admits only ${ranges.join(', ')} (loadBalancerSourceRanges), and ${pkt.srcIP} is outside them, so it is dropped${pkt.at ? " (by kube-proxy's firewall chain on the node)" : ''}`,
  );
}
