// One IP family's view of a dual-stack cluster, as each single-stack half of kube-proxy sees it:
// kube-proxy runs one proxier per family (NewDualStackProxier), each programming only the
// Service addresses, endpoints, pod CIDR and node address of its own family.
import { ipFamily } from '../cluster/ipam';
import { podId, type Cluster, type Endpoint, type SimNode, type SimService } from '../cluster/model';
import type { ClusterSettings } from '../cluster/settings';

export type IPFamily = 'ipv4' | 'ipv6';
export const FAMILIES: readonly IPFamily[] = ['ipv4', 'ipv6'];

/** The Service's ClusterIP of that family (spec.clusterIPs holds at most one per family), if it has one. */
export function clusterIPOf(svc: SimService, family: IPFamily): string | undefined {
  if (svc.type === 'ExternalName' || svc.headless) return undefined;
  const all = svc.clusterIPs.length > 0 ? svc.clusterIPs : svc.clusterIP ? [svc.clusterIP] : [];
  return all.find((ip) => ip !== 'None' && ipFamily(ip) === family);
}

/** The cluster pod CIDR of that family (kube-proxy's --cluster-cidr, its local-traffic detector). */
export function podCIDROf(settings: ClusterSettings, family: IPFamily): string | undefined {
  return family === 'ipv4' ? settings.podCIDR : settings.podCIDRv6;
}

/** The Service CIDR of that family. */
export function serviceCIDROf(settings: ClusterSettings, family: IPFamily): string | undefined {
  return family === 'ipv4' ? settings.serviceCIDR : settings.serviceCIDRv6;
}

/** The node's address of that family (its primary NodePort address), if it has one. */
export function nodeIPOf(node: SimNode, family: IPFamily): string | undefined {
  return family === 'ipv4'
    ? ipFamily(node.ip) === 'ipv4'
      ? node.ip
      : undefined
    : (node.ipv6 ?? (ipFamily(node.ip) === 'ipv6' ? node.ip : undefined));
}

/** The node's own pod CIDR of that family (spec.podCIDRs holds at most one per family), if it has one. */
export function nodePodCIDROf(node: SimNode, family: IPFamily): string | undefined {
  if (family === 'ipv4') return ipFamily(node.podCIDR.split('/')[0] ?? '') === 'ipv4' ? node.podCIDR : undefined;
  return node.podCIDRv6 ?? (node.podCIDR.includes(':') ? node.podCIDR : undefined);
}

const podIndexes = new WeakMap<Cluster, Map<string, { ip?: string | undefined; ipv6?: string | undefined }>>();

/**
 * The endpoints of one Service port in that family. The EndpointSlice controller writes one
 * slice per address family, each pod appearing with its address of that family: a pod's IPv6
 * endpoint is its IPv4 one at its IPv6 address. Given (selector-less) endpoints keep their own family.
 */
export function endpointsOf(cluster: Cluster, svc: SimService, portIndex: number, family: IPFamily): Endpoint[] {
  const eps = svc.endpointsByPort[portIndex] ?? [];
  if (family === 'ipv4') return eps.filter((e) => ipFamily(e.ip) === 'ipv4');
  let pods = podIndexes.get(cluster);
  if (!pods) {
    pods = new Map(cluster.pods.map((p) => [podId(p), { ip: p.ip, ipv6: p.ipv6 }]));
    podIndexes.set(cluster, pods);
  }
  const out: Endpoint[] = [];
  for (const e of eps) {
    if (ipFamily(e.ip) === 'ipv6') out.push(e);
    else if (svc.selector !== null) {
      const v6 = pods.get(e.pod)?.ipv6;
      if (v6 !== undefined) out.push({ ...e, ip: v6 });
    }
  }
  return out;
}

/** The families a cluster runs: IPv6 too when a pod or Service CIDR of that family is set. */
export function clusterFamilies(settings: ClusterSettings): IPFamily[] {
  return settings.podCIDRv6 || settings.serviceCIDRv6 ? ['ipv4', 'ipv6'] : ['ipv4'];
}
