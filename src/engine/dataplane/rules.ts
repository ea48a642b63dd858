// What kube-proxy programs on one node, as text an operator would compare with the real node:
// the iptables-restore input that syncProxyRules writes (filter and nat tables), or the IPVS
// view (`ipvsadm -Ln`) with the ipset and iptables glue around it.
import ipaddr from 'ipaddr.js';
import { cmp } from '../diagnostics';
import { cidrContains, ipFamily } from '../cluster/ipam';
import {
  MASQ_MARK,
  categorizeEndpoints,
  endpointString,
  extChain,
  externallyAccessible,
  fwChain,
  probability,
  sepChain,
  kubeProxyLoadBalancerIP,
  servicePortName,
  svcChain,
  svlChain,
} from './kubeProxy';
import { zoneOf } from '../services/topology';
import type { Cluster, Endpoint, ServicePort, SimService } from '../cluster/model';
import { nftablesRules } from './nftables';
import { clusterFamilies, clusterIPOf, endpointsOf, nodeIPOf, podCIDROf, type IPFamily } from './families';

/** The families kube-proxy programs: both in a dual-stack cluster, and IPv6 wherever a Service has an IPv6 ClusterIP. */
export function proxyFamilies(cluster: Cluster): IPFamily[] {
  const families = clusterFamilies(cluster.settings);
  if (!families.includes('ipv6') && cluster.services.some((s) => clusterIPOf(s, 'ipv6') !== undefined)) families.push('ipv6');
  return families;
}

export type RulesMode = 'iptables' | 'ipvs' | 'nftables';

/** One rendering shared by the nodes it applies to (nodes only differ under Local traffic policies). */
export interface NodeRules {
  nodes: string[];
  text: string;
}

interface ProxiedPort {
  svc: SimService;
  port: ServicePort;
  index: number;
  spn: string;
  proto: string;
  vip: string;
}

/** The Service ports one family's kube-proxy programs (headless and ExternalName are skipped, as kube-proxy skips them). */
function proxiedPorts(cluster: Cluster, family: IPFamily = 'ipv4'): ProxiedPort[] {
  const out: ProxiedPort[] = [];
  for (const svc of cluster.services) {
    const vip = clusterIPOf(svc, family);
    if (!vip) continue;
    svc.ports.forEach((port, index) => {
      out.push({ svc, port, index, spn: servicePortName(svc, port), proto: port.protocol.toLowerCase(), vip });
    });
  }
  return out.sort((a, b) => cmp(a.spn, b.spn) || cmp(a.proto, b.proto));
}

/** The family's addresses among a list (external IPs, load-balancer IPs). */
const ofFamily = (ips: Array<string | undefined>, family: IPFamily): string[] =>
  ips.filter((ip): ip is string => ip !== undefined && ipFamily(ip) === family);

// The jumps from the built-in chains into kube-proxy's (its iptablesJumpChains, inserted at the
// top of each chain) and the kubelet's KUBE-FIREWALL, as iptables-save prints them on a node.
const NAT_JUMPS = [
  '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
];
const FILTER_JUMPS = [
  '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
  '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
  '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
  '-A INPUT -j KUBE-FIREWALL',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
  '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
  '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
  '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -j KUBE-FIREWALL',
];

/** The built-in chains of a table with their policy, as iptables-save declares them first. */
function builtinChains(table: 'filter' | 'nat'): string[] {
  const chains = table === 'filter' ? ['INPUT', 'FORWARD', 'OUTPUT'] : ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
  return chains.map((c) => `:${c} ACCEPT [0:0]`);
}

const q = (s: string) => (/\s/.test(s) ? `"${s}"` : s);

/**
 * The iptables-restore input kube-proxy (iptables mode) writes on `node`, in the order syncProxyRules
 * writes it; for `ipv6`, the ip6tables-restore input of its IPv6 proxier (IPv6 ClusterIPs, endpoints
 * at the pods' IPv6 addresses, the IPv6 pod CIDR).
 */
