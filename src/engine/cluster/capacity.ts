// How many nodes the default cluster needs. A workspace that declares no nodes is simulated on the
// default cluster; three nodes at kubelet's 110 pods each hold 330 pods, fewer than a large
// workspace runs (Online Boutique in 50 namespaces asks for 1,652), and a Pending pod with no
// diagnostic is a confident wrong answer. So the default cluster grows to fit, and says so.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import type { ClusterSettings } from './settings';
import { MAX_PODS_PER_NODE } from './scheduling';
import type { PodBlueprint } from './workloads';

/** The most nodes the default cluster grows to (10,000 simulated pods fit in 91 at 110 each). */
export const MAX_DEFAULT_NODES = 250;

/** Calico's default IPAM block: a /26 (64 addresses) per claim, as many per node as its pods need. */
export const CALICO_BLOCK_PREFIX = 26;

export interface DefaultClusterSize {
  nodes: number;
  /** Pods to place, DaemonSet pods counted once per node. */
  pods: number;
  /** DaemonSet pods each node runs. */
  perNode: number;
  /** The first pod (in apply order) that the current nodes cannot hold; the info is reported at its workload. */
  overflow: PodBlueprint | undefined;
}

/**
 * The nodes needed to hold the blueprints at kubelet's 110 pods per node, with every node running
 * one pod of each DaemonSet; never fewer than `current`, never more than MAX_DEFAULT_NODES.
 */
export function defaultClusterSize(blueprints: PodBlueprint[], current: number): DefaultClusterSize {
  const daemonSets = new Set<string>();
  let pods = 0;
  for (const bp of blueprints)
    if (bp.perNode) daemonSets.add(`${bp.workload.namespace}/${bp.workload.kind}/${bp.workload.name}`);
    else pods++;
  const perNode = daemonSets.size;
  const room = MAX_PODS_PER_NODE - perNode;
  const needed = room > 0 ? Math.ceil(pods / room) : MAX_DEFAULT_NODES;
  const nodes = Math.min(MAX_DEFAULT_NODES, Math.max(current, needed));
  let overflow: PodBlueprint | undefined;
  if (nodes > current) {
    let seen = 0;
    for (const bp of blueprints) {
      if (bp.perNode) continue;
      if (++seen > current * Math.max(0, room) && bp.origin.kind === 'manifest') {
        overflow = bp;
        break;
      }
    }
  }
  return { nodes, pods: pods + perNode * nodes, perNode, overflow };
}

/** The info that says how many nodes the default cluster was given, at the workload that needed them. */
export function nodesAssumed(size: DefaultClusterSize, current: number, settings: ClusterSettings): Diagnostic | undefined {
  const bp = size.overflow;
  if (!bp || bp.origin.kind !== 'manifest') return undefined;
  const o = bp.origin.object;
  const range = o.has(['spec', 'replicas']) ? o.locate(['spec', 'replicas']) : o.locate(['metadata', 'name']);
  const blocks = Math.ceil(MAX_PODS_PER_NODE / 2 ** (32 - CALICO_BLOCK_PREFIX));
  const ipam =
    settings.cni === 'calico'
      ? `; Calico's IPAM gives each node /${CALICO_BLOCK_PREFIX} blocks of ${2 ** (32 - CALICO_BLOCK_PREFIX)} addresses from ${settings.podCIDR} as its pods need them (${blocks} for ${MAX_PODS_PER_NODE} pods)`
      : `, each node's pods taking addresses from its pod CIDR cut from ${settings.podCIDR}`;
  return makeDiagnostic(
    'cluster-nodes-assumed',
    range,
    {
      pods: size.pods,
      perNode: size.perNode,
      current,
      nodes: size.nodes,
      maxPods: MAX_PODS_PER_NODE,
      ipam,
      workload: `${bp.workload.kind} ${bp.workload.namespace}/${bp.workload.name}`,
    },
    resourceName({ kind: o.kind, namespace: bp.namespace, name: o.name }),
  );
}
