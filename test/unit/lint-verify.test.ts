import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findSource, tracePacket, traceJson, renderHops } from '../../src/engine';
import { analyze, docs, pod, svc, workload } from '../helpers';

const world = docs(
  workload({ name: 'web', namespace: 'x', ports: [{ name: 'http', containerPort: 8080 }] }),
  svc({ name: 'web', namespace: 'x', ports: [{ port: 80, targetPort: 'http' }] }),
  svc({ name: 'empty', namespace: 'x', selector: { app: 'nothing' }, ports: [{ port: 80 }] }),
  workload({ name: 'client', namespace: 'x', env: { WEB: 'http://web/', GONE: 'http://nosuch:80' } }),
);

describe('kubectl counterparts', () => {
  const a = analyze({ 'w.yaml': world });

  it('diagnostics carry the commands that check the same fact on a live cluster', () => {
    const noEndpoints = a.diagnostics.find((d) => d.code === 'service-no-endpoints');
    assert.deepEqual(noEndpoints?.verify, [
      'kubectl get endpoints empty -n x',
      'kubectl describe svc empty -n x',
      'kubectl get pods -n x --show-labels',
    ]);
    const unresolved = a.diagnostics.find((d) => d.code === 'dns-name-unresolved');
    assert.equal(unresolved?.verify?.[0], `kubectl exec ${pod(a, 'x/client').name} -n x -- nslookup nosuch`);
  });

  it('trace hops carry them: nslookup from the source pod, the Service endpoints, where the pod runs', () => {
    const from = findSource(a.cluster, 'x/client');
    assert.ok(from.ok);
    const t = tracePacket(a, from.source, 'http://web/');
    const byStep = new Map(renderHops(t).map((h) => [h.step, h.verify ?? []]));
    assert.deepEqual(byStep.get('dns'), [`kubectl exec ${pod(a, 'x/client').name} -n x -- nslookup web`]);
    assert.deepEqual(byStep.get('dnat'), ['kubectl get endpoints web -n x', 'kubectl describe svc web -n x']);
    assert.deepEqual(byStep.get('deliver'), [`kubectl get pod ${pod(a, 'x/web').name} -n x -o wide`]);
    assert.deepEqual(byStep.get('route'), [], 'a route has no kubectl counterpart');
    const json = traceJson(t) as { hops: Array<{ step: string; verify?: string[] }> };
    assert.deepEqual(json.hops.find((h) => h.step === 'dnat')?.verify, byStep.get('dnat'));
  });

  it('a refused connection points at the Service without endpoints', () => {
    const from = findSource(a.cluster, 'x/client');
    assert.ok(from.ok);
    const reject = renderHops(tracePacket(a, from.source, 'http://empty/')).find((h) => h.step === 'reject');
    assert.deepEqual(reject?.verify, ['kubectl get endpoints empty -n x', 'kubectl describe svc empty -n x']);
  });
});
