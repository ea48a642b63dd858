// Topology Aware Routing (service.kubernetes.io/topology-mode: Auto) as the EndpointSlice
// controller's topology cache does it (k8s.io/endpointslice/topologycache; the safeguards of
// https://kubernetes.io/docs/concepts/services-networking/topology-aware-routing/#safeguards):
// hints in proportion to each zone's allocatable CPU, moved between zones past the 20% overload
// threshold, and removed (with the controller's TopologyAwareHintsDisabled message) when a safeguard trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket, type Analysis } from '../../src/engine';
import type { NodeSetting } from '../../src/engine/cluster/settings';
import { parseSettings } from '../../src/engine/cluster/settings';
import { milliCPU, topologyAnnotation } from '../../src/engine/services/topologyCache';
import { hoverAt } from '../../src/extension/analysis/hoverText';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { deployment, from, simulate, stream } from '../traceFixtures';

const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
const node = (n: number, z: string | undefined, cpu?: number): NodeSetting => ({
  name: `node-${n}`,
  ip: `10.0.1.${n * 10}`,
  labels: z ? zone(z) : {},
  ...(cpu !== undefined ? { milliCPU: cpu } : {}),
});

const SVC = (annotation = 'service.kubernetes.io/topology-mode: Auto', extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {${annotation}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
${extra}`;

const cluster = (nodes: NodeSetting[], replicas: number, svc = SVC()): Analysis =>
  simulate({ 'app.yaml': stream(deployment('client', { nodeName: 'node-1' }), deployment('web', { replicas }), svc) }, { nodes });

const hintsByZone = (a: Analysis) => {
  const eps = a.cluster.services.find((s) => s.name === 'web')?.endpointsByPort[0] ?? [];
  const out: Record<string, number> = {};
  for (const e of eps) for (const z of e.zoneHints ?? []) out[z] = (out[z] ?? 0) + 1;
  return out;
};
const dropped = (a: Analysis) => a.diagnostics.find((d) => d.code === 'topology-hints-dropped');

test('the annotations: topology-mode Auto (or auto), else the deprecated topology-aware-hints; another topology-mode turns them off', () => {
  assert.equal(topologyAnnotation({ 'service.kubernetes.io/topology-mode': 'Auto' }), 'service.kubernetes.io/topology-mode');
  assert.equal(topologyAnnotation({ 'service.kubernetes.io/topology-aware-hints': 'auto' }), 'service.kubernetes.io/topology-aware-hints');
  assert.equal(
    topologyAnnotation({ 'service.kubernetes.io/topology-mode': 'Disabled', 'service.kubernetes.io/topology-aware-hints': 'auto' }),
    undefined,
  );
  assert.deepEqual([milliCPU('4'), milliCPU('3920m'), milliCPU(2.5), milliCPU('four')], [4000, 3920, 2500, undefined]);
});

test('equal zones: each ready endpoint is hinted for its own zone, and a client keeps its zone\u2019s', () => {
  // Two zones of equal CPU, pods one per node: desired 2 per zone, no redistribution.
  const a = cluster([node(1, 'a'), node(2, 'a'), node(3, 'b'), node(4, 'b')], 4);
  assert.deepEqual(hintsByZone(a), { a: 2, b: 2 });
  assert.equal(dropped(a), undefined);
  const eps = a.cluster.services.find((s) => s.name === 'web')?.endpointsByPort[0] ?? [];
  for (const e of eps) assert.deepEqual(e.zoneHints, [e.zone]);
  const r = tracePacket(a, from(a, 'default/client'), 'web:80');
  const inA = new Set(['node-1', 'node-2']);
  assert.ok(r.candidates.length > 0 && r.candidates.every((c) => inA.has(c.node ?? '')), JSON.stringify(r.candidates));
  const d = r.hops.find((h) => h.kind === 'dnat');
  assert.match(d?.kind === 'dnat' ? (d.topology ?? '') : '', /topology-mode Auto.*a 50% CPU → 2, b 50% CPU → 2.*counted alike/);
});

test('CPU decides: a zone with 3/4 of the CPU gets 3 of 4 endpoints, some moved from the other zone', () => {
  // Zone a: one node of 6 CPU; zone b: two nodes of 1 CPU each. 4 endpoints: desired a 3, b 1.
  const a = cluster([node(1, 'a', 6000), node(2, 'b', 1000), node(3, 'b', 1000)], 4);
  const hints = hintsByZone(a);
  assert.deepEqual(hints, { a: 3, b: 1 });
  // Endpoints on zone b's nodes are hinted for zone a: hints differ from zones.
  const eps = a.cluster.services.find((s) => s.name === 'web')?.endpointsByPort[0] ?? [];
  assert.ok(eps.some((e) => e.zone === 'b' && e.zoneHints?.[0] === 'a'));
  assert.equal(a.cluster.services.find((s) => s.name === 'web')?.topologyHints?.enabled, true);
});

test('safeguards: fewer endpoints than zones, the overload threshold, a node without a zone, one zone only', () => {
  const few = cluster([node(1, 'a'), node(2, 'b'), node(3, 'c')], 2);
  assert.deepEqual(hintsByZone(few), {});
  assert.match(dropped(few)?.message ?? '', /Insufficient number of endpoints \(2 endpoints, 3 zones\)/);
  assert.equal(dropped(few)?.severity, 'info');
  const fewText = stream(deployment('client', { nodeName: 'node-1' }), deployment('web', { replicas: 2 }), SVC());
  assert.equal(dropped(few)?.range.line, fewText.split('\n').findIndex((l) => l.startsWith('  annotations:')) + 1, 'at the annotation');
  // Zone a 1 CPU, zone b 9 CPU, 2 endpoints: b's minimum ceil(1.8/1.2) = 2 leaves nothing for a.
  const over = cluster([node(1, 'a', 1000), node(2, 'b', 9000)], 2);
  assert.match(dropped(over)?.message ?? '', /without exceeding overload threshold \(2 endpoints, 2 zones\)/);
  const noZone = cluster([node(1, 'a'), node(2, 'b'), node(3, undefined)], 3);
  assert.match(dropped(noZone)?.message ?? '', /Insufficient Node information.*node-3 has no topology\.kubernetes\.io\/zone label/);
  const one = cluster([node(1, 'a'), node(2, 'a')], 2);
  assert.match(dropped(one)?.message ?? '', /every node is in zone a/);
  // Without hints kube-proxy sends to every zone, and the trace says why.
  const r = tracePacket(few, from(few, 'default/client'), 'web:80');
  assert.equal(r.candidates.length, 2);
  const d = r.hops.find((h) => h.kind === 'dnat');
  assert.match(
    d?.kind === 'dnat' ? (d.topology ?? '') : '',
    /the EndpointSlice controller removed them \(Insufficient number of endpoints/,
  );
});

test('a control-plane node is left out of the CPU count; topology-mode takes precedence over trafficDistribution', () => {
  const cp = { ...node(3, undefined), labels: { 'node-role.kubernetes.io/control-plane': '' } };
  const a = cluster([node(1, 'a'), node(2, 'b'), cp], 2);
  assert.equal(dropped(a), undefined, 'the zone-less control-plane node does not count');
  const both = cluster([node(1, 'a'), node(2, 'b'), node(3, 'c')], 2, SVC(undefined, '  trafficDistribution: PreferClose\n'));
  assert.deepEqual(hintsByZone(both), {}, 'the annotation wins, and its safeguard removes the hints PreferClose would set');
});

test('the Service hover names the hints per zone or the safeguard; settings take a node cpu', () => {
  const text = SVC();
  const a = simulate(
    { 'app.yaml': stream(deployment('web', { replicas: 4 }), text) },
    { nodes: [node(1, 'a'), node(2, 'a'), node(3, 'b'), node(4, 'b')] },
  );
  const lines = stream(deployment('web', { replicas: 4 }), text).split('\n');
  const line = lines.findIndex((l, i) => l === '  name: web' && lines[i - 2] === 'kind: Service');
  const h = (hoverAt(a, new SymbolIndex(a), 'app.yaml', { line, character: 9 })?.lines ?? []).join('\n');
  assert.match(h, /Topology Aware Routing \(`service\.kubernetes\.io\/topology-mode`\).*`a` 50% → 2 endpoints, `b` 50% → 2 endpoints/);
  const { settings, diagnostics } = parseSettings(
    'kube-netsim.yaml',
    'nodes:\n  - {name: a, ip: 10.0.0.1, cpu: 3920m}\n  - {name: b, ip: 10.0.0.2, cpu: lots}\n',
  );
  assert.equal(settings.nodes?.[0]?.milliCPU, 3920);
  assert.match(diagnostics[0]?.message ?? '', /`lots` is not a CPU quantity/);
});
