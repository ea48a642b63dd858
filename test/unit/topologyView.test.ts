// The topology view's pure parts: the message protocol (validation on both sides), the layout,
// and the trace as the view animates it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeWorkspace, findSource, tracePacket } from '../../src/engine';
import { buildTopology, type Topology } from '../../src/engine/topology/build';
import { parseToExtension, parseToPage, DEFAULT_VIEW_STATE } from '../../src/shared/protocol';
import { decodeNodes, encodeMap, encodeNodes, mapTopologyOf, nodesPartOf } from '../../src/shared/topologyWire';
import { layoutTopology, packRow, type Box } from '../../webview/layout';
import { traceView } from '../../src/extension/analysis/topologyTrace';
import { analyze, svc, workload } from '../helpers';

const SHOP = path.join(__dirname, '..', '..', 'examples', 'shop');
const shop = () =>
  analyzeWorkspace(
    readdirSync(SHOP)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ path: f, text: readFileSync(path.join(SHOP, f), 'utf8') })),
  );
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const error = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error);

describe('protocol: what the page accepts', () => {
  const topology = buildTopology(shop());
  const map = encodeMap(mapTopologyOf(topology));
  const message = { type: 'topology', folder: 'file:///shop', folderName: 'shop', revision: 1, map };
  const nodes = { type: 'nodes', revision: 1, nodes: encodeNodes(nodesPartOf(topology)) };

  it('accepts the map and the nodes part the engine builds, and every other message kind', () => {
    assert.equal(error(parseToPage(clone(message))), 'ok');
    assert.equal(error(parseToPage(clone(nodes))), 'ok');
    assert.equal(error(parseToPage({ type: 'policy', layer: null })), 'ok');
    assert.equal(
      error(
        parseToPage({
          type: 'trace',
          trace: {
            title: 't',
            verdict: 'delivered',
            reason: 'r',
            hops: [{ step: 'dns', node: 'node-1', detail: 'd', objects: ['shop/backend'] }],
          },
        }),
      ),
      'ok',
    );
    assert.equal(error(parseToPage({ type: 'exportRequest', requestId: 3, format: 'png' })), 'ok');
    assert.equal(error(parseToPage({ type: 'status', message: 'hi' })), 'ok');
  });

  it('refuses anything else, naming the first field at fault', () => {
    assert.equal(error(parseToPage(null)), 'message is not an object');
    assert.equal(error(parseToPage({ type: 'eval', code: 'alert(1)' })), 'unknown message type "eval"');
    assert.equal(error(parseToPage({ type: 'toString' })), 'unknown message type "toString"');
    const badLabel = clone(nodes);
    (badLabel.nodes.blueprints[0]![1] as Record<string, unknown>)['app'] = { html: '<b>' };
    assert.equal(error(parseToPage(badLabel)), 'nodes.nodes.blueprints[0][1].app must be a string, not object');
    const badPod = clone(nodes);
    (badPod.nodes.pods[0] as unknown[])[3] = 'node-1';
    assert.equal(error(parseToPage(badPod)), 'nodes.nodes.pods[0][3] must be an integer, not string');
    const badPort = clone(message);
    (badPort.map.services[0]![6][0] as unknown[])[1] = '80';
    assert.equal(error(parseToPage(badPort)), 'topology.map.services[0][6][0][1] must be an integer, not string');
    const badNode = clone(message) as unknown as { map: { rest: Partial<Topology> } };
    delete badNode.map.rest.nodes;
    assert.equal(error(parseToPage(badNode)), 'topology.map.rest.nodes must be a list, not undefined');
    const short = clone(message);
    (short.map.workloads[0] as unknown[]).pop();
    assert.equal(error(parseToPage(short)), 'topology.map.workloads[0] must have 10 items, not 9');
    assert.equal(
      error(parseToPage({ ...clone(message), map: { ...clone(map), v: 2 } })),
      "topology.map.v must be 1 (this view reads version 1 of the map's wire form)",
    );
    assert.match(error(parseToPage({ type: 'exportRequest', requestId: 1, format: 'pdf' })) ?? '', /format must be one of svg, png/);
  });

  it('passes markup in strings through as data (the page renders it with textContent)', () => {
    const m = clone(nodes);
    m.nodes.blueprints[0]![1]['note'] = '<img src=x onerror=alert(1)>';
    const r = parseToPage(m);
    assert.ok(r.ok && r.message.type === 'nodes');
    assert.equal(decodeNodes(r.message.nodes).pods[0]?.labels['note'], '<img src=x onerror=alert(1)>');
  });
});

