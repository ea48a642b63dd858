import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWorkspace } from '../../src/engine';
import { LintContext } from '../../src/engine/lint/context';
import { selectorKey } from '../../src/engine/cluster/selectorCache';
import type { LabelSelector } from '../../src/engine/cluster/labels';
import { generateWorkspace } from '../../bench/generate';

const sel = (matchLabels: Record<string, string>, matchExpressions: LabelSelector['matchExpressions'] = []): LabelSelector => ({
  matchLabels,
  matchExpressions,
});

describe('lint context: answers shared by selector shape', () => {
  it('gives equivalent selectors one key and different ones different keys', () => {
    assert.equal(selectorKey(sel({ a: '1', b: '2' })), selectorKey(sel({ b: '2', a: '1' })));
    assert.equal(
      selectorKey(sel({}, [{ key: 'k', operator: 'In', values: ['y', 'x', 'x'] }])),
      selectorKey(sel({}, [{ key: 'k', operator: 'In', values: ['x', 'y'] }])),
    );
    assert.notEqual(selectorKey(sel({ a: '1' })), selectorKey(sel({ a: '2' })));
    assert.notEqual(
      selectorKey(sel({}, [{ key: 'k', operator: 'In', values: ['x'] }])),
      selectorKey(sel({}, [{ key: 'k', operator: 'NotIn', values: ['x'] }])),
    );
    assert.notEqual(selectorKey(sel({ a: '1' })), selectorKey(sel({}, [{ key: 'a', operator: 'In', values: ['1'] }])));
  });

  it('finds the same peer pods as matching every pod, for every peer of every policy', () => {
    const ws = generateWorkspace({ namespaces: 6, apps: 8 });
    const a = analyzeWorkspace(ws.files);
    const ctx = new LintContext(
      { cluster: a.cluster, policies: a.policies, dns: a.dns, ingress: a.ingress, references: a.references, files: ws.files },
      [],
    );
    const e = a.policies;
    const reps = ctx.representatives();
    const implicit = a.cluster.pods.filter((p) => p.origin.kind === 'implicit');
    let peers = 0;
    let nonEmpty = 0;
    for (const policy of e.policies) {
      for (const rule of [...policy.rules.ingress, ...policy.rules.egress]) {
        for (const peer of rule.peers ?? []) {
          const want = reps.filter((p) => e.peerMatches(policy, peer, e.endpointOf({ kind: 'pod', pod: p })));
          const got = ctx.peerPods(policy, peer);
          assert.deepEqual(new Set(got), new Set(want), `${policy.namespace}/${policy.name} ${peer.path.join('.')}`);
          // Asked again (now from the memo), the answer is the same.
          assert.deepEqual(ctx.peerPods(policy, peer), got);
          if (peer.kind === 'selector') {
            const any = [...reps, ...implicit].some((p) => e.peerMatches(policy, peer, e.endpointOf({ kind: 'pod', pod: p })));
            assert.equal(ctx.peerMatchesAny(policy, peer), any);
          }
          peers++;
          if (got.length > 0) nonEmpty++;
        }
      }
    }
    assert.ok(peers > 100 && nonEmpty > 50, `${peers} peers, ${nonEmpty} matching some pod`);
  });
});
