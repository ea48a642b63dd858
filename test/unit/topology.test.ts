import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/engine';
import { buildTopology, policyLayer, type Topology } from '../../src/engine/topology/build';
import type { PolicyOracle } from '../../src/engine/policy/oracle';
import { analyze, lineOf, svc, workload } from '../helpers';

const SHOP = path.join(__dirname, '..', '..', 'examples', 'shop');
const shopFiles = () =>
  readdirSync(SHOP)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: f, text: readFileSync(path.join(SHOP, f), 'utf8') }));
const shopText = (f: string) => readFileSync(path.join(SHOP, f), 'utf8');

const ids = (list: Array<{ id: string }>, ns?: string) =>
  list.filter((x) => ns === undefined || x.id.startsWith(`${ns}/`)).map((x) => x.id);
const where = (o: { source?: { file: string; line: number } }) => (o.source ? `${o.source.file}:${o.source.line}` : 'none');

describe('topology of examples/shop', () => {
  const analysis = analyzeWorkspace(shopFiles());
  const topo = buildTopology(analysis);

  it('counts what the engine simulated, and the shop namespace as written', () => {
    assert.equal(topo.counts.pods, analysis.cluster.pods.length);
    assert.equal(topo.counts.services, analysis.cluster.services.length);
    assert.deepEqual(
      topo.nodes.map((n) => `${n.id} ${n.ip} ${n.podCIDR}`),
      ['node-1 10.0.1.10 10.244.1.0/24', 'node-2 10.0.1.20 10.244.2.0/24', 'node-3 10.0.1.30 10.244.3.0/24'],
    );
    // 3 backend + 2 frontend + postgres-0 + 1 redis
    assert.equal(topo.pods.filter((p) => p.namespace === 'shop').length, 7);
    assert.deepEqual(ids(topo.services, 'shop'), ['shop/backend', 'shop/frontend', 'shop/postgres', 'shop/redis']);
    assert.deepEqual(ids(topo.workloads, 'shop'), ['shop/backend', 'shop/frontend', 'shop/postgres', 'shop/redis']);
    assert.deepEqual(topo.workloads.find((w) => w.id === 'shop/backend')?.pods.length, 3);
    assert.deepEqual(
      topo.namespaces.find((n) => n.name === 'shop'),
      { name: 'shop', implicit: false, pods: 7, services: 4 },
    );
    assert.equal(topo.namespaces.find((n) => n.name === 'kube-system')?.implicit, true);
  });

  it('ids pods NAMESPACE/NAME and places each on its node with its IP', () => {
    for (const p of topo.pods) {
      assert.equal(p.id, `${p.namespace}/${p.name}`);
      const sim = analysis.cluster.pods.find((q) => q.namespace === p.namespace && q.name === p.name);
      assert.equal(p.ip, sim?.ip ?? null);
      assert.equal(p.node, sim?.node ?? null);
    }
    const pg = topo.pods.find((p) => p.id === 'shop/postgres-0');
    // The StatefulSet controller labels each pod with its name and ordinal.
    assert.deepEqual(pg?.labels, {
      app: 'postgres',
      'apps.kubernetes.io/pod-index': '0',
      'statefulset.kubernetes.io/pod-name': 'postgres-0',
      tier: 'db',
    });
    assert.equal(pg?.workload, 'shop/postgres');
    assert.equal(pg?.workloadKind, 'StatefulSet');
    assert.deepEqual(pg?.ports, [{ name: 'postgres', port: 5432, protocol: 'TCP' }]);
  });

  it('draws one endpoint edge per Service and pod, labelled with the target port', () => {
    const shopEdges = topo.edges.filter((e) => e.kind === 'endpoint' && e.from.startsWith('shop/'));
    assert.equal(shopEdges.length, 7);
    for (const e of shopEdges.filter((x) => x.from === 'shop/backend')) assert.equal(e.label, '8080');
    assert.deepEqual(
      shopEdges.filter((e) => e.from === 'shop/frontend').map((e) => e.label),
      ['8080', '8080'],
    );
    assert.equal(shopEdges.find((e) => e.from === 'shop/postgres')?.to, 'shop/postgres-0');
    // Every edge end is something the view draws.
    const drawn = new Set([...topo.pods, ...topo.services, ...topo.ingresses, ...topo.externals, ...topo.nodes].map((x) => x.id));
    for (const e of topo.edges) assert.ok(drawn.has(e.from) && drawn.has(e.to), `edge ${e.id} ends at something not drawn`);
    // kube-dns serves three ports on each CoreDNS pod: one edge per pod, protocols spelled out.
    const dns = topo.edges.filter((e) => e.from === 'kube-system/kube-dns');
    assert.equal(dns.length, analysis.cluster.pods.filter((p) => p.namespace === 'kube-system').length);
    assert.equal(dns[0]?.label, '53/UDP, 53/TCP, 9153/TCP');
  });

  it('fans the Ingress out by host and path to its Services, behind its controller and load balancer', () => {
    assert.deepEqual(ids(topo.ingresses), ['shop/shop']);
    const ing = topo.ingresses[0];
    assert.deepEqual(
      ing?.routes.map((r) => `${r.host}${r.path} ${r.pathType} -> ${r.service}:${r.port} ${r.resolved}`),
      ['shop.example.com/api Prefix -> shop/backend:api true', 'shop.example.com/ Prefix -> shop/frontend:80 true'],
    );
    const routes = topo.edges.filter((e) => e.kind === 'route');
    assert.deepEqual(
      routes.map((e) => `${e.from} -> ${e.to} [${e.label}]`),
      ['shop/shop -> shop/backend [shop.example.com/api]', 'shop/shop -> shop/frontend [shop.example.com/]'],
    );
    assert.equal(topo.counts.routes, 2);
    assert.ok(ing?.controllerService, 'the simulated ingress controller Service is found');
    assert.ok(topo.edges.some((e) => e.kind === 'controller' && e.from === ing?.controllerService && e.to === 'shop/shop'));
    assert.deepEqual(
      topo.externals.filter((x) => x.role === 'client').map((x) => `${x.id} ${x.ip}`),
      ['external 203.0.113.5'],
    );
    const lb = topo.externals.find((x) => x.role === 'load-balancer');
    assert.equal(lb?.service, ing?.controllerService);
    assert.match(lb?.ip ?? '', /^198\.51\.100\./);
    assert.ok(topo.edges.some((e) => e.from === 'external' && e.to === lb?.id));
  });

  it('carries the manifest line of every object written in the workspace, and none for implicit ones', () => {
    assert.equal(
      where(topo.services.find((s) => s.id === 'shop/backend') ?? {}),
      `backend.yaml:${lineOf(shopText('backend.yaml'), 'name: backend', 1)}`,
    );
    assert.equal(
      where(topo.pods.find((p) => p.workload === 'shop/redis') ?? {}),
      `database.yaml:${lineOf(shopText('database.yaml'), 'name: redis')}`,
    );
    assert.equal(where(topo.ingresses[0] ?? {}), `ingress.yaml:${lineOf(shopText('ingress.yaml'), 'name: shop')}`);
    assert.equal(where(topo.ingresses[0]?.routes[0] ?? {}), `ingress.yaml:${lineOf(shopText('ingress.yaml'), 'path: /api')}`);
    assert.equal(
      where(topo.edges.find((e) => e.id.startsWith('shop/backend->')) ?? {}),
      `backend.yaml:${lineOf(shopText('backend.yaml'), 'targetPort: api')}`,
    );
    for (const p of topo.pods) assert.equal(p.source === undefined, p.implicit, `pod ${p.id}`);
    for (const s of topo.services) assert.equal(s.source === undefined, s.implicit, `service ${s.id}`);
  });

  it('is deterministic: the same manifests in any order give the same JSON, byte for byte', () => {
    const again = buildTopology(analyzeWorkspace([...shopFiles()].reverse()));
    assert.equal(JSON.stringify(again), JSON.stringify(topo));
    assert.deepEqual(ids(topo.pods), [...ids(topo.pods)].sort());
    assert.deepEqual(ids(topo.edges), [...ids(topo.edges)].sort());
  });

  it('policy layer: frontend may reach backend on 8080, backend may not reach redis, with the policies named', (t) => {
    if (!('policies' in analysis)) return t.skip('the NetworkPolicy engine is not in this build');
    const layer = policyLayer(analysis, 'shop/backend');
    assert.ok(layer);
    const backendPod = topo.workloads.find((w) => w.id === 'shop/backend')?.pods[0];
    assert.equal(layer.pod, backendPod);
    const fromFrontend = layer.edges.find((e) => e.direction === 'ingress' && e.fromWorkload === 'shop/frontend');
    assert.equal(fromFrontend?.allowed, true);
    assert.equal(fromFrontend?.port, 8080);
    assert.deepEqual(fromFrontend?.policies.map((p) => p.name).sort(), ['backend', 'frontend']);
    const toRedis = layer.edges.find((e) => e.direction === 'egress' && e.toWorkload === 'shop/redis');
    assert.equal(toRedis?.allowed, false);
    assert.ok(toRedis?.policies.some((p) => p.name === 'backend' && p.source?.file === 'policies.yaml'));
    const toDns = layer.edges.filter((e) => e.direction === 'egress' && e.toWorkload === 'kube-system/coredns' && e.port === 53);
    assert.deepEqual(
      toDns.map((e) => `${e.protocol} ${e.allowed}`),
      ['TCP true', 'UDP true'],
    );
    assert.equal(layer.edges.find((e) => e.from === 'external')?.allowed, false);
  });
});

