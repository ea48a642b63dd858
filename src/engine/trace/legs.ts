// The legs of a trace once the destination address is known: a Service's virtual IP, a NodePort,
// a cloud load balancer, a pod, or an address outside the cluster. Each leg records its hops and
// NAT on the context and returns how the packet ended.
import { cidrContains, ipFamily, normalizeIP } from '../cluster/ipam';
import { fnv1a } from '../hash';
import { clusterIPOf, endpointsOf, podCIDROf, serviceCIDROf, type IPFamily } from '../dataplane/families';
import { decide, categorizeEndpoints, endpointString, servicePortName } from '../dataplane/kubeProxy';
import { zoneOf } from '../services/topology';
import { masqueradeAddress, nodeNamed } from '../dataplane/cni';
import { dataPath, fromOutside } from './dataPath';
import { arrive, podByEndpoint, round, snat, toCandidates } from './steps';
import { leaveCluster } from './edge';
import { masqueradeMechanism, rejectHow, sourceOfFamily, topologyNote } from './proxyTerms';
import { podServes } from '../cluster/served';
import { KUBELET_PORT, nodeListener, toNodeListener } from './nodeListeners';
import { locate, podId, serviceId, type SimNode, type SimPod, type SimService } from '../cluster/model';
import {
  checkPolicy,
  fail,
  notRunning,
  pendingBehind,
  policyDrop,
  podDestination,
  type Outcome,
  type Packet,
  type TraceContext,
} from './context';
import type { SnatReason, TraceCandidate } from './types';
import { podByAddress, serviceByClusterIP } from './lookup';
import { refuseOutsideSourceRanges, sourceRangesOf } from './sourceRanges';

/** Sends the packet to `ip:port` from where it is now: whatever that address turns out to be. */
export function toAddress(ctx: TraceContext, pkt: Packet, ipText: string, port: number): Outcome {
  const { cluster } = ctx.a;
  const ip = normalizeIP(ipText);
  const family = ipFamily(ip);
  const unfit = sourceOfFamily(ctx, pkt, family);
  if (unfit) return unfit;
  const byVip = serviceByClusterIP(cluster, ip);
  if (byVip) {
    if (!pkt.at)
      return fail(
        'unrouted',
        `${ip} is the ClusterIP of Service ${serviceId(byVip)}; ClusterIPs are virtual and only exist inside the cluster (use a NodePort, a LoadBalancer or an Ingress from outside)`,
      );
    return viaService(ctx, pkt, byVip, port, 'clusterIP', pkt.at, undefined, family);
  }
  const byLb = cluster.services.find((s) => s.type === 'LoadBalancer' && s.loadBalancerIP === ip);
  if (byLb) return viaLoadBalancer(ctx, pkt, byLb, port);
  const byExternal = cluster.services.find((s) => s.externalIPs.includes(ip));
  if (byExternal) {
    // The network delivers external IPs to some node; the simulation picks the first.
    const node = pkt.at ?? cluster.nodes[0];
    if (!node) return fail('unrouted', 'the cluster has no nodes');
    if (!pkt.at) arrive(ctx, pkt, node, `the network routes external IP ${ip} to ${node.name}`);
    return viaService(ctx, pkt, byExternal, port, 'externalIP', node);
  }
  if (ip.startsWith('127.') || ip === '::1') return loopback(ctx, pkt, ip, port);
  const node = cluster.nodes.find((n) => n.ip === ip);
  if (node) return viaNode(ctx, pkt, node, port);
  const pod = podByAddress(cluster, ip);
  if (pod) return toPod(ctx, pkt, pod, port, undefined);
  const podNet = podCIDROf(cluster.settings, family);
  if (podNet && cidrContains(podNet, ip))
    return fail('unrouted', `no pod has the address ${ip} (it is in the pod network ${podNet}, but unassigned)`);
  const serviceNet = serviceCIDROf(cluster.settings, family);
  if (serviceNet && cidrContains(serviceNet, ip))
    return fail(
      'unrouted',
      `no Service has the ClusterIP ${ip}; nothing DNATs it, so the packet is routed towards the default gateway and lost`,
    );
  if (!pkt.at)
    return fail('unrouted', `${ip} is not an address of this cluster (no node, pod, Service, load balancer or external IP has it)`);
  return leaveCluster(ctx, pkt, ip, `${ip}:${port}`);
}

