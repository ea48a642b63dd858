// What kube-proxy programs on one node, as text an operator would compare with the real node:
// the iptables-restore input that syncProxyRules writes (filter and nat tables), or the IPVS
// view (`ipvsadm -Ln`) with the ipset and iptables glue around it.
import { cmp } from '../diagnostics';
import { ipFamily } from '../cluster/ipam';
import {
  MASQ_MARK,
  categorizeEndpoints,
  endpointString,
  extChain,
  externallyAccessible,
  probability,
  sepChain,
  servicePortName,
  svcChain,
  svlChain,
} from './kubeProxy';
import type { Cluster, Endpoint, ServicePort, SimService } from '../cluster/model';
import { nftablesRules } from './nftables';
import { clusterFamilies, clusterIPOf, type IPFamily } from './families';

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

/** The Service ports kube-proxy programs (IPv4 ClusterIP Services; headless and ExternalName are skipped, as kube-proxy skips them). */
function proxiedPorts(cluster: Cluster): ProxiedPort[] {
  const out: ProxiedPort[] = [];
  for (const svc of cluster.services) {
    if (svc.type === 'ExternalName' || svc.headless || !svc.clusterIP || ipFamily(svc.clusterIP) !== 'ipv4') continue;
    svc.ports.forEach((port, index) => {
      out.push({ svc, port, index, spn: servicePortName(svc, port), proto: port.protocol.toLowerCase(), vip: svc.clusterIP as string });
    });
  }
  return out.sort((a, b) => cmp(a.spn, b.spn) || cmp(a.proto, b.proto));
}

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

/** The iptables-restore input kube-proxy (iptables mode) writes on `node`, in the order syncProxyRules writes it. */
export function iptablesRules(cluster: Cluster, node: string): string {
  const podCIDR = cluster.settings.podCIDR;
  const filterChains = [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL',
    'KUBE-FIREWALL',
  ];
  const filterRules: string[] = [
    `-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
  ];
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const natRules: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
  for (const p of proxiedPorts(cluster)) {
    const { svc, port, spn, proto, vip } = p;
    const sets = categorizeEndpoints(svc, p.index, node);
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
    for (const ip of svc.externalIPs) {
      if (sets.hasEndpoints)
        natRules.push(`-A KUBE-SERVICES -m comment --comment "${spn} external IP" ${m} -d ${ip} --dport ${port.port} -j ${extName}`);
      if (!hasExternal)
        filterRules.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalComment} ${m} -d ${ip} --dport ${port.port} -j ${externalTarget}`,
        );
    }
    const lbIPs = svc.type === 'LoadBalancer' && svc.loadBalancerIP ? [svc.loadBalancerIP] : [];
    for (const ip of lbIPs)
      if (sets.hasEndpoints)
        natRules.push(`-A KUBE-SERVICES -m comment --comment "${spn} loadbalancer IP" ${m} -d ${ip} --dport ${port.port} -j ${extName}`);
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

