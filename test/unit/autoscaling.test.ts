// HorizontalPodAutoscaler bounds (issue 16 item 9), from the HPA walkthrough and API reference:
// the controller keeps its target's replicas within [minReplicas, maxReplicas] (minReplicas defaults
// to 1) and leaves a target scaled to 0 alone; autoscaling/v2 and v1 read the same fields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, columnOf, docs, expectDiagnostic, lineOf, podsOf, workload } from '../helpers';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { hoverAt } from '../../src/extension/analysis/hoverText';

const hpa = (o: { apiVersion?: string; kind?: string; target: string; min?: number; max?: number; namespace?: string }) =>
  [
    `apiVersion: ${o.apiVersion ?? 'autoscaling/v2'}`,
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    `  name: ${o.target}`,
    ...(o.namespace ? [`  namespace: ${o.namespace}`] : []),
    'spec:',
    '  scaleTargetRef:',
    `    apiVersion: apps/v1`,
    `    kind: ${o.kind ?? 'Deployment'}`,
    `    name: ${o.target}`,
    ...(o.min !== undefined ? [`  minReplicas: ${o.min}`] : []),
    `  maxReplicas: ${o.max ?? 10}`,
  ].join('\n') + '\n';

describe('autoscaling: HorizontalPodAutoscaler minReplicas and maxReplicas bound the target', () => {
  it('a Deployment without replicas behind minReplicas 2 (autoscaling/v2) runs 2 pods, and says why', () => {
    const a = analyze({ 'web.yaml': docs(workload({ name: 'web' }), hpa({ target: 'web', min: 2 })) });
    assert.equal(podsOf(a, 'default/web').length, 2);
    const [d] = a.cluster.replicaDecisions;
    assert.equal(d?.replicas, 2);
    assert.equal(d?.declared, undefined);
    assert.match(d?.reason ?? '', /HorizontalPodAutoscaler default\/web keeps at least minReplicas 2/);
  });

  it('autoscaling/v1 reads the same fields; a StatefulSet gets the extra ordinals', () => {
    const a = analyze({
      'db.yaml': docs(
        workload({ kind: 'StatefulSet', name: 'db', replicas: 1, spec: 'serviceName: db' }),
        hpa({ apiVersion: 'autoscaling/v1', kind: 'StatefulSet', target: 'db', min: 3 }),
      ),
    });
    assert.deepEqual(
      podsOf(a, 'default/db')
        .map((p) => p.name)
        .sort(),
      ['db-0', 'db-1', 'db-2'],
    );
  });

  it('replicas above maxReplicas are scaled down to it; within the range they are kept', () => {
    const above = analyze({ 'w.yaml': docs(workload({ name: 'w', replicas: 6 }), hpa({ target: 'w', min: 1, max: 4 })) });
    assert.equal(podsOf(above, 'default/w').length, 4);
    const within = analyze({ 'w.yaml': docs(workload({ name: 'w', replicas: 3 }), hpa({ target: 'w', min: 2, max: 4 })) });
    assert.equal(podsOf(within, 'default/w').length, 3);
    assert.match(within.cluster.replicaDecisions[0]?.reason ?? '', /within .* range 2–4/);
  });

  it('minReplicas defaults to 1, and a target scaled to 0 stays at 0 (scaling is disabled)', () => {
    const dflt = analyze({ 'w.yaml': docs(workload({ name: 'w' }), hpa({ target: 'w' })) });
    assert.equal(podsOf(dflt, 'default/w').length, 1);
    const zero = analyze({ 'w.yaml': docs(workload({ name: 'w', replicas: 0 }), hpa({ target: 'w', min: 3 })) });
    assert.equal(podsOf(zero, 'default/w').length, 0);
  });

  it('only the named target in the HPA namespace is scaled, not a namesake elsewhere or of another kind', () => {
    const a = analyze({
      'w.yaml': docs(
        workload({ name: 'w', namespace: 'a' }),
        workload({ name: 'w', namespace: 'b' }),
        workload({ kind: 'StatefulSet', name: 'w', namespace: 'a', spec: 'serviceName: w' }),
        hpa({ target: 'w', namespace: 'a', min: 2 }),
      ),
    });
    assert.equal(podsOf(a, 'a/w').filter((p) => p.workload.kind === 'Deployment').length, 2);
    assert.equal(podsOf(a, 'a/w').filter((p) => p.workload.kind === 'StatefulSet').length, 1);
    assert.equal(podsOf(a, 'b/w').length, 1);
  });

  it('minReplicas above maxReplicas is reported at minReplicas (the API server rejects it)', () => {
    const text = docs(workload({ name: 'w' }), hpa({ target: 'w', min: 5, max: 3 }));
    const a = analyze({ 'w.yaml': text });
    expectDiagnostic(
      a,
      'manifest-invalid',
      'w.yaml',
      lineOf(text, 'minReplicas'),
      columnOf(text, 'minReplicas: 5') + 'minReplicas: '.length,
    );
    assert.equal(podsOf(a, 'default/w').length, 3);
  });

  it('the editor shows the count and the reason on the workload and on the autoscaler', () => {
    const text = docs(workload({ name: 'web' }), hpa({ target: 'web', min: 2 }));
    const a = analyze({ 'web.yaml': text });
    const index = new SymbolIndex(a);
    const onWorkload = hoverAt(a, index, 'web.yaml', { line: lineOf(text, 'name: web') - 1, character: 9 });
    assert.ok(onWorkload?.lines.includes('**2 pods**'), JSON.stringify(onWorkload));
    assert.ok(onWorkload?.lines.some((l) => l.includes('keeps at least minReplicas 2')));
    const onMin = hoverAt(a, index, 'web.yaml', {
      line: lineOf(text, 'minReplicas') - 1,
      character: columnOf(text, 'minReplicas: 2') + 'minReplicas: '.length - 1,
    });
    assert.ok(
      onMin?.lines.some((l) => l.includes('runs 2 pods')),
      JSON.stringify(onMin),
    );
  });
});
