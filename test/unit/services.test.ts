import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  withoutProbes,
  analyze,
  docs,
  endpoints,
  expectDiagnostic,
  expectNoDiagnostic,
  lineOf,
  podsOf,
  service,
  svc,
  where,
  workload,
  yaml,
} from '../helpers';

const ipsOf = (a: ReturnType<typeof analyze>, id: string) => podsOf(a, id).map((p) => p.ip ?? '');
const withPort = (ips: string[], port: number) => ips.map((ip) => `${ip}:${port}`).sort();

describe('services: endpoints from selectors', () => {
  it('a numeric targetPort gives every selected, ready pod of the namespace as ip:targetPort', () => {
    const a = analyze({
      'w.yaml': docs(
        workload({ name: 'web', namespace: 'shop', replicas: 3, ports: [{ containerPort: 8080 }] }),
        workload({ name: 'web', namespace: 'other', replicas: 1, ports: [{ containerPort: 8080 }] }),
        svc({ name: 'web', namespace: 'shop', ports: [{ port: 80, targetPort: 8080 }] }),
      ),
    });
    assert.deepEqual(endpoints(a, 'shop/web'), withPort(ipsOf(a, 'shop/web'), 8080));
    assert.equal(endpoints(a, 'shop/web').length, 3, 'pods of another namespace are not selected');
    assert.equal(service(a, 'shop/web').endpointsByPort[0]?.[0]?.ready, true);
    expectNoDiagnostic(withoutProbes(a));
  });

  it('targetPort defaults to port', () => {
    const a = analyze({
      'w.yaml': docs(workload({ name: 'web', ports: [{ containerPort: 80 }] }), svc({ name: 'web', ports: [{ port: 80 }] })),
    });
    assert.deepEqual(endpoints(a, 'default/web'), withPort(ipsOf(a, 'default/web'), 80));
  });

  it('a named targetPort is looked up per pod: pods may serve it on different numbers', () => {
    const a = analyze({
      'w.yaml': docs(
        workload({ name: 'v1', labels: { app: 'web', version: 'v1' }, ports: [{ name: 'http', containerPort: 8080 }] }),
        workload({ name: 'v2', labels: { app: 'web', version: 'v2' }, ports: [{ name: 'http', containerPort: 9090 }] }),
        svc({ name: 'web', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      ),
    });
    assert.deepEqual(
      endpoints(a, 'default/web'),
      [...withPort(ipsOf(a, 'default/v1'), 8080), ...withPort(ipsOf(a, 'default/v2'), 9090)].sort(),
    );
    expectNoDiagnostic(withoutProbes(a));
  });

  it('a named targetPort must match the protocol too; a mismatch is service-target-port-unresolved saying so', () => {
    const text = docs(
      workload({ name: 'dns', ports: [{ name: 'dns', containerPort: 5353, protocol: 'TCP' }] }),
      svc({ name: 'dns', ports: [{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }] }),
    );
    const a = analyze({ 'dns.yaml': text });
    assert.deepEqual(endpoints(a, 'default/dns'), []);
    const d = expectDiagnostic(a, 'service-target-port-unresolved', 'dns.yaml', lineOf(text, 'targetPort: dns'), 17);
    assert.match(d.message, /protocols must match/);
  });

  it('a targetPort name no pod declares is service-target-port-unresolved with a did-you-mean', () => {
    const text = docs(
      workload({ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }),
      svc({ name: 'web', ports: [{ port: 80, targetPort: 'htpp' }] }),
    );
    const a = analyze({ 'w.yaml': text });
    const d = expectDiagnostic(a, 'service-target-port-unresolved', 'w.yaml', lineOf(text, 'targetPort: htpp'), 17);
    assert.equal(d.severity, 'error');
    assert.match(d.message, /Did you mean "http"/);
    assert.deepEqual(endpoints(a, 'default/web'), []);
  });

  it('a numeric targetPort no container declares is a warning, and traffic still goes there', () => {
    const text = docs(
      workload({ name: 'web', ports: [{ containerPort: 8080 }] }),
      svc({ name: 'web', ports: [{ port: 80, targetPort: 8081 }] }),
    );
    const a = analyze({ 'w.yaml': text });
    assert.equal(expectDiagnostic(a, 'service-target-port-unresolved', 'w.yaml', lineOf(text, 'targetPort: 8081'), 17).severity, 'warning');
    assert.deepEqual(endpoints(a, 'default/web'), withPort(ipsOf(a, 'default/web'), 8081));
  });

  it('service-no-endpoints at spec.selector, with a near-miss hint for a one-letter typo', () => {
    const text = docs(workload({ name: 'backend', ports: [{ containerPort: 80 }] }), svc({ name: 'api', selector: { app: 'backnd' } }));
    const a = analyze({ 'w.yaml': text });
    const d = expectDiagnostic(a, 'service-no-endpoints', 'w.yaml', lineOf(text, 'selector:', 1), 3);
    assert.match(d.message, /app=backnd/);
    assert.match(d.message, /app=backend/);
    assert.equal(d.severity, 'warning');
  });

  it('service-no-endpoints hints at a misspelt label key too', () => {
    const a = analyze({
      'w.yaml': docs(
        workload({ name: 'web', labels: { 'app.kubernetes.io/name': 'web' } }),
        svc({ name: 'web', selector: { 'app.kubernetes.io/nme': 'web' } }),
      ),
    });
    assert.match(
      a.diagnostics.find((d) => d.code === 'service-no-endpoints')?.message ?? '',
      /did you mean the key app\.kubernetes\.io\/name/,
    );
  });

  it('headless Services have endpoints and no ClusterIP', () => {
    const a = analyze({
      'db.yaml': docs(
        workload({ kind: 'StatefulSet', name: 'db', replicas: 2, spec: 'serviceName: db', ports: [{ containerPort: 5432 }] }),
        svc({ name: 'db', clusterIP: 'None', ports: [{ port: 5432 }] }),
      ),
    });
    const s = service(a, 'default/db');
    assert.equal(s.headless, true);
    assert.deepEqual(s.clusterIPs, []);
    assert.deepEqual(
      s.endpointsByPort[0]?.map((e) => e.hostname),
      ['db-0', 'db-1'],
    );
  });

  it('ExternalName Services have no endpoints and no selector', () => {
    const a = analyze({
      'x.yaml': svc({ name: 'ext', type: 'ExternalName', selector: { app: 'x' }, extra: 'externalName: db.example.com.' }),
    });
    const s = service(a, 'default/ext');
    assert.equal(s.externalName, 'db.example.com');
    assert.equal(s.clusterIP, undefined);
    assert.deepEqual(s.endpointsByPort.flat(), []);
    expectNoDiagnostic(a);
  });

  it('an ExternalName Service without externalName is manifest-invalid', () => {
    expectDiagnostic(analyze({ 'x.yaml': svc({ name: 'ext', type: 'ExternalName', selector: null }) }), 'manifest-invalid', 'x.yaml', 5, 1);
  });
});

describe('services: readiness and selectorless Services', () => {
  const dumped = (name: string, ip: string, ready: boolean) => yaml`
    apiVersion: v1
    kind: Pod
    metadata:
      name: ${name}
      labels: {app: db}
    spec:
      nodeName: node-1
      containers: [{name: db, image: x, ports: [{containerPort: 5432}]}]
    status:
      podIP: ${ip}
      conditions: [{type: Ready, status: "${ready ? 'True' : 'False'}"}]
  `;
  const pods = docs(dumped('db-a', '10.244.1.20', true), dumped('db-b', '10.244.1.21', false));

  it('not-ready pods are not endpoints, unless publishNotReadyAddresses', () => {
    const plain = analyze({ 'p.yaml': pods, 's.yaml': svc({ name: 'db', ports: [{ port: 5432 }] }) });
    assert.deepEqual(endpoints(plain, 'default/db'), ['10.244.1.20:5432']);
    const publish = analyze({
      'p.yaml': pods,
      's.yaml': svc({ name: 'db', clusterIP: 'None', ports: [{ port: 5432 }], extra: 'publishNotReadyAddresses: true' }),
    });
    assert.deepEqual(endpoints(publish, 'default/db'), ['10.244.1.20:5432', '10.244.1.21:5432']);
    assert.deepEqual(
      service(publish, 'default/db').endpointsByPort[0]?.map((e) => e.ready),
      [true, false],
    );
  });

  it('a selectorless Service takes its endpoints from an Endpoints object, per named port', () => {
    const a = analyze({
      's.yaml': docs(
        svc({
          name: 'legacy',
          selector: null,
          ports: [
            { name: 'pg', port: 5432 },
            { name: 'metrics', port: 9187 },
          ],
        }),
        yaml`
          apiVersion: v1
          kind: Endpoints
          metadata: {name: legacy}
          subsets:
          - addresses: [{ip: 192.168.10.5}, {ip: 192.168.10.6}]
            notReadyAddresses: [{ip: 192.168.10.7}]
            ports: [{name: pg, port: 5432}, {name: metrics, port: 9187}]
        `,
      ),
    });
    assert.deepEqual(endpoints(a, 'default/legacy', 0), ['192.168.10.5:5432', '192.168.10.6:5432', '192.168.10.7:5432']);
    assert.deepEqual(endpoints(a, 'default/legacy', 1), ['192.168.10.5:9187', '192.168.10.6:9187', '192.168.10.7:9187']);
    assert.deepEqual(
      service(a, 'default/legacy')
        .endpointsByPort[0]?.filter((e) => !e.ready)
        .map((e) => e.ip),
      ['192.168.10.7'],
    );
    expectNoDiagnostic(a);
  });

  it('a selectorless Service takes its endpoints from EndpointSlices labelled with its name', () => {
    const a = analyze({
      's.yaml': docs(
        svc({ name: 'ext', namespace: 'shop', selector: null, ports: [{ name: 'https', port: 443 }] }),
        yaml`
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata:
            name: ext-1
            namespace: shop
            labels: {kubernetes.io/service-name: ext}
          addressType: IPv4
          ports: [{name: https, port: 8443, protocol: TCP}]
          endpoints:
          - addresses: [10.1.2.3]
          - addresses: [10.1.2.4]
            conditions: {ready: false}
        `,
      ),
    });
    assert.deepEqual(endpoints(a, 'shop/ext'), ['10.1.2.3:8443', '10.1.2.4:8443']);
    assert.deepEqual(
      service(a, 'shop/ext').endpointsByPort[0]?.map((e) => e.ready),
      [true, false],
    );
  });

  it('Endpoints objects are ignored for Services with a selector (the controller owns them)', () => {
    const a = analyze({
      's.yaml': docs(
        workload({ name: 'web', ports: [{ containerPort: 80 }] }),
        svc({ name: 'web' }),
        'apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets: [{addresses: [{ip: 1.2.3.4}], ports: [{port: 80}]}]\n',
      ),
    });
    assert.deepEqual(endpoints(a, 'default/web'), withPort(ipsOf(a, 'default/web'), 80));
  });
});

describe('services: externalTrafficPolicy', () => {
  it('Local with endpoints on some nodes only is external-traffic-local-imbalance at the field', () => {
    const text = docs(
      workload({ name: 'web', replicas: 1, ports: [{ containerPort: 80 }] }),
      svc({ name: 'web', type: 'NodePort', extra: 'externalTrafficPolicy: Local' }),
    );
    const a = analyze({ 'w.yaml': text });
    const d = expectDiagnostic(a, 'external-traffic-local-imbalance', 'w.yaml', lineOf(text, 'externalTrafficPolicy'), 26);
    assert.match(d.message, /2 of 3 nodes/);
  });

  it('Local with an endpoint on every node (a DaemonSet) is fine; so is Cluster', () => {
    const ds = docs(
      workload({ kind: 'DaemonSet', name: 'web', ports: [{ containerPort: 80 }] }),
      svc({ name: 'web', type: 'LoadBalancer', extra: 'externalTrafficPolicy: Local' }),
    );
    expectNoDiagnostic(analyze({ 'w.yaml': ds }), 'external-traffic-local-imbalance');
    const cluster = docs(
      workload({ name: 'web', ports: [{ containerPort: 80 }] }),
      svc({ name: 'web', type: 'NodePort', extra: 'externalTrafficPolicy: Cluster' }),
    );
    expectNoDiagnostic(analyze({ 'w.yaml': cluster }), 'external-traffic-local-imbalance');
  });
});

describe('services: implicit objects', () => {
  it("kubernetes and kube-dns exist, implicit, at 10.96.0.1 and 10.96.0.10, with kubeadm's ports", () => {
    const a = analyze({});
    const k = service(a, 'default/kubernetes');
    const dns = service(a, 'kube-system/kube-dns');
    assert.equal(k.origin.kind, 'implicit');
    assert.equal(dns.origin.kind, 'implicit');
    assert.deepEqual(
      k.ports.map((p) => `${p.name}:${p.port}/${p.protocol}->${p.targetPort}`),
      ['https:443/TCP->6443'],
    );
    assert.deepEqual(
      dns.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`),
      ['dns:53/UDP', 'dns-tcp:53/TCP', 'metrics:9153/TCP'],
    );
    assert.deepEqual(endpoints(a, 'default/kubernetes'), ['10.0.1.10:6443']);
  });

  it("CoreDNS pods (k8s-app=kube-dns, implicit) are kube-dns's endpoints on every port", () => {
    const a = analyze({});
    const core = a.cluster.pods.filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns');
    assert.equal(core.length, 2);
    for (const p of core) assert.equal(p.origin.kind, 'implicit');
    assert.deepEqual(
      endpoints(a, 'kube-system/kube-dns', 0),
      withPort(
        core.map((p) => p.ip ?? ''),
        53,
      ),
    );
    assert.deepEqual(
      endpoints(a, 'kube-system/kube-dns', 2),
      withPort(
        core.map((p) => p.ip ?? ''),
        9153,
      ),
    );
  });

  it('namespaces default and kube-system exist, and every namespace carries kubernetes.io/metadata.name', () => {
    const a = analyze({
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: a}\n',
      'w.yaml': workload({ name: 'x', namespace: 'undeclared' }),
    });
    assert.deepEqual([...a.cluster.namespaces.keys()].sort(), ['default', 'kube-system', 'shop', 'undeclared']);
    assert.deepEqual(a.cluster.namespaces.get('shop')?.labels, { team: 'a', 'kubernetes.io/metadata.name': 'shop' });
    assert.equal(a.cluster.namespaces.get('default')?.origin.kind, 'implicit');
    assert.equal(a.cluster.namespaces.get('undeclared')?.labels['kubernetes.io/metadata.name'], 'undeclared');
  });

  it('no diagnostic is ever reported on implicit objects', () => {
    const a = analyze({ 'w.yaml': svc({ name: 'x', selector: { app: 'nothing' } }) }, 'nodes:\n  - {name: solo, ip: 10.0.0.5}\n');
    assert.deepEqual(where(a, 'service-no-endpoints'), ['w.yaml:6:3']);
    for (const d of a.diagnostics) assert.notEqual(d.range.file, '', d.message);
  });

  it('a user kube-dns Service replaces the implicit one (and its CoreDNS pods)', () => {
    const own = svc({
      name: 'kube-dns',
      namespace: 'kube-system',
      selector: { 'k8s-app': 'kube-dns' },
      clusterIP: '10.96.0.10',
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    });
    const a = analyze({ 'dns.yaml': own });
    assert.equal(a.cluster.services.filter((s) => s.name === 'kube-dns').length, 1);
    assert.equal(service(a, 'kube-system/kube-dns').origin.kind, 'manifest');
  });
});