describe('protocol: what the extension accepts', () => {
  it('accepts reveal targets by kind, hop index or policy edge', () => {
    assert.equal(error(parseToExtension({ type: 'reveal', target: { kind: 'pod', id: 'shop/x' } })), 'ok');
    assert.equal(error(parseToExtension({ type: 'reveal', target: { kind: 'hop', index: 2 } })), 'ok');
    assert.equal(
      error(parseToExtension({ type: 'reveal', target: { kind: 'hop', id: 'x' } })),
      'reveal.target.index must be an integer, not undefined',
    );
    assert.equal(
      error(parseToExtension({ type: 'reveal', target: { kind: 'file', id: '/etc/passwd' } })),
      'reveal.target.kind must be one of node, pod, service, ingress, external, edge, namespace, workload, gateway, route, matrix-cell, hop, policy, not "file"',
    );
  });

  it('accepts only the CNIs and proxy modes the settings allow', () => {
    assert.equal(error(parseToExtension({ type: 'settings', cni: 'cilium' })), 'ok');
    assert.equal(error(parseToExtension({ type: 'settings', kubeProxyMode: 'ipvs' })), 'ok');
    assert.equal(error(parseToExtension({ type: 'settings', hostNetworkPods: 'pod' })), 'ok');
    assert.match(
      error(parseToExtension({ type: 'settings', hostNetworkPods: 'host' })) ?? '',
      /settings\.hostNetworkPods must be one of node, pod/,
    );
    assert.match(
      error(parseToExtension({ type: 'settings', cni: 'antrea' })) ?? '',
      /settings\.cni must be one of calico, flannel, cilium, weave, canal/,
    );
  });

  it('validates the saved view state (what the serializer restores)', () => {
    assert.equal(error(parseToExtension({ type: 'state', state: DEFAULT_VIEW_STATE })), 'ok');
    assert.equal(
      error(parseToExtension({ type: 'state', state: { ...DEFAULT_VIEW_STATE, transform: { x: 1, y: 2, k: Number.NaN } } })),
      'state.state.transform.k must be a finite number, not number',
    );
    assert.equal(
      error(parseToExtension({ type: 'traceRequest', from: 'shop/frontend', to: 'http://backend:8080', protocol: 'ICMP' })),
      'traceRequest.protocol must be one of TCP, UDP, SCTP, not "ICMP"',
    );
  });
});

const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (a: Box, r: Box) => a.x >= r.x && a.y >= r.y && a.x + a.w <= r.x + r.w && a.y + a.h <= r.y + r.h;

