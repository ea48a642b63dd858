// Issue 16 items 10, 11 and 12 (parts): what real manifests met at the edge of the model. Fixtures
// follow the Kubernetes docs' examples.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findSource, tracePacket, type Analysis, type TraceResult } from '../../src/engine';
import { analyze, docs, svc, workload } from '../helpers';

const trace = (a: Analysis, src: string, to: string): TraceResult => {
  const f = findSource(a.cluster, src);
  assert.ok(f.ok, src);
  return tracePacket(a, f.source, to);
};

// The Ingress docs' minimal-ingress: one rule, no host.
const MINIMAL_INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: minimal-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx-example
  rules:
  - http:
      paths:
      - path: /testpath
        pathType: Prefix
        backend:
          service:
            name: test
            port:
              number: 80
`;

describe('Ingress rules without a host match every host (issue 16 item 11)', () => {
  const a = analyze({
    'ing.yaml': MINIMAL_INGRESS,
    'test.yaml': docs(
      workload({ name: 'test', ports: [{ containerPort: 8080 }] }),
      svc({ name: 'test', ports: [{ port: 80, targetPort: 8080 }] }),
    ),
  });

  it('a client outside reaches the backend by any host name, through the controller', () => {
    for (const host of ['foo.bar.com', 'anything.example.org']) {
      const t = trace(a, 'external', `http://${host}/testpath/x`);
      assert.equal(t.verdict, 'delivered', host);
      assert.equal(t.destination?.kind === 'pod' ? t.destination.workload : '', 'default/test', host);
      const dns = t.hops[0];
      assert.ok(dns?.kind === 'dns' && /rule without a host, which matches every host/.test(dns.meaning), JSON.stringify(dns));
      assert.equal(dns.range?.line, 10, 'the hop points at the host-less rule');
      assert.ok(t.hops.some((h) => h.kind === 'ingress-controller'));
    }
    assert.equal(trace(a, 'external', 'http://foo.bar.com/other').verdict, 'unrouted', 'a path no rule lists: 404');
  });

  it('a host another Ingress names goes to that rule, not to the host-less one', () => {
    const named = MINIMAL_INGRESS.replace('minimal-ingress', 'named')
      .replace('  - http:', '  - host: shop.example.com\n    http:')
      .replace('name: test\n', 'name: shop\n');
    const b = analyze({
      'ing.yaml': docs(MINIMAL_INGRESS, named),
      'test.yaml': docs(
        workload({ name: 'test', ports: [{ containerPort: 8080 }] }),
        svc({ name: 'test', ports: [{ port: 80, targetPort: 8080 }] }),
        workload({ name: 'shop', ports: [{ containerPort: 8080 }] }),
        svc({ name: 'shop', ports: [{ port: 80, targetPort: 8080 }] }),
      ),
    });
    const t = trace(b, 'external', 'http://shop.example.com/testpath');
    assert.equal(t.destination?.kind === 'pod' ? t.destination.workload : '', 'default/shop');
  });
});
