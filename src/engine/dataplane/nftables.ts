// What kube-proxy's nftables proxier (pkg/proxy/nftables/proxier.go, GA since Kubernetes 1.33)
// programs on one node, as `nft list table ip kube-proxy` (or `ip6`) prints it: its one table of
// base chains, dispatch maps (service-ips, service-nodeports), the no-endpoint and firewall
// verdict maps, and per Service port the service-/local-/external-/firewall- chains and the
// endpoint- chains that `numgen random mod N vmap` picks between.
import { cmp } from '../diagnostics';
import { cidrContains } from '../cluster/ipam';
import {
  MASQ_MARK,
  categorizeEndpoints,
  endpointString,
  externallyAccessible,
  kubeProxyLoadBalancerIP,
  servicePortName,
} from './kubeProxy';
import { clusterIPOf, endpointsOf, nodeIPOf, podCIDROf, serviceCIDROf, type IPFamily } from './families';
import {
  nftAffinitySet,
  nftEndpointChain,
  nftExternalChain,
  nftFirewallChain,
  nftLocalChain,
  nftPortName,
  nftServiceChain,
} from './nftNames';
import { zoneOf } from '../services/topology';
import type { Cluster, Endpoint } from '../cluster/model';

/** `ip` for the IPv4 proxier's table, `ip6` for the IPv6 one. */
export type NftTableFamily = 'ip' | 'ip6';

export const nftFamily = (family: IPFamily): NftTableFamily => (family === 'ipv4' ? 'ip' : 'ip6');

interface NftElement {
  key: string;
  comment?: string;
  value?: string;
}

interface NftSet {
  kind: 'set' | 'map';
  name: string;
  type: string;
  flags?: string;
  timeout?: number;
  comment?: string;
  elements: NftElement[];
}

interface NftChain {
  name: string;
  /** Base chains: `type T hook H priority P; policy accept;`. */
  base?: { type: 'filter' | 'nat'; hook: string; priority: number };
  comment?: string;
  rules: string[];
}

/** The table as data: its sets and maps, then its chains, in the order kube-proxy creates them. */
export interface NftTable {
  family: NftTableFamily;
  sets: NftSet[];
  chains: NftChain[];
}

// The base chains of Kubernetes 1.33+ (filter chains before DNAT at priority dstnat-10, the
// others at filter 0), and the jumps into kube-proxy's own chains, as proxier.go sets them up.
const BASE_CHAINS: Array<[string, 'filter' | 'nat', string, number]> = [
  ['filter-prerouting-pre-dnat', 'filter', 'prerouting', -110],
  ['filter-output-pre-dnat', 'filter', 'output', -110],
  ['filter-input', 'filter', 'input', 0],
  ['filter-forward', 'filter', 'forward', 0],
  ['filter-output', 'filter', 'output', 0],
  ['nat-prerouting', 'nat', 'prerouting', -100],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
];
const JUMPS: Array<[string, string, string]> = [
  ['nodeport-endpoints-check', 'filter-input', 'ct state new '],
  ['service-endpoints-check', 'filter-input', 'ct state new '],
  ['service-endpoints-check', 'filter-forward', 'ct state new '],
  ['service-endpoints-check', 'filter-output', 'ct state new '],
  ['firewall-check', 'filter-prerouting-pre-dnat', 'ct state new '],
  ['firewall-check', 'filter-output-pre-dnat', 'ct state new '],
  ['services', 'nat-output', ''],
  ['services', 'nat-prerouting', ''],
  ['masquerading', 'nat-postrouting', ''],
  ['cluster-ips-check', 'filter-forward', 'ct state new '],
  ['cluster-ips-check', 'filter-output', 'ct state new '],
];

