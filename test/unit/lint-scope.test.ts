import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, columnOf, docs, expectDiagnostic, expectNoDiagnostic, lineOf, workload, yaml } from '../helpers';
import { np, ns } from '../lintHelpers';

const world = docs(
  ns('x'),
  workload({ name: 'web', namespace: 'x', ports: [{ containerPort: 8080 }] }),
  workload({ name: 'api', namespace: 'x', ports: [{ containerPort: 9000 }] }),
);

const ipPolicy = (cidr: string, except = '') => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: web
    namespace: x
  spec:
    podSelector: {}
    ingress:
      - from:
          - ipBlock:
              cidr: ${cidr}${except ? `\n              except: [${except}]` : ''}
`;

describe('lint: ipblock-covers-cluster-cidr', () => {
  it('a block inside the pod CIDR: a warning at the cidr that says what the CNI does and what was simulated', () => {
    const p = ipPolicy('10.244.1.0/24');
    const d = expectDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': p }),
      'ipblock-covers-cluster-cidr',
      'p.yaml',
      lineOf(p, 'cidr:'),
      columnOf(p, '10.244.1.0/24'),
    );
    assert.equal(d.severity, 'warning');
    assert.match(
      d.message,
      /covers the pod CIDR 10\.244\.0\.0\/16\. .*Calico matches pod addresses against ipBlocks.*kube-netsim simulates the API's reading for calico.*Select the pods with podSelector and namespaceSelector instead/,
    );
    const cilium = expectDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': p }, { cni: 'cilium' }),
      'ipblock-covers-cluster-cidr',
      'p.yaml',
      d.range.line,
      d.range.column,
    );
    assert.match(cilium.message, /Cilium matches ipBlocks only against addresses outside the cluster/);
  });

  it('a ClusterIP: never matches, since policy applies after DNAT', () => {
    const p = ipPolicy('10.96.0.0/12');
    const d = expectDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': p }),
      'ipblock-covers-cluster-cidr',
      'p.yaml',
      lineOf(p, 'cidr:'),
      columnOf(p, '10.96.0.0/12'),
    );
    assert.match(d.message, /the Service CIDR 10\.96\.0\.0\/12\. Service ClusterIPs never match/);
  });

  it('0.0.0.0/0 is only an info; with the cluster ranges excepted it is quiet', () => {
    const wide = ipPolicy('0.0.0.0/0');
    const d = expectDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': wide }),
      'ipblock-covers-cluster-cidr',
      'p.yaml',
      lineOf(wide, 'cidr:'),
      columnOf(wide, '0.0.0.0/0'),
    );
    assert.equal(d.severity, 'info');
    assert.match(d.message, /add pod and Service CIDR to except|add .* to except/);
    expectNoDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': ipPolicy('0.0.0.0/0', '10.244.0.0/16, 10.96.0.0/12') }),
      'ipblock-covers-cluster-cidr',
    );
    expectNoDiagnostic(analyze({ 'app.yaml': world, 'p.yaml': ipPolicy('203.0.113.0/24') }), 'ipblock-covers-cluster-cidr');
  });
});

describe('lint: policy-type-drops-rules', () => {
  it('egress rules under policyTypes [Ingress]: at spec.egress, pointing at policyTypes', () => {
    const p = np('web', 'x', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ podSelector: {} }] }] });
    const d = expectDiagnostic(analyze({ 'app.yaml': world, 'p.yaml': p }), 'policy-type-drops-rules', 'p.yaml', lineOf(p, 'egress:'), 3);
    assert.match(d.message, /lists egress rules, but its policyTypes \(\[Ingress\]\) leaves out Egress, so the API ignores them/);
    assert.equal(d.related?.[0]?.location.line, lineOf(p, 'policyTypes'));
  });

  it('stays quiet when policyTypes names the direction, or is left to its default', () => {
    expectNoDiagnostic(
      analyze({
        'app.yaml': world,
        'p.yaml': np('web', 'x', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ podSelector: {} }] }] }),
      }),
      'policy-type-drops-rules',
    );
    expectNoDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': np('web', 'x', { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] }) }),
      'policy-type-drops-rules',
    );
  });
});

describe('lint: pod-unprotected and namespace-no-default-deny (infos)', () => {
  const onlyWeb = np('web', 'x', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }] }] });

  it('a workload no policy isolates, in a namespace with policies: at its template labels', () => {
    const a = analyze({ 'app.yaml': world, 'p.yaml': onlyWeb });
    const d = expectDiagnostic(a, 'pod-unprotected', 'app.yaml', lineOf(world, 'labels:', 1), columnOf(world, 'labels:', 1));
    assert.equal(d.severity, 'info');
    assert.match(d.message, /No NetworkPolicy selects the pods of Deployment x\/api, though namespace x has NetworkPolicy web/);
    assert.equal(a.diagnostics.filter((x) => x.code === 'pod-unprotected').length, 1, 'web is protected');
  });

  it('a Namespace manifest without a default-deny: at its name', () => {
    const d = expectDiagnostic(analyze({ 'app.yaml': world, 'p.yaml': onlyWeb }), 'namespace-no-default-deny', 'app.yaml', 4, 9);
    assert.equal(d.severity, 'info');
    assert.match(
      d.message,
      /Namespace x has no default-deny NetworkPolicy, so its pods that no policy selects \(Deployment x\/api\) and every pod added later accept connections/,
    );
  });

  it('a default-deny quiets both; implicit namespaces (default) are never reported', () => {
    const deny = np('deny', 'x', { podSelector: {}, policyTypes: ['Ingress'] });
    const a = analyze({ 'app.yaml': world, 'p.yaml': docs(onlyWeb, deny) });
    expectNoDiagnostic(a, 'pod-unprotected');
    expectNoDiagnostic(a, 'namespace-no-default-deny');
    expectNoDiagnostic(analyze({ 'app.yaml': workload({ name: 'web', ports: [{ containerPort: 80 }] }) }));
  });
});

describe('lint: policy-not-enforced', () => {
  it('with Flannel, every policy is reported at its name, saying what stays open', () => {
    const p = np('web', 'x', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    const d = expectDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': p }, { cni: 'flannel' }),
      'policy-not-enforced',
      'p.yaml',
      lineOf(p, 'name: web'),
      9,
    );
    assert.match(d.message, /The cluster's CNI, flannel, does not implement NetworkPolicy: .* Deployment x\/web stays open to all traffic/);
  });

  it('is quiet with a CNI that enforces policy', () => {
    for (const cni of ['calico', 'canal', 'cilium', 'weave'] as const) {
      expectNoDiagnostic(
        analyze({ 'app.yaml': world, 'p.yaml': np('web', 'x', { podSelector: {}, policyTypes: ['Ingress'] }) }, { cni }),
        'policy-not-enforced',
      );
    }
  });
});
