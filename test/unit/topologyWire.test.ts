// What the topology page is sent (src/shared/topologyWire.ts): the map's picture without per-pod
// data in a compact wire form that decodes to exactly that picture, and the nodes view's part that
// puts the whole topology back together.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/engine';
import { buildTopology, type Topology } from '../../src/engine/topology/build';
import {
  decodeMap,
  decodeNodes,
  encodeMap,
  encodeNodes,
  mapTopologyOf,
  nodesPartOf,
  withNodes,
  SAMPLE_PODS,
  type FullTopology,
  type MapTopology,
} from '../../src/shared/topologyWire';
import { parseToPage } from '../../src/shared/protocol';
import { analyze, docs, svc, workload } from '../helpers';

const example = (name: string) => {
  const dir = path.join(__dirname, '..', '..', 'examples', name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: f, text: readFileSync(path.join(dir, f), 'utf8') }));
};
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
/** The workspace the perf e2e draws, smaller: N Deployments of 3 replicas, each calling the next one's Service. */
function chain(n: number): Topology {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `app-${String(i).padStart(3, '0')}`;
    const next = `app-${String((i + 1) % n).padStart(3, '0')}`;
    parts.push(
      workload({ name, replicas: 3, ports: [{ name: 'http', containerPort: 8080 }], env: { NEXT_URL: `http://${next}:80/` } }),
      svc({ name, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
    );
  }
  return buildTopology(analyze({ 'app.yaml': docs(...parts) }));
}
/** The topology less the fields the map adds to its workloads. */
const plain = (t: FullTopology): Topology => ({ ...t, workloads: t.workloads.map(({ replicas: _r, samplePods: _s, ...w }) => w) });

describe('the map as it is sent', () => {
  const topologies: Array<[string, Topology]> = [
    ['examples/shop', buildTopology(analyzeWorkspace(example('shop')))],
    ['examples/gateway', buildTopology(analyzeWorkspace(example('gateway')))],
    ['a chain of 40 workloads', chain(40)],
  ];

  it("has no pods and no pod endpoint edges, and counts each workload's replicas", () => {
    for (const [name, t] of topologies) {
      const m = mapTopologyOf(t);
      assert.ok(!('pods' in m), name);
      assert.ok(!m.edges.some((e) => e.kind === 'endpoint'), name);
      assert.equal(m.edges.length, t.edges.filter((e) => e.kind !== 'endpoint').length, name);
      for (const w of t.workloads) {
        const mw = m.workloads.find((x) => x.id === w.id);
        assert.equal(mw?.replicas, w.pods.length, w.id);
        assert.deepEqual(mw?.samplePods, w.pods.slice(0, SAMPLE_PODS), w.id);
        assert.ok(!('pods' in (mw ?? {})), w.id);
      }
    }
  });

  it('decodes, after a trip through JSON, to exactly the map picture encoded', () => {
    for (const [name, t] of topologies) {
      const m = mapTopologyOf(t);
      assert.deepEqual(decodeMap(json(encodeMap(m))), m, name);
    }
  });

  it('stays exact where ids do not spell the other fields (the short forms are only taken where they hold)', () => {
    const m = json(mapTopologyOf(topologies[0]![1]));
    const w = m.workloads[0]!;
    w.name = 'other';
    w.samplePods = ['elsewhere/pod-1', `${w.id}-abc`, w.id];
    w.nodes = [...w.nodes, 'no-such-node'];
    const s = m.services[0]!;
    s.namespace = 'x';
    const c = m.map.calls[0]!;
    c.id = 'custom';
    const e = m.map.edges[0]!;
    e.id = 'custom-edge';
    assert.deepEqual(decodeMap(json(encodeMap(m))), m);
  });

  it('is accepted by the page, and a reference that points nowhere is refused with a reason, not drawn', () => {
    const t = topologies[0]![1];
    const wire = encodeMap(mapTopologyOf(t));
    assert.ok(parseToPage({ type: 'topology', folder: 'f', folderName: 'shop', revision: 1, map: json(wire) }).ok);
    const badCall = json(wire);
    badCall.calls[0]![1] = 9999;
    assert.throws(() => decodeMap(badCall), /call 9999->\d+ names a workload or Service that is not sent/);
    const badFile = json(wire);
    badFile.files = [];
    assert.throws(() => decodeMap(badFile), /source file 0 is not in the file table/);
  });

  it('is a small part of the whole topology for a large workspace', () => {
    const t = topologies[2]![1];
    const whole = JSON.stringify(t).length;
    const sent = JSON.stringify(encodeMap(mapTopologyOf(t))).length;
    // 120 pods and their endpoint edges stay behind; the tuples leave out the keys and what ids spell.
    assert.ok(sent * 3 < whole, `${sent} bytes sent of ${whole}`);
  });
});

describe("the nodes view's part", () => {
  it('puts the whole topology back together with the map picture', () => {
    for (const t of [buildTopology(analyzeWorkspace(example('shop'))), chain(12)]) {
      const m: MapTopology = decodeMap(json(encodeMap(mapTopologyOf(t))));
      const whole = withNodes(m, decodeNodes(json(encodeNodes(nodesPartOf(t)))));
      assert.deepEqual(plain(whole), t);
      assert.equal(whole.workloads[0]?.replicas, t.workloads[0]?.pods.length);
    }
  });

  it('carries every pod and every endpoint edge, and nothing the map already has', () => {
    const t = chain(12);
    const n = nodesPartOf(t);
    assert.equal(n.pods.length, t.pods.length);
    // 12 Deployments of 3, beside the cluster DNS pods the simulator adds.
    assert.equal(n.pods.filter((p) => p.namespace === 'default').length, 36);
    assert.deepEqual(
      n.endpointEdges.map((e) => e.id),
      t.edges.filter((e) => e.kind === 'endpoint').map((e) => e.id),
    );
    assert.ok(n.endpointEdges.length >= 36);
    assert.ok(parseToPage({ type: 'nodes', revision: 3, nodes: json(encodeNodes(n)) }).ok);
  });

  it('is sent with what the pods of a workload share once, and decodes, after JSON, to exactly the pods and edges', () => {
    for (const t of [buildTopology(analyzeWorkspace(example('shop'))), buildTopology(analyzeWorkspace(example('gateway'))), chain(40)]) {
      const n = nodesPartOf(t);
      const wire = json(encodeNodes(n));
      assert.deepEqual(decodeNodes(wire), json(n));
      assert.ok(wire.blueprints.length < n.pods.length || n.pods.length <= 1);
    }
    // 40 Deployments of 3 replicas: one blueprint each (and the cluster DNS pods'), a third the size of the records.
    const n = nodesPartOf(chain(40));
    const wire = encodeNodes(n);
    assert.equal(wire.blueprints.filter((b) => b[0] === 'default').length, 40);
    assert.ok(JSON.stringify(wire).length * 3 < JSON.stringify(n).length, `${JSON.stringify(wire).length} vs ${JSON.stringify(n).length}`);
  });

  it('stays exact for pods whose names and ids the short forms do not cover, and refuses references to nothing', () => {
    const t = chain(3);
    const n = json(nodesPartOf(t));
    const [first, second] = n.pods;
    assert.ok(first && second);
    // A bare pod (its name not under its workload's), one with an id that is not NAMESPACE/NAME, one Pending.
    n.pods[0] = { ...first, name: 'lonely', id: 'default/lonely', workload: 'default/lonely' };
    n.pods[1] = { ...second, id: 'odd-id', node: null, ip: null };
    for (const e of n.endpointEdges) {
      if (e.to === first.id) e.to = 'default/lonely';
      if (e.to === second.id) e.to = 'odd-id';
    }
    n.endpointEdges[0] = { ...(n.endpointEdges[0] as (typeof n.endpointEdges)[number]), id: 'custom' };
    assert.deepEqual(decodeNodes(json(encodeNodes(n))), n);
    const wire = json(encodeNodes(n));
    (wire.endpointEdges[0] as unknown[])[2] = 9999;
    assert.throws(() => decodeNodes(wire), /names a Service or pod that is not sent/);
    const dangling = { ...n, endpointEdges: [{ ...n.endpointEdges[0], to: 'default/nobody' }] };
    assert.throws(() => encodeNodes(dangling), /does not end at a pod that is sent/);
  });
});
