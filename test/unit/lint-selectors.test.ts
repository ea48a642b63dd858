import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, columnOf, docs, expectDiagnostic, expectNoDiagnostic, lineOf, svc, workload, yaml } from '../helpers';
import { expectFixWorks, ns } from '../lintHelpers';
import { nearMiss, oneTypoAway } from '../../src/engine/lint/selectors';

/** Namespaces x (team=red) and y (team=blue); web in x serving 8080; client in y; frontend in x. */
const world = docs(
  ns('x', { team: 'red' }),
  ns('y', { team: 'blue' }),
  workload({ name: 'web', namespace: 'x', ports: [{ name: 'http', containerPort: 8080 }] }),
  workload({ name: 'frontend', namespace: 'x' }),
  workload({ name: 'client', namespace: 'y' }),
);

const webPolicy = (from: string) =>
  yaml`
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
` +
  from
    .split('\n')
    .map((l) => '      ' + l)
    .join('\n') +
  '\n';

describe('lint: namespace-label-missing', () => {
  const p = webPolicy('- namespaceSelector:\n    matchLabels:\n      name: y');

  it('a namespaceSelector on `name`, which no namespace carries: at the key, fixed to kubernetes.io/metadata.name', () => {
    const files = { 'app.yaml': world, 'p.yaml': p };
    const d = expectDiagnostic(analyze(files), 'namespace-label-missing', 'p.yaml', lineOf(p, 'name: y'), columnOf(p, 'name: y'));
    assert.match(d.message, /No namespace carries the label name=y \(the namespaces here carry kubernetes\.io\/metadata\.name, team\)/);
    assert.deepEqual(d.verify, ['kubectl get namespaces --show-labels']);
    const { files: fixed, after } = expectFixWorks(files, 'namespace-label-missing', 'p.yaml', d.range.line, d.range.column);
    assert.match(fixed['p.yaml'] ?? '', /\n {12}kubernetes\.io\/metadata\.name: y\n/);
    expectNoDiagnostic(after, 'namespace-label-missing');
  });

  it('stays quiet for kubernetes.io/metadata.name and for a label some namespace carries', () => {
    expectNoDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': webPolicy('- namespaceSelector:\n    matchLabels:\n      kubernetes.io/metadata.name: y') }),
      'namespace-label-missing',
    );
    expectNoDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': webPolicy('- namespaceSelector:\n    matchLabels:\n      team: green') }),
      'namespace-label-missing',
    );
  });
});

describe('lint: selector-near-miss', () => {
  it('a peer podSelector one letter off: at the value, fixed, and the pair it admits after the fix', () => {
    const p = webPolicy('- podSelector:\n    matchLabels:\n      app: frontedn');
    const files = { 'app.yaml': world, 'p.yaml': p };
    const d = expectDiagnostic(analyze(files), 'selector-near-miss', 'p.yaml', lineOf(p, 'frontedn'), columnOf(p, 'frontedn'));
    assert.match(
      d.message,
      /This peer's podSelector matches no pod, but pod x\/frontend-\S+ has app=frontend, one edit away from app=frontedn\. Did you mean app=frontend\?/,
    );
    expectFixWorks(files, 'selector-near-miss', 'p.yaml', d.range.line, d.range.column);
  });

  it("a policy's podSelector with a typo in the key: at the key, fixed", () => {
    const p = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: deny-web
        namespace: x
      spec:
        podSelector:
          matchLabels:
            ap: web
        policyTypes:
          - Ingress
    `;
    const files = { 'app.yaml': world, 'p.yaml': p };
    const d = expectDiagnostic(analyze(files), 'selector-near-miss', 'p.yaml', lineOf(p, 'ap: web'), columnOf(p, 'ap: web'));
    assert.match(d.message, /has app=web, one edit away from ap=web/);
    expectFixWorks(files, 'selector-near-miss', 'p.yaml', d.range.line, d.range.column);
  });

  it('a namespaceSelector value one letter off', () => {
    const p = webPolicy('- namespaceSelector:\n    matchLabels:\n      team: bleu');
    const files = { 'app.yaml': world, 'p.yaml': p };
    const d = expectDiagnostic(analyze(files), 'selector-near-miss', 'p.yaml', lineOf(p, 'bleu'), columnOf(p, 'bleu'));
    assert.match(d.message, /namespace y has team=blue/);
    expectNoDiagnostic(analyze(files), 'namespace-label-missing');
    expectFixWorks(files, 'selector-near-miss', 'p.yaml', d.range.line, d.range.column);
  });

  it("a Service's selector: at the value, with how many pods it would select", () => {
    const s = svc({ name: 'web', namespace: 'x', selector: { app: 'wbe' }, ports: [{ port: 80, targetPort: 'http' }] });
    const files = { 'app.yaml': world, 's.yaml': s };
    const d = expectDiagnostic(analyze(files), 'selector-near-miss', 's.yaml', lineOf(s, 'app: wbe'), columnOf(s, 'wbe'));
    assert.match(d.message, /Service x\/web matches no pod.*With it the Service would have 1 endpoint pod\./);
    const { after } = expectFixWorks(files, 'selector-near-miss', 's.yaml', d.range.line, d.range.column, { example: false });
    expectNoDiagnostic(after, 'service-no-endpoints');
  });

  it("a workload's selector against its own template", () => {
    const w = workload({ name: 'api', namespace: 'x', labels: { app: 'api' } }).replace(
      /selector:\n(\s+)matchLabels:\n(\s+)app: api/,
      'selector:\n$1matchLabels:\n$2app: apii',
    );
    const files = { 'w.yaml': w };
    const d = expectDiagnostic(analyze(files), 'selector-near-miss', 'w.yaml', lineOf(w, 'apii'), columnOf(w, 'apii'));
    assert.match(d.message, /The selector of Deployment x\/api matches no pod of its own template, but its pod template has app=api/);
    const { after } = expectFixWorks(files, 'selector-near-miss', 'w.yaml', d.range.line, d.range.column, { example: false });
    expectNoDiagnostic(after, 'selector-mismatch');
  });

  it('stays quiet when the selector matches, or when nothing is one typo away', () => {
    expectNoDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': webPolicy('- podSelector:\n    matchLabels:\n      app: frontend') }),
      'selector-near-miss',
    );
    expectNoDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': webPolicy('- podSelector:\n    matchLabels:\n      app: payments') }),
      'selector-near-miss',
    );
  });

  it('oneTypoAway: one insertion, deletion, substitution, swap or case; short values never', () => {
    assert.deepEqual(
      ['backnd', 'backendd', 'backemd', 'bakcend', 'Backend', 'frontend', 'b'].map((x) => oneTypoAway(x, 'backend')),
      [true, true, true, true, true, false, false],
    );
    assert.equal(oneTypoAway('a', 'b'), false);
    assert.equal(
      nearMiss({ app: 'web', tier: 'fe' }, [{ name: 'p', labels: { app: 'web', tier: 'be' } }]),
      undefined,
      'two-letter values are too short to call a typo',
    );
  });
});
