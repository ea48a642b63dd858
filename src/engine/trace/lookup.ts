// Indexes of the cluster's pods and Services for the lookups every trace makes (the pod behind an
// endpoint, the Service of a DNS answer, the pod at an address). The map view traces one call per
// workload, so thousands of traces ask them: each index is built once per pod or Service list, and
// keeps the first match, as the `find` it replaces did.
import { podId, serviceId, type Cluster, type SimPod, type SimService } from '../cluster/model';

interface PodIndex {
  byId: Map<string, SimPod>;
  byIp: Map<string, SimPod>;
  /** Pods with their own address: hostNetwork pods share their node's. */
  byOwnIp: Map<string, SimPod>;
  /** The same, by either of a dual-stack pod's addresses. */
  byOwnAddress: Map<string, SimPod>;
}

const pods = new WeakMap<readonly SimPod[], PodIndex>();
const services = new WeakMap<readonly SimService[], { byId: Map<string, SimService>; byClusterIP: Map<string, SimService> }>();

function first<K, V>(m: Map<K, V>, k: K | undefined, v: V): void {
  if (k !== undefined && !m.has(k)) m.set(k, v);
}

function podIndex(cluster: Pick<Cluster, 'pods'>): PodIndex {
  let index = pods.get(cluster.pods);
  if (!index) {
    index = { byId: new Map(), byIp: new Map(), byOwnIp: new Map(), byOwnAddress: new Map() };
    for (const p of cluster.pods) {
      first(index.byId, podId(p), p);
      first(index.byIp, p.ip, p);
      if (p.hostNetwork) continue;
      first(index.byOwnIp, p.ip, p);
      first(index.byOwnAddress, p.ip, p);
      first(index.byOwnAddress, p.ipv6, p);
    }
    pods.set(cluster.pods, index);
  }
  return index;
}

function serviceIndex(cluster: Pick<Cluster, 'services'>) {
  let index = services.get(cluster.services);
  if (!index) {
    index = { byId: new Map(), byClusterIP: new Map() };
    for (const s of cluster.services) {
      first(index.byId, serviceId(s), s);
      for (const ip of s.clusterIPs) first(index.byClusterIP, ip, s);
    }
    services.set(cluster.services, index);
  }
  return index;
}

export function podById(cluster: Pick<Cluster, 'pods'>, id: string): SimPod | undefined {
  return podIndex(cluster).byId.get(id);
}

/** The first pod at `ip`; with `ownAddress`, only a pod that is not on its node's network. */
export function podByIp(cluster: Pick<Cluster, 'pods'>, ip: string, ownAddress = false): SimPod | undefined {
  const index = podIndex(cluster);
  return (ownAddress ? index.byOwnIp : index.byIp).get(ip);
}

/** The first pod (not on its node's network) with `ip` as its IPv4 or IPv6 address. */
export function podByAddress(cluster: Pick<Cluster, 'pods'>, ip: string): SimPod | undefined {
  return podIndex(cluster).byOwnAddress.get(ip);
}

export function serviceById(cluster: Pick<Cluster, 'services'>, id: string): SimService | undefined {
  return serviceIndex(cluster).byId.get(id);
}

export function serviceByClusterIP(cluster: Pick<Cluster, 'services'>, ip: string): SimService | undefined {
  return serviceIndex(cluster).byClusterIP.get(ip);
}
