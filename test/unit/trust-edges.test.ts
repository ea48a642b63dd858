// Issue 16 items 10, 11 and 12 (parts): what real manifests met at the edge of the model. Fixtures
// follow the Kubernetes docs' examples.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { findSource, iptablesRules, tracePacket, type Analysis, type TraceResult } from '../../src/engine';
import { analyze, docs, svc, workload } from '../helpers';

const trace = (a: Analysis, src: string, to: string): TraceResult => {
  const f = findSource(a.cluster, src);
  assert.ok(f.ok, src);
  return tracePacket(a, f.source, to);
};

// The Ingress docs' minimal-ingress: one rule, no host.
const MINIMAL_INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: minimal-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx-example
  rules:
  - http:
      paths:
      - path: /testpath
        pathType: Prefix
        backend:
          service:
            name: test
            port:
              number: 80
`;

describe('Ingress rules without a host match every host (issue 16 item 11)', () => {
  const a = analyze({
    'ing.yaml': MINIMAL_INGRESS,
    'test.yaml': docs(
      workload({ name: 'test', ports: [{ containerPort: 8080 }] }),
      svc({ name: 'test', ports: [{ port: 80, targetPort: 8080 }] }),
    ),
  });

  it('a client outside reaches the backend by any host name, through the controller', () => {
    for (const host of ['foo.bar.com', 'anything.example.org']) {
      const t = trace(a, 'external', `http://${host}/testpath/x`);
      assert.equal(t.verdict, 'delivered', host);
      assert.equal(t.destination?.kind === 'pod' ? t.destination.workload : '', 'default/test', host);
      const dns = t.hops[0];
      assert.ok(dns?.kind === 'dns' && /rule without a host, which matches every host/.test(dns.meaning), JSON.stringify(dns));
      assert.equal(dns.range?.line, 10, 'the hop points at the host-less rule');
      assert.ok(t.hops.some((h) => h.kind === 'ingress-controller'));
    }
    assert.equal(trace(a, 'external', 'http://foo.bar.com/other').verdict, 'unrouted', 'a path no rule lists: 404');
  });

  it('a host another Ingress names goes to that rule, not to the host-less one', () => {
    const named = MINIMAL_INGRESS.replace('minimal-ingress', 'named')
      .replace('  - http:', '  - host: shop.example.com\n    http:')
      .replace('name: test\n', 'name: shop\n');
    const b = analyze({
      'ing.yaml': docs(MINIMAL_INGRESS, named),
      'test.yaml': docs(
        workload({ name: 'test', ports: [{ containerPort: 8080 }] }),
        svc({ name: 'test', ports: [{ port: 80, targetPort: 8080 }] }),
        workload({ name: 'shop', ports: [{ containerPort: 8080 }] }),
        svc({ name: 'shop', ports: [{ port: 80, targetPort: 8080 }] }),
      ),
    });
    const t = trace(b, 'external', 'http://shop.example.com/testpath');
    assert.equal(t.destination?.kind === 'pod' ? t.destination.workload : '', 'default/shop');
  });
});

