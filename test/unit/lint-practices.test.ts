import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, columnOf, docs, expectDiagnostic, expectNoDiagnostic, lineOf, svc, where, workload, yaml } from '../helpers';
import { applyFix } from '../lintHelpers';

const ROOT = join(__dirname, '..', '..');

describe('lint: hardcoded-ip', () => {
  const api = docs(
    workload({ name: 'api', namespace: 'x', ports: [{ containerPort: 9000 }] }),
    svc({ name: 'api', namespace: 'x', clusterIP: '10.96.5.5', ports: [{ port: 9000 }] }),
  );

  it("a Service's ClusterIP in an env value: at the address, replaced by the Service's name", () => {
    const c = workload({ name: 'client', namespace: 'x', env: { API: 'http://10.96.5.5:9000/v1' } });
    const files = { 'api.yaml': api, 'c.yaml': c };
    const d = expectDiagnostic(analyze(files), 'hardcoded-ip', 'c.yaml', lineOf(c, '10.96.5.5'), columnOf(c, '10.96.5.5'));
    assert.equal(d.range.endColumn - d.range.column, '10.96.5.5'.length);
    assert.match(
      d.message,
      /10\.96\.5\.5 is the ClusterIP of Service x\/api; ClusterIPs are allocated .* Use the Service's DNS name api instead\./,
    );
    const after = analyze(applyFix(files, d));
    expectNoDiagnostic(after, 'hardcoded-ip');
    assert.equal(after.references.find((r) => r.ref.host === 'api')?.service?.name, 'api', 'the name resolves to the same Service');
  });

  it('a pod address in a ConfigMap', () => {
    const cm = yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cfg
        namespace: x
      data:
        UPSTREAM: "10.244.2.17:9000"
    `;
    const d = expectDiagnostic(analyze({ 'cm.yaml': cm }), 'hardcoded-ip', 'cm.yaml', 7, columnOf(cm, '10.244'));
    assert.match(d.message, /inside the pod CIDR 10\.244\.0\.0\/16 \(a pod address\); pod addresses change/);
  });

  it('stays quiet for addresses outside the cluster, loopback, and CIDRs', () => {
    const c = workload({
      name: 'client',
      namespace: 'x',
      env: { DB: 'postgres://192.168.10.4:5432/app', NO_PROXY: '10.96.0.0/12,10.244.0.0/16', LOCAL: 'http://127.0.0.1:9000' },
    });
    expectNoDiagnostic(analyze({ 'c.yaml': c }), 'hardcoded-ip');
  });
});

describe('lint: localhost-port-unbound', () => {
  it('localhost:PORT that no container of the pod declares or binds: at the reference', () => {
    const w = workload({ name: 'app', namespace: 'x', ports: [{ containerPort: 8080 }], env: { CACHE: 'localhost:6379' } });
    const d = expectDiagnostic(
      analyze({ 'w.yaml': w }),
      'localhost-port-unbound',
      'w.yaml',
      lineOf(w, 'localhost'),
      columnOf(w, 'localhost'),
    );
    assert.match(
      d.message,
      /localhost:6379 reaches port 6379 of this pod itself .* no container of Deployment x\/app declares or binds it \(its containers declare 8080\/TCP\)/,
    );
  });

  it('stays quiet when a container declares the port, when the configuration binds it, and for pods that declare no ports', () => {
    expectNoDiagnostic(
      analyze({
        'w.yaml': workload({
          name: 'app',
          namespace: 'x',
          ports: [{ containerPort: 8080 }],
          env: { SELF: 'http://localhost:8080/health' },
        }),
      }),
      'localhost-port-unbound',
    );
    const proxy = yaml`
      apiVersion: v1
      kind: Pod
      metadata:
        name: manager
        namespace: x
      spec:
        containers:
          - name: manager
            image: example/manager
            args: ["--metrics-bind-address=127.0.0.1:8080"]
          - name: kube-rbac-proxy
            image: example/proxy
            args: ["--upstream=http://127.0.0.1:8080/"]
            ports:
              - containerPort: 8443
    `;
    expectNoDiagnostic(analyze({ 'p.yaml': proxy }), 'localhost-port-unbound');
    expectNoDiagnostic(
      analyze({ 'w.yaml': workload({ name: 'app', namespace: 'x', env: { CACHE: 'localhost:6379' } }) }),
      'localhost-port-unbound',
    );
  });
});

describe('lint: prefer-ingress', () => {
  const lb = (name: string, port: number) =>
    docs(
      workload({ name, namespace: 'x', ports: [{ containerPort: 8080 }] }),
      svc({ name, namespace: 'x', type: 'LoadBalancer', ports: [{ port, targetPort: 8080 }] }),
    );

  it('several HTTP LoadBalancers: one info, at the first one applied, pointing at the others', () => {
    const files = { 'a.yaml': lb('shop', 80), 'b.yaml': lb('admin', 443), 'c.yaml': lb('api', 8080) };
    const a = analyze(files);
    const d = expectDiagnostic(a, 'prefer-ingress', 'a.yaml', lineOf(files['a.yaml'], 'type: LoadBalancer'), 9);
    assert.equal(d.severity, 'info');
    assert.match(d.message, /3 LoadBalancer Services serve HTTP \(x\/admin, x\/api, x\/shop\)/);
    assert.deepEqual(
      d.related?.map((r) => r.location.file),
      ['b.yaml', 'c.yaml'],
    );
    assert.equal(where(a, 'prefer-ingress').length, 1, 'said once, not once per Service');
  });

  it('stays quiet for one LoadBalancer, and for LoadBalancers that do not serve HTTP', () => {
    expectNoDiagnostic(analyze({ 'a.yaml': lb('shop', 80) }), 'prefer-ingress');
    expectNoDiagnostic(analyze({ 'a.yaml': lb('shop', 80), 'b.yaml': lb('postgres', 5432) }), 'prefer-ingress');
  });
});

describe('lint: missing-readiness-probe', () => {
  it('a container behind a NodePort Service without a readinessProbe: an info at its name', () => {
    const w = docs(
      workload({ name: 'web', namespace: 'x', ports: [{ containerPort: 8080 }] }),
      svc({ name: 'web', namespace: 'x', type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] }),
    );
    const d = expectDiagnostic(
      analyze({ 'w.yaml': w }),
      'missing-readiness-probe',
      'w.yaml',
      lineOf(w, '- name: main'),
      columnOf(w, 'main'),
    );
    assert.equal(d.severity, 'info');
    assert.match(d.message, /Container main of Deployment x\/web has no readinessProbe, so NodePort Service x\/web sends it requests/);
    assert.deepEqual(d.verify, ['kubectl get endpoints web -n x']);
  });

  it('applies behind a ClusterIP Service too, as kube-linter does', () => {
    const w = docs(
      workload({ name: 'api', namespace: 'x', ports: [{ containerPort: 8080 }] }),
      svc({ name: 'api', namespace: 'x', ports: [{ port: 80, targetPort: 8080 }] }),
    );
    const d = expectDiagnostic(
      analyze({ 'w.yaml': w }),
      'missing-readiness-probe',
      'w.yaml',
      lineOf(w, '- name: main'),
      columnOf(w, 'main'),
    );
    assert.equal(d.severity, 'info');
    assert.match(d.message, /Container main of Deployment x\/api has no readinessProbe, so Service x\/api sends it requests/);
    // A pod no Service selects gets no traffic to be early for.
    expectNoDiagnostic(analyze({ 'w.yaml': workload({ name: 'batch', namespace: 'x', ports: [{ containerPort: 8080 }] }) }));
  });

  it('stays quiet with a readinessProbe', () => {
    const probed = workload({ name: 'web', namespace: 'x', ports: [{ name: 'http', containerPort: 8080 }] }).replace(
      '        ports:\n',
      '        readinessProbe:\n          httpGet: {path: /ready, port: http}\n        ports:\n',
    );
    expectNoDiagnostic(
      analyze({ 'w.yaml': docs(probed, svc({ name: 'web', namespace: 'x', type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] })) }),
    );
    expectNoDiagnostic(analyze({ 'w.yaml': docs(probed, svc({ name: 'web', namespace: 'x', ports: [{ port: 80, targetPort: 8080 }] })) }));
  });
});

describe('lint: probe-port-not-exposed', () => {
  const probed = (port: string) =>
    workload({ name: 'web', namespace: 'x', ports: [{ name: 'http', containerPort: 8080 }] }).replace(
      '        ports:\n',
      `        livenessProbe:\n          httpGet:\n            path: /healthz\n            port: ${port}\n        ports:\n`,
    );

  it('a port name the container does not declare: a warning at the port, corrected by the fix', () => {
    const w = probed('htttp');
    const files = { 'w.yaml': w };
    const d = expectDiagnostic(analyze(files), 'probe-port-not-exposed', 'w.yaml', lineOf(w, 'port: htttp'), columnOf(w, 'htttp'));
    assert.equal(d.severity, 'warning');
    assert.match(
      d.message,
      /The livenessProbe of container main probes port "htttp", which container main does not declare \(it names http\): kubelet cannot resolve the name, so the probe fails and the container is restarted over and over\. Did you mean "http"\?/,
    );
    expectNoDiagnostic(analyze(applyFix(files, d)), 'probe-port-not-exposed');
  });

  it('a number the container does not declare: an info', () => {
    const w = probed('8081');
    const d = expectDiagnostic(analyze({ 'w.yaml': w }), 'probe-port-not-exposed', 'w.yaml', lineOf(w, 'port: 8081'), columnOf(w, '8081'));
    assert.equal(d.severity, 'info');
  });

  it('stays quiet for a declared name or number', () => {
    expectNoDiagnostic(analyze({ 'w.yaml': probed('http') }), 'probe-port-not-exposed');
    expectNoDiagnostic(analyze({ 'w.yaml': probed('8080') }), 'probe-port-not-exposed');
  });
});

describe('lint: the sample workspace', () => {
  it('examples/shop gets only what is worth showing: its two real problems and readiness probes for the two workloads the Ingress exposes', () => {
    const dir = join(ROOT, 'examples', 'shop');
    const files = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => [`examples/shop/${f}`, readFileSync(join(dir, f), 'utf8')]),
    );
    const a = analyze(files);
    assert.deepEqual(
      a.diagnostics.map((d) => `${d.severity} ${d.code} ${d.range.file}`),
      [
        'info missing-readiness-probe examples/shop/backend.yaml',
        'warning connection-blocked-by-policy examples/shop/backend.yaml',
        'info missing-readiness-probe examples/shop/frontend.yaml',
        'error dns-name-unresolved examples/shop/frontend.yaml',
      ],
    );
  });
});
