// The map view's graph (src/engine/topology/map.ts): workloads aggregated, calls from the
// manifests' resolved references with the verdict the trace of that call gives, the Gateway API's
// entry points and route edges.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeWorkspace, tracePacket } from '../../src/engine';
import { buildTopology } from '../../src/engine/topology/build';
import { analyze, docs, svc, workload } from '../helpers';
import { layoutMap, longestPathLayers, mapKey } from '../../webview/mapLayout';
import type { Box } from '../../webview/layout';
import { rectsPath, rowBands } from '../../webview/blobs';
import { mapTopologyOf } from '../../src/shared/topologyWire';
import { mapCurve } from '../../webview/mapCurve';

const example = (name: string) => {
  const dir = path.join(__dirname, '..', '..', 'examples', name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: f, text: readFileSync(path.join(dir, f), 'utf8') }));
};

describe('map of examples/shop', () => {
  const a = analyzeWorkspace(example('shop'));
  const t = buildTopology(a);

  it('aggregates each workload: its pods, ready count, declared ports and the nodes they run on', () => {
    for (const w of t.workloads) {
      const pods = a.cluster.pods.filter((p) => `${p.workload.namespace}/${p.workload.name}` === w.id);
      assert.equal(w.pods.length, pods.length, w.id);
      assert.equal(w.ready, pods.filter((p) => p.ready).length, w.id);
      assert.deepEqual(w.nodes, [...new Set(pods.flatMap((p) => (p.node ? [p.node] : [])))].sort(), w.id);
    }
    const backend = t.workloads.find((w) => w.id === 'shop/backend');
    assert.equal(backend?.pods.length, 3);
    assert.deepEqual(
      backend?.ports.map((p) => `${p.port}/${p.protocol}`),
      ['8080/TCP'],
    );
    assert.match(backend?.source?.file ?? '', /backend\.yaml$/);
  });

  it('draws a call for each env URL that resolves to a Service, with the verdict its trace gives', () => {
    assert.deepEqual(
      t.map.calls.map((c) => c.id),
      ['shop/backend->shop/postgres', 'shop/backend->shop/redis', 'shop/frontend->shop/backend'],
    );
    // frontend's CATALOG_URL names a Service that does not exist: no call is drawn for it.
    assert.ok(!t.map.calls.some((c) => c.to.endsWith('/catalog')));
    for (const c of t.map.calls) {
      const from = a.cluster.pods
        .filter((p) => `${p.workload.namespace}/${p.workload.name}` === c.from)
        .sort((x, y) => (x.name < y.name ? -1 : 1))[0];
      assert.ok(from);
      for (const p of c.ports) {
        const host = c.to.split('/')[1] as string;
        const traced = tracePacket(a, { kind: 'pod', pod: from }, `${host === 'postgres' ? 'postgres-0.postgres' : host}:${p.port}`);
        assert.equal(p.outcome, traced.verdict, `${c.id}:${p.port}`);
        assert.equal(p.verdict, traced.verdict === 'delivered' ? 'allowed' : 'blocked');
      }
    }
    // policies.yaml allows backend egress to postgres only: redis is dropped, and the reason names the policy.
    const redis = t.map.calls.find((c) => c.id === 'shop/backend->shop/redis');
    assert.equal(redis?.verdict, 'blocked');
    assert.match(redis?.ports[0]?.reason ?? '', /NetworkPolicy shop\/backend/);
    assert.equal(t.map.calls.find((c) => c.id === 'shop/frontend->shop/backend')?.verdict, 'allowed');
    assert.deepEqual(t.map.calls.find((c) => c.id === 'shop/frontend->shop/backend')?.via, ['env BACKEND_URL = http://backend:8080']);
    assert.equal(t.map.counts.blockedCalls, t.map.calls.filter((c) => c.verdict === 'blocked').length);
  });

  it('links each Service to the workloads of its endpoints, once per workload with its pod count', () => {
    const e = t.map.edges.find((x) => x.id === 'endpoints:shop/backend->shop/backend');
    assert.equal(e?.label, '3 pods');
    assert.equal(t.map.edges.filter((x) => x.kind === 'endpoint' && x.from === 'shop/backend').length, 1);
  });

  it('is the same whatever the file order', () => {
    assert.deepEqual(buildTopology(analyzeWorkspace([...example('shop')].reverse())).map, t.map);
  });
});