/** `ipvsadm -Ln` as kube-proxy (IPVS mode, scheduler rr) leaves it on `node`, then the ipsets and iptables rules that go with it. */
export function ipvsRules(cluster: Cluster, node: string): string {
  const nodeIP = cluster.nodes.find((n) => n.name === node)?.ip ?? node;
  const servers: VirtualServer[] = [];
  const sets = new Map<string, { type: string; members: string[] }>();
  const member = (set: string, type: string, value: string) => {
    const s = sets.get(set) ?? { type, members: [] };
    if (!s.members.includes(value)) s.members.push(value);
    sets.set(set, s);
  };
  for (const p of proxiedPorts(cluster)) {
    const { svc, port, proto, vip } = p;
    const eps = categorizeEndpoints(svc, p.index, node);
    const persistent = svc.sessionAffinity === 'ClientIP' ? svc.sessionAffinityTimeoutSeconds : undefined;
    const internal = eps.internalLocal ? eps.local : eps.cluster;
    const external = eps.externalLocal ? eps.local : eps.cluster;
    servers.push({ proto: port.protocol, address: vip, port: port.port, persistent, reals: internal });
    member('KUBE-CLUSTER-IP', 'hash:ip,port', `${vip},${proto}:${port.port}`);
    for (const e of eps.local) member('KUBE-LOOP-BACK', 'hash:ip,port,ip', `${e.ip},${proto}:${e.port},${e.ip}`);
    if (port.nodePort !== undefined) {
      servers.push({ proto: port.protocol, address: nodeIP, port: port.nodePort, persistent, reals: external });
      member(`KUBE-NODE-PORT-${port.protocol}`, 'bitmap:port', String(port.nodePort));
      if (eps.externalLocal) member(`KUBE-NODE-PORT-LOCAL-${port.protocol}`, 'bitmap:port', String(port.nodePort));
    }
    if (svc.type === 'LoadBalancer' && svc.loadBalancerIP) {
      servers.push({ proto: port.protocol, address: svc.loadBalancerIP, port: port.port, persistent, reals: external });
      member('KUBE-LOAD-BALANCER', 'hash:ip,port', `${svc.loadBalancerIP},${proto}:${port.port}`);
      if (eps.externalLocal) member('KUBE-LOAD-BALANCER-LOCAL', 'hash:ip,port', `${svc.loadBalancerIP},${proto}:${port.port}`);
    }
    for (const ip of svc.externalIPs) {
      servers.push({ proto: port.protocol, address: ip, port: port.port, persistent, reals: external });
      member('KUBE-EXTERNAL-IP', 'hash:ip,port', `${ip},${proto}:${port.port}`);
    }
  }
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  servers.sort((a, b) => cmp(a.proto, b.proto) || cmpAddress(a.address, b.address) || a.port - b.port);
  for (const vs of servers) {
    lines.push(`${vs.proto.padEnd(4)} ${vs.address}:${vs.port} rr${vs.persistent !== undefined ? ` persistent ${vs.persistent}` : ''}`);
    for (const r of vs.reals) lines.push(`  -> ${endpointString(r).padEnd(28)} ${'Masq'.padEnd(7)} ${'1'.padEnd(6)} ${'0'.padEnd(10)} 0`);
  }
  lines.push('', '# ipset list');
  for (const name of [...sets.keys()].sort()) {
    const s = sets.get(name) as { type: string; members: string[] };
    lines.push(`Name: ${name}`, `Type: ${s.type}`, 'Members:', ...s.members.sort(), '');
  }
  lines.push(...ipvsGlue(cluster, sets));
  return lines.join('\n') + '\n';
}

function ipvsGlue(cluster: Cluster, sets: Map<string, unknown>): string[] {
  const podCIDR = cluster.settings.podCIDR;
  const chains = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
  const rules = [
    `-A KUBE-SERVICES ! -s ${podCIDR} -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ`,
  ];
  if (sets.has('KUBE-LOAD-BALANCER'))
    rules.push(
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER',
    );
  if (sets.has('KUBE-EXTERNAL-IP'))
    rules.push(
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -j KUBE-MARK-MASQ',
    );
  rules.push(
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
  );
  if (sets.has('KUBE-LOAD-BALANCER-LOCAL'))
    rules.push(
      '-A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN',
    );
  if (sets.has('KUBE-LOAD-BALANCER')) rules.push('-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
  for (const proto of ['TCP', 'UDP', 'SCTP']) {
    const p = proto.toLowerCase();
    if (sets.has(`KUBE-NODE-PORT-LOCAL-${proto}`))
      rules.push(
        `-A KUBE-NODE-PORT -p ${p} -m comment --comment "Kubernetes nodeport ${proto} port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-${proto} dst -j RETURN`,
      );
    if (sets.has(`KUBE-NODE-PORT-${proto}`))
      rules.push(
        `-A KUBE-NODE-PORT -p ${p} -m comment --comment "Kubernetes nodeport ${proto} port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-${proto} dst -j KUBE-MARK-MASQ`,
      );
  }
  rules.push(
    '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  );
  return [
    '# iptables-save -t nat (the iptables glue of IPVS mode)',
    '*nat',
    ...builtinChains('nat'),
    ...chains.map((c) => `:${c} - [0:0]`),
    ...NAT_JUMPS,
    ...rules,
    'COMMIT',
  ];
}

function cmpAddress(a: string, b: string): number {
  const n = (ip: string) => ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  return n(a) - n(b);
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
    const text =
      mode === 'ipvs'
        ? ipvsRules(cluster, n.name)
        : mode === 'nftables'
          ? nftablesRules(cluster, n.name, proxyFamilies(cluster))
          : iptablesRules(cluster, n.name);
    const same = mode === 'iptables' ? groups.find((g) => g.text === text) : undefined;
    if (same) same.nodes.push(n.name);
    else groups.push({ nodes: [n.name], text });
  }
  return groups;
}
