// Topology Aware Routing (service.kubernetes.io/topology-mode: Auto) as the EndpointSlice
// controller's topology cache computes it (k8s.io/endpointslice/topologycache): each zone's share of
// the nodes' allocatable CPU decides how many ready endpoints are hinted for it, endpoints are first
// hinted for their own zone and then moved from zones with too many to zones with too few, and the
// safeguards remove every hint when node information is missing, a zone would get less than its
// minimum without passing the overload threshold, there are fewer endpoints than zones, or an
// endpoint has no zone (https://kubernetes.io/docs/concepts/services-networking/topology-aware-routing/).
import { locate, serviceId, type Endpoint, type SimNode, type SimService, type TopologyHintsResult } from '../cluster/model';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { ZONE_LABEL, zoneOf } from './topology';

export { milliCPU } from '../cluster/quantity';

/** topologycache.OverloadThreshold: a zone may get at most 20% more traffic than its CPU share. */
export const OVERLOAD_THRESHOLD = 0.2;

// The controller's event messages (topologycache/event.go), quoted in traces, hovers and diagnostics.
export const INSUFFICIENT_NODE_INFO = 'Insufficient Node information: allocatable CPU or zone not specified on one or more nodes';
export const INSUFFICIENT_ENDPOINTS = 'Insufficient number of endpoints';
export const MIN_EXCEEDS_OVERLOAD = 'Unable to allocate minimum required endpoints to each zone without exceeding overload threshold';
export const NO_ZONE_SPECIFIED = 'One or more endpoints do not have a zone specified';

/** Control-plane nodes are left out of the CPU count (topologycache hasExcludedLabels). */
const EXCLUDED = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/**
 * Whether the Service asks for hints: topology-mode Auto (or auto), else the deprecated
 * topology-aware-hints annotation; a topology-mode of another value turns them off whatever the
 * deprecated one says (endpointslice hintsEnabled).
 */
export function topologyAnnotation(annotations: Record<string, string>): string | undefined {
  const mode = annotations['service.kubernetes.io/topology-mode'];
  if (mode !== undefined) return mode === 'Auto' || mode === 'auto' ? 'service.kubernetes.io/topology-mode' : undefined;
  const old = annotations['service.kubernetes.io/topology-aware-hints'];
  return old === 'Auto' || old === 'auto' ? 'service.kubernetes.io/topology-aware-hints' : undefined;
}

interface CpuShares {
  ratios: Map<string, number> | undefined;
  /** Why there are none, past the controller's message. */
  detail?: string;
  assumed: boolean;
}

/** TopologyCache.SetNodes: allocatable CPU per zone over the nodes that count, as ratios of the total. */
export function cpuRatiosByZone(nodes: SimNode[]): CpuShares {
  const counted = nodes.filter((n) => !EXCLUDED.some((l) => l in n.labels));
  // A workspace that gives no node's allocatable CPU: every node counts alike (said where it shows).
  const assumed = counted.every((n) => n.allocatableMilliCPU === undefined);
  const byZone = new Map<string, number>();
  let total = 0;
  for (const n of counted) {
    const zone = zoneOf(n);
    const cpu = assumed ? 1000 : n.allocatableMilliCPU;
    if (zone === undefined) return { ratios: undefined, detail: `node ${n.name} has no ${ZONE_LABEL} label`, assumed };
    if (!cpu) return { ratios: undefined, detail: `node ${n.name} reports no allocatable CPU`, assumed };
    total += cpu;
    byZone.set(zone, (byZone.get(zone) ?? 0) + cpu);
  }
  if (total === 0) return { ratios: undefined, detail: 'no node counts', assumed };
  if (byZone.size < 2)
    return { ratios: undefined, detail: `every node is in zone ${[...byZone.keys()][0] ?? ''}: hints need two zones`, assumed };
  const ratios = new Map([...byZone].sort(([a], [b]) => (a < b ? -1 : 1)).map(([z, c]) => [z, c / total] as const));
  return { ratios, assumed };
}

interface Allocation {
  minimum: number;
  desired: number;
  maximum: number;
}

/** getAllocations: each zone's minimum, desired and maximum number of endpoints, or the safeguard that stops it. */
function allocations(ratios: Map<string, number>, total: number): Map<string, Allocation> | string {
  if (ratios.size > total) return `${INSUFFICIENT_ENDPOINTS} (${total} endpoints, ${ratios.size} zones)`;
  let remaining = total;
  let minTotal = 0;
  const out = new Map<string, Allocation>();
  for (const [zone, ratio] of ratios) {
    const desired = ratio * total;
    const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)));
    out.set(zone, { minimum, desired: Math.max(desired, minimum), maximum: 0 });
    minTotal += minimum;
    remaining -= minimum;
    if (remaining < 0) return `${MIN_EXCEEDS_OVERLOAD} (${total} endpoints, ${ratios.size} zones)`;
  }
  for (const a of out.values()) a.maximum = a.minimum + total - minTotal;
  return out;
}