describe('map calls', () => {
  it('makes one call per workload and Service, its ports traced once, listing every text that names it', () => {
    const a = analyze({
      'app.yaml': docs(
        workload({ name: 'web', env: { A: 'http://api:80/x', B: 'http://api:80/y', C: 'api:9090' } }),
        workload({ name: 'api', ports: [{ containerPort: 80 }, { containerPort: 9090 }] }),
        svc({
          name: 'api',
          ports: [
            { name: 'http', port: 80 },
            { name: 'grpc', port: 9090 },
          ],
        }),
      ),
    });
    const calls = buildTopology(a).map.calls;
    assert.deepEqual(
      calls.map((c) => [c.id, c.ports.map((p) => p.port), c.via.length]),
      [['default/web->default/api', [80, 9090], 3]],
    );
    assert.equal(calls[0]?.verdict, 'allowed', 'no policy: every call is delivered');
  });

  it('is blocked when any of its ports is dropped', () => {
    const a = analyze({
      'app.yaml': docs(
        workload({ name: 'web', env: { A: 'http://api:80', B: 'api:9090' } }),
        workload({ name: 'api', ports: [{ containerPort: 80 }, { containerPort: 9090 }] }),
        svc({
          name: 'api',
          ports: [
            { name: 'http', port: 80 },
            { name: 'grpc', port: 9090 },
          ],
        }),
        `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-http-only
spec:
  podSelector:
    matchLabels:
      app: api
  ingress:
    - ports:
        - port: 80
`,
      ),
    });
    const call = buildTopology(a).map.calls[0];
    assert.equal(call?.verdict, 'blocked');
    assert.deepEqual(
      call?.ports.map((p) => `${p.port} ${p.verdict} ${p.outcome}`),
      ['80 allowed delivered', '9090 blocked dropped'],
    );
    assert.match(call?.ports[1]?.reason ?? '', /api-http-only/);
  });

  it('makes a ConfigMap value a call of each workload that consumes the ConfigMap (envFrom, volume, configMapKeyRef)', () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: urls
data:
  API: http://api:80
`;
    const a = analyze({
      'app.yaml': docs(
        cm,
        workload({ name: 'from-env' }).replace(
          'image: example/from-env',
          'image: example/from-env\n        envFrom:\n        - configMapRef:\n            name: urls',
        ),
        workload({ name: 'from-volume', podSpec: 'volumes:\n- name: cfg\n  configMap:\n    name: urls' }),
        workload({ name: 'from-key' }).replace(
          'image: example/from-key',
          'image: example/from-key\n        env:\n        - name: API\n          valueFrom:\n            configMapKeyRef:\n              name: urls\n              key: API',
        ),
        workload({ name: 'bystander' }),
        workload({ name: 'api', ports: [{ containerPort: 80 }] }),
        svc({ name: 'api' }),
      ),
    });
    assert.deepEqual(
      buildTopology(a).map.calls.map((c) => c.id),
      ['default/from-env->default/api', 'default/from-key->default/api', 'default/from-volume->default/api'],
    );
  });
});

describe('map of examples/gateway', () => {
  const a = analyzeWorkspace(example('gateway'));
  const t = buildTopology(a);

  it('lists each Gateway with its listeners and their attached routes, as analyze --format json does', () => {
    assert.deepEqual(
      t.map.gateways.map((g) => g.id),
      a.gateway.gateways.map((g) => `${g.namespace}/${g.name}`).sort(),
    );
    for (const g of a.gateway.gateways) {
      const drawn = t.map.gateways.find((x) => x.id === `${g.namespace}/${g.name}`);
      assert.deepEqual(
        drawn?.listeners.map((l) => `${l.name}:${l.attachedRoutes}`),
        g.listeners.map((l) => `${l.name}:${a.gateway.listenerStatus(g, l).attachedRoutes}`),
      );
    }
  });

  it('draws Gateway → route only for an accepted parent, and route → Service only for a resolved backend', () => {
    assert.equal(t.map.routes.length, a.gateway.routes.length);
    for (const r of t.map.routes) {
      const listenerEdges = t.map.edges.filter((e) => e.kind === 'listener' && e.to === r.id).map((e) => e.from);
      assert.deepEqual(listenerEdges, [...new Set(r.parents.filter((p) => p.accepted).map((p) => p.gateway))], r.id);
      const routeEdges = t.map.edges.filter((e) => e.kind === 'route' && e.from === r.id).map((e) => e.to);
      assert.deepEqual(routeEdges.sort(), [...new Set(r.backends.filter((b) => b.resolved).map((b) => b.service))].sort(), r.id);
    }
    // The README's one deliberate mistake: store/legacy-shop's hostname no listener accepts.
    const legacy = t.map.routes.find((r) => r.id === 'store/legacy-shop');
    assert.equal(legacy?.parents[0]?.reason, 'NoMatchingListenerHostname');
    assert.ok(!t.map.edges.some((e) => e.kind === 'listener' && e.to === 'store/legacy-shop'));
    // The cross-namespace backend its ReferenceGrant permits.
    assert.ok(t.map.edges.some((e) => e.id === 'route:store/checkout->payments/checkout'));
  });
});

describe('map layout (webview/mapLayout.ts)', () => {
  const shop = example('shop');
  const t = buildTopology(analyzeWorkspace(shop));
  // The layout is the page's: it gets the topology as the map is sent it (no pods).
  const layout = layoutMap(mapTopologyOf(t));
  const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

  it('puts entry points first and each call one layer further on', () => {
    const layer = (k: string) => layout.layers.get(k);
    assert.equal(layer('ingress:shop/shop'), 0);
    // Ingress → frontend's Service; frontend calls backend; backend calls postgres and redis.
    assert.equal(layer('service:shop/frontend'), 1);
    assert.equal(layer('service:shop/backend'), 2);
    assert.equal(layer('service:shop/postgres'), 3);
    assert.equal(layer('service:shop/redis'), 3);
    const x = (k: string) => layout.boxes.get(k)?.x ?? NaN;
    assert.ok(x('service:shop/frontend') < x('service:shop/backend') && x('service:shop/backend') < x('service:shop/postgres'));
  });

  it('stacks each Service over the workloads it selects, and nothing overlaps', () => {
    const svc = layout.boxes.get(mapKey('service', 'shop/backend'));
    const wl = layout.boxes.get(mapKey('workload', 'shop/backend'));
    assert.ok(svc && wl && svc.x === wl.x && wl.y > svc.y);
    const boxes = [...layout.boxes.entries()];
    for (const [i, [ka, a]] of boxes.entries())
      for (const [kb, b] of boxes.slice(i + 1)) assert.ok(!overlaps(a, b), `${ka} overlaps ${kb}`);
    const groups = [...layout.namespaces.entries()];
    for (const [i, [ka, a]] of groups.entries())
      for (const [kb, b] of groups.slice(i + 1)) assert.ok(!overlaps(a, b), `${ka} overlaps ${kb}`);
    for (const w of t.workloads) {
      const b = layout.boxes.get(mapKey('workload', w.id));
      const ns = layout.namespaces.get(w.namespace);
      assert.ok(
        b && ns && b.x >= ns.x && b.y >= ns.y && b.x + b.w <= ns.x + ns.w && b.y + b.h <= ns.y + ns.h,
        `${w.id} inside its namespace`,
      );
    }
  });

  it('is stable under edits: one more Deployment moves nothing that sorts before it in its column, nor any other namespace sideways', () => {
    const more = buildTopology(
      analyzeWorkspace([...shop, { path: 'more.yaml', text: docs(workload({ name: 'zz-worker', namespace: 'shop' })) }]),
    );
    const after = layoutMap(mapTopologyOf(more));
    assert.ok(after.boxes.has(mapKey('workload', 'shop/zz-worker')));
    for (const [k, b] of layout.boxes) {
      const a = after.boxes.get(k);
      assert.ok(a, k);
      const ns = k.slice(k.indexOf(':') + 1).split('/')[0] as string;
      const before = layout.namespaces.get(ns) as Box;
      const now = after.namespaces.get(ns) as Box;
      if (!before || !now) continue;
      // Within its namespace, every old box keeps its place; the namespace keeps its column.
      assert.deepEqual({ x: a.x - now.x, y: a.y - now.y }, { x: b.x - before.x, y: b.y - before.y }, k);
      assert.equal(now.x, before.x, `namespace ${ns} keeps its x`);
    }
  });

  it('wraps a namespace deeper than 8 layers into rows, so a long chain of calls does not make the map a thin strip', () => {
    // 20 apps, each calling the next: 20 layers in one namespace.
    const chain = Array.from({ length: 20 }, (_, i) => {
      const name = `app-${String(i).padStart(2, '0')}`;
      const env = i < 19 ? { NEXT: `http://app-${String(i + 1).padStart(2, '0')}:80` } : undefined;
      return docs(
        workload({ name, namespace: 'deep', ports: [{ containerPort: 8080 }], ...(env ? { env } : {}) }),
        svc({ name, namespace: 'deep', ports: [{ port: 80, targetPort: 8080 }] }),
      );
    });
    const deep = layoutMap(mapTopologyOf(buildTopology(analyzeWorkspace([{ path: 'deep.yaml', text: chain.join('---\n') }]))));
    const box = (i: number) => deep.boxes.get(mapKey('service', `deep/app-${String(i).padStart(2, '0')}`)) as Box;
    const ns = deep.namespaces.get('deep') as Box;
    // Layers 0-7 in the first row, 8-15 in the second, 16-19 in the third, each row left to right.
    assert.equal(new Set(Array.from({ length: 20 }, (_, i) => box(i).x)).size, 8, 'eight columns');
    assert.equal(box(8).x, box(0).x, 'the ninth layer starts the second row');
    assert.ok(box(8).y > box(7).y + box(7).h, 'below the first row');
    assert.ok(box(16).y > box(15).y && box(1).x > box(0).x && box(9).x > box(8).x);
    assert.ok(ns.w < ns.h * 5, `the namespace is ${ns.w} × ${ns.h} (unwrapped, 20 columns: 37 times as wide as tall)`);
    const all = [...deep.boxes.entries()];
    for (const [i, [ka, a]] of all.entries()) {
      for (const [kb, b] of all.slice(i + 1)) assert.ok(!overlaps(a, b), `${ka} overlaps ${kb}`);
      if (ka.includes('deep/'))
        assert.ok(a.x >= ns.x && a.y >= ns.y && a.x + a.w <= ns.x + ns.w && a.y + a.h <= ns.y + ns.h, `${ka} inside`);
    }
  });

  it('gives every node of a cyclic graph a finite layer (back edges are left out)', () => {
    const layers = longestPathLayers(
      ['a', 'b', 'c'],
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
      ]),
    );
    assert.deepEqual(
      [...layers],
      [
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ],
    );
  });
});

