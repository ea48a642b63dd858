// The CNI data path between two addresses of the cluster, per plugin, as trace hops: which
// interfaces, routes and tunnels a packet crosses (the plugins' facts are in dataplane/cni.ts).
import { cniProfile, gateway, podInterface, type CniProfile } from '../dataplane/cni';
import type { SimNode, SimPod } from '../cluster/model';
import { calicoBlock, ipFamily } from '../cluster/ipam';
import { nodeIPOf, nodePodCIDROf, type IPFamily } from '../dataplane/families';
import type { ClusterSettings } from '../cluster/settings';
import type { Hop } from './types';

/** One end of a path: an address on a node, a pod's (or the node's own, for the node and hostNetwork pods). */
export interface PathEnd {
  node: SimNode;
  ip: string;
  pod: SimPod | undefined;
}

const isPodEnd = (e: PathEnd) => e.pod !== undefined && !e.pod.hostNetwork;

/**
 * The node's address and pod CIDR of the packet's family: a dual-stack node has an InternalIP and a
 * spec.podCIDRs entry of each, and an IPv6 packet is routed by the IPv6 ones.
 */
function addrOf(node: SimNode, family: IPFamily): string {
  return nodeIPOf(node, family) ?? node.ip;
}
function cidrOf(node: SimNode, family: IPFamily): string {
  return nodePodCIDROf(node, family) ?? node.podCIDR;
}

/** The hop that puts a packet into the destination pod's interface on its own node. */
function intoPod(profile: CniProfile, node: SimNode, to: PathEnd): Hop {
  const pod = to.pod as SimPod;
  const dev = podInterface(profile.plugin, pod);
  const family = ipFamily(to.ip);
  const v6 = family === 'ipv6';
  switch (profile.plugin) {
    case 'calico':
      return {
        kind: 'route',
        node: node.name,
        route: `${to.ip} dev ${dev} scope link`,
        note: `Calico routes each pod's ${v6 ? '/128' : '/32'} to its veth ${dev} (no bridge)`,
      };
    case 'flannel':
    case 'canal':
      return {
        kind: 'route',
        node: node.name,
        route: `${cidrOf(node, family)} dev cni0 proto kernel scope link src ${gateway(node, 1n, family)}`,
        note: `across the cni0 bridge into the pod's veth ${dev}`,
      };
    case 'cilium':
      return {
        kind: 'route',
        node: node.name,
        route: `bpf_redirect_peer → ${dev}`,
        note: `eBPF delivers straight into the pod's veth ${dev}, bypassing the host stack`,
      };
    case 'weave':
      return {
        kind: 'route',
        node: node.name,
        route: `${cidrOf(node, family)} dev weave proto kernel scope link`,
        note: `across the weave bridge into the pod's veth ${dev}${v6 ? WEAVE_V6 : ''}`,
      };
  }
}

const CILIUM_V6 = " (its IPv4 address: Cilium's tunnels use the IPv4 underlay by default, underlay-protocol ipv4)";
const WEAVE_V6 = ' (Weave Net carries no IPv6: not simulated, shown as its IPv4 path)';

