import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, columnOf, docs, expectDiagnostic, expectNoDiagnostic, lineOf, workload, yaml } from '../helpers';
import { expectFixWorks, ns } from '../lintHelpers';

const app = docs(ns('x'), workload({ name: 'a', namespace: 'x', ports: [{ containerPort: 8080 }] }));

const denyEgress = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: deny
    namespace: x
  spec:
    podSelector: {}
    policyTypes:
      - Egress
`;

/** A policy with one DNS egress rule whose `to` and `ports` are given as YAML lines (indented under the rule). */
function dnsPolicy(to: string, ports = '- protocol: UDP\n  port: 53\n- protocol: TCP\n  port: 53'): string {
  const at = (n: number, text: string) =>
    text
      .split('\n')
      .map((l) => ' '.repeat(n) + l)
      .join('\n');
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    '  name: dns',
    '  namespace: x',
    'spec:',
    '  podSelector: {}',
    '  policyTypes:',
    '    - Egress',
    '  egress:',
    '    - to:',
    at(8, to),
    '      ports:',
    at(8, ports),
    '',
  ].join('\n');
}

const CORRECT_TO =
  '- namespaceSelector:\n    matchLabels:\n      kubernetes.io/metadata.name: kube-system\n  podSelector:\n    matchLabels:\n      k8s-app: kube-dns';

describe('lint: policy-blocks-dns quick fix', () => {
  it('adds a correct DNS egress rule to a policy without egress rules; the lookup is dropped before and allowed after', () => {
    const files = { 'app.yaml': app, 'p.yaml': denyEgress };
    const { after, files: fixed } = expectFixWorks(files, 'policy-blocks-dns', 'p.yaml', lineOf(denyEgress, 'policyTypes'), 3);
    expectNoDiagnostic(after, 'policy-blocks-dns');
    assert.match(fixed['p.yaml'] ?? '', /\n {2}egress:\n {4}- to:\n {8}- namespaceSelector:/, 'inserted at the indentation of spec');
  });

  it('inserts before the first rule of an existing egress list', () => {
    const p = dnsPolicy('- podSelector: {}', '- port: 8080');
    const files = { 'app.yaml': app, 'p.yaml': p };
    const { after } = expectFixWorks(files, 'policy-blocks-dns', 'p.yaml', lineOf(p, 'egress:'), 3);
    expectNoDiagnostic(after, 'policy-blocks-dns');
  });

  it('says how to check it on a live cluster', () => {
    const d = expectDiagnostic(
      analyze({ 'app.yaml': app, 'p.yaml': denyEgress }),
      'policy-blocks-dns',
      'p.yaml',
      lineOf(denyEgress, 'policyTypes'),
      3,
    );
    assert.match(d.verify?.[0] ?? '', /^kubectl exec a-\S+ -n x -- nslookup kubernetes\.default$/);
  });
});

describe('lint: policy-dns-rule-matches-nothing', () => {
  it('a pod label under namespaceSelector: reported at the namespaceSelector, fixed by a correct rule', () => {
    const p = dnsPolicy('- namespaceSelector:\n    matchLabels:\n      k8s-app: kube-dns');
    const files = { 'app.yaml': app, 'p.yaml': p };
    const d = expectDiagnostic(
      analyze(files),
      'policy-dns-rule-matches-nothing',
      'p.yaml',
      lineOf(p, 'namespaceSelector'),
      columnOf(p, 'namespaceSelector'),
    );
    assert.match(d.message, /puts the pod label k8s-app=kube-dns under namespaceSelector/);
    assert.equal(d.fixes?.[0]?.title, 'Replace with a correct DNS egress rule (kube-dns, UDP and TCP 53)');
    const { after } = expectFixWorks(files, 'policy-dns-rule-matches-nothing', 'p.yaml', d.range.line, d.range.column);
    expectNoDiagnostic(after, 'policy-dns-rule-matches-nothing');
    expectNoDiagnostic(after, 'policy-blocks-dns');
  });

  it('the wrong k8s-app value: reported at the podSelector', () => {
    const p = dnsPolicy(
      '- namespaceSelector:\n    matchLabels:\n      kubernetes.io/metadata.name: kube-system\n  podSelector:\n    matchLabels:\n      k8s-app: coredns',
    );
    const d = expectDiagnostic(
      analyze({ 'app.yaml': app, 'p.yaml': p }),
      'policy-dns-rule-matches-nothing',
      'p.yaml',
      lineOf(p, 'podSelector:', 1),
      columnOf(p, 'podSelector:', 1),
    );
    assert.match(d.message, /podSelector \(k8s-app=coredns\) that matches no CoreDNS pod \(they are labelled k8s-app=kube-dns\)/);
    expectFixWorks({ 'app.yaml': app, 'p.yaml': p }, 'policy-dns-rule-matches-nothing', 'p.yaml', d.range.line, d.range.column);
  });

  it("no namespaceSelector: the podSelector looks in the policy's own namespace", () => {
    const p = dnsPolicy('- podSelector:\n    matchLabels:\n      k8s-app: kube-dns');
    const d = expectDiagnostic(
      analyze({ 'app.yaml': app, 'p.yaml': p }),
      'policy-dns-rule-matches-nothing',
      'p.yaml',
      lineOf(p, 'podSelector:', 1),
      columnOf(p, 'podSelector:', 1),
    );
    assert.match(d.message, /has no namespaceSelector, so its podSelector looks for CoreDNS in namespace x/);
  });

  it('the kube-dns ClusterIP as an ipBlock: policy sees the pods after DNAT', () => {
    const p = dnsPolicy('- ipBlock:\n    cidr: 10.96.0.10/32');
    const d = expectDiagnostic(
      analyze({ 'app.yaml': app, 'p.yaml': p }),
      'policy-dns-rule-matches-nothing',
      'p.yaml',
      lineOf(p, '10.96.0.10/32'),
      columnOf(p, '10.96.0.10/32'),
    );
    assert.match(d.message, /the kube-dns Service address, but NetworkPolicy sees DNS traffic after kube-proxy's DNAT/);
    expectNoDiagnostic(analyze({ 'app.yaml': app, 'p.yaml': p }), 'ipblock-covers-cluster-cidr');
  });

  it("UDP only: reported at the ports, fixed by adding TCP 53 at the list's indentation", () => {
    const p = dnsPolicy(CORRECT_TO, '- protocol: UDP\n  port: 53');
    const files = { 'app.yaml': app, 'p.yaml': p };
    const d = expectDiagnostic(analyze(files), 'policy-dns-rule-matches-nothing', 'p.yaml', lineOf(p, 'ports:'), columnOf(p, 'ports:'));
    assert.match(d.message, /admits UDP 53 but not TCP 53, so lookups from Deployment x\/a whose answers do not fit in UDP/);
    const { files: fixed, after } = expectFixWorks(files, 'policy-dns-rule-matches-nothing', 'p.yaml', d.range.line, d.range.column);
    assert.match(fixed['p.yaml'] ?? '', /ports:\n {8}- protocol: TCP\n {10}port: 53\n {8}- protocol: UDP/);
    expectNoDiagnostic(after, 'policy-blocks-dns');
  });

  it('stays quiet for a correct rule, a rule for an in-house DNS server, and a redundant rule when DNS works anyway', () => {
    const ok = analyze({ 'app.yaml': app, 'p.yaml': dnsPolicy(CORRECT_TO) });
    expectNoDiagnostic(ok, 'policy-dns-rule-matches-nothing');
    expectNoDiagnostic(ok, 'policy-blocks-dns');
    const own = docs(
      app,
      workload({ name: 'dnsmasq', namespace: 'x', ports: [{ containerPort: 53, protocol: 'UDP' }, { containerPort: 53 }] }),
    );
    expectNoDiagnostic(
      analyze({ 'app.yaml': own, 'p.yaml': dnsPolicy('- podSelector:\n    matchLabels:\n      app: dnsmasq') }),
      'policy-dns-rule-matches-nothing',
    );
    const broken = dnsPolicy('- podSelector:\n    matchLabels:\n      k8s-app: kube-dns').replace('name: dns', 'name: dns-broken');
    expectNoDiagnostic(analyze({ 'app.yaml': app, 'p.yaml': docs(dnsPolicy(CORRECT_TO), broken) }), 'policy-dns-rule-matches-nothing');
  });
});