describe('topology: small workspaces', () => {
  it('draws a NodePort Service with its entry point, and no external client when nothing is exposed', () => {
    const internal = buildTopology(
      analyze({ 'a.yaml': workload({ name: 'web', ports: [{ containerPort: 80 }] }) + '---\n' + svc({ name: 'web' }) }),
    );
    assert.deepEqual(internal.externals, []);
    const exposed = buildTopology(
      analyze({
        'a.yaml':
          workload({ name: 'web', ports: [{ containerPort: 80 }] }) +
          '---\n' +
          svc({ name: 'web', type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
      }),
    );
    assert.deepEqual(
      exposed.externals.map((x) => x.id),
      ['external', 'nodeport:default/web:30080'],
    );
    assert.deepEqual(
      exposed.edges.filter((e) => e.kind === 'external').map((e) => e.id),
      ['external->nodeport:default/web:30080', 'nodeport:default/web:30080->default/web'],
    );
  });

  it('keeps label values exactly as written (the page escapes them)', () => {
    const topo = buildTopology(
      analyze({ 'a.yaml': workload({ name: 'x', labels: { app: 'x', note: '"<img src=x onerror=alert(1)>"' } }) }),
    );
    assert.equal(topo.pods.find((p) => p.workload === 'default/x')?.labels['note'], '<img src=x onerror=alert(1)>');
  });

  it('lists an Ingress route to a missing Service without drawing an edge to it', () => {
    const ing = [
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      'metadata: {name: i}',
      'spec:',
      '  defaultBackend: {service: {name: nope, port: {number: 80}}}',
      '',
    ].join('\n');
    const topo: Topology = buildTopology(analyze({ 'i.yaml': ing }));
    assert.deepEqual(
      topo.ingresses[0]?.routes.map((r) => `${r.service} ${r.resolved} ${r.defaultBackend}`),
      ['default/nope false true'],
    );
    assert.equal(topo.edges.filter((e) => e.kind === 'route').length, 0);
  });

  it('policy layer with a fake oracle: one edge per peer workload and port, verdicts and deciders passed through', () => {
    const a = analyze({
      'a.yaml': [
        workload({ name: 'api', ports: [{ containerPort: 8080 }] }),
        workload({ name: 'db', ports: [{ containerPort: 5432 }] }),
      ].join('---\n'),
    });
    const ref = {
      kind: 'NetworkPolicy' as const,
      namespace: 'default',
      name: 'deny',
      range: { file: 'p.yaml', line: 3, column: 1, endLine: 3, endColumn: 5 },
    };
    const open = { isolated: false, isolatingPolicies: [], allowed: true, decidedBy: 'none' as const, reason: 'open' };
    const oracle: PolicyOracle = {
      verdict: (_src, dst, port) =>
        port === 5432
          ? {
              allowed: false,
              egress: open,
              ingress: { isolated: true, isolatingPolicies: [ref], allowed: false, decidedBy: 'network' as const, reason: 'denied' },
              reason: `dropped ${dst.kind}`,
            }
          : { allowed: true, egress: open, ingress: open, reason: 'ok' },
    };
    const layer = policyLayer({ cluster: a.cluster, policies: oracle }, 'default/api');
    assert.deepEqual(
      layer?.edges
        .filter((e) => !e.id.includes('kube-system/'))
        .map(
          (e) =>
            `${e.direction} ${e.fromWorkload}->${e.toWorkload} ${e.port} ${e.allowed} ${e.policies.map((p) => `${p.name}@${p.source?.line}`).join(',')}`,
        ),
      [
        'egress default/api->default/db 5432 false deny@3',
        'ingress default/db->default/api 8080 true ',
        'ingress external->default/api 8080 true ',
      ],
    );
    assert.equal(policyLayer({ cluster: a.cluster, policies: oracle }, 'default/nothing'), undefined);
  });
});
