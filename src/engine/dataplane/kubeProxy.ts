// How kube-proxy turns a Service's virtual address into one endpoint: the chain names it
// hashes, the endpoints it considers on a node under the traffic policies, the probability
// ladder of its iptables rules, and which endpoint a given client ends up on.
import { base32, fnv1a, sha256 } from '../hash';
import { cidrContains, ipFamily } from '../cluster/ipam';
import { cmp } from '../diagnostics';
import type { Endpoint, ServicePort, SimService } from '../cluster/model';
import type { ClusterSettings } from '../cluster/settings';
import { availableForTopology, topologyMode, type TopologyChoice } from '../services/topology';
import { nftEndpointChain, nftExternalChain, nftLocalChain, nftPortName, nftServiceChain } from './nftNames';

/** The data-plane that load-balances Services: kube-proxy's iptables, IPVS or nftables mode, or Cilium's eBPF replacement. */
export type ServiceDataplane = 'iptables' | 'ipvs' | 'nftables' | 'ebpf';

/** Cilium replaces kube-proxy (socket-level load balancing); otherwise the configured kube-proxy mode. */
export function dataplaneOf(settings: ClusterSettings): ServiceDataplane {
  if (settings.cni === 'cilium') return 'ebpf';
  return settings.kubeProxyMode;
}

/** kube-proxy's default --iptables-masquerade-bit 14. */
export const MASQ_MARK = '0x4000';

/** `namespace/name:portName` (or `namespace/name` for an unnamed port), as proxy.ServicePortName.String() prints it. */
export function servicePortName(svc: { namespace: string; name: string }, port: { name?: string | undefined }): string {
  return `${svc.namespace}/${svc.name}${port.name ? `:${port.name}` : ''}`;
}

/** kube-proxy's portProtoHash: base32(sha256(servicePortName + protocol))[:16], protocol in lower case. */
export function portProtoHash(spn: string, protocol: string): string {
  return hashed(spn + protocol.toLowerCase());
}

// Every trace through a Service names its chains: the hashes are remembered (bounded: cleared when full).
const HASHES_KEPT = 100_000;
const hashes = new Map<string, string>();
function hashed(text: string): string {
  let h = hashes.get(text);
  if (h === undefined) {
    if (hashes.size >= HASHES_KEPT) hashes.clear();
    h = base32(sha256(text)).slice(0, 16);
    hashes.set(text, h);
  }
  return h;
}

export const svcChain = (spn: string, protocol: string) => `KUBE-SVC-${portProtoHash(spn, protocol)}`;
export const svlChain = (spn: string, protocol: string) => `KUBE-SVL-${portProtoHash(spn, protocol)}`;
export const extChain = (spn: string, protocol: string) => `KUBE-EXT-${portProtoHash(spn, protocol)}`;
export const fwChain = (spn: string, protocol: string) => `KUBE-FW-${portProtoHash(spn, protocol)}`;