/** The zone with the most left (ties to the first by name: Go's map order is random, the simulation's is not). */
function most(m: Map<string, number>): [string, number] {
  let best: [string, number] = ['', 0];
  for (const [z, v] of m) if (v > best[1]) best = [z, v];
  return best;
}

/** getGivingAndReceivingZones: whole endpoints each zone gives away or takes, from its desired share. */
function givingAndReceiving(alloc: Map<string, Allocation>, hinted: Map<string, number>): [Map<string, number>, Map<string, number>] {
  const giveDesired = new Map<string, number>();
  const takeDesired = new Map<string, number>();
  for (const [zone, a] of alloc) {
    const have = hinted.get(zone) ?? 0;
    if (have > a.desired) giveDesired.set(zone, have - a.desired);
    else if (have < a.desired) takeDesired.set(zone, a.desired - have);
  }
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [gz, give] = most(giveDesired);
    const [rz, take] = most(takeDesired);
    if (gz === '' || rz === '' || (give < 1 && take < 1) || give < 0.5 || take < 0.5) break;
    giving.set(gz, (giving.get(gz) ?? 0) + 1);
    giveDesired.set(gz, give - 1);
    receiving.set(rz, (receiving.get(rz) ?? 0) + 1);
    takeDesired.set(rz, take - 1);
  }
  return [giving, receiving];
}

/**
 * TopologyCache.AddHints over one Service port's endpoints (in slice order): sets each ready
 * endpoint's zoneHints, or removes every hint and says which safeguard did.
 */
export function addTopologyHints(endpoints: Endpoint[], nodes: SimNode[]): TopologyHintsResult {
  const shares = cpuRatiosByZone(nodes);
  const clear = (reason: string): TopologyHintsResult => {
    for (const e of endpoints) delete e.zoneHints;
    return { enabled: false, reason, cpuAssumed: shares.assumed };
  };
  if (!shares.ratios) return clear(`${INSUFFICIENT_NODE_INFO} (${shares.detail ?? ''})`);
  const ready = endpoints.filter((e) => e.ready);
  const alloc = allocations(shares.ratios, ready.length);
  if (typeof alloc === 'string') return clear(alloc);
  const hinted = new Map<string, number>();
  for (const e of endpoints) {
    if (!e.ready) {
      delete e.zoneHints;
      continue;
    }
    if (e.zone === undefined) return clear(`${NO_ZONE_SPECIFIED} (${e.pod || e.ip})`);
    hinted.set(e.zone, (hinted.get(e.zone) ?? 0) + 1);
    e.zoneHints = [e.zone];
  }
  const [giving, receiving] = givingAndReceiving(alloc, hinted);
  // redistributeHints: endpoints of giving zones, in order, go to the receiving zones in turn.
  const zonesInOrder = [...shares.ratios.keys()];
  for (const e of ready) {
    if (giving.size === 0 || receiving.size === 0) break;
    const from = e.zone as string;
    const give = giving.get(from) ?? 0;
    if (give <= 0) continue;
    const to = zonesInOrder.find((z) => (receiving.get(z) ?? 0) > 0);
    if (to === undefined) break;
    e.zoneHints = [to];
    if (give === 1) giving.delete(from);
    else giving.set(from, give - 1);
    const take = receiving.get(to) ?? 0;
    if (take === 1) receiving.delete(to);
    else receiving.set(to, take - 1);
    hinted.set(to, (hinted.get(to) ?? 0) + 1);
    hinted.set(from, (hinted.get(from) ?? 0) - 1);
  }
  if (hinted.size === 0) return clear('No hints allocated for zones');
  return {
    enabled: true,
    zones: zonesInOrder.map((zone) => ({ zone, cpuRatio: shares.ratios?.get(zone) ?? 0, hinted: hinted.get(zone) ?? 0 })),
    cpuAssumed: shares.assumed,
  };
}

/** Every topology-mode Auto Service's hints, port by port, and `topology-hints-dropped` where a safeguard removed them. */
export function applyTopologyHints(services: SimService[], nodes: SimNode[], diagnostics: Diagnostic[]): void {
  for (const svc of services) {
    if (!svc.topologyModeAuto || svc.selector === null) continue;
    const results = svc.endpointsByPort.map((eps) => addTopologyHints(eps, nodes));
    const first = results[0];
    if (!first) continue;
    svc.topologyHints = first;
    if (first.enabled || svc.origin.kind !== 'manifest') continue;
    const at = locate(svc.origin, ['metadata', 'annotations', svc.topologyModeAuto.annotation]);
    if (at)
      diagnostics.push(
        makeDiagnostic(
          'topology-hints-dropped',
          at,
          {
            service: serviceId(svc),
            annotation: svc.topologyModeAuto.annotation,
            reason: first.reason,
            assumed: first.cpuAssumed ? ' No node gives its allocatable CPU, so every node counts alike.' : '',
          },
          `Service/${serviceId(svc)}`,
        ),
      );
  }
}