export function iptablesRules(cluster: Cluster, node: string, family: IPFamily = 'ipv4'): string {
  const podCIDR = podCIDROf(cluster.settings, family) ?? '';
  const thisNode = cluster.nodes.find((n) => n.name === node);
  const filterChains = [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL',
    'KUBE-FIREWALL',
  ];
  // The kubelet's localnet guard exists for IPv4 only (route_localnet has no IPv6 counterpart).
  const filterRules: string[] =
    family === 'ipv4'
      ? [
          `-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
        ]
      : [];
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const natRules: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
  for (const p of proxiedPorts(cluster, family)) {
    const { svc, port, spn, proto, vip } = p;
    const sets = categorizeEndpoints(svc, p.index, node, endpointsOf(cluster, svc, p.index, family), zoneOf(thisNode));
    const external = externallyAccessible(svc, port);
    const clusterChain = svcChain(spn, proto);
    const localChain = svlChain(spn, proto);
    const extName = extChain(spn, proto);
    const usesCluster = sets.cluster.length > 0 && (!sets.internalLocal || (external && !sets.externalLocal));
    const usesLocal = sets.local.length > 0 && (sets.internalLocal || sets.externalLocal);
    const hasInternal = sets.hasEndpoints && !(sets.internalLocal && sets.local.length === 0);
    const hasExternal = sets.hasEndpoints && !(sets.externalLocal && sets.local.length === 0);
    const internalChain = sets.internalLocal ? localChain : clusterChain;
    const externalPolicyChain = sets.externalLocal ? localChain : clusterChain;
    const usesExt = sets.hasEndpoints && external;
    const m = `-m ${proto} -p ${proto}`;
    const noEndpoints = `"${spn} has no endpoints"`;
    const noLocal = `"${spn} has no local endpoints"`;
    const externalTarget = sets.hasEndpoints ? 'DROP' : 'REJECT';
    const externalComment = sets.hasEndpoints ? noLocal : noEndpoints;

    if (hasInternal)
      natRules.push(`-A KUBE-SERVICES -m comment --comment "${spn} cluster IP" ${m} -d ${vip} --dport ${port.port} -j ${internalChain}`);
    else
      filterRules.push(
        `-A KUBE-SERVICES -m comment --comment ${sets.hasEndpoints ? noLocal : noEndpoints} ${m} -d ${vip} --dport ${port.port} -j ${sets.hasEndpoints ? 'DROP' : 'REJECT'}`,
      );
    for (const ip of ofFamily(svc.externalIPs, family)) {
      if (sets.hasEndpoints)
        natRules.push(`-A KUBE-SERVICES -m comment --comment "${spn} external IP" ${m} -d ${ip} --dport ${port.port} -j ${extName}`);
      if (!hasExternal)
        filterRules.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalComment} ${m} -d ${ip} --dport ${port.port} -j ${externalTarget}`,
        );
    }
    const lbIPs = ofFamily([kubeProxyLoadBalancerIP(svc)], family);
    const ranges = (svc.loadBalancerSourceRanges ?? []).filter((r) => ipFamily(r.split('/')[0] ?? '') === family);
    // loadBalancerSourceRanges: LB-IP traffic goes through KUBE-FW-, which lets the ranges on to KUBE-EXT-;
    // what falls off its end was not DNATed and meets the DROP in the filter table's KUBE-PROXY-FIREWALL.
    const usesFW = lbIPs.length > 0 && ranges.length > 0;
    const fwName = fwChain(spn, proto);
    for (const ip of lbIPs) {
      if (sets.hasEndpoints)
        natRules.push(
          `-A KUBE-SERVICES -m comment --comment "${spn} loadbalancer IP" ${m} -d ${ip} --dport ${port.port} -j ${usesFW ? fwName : extName}`,
        );
      if (usesFW)
        filterRules.push(
          `-A KUBE-PROXY-FIREWALL -m comment --comment "${spn} traffic not accepted by ${fwName}" ${m} -d ${ip} --dport ${port.port} -j DROP`,
        );
    }
    if (usesFW && sets.hasEndpoints) {
      natChains.push(fwName);
      const nodeIP = thisNode ? nodeIPOf(thisNode, family) : undefined;
      const sources = [...ranges, ...(nodeIP && ranges.some((r) => cidrContains(r, nodeIP)) ? lbIPs : [])];
      for (const src of sources) natRules.push(`-A ${fwName} -m comment --comment "${spn} loadbalancer IP" -s ${src} -j ${extName}`);
    }
    // The health check kube-proxy serves for a Local LoadBalancer is let in on every node.
    if (svc.healthCheckNodePort !== undefined && sets.externalLocal && svc.type === 'LoadBalancer')
      filterRules.push(
        `-A KUBE-NODEPORTS -m comment --comment "${spn} health check node port" -m tcp -p tcp --dport ${svc.healthCheckNodePort} -j ACCEPT`,
      );
    if (!hasExternal)
      for (const ip of lbIPs)
        filterRules.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalComment} ${m} -d ${ip} --dport ${port.port} -j ${externalTarget}`,
        );
    if (port.nodePort !== undefined) {
      if (sets.hasEndpoints) natRules.push(`-A KUBE-NODEPORTS -m comment --comment ${q(spn)} ${m} --dport ${port.nodePort} -j ${extName}`);
      if (!hasExternal)
        filterRules.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalComment} -m addrtype --dst-type LOCAL ${m} --dport ${port.nodePort} -j ${externalTarget}`,
        );
    }
    if (hasInternal)
      natRules.push(
        `-A ${internalChain} -m comment --comment "${spn} cluster IP" ${m} -d ${vip} --dport ${port.port} ! -s ${podCIDR} -j KUBE-MARK-MASQ`,
      );
    if (usesExt) {
      natChains.push(extName);
      if (!sets.externalLocal) {
        natRules.push(`-A ${extName} -m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ`);
      } else {
        natRules.push(`-A ${extName} -m comment --comment "pod traffic for ${spn} external destinations" -s ${podCIDR} -j ${clusterChain}`);
        natRules.push(
          `-A ${extName} -m comment --comment "masquerade LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        );
        natRules.push(
          `-A ${extName} -m comment --comment "route LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${clusterChain}`,
        );
      }
      if (hasExternal) natRules.push(`-A ${extName} -j ${externalPolicyChain}`);
    }
    if (usesCluster) {
      natChains.push(clusterChain);
      natRules.push(...serviceToEndpointRules(svc, spn, proto, clusterChain, sets.cluster));
    }
    if (usesLocal) {
      natChains.push(localChain);
      natRules.push(...serviceToEndpointRules(svc, spn, proto, localChain, sets.local));
    }
    const reachable = new Map<string, Endpoint>();
    if (usesCluster) for (const e of sets.cluster) reachable.set(endpointString(e), e);
    if (usesLocal) for (const e of sets.local) reachable.set(endpointString(e), e);
    for (const [text, e] of reachable) {
      const chain = sepChain(spn, proto, text);
      natChains.push(chain);
      natRules.push(`-A ${chain} -m comment --comment ${q(spn)} -s ${e.ip} -j KUBE-MARK-MASQ`);
      const recent = svc.sessionAffinity === 'ClientIP' ? ` -m recent --name ${chain} --set` : '';
      natRules.push(`-A ${chain} -m comment --comment ${q(spn)}${recent} ${m} -j DNAT --to-destination ${text}`);
    }
  }
  natRules.push(
    `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
  );
  filterRules.push(
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  const chainLines = (chains: string[]) => chains.map((c) => `:${c} - [0:0]`);
  return (
    [
      '*filter',
      ...builtinChains('filter'),
      ...chainLines(filterChains),
      ...FILTER_JUMPS,
      ...filterRules,
      'COMMIT',
      '*nat',
      ...builtinChains('nat'),
      ...chainLines(natChains),
      ...NAT_JUMPS,
      ...natRules,
      'COMMIT',
    ].join('\n') + '\n'
  );
}

/** writeServiceToEndpointRules: affinity checks first, then the 1/n, 1/(n-1), … probability ladder. */
function serviceToEndpointRules(svc: SimService, spn: string, proto: string, chain: string, endpoints: Endpoint[]): string[] {
  const rules: string[] = [];
  const named = endpoints.map((e) => ({ text: endpointString(e), sep: sepChain(spn, proto, endpointString(e)) }));
  if (svc.sessionAffinity === 'ClientIP') {
    for (const e of named)
      rules.push(
        `-A ${chain} -m comment --comment "${spn} -> ${e.text}" -m recent --name ${e.sep} --rcheck --seconds ${svc.sessionAffinityTimeoutSeconds} --reap -j ${e.sep}`,
      );
  }
  named.forEach((e, i) => {
    const stat = i < named.length - 1 ? ` -m statistic --mode random --probability ${probability(named.length - i)}` : '';
    rules.push(`-A ${chain} -m comment --comment "${spn} -> ${e.text}"${stat} -j ${e.sep}`);
  });
  return rules;
}

interface VirtualServer {
  proto: string;
  address: string;
  port: number;
  persistent: number | undefined;
  reals: Endpoint[];
}

/**
 * `ipvsadm -Ln` as kube-proxy (IPVS mode, scheduler rr) leaves it on `node`, then the ipsets and
 * iptables rules that go with it. In a dual-stack cluster the IPv6 proxier adds its virtual servers
 * (`[addr]:port`) to the same IPVS table and its own ipsets, named `KUBE-6-…` as NewIPSet renames them.
 */
export function ipvsRules(cluster: Cluster, node: string, families: IPFamily[] = ['ipv4']): string {
  const thisNode = cluster.nodes.find((n) => n.name === node);
  const servers: VirtualServer[] = [];
  const sets = new Map<string, { type: string; members: string[] }>();
  const setsByFamily = new Map<IPFamily, Set<string>>();
  for (const family of families) {
    const nodeIP = thisNode ? nodeIPOf(thisNode, family) : undefined;
    const names = new Set<string>();
    setsByFamily.set(family, names);
    const member = (base: string, type: string, value: string) => {
      const set = ipsetName(base, family);
      names.add(base);
      const s = sets.get(set) ?? { type, members: [] };
      if (!s.members.includes(value)) s.members.push(value);
      sets.set(set, s);
    };
    for (const p of proxiedPorts(cluster, family)) {
      const { svc, port, proto, vip } = p;
      const eps = categorizeEndpoints(svc, p.index, node, endpointsOf(cluster, svc, p.index, family), zoneOf(thisNode));
      const persistent = svc.sessionAffinity === 'ClientIP' ? svc.sessionAffinityTimeoutSeconds : undefined;
      const internal = eps.internalLocal ? eps.local : eps.cluster;
      const external = eps.externalLocal ? eps.local : eps.cluster;
      servers.push({ proto: port.protocol, address: vip, port: port.port, persistent, reals: internal });
      member('KUBE-CLUSTER-IP', 'hash:ip,port', `${vip},${proto}:${port.port}`);
      for (const e of eps.local) member('KUBE-LOOP-BACK', 'hash:ip,port,ip', `${e.ip},${proto}:${e.port},${e.ip}`);
      if (port.nodePort !== undefined && nodeIP) {
        servers.push({ proto: port.protocol, address: nodeIP, port: port.nodePort, persistent, reals: external });
        member(`KUBE-NODE-PORT-${port.protocol}`, 'bitmap:port', String(port.nodePort));
        if (eps.externalLocal) member(`KUBE-NODE-PORT-LOCAL-${port.protocol}`, 'bitmap:port', String(port.nodePort));
      }
      for (const ip of ofFamily([kubeProxyLoadBalancerIP(svc)], family)) {
        servers.push({ proto: port.protocol, address: ip, port: port.port, persistent, reals: external });
        member('KUBE-LOAD-BALANCER', 'hash:ip,port', `${ip},${proto}:${port.port}`);
        if (eps.externalLocal) member('KUBE-LOAD-BALANCER-LOCAL', 'hash:ip,port', `${ip},${proto}:${port.port}`);
        for (const range of (svc.loadBalancerSourceRanges ?? []).filter((r) => ipFamily(r.split('/')[0] ?? '') === family)) {
          member('KUBE-LOAD-BALANCER-FW', 'hash:ip,port', `${ip},${proto}:${port.port}`);
          member('KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net', `${ip},${proto}:${port.port},${range}`);
        }
      }
      for (const ip of ofFamily(svc.externalIPs, family)) {
        servers.push({ proto: port.protocol, address: ip, port: port.port, persistent, reals: external });
        member('KUBE-EXTERNAL-IP', 'hash:ip,port', `${ip},${proto}:${port.port}`);
      }
    }
  }
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  servers.sort((a, b) => cmp(a.proto, b.proto) || cmpAddress(a.address, b.address) || a.port - b.port);
  for (const vs of servers) {
    lines.push(
      `${vs.proto.padEnd(4)} ${endpointString({ ip: vs.address, port: vs.port })} rr${vs.persistent !== undefined ? ` persistent ${vs.persistent}` : ''}`,
    );
    for (const r of vs.reals) lines.push(`  -> ${endpointString(r).padEnd(28)} ${'Masq'.padEnd(7)} ${'1'.padEnd(6)} ${'0'.padEnd(10)} 0`);
  }
  lines.push('', '# ipset list');
  for (const name of [...sets.keys()].sort()) {
    const s = sets.get(name) as { type: string; members: string[] };
    lines.push(`Name: ${name}`, `Type: ${s.type}`, 'Members:', ...s.members.sort(), '');
  }
  for (const family of families) lines.push(...ipvsGlue(cluster, setsByFamily.get(family) ?? new Set(), family));
  return lines.join('\n') + '\n';
}

/** NewIPSet: the IPv6 proxier's sets are `KUBE-6-…` (cut to ipset's 31 characters). */
export function ipsetName(base: string, family: IPFamily): string {
  return family === 'ipv6' ? base.replace(/^KUBE-/, 'KUBE-6-').slice(0, 31) : base;
}

function ipvsGlue(cluster: Cluster, sets: Set<string>, family: IPFamily): string[] {
  const podCIDR = podCIDROf(cluster.settings, family) ?? '';
  const n = (base: string) => ipsetName(base, family);
  const chains = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
  const rules = [
    `-A KUBE-SERVICES ! -s ${podCIDR} -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set ${n('KUBE-CLUSTER-IP')} dst,dst -j KUBE-MARK-MASQ`,
  ];
  if (sets.has('KUBE-LOAD-BALANCER'))
    rules.push(
      `-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set ${n('KUBE-LOAD-BALANCER')} dst,dst -j KUBE-LOAD-BALANCER`,
    );
  if (sets.has('KUBE-EXTERNAL-IP'))
    rules.push(
      `-A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set ${n('KUBE-EXTERNAL-IP')} dst,dst -j KUBE-MARK-MASQ`,
    );
  rules.push(
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    `-A KUBE-SERVICES -m set --match-set ${n('KUBE-CLUSTER-IP')} dst,dst -j ACCEPT`,
  );
  if (sets.has('KUBE-LOAD-BALANCER-LOCAL'))
    rules.push(
      `-A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" -m set --match-set ${n('KUBE-LOAD-BALANCER-LOCAL')} dst,dst -j RETURN`,
    );
  if (sets.has('KUBE-LOAD-BALANCER')) rules.push('-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
  for (const proto of ['TCP', 'UDP', 'SCTP']) {
    const p = proto.toLowerCase();
    if (sets.has(`KUBE-NODE-PORT-LOCAL-${proto}`))
      rules.push(
        `-A KUBE-NODE-PORT -p ${p} -m comment --comment "Kubernetes nodeport ${proto} port with externalTrafficPolicy=local" -m set --match-set ${n(`KUBE-NODE-PORT-LOCAL-${proto}`)} dst -j RETURN`,
      );
    if (sets.has(`KUBE-NODE-PORT-${proto}`))
      rules.push(
        `-A KUBE-NODE-PORT -p ${p} -m comment --comment "Kubernetes nodeport ${proto} port for masquerade purpose" -m set --match-set ${n(`KUBE-NODE-PORT-${proto}`)} dst -j KUBE-MARK-MASQ`,
      );
  }
  rules.push(
    `-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set ${n('KUBE-LOOP-BACK')} dst,dst,src -j MASQUERADE`,
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  );
  const filter: string[] = [];
  if (sets.has('KUBE-LOAD-BALANCER-FW'))
    filter.push(
      '*filter',
      ...builtinChains('filter'),
      ':KUBE-PROXY-FIREWALL - [0:0]',
      ':KUBE-SOURCE-RANGES-FIREWALL - [0:0]',
      '-A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
      '-A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
      `-A KUBE-PROXY-FIREWALL -m comment --comment "destinations that are subject to LoadBalancerSourceRanges" -m set --match-set ${n('KUBE-LOAD-BALANCER-FW')} dst,dst -j KUBE-SOURCE-RANGES-FIREWALL`,
      `-A KUBE-SOURCE-RANGES-FIREWALL -m set --match-set ${n('KUBE-LOAD-BALANCER-SOURCE-CIDR')} dst,dst,src -j RETURN`,
      '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
      'COMMIT',
    );
  return [
    `# ${family === 'ipv6' ? 'ip6tables-save' : 'iptables-save'} (the iptables glue of IPVS mode)`,
    ...filter,
    '*nat',
    ...builtinChains('nat'),
    ...chains.map((c) => `:${c} - [0:0]`),
    ...NAT_JUMPS,
    ...rules,
    'COMMIT',
  ];
}