/** KUBE-SEP-<base32(sha256(servicePortName + protocol + "ip:port"))[:16]>, as servicePortEndpointChainName does. */
export function sepChain(spn: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hashed(spn + protocol.toLowerCase() + endpoint)}`;
}

/** `ip:port`, or `[ip]:port` for IPv6 (net.JoinHostPort). */
export function endpointString(e: { ip: string; port: number }): string {
  return ipFamily(e.ip) === 'ipv6' ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** The `--probability` of the rule that picks one of n remaining endpoints: fmt.Sprintf("%0.10f", 1.0/n). */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/**
 * The load-balancer IP kube-proxy programs (proxy/util IsVIPMode): an ingress IP whose ipMode is VIP
 * or unset; with ipMode Proxy the balancer rewrites the destination itself, so none.
 */
export function kubeProxyLoadBalancerIP(svc: SimService): string | undefined {
  return svc.type === 'LoadBalancer' && svc.loadBalancerIPMode !== 'Proxy' ? svc.loadBalancerIP : undefined;
}

/** Whether a Service can be reached from outside at all (NodePort, LoadBalancer IP or externalIPs). */
export function externallyAccessible(svc: SimService, port: ServicePort): boolean {
  return port.nodePort !== undefined || svc.loadBalancerIP !== undefined || svc.externalIPs.length > 0;
}

/** The endpoints a node's kube-proxy works with for one Service port (proxy.CategorizeEndpoints). */
export interface EndpointSets {
  /** The endpoints Cluster traffic policy uses, in kube-proxy's order (sorted by `ip:port`): the ready ones the topology hints keep, else the serving terminating ones. */
  cluster: Endpoint[];
  /** The endpoints Local traffic policy uses on this node: its ready ones, else its serving terminating ones. */
  local: Endpoint[];
  hasEndpoints: boolean;
  internalLocal: boolean;
  externalLocal: boolean;
  /** The hints kube-proxy followed for `cluster` (and why it ignored them, if it did). */
  topology: TopologyChoice;
  /** True where `cluster` (or `local`) fell back to serving terminating endpoints, no ready one being left. */
  terminatingFallback: boolean;
}

/** kube-proxy's Endpoint.IsReady (publishNotReadyAddresses makes the controller report every endpoint ready). */
const isReady = (svc: SimService, e: Endpoint) => e.ready || svc.publishNotReadyAddresses;
/** IsServing() && IsTerminating(): what kube-proxy falls back to when no endpoint is ready (KEP-1669). */
const isServingTerminating = (e: Endpoint) => (e.serving ?? e.ready) && e.terminating === true;

export function categorizeEndpoints(
  svc: SimService,
  portIndex: number,
  node: string | undefined,
  /** The port's endpoints of one family (dataplane/families.ts); all of them by default. */
  endpoints: Endpoint[] = svc.endpointsByPort[portIndex] ?? [],
  /** The node's topology.kubernetes.io/zone label. */
  zone?: string,
): EndpointSets {
  const port = svc.ports[portIndex];
  const sorted = [...endpoints].sort((a, b) => cmp(endpointString(a), endpointString(b)));
  const readyOnes = sorted.filter((e) => isReady(svc, e));
  const topology = topologyMode(
    readyOnes.map((e) => ({ ...e, ready: true })),
    node,
    zone,
  );
  let terminatingFallback = false;
  let cluster = readyOnes.filter((e) => availableForTopology(e, topology.mode, node, zone));
  if (cluster.length === 0) {
    cluster = sorted.filter(isServingTerminating);
    terminatingFallback = cluster.length > 0;
  }
  const isLocal = (e: Endpoint) => e.node !== undefined && e.node === node;
  let local = readyOnes.filter(isLocal);
  if (local.length === 0) {
    local = sorted.filter((e) => isLocal(e) && isServingTerminating(e));
    if (local.length > 0) terminatingFallback = true;
  }
  const external = port !== undefined && externallyAccessible(svc, port);
  return {
    cluster,
    local,
    hasEndpoints: cluster.length > 0,
    internalLocal: svc.internalTrafficPolicy === 'Local',
    externalLocal: external && svc.externalTrafficPolicy === 'Local',
    topology,
    terminatingFallback,
  };
}

/** ` (its endpoints run on node-2, node-3)`: where a Local policy's traffic would have had to start. */
function endpointNodes(sets: EndpointSets): string {
  const nodes = [...new Set(sets.cluster.map((e) => e.node).filter((n): n is string => n !== undefined))].sort();
  return nodes.length > 0 ? ` (its endpoints run on ${nodes.join(', ')})` : '';
}

/** Where the packet comes from, as kube-proxy's rules tell sources apart. */
export type ClientKind = 'pod' | 'node' | 'external';

export interface ProxyRequest {
  service: SimService;
  portIndex: number;
  /** The node whose rules handle the packet. */
  node: string;
  /** internal: to the ClusterIP; external: to a NodePort, a load-balancer IP or an external IP. */
  traffic: 'internal' | 'external';
  /** How the packet reached the Service: its ClusterIP, a NodePort, the load balancer's IP or an external IP. */
  entry: 'clusterIP' | 'nodePort' | 'loadBalancer' | 'externalIP';
  clientIP: string;
  clientKind: ClientKind;
  /** True when the client is the node handling the packet (src-type LOCAL). */
  clientIsThisNode: boolean;
  settings: ClusterSettings;
  /** The port's endpoints in the packet's family (dataplane/families.ts); the Service's own list by default. */
  endpoints?: Endpoint[];
  /** The handling node's topology.kubernetes.io/zone label, for topology hints. */
  nodeZone?: string;
}

export interface Candidate {
  endpoint: Endpoint;
  /** Share of new connections this endpoint gets, 0..1. */
  weight: number;
  /** iptables: the KUBE-SEP chain that DNATs to it. */
  chain?: string;
  /** iptables: the `--probability` of its rule in the service chain (none on the last rule). */
  probability?: string;
  /** nftables: the value of `numgen random mod N` that jumps to its endpoint- chain. */
  numgen?: number;
}

/** The outcome of kube-proxy's rules for one packet: DNAT to an endpoint, or REJECT/DROP. */
export type ProxyDecision =
  | {
      kind: 'dnat';
      dataplane: ServiceDataplane;
      /** Chains (or eBPF/IPVS stages) the packet walks, in order. */
      path: string[];
      candidates: Candidate[];
      chosen: Candidate;
      /** Why the packet is marked for masquerade (KUBE-MARK-MASQ), if it is. */
      masquerade: MasqueradeReason | undefined;
      affinity: { timeoutSeconds: number } | undefined;
      /** True when the endpoint set was narrowed to this node's endpoints (a Local traffic policy). */
      localOnly: boolean;
      /** How topology hints narrowed the candidates (or why they did not), and whether terminating endpoints stood in. */
      topology?: TopologyChoice;
      terminatingFallback?: boolean;
    }
  | { kind: 'reject'; dataplane: ServiceDataplane; path: string[]; rule: string; reason: string }
  | { kind: 'drop'; dataplane: ServiceDataplane; path: string[]; rule: string; reason: string };

export type MasqueradeReason = 'hairpin' | 'external-cluster-policy' | 'not-from-pod' | 'from-this-node';

/**
 * Runs one packet through the node's Service rules. iptables rules are followed chain by chain
 * (as syncProxyRules writes them); IPVS and Cilium eBPF pick from the same endpoint set with
 * their own mechanism. The endpoint a client gets is chosen by a stable hash of the client and
 * the Service port, so the same question always gets the same answer.
 */
export function decide(req: ProxyRequest): ProxyDecision {
  const svc = req.service;
  const port = svc.ports[req.portIndex];
  if (!port) throw new Error(`service ${svc.namespace}/${svc.name} has no port #${req.portIndex}`);
  const dataplane = dataplaneOf(req.settings);
  const spn = servicePortName(svc, port);
  const proto = port.protocol.toLowerCase();
  const sets = categorizeEndpoints(svc, req.portIndex, req.node, req.endpoints, req.nodeZone);
  const podCIDR = ipFamily(req.clientIP) === 'ipv6' ? req.settings.podCIDRv6 : req.settings.podCIDR;
  const fromPod = req.clientKind === 'pod' && podCIDR !== undefined && cidrContains(podCIDR, req.clientIP);
  const vipRule = entryComment(spn, req.entry);

  if (dataplane === 'nftables') return decideNft(req, sets, spn, proto, fromPod);
  if (!sets.hasEndpoints) {
    const chain = req.traffic === 'internal' ? 'KUBE-SERVICES' : 'KUBE-EXTERNAL-SERVICES';
    return {
      kind: 'reject',
      dataplane,
      path: [`${chain} (filter)`],
      rule: `-A ${chain} -m comment --comment "${spn} has no endpoints" -j REJECT`,
      reason: `${spn} has no endpoints`,
    };
  }

  let endpoints: Endpoint[];
  let policyChain: string;
  let masquerade: MasqueradeReason | undefined;
  let localOnly = false;
  const path: string[] = [`KUBE-SERVICES (${vipRule})`];
  if (req.traffic === 'internal') {
    localOnly = sets.internalLocal;
    if (localOnly && sets.local.length === 0) {
      return {
        kind: 'drop',
        dataplane,
        path: ['KUBE-SERVICES (filter)'],
        rule: `-A KUBE-SERVICES -m comment --comment "${spn} has no local endpoints" -j DROP`,
        reason: `internalTrafficPolicy is Local and ${req.node} runs no endpoint of ${spn}${endpointNodes(sets)}`,
      };
    }
    endpoints = localOnly ? sets.local : sets.cluster;
    policyChain = localOnly ? svlChain(spn, proto) : svcChain(spn, proto);
    // kube-proxy's local-traffic detector: anything not from the pod CIDR to a ClusterIP is masqueraded.
    if (!fromPod) masquerade = 'not-from-pod';
  } else {
    if (req.entry === 'nodePort') path.push('KUBE-NODEPORTS');
    path.push(extChain(spn, proto));
    if (!sets.externalLocal) {
      endpoints = sets.cluster;
      policyChain = svcChain(spn, proto);
      masquerade = 'external-cluster-policy';
    } else if (fromPod) {
      // "pod traffic for external destinations": treated like in-cluster traffic, client IP kept.
      endpoints = sets.cluster;
      policyChain = svcChain(spn, proto);
    } else if (req.clientIsThisNode) {
      endpoints = sets.cluster;
      policyChain = svcChain(spn, proto);
      masquerade = 'from-this-node';
    } else {
      localOnly = true;
      if (sets.local.length === 0) {
        return {
          kind: 'drop',
          dataplane,
          path: ['KUBE-EXTERNAL-SERVICES (filter)'],
          rule: `-A KUBE-EXTERNAL-SERVICES -m comment --comment "${spn} has no local endpoints" -j DROP`,
          reason: `externalTrafficPolicy is Local and ${req.node} runs no endpoint of ${spn}`,
        };
      }
      endpoints = sets.local;
      policyChain = svlChain(spn, proto);
    }
  }
  path.push(policyChain);
  const n = endpoints.length;
  const candidates: Candidate[] = endpoints.map((e, i) => {
    const c: Candidate = { endpoint: e, weight: 1 / n, chain: sepChain(spn, proto, endpointString(e)) };
    if (i < n - 1) c.probability = probability(n - i);
    return c;
  });
  const chosen = candidates[fnv1a(`${req.clientIP}|${spn}/${proto}`) % n] as Candidate;
  path.push(chosen.chain as string);
  if (chosen.endpoint.ip === req.clientIP) masquerade = 'hairpin';
  const affinity = svc.sessionAffinity === 'ClientIP' ? { timeoutSeconds: svc.sessionAffinityTimeoutSeconds } : undefined;
  if (dataplane !== 'iptables') {
    for (const c of candidates) {
      delete c.chain;
      delete c.probability;
    }
  }
  return {
    kind: 'dnat',
    dataplane,
    path: dataplane === 'iptables' ? path : stagesOf(dataplane, svc, port, req),
    candidates,
    chosen,
    masquerade,
    affinity,
    localOnly,
    topology: sets.topology,
    terminatingFallback: sets.terminatingFallback,
  };
}

