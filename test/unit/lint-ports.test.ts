import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, columnOf, docs, expectDiagnostic, expectNoDiagnostic, lineOf, svc, workload, yaml } from '../helpers';
import { expectFixWorks } from '../lintHelpers';

/** web serves http (8080) behind Service web port 80; client calls it. */
const world = docs(
  workload({
    name: 'web',
    namespace: 'x',
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'metrics', containerPort: 9090, protocol: 'UDP' },
    ],
  }),
  svc({ name: 'web', namespace: 'x', ports: [{ port: 80, targetPort: 'http' }] }),
  workload({ name: 'client', namespace: 'x' }),
);

const ingress = (port: string) => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: web
    namespace: x
  spec:
    podSelector:
      matchLabels:
        app: web
    ingress:
      - from:
          - podSelector:
              matchLabels:
                app: client
        ports:
          - port: ${port}
`;

const egress = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: client
    namespace: x
  spec:
    podSelector:
      matchLabels:
        app: client
    policyTypes:
      - Egress
    egress:
      - to:
          - podSelector:
              matchLabels:
                app: web
        ports:
          - port: 80
`;

describe('lint: policy-port-is-service-port', () => {
  it('an ingress rule on the Service port 80: at the port, replaced by the targetPort; the client gets in after the fix', () => {
    const p = ingress('80');
    const files = { 'app.yaml': world, 'p.yaml': p };
    const d = expectDiagnostic(analyze(files), 'policy-port-is-service-port', 'p.yaml', lineOf(p, 'port: 80'), columnOf(p, '80'));
    assert.match(
      d.message,
      /Port 80 is the port of Service x\/web, but NetworkPolicy sees its traffic after kube-proxy's DNAT, on the pods' targetPort 8080 \("http"\)/,
    );
    assert.deepEqual(d.verify, ['kubectl describe svc web -n x', 'kubectl get endpoints web -n x']);
    const { files: fixed } = expectFixWorks(files, 'policy-port-is-service-port', 'p.yaml', d.range.line, d.range.column);
    assert.match(fixed['p.yaml'] ?? '', /- port: http\n/);
  });

  it('an egress rule towards the Service port: the destination is the peer pods', () => {
    const files = { 'app.yaml': world, 'p.yaml': egress };
    const d = expectDiagnostic(analyze(files), 'policy-port-is-service-port', 'p.yaml', lineOf(egress, 'port: 80'), columnOf(egress, '80'));
    expectFixWorks(files, 'policy-port-is-service-port', 'p.yaml', d.range.line, d.range.column);
  });

  it('stays quiet on the targetPort, by number or by name', () => {
    for (const port of ['8080', 'http']) {
      const a = analyze({ 'app.yaml': world, 'p.yaml': ingress(port) });
      expectNoDiagnostic(a, 'policy-port-is-service-port');
      expectNoDiagnostic(a, 'policy-named-port-missing');
    }
  });
});

describe('lint: policy-named-port-missing', () => {
  it('a port name one letter off: at the port, corrected by the fix', () => {
    const p = ingress('htp');
    const files = { 'app.yaml': world, 'p.yaml': p };
    const d = expectDiagnostic(analyze(files), 'policy-named-port-missing', 'p.yaml', lineOf(p, 'port: htp'), columnOf(p, 'htp'));
    assert.match(
      d.message,
      /Port name "htp" \(TCP\) is not the name of a TCP container port of the pods this policy selects \(Deployment x\/web\); they name http, so this entry admits nothing\. Did you mean "http"\?/,
    );
    expectFixWorks(files, 'policy-named-port-missing', 'p.yaml', d.range.line, d.range.column);
  });

  it('a name the pods declare with another protocol', () => {
    const p = ingress('metrics');
    const d = expectDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': p }),
      'policy-named-port-missing',
      'p.yaml',
      lineOf(p, 'port: metrics'),
      columnOf(p, 'metrics'),
    );
    assert.match(d.message, /is declared by the pods this policy selects \(Deployment x\/web\) as UDP, not TCP.*Set protocol: UDP here\./);
    assert.equal(d.fixes, undefined);
  });
});