describe('nodes view semantic zoom (webview/blobs.ts)', () => {
  it('draws a workload on a node as one band per grid row its pods cover', () => {
    const pod = (x: number, y: number): Box => ({ x, y, w: 10, h: 5 });
    // Two pods ending row 1, a full row 2, one pod starting row 3: three bands, each spanning its pods.
    assert.deepEqual(rowBands([pod(40, 0), pod(20, 0), pod(0, 10), pod(20, 10), pod(40, 10), pod(0, 20)]), [
      { x: 20, y: 0, w: 30, h: 5 },
      { x: 0, y: 10, w: 50, h: 5 },
      { x: 0, y: 20, w: 10, h: 5 },
    ]);
  });

  it('draws the whole cluster in view as one path of rectangles per namespace, each box a closed subpath', () => {
    const boxes: Box[] = [
      { x: 0, y: 0, w: 10, h: 5 },
      { x: 20.04, y: 10, w: 30, h: 5 },
    ];
    const d = rectsPath(boxes);
    assert.equal(d, 'M0,0h10v5h-10zM20,10h30v5h-30z');
    // Read back, every subpath covers exactly its box.
    const subpaths = [...d.matchAll(/M([\d.-]+),([\d.-]+)h([\d.-]+)v([\d.-]+)h([\d.-]+)z/g)].map((m) => m.slice(1).map(Number));
    assert.equal(subpaths.length, boxes.length);
    subpaths.forEach(([x, y, w, h, back], i) => {
      const b = boxes[i] as Box;
      assert.ok(Math.abs((x as number) - b.x) < 0.1 && y === b.y && w === b.w && h === b.h && back === -b.w);
    });
    assert.equal(rectsPath([]), '');
  });
});

