// computeEndpoints finds a Service's pods through an index of one label key; these check that it
// selects exactly what matching every pod of the namespace selects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, svc, workload } from '../helpers';
import { mapMatches } from '../../src/engine/cluster/labels';

describe('endpoints: pods found through a label index', () => {
  it('selects the pods matching every key, in their namespace only, as a scan of all pods does', () => {
    const a = analyze({
      'w.yaml': docs(
        workload({ name: 'web', namespace: 'x', replicas: 2, labels: { app: 'web', tier: 'front' } }),
        workload({ name: 'web-canary', namespace: 'x', labels: { app: 'web', tier: 'canary' } }),
        workload({ name: 'other', namespace: 'x', labels: { tier: 'front' } }),
        workload({ name: 'web', namespace: 'y', labels: { app: 'web', tier: 'front' } }),
        svc({ name: 'front', namespace: 'x', selector: { app: 'web', tier: 'front' } }),
        svc({ name: 'tier', namespace: 'x', selector: { tier: 'front', app: 'web' } }),
        svc({ name: 'any-web', namespace: 'x', selector: { app: 'web' } }),
        svc({ name: 'fronts', namespace: 'x', selector: { tier: 'front' } }),
        svc({ name: 'none', namespace: 'x', selector: { app: 'nothing' } }),
      ),
    });
    const pods = (name: string) =>
      a.cluster.services.find((s) => s.namespace === 'x' && s.name === name)?.endpointsByPort[0]?.map((e) => e.pod) ?? [];
    const scan = (name: string) => {
      const s = a.cluster.services.find((x) => x.namespace === 'x' && x.name === name);
      return a.cluster.pods
        .filter((p) => p.namespace === 'x' && s?.selector && mapMatches(s.selector, p.labels))
        .map((p) => `${p.namespace}/${p.name}`)
        .sort();
    };
    for (const name of ['front', 'tier', 'any-web', 'fronts', 'none']) assert.deepEqual(pods(name), scan(name), name);
    assert.equal(pods('front').length, 2);
    assert.equal(pods('any-web').length, 3);
    assert.equal(pods('fronts').length, 3);
    assert.deepEqual(pods('none'), []);
  });
});
