// Each CNI plugin as the data path sees it: its interfaces, MTU and address choices, and who (if
// anyone) enforces NetworkPolicy; trace/dataPath.ts turns these into the hops a packet crosses.
// Calico routes by BGP (IP-in-IP or VXLAN when set); Flannel and Canal tunnel in VXLAN on
// flannel.1; Cilium forwards in eBPF over VXLAN, Geneve or native routes; Weave meshes with fastdp.
import { sha1, sha256 } from '../hash';
import { parseCidr, addressAt } from '../cluster/ipam';
import type { Cluster, SimNode } from '../cluster/model';
import type { ClusterSettings, CniPlugin } from '../cluster/settings';
import { nodeIPOf, nodePodCIDROf, type IPFamily } from './families';

export interface CniProfile {
  plugin: CniPlugin;
  encapsulation: ClusterSettings['encapsulation'];
  /** Who enforces NetworkPolicy; undefined for Flannel, which enforces none. */
  enforcer: string | undefined;
  /** The pod interface MTU the plugin configures. */
  mtu: number;
  /**
   * Whether the plugin implements the network-policy API's cluster-wide kinds (AdminNetworkPolicy,
   * BaselineAdminNetworkPolicy, ClusterNetworkPolicy): Calico does (3.29 and later), and Canal with
   * its Calico policy engine; Cilium, Weave and Flannel do not.
   */
  adminPolicies: boolean;
}

export function cniProfile(settings: ClusterSettings): CniProfile {
  const { cni, encapsulation } = settings;
  const enforcer: Record<CniPlugin, string | undefined> = {
    calico: 'Calico Felix (iptables)',
    canal: 'Calico Felix (iptables, Canal)',
    cilium: 'Cilium eBPF',
    weave: 'weave-npc (iptables)',
    flannel: undefined,
  };
  const mtu =
    cni === 'weave'
      ? 1376
      : cni === 'calico' && encapsulation === 'ipip'
        ? 1480
        : (cni === 'calico' && encapsulation === 'none') || (cni === 'cilium' && encapsulation === 'native')
          ? 1500
          : 1450;
  return { plugin: cni, encapsulation, enforcer: enforcer[cni], mtu, adminPolicies: cni === 'calico' || cni === 'canal' };
}

function hex(text: string, n: number, hash: (t: string) => Uint8Array = sha256): string {
  return [...hash(text)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, n);
}

/** The host-side interface of a pod's veth, named the way each plugin names it (stable, derived from the pod). */
export function podInterface(plugin: CniPlugin, pod: { namespace: string; name: string }): string {
  // Hashed on every hop into the pod of every trace: remembered per pod object, plugin and name.
  const key = `${pod.namespace}.${pod.name}`;
  let memo = interfaceNames.get(pod);
  if (memo?.key !== key) interfaceNames.set(pod, (memo = { key, names: {} }));
  return (memo.names[plugin] ??= interfaceName(plugin, key));
}

const interfaceNames = new WeakMap<object, { key: string; names: Partial<Record<CniPlugin, string>> }>();

function interfaceName(plugin: CniPlugin, key: string): string {
  switch (plugin) {
    case 'calico':
    case 'canal':
      // libcalico-go's VethNameForWorkload: "cali" + the first 11 hex digits of sha1("NAMESPACE.POD").
      return `cali${hex(key, 11, sha1)}`;
    case 'cilium':
      return `lxc${hex(key, 12)}`;
    case 'weave':
      return `vethwepl${hex(key, 7)}`;
    case 'flannel':
      return `veth${hex(key, 8)}`;
  }
}

/** Where NetworkPolicy is checked for this pod and direction, in the plugin's own terms. */
export function policyPoint(
  profile: CniProfile,
  direction: 'egress' | 'ingress',
  pod: { namespace: string; name: string },
): string | undefined {
  if (!profile.enforcer) return undefined;
  const dev = podInterface(profile.plugin, pod);
  switch (profile.plugin) {
    case 'calico':
    case 'canal':
      return `${profile.enforcer} chain ${direction === 'egress' ? 'cali-fw-' : 'cali-tw-'}${dev}`;
    case 'cilium':
      return `${profile.enforcer} policy map of endpoint ${dev} (${direction})`;
    case 'weave':
      return `${profile.enforcer} chain ${direction === 'egress' ? 'WEAVE-NPC-EGRESS' : 'WEAVE-NPC-INGRESS'}`;
    default:
      return profile.enforcer;
  }
}

/** An address of the node's pod CIDR of that family: offset 0 the tunnel device's, 1 the bridge's. */
export function gateway(node: SimNode, offset: bigint, family: IPFamily = 'ipv4'): string {
  return addressAt(parseCidr(nodePodCIDROf(node, family) ?? node.podCIDR), offset);
}

/**
 * The address MASQUERADE picks on `node` for a packet going to `toNode`: the outgoing device's
 * address, i.e. the tunnel device's for Flannel/Canal and encapsulated Calico, the bridge's when
 * the endpoint is local behind a bridge, else the node's own.
 */
export function masqueradeAddress(
  settings: ClusterSettings,
  node: SimNode,
  toNode: SimNode | undefined,
  family: IPFamily = 'ipv4',
): string {
  const own = nodeIPOf(node, family) ?? node.ip;
  const bridge = settings.cni === 'flannel' || settings.cni === 'canal' || settings.cni === 'weave';
  if (toNode && toNode.name === node.name) return bridge ? gateway(node, 1n, family) : own;
  // Calico's IP-in-IP carries IPv4 only: its IPv6 pool is routed plainly, out of eth0.
  const tunnel =
    settings.cni === 'flannel' ||
    settings.cni === 'canal' ||
    (settings.cni === 'calico' && (settings.encapsulation === 'vxlan' || (settings.encapsulation === 'ipip' && family === 'ipv4')));
  return tunnel && toNode ? gateway(node, 0n, family) : own;
}

/** The node object of a name (the trace only ever asks for nodes of the cluster). */
export function nodeNamed(cluster: Cluster, name: string | undefined): SimNode | undefined {
  return name === undefined ? undefined : cluster.nodes.find((n) => n.name === name);
}
