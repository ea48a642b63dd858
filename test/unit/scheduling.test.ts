import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, expectDiagnostic, expectNoDiagnostic, lineOf, podsOf, workload } from '../helpers';

const nodesOf = (a: ReturnType<typeof analyze>, id: string) => podsOf(a, id).map((p) => p.node);
const LABELLED =
  'nodes:\n  - {name: a, ip: 10.0.0.1, labels: {zone: east}}\n  - {name: b, ip: 10.0.0.2, labels: {zone: west}}\n  - {name: c, ip: 10.0.0.3, labels: {zone: east}}\n  - {name: d, ip: 10.0.0.4}\n';

describe('scheduling', () => {
  it('honours nodeName', () => {
    const a = analyze({ 'w.yaml': workload({ name: 'web', replicas: 3, podSpec: 'nodeName: node-2' }) });
    assert.deepEqual(nodesOf(a, 'default/web'), ['node-2', 'node-2', 'node-2']);
  });

  it('honours nodeSelector, spreading over the eligible nodes only', () => {
    const a = analyze({ 'w.yaml': workload({ name: 'web', replicas: 4, podSpec: 'nodeSelector:\n  zone: east' }) }, LABELLED);
    assert.deepEqual([...nodesOf(a, 'default/web')].sort(), ['a', 'a', 'c', 'c']);
  });

  it('knows the labels kubelet sets (kubernetes.io/hostname, kubernetes.io/os)', () => {
    const a = analyze({
      'w.yaml': workload({
        name: 'web',
        replicas: 2,
        podSpec: 'nodeSelector:\n  kubernetes.io/hostname: node-3\n  kubernetes.io/os: linux',
      }),
    });
    assert.deepEqual(nodesOf(a, 'default/web'), ['node-3', 'node-3']);
  });

  it('spreads replicas over different nodes, evenly when there are more replicas than nodes', () => {
    const a = analyze({ 'w.yaml': docs(workload({ name: 'three', replicas: 3 }), workload({ name: 'seven', replicas: 7 })) });
    assert.deepEqual([...nodesOf(a, 'default/three')].sort(), ['node-1', 'node-2', 'node-3']);
    const counts = new Map<string, number>();
    for (const n of nodesOf(a, 'default/seven')) counts.set(n ?? '', (counts.get(n ?? '') ?? 0) + 1);
    assert.deepEqual([...counts.values()].sort(), [2, 2, 3]);
  });

  it('an unknown nodeName leaves the pods Pending with no IP, reported once at nodeName', () => {
    const text = workload({ name: 'web', replicas: 2, podSpec: 'nodeName: node-9' });
    const a = analyze({ 'w.yaml': text });
    assert.deepEqual(
      podsOf(a, 'default/web').map((p) => [p.node, p.ip]),
      [
        [undefined, undefined],
        [undefined, undefined],
      ],
    );
    const d = expectDiagnostic(a, 'pod-unschedulable', 'w.yaml', lineOf(text, 'nodeName'), 17);
    assert.match(d.message, /node-1, node-2, node-3/);
    assert.equal(a.diagnostics.filter((x) => x.code === 'pod-unschedulable').length, 1);
  });

  it('a nodeSelector no node matches is pod-unschedulable at nodeSelector', () => {
    const text = workload({ name: 'web', podSpec: 'nodeSelector:\n  gpu: "true"' });
    const a = analyze({ 'w.yaml': text });
    expectDiagnostic(a, 'pod-unschedulable', 'w.yaml', lineOf(text, 'nodeSelector'), 7);
    assert.equal(podsOf(a, 'default/web')[0]?.ip, undefined);
  });

  it("is deterministic, and one workload's placement does not depend on the others", () => {
    const web = workload({ name: 'web', replicas: 5 });
    const alone = analyze({ 'web.yaml': web });
    const again = analyze({ 'web.yaml': web });
    const crowded = analyze({
      'a.yaml': workload({ name: 'api', replicas: 4 }),
      'web.yaml': web,
      'z.yaml': workload({ name: 'zz', replicas: 2, podSpec: 'nodeName: node-1' }),
    });
    const placement = (a: ReturnType<typeof analyze>) => podsOf(a, 'default/web').map((p) => `${p.name}@${p.node}`);
    assert.deepEqual(placement(again), placement(alone));
    assert.deepEqual(placement(crowded), placement(alone));
    expectNoDiagnostic(crowded);
  });
});
