// What listens on a node's own address besides NodePorts and pods: the kubelet's API on 10250
// on every node, and kube-apiserver on 6443 on the nodes that run it (the endpoints of the
// `kubernetes` Service, the same server `kubernetes:443` reaches).
import type { Analysis } from '../analyze';
import { podId, type SimNode } from '../cluster/model';
import { checkPolicy, fail, type Outcome, type Packet, type TraceContext } from './context';
import { arrive, lastPolicyReason } from './steps';

export const KUBELET_PORT = 10250;

export type NodeListener =
  | { kind: 'kubelet'; port: number }
  | { kind: 'kube-apiserver'; port: number; pod: string; service: string }
  | { kind: 'health-check'; port: number; service: string; localEndpoints: number };

/** The node-level listener on `node`'s `port`, if one is there (TCP only: both serve HTTPS). */
export function nodeListener(a: Analysis, node: SimNode, port: number, protocol: string): NodeListener | undefined {
  if (protocol !== 'TCP') return undefined;
  if (port === KUBELET_PORT) return { kind: 'kubelet', port };
  const api = a.cluster.services.find((s) => s.namespace === 'default' && s.name === 'kubernetes');
  const ep = api?.endpointsByPort.flat().find((e) => e.ip === node.ip && e.port === port);
  if (api && ep) return { kind: 'kube-apiserver', port, pod: ep.pod || 'kube-system/kube-apiserver', service: 'default/kubernetes' };
  // kube-proxy's health check server answers a Local LoadBalancer's healthCheckNodePort on every node.
  const hc = a.cluster.services.find(
    (s) => s.healthCheckNodePort === port && s.externalTrafficPolicy === 'Local' && s.type === 'LoadBalancer',
  );
  if (hc) {
    const localEndpoints = new Set(
      hc.endpointsByPort
        .flat()
        .filter((e) => e.node === node.name && (e.ready || hc.publishNotReadyAddresses))
        .map((e) => e.ip),
    ).size;
    return { kind: 'health-check', port, service: `${hc.namespace}/${hc.name}`, localEndpoints };
  }
  return undefined;
}

/** Delivers a packet to a listener of the node itself; to NetworkPolicy that is the node's address (an ipBlock). */
export function toNodeListener(ctx: TraceContext, pkt: Packet, node: SimNode, listener: NodeListener): Outcome {
  const port = listener.port;
  if (
    pkt.sender &&
    !checkPolicy(ctx, 'egress', pkt.at?.name ?? null, pkt.originalPeer, { kind: 'external', ip: node.ip }, port, ctx.protocol, 'connection')
  ) {
    ctx.hops.push({
      kind: 'drop',
      node: pkt.at?.name ?? null,
      rule: undefined,
      reason: `egress NetworkPolicy of ${podId(pkt.sender)}`,
      range: undefined,
    });
    return fail('dropped', `NetworkPolicy drops it on the way out of ${podId(pkt.sender)}: ${lastPolicyReason(ctx)}`);
  }
  arrive(ctx, pkt, node, `the client connects to ${node.name} (${node.ip}:${port})`);
  const what =
    listener.kind === 'kubelet'
      ? `the kubelet of ${node.name} (its HTTPS API, on every node)`
      : listener.kind === 'health-check'
        ? `kube-proxy's health check server on ${node.name} for Service ${listener.service} (healthCheckNodePort ${port}), which answers ${listener.localEndpoints > 0 ? `HTTP 200 with "localEndpoints": ${listener.localEndpoints}: the load balancer sends this node traffic` : 'HTTP 503 ("localEndpoints": 0): the load balancer takes this node out of rotation'}`
        : `kube-apiserver on ${node.name}, the endpoint of Service ${listener.service} (what kubernetes:443 reaches)`;
  ctx.hops.push({
    kind: 'deliver',
    node: node.name,
    pod: listener.kind === 'kubelet' ? `kubelet@${node.name}` : listener.kind === 'health-check' ? `kube-proxy@${node.name}` : listener.pod,
    ip: node.ip,
    port,
    note: what,
  });
  ctx.legs.push({
    from: pkt.legStart,
    to: { node, ip: node.ip, pod: undefined },
    nats: ctx.nats,
    seenSource: pkt.srcIP,
    servedFrom: `${node.ip}:${port}`,
  });
  ctx.nats = [];
  const reason = `delivered to ${what} at ${node.ip}:${port}`;
  if (listener.kind === 'kubelet' || listener.kind === 'health-check')
    return {
      verdict: 'delivered',
      reason,
      destination: {
        kind: 'node',
        node: node.name,
        ip: node.ip,
        port,
        listener: listener.kind === 'kubelet' ? 'kubelet' : 'kube-proxy health check',
      },
      sourceIPAtDestination: pkt.srcIP,
    };
  const [namespace, name] = listener.pod.split('/');
  return {
    verdict: 'delivered',
    reason,
    destination: {
      kind: 'pod',
      namespace: namespace ?? 'kube-system',
      name: name ?? listener.pod,
      workload: listener.pod,
      ip: node.ip,
      port,
      node: node.name,
    },
    sourceIPAtDestination: pkt.srcIP,
  };
}
