// Topology-aware routing as the EndpointSlice controller and kube-proxy share it: the controller
// writes hints into the slices (pkg/controller/endpointslice/trafficdist: PreferClose and
// PreferSameZone hint each endpoint for its own zone, PreferSameNode for its node and zone), and
// kube-proxy keeps only the endpoints hinted for its node's zone (or node), falling back to all of
// them when any ready endpoint lacks hints or none is hinted for it (pkg/proxy/topology.go).
import type { Endpoint, SimNode, SimService } from '../cluster/model';

/** The node label the EndpointSlice controller reads an endpoint's zone from. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** The zone of a node, from its topology.kubernetes.io/zone label. */
export function zoneOf(node: Pick<SimNode, 'labels'> | undefined): string | undefined {
  const z = node?.labels[ZONE_LABEL];
  return z === undefined || z === '' ? undefined : z;
}

/**
 * Sets each selected endpoint's zone, and the hints trafficDistribution asks the controller for;
 * topology-mode Auto takes precedence over trafficDistribution (the Service docs), and its hints
 * are the topology cache's (topologyCache.ts).
 */
export function assignTopology(services: SimService[], nodes: SimNode[]): void {
  const zones = new Map(nodes.map((n) => [n.name, zoneOf(n)]));
  for (const svc of services) {
    if (svc.selector === null) continue; // a selector-less Service's slices keep what they recorded
    for (const eps of svc.endpointsByPort)
      for (const e of eps) {
        const zone = e.node !== undefined ? zones.get(e.node) : undefined;
        if (zone !== undefined) e.zone = zone;
        if (svc.topologyModeAuto || svc.trafficDistribution === undefined || zone === undefined) continue;
        e.zoneHints = [zone];
        if (svc.trafficDistribution === 'PreferSameNode' && e.node !== undefined) e.nodeHints = [e.node];
      }
  }
}

export type TopologyMode = 'PreferSameNode' | 'PreferSameZone';

/** kube-proxy's decision for one node: which hints it follows, or why it follows none. */
export interface TopologyChoice {
  mode: TopologyMode | undefined;
  /** Why hints were ignored (shown in traces); undefined when there were none to ignore. */
  ignored?: string;
}

/** topologyModeFromHints: same-node hints first (when every ready endpoint has them), then same-zone hints. */
export function topologyMode(endpoints: Endpoint[], node: string | undefined, zone: string | undefined): TopologyChoice {
  let allNode = true;
  let forNode = false;
  let allZone = true;
  let forZone = false;
  let anyHints = false;
  for (const e of endpoints) {
    if (!e.ready) continue;
    if (!e.nodeHints?.length) allNode = false;
    else if (node !== undefined && e.nodeHints.includes(node)) forNode = true;
    if (!e.zoneHints?.length) allZone = false;
    else if (zone !== undefined && e.zoneHints.includes(zone)) forZone = true;
    if (e.nodeHints?.length || e.zoneHints?.length) anyHints = true;
  }
  if (!anyHints) return { mode: undefined };
  if (allNode && forNode) return { mode: 'PreferSameNode' };
  if (allZone && forZone) return { mode: 'PreferSameZone' };
  if (!allZone) return { mode: undefined, ignored: 'some ready endpoints have no zone hints, so kube-proxy ignores them all' };
  if (zone === undefined)
    return { mode: undefined, ignored: `${node ?? 'the node'} has no ${ZONE_LABEL} label, so zone hints are ignored` };
  return { mode: undefined, ignored: `no endpoint is hinted for zone ${zone}, so kube-proxy falls back to all endpoints` };
}

/** availableForTopology. */
export function availableForTopology(
  e: Endpoint,
  mode: TopologyMode | undefined,
  node: string | undefined,
  zone: string | undefined,
): boolean {
  if (mode === 'PreferSameNode') return node !== undefined && (e.nodeHints ?? []).includes(node);
  if (mode === 'PreferSameZone') return zone !== undefined && (e.zoneHints ?? []).includes(zone);
  return true;
}