describe('layout', () => {
  const topology = buildTopology(shop());
  const layout = layoutTopology(topology);

  it('gives every drawn object a box, pods inside their node, nothing overlapping', () => {
    for (const p of topology.pods) {
      const box = layout.pods.get(p.id);
      assert.ok(box, `pod ${p.id} has a box`);
      assert.ok(inside(box, layout.nodes.get(p.node ?? '') ?? { x: 0, y: 0, w: 0, h: 0 }), `pod ${p.id} is inside ${p.node}`);
    }
    for (const s of topology.services) assert.ok(layout.services.get(s.id));
    for (const g of topology.ingresses) assert.ok(layout.ingresses.get(g.id));
    for (const x of topology.externals) assert.ok(layout.externals.get(x.id));
    const boxes = [...layout.pods.values(), ...layout.services.values(), ...layout.ingresses.values(), ...layout.externals.values()];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlap(boxes[i]!, boxes[j]!), `boxes ${i} and ${j} overlap`);
    const regions = [...layout.nodes.values()];
    for (let i = 0; i < regions.length; i++) for (let j = i + 1; j < regions.length; j++) assert.ok(!overlap(regions[i]!, regions[j]!));
    assert.deepEqual([...layout.nodes.keys()], ['node-1', 'node-2', 'node-3'], 'nodes in the order the cluster lists them');
  });

  it('stacks client, entry points, Ingress, Services above the nodes', () => {
    const top = (m: Map<string, Box>) => Math.min(...[...m.values()].map((b) => b.y));
    const bottom = (m: Map<string, Box>) => Math.max(...[...m.values()].map((b) => b.y + b.h));
    assert.ok(bottom(layout.ingresses) < top(layout.services));
    assert.ok(bottom(layout.services) < top(layout.nodes));
    assert.ok((layout.externals.get('external')?.y ?? Infinity) < top(layout.ingresses));
  });

  it('is deterministic, and keeps other nodes where they were when one node gains pods', () => {
    assert.deepEqual(layoutTopology(clone(topology)), layout);
    const base = analyze({ 'a.yaml': workload({ name: 'a', replicas: 3 }) });
    const more = analyze({
      'a.yaml': workload({ name: 'a', replicas: 3 }) + '---\n' + workload({ name: 'b', kind: 'Pod', podSpec: 'nodeName: node-3' }),
    });
    const l1 = layoutTopology(buildTopology(base));
    const l2 = layoutTopology(buildTopology(more));
    // Regions of one row share its height; where a region starts and how wide it is stay put.
    const place = (b: Box | undefined) => b && { x: b.x, y: b.y, w: b.w };
    assert.deepEqual(place(l2.nodes.get('node-1')), place(l1.nodes.get('node-1')));
    assert.deepEqual(place(l2.nodes.get('node-2')), place(l1.nodes.get('node-2')));
    for (const [id, box] of l1.pods)
      if (!id.startsWith('kube-system/')) assert.equal(l2.pods.get(id)?.x, box.x, `pod ${id} kept its column`);
  });

  it('puts a Service above the middle of its endpoints', () => {
    const t = buildTopology(
      analyze({ 'a.yaml': workload({ name: 'web', replicas: 1, podSpec: 'nodeName: node-3' }) + '---\n' + svc({ name: 'web' }) }),
    );
    const l = layoutTopology(t);
    const pod = l.pods.get(t.pods.find((p) => p.workload === 'default/web')?.id ?? '');
    const s = l.services.get('default/web');
    assert.ok(pod && s);
    assert.ok(Math.abs(s.x + s.w / 2 - (pod.x + pod.w / 2)) < s.w, 'the Service sits over its pod on node-3');
  });

  it('packRow keeps order by wish and never overlaps, wrapping rows that do not fit', () => {
    const row = packRow(
      [
        { id: 'b', want: 100 },
        { id: 'a', want: 100 },
        { id: 'c', want: 0 },
      ],
      50,
      20,
      0,
      1000,
      10,
    );
    assert.deepEqual(
      [...row.boxes].map(([id, b]) => `${id}@${b.x}`),
      ['c@0', 'a@75', 'b@135'],
    );
    const wrapped = packRow(
      ['a', 'b', 'c'].map((id, i) => ({ id, want: i * 60 })),
      50,
      20,
      0,
      110,
      10,
    );
    assert.deepEqual(
      [...wrapped.boxes.values()].map((b) => b.y),
      [0, 0, 30],
    );
    assert.equal(wrapped.bottom, 50);
  });
});

describe('trace as the view shows it', () => {
  it('one entry per hop, rendered as the CLI prints it, with the objects each hop touches', () => {
    const a = shop();
    const topology = buildTopology(a);
    const from = findSource(a.cluster, 'shop/frontend');
    assert.ok(from.ok);
    const result = tracePacket(a, from.source, 'http://backend:8080/api');
    const view = traceView(result, topology, 'shop/frontend → http://backend:8080/api');
    assert.equal(view.hops.length, result.hops.length);
    assert.equal(view.verdict, result.verdict);
    assert.deepEqual(
      view.hops.map((h) => h.step),
      result.hops.map((h) => (h.kind === 'policy' ? `policy-${h.direction}` : h.kind)),
    );
    const source = result.source.name;
    assert.equal(view.hops[0]?.objects[0], source, 'the packet starts at the source pod');
    const dnat = view.hops.find((h) => h.step === 'dnat');
    assert.ok(dnat?.objects.includes('shop/backend'), `dnat names the Service: ${dnat?.objects.join(', ')}`);
    assert.ok(
      dnat?.objects.some((id) => id.startsWith('shop/backend-')),
      'and the chosen backend pod',
    );
    const deliver = view.hops.find((h) => h.step === 'deliver');
    assert.ok(deliver?.objects.some((id) => id.startsWith('shop/backend-')));
    assert.ok(
      view.hops.some((h) => h.source?.file === 'policies.yaml'),
      'policy hops point at their NetworkPolicy',
    );
  });
});
