// The edge of the simulation: a packet leaving the cluster for an address or a name outside it.
import { cidrContains, ipFamily, isIP } from '../cluster/ipam';
import { podCIDROf } from '../dataplane/families';
import { nodeAddress } from './dataPath';
import { podId } from '../cluster/model';
import { checkPolicy, fail, policyDrop, type Outcome, type Packet, type TraceContext } from './context';
import { lastPolicyReason, snat } from './steps';
import { layerText } from '../policy/explain';
import { rangeStart, rangesContain, splitAtBoundaries, type IpRange } from '../policy/ipRanges';

/**
 * The address a name outside the cluster stands for (TEST-NET-3, RFC 5737): what upstream DNS
 * answers is not known here, so policies that match addresses are probed with it, and Cilium's
 * toFQDNs rules admit it by the name the pod looked up.
 */
export const SAMPLE = '203.0.113.80';
import type { SimNetworkPolicy } from '../policy/parse';

/**
 * The packet leaves the cluster towards `label`. `unknownAddress`: the name was answered outside the
 * simulation, so where it goes (and whether egress ipBlocks admit it) is not known here.
 */
export function leaveCluster(ctx: TraceContext, pkt: Packet, ipOrHost: string, label: string, unknownAddress = false): Outcome {
  const { settings } = ctx.a.cluster;
  const here = pkt.at ?? null;
  const port = Number(label.split(':').pop()) || 0;
  const egress = outsideEgress(ctx, pkt, ipOrHost, port, unknownAddress);
  if ('outcome' in egress) return egress.outcome;
  const { note, byFqdn } = egress;
  // The outgoing NAT of the packet's family: an IPv6 pod leaves as its node's IPv6 address.
  const family = ipFamily(pkt.srcIP);
  const podNet = podCIDROf(settings, family);
  if (here && podNet && cidrContains(podNet, pkt.srcIP))
    snat(ctx, pkt, here, nodeAddress(here, family), 'leaving-cluster', `${settings.cni} outgoing NAT (natOutgoing / ip-masq)`);
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
      ? byFqdn
        ? `leaves the cluster towards ${label}${note}; the simulation stops at the cluster edge`
        : `leaves the cluster towards ${label}, if the resolver outside the cluster answers ${ipOrHost}: answered upstream, unknown here${note}; the simulation stops at the cluster edge`
      : `leaves the cluster towards ${label}${note}; the simulation stops at the cluster edge`,
    destination: { kind: 'external', host: label.replace(/:\d+$/, '') },
    sourceIPAtDestination: pkt.srcIP,
  };
}

/**
 * One address outside the cluster per stretch between the ipBlock boundaries the policies draw:
 * NetworkPolicy treats every address of a stretch alike, so together they stand for every address
 * an unknown name could have.
 */
function outsideProbes(ctx: TraceContext): string[] {
  const { settings, nodes } = ctx.a.cluster;
  const policies = (ctx.a as { policies?: { policies: SimNetworkPolicy[] } }).policies?.policies ?? [];
  const blocks: IpRange[] = [];
  for (const p of policies)
    for (const rule of p.rules.egress) for (const peer of rule.peers ?? []) if (peer.kind === 'ipBlock') blocks.push(...peer.ranges);
  const inside = (ip: string) =>
    [settings.podCIDR, settings.serviceCIDR].some((c) => c.split(',').some((x) => cidrContains(x.trim(), ip))) ||
    nodes.some((n) => n.ip === ip);
  return (
    splitAtBoundaries(
      'ipv4',
      blocks.filter((r) => r.family === 'ipv4'),
    )
      // The documentation address (RFC 5737) where a stretch holds it, so hops do not name 0.0.0.0.
      .map((r) => (rangesContain([r], SAMPLE) ? SAMPLE : rangeStart(r)))
      .filter((ip) => !inside(ip))
  );
}

/**
 * The sender's egress policy towards an address outside the cluster, or a name whose address is
 * answered outside the simulation (probed over every stretch the policies' ipBlocks draw): the
 * drop, or a note on how the packet passed.
 */
export function outsideEgress(
  ctx: TraceContext,
  pkt: Packet,
  ipOrHost: string,
  port: number,
  unknownAddress: boolean,
): { outcome: Outcome } | { note: string; byFqdn: boolean } {
  const here = pkt.at ?? null;
  if (pkt.sender && isIP(ipOrHost)) {
    if (
      !checkPolicy(
        ctx,
        'egress',
        here?.name ?? null,
        pkt.originalPeer,
        { kind: 'external', ip: ipOrHost },
        port,
        ctx.protocol,
        'connection',
      )
    ) {
      // Named by the layer that decided (an AdminNetworkPolicy drops it as surely as a NetworkPolicy).
      return { outcome: policyDrop(ctx, 'egress', here?.name ?? null, pkt.sender) };
    }
  }
  let note = '';
  // Cilium's toFQDNs admit a name's addresses, whatever they are: the name stands for the test address.
  const named = { kind: 'external' as const, ip: SAMPLE, name: ipOrHost };
  const byName = pkt.sender && unknownAddress ? ctx.oracle.verdict(pkt.originalPeer, named, port, ctx.protocol).egress : undefined;
  if (pkt.sender && byName?.decidedBy === 'cni' && byName.rule?.fqdn !== undefined) {
    if (!checkPolicy(ctx, 'egress', here?.name ?? null, pkt.originalPeer, named, port, ctx.protocol, 'connection'))
      return { outcome: policyDrop(ctx, 'egress', here?.name ?? null, pkt.sender) };
    note = `; ${ipOrHost}'s addresses are answered upstream (the simulation uses the test address ${SAMPLE}), and the toFQDNs rule admits them by name`;
  } else if (pkt.sender && unknownAddress) {
    const probes = outsideProbes(ctx);
    const sender = pkt.sender;
    const allowed = probes.filter(
      (ip) => ctx.oracle.verdict(pkt.originalPeer, { kind: 'external', ip, name: ipOrHost }, port, ctx.protocol).egress.allowed,
    );
    const first = probes[0];
    if (allowed.length === 0 && first) {
      // No outside address is admitted on this port: wherever the name points, the packet is dropped.
      if (
        !checkPolicy(
          ctx,
          'egress',
          here?.name ?? null,
          pkt.originalPeer,
          { kind: 'external', ip: first, name: ipOrHost },
          port,
          ctx.protocol,
          'connection',
        )
      ) {
        const last = ctx.hops[ctx.hops.length - 1];
        const layer = last?.kind === 'policy' ? layerText(last.result) : 'NetworkPolicy';
        ctx.hops.push({
          kind: 'drop',
          node: here?.name ?? null,
          rule: undefined,
          reason: `egress ${layer} of ${podId(sender)}`,
          range: undefined,
        });
        return {
          outcome: fail(
            'dropped',
            `${layer} drops it on the way out of ${podId(sender)}, whatever address ${ipOrHost} has: no egress rule admits an address outside the cluster on ${port}/${ctx.protocol} (${lastPolicyReason(ctx)})`,
          ),
        };
      }
    } else if (allowed.length < probes.length)
      note = `; egress policy of ${podId(sender)} admits only some outside addresses on ${port}/${ctx.protocol}, so whether this one passes depends on the address ${ipOrHost} has`;
  }
  return { note, byFqdn: byName?.rule?.fqdn !== undefined && byName.decidedBy === 'cni' };
}