/** The packet's destination as kube-proxy keys its maps: `ip . proto . port` (`proto . nodePort` for NodePorts). */
function nftKey(req: ProxyRequest, port: ServicePort, proto: string): { map: string; key: string } {
  const svc = req.service;
  if (req.entry === 'nodePort') return { map: 'service-nodeports', key: `${proto} . ${port.nodePort}` };
  const ip =
    req.entry === 'clusterIP'
      ? (svc.clusterIPs.find((x) => ipFamily(x) === ipFamily(req.clientIP)) ?? svc.clusterIP)
      : req.entry === 'loadBalancer'
        ? svc.loadBalancerIP
        : svc.externalIPs[0];
  return { map: 'service-ips', key: `${ip} . ${proto} . ${port.port}` };
}

/**
 * The nftables proxier's verdict for one packet: the no-endpoint-* maps (filter chains, before
 * DNAT) reject or drop; otherwise `services` looks the destination up in service-ips or
 * service-nodeports, external- chains short-circuit or masquerade, and the service-/local- chain's
 * `numgen random mod N vmap` picks the endpoint- chain that DNATs.
 */
function decideNft(req: ProxyRequest, sets: EndpointSets, spn: string, proto: string, fromPod: boolean): ProxyDecision {
  const svc = req.service;
  const port = svc.ports[req.portIndex] as ServicePort;
  const name = nftPortName(svc, port);
  const ipX = ipFamily(req.clientIP) === 'ipv6' ? 'ip6' : 'ip';
  const { map, key } = nftKey(req, port, proto);
  const noEndpointMap = req.entry === 'nodePort' ? 'no-endpoint-nodeports' : 'no-endpoint-services';
  const checkChain = req.entry === 'nodePort' ? 'nodeport-endpoints-check' : 'service-endpoints-check';
  const filter =
    req.clientKind === 'pod' && !req.clientIsThisNode ? 'filter-forward' : req.clientIsThisNode ? 'filter-output' : 'filter-input';
  if (!sets.hasEndpoints)
    return {
      kind: 'reject',
      dataplane: 'nftables',
      path: [`${filter} → ${checkChain}`],
      rule: `${ipX} kube-proxy ${noEndpointMap} { ${key} comment "${spn}" : goto reject-chain }`,
      reason: `${spn} has no endpoints`,
    };
  const drop = (policy: 'internal' | 'external') => ({
    kind: 'drop' as const,
    dataplane: 'nftables' as const,
    path: [`${filter} → ${checkChain}`],
    rule: `${ipX} kube-proxy ${noEndpointMap} { ${key} comment "${spn}" : drop }`,
    reason: `${policy}TrafficPolicy is Local and ${req.node} runs no endpoint of ${spn}${endpointNodes(sets)}`,
  });
  const path = [`services (${ipX} daddr . meta l4proto . th dport vmap @${map}: ${key})`];
  let endpoints: Endpoint[];
  let chain: string;
  let masquerade: MasqueradeReason | undefined;
  let localOnly = false;
  if (req.traffic === 'internal') {
    localOnly = sets.internalLocal;
    if (localOnly && sets.local.length === 0) return drop('internal');
    endpoints = localOnly ? sets.local : sets.cluster;
    chain = localOnly ? nftLocalChain(name, proto) : nftServiceChain(name, proto);
    if (!fromPod) masquerade = 'not-from-pod';
  } else {
    path.push(nftExternalChain(name, proto));
    chain = nftServiceChain(name, proto);
    endpoints = sets.cluster;
    if (!sets.externalLocal) masquerade = 'external-cluster-policy';
    else if (fromPod) path[path.length - 1] += ' (short-circuit pod traffic)';
    else if (req.clientIsThisNode) {
      masquerade = 'from-this-node';
      path[path.length - 1] += ' (masquerade local traffic, short-circuit local traffic)';
    } else {
      localOnly = true;
      if (sets.local.length === 0) return drop('external');
      endpoints = sets.local;
      chain = nftLocalChain(name, proto);
    }
  }
  path.push(chain);
  const n = endpoints.length;
  const candidates: Candidate[] = endpoints.map((e, i) => ({
    endpoint: e,
    weight: 1 / n,
    chain: nftEndpointChain(name, proto, e.ip, e.port),
    numgen: i,
  }));
  const chosen = candidates[fnv1a(`${req.clientIP}|${spn}/${proto}`) % n] as Candidate;
  path.push(`${chosen.chain} (numgen random mod ${n} = ${chosen.numgen})`);
  if (chosen.endpoint.ip === req.clientIP) masquerade = 'hairpin';
  const affinity = svc.sessionAffinity === 'ClientIP' ? { timeoutSeconds: svc.sessionAffinityTimeoutSeconds } : undefined;
  return {
    kind: 'dnat',
    dataplane: 'nftables',
    path,
    candidates,
    chosen,
    masquerade,
    affinity,
    localOnly,
    topology: sets.topology,
    terminatingFallback: sets.terminatingFallback,
  };
}