/** kube-proxy (or Cilium) on `node` handles a packet for one of the Service's addresses. */
export function viaService(
  ctx: TraceContext,
  pkt: Packet,
  svc: SimService,
  port: number,
  entry: 'clusterIP' | 'nodePort' | 'loadBalancer' | 'externalIP',
  node: SimNode,
  overrideCandidates?: TraceCandidate[],
  /** The family of the address the packet was sent to (a dual-stack Service has a ClusterIP of each). */
  family: IPFamily = 'ipv4',
): Outcome {
  const { settings } = ctx.a.cluster;
  const portIndex = svc.ports.findIndex(
    (p) => (entry === 'nodePort' ? p.nodePort === port : p.port === port) && p.protocol === ctx.protocol,
  );
  const id = serviceId(svc);
  if (portIndex >= 0) ctx.service = id;
  if (portIndex < 0) {
    const exposed = svc.ports.map((p) => `${entry === 'nodePort' ? p.nodePort : p.port}/${p.protocol}`).join(', ') || 'no ports';
    // nftables mode rejects an undefined port of a ClusterIP in cluster-ips-check (`ip daddr @cluster-ips reject`).
    const nft = settings.kubeProxyMode === 'nftables' && settings.cni !== 'cilium' && entry === 'clusterIP';
    const refused = (settings.kubeProxyMode === 'ipvs' || nft) && settings.cni !== 'cilium';
    const reason = `Service ${id} does not expose ${port}/${ctx.protocol} (it exposes ${exposed})`;
    const range = locate(svc.origin, ['spec', 'ports']);
    if (refused)
      ctx.hops.push({
        kind: 'reject',
        node: node.name,
        rule: nft
          ? 'cluster-ips-check: ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"'
          : 'no IPVS virtual server for this port; the address is local on kube-ipvs0, so the kernel resets',
        reason,
        range,
      });
    else
      ctx.hops.push({
        kind: 'drop',
        node: node.name,
        rule: 'no KUBE-SERVICES rule matches; the packet is routed out and never answered',
        reason,
        range,
      });
    return fail(
      refused ? 'refused' : 'dropped',
      `Service ${id} does not expose port ${port}/${ctx.protocol} (it exposes ${exposed}), so nothing answers`,
    );
  }
  const sp = svc.ports[portIndex];
  if (!sp) return fail('unrouted', 'unreachable');
  const fromPod = pkt.sender !== undefined && !pkt.sender.hostNetwork && (pkt.srcIP === pkt.sender.ip || pkt.srcIP === pkt.sender.ipv6);
  const fromNode = ctx.a.cluster.nodes.some((n) => n.ip === pkt.srcIP || n.ipv6 === pkt.srcIP);
  const d = decide({
    service: svc,
    portIndex,
    node: node.name,
    traffic: entry === 'clusterIP' ? 'internal' : 'external',
    entry,
    clientIP: pkt.srcIP,
    clientKind: fromPod ? 'pod' : fromNode ? 'node' : 'external',
    clientIsThisNode: pkt.srcIP === node.ip || pkt.srcIP === node.ipv6,
    settings,
    endpoints: endpointsOf(ctx.a.cluster, svc, portIndex, family),
    ...(zoneOf(node) !== undefined ? { nodeZone: zoneOf(node) } : {}),
  });
  const portRange = locate(svc.origin, [...sp.path, entry === 'nodePort' ? 'nodePort' : 'port']) ?? locate(svc.origin, sp.path);
  const spn = servicePortName(svc, sp);
  if (d.kind === 'reject') {
    ctx.hops.push({
      kind: 'reject',
      node: node.name,
      rule: d.rule,
      reason: `${spn} has no endpoints: the ${rejectHow(d.dataplane)}`,
      range: locate(svc.origin, ['spec', 'selector']) ?? portRange,
    });
    ctx.candidates = [];
    return fail(
      'refused',
      `Service ${id} has no ready endpoints${pendingBehind(ctx.a.cluster.pods, svc)}, so ${d.dataplane === 'iptables' || d.dataplane === 'nftables' ? 'kube-proxy REJECTs' : 'the connection is refused'}`,
    );
  }
  if (d.kind === 'drop') {
    const field = d.reason.startsWith('internal') ? 'internalTrafficPolicy' : 'externalTrafficPolicy';
    ctx.hops.push({ kind: 'drop', node: node.name, rule: d.rule, reason: d.reason, range: locate(svc.origin, ['spec', field]) });
    ctx.candidates = [];
    return fail('dropped', `${d.reason}, so the packet is silently dropped`);
  }
  const chosen = d.chosen.endpoint;
  const vip =
    entry === 'clusterIP'
      ? endpointString({ ip: clusterIPOf(svc, family) ?? svc.clusterIP ?? '', port: sp.port })
      : entry === 'nodePort'
        ? `${node.ip}:${sp.nodePort}`
        : entry === 'loadBalancer'
          ? `${svc.loadBalancerIP}:${sp.port}`
          : `${svc.externalIPs[0]}:${sp.port}`;
  const socketLB = d.dataplane === 'ebpf' && entry === 'clusterIP' && fromPod;
  ctx.hops.push({
    kind: 'dnat',
    node: node.name,
    dataplane: d.dataplane,
    service: spn,
    from: vip,
    to: endpointString(chosen),
    path: d.path,
    probability: d.chosen.probability,
    candidates: d.candidates.length,
    affinitySeconds: d.affinity?.timeoutSeconds,
    localOnly: d.localOnly,
    ...topologyNote(d, node),
    range: portRange,
  });
  // Cilium's socket LB connects the socket to the backend directly: no packet is ever rewritten.
  if (!socketLB) ctx.nats.push({ kind: 'dnat', node: node.name, original: vip, translated: endpointString(chosen) });
  ctx.candidates = overrideCandidates ?? toCandidates(ctx, d.candidates, d.chosen);
  if (overrideCandidates) for (const c of ctx.candidates) c.chosen = c.ip === chosen.ip && c.port === chosen.port;
  pkt.at = node;
  const pod = podByEndpoint(ctx, chosen);
  const masq = d.masquerade;
  const target = pod ?? undefined;
  const toNode =
    nodeNamed(ctx.a.cluster, chosen.node ?? pod?.node) ?? ctx.a.cluster.nodes.find((n) => n.ip === chosen.ip || n.ipv6 === chosen.ip);
  const doSnat = masq
    ? {
        to: masq === 'hairpin' && d.dataplane === 'ebpf' ? pkt.srcIP : masqueradeAddress(settings, node, toNode, ipFamily(chosen.ip)),
        reason: masq as SnatReason,
      }
    : undefined;
  if (target && (target.ip === chosen.ip || target.ipv6 === chosen.ip)) return toPod(ctx, pkt, target, chosen.port, doSnat);
  // An endpoint that is no pod of the workspace: a node address (the API server) or an address outside.
  if (toNode && (toNode.ip === chosen.ip || toNode.ipv6 === chosen.ip)) {
    // Host-network endpoints (the API server) are node addresses to NetworkPolicy: ipBlock, not selectors.
    if (
      pkt.sender &&
      !checkPolicy(ctx, 'egress', node.name, pkt.originalPeer, { kind: 'external', ip: chosen.ip }, chosen.port, ctx.protocol, 'connection')
    ) {
      return policyDrop(ctx, 'egress', node.name, pkt.sender);
    }
    if (doSnat) snat(ctx, pkt, node, doSnat.to, doSnat.reason, masqueradeMechanism(settings.kubeProxyMode, false));
    ctx.hops.push(
      ...dataPath(
        settings,
        { node, ip: pkt.srcIP, pod: pkt.sender?.node === node.name ? pkt.sender : undefined },
        { node: toNode, ip: chosen.ip, pod: undefined },
      ),
    );
    ctx.hops.push({
      kind: 'deliver',
      node: toNode.name,
      pod: chosen.pod || toNode.name,
      ip: chosen.ip,
      port: chosen.port,
      note: 'a host-network endpoint on the node',
    });
    return {
      verdict: 'delivered',
      reason: `delivered to ${chosen.pod || toNode.name} at ${endpointString(chosen)} on ${toNode.name}`,
      destination: {
        kind: 'pod',
        namespace: chosen.pod.split('/')[0] ?? '',
        name: chosen.pod.split('/')[1] ?? chosen.pod,
        workload: chosen.pod,
        ip: chosen.ip,
        port: chosen.port,
        node: toNode.name,
      },
      sourceIPAtDestination: pkt.srcIP,
    };
  }
  return leaveCluster(ctx, pkt, chosen.ip, endpointString(chosen));
}