describe('map edges (webview/mapScene.ts mapCurve)', () => {
  const t = buildTopology(analyzeWorkspace(example('shop')));
  const layout = layoutMap(mapTopologyOf(t));
  const box = (k: string) => layout.boxes.get(k) as Box;
  /** The x of an orthogonal edge's vertical run (its trunk), if it has one. */
  const trunk = (d: string) => (/V[\d.-]+/.test(d) ? Number(/Q([\d.-]+),/.exec(d)?.[1]) : undefined);

  it('bundles the calls that cross the same gap between columns into one vertical trunk', () => {
    // backend calls postgres and redis, both one column on: they leave backend together.
    const toPostgres = mapCurve(box(mapKey('workload', 'shop/backend')), box(mapKey('service', 'shop/postgres'))).d;
    const toRedis = mapCurve(box(mapKey('workload', 'shop/backend')), box(mapKey('service', 'shop/redis'))).d;
    assert.ok(trunk(toRedis) !== undefined, toRedis);
    assert.equal(trunk(toPostgres), trunk(toRedis));
    // An edge from another box across the same gap joins the same trunk.
    const other = mapCurve(box(mapKey('service', 'shop/backend')), box(mapKey('workload', 'shop/redis'))).d;
    assert.equal(trunk(other), trunk(toRedis));
    // Each ends level with its own target, where its label goes.
    const b = box(mapKey('service', 'shop/redis'));
    assert.equal(mapCurve(box(mapKey('workload', 'shop/backend')), b).mid.y, b.y + b.h / 2);
  });
});
