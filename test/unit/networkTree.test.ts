// The Kubernetes Network view's tree (issue 21), built in the analysis worker: namespaces →
// workloads (pods with IP and node), Services (endpoints), policies (isolated pods), Ingresses
// (routes); each item reveals its manifest line and its actions trace or focus what it shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkTree, type TreeNode } from '../../src/extension/analysis/networkTree';
import { QUERIES } from '../../src/extension/analysis/queries';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { fixture, loc, shopFiles } from '../editorFixtures';
import { yaml } from '../helpers';

const shop = fixture(shopFiles());
const tree = networkTree(shop.a);
const find = (nodes: TreeNode[], id: string): TreeNode | undefined => {
  for (const n of nodes) {
    if (n.id === id) return n;
    const hit = find(n.children ?? [], id);
    if (hit) return hit;
  }
  return undefined;
};
const get = (id: string) => {
  const n = find(tree, id);
  assert.ok(n, `${id} is in the tree`);
  return n;
};

describe('network view tree', () => {
  it('lists the namespaces that hold manifests, with their groups', () => {
    assert.deepEqual(
      tree.map((n) => n.label),
      ['shop'],
    );
    assert.deepEqual(
      get('namespace:shop').children?.map((c) => `${c.label} ${c.description}`),
      ['Workloads 4', 'Services 4', 'Network policies 5', 'Ingresses 1'],
    );
    assert.equal(loc(get('namespace:shop').at!), 'namespace.yaml:4:9');
  });

  it('shows workloads with their pods, each with its IP and node', () => {
    const backend = get('workload:shop/Deployment/backend');
    assert.equal(backend.description, 'Deployment · 3 pods');
    assert.equal(loc(backend.at!), 'backend.yaml:4:9');
    assert.equal(backend.children?.length, 3);
    for (const pod of backend.children ?? []) {
      const p = shop.a.cluster.pods.find((x) => `pod:${x.namespace}/${x.name}` === pod.id);
      assert.ok(p);
      assert.equal(pod.description, `${p.ip} on ${p.node}`);
    }
  });

  it('shows Services with their endpoints, policies with the pods they isolate, Ingresses with their routes', () => {
    const svc = get('service:shop/backend');
    assert.match(svc.description ?? '', /^ClusterIP 10\.\d+\.\d+\.\d+ · 3 endpoints$/);
    assert.deepEqual(
      svc.children?.map((e) => e.description?.replace(/^[\d.]+/, 'IP')),
      ['IP:8080', 'IP:8080', 'IP:8080'],
    );
    assert.match(get('service:shop/postgres').description ?? '', /headless · 1 endpoint/);
    assert.equal(get('policy:shop/default-deny').description, 'isolates 7 pods');
    assert.equal(get('policy:shop/backend').children?.length, 3);
    assert.deepEqual(
      get('ingress:shop/shop').children?.map((r) => `${r.label} ${r.description}`),
      ['shop.example.com/api → backend:api', 'shop.example.com/ → frontend:80'],
    );
  });

  it("gives items actions the trace command accepts: from a workload's pods, to a Service", () => {
    const index = new SymbolIndex(shop.a);
    const from = get('workload:shop/Deployment/frontend').traceFrom!;
    const to = get('service:shop/backend').traceTo!;
    const traced = QUERIES.trace(shop.a, index, { from, to, protocol: 'TCP' });
    assert.ok(traced.ok, traced.ok ? '' : traced.message);
    assert.equal(traced.result.verdict, 'delivered');
    const pod = get('workload:shop/Deployment/backend').children![0]!;
    const fromPod = QUERIES.trace(shop.a, index, { from: pod.traceFrom!, to: get('service:shop/postgres').traceTo!, protocol: 'TCP' });
    assert.ok(fromPod.ok);
    assert.equal(get('workload:shop/Deployment/backend').focus, 'shop/backend');
  });

  it('says Gateway API objects are not simulated rather than drawing routes it cannot check', () => {
    const t = networkTree(
      fixture({
        'gw.yaml': yaml`
          apiVersion: gateway.networking.k8s.io/v1
          kind: HTTPRoute
          metadata: {name: web, namespace: edge}
          spec:
            parentRefs: [{name: gw}]
        `,
      }).a,
    );
    const route = find(t, 'gateway:edge/HTTPRoute/web');
    assert.equal(route?.description, 'HTTPRoute · not simulated');
  });
});