/**
 * Loopback never leaves the sender's network namespace: a pod's own, or for a host-network pod
 * and a node, the node's (where the kubelet, the API server and host-network pods listen).
 */
function loopback(ctx: TraceContext, pkt: Packet, ip: string, port: number): Outcome {
  const sender = pkt.sender;
  if (pkt.at && (!sender || sender.hostNetwork)) return viaNode(ctx, pkt, pkt.at, port);
  if (!sender || !sender.ip || !pkt.at) return fail('unrouted', `${ip} is a loopback address: it names the sender itself`);
  ctx.hops.push({
    kind: 'deliver',
    node: pkt.at.name,
    pod: podId(sender),
    ip,
    port,
    note: "loopback: the pod's own network namespace, shared by its containers; policy does not apply",
  });
  return {
    verdict: 'delivered',
    reason: `delivered to ${podId(sender)} itself on ${ip}:${port} (loopback)`,
    destination: podDestination(sender, port),
    sourceIPAtDestination: ip,
  };
}

/** A packet to a node's own address: a NodePort, a hostPort, or a host-network pod. */
function viaNode(ctx: TraceContext, pkt: Packet, node: SimNode, port: number): Outcome {
  const svc = ctx.a.cluster.services.find((s) => s.ports.some((p) => p.nodePort === port && p.protocol === ctx.protocol));
  const hostPod = ctx.a.cluster.pods.find(
    (p) =>
      p.node === node.name &&
      p.containers.some((c) =>
        c.ports.some((cp) => (cp.hostPort === port || (p.hostNetwork && cp.containerPort === port)) && cp.protocol === ctx.protocol),
      ),
  );
  const listener = !svc && !hostPod ? nodeListener(ctx.a, node, port, ctx.protocol) : undefined;
  if (listener) return toNodeListener(ctx, pkt, node, listener);
  if (!svc && !hostPod) {
    arrive(ctx, pkt, node, `the client connects to ${node.name} (${node.ip}:${port})`);
    ctx.hops.push({
      kind: 'drop',
      node: node.name,
      rule: undefined,
      reason: `${node.name} has no NodePort ${port}/${ctx.protocol} and no pod, kubelet or API server listens there`,
      range: undefined,
    });
    return fail(
      'unrouted',
      `${node.name} has no NodePort ${port}/${ctx.protocol} (and no hostPort or host-network pod, kubelet (${KUBELET_PORT}/TCP) or API server on it), so it has nowhere to send the packet`,
    );
  }
  arrive(ctx, pkt, node, `the client connects to NodePort ${port} on ${node.name} (${node.ip})`);
  if (svc) return viaService(ctx, pkt, svc, port, 'nodePort', node);
  const pod = hostPod as SimPod;
  const cp = pod.containers.flatMap((c) => c.ports).find((x) => x.hostPort === port || x.containerPort === port);
  if (!pod.hostNetwork && cp && pod.ip) {
    ctx.hops.push({
      kind: 'dnat',
      node: node.name,
      dataplane: 'iptables',
      service: `hostPort ${port} of ${podId(pod)}`,
      from: `${node.ip}:${port}`,
      to: `${pod.ip}:${cp.containerPort}`,
      path: ['CNI-HOSTPORT-DNAT'],
      probability: undefined,
      candidates: 1,
      affinitySeconds: undefined,
      localOnly: true,
      range: locate(pod.origin, [...cp.path, 'hostPort']),
    });
    ctx.nats.push({ kind: 'dnat', node: node.name, original: `${node.ip}:${port}`, translated: `${pod.ip}:${cp.containerPort}` });
    return toPod(ctx, pkt, pod, cp.containerPort, undefined);
  }
  return toPod(ctx, pkt, pod, port, undefined);
}