/** IPv4 before IPv6, each in address order (as ipvsadm lists its table). */
function cmpAddress(a: string, b: string): number {
  const bytes = (ip: string) => ipaddr.parse(ip).toByteArray();
  const x = bytes(a);
  const y = bytes(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return 0;
}

/**
 * The rules of every node (or just `only`). iptables rules that come out identical are grouped
 * (they differ only under Local traffic policies); IPVS views and nftables tables name the node's
 * own address (NodePort virtual servers, the nodeport-ips set), so each node gets its own.
 */
export function rulesByNode(cluster: Cluster, mode: RulesMode, only?: string): NodeRules[] {
  const groups: NodeRules[] = [];
  for (const n of cluster.nodes) {
    if (only !== undefined && n.name !== only) continue;
    const families = proxyFamilies(cluster);
    const text =
      mode === 'ipvs'
        ? ipvsRules(cluster, n.name, families)
        : mode === 'nftables'
          ? nftablesRules(cluster, n.name, families)
          : families
              .map((f) => (f === 'ipv6' ? `# ip6tables-save\n${iptablesRules(cluster, n.name, f)}` : iptablesRules(cluster, n.name, f)))
              .join('');
    const same = mode === 'iptables' ? groups.find((g) => g.text === text) : undefined;
    if (same) same.nodes.push(n.name);
    else groups.push({ nodes: [n.name], text });
  }
  return groups;
}
