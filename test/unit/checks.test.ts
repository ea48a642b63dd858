import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze,
  columnOf,
  docs,
  expectDiagnostic,
  expectNoDiagnostic,
  lineOf,
  svc,
  where,
  withoutProbes,
  workload,
  yaml,
} from '../helpers';

const backend = docs(
  workload({ name: 'backend', namespace: 'shop', ports: [{ name: 'http', containerPort: 8080 }] }),
  svc({ name: 'backend', namespace: 'shop', ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }),
);
const client = (namespace: string, env: Record<string, string>, podSpec?: string) =>
  workload({ name: 'client', namespace, env, ...(podSpec ? { podSpec } : {}) });

describe('checks: dns-name-unresolved', () => {
  it('a bare Service name from another namespace, at the env value, with the namespace hint', () => {
    const text = client('web', { BACKEND_URL: 'http://backend:8080/api' });
    const a = analyze({ 'shop.yaml': backend, 'web.yaml': text });
    const d = expectDiagnostic(a, 'dns-name-unresolved', 'web.yaml', lineOf(text, 'http://backend'), columnOf(text, 'http://backend'));
    assert.equal(d.severity, 'error');
    assert.match(d.message, /^backend does not resolve from pod web\/client-/);
    assert.match(d.message, /tried backend\.web\.svc\.cluster\.local, backend\.svc\.cluster\.local, backend\.cluster\.local, backend/);
    assert.match(d.message, /Service backend exists in namespace shop; from namespace web use backend\.shop/);
  });

  it('the same reference qualified with the namespace is fine', () => {
    for (const url of [
      'http://backend.shop:8080',
      'http://backend.shop.svc:8080',
      'http://backend.shop.svc.cluster.local:8080/x',
      'backend.shop:8080',
    ]) {
      expectNoDiagnostic(withoutProbes(analyze({ 'shop.yaml': backend, 'web.yaml': client('web', { URL: url }) })));
    }
  });

  it("a typo gets a did-you-mean from the pod's namespace", () => {
    const a = analyze({ 'shop.yaml': backend, 'c.yaml': client('shop', { URL: 'http://bakend:8080' }) });
    assert.match(a.diagnostics.find((d) => d.code === 'dns-name-unresolved')?.message ?? '', /Did you mean backend\?/);
  });

  it('args and command are checked like env values', () => {
    const text = workload({ name: 'client', namespace: 'shop', podSpec: '' }).replace(
      '  image: example/client',
      '  image: example/client\n        args: ["--upstream", "http://missing:80"]',
    );
    const a = analyze({ 'c.yaml': text });
    expectDiagnostic(a, 'dns-name-unresolved', 'c.yaml', lineOf(text, 'args'), columnOf(text, '"http://missing') + 1);
  });

  it("ConfigMap values are resolved from the ConfigMap's namespace", () => {
    const cm = yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: app-config
        namespace: web
      data:
        API: http://backend:8080
        OK: http://backend.shop:8080
        NGINX: |
          upstream api { server nowhere:8080; }
    `;
    const a = analyze({ 'shop.yaml': backend, 'cm.yaml': cm });
    assert.deepEqual(where(a, 'dns-name-unresolved'), ['cm.yaml:7:8', 'cm.yaml:10:5']);
    assert.match(a.diagnostics[0]?.message ?? '', /from namespace web/);
  });

  it('names outside the cluster, localhost and IPs are not reported', () => {
    const a = analyze({
      'c.yaml': client('web', {
        A: 'https://api.stripe.com/v1',
        B: 'http://localhost:9090',
        C: '10.1.2.3:5432',
        D: 'smtp://mail.corp.internal',
      }),
    });
    expectNoDiagnostic(a);
  });

  it('a pod that does not use cluster DNS is told why', () => {
    const a = analyze({ 'shop.yaml': backend, 'c.yaml': client('shop', { URL: 'http://backend:8080' }, 'dnsPolicy: Default') });
    assert.match(a.diagnostics.find((d) => d.code === 'dns-name-unresolved')?.message ?? '', /does not resolve|dnsPolicy is Default/);
    const host = analyze({ 'shop.yaml': backend, 'c.yaml': client('shop', { URL: 'http://nothing-here:8080' }, 'hostNetwork: true') });
    assert.match(host.diagnostics.find((d) => d.code === 'dns-name-unresolved')?.message ?? '', /ClusterFirstWithHostNet/);
  });

  it('is reported once per workload, not once per replica', () => {
    const a = analyze({ 'c.yaml': workload({ name: 'client', replicas: 5, env: { URL: 'http://missing:80' } }) });
    assert.equal(where(a, 'dns-name-unresolved').length, 1);
  });
});

describe('checks: service-port-mismatch', () => {
  it('http://backend defaults to port 80, which a Service on 8080 does not expose', () => {
    const text = client('shop', { URL: 'http://backend/api' });
    const a = analyze({ 'shop.yaml': backend, 'c.yaml': text });
    const d = expectDiagnostic(a, 'service-port-mismatch', 'c.yaml', lineOf(text, 'http://backend'), columnOf(text, 'http://backend'));
    assert.match(
      d.message,
      /backend \(http defaults to port 80\) resolves to Service shop\/backend, which does not expose port 80 \(it exposes 8080 \(http\)\)/,
    );
  });

  it('an explicit port the Service does not expose', () => {
    const a = analyze({ 'shop.yaml': backend, 'c.yaml': client('web', { URL: 'backend.shop:9999' }) });
    assert.match(
      a.diagnostics.find((d) => d.code === 'service-port-mismatch')?.message ?? '',
      /backend\.shop:9999 resolves to Service shop\/backend/,
    );
  });

  it('the right port, the container port of a headless Service, or an ExternalName are fine', () => {
    const db = docs(
      workload({ kind: 'StatefulSet', name: 'db', namespace: 'shop', spec: 'serviceName: db', ports: [{ containerPort: 5432 }] }),
      svc({ name: 'db', namespace: 'shop', clusterIP: 'None', ports: [{ port: 5432 }] }),
    );
    const ext = svc({
      name: 'ext',
      namespace: 'shop',
      type: 'ExternalName',
      selector: null,
      ports: [],
      extra: 'externalName: api.partner.com',
    });
    const a = analyze({
      'shop.yaml': docs(backend, db, ext),
      'c.yaml': client('shop', { A: 'http://backend:8080', B: 'postgres://db-0.db:5432/x', C: 'https://ext/path' }),
    });
    expectNoDiagnostic(withoutProbes(a));
  });
});