/** A cloud load balancer in front of the Service's NodePorts, or kube-proxy's shortcut for in-cluster clients. */
export function viaLoadBalancer(ctx: TraceContext, pkt: Packet, svc: SimService, port: number): Outcome {
  const sp = svc.ports.find((p) => p.port === port && p.protocol === ctx.protocol);
  const id = serviceId(svc);
  if (!sp || sp.nodePort === undefined)
    return fail(
      'unrouted',
      `the load balancer of Service ${id} (${svc.loadBalancerIP ?? svc.loadBalancerHostname}) does not listen on ${port}/${ctx.protocol}`,
    );
  const ranges = sourceRangesOf(svc, pkt.srcIP);
  const refused = refuseOutsideSourceRanges(ctx, pkt, svc, sp, ranges);
  if (refused) return refused;
  // In-cluster clients never reach the balancer: kube-proxy captures the LB IP on their own node.
  if (pkt.at) return viaService(ctx, pkt, svc, port, 'loadBalancer', pkt.at);
  const { cluster } = ctx.a;
  const portIndex = svc.ports.indexOf(sp);
  const local = svc.externalTrafficPolicy === 'Local';
  const perNode = cluster.nodes.map((n) => ({ node: n, local: categorizeEndpoints(svc, portIndex, n.name, undefined, zoneOf(n)).local }));
  // Under Local the balancer's health checks (healthCheckNodePort) fail on nodes without an endpoint.
  const healthy = local ? perNode.filter((x) => x.local.length > 0) : perNode;
  const eligible = healthy.length > 0 ? healthy : perNode;
  if (eligible.length === 0) return fail('unrouted', 'the cluster has no nodes');
  const pick = eligible[fnv1a(`${pkt.clientIP}|lb|${id}`) % eligible.length] as (typeof eligible)[number];
  const all = categorizeEndpoints(svc, portIndex, undefined).cluster;
  // Two levels of balancing: the balancer spreads over nodes, then each node's kube-proxy over endpoints.
  const candidates: TraceCandidate[] = local
    ? eligible.flatMap((x) =>
        x.local.map((e) => ({
          pod: e.pod,
          ip: e.ip,
          port: e.port,
          node: e.node ?? null,
          weight: round(1 / eligible.length / x.local.length),
          chosen: false,
        })),
      )
    : all.map((e) => ({ pod: e.pod, ip: e.ip, port: e.port, node: e.node ?? null, weight: round(1 / all.length), chosen: false }));
  ctx.hops.push({
    kind: 'load-balancer',
    node: null,
    address: `${svc.loadBalancerIP ?? svc.loadBalancerHostname}:${sp.port}`,
    service: id,
    chosenNode: pick.node.name,
    nodePort: sp.nodePort,
    nodes: eligible.map((x) => ({ node: x.node.name, weight: round(1 / eligible.length) })),
    externalTrafficPolicy: svc.externalTrafficPolicy,
    ...(local && svc.healthCheckNodePort !== undefined ? { healthCheckNodePort: svc.healthCheckNodePort } : {}),
    ...(ranges.length > 0 ? { sourceRanges: ranges } : {}),
    range: locate(svc.origin, ['spec', 'type']),
  });
  ctx.nats.push({
    kind: 'dnat',
    node: null,
    original: `${svc.loadBalancerIP ?? svc.loadBalancerHostname}:${sp.port}`,
    translated: `${pick.node.ip}:${sp.nodePort}`,
  });
  arrive(ctx, pkt, pick.node, `the load balancer forwards to NodePort ${sp.nodePort} on ${pick.node.name} (${pick.node.ip})`);
  return viaService(ctx, pkt, svc, sp.nodePort, 'nodePort', pick.node, candidates.length > 0 ? candidates : undefined);
}