function entryComment(spn: string, entry: ProxyRequest['entry']): string {
  switch (entry) {
    case 'clusterIP':
      return `${spn} cluster IP`;
    case 'nodePort':
      return 'kubernetes service nodeports';
    case 'loadBalancer':
      return `${spn} loadbalancer IP`;
    case 'externalIP':
      return `${spn} external IP`;
  }
}

function stagesOf(dataplane: ServiceDataplane, svc: SimService, port: ServicePort, req: ProxyRequest): string[] {
  const vip =
    req.entry === 'clusterIP'
      ? `${svc.clusterIP}:${port.port}`
      : req.entry === 'nodePort'
        ? `${req.node}:${port.nodePort}`
        : `${svc.loadBalancerIP ?? svc.externalIPs[0]}:${port.port}`;
  if (dataplane === 'ipvs') {
    const set =
      req.entry === 'clusterIP' ? 'KUBE-CLUSTER-IP' : req.entry === 'nodePort' ? `KUBE-NODE-PORT-${port.protocol}` : 'KUBE-LOAD-BALANCER';
    return [`ipset ${set}`, `IPVS virtual server ${port.protocol} ${vip} rr`];
  }
  return req.entry === 'clusterIP' && req.clientKind === 'pod'
    ? ['cgroup/connect (bpf_sock socket LB)', `${req.clientIP.includes(':') ? 'lb6' : 'lb4'} service map ${vip}`]
    : ['bpf_host (tc ingress on the node device)', `${req.clientIP.includes(':') ? 'lb6' : 'lb4'} service map ${vip}`];
}