/** The hops of the tunnel (or plain route) that carries pod traffic from `from.node` to `to.node`. */
function crossNode(profile: CniProfile, from: SimNode, to: SimNode, toIP: string): Hop[] {
  const family = ipFamily(toIP);
  const v6 = family === 'ipv6';
  // The underlay of the packet's family: an IPv6 packet tunnels between the nodes' IPv6 addresses.
  const outer = `${addrOf(from, family)} → ${addrOf(to, family)}`;
  const toAddr = addrOf(to, family);
  const toCidr = cidrOf(to, family);
  const block = calicoBlock(to, toIP);
  switch (profile.plugin) {
    case 'calico':
      if (profile.encapsulation === 'ipip' && v6) {
        return [
          {
            kind: 'route',
            node: from.name,
            route: `${block} via ${toAddr} dev eth0 proto bird`,
            note: `BGP route to ${to.name}'s IPv6 IPAM block, learned from it (BIRD); IP-in-IP carries IPv4 only, so Calico routes its IPv6 pool plainly`,
          },
        ];
      }
      if (profile.encapsulation === 'vxlan' && v6) {
        return [
          {
            kind: 'route',
            node: from.name,
            route: `${block} via ${gateway(to, 0n, family)} dev vxlan-v6.calico onlink`,
            note: `route to ${to.name}'s IPv6 IPAM block, programmed by Felix towards its IPv6 VTEP`,
          },
          {
            kind: 'encap',
            node: from.name,
            protocol: 'VXLAN',
            device: 'vxlan-v6.calico',
            outer: `${outer} UDP 4789 VNI 4096`,
            overhead: 70,
            mtu: 1430,
            note: 'Calico VXLAN over IPv6; 70 bytes of outer headers (a 40-byte IPv6 header)',
          },
          {
            kind: 'decap',
            node: to.name,
            protocol: 'VXLAN',
            device: 'vxlan-v6.calico',
            note: 'decapsulated by the vxlan-v6.calico device',
          },
        ];
      }
      if (profile.encapsulation === 'ipip') {
        return [
          {
            kind: 'route',
            node: from.name,
            route: `${block} via ${to.ip} dev tunl0 proto bird onlink`,
            note: `BGP route to ${to.name}'s IPAM block, learned from it (BIRD), sent through the IP-in-IP tunnel`,
          },
          {
            kind: 'encap',
            node: from.name,
            protocol: 'IP-in-IP',
            device: 'tunl0',
            outer,
            overhead: 20,
            mtu: 1480,
            note: 'IP protocol 4; 20 bytes of outer IPv4 header',
          },
          { kind: 'decap', node: to.name, protocol: 'IP-in-IP', device: 'tunl0', note: 'the outer header is stripped on tunl0' },
        ];
      }
      if (profile.encapsulation === 'vxlan') {
        return [
          {
            kind: 'route',
            node: from.name,
            route: `${block} via ${gateway(to, 0n)} dev vxlan.calico onlink`,
            note: `route to ${to.name}'s IPAM block, programmed by Felix towards its VTEP (no BGP needed in VXLAN mode)`,
          },
          {
            kind: 'encap',
            node: from.name,
            protocol: 'VXLAN',
            device: 'vxlan.calico',
            outer: `${outer} UDP 4789 VNI 4096`,
            overhead: 50,
            mtu: 1450,
            note: 'Calico VXLAN; 50 bytes of outer headers',
          },
          { kind: 'decap', node: to.name, protocol: 'VXLAN', device: 'vxlan.calico', note: 'decapsulated by the vxlan.calico device' },
        ];
      }
      return [
        {
          kind: 'route',
          node: from.name,
          route: `${block} via ${toAddr} dev eth0 proto bird`,
          note: `BGP route to ${to.name}'s ${v6 ? 'IPv6 ' : ''}IPAM block, learned from it (BIRD); plain routing, no encapsulation`,
        },
      ];
    case 'flannel':
    case 'canal': {
      // flannel's dual-stack VXLAN backend runs a second device, flannel-v6.1, over the IPv6 underlay.
      const dev = v6 ? 'flannel-v6.1' : 'flannel.1';
      return [
        {
          kind: 'route',
          node: from.name,
          route: `${toCidr} via ${gateway(to, 0n, family)} dev ${dev} onlink`,
          note: `flannel's route to ${to.name}'s ${v6 ? 'IPv6 ' : ''}subnet through its VXLAN device`,
        },
        {
          kind: 'encap',
          node: from.name,
          protocol: 'VXLAN',
          device: dev,
          outer: `${outer} UDP 8472 VNI 1`,
          overhead: v6 ? 70 : 50,
          mtu: v6 ? 1430 : 1450,
          note: v6
            ? 'flannel VXLAN backend over IPv6; 70 bytes of outer headers (a 40-byte IPv6 header)'
            : 'flannel VXLAN backend; 50 bytes of outer headers, so pods get MTU 1450',
        },
        { kind: 'decap', node: to.name, protocol: 'VXLAN', device: dev, note: `decapsulated by ${dev}` },
      ];
    }
    case 'cilium':
      if (profile.encapsulation === 'native') {
        return [
          {
            kind: 'route',
            node: from.name,
            route: `${toCidr} via ${toAddr} dev eth0`,
            note: 'Cilium native routing (auto-direct-node-routes), no encapsulation',
          },
        ];
      }
      // Cilium tunnels over its IPv4 underlay (underlay-protocol ipv4, the default) whatever the
      // inner family, so an IPv6 pod CIDR maps to the node's IPv4 tunnel endpoint.
      return profile.encapsulation === 'geneve'
        ? [
            {
              kind: 'route',
              node: from.name,
              route: `tunnel map ${toCidr} → ${to.ip}`,
              note: `eBPF looks up the tunnel endpoint of the destination node${v6 ? CILIUM_V6 : ''}`,
            },
            {
              kind: 'encap',
              node: from.name,
              protocol: 'Geneve',
              device: 'cilium_geneve',
              outer: `${from.ip} → ${to.ip} UDP 6081`,
              overhead: 50,
              mtu: 1450,
              note: 'the source security identity travels in the Geneve header',
            },
            { kind: 'decap', node: to.name, protocol: 'Geneve', device: 'cilium_geneve', note: 'decapsulated by cilium_geneve' },
          ]
        : [
            {
              kind: 'route',
              node: from.name,
              route: `tunnel map ${toCidr} → ${to.ip}`,
              note: `eBPF looks up the tunnel endpoint of the destination node${v6 ? CILIUM_V6 : ''}`,
            },
            {
              kind: 'encap',
              node: from.name,
              protocol: 'VXLAN',
              device: 'cilium_vxlan',
              outer: `${from.ip} → ${to.ip} UDP 8472`,
              overhead: 50,
              mtu: 1450,
              note: 'the source security identity travels in the VNI',
            },
            { kind: 'decap', node: to.name, protocol: 'VXLAN', device: 'cilium_vxlan', note: 'decapsulated by cilium_vxlan' },
          ];
    case 'weave':
      return [
        {
          kind: 'route',
          node: from.name,
          route: `${toCidr} dev weave`,
          note: `the weave router forwards to peer ${to.name} over the mesh (fast datapath)${v6 ? WEAVE_V6 : ''}`,
        },
        {
          kind: 'encap',
          node: from.name,
          protocol: 'VXLAN (weave fastdp)',
          device: 'vxlan-6784',
          outer: `${outer} UDP 6784`,
          overhead: 50,
          mtu: 1376,
          note: 'kernel Open vSwitch datapath; unencrypted (weave encrypts only with a password, falling back to sleeve)',
        },
        {
          kind: 'decap',
          node: to.name,
          protocol: 'VXLAN (weave fastdp)',
          device: 'vxlan-6784',
          note: 'decapsulated by the weave datapath',
        },
      ];
  }
}