/** kube-proxy's table for one family on `node` (syncProxyRules after setupNFTables). */
export function nftablesTable(cluster: Cluster, node: string, family: IPFamily): NftTable {
  const ipX = nftFamily(family);
  const addrType = family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr';
  const podCIDR = podCIDROf(cluster.settings, family);
  const serviceCIDR = serviceCIDROf(cluster.settings, family);
  const thisNode = cluster.nodes.find((n) => n.name === node);
  const nodeIP = thisNode ? nodeIPOf(thisNode, family) : undefined;
  const chains = new Map<string, NftChain>();
  const chain = (name: string): NftChain => {
    let c = chains.get(name);
    if (!c) chains.set(name, (c = { name, rules: [] }));
    return c;
  };
  for (const [name, type, hook, priority] of BASE_CHAINS) chains.set(name, { name, base: { type, hook, priority }, rules: [] });
  for (const [to, from, extra] of JUMPS) {
    chain(to);
    chain(from).rules.push(`${extra}jump ${to}`);
  }
  chain('mark-for-masquerade').rules.push(`meta mark set meta mark | ${mark32(MASQ_MARK)}`);
  chain('masquerading').rules.push(
    `meta mark & ${mark32(MASQ_MARK)} == 0x00000000 return`,
    `meta mark set meta mark ^ ${mark32(MASQ_MARK)}`,
    'masquerade fully-random',
  );
  chain('cluster-ips-check').rules.push(`${ipX} daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`);
  if (serviceCIDR)
    chain('cluster-ips-check').rules.push(`${ipX} daddr { ${serviceCIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`);
  const set = (kind: 'set' | 'map', name: string, type: string, comment: string): NftSet => ({ kind, name, type, comment, elements: [] });
  const clusterIPs = set('set', 'cluster-ips', addrType, 'Active ClusterIPs');
  // --nodeport-addresses defaults to `primary` in nftables mode: NodePorts answer on the node's own address only.
  const nodePortIPs = set('set', 'nodeport-ips', addrType, 'IPs that accept NodePort traffic');
  if (nodeIP) nodePortIPs.elements.push({ key: nodeIP });
  const vmapType = `${addrType} . inet_proto . inet_service : verdict`;
  const noEndpointServices = set('map', 'no-endpoint-services', vmapType, 'vmap to drop or reject packets to services with no endpoints');
  const noEndpointNodePorts = set(
    'map',
    'no-endpoint-nodeports',
    'inet_proto . inet_service : verdict',
    'vmap to drop or reject packets to service nodeports with no endpoints',
  );
  const firewallIPs = set('map', 'firewall-ips', vmapType, 'destinations that are subject to LoadBalancerSourceRanges');
  const serviceIPs = set('map', 'service-ips', vmapType, 'ClusterIP, ExternalIP and LoadBalancer IP traffic');
  const serviceNodePorts = set('map', 'service-nodeports', 'inet_proto . inet_service : verdict', 'NodePort traffic');
  const affinitySets: NftSet[] = [];
  chains.set('reject-chain', {
    name: 'reject-chain',
    comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports',
    rules: ['reject'],
  });
  chain('service-endpoints-check').rules.push(`${ipX} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  chain('nodeport-endpoints-check').rules.push(`${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`);
  chain('firewall-check').rules.push(`${ipX} daddr . meta l4proto . th dport vmap @firewall-ips`);
  chain('services').rules.push(
    `${ipX} daddr . meta l4proto . th dport vmap @service-ips`,
    `${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
  );

  for (const p of proxiedPorts(cluster, family)) {
    const { svc, port, index, vip } = p;
    const name = nftPortName(svc, port);
    const proto = port.protocol.toLowerCase();
    const spn = servicePortName(svc, port);
    const sets = categorizeEndpoints(svc, index, node, endpointsOf(cluster, svc, index, family), zoneOf(thisNode));
    const clusterChain = nftServiceChain(name, proto);
    const localChain = nftLocalChain(name, proto);
    const extChain = nftExternalChain(name, proto);
    const external = externallyAccessible(svc, port);
    const usesCluster = sets.cluster.length > 0 && (!sets.internalLocal || (external && !sets.externalLocal));
    const usesLocal = sets.local.length > 0 && (sets.internalLocal || sets.externalLocal);
    const hasInternal = sets.hasEndpoints && !(sets.internalLocal && sets.local.length === 0);
    const hasExternal = sets.hasEndpoints && !(sets.externalLocal && sets.local.length === 0);
    const internalChain = sets.internalLocal ? localChain : clusterChain;
    const externalPolicyChain = sets.externalLocal ? localChain : clusterChain;
    const usesExt = sets.hasEndpoints && external;
    const internalVerdict = sets.hasEndpoints ? 'drop' : 'goto reject-chain';
    const externalVerdict = sets.hasEndpoints ? 'drop' : 'goto reject-chain';
    const key = (ip: string) => `${ip} . ${proto} . ${port.port}`;
    const chainsOfPort: NftChain[] = [];
    const own = (n: string): NftChain => {
      const c = { name: n, rules: [] as string[] };
      chainsOfPort.push(c);
      return c;
    };

    if (!clusterIPs.elements.some((e) => e.key === vip)) clusterIPs.elements.push({ key: vip });
    if (hasInternal) serviceIPs.elements.push({ key: key(vip), value: `goto ${internalChain}` });
    else noEndpointServices.elements.push({ key: key(vip), comment: spn, value: internalVerdict });
    for (const ip of svc.externalIPs.filter((x) => familyOf(x) === family)) {
      if (sets.hasEndpoints) serviceIPs.elements.push({ key: key(ip), value: `goto ${extChain}` });
      if (!hasExternal) noEndpointServices.elements.push({ key: key(ip), comment: spn, value: externalVerdict });
    }
    const lbIP = kubeProxyLoadBalancerIP(svc);
    const lbIPs = lbIP && familyOf(lbIP) === family ? [lbIP] : [];
    const ranges = (svc.loadBalancerSourceRanges ?? []).filter((r) => familyOf(r) === family);
    const usesFirewall = lbIPs.length > 0 && ranges.length > 0;
    const fwChain = nftFirewallChain(name, proto);
    for (const ip of lbIPs) {
      if (sets.hasEndpoints) serviceIPs.elements.push({ key: key(ip), value: `goto ${extChain}` });
      if (usesFirewall) firewallIPs.elements.push({ key: key(ip), value: `goto ${fwChain}` });
    }
    if (!hasExternal) for (const ip of lbIPs) noEndpointServices.elements.push({ key: key(ip), comment: spn, value: externalVerdict });
    if (port.nodePort !== undefined) {
      if (sets.hasEndpoints) serviceNodePorts.elements.push({ key: `${proto} . ${port.nodePort}`, value: `goto ${extChain}` });
      if (!hasExternal) noEndpointNodePorts.elements.push({ key: `${proto} . ${port.nodePort}`, comment: spn, value: externalVerdict });
    }

    const reachable = new Map<string, Endpoint>();
    if (usesCluster) for (const e of sets.cluster) reachable.set(endpointString(e), e);
    if (usesLocal) for (const e of sets.local) reachable.set(endpointString(e), e);
    const affinity = svc.sessionAffinity === 'ClientIP';
    if (affinity)
      for (const e of reachable.values())
        affinitySets.push({
          kind: 'set',
          name: nftAffinitySet(name, proto, e.ip, e.port),
          type: addrType,
          flags: 'dynamic,timeout',
          timeout: svc.sessionAffinityTimeoutSeconds,
          elements: [],
        });
    const masqueradeOffCluster = podCIDR ? ` ${ipX} saddr != ${podCIDR}` : '';
    if (usesCluster) {
      const c = own(clusterChain);
      if (hasInternal && internalChain === clusterChain && podCIDR)
        c.rules.push(`${ipX} daddr ${vip}${masqueradeOffCluster} jump mark-for-masquerade`);
      c.rules.push(...toEndpoints(name, proto, ipX, affinity, sets.cluster));
    }
    if (usesLocal) {
      const c = own(localChain);
      if (hasInternal && internalChain === localChain && podCIDR)
        c.rules.push(`${ipX} daddr ${vip}${masqueradeOffCluster} jump mark-for-masquerade`);
      c.rules.push(...toEndpoints(name, proto, ipX, affinity, sets.local));
    }
    if (usesExt) {
      const c = own(extChain);
      if (!sets.externalLocal) c.rules.push('jump mark-for-masquerade');
      else {
        if (podCIDR) c.rules.push(`${ipX} saddr ${podCIDR} goto ${clusterChain} comment "short-circuit pod traffic"`);
        c.rules.push(
          'fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"',
          `fib saddr type local goto ${clusterChain} comment "short-circuit local traffic"`,
        );
      }
      if (hasExternal) c.rules.push(`goto ${externalPolicyChain}`);
    }
    if (usesFirewall) {
      const sources = [...ranges];
      // A request from this node to a VIP-like load balancer's address loops back with the VIP as source.
      if (nodeIP && ranges.some((r) => cidrContains(r, nodeIP))) sources.push(...lbIPs);
      own(fwChain).rules.push(`${ipX} saddr != { ${sources.join(', ')} } drop`);
    }
    for (const e of [...reachable.values()].sort((a, b) => cmp(endpointString(a), endpointString(b)))) {
      const c = own(nftEndpointChain(name, proto, e.ip, e.port));
      c.rules.push(`${ipX} saddr ${e.ip} jump mark-for-masquerade`);
      if (affinity) c.rules.push(`update @${nftAffinitySet(name, proto, e.ip, e.port)} { ${ipX} saddr }`);
      c.rules.push(`meta l4proto ${proto} dnat to ${endpointString(e)}`);
    }
    for (const c of chainsOfPort) chains.set(c.name, c);
  }
  return {
    family: ipX,
    sets: [clusterIPs, nodePortIPs, noEndpointServices, noEndpointNodePorts, firewallIPs, serviceIPs, serviceNodePorts, ...affinitySets],
    chains: [...chains.values()],
  };
}

/** writeServiceToEndpointRules: an affinity check per endpoint, then one numgen vmap over them all. */
function toEndpoints(name: ReturnType<typeof nftPortName>, proto: string, ipX: string, affinity: boolean, endpoints: Endpoint[]): string[] {
  const rules: string[] = [];
  if (affinity)
    for (const e of endpoints)
      rules.push(`${ipX} saddr @${nftAffinitySet(name, proto, e.ip, e.port)} goto ${nftEndpointChain(name, proto, e.ip, e.port)}`);
  const arms = endpoints.map((e, i) => `${i} : goto ${nftEndpointChain(name, proto, e.ip, e.port)}`);
  rules.push(`numgen random mod ${endpoints.length} vmap { ${arms.join(', ')} }`);
  return rules;
}

interface ProxiedPort {
  svc: Cluster['services'][number];
  port: Cluster['services'][number]['ports'][number];
  index: number;
  spn: string;
  vip: string;
}

/** The Service ports this family's proxier programs: those whose Service has a ClusterIP of the family. */
function proxiedPorts(cluster: Cluster, family: IPFamily): ProxiedPort[] {
  const out: ProxiedPort[] = [];
  for (const svc of cluster.services) {
    const vip = clusterIPOf(svc, family);
    if (!vip) continue;
    svc.ports.forEach((port, index) => out.push({ svc, port, index, spn: servicePortName(svc, port), vip }));
  }
  return out.sort((a, b) => cmp(a.spn, b.spn) || cmp(a.port.protocol, b.port.protocol));
}

const familyOf = (addressOrCidr: string): IPFamily => (addressOrCidr.includes(':') ? 'ipv6' : 'ipv4');

/** nft prints marks as 32-bit hex: 0x4000 → 0x00004000. */
function mark32(mark: string): string {
  return `0x${Number.parseInt(mark, 16).toString(16).padStart(8, '0')}`;
}

/** nft's names for the standard priorities, as `nft list` prints them (dstnat - 10, filter, srcnat). */
function priorityText(priority: number): string {
  const named: Array<[string, number]> = [
    ['raw', -300],
    ['mangle', -150],
    ['dstnat', -100],
    ['filter', 0],
    ['security', 50],
    ['srcnat', 100],
  ];
  const exact = named.find(([, v]) => v === priority);
  if (exact) return exact[0];
  const near = named.reduce((best, cur) => (Math.abs(cur[1] - priority) < Math.abs(best[1] - priority) ? cur : best));
  const d = priority - near[1];
  return `${near[0]} ${d < 0 ? '-' : '+'} ${Math.abs(d)}`;
}

/** A set timeout as nft prints it: 10800 → 3h, 90 → 1m30s. */
export function nftDuration(seconds: number): string {
  const parts: Array<[number, string]> = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  let rest = seconds;
  let out = '';
  for (const [unit, suffix] of parts) {
    const n = Math.floor(rest / unit);
    if (n > 0) out += `${n}${suffix}`;
    rest -= n * unit;
  }
  return out || '0s';
}

/** The table in `nft list table` form. */
export function renderNftTable(t: NftTable): string {
  const blocks: string[] = [];
  for (const s of t.sets) {
    const lines = [`\t${s.kind} ${s.name} {`, `\t\ttype ${s.type}`];
    if (s.flags) lines.push(`\t\tflags ${s.flags}`);
    if (s.timeout !== undefined) lines.push(`\t\ttimeout ${nftDuration(s.timeout)}`);
    if (s.comment) lines.push(`\t\tcomment "${s.comment}"`);
    if (s.elements.length > 0) {
      const items = s.elements.map((e) => `${e.key}${e.comment ? ` comment "${e.comment}"` : ''}${e.value ? ` : ${e.value}` : ''}`);
      lines.push(`\t\telements = { ${items.join(',\n\t\t\t     ')} }`);
    }
    lines.push('\t}');
    blocks.push(lines.join('\n'));
  }
  for (const c of t.chains) {
    const lines = [`\tchain ${c.name} {`];
    if (c.base) lines.push(`\t\ttype ${c.base.type} hook ${c.base.hook} priority ${priorityText(c.base.priority)}; policy accept;`);
    if (c.comment) lines.push(`\t\tcomment "${c.comment}"`);
    for (const r of c.rules) lines.push(`\t\t${r}`);
    lines.push('\t}');
    blocks.push(lines.join('\n'));
  }
  return `table ${t.family} kube-proxy {\n\tcomment "rules for kube-proxy"\n${blocks.join('\n\n')}\n}\n`;
}

/** Only what one Service put in the table: its chains and sets, and its elements of the shared maps. */
export function serviceSlice(t: NftTable, svc: { namespace: string; name: string; clusterIPs: string[] }): NftTable {
  const own = (name: string) => name.includes(`-${svc.namespace}/${svc.name}/`);
  const mine = (e: NftElement) =>
    (e.value !== undefined && own(e.value)) ||
    e.comment?.startsWith(`${svc.namespace}/${svc.name}`) === true ||
    svc.clusterIPs.some((ip) => e.key === ip);
  return {
    family: t.family,
    sets: t.sets
      .map((s) => ({ ...s, elements: own(s.name) ? s.elements : s.elements.filter(mine) }))
      .filter((s) => own(s.name) || s.elements.length > 0),
    chains: t.chains.filter((c) => own(c.name)),
  };
}

/** `nft list ruleset` on `node` for kube-proxy's tables: `ip`, then `ip6` when the cluster runs IPv6 Services; `only` keeps one Service's part. */
export function nftablesRules(
  cluster: Cluster,
  node: string,
  families: IPFamily[] = ['ipv4'],
  only?: { namespace: string; name: string; clusterIPs: string[] },
): string {
  return families
    .map((f) => {
      const t = nftablesTable(cluster, node, f);
      return renderNftTable(only ? serviceSlice(t, only) : t);
    })
    .join('');
}
