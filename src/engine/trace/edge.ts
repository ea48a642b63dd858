// The edge of the simulation: a packet leaving the cluster for an address or a name outside it.
import { cidrContains, isIP } from '../cluster/ipam';
import { podId } from '../cluster/model';
import { checkPolicy, fail, type Outcome, type Packet, type TraceContext } from './context';
import { lastPolicyReason, snat } from './steps';

/**
 * The packet leaves the cluster towards `label`. `unknownAddress`: the name was answered outside the
 * simulation, so where it goes (and whether egress ipBlocks admit it) is not known here.
 */
export function leaveCluster(ctx: TraceContext, pkt: Packet, ipOrHost: string, label: string, unknownAddress = false): Outcome {
  const { settings } = ctx.a.cluster;
  const here = pkt.at ?? null;
  if (pkt.sender && isIP(ipOrHost)) {
    if (
      !checkPolicy(
        ctx,
        'egress',
        here?.name ?? null,
        pkt.originalPeer,
        { kind: 'external', ip: ipOrHost },
        Number(label.split(':').pop()) || 0,
        ctx.protocol,
        'connection',
      )
    ) {
      ctx.hops.push({
        kind: 'drop',
        node: here?.name ?? null,
        rule: undefined,
        reason: `egress NetworkPolicy of ${podId(pkt.sender)}`,
        range: undefined,
      });
      return fail('dropped', `NetworkPolicy drops it on the way out of ${podId(pkt.sender)}: ${lastPolicyReason(ctx)}`);
    }
  }
  if (here && cidrContains(settings.podCIDR, pkt.srcIP))
    snat(ctx, pkt, here, here.ip, 'leaving-cluster', `${settings.cni} outgoing NAT (natOutgoing / ip-masq)`);
  ctx.hops.push({
    kind: 'leave-cluster',
    node: here?.name ?? null,
    host: label,
    note: 'the packet leaves the cluster through the node network; what answers there is outside the simulation',
  });
  ctx.legs.push({ from: pkt.legStart, to: 'outside', nats: ctx.nats, seenSource: pkt.srcIP, servedFrom: label });
  ctx.nats = [];
  return {
    verdict: 'delivered',
    reason: unknownAddress
      ? `leaves the cluster towards ${label}, if the resolver outside the cluster answers ${ipOrHost}: answered upstream, unknown here (the address, and whether egress policy's ipBlocks admit it, are not simulated); the simulation stops at the cluster edge`
      : `leaves the cluster towards ${label}; the simulation stops at the cluster edge`,
    destination: { kind: 'external', host: label.replace(/:\d+$/, '') },
    sourceIPAtDestination: pkt.srcIP,
  };
}
