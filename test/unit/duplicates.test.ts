// Issue 16, item 7: an object defined in several files exists once, as the one `kubectl apply -f`
// writes last (files in its walk order, documents in order), in DNS, endpoints, policies and the
// topology alike; the others are reported where they are written, naming the winner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology } from '../../src/engine';
import { compareApplyOrder } from '../../src/engine/manifests/duplicates';
import { analyze, answers, docs, endpoints, expectDiagnostic, pod, podsOf, resolve, svc, where, workload, yaml } from '../helpers';

// The guestbook's leader, written twice as people copy files: once selecting app=redis, role=leader
// (the Kubernetes tutorial "Deploying PHP Guestbook application with Redis"), once an older copy.
const leader = (selector: Record<string, string>) => svc({ name: 'redis-leader', selector, ports: [{ port: 6379 }] });
const redis = (name: string, labels: Record<string, string>) => workload({ name, labels, ports: [{ containerPort: 6379 }] });

describe('duplicates: the last one applied is the one that exists', () => {
  it("orders paths as kubectl's walk does: a folder's files before the sibling file its name prefixes", () => {
    const paths = ['app.yaml', 'app/svc.yaml', 'a-b/x.yaml', 'a/x.yaml', 'b.yaml'];
    assert.deepEqual([...paths].sort(compareApplyOrder), ['a/x.yaml', 'a-b/x.yaml', 'app/svc.yaml', 'app.yaml', 'b.yaml']);
  });

  it('DNS answers one A record, for the one Service that exists; endpoints follow its selector', () => {
    const files = {
      'a/redis-leader-service.yaml': leader({ app: 'redis', role: 'master' }),
      'b/redis-leader-service.yaml': leader({ app: 'redis', role: 'leader' }),
      'deployments.yaml': docs(
        redis('redis-leader', { app: 'redis', role: 'leader' }),
        redis('redis-old', { app: 'redis', role: 'master' }),
      ),
    };
    const a = analyze(files);
    const services = a.cluster.services.filter((s) => s.name === 'redis-leader');
    assert.equal(services.length, 1);
    const r = resolve(a, 'redis-leader', 'default/redis-leader');
    assert.equal(r.answers.length, 1, answers(r).join('; '));
    assert.equal(r.answers[0]?.value, services[0]?.clusterIP);
    assert.deepEqual(endpoints(a, 'default/redis-leader'), [`${pod(a, 'default/redis-leader').ip}:6379`]);
    const d = expectDiagnostic(a, 'duplicate-resource', 'a/redis-leader-service.yaml', 4, 9);
    assert.match(d.message, /b\/redis-leader-service\.yaml:4/);
    assert.equal(where(a, 'duplicate-resource').length, 1);
  });

  it('the file kubectl reads last wins even when a plain sort of the paths says otherwise', () => {
    // kubectl walks app/ before app.yaml: app.yaml is applied last.
    const a = analyze({
      'app.yaml': workload({ name: 'web', replicas: 3 }),
      'app/web.yaml': workload({ name: 'web', replicas: 1 }),
    });
    assert.equal(podsOf(a, 'default/web').length, 3);
    expectDiagnostic(a, 'duplicate-resource', 'app/web.yaml', 4, 9);
  });

  it('within one file, documents are applied in order: the later one wins', () => {
    const a = analyze({ 'all.yaml': docs(workload({ name: 'web', replicas: 2 }), workload({ name: 'web', replicas: 4 })) });
    assert.equal(podsOf(a, 'default/web').length, 4);
    assert.equal(where(a, 'duplicate-resource').length, 1);
  });

  it('only the winning NetworkPolicy isolates pods, and the topology draws one Service', () => {
    const policy = (podSelector: string) => yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: deny
      spec:
        podSelector: ${podSelector}
        policyTypes: [Ingress]
    `;
    const a = analyze({
      'a.yaml': policy('{}'),
      'b.yaml': policy('{matchLabels: {app: api}}'),
      'w.yaml': docs(workload({ name: 'api' }), workload({ name: 'web' }), svc({ name: 'web' }), svc({ name: 'web' })),
    });
    assert.equal(a.policies.policies.filter((p) => p.origin.kind === 'manifest').length, 1);
    const isolated = (id: string) => a.policies.policiesSelecting(pod(a, id)).ingress.length > 0;
    assert.equal(isolated('default/api'), true);
    assert.equal(isolated('default/web'), false, 'the losing policy (podSelector: {}) does not exist');
    assert.equal(buildTopology(a).services.filter((s) => s.id === 'default/web').length, 1);
  });
});
