import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, columnOf, docs, expectDiagnostic, expectNoDiagnostic, lineOf, workload, yaml } from '../helpers';
import { expectFixWorks, ns } from '../lintHelpers';

/** x (team=red): web (8080), db (5432), client; y (team=blue): client, other. */
const world = docs(
  ns('x', { team: 'red' }),
  ns('y', { team: 'blue' }),
  workload({ name: 'web', namespace: 'x', ports: [{ containerPort: 8080 }] }),
  workload({ name: 'db', namespace: 'x', ports: [{ containerPort: 5432 }] }),
  workload({ name: 'client', namespace: 'x' }),
  workload({ name: 'client', namespace: 'y' }),
  workload({ name: 'other', namespace: 'y' }),
);

const orPeers = yaml`
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
          - namespaceSelector:
              matchLabels:
                team: blue
          - podSelector:
              matchLabels:
                app: client
`;

const andPeer = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: db
    namespace: x
  spec:
    podSelector:
      matchLabels:
        app: db
    ingress:
      - from:
          - namespaceSelector:
              matchLabels:
                team: blue
            podSelector:
              matchLabels:
                app: web
`;

describe('lint: policy-peer-or-and', () => {
  it('two peers (OR) where some pod is both: at the second item, explained, merged by the fix', () => {
    const files = { 'app.yaml': world, 'p.yaml': orPeers };
    const line = lineOf(orPeers, '- podSelector');
    const d = expectDiagnostic(analyze(files), 'policy-peer-or-and', 'p.yaml', line, columnOf(orPeers, 'podSelector:', 1));
    assert.match(
      d.message,
      /two separate peers, so they are ORed: the namespaceSelector peer \(team=blue\) admits every pod of the namespaces it selects.*only pods matching app=client in namespaces matching team=blue/,
    );
    assert.equal(d.fixes?.[0]?.title, 'Merge into one peer (AND: both selectors must match)');
    const { files: fixed, after } = expectFixWorks(files, 'policy-peer-or-and', 'p.yaml', d.range.line, d.range.column);
    assert.equal((fixed['p.yaml'] ?? '').split('\n')[line - 1], '          podSelector:');
    expectNoDiagnostic(after, 'policy-peer-or-and');
    const e = /For example, pod (\S+) → pod (\S+)/.exec(d.message);
    assert.ok(e && (e[1]?.startsWith('y/other') || e[1]?.startsWith('x/client')), 'the example is a pod only the OR admits');
  });

  it('one peer (AND) that matches no pod while each half would: at its second key, split by the fix', () => {
    const files = { 'app.yaml': world, 'p.yaml': andPeer };
    const d = expectDiagnostic(
      analyze(files),
      'policy-peer-or-and',
      'p.yaml',
      lineOf(andPeer, '  podSelector:', 1),
      columnOf(andPeer, 'podSelector:', 1),
    );
    assert.match(
      d.message,
      /This one peer ANDs its selectors: only pods matching app=web in namespaces matching team=blue, and no pod in the workspace is both/,
    );
    const { files: fixed, after } = expectFixWorks(files, 'policy-peer-or-and', 'p.yaml', d.range.line, d.range.column);
    assert.equal((fixed['p.yaml'] ?? '').split('\n')[d.range.line - 1], '        - podSelector:');
    // The split form is still said, but only at info: no pod of the workspace tells the readings apart.
    assert.deepEqual(
      after.diagnostics.filter((x) => x.code === 'policy-peer-or-and').map((x) => x.severity),
      ['info'],
    );
  });

  it('the OR form no pod of the workspace tells apart is said at info (the pods may live elsewhere), without a merge that would match nothing', () => {
    // No pod of a team=blue namespace is labelled app=nobody: AND would match nothing here, so no fix is offered.
    const text = orPeers.replace('app: client', 'app: nobody');
    const d = expectDiagnostic(
      analyze({ 'app.yaml': world, 'p.yaml': text }),
      'policy-peer-or-and',
      'p.yaml',
      lineOf(text, '- podSelector'),
      columnOf(text, 'podSelector:', 1),
    );
    assert.equal(d.severity, 'info');
    assert.match(d.message, /they are ORed.*No pod of the workspace tells the two readings apart/);
    assert.equal(d.fixes, undefined);
  });

  it('stays quiet for an AND peer that matches pods', () => {
    expectNoDiagnostic(analyze({ 'app.yaml': world, 'p.yaml': andPeer.replace('app: web', 'app: client') }), 'policy-peer-or-and');
  });
});