/** Every routing, encapsulation and decapsulation hop between two addresses of the cluster. */
export function dataPath(settings: ClusterSettings, from: PathEnd, to: PathEnd): Hop[] {
  const profile = cniProfile(settings);
  const family = ipFamily(to.ip);
  if (from.node.name === to.node.name) {
    if (!isPodEnd(to))
      return [{ kind: 'route', node: to.node.name, route: `local ${to.ip} dev eth0`, note: `the node's own address on ${to.node.name}` }];
    return [intoPod(profile, to.node, to)];
  }
  if (!isPodEnd(to)) {
    // Node addresses are reached over the node network; the CNI's tunnels only carry pod traffic.
    return [{ kind: 'route', node: from.node.name, route: `${to.ip} dev eth0`, note: `over the node network to ${to.node.name}` }];
  }
  if (family === 'ipv6' && nodePodCIDROf(to.node, 'ipv6') === undefined) {
    return [{ kind: 'route', node: from.node.name, route: `${to.ip} dev eth0`, note: `${to.node.name} has no IPv6 pod CIDR to route by` }];
  }
  return [...crossNode(profile, from.node, to.node, to.ip), intoPod(profile, to.node, to)];
}

/** The hops that bring a packet from outside the cluster to a node address (of the packet's family). */
export function fromOutside(node: SimNode, note: string, family: IPFamily = 'ipv4'): Hop {
  return { kind: 'route', node: node.name, route: `${addrOf(node, family)} dev eth0`, note };
}

/** The node's address a packet of that family is sent to (its InternalIP of the family, else its only one). */
export const nodeAddress = addrOf;
