// The reply of a delivered packet: from the destination back along each leg, routed towards the
// address it is sent to, with conntrack undoing each NAT on the node that did it.
import { dataPath, nodeAddress, type PathEnd } from './dataPath';
import { ipFamily } from '../cluster/ipam';
import type { SimNode } from '../cluster/model';
import type { NatRecord, Outcome, Packet, TraceContext } from './context';
import type { Hop } from './types';

export function replyPath(ctx: TraceContext, pkt: Packet, outcome: Outcome): Hop[] {
  const { cluster } = ctx.a;
  const { settings } = cluster;
  const nodeNamed = (name: string) => cluster.nodes.find((n) => n.name === name) as SimNode;
  const hops: Hop[] = [];
  for (const leg of [...ctx.legs].reverse()) {
    hops.push({
      kind: 'reply',
      node: leg.to === 'outside' ? null : leg.to.node.name,
      from: leg.servedFrom,
      to: leg.seenSource,
      note: 'the answer is addressed to the source the destination saw',
    });
    if (leg.to === 'outside') continue;
    let cur: PathEnd = leg.to;
    let wireDst = leg.seenSource;
    // Deferred: the last hop into a pod happens after conntrack on that node has un-NATed the reply.
    const pending: NatRecord[] = [...leg.nats].reverse();
    const inCluster = pending.filter((n) => n.node !== null);
    for (let i = 0; i < inCluster.length;) {
      const at = inCluster[i]?.node as string;
      if (at !== cur.node.name) {
        const node = nodeNamed(at);
        const pod = cluster.pods.find((p) => (p.ip === wireDst || p.ipv6 === wireDst) && p.node === at && !p.hostNetwork);
        const nodeIP = nodeAddress(node, ipFamily(wireDst));
        const route = pod
          ? dataPath(settings, cur, { node, ip: wireDst, pod }).slice(0, -1)
          : dataPath(settings, cur, { node, ip: nodeIP, pod: undefined });
        hops.push(...route);
        cur = { node, ip: nodeIP, pod: undefined };
      }
      for (; i < inCluster.length && inCluster[i]?.node === at; i++) {
        const n = inCluster[i] as NatRecord;
        hops.push(reverse(n));
        if (n.kind === 'snat') wireDst = n.original;
      }
    }
    if (leg.from !== 'outside') {
      const into = dataPath(settings, cur, leg.from);
      if (!(cur.node.name === leg.from.node.name && leg.from.pod === undefined)) hops.push(...into);
    } else {
      hops.push({
        kind: 'route',
        node: cur.node.name,
        route: 'default via the node network',
        note: 'back out towards the client outside the cluster',
      });
      for (const n of pending.filter((x) => x.node === null)) hops.push(reverse(n));
    }
  }
  const firstDnat = ctx.legs[0]?.nats.find((n) => n.kind === 'dnat');
  const dnatHop = ctx.hops.find((h): h is Extract<Hop, { kind: 'dnat' }> => h.kind === 'dnat');
  const socketLB = dnatHop !== undefined && dnatHop.dataplane === 'ebpf' && dnatHop.path[0]?.startsWith('cgroup') === true;
  const dest =
    outcome.destination?.kind === 'pod' || outcome.destination?.kind === 'node'
      ? `${outcome.destination.ip}:${outcome.destination.port}`
      : (outcome.destination?.host ?? '');
  hops.push({
    kind: 'reply',
    node: pkt.legStart === 'outside' ? null : pkt.legStart.node.name,
    from: socketLB && dnatHop ? dnatHop.from : (firstDnat?.original ?? dest),
    to: pkt.clientIP,
    note: socketLB
      ? 'the socket was connected to the backend directly; Cilium reports the Service address to the application'
      : 'the client sees the answer come from the address it connected to',
  });
  return hops;
}

function reverse(n: NatRecord): Hop {
  return n.kind === 'snat'
    ? {
        kind: 'reverse-nat',
        node: n.node,
        nat: 'snat',
        from: n.translated,
        to: n.original,
        note: 'conntrack restores the original client address as the destination',
      }
    : {
        kind: 'reverse-nat',
        node: n.node,
        nat: 'dnat',
        from: n.translated,
        to: n.original,
        note: 'conntrack restores the address the client connected to as the source',
      };
}