/**
 * The last stretch to a pod: the sender's egress policy (after DNAT), the masquerade if any, the
 * CNI's path between the nodes, the pod's ingress policy, and delivery.
 */
export function toPod(
  ctx: TraceContext,
  pkt: Packet,
  pod: SimPod,
  port: number,
  masq: { to: string; reason: SnatReason } | undefined,
): Outcome {
  const { settings } = ctx.a.cluster;
  const node = ctx.a.cluster.nodes.find((n) => n.name === pod.node);
  if (!pod.ip || !node) return fail('unrouted', `${notRunning(pod)}, so nothing reaches it`);
  // An IPv6 packet reaches the pod at its IPv6 address (a dual-stack pod has one of each family).
  const ip = ipFamily(pkt.srcIP) === 'ipv6' && pod.ipv6 ? pod.ipv6 : pod.ip;
  const dst = { kind: 'pod' as const, pod };
  const here = pkt.at?.name ?? null;
  if (pkt.sender && !checkPolicy(ctx, 'egress', here, pkt.originalPeer, dst, port, ctx.protocol, 'connection')) {
    return policyDrop(ctx, 'egress', here, pkt.sender);
  }
  const start = pkt.at;
  if (masq && start) snat(ctx, pkt, start, masq.to, masq.reason, masqueradeMechanism(settings.kubeProxyMode, masq.reason === 'hairpin'));
  if (!start) ctx.hops.push(fromOutside(node, `the packet reaches ${node.name}`, ipFamily(ip)));
  else
    ctx.hops.push(
      ...dataPath(
        settings,
        { node: start, ip: pkt.srcIP, pod: pkt.sender?.node === start.name ? pkt.sender : undefined },
        { node, ip, pod },
      ),
    );
  // Policy on the node that masqueraded still sees the original source; past it, the new one.
  const seen = pkt.snatNode !== undefined && pkt.snatNode !== node.name ? { kind: 'external' as const, ip: pkt.srcIP } : pkt.seenAs;
  if (!checkPolicy(ctx, 'ingress', node.name, seen, dst, port, ctx.protocol, 'connection')) {
    return policyDrop(ctx, 'ingress', node.name, pod);
  }
  const declared = podServes(pod, port, ctx.protocol);
  const note =
    declared || pod.containers.every((c) => c.ports.length === 0)
      ? ''
      : `no container of the pod declares ${port}/${ctx.protocol} or binds it on its command line; if nothing listens there the connection is refused`;
  const portField = pod.containers.flatMap((c) => c.ports).find((p) => p.containerPort === port && p.protocol === ctx.protocol);
  const range =
    locate(pod.origin, portField ? portField.path : [...pod.specPath, 'containers']) ?? locate(pod.origin, ['metadata', 'name']);
  ctx.hops.push({ kind: 'deliver', node: node.name, pod: podId(pod), ip, port, note, range });
  ctx.legs.push({
    from: pkt.legStart,
    to: { node, ip, pod },
    nats: ctx.nats,
    seenSource: pkt.srcIP,
    servedFrom: endpointString({ ip, port }),
  });
  ctx.nats = [];
  pkt.at = node;
  return {
    verdict: 'delivered',
    reason: `delivered to ${podId(pod)} at ${endpointString({ ip, port })} on ${node.name}`,
    destination: podDestination(pod, port, ip),
    sourceIPAtDestination: pkt.srcIP,
    delivered: { pod, port, node },
  };
}