describe('node-level listeners: the kubelet on every node, the API server on its nodes (issue 16 item 10)', () => {
  const nodes = `apiVersion: v1
kind: Node
metadata:
  name: cp-1
  labels: {node-role.kubernetes.io/control-plane: ""}
spec: {podCIDR: 10.244.1.0/24}
status: {addresses: [{type: InternalIP, address: 10.0.1.10}]}
---
apiVersion: v1
kind: Node
metadata: {name: worker-1}
spec: {podCIDR: 10.244.2.0/24}
status: {addresses: [{type: InternalIP, address: 10.0.1.20}]}
`;
  const a = analyze({ 'nodes.yaml': nodes, 'app.yaml': workload({ name: 'client', replicas: 1 }) });

  it('the kubelet answers on 10250 of every node', () => {
    for (const ip of ['10.0.1.10', '10.0.1.20']) {
      const t = trace(a, 'default/client', `${ip}:10250`);
      assert.equal(t.verdict, 'delivered', ip);
      assert.deepEqual(t.destination && t.destination.kind === 'node' ? t.destination.listener : undefined, 'kubelet', ip);
    }
  });

  it('the API server answers on 6443 of the control-plane node, as kubernetes:443 reaches it; not on workers', () => {
    const direct = trace(a, 'default/client', '10.0.1.10:6443');
    const viaService = trace(a, 'default/client', 'kubernetes.default:443');
    assert.equal(direct.verdict, 'delivered');
    assert.equal(viaService.verdict, 'delivered');
    // The same server; the trace through the Service also names the Service it went through.
    const { service, ...server } = viaService.destination?.kind === 'pod' ? viaService.destination : { service: undefined };
    assert.equal(service, 'default/kubernetes');
    assert.deepEqual(direct.destination, server);
    assert.equal(direct.destination?.kind === 'pod' ? direct.destination.node : '', 'cp-1');
    assert.equal(trace(a, 'default/client', '10.0.1.20:6443').verdict, 'unrouted');
    assert.equal(trace(a, 'default/client', '10.0.1.20:10251').verdict, 'unrouted', 'nothing else listens there');
  });

  it("egress policy decides as for any node address (an ipBlock), and a host-network pod's localhost is its node", () => {
    const deny = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]`;
    const b = analyze({ 'nodes.yaml': nodes, 'app.yaml': workload({ name: 'client', replicas: 1 }), 'np.yaml': deny });
    // To another node's kubelet; a pod and its own node always reach each other (NetworkPolicy's exception).
    const own = b.cluster.pods.find((p) => p.workload.name === 'client')?.node;
    const other = b.cluster.nodes.find((n) => n.name !== own);
    assert.ok(other);
    assert.equal(trace(b, 'default/client', `${other.ip}:10250`).verdict, 'dropped');
    const mine = b.cluster.nodes.find((n) => n.name === own);
    assert.equal(trace(b, 'default/client', `${mine?.ip}:10250`).verdict, 'delivered');
    const host = analyze({ 'nodes.yaml': nodes, 'app.yaml': workload({ name: 'agent', kind: 'DaemonSet', podSpec: 'hostNetwork: true' }) });
    const t = trace(host, 'default/agent', 'https://localhost:10250/pods');
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.kind === 'node' ? t.destination.ip : '', t.source.ip, 'its own node');
    // A pod's own loopback is the pod itself, never "leaves the cluster".
    const self = trace(a, 'default/client', '127.0.0.1:8080');
    assert.equal(self.destination?.kind, 'pod');
    assert.equal(self.destination?.kind === 'pod' ? self.destination.workload : '', 'default/client');
  });
});

/** A Deployment whose container declares 8080 but binds its port on the command line. */
const serving = (args: string, targetPort: number) =>
  docs(
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - name: echo
        image: example/echo
        args: ${args}
        ports: [{containerPort: 8080}]
        env: [{name: SELF, value: "http://localhost:${targetPort}/healthz"}]`,
    svc({ name: 'echo', ports: [{ port: 80, targetPort }] }),
  );

describe('a container serves the port its command line binds (issue 16 item 12)', () => {
  for (const args of [
    '[--port, "18080"]',
    '["--port=18080"]',
    '[-port, "18080"]',
    '["serve --listen=:18080"]',
    '[--metrics-bind-address, "0.0.0.0:18080"]',
  ]) {
    it(`args: ${args}`, () => {
      const a = analyze({ 'echo.yaml': serving(args, 18080), 'client.yaml': workload({ name: 'client' }) });
      assert.deepEqual(
        a.diagnostics
          .filter((d) => d.code === 'service-target-port-unresolved' || d.code === 'localhost-port-unbound')
          .map((d) => d.message),
        [],
      );
      const t = trace(a, 'default/client', 'http://echo/');
      assert.equal(t.verdict, 'delivered');
      const deliver = t.hops.find((h) => h.kind === 'deliver');
      assert.equal(deliver?.kind === 'deliver' ? deliver.note : undefined, '');
    });
  }

  it('a flag naming a port to connect to is not a port served', () => {
    const a = analyze({ 'echo.yaml': serving('[--redis-port, "18080"]', 18080), 'client.yaml': workload({ name: 'client' }) });
    assert.ok(a.diagnostics.some((d) => d.code === 'service-target-port-unresolved'));
    const deliver = trace(a, 'default/client', 'http://echo/').hops.find((h) => h.kind === 'deliver');
    assert.match(deliver?.kind === 'deliver' ? deliver.note : '', /no container of the pod declares 18080\/TCP or binds it/);
  });
});

describe("Calico's veth names and the built-in chains kube-proxy jumps from (issue 16 item 12)", () => {
  const a = analyze({ 'echo.yaml': serving('[--port, "8080"]', 8080), 'client.yaml': workload({ name: 'client' }) });

  it('Calico names a pod\'s veth "cali" + the first 11 hex digits of sha1("NAMESPACE.POD")', () => {
    const t = trace(a, 'default/client', 'http://echo/');
    const dst = a.cluster.pods.find((p) => p.workload.name === 'echo');
    assert.ok(dst);
    const veth = `cali${createHash('sha1').update(`default.${dst.name}`).digest('hex').slice(0, 11)}`;
    assert.ok(
      t.hops.some((h) => h.kind === 'route' && h.route.includes(`dev ${veth} `)),
      veth,
    );
    assert.equal(`cali${createHash('sha1').update('default.nginx').digest('hex').slice(0, 11)}`, 'calic440f455693');
  });

  it('rules prints the jumps from PREROUTING/OUTPUT, POSTROUTING and FORWARD as iptables-save shows them', () => {
    const text = iptablesRules(a.cluster, 'node-1');
    for (const line of [
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    ])
      assert.ok(text.split('\n').includes(line), line);
    // Each table declares its built-in chains, and every jump lands on a chain the table declares.
    for (const table of text.split('COMMIT').filter((t) => t.includes('*'))) {
      const declared = new Set([...table.matchAll(/^:(\S+)/gm)].map((m) => m[1]));
      for (const builtin of table.includes('*nat') ? ['PREROUTING', 'OUTPUT', 'POSTROUTING'] : ['INPUT', 'FORWARD', 'OUTPUT'])
        assert.ok(declared.has(builtin), builtin);
      for (const m of table.matchAll(/-j (KUBE-\S+)/g)) assert.ok(declared.has(m[1]), `${m[1]} is declared`);
    }
  });
});
