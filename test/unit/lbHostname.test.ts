// A LoadBalancer known by hostname (status.loadBalancer.ingress[].hostname, as AWS reports it) and
// an ExternalName naming an IP, which the Service API docs warn is treated as a name of digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket } from '../../src/engine';
import { analyze } from '../helpers';
import { deployment, from, stream } from '../traceFixtures';

const LB = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
status:
  loadBalancer:
    ingress:
      - hostname: a1b2c3-123.eu-west-1.elb.amazonaws.com
`;

test('a trace from outside to the balancer hostname enters through the load balancer to a NodePort; no pool address is invented', () => {
  const a = analyze({ 'app.yaml': stream(deployment('web', { replicas: 2 }), LB) });
  const svc = a.cluster.services.find((s) => s.name === 'web');
  assert.equal(svc?.loadBalancerHostname, 'a1b2c3-123.eu-west-1.elb.amazonaws.com');
  assert.equal(svc?.loadBalancerIP, undefined, 'kube-proxy has no LB IP to program for a hostname balancer');
  const r = tracePacket(a, from(a, 'external'), 'http://a1b2c3-123.eu-west-1.elb.amazonaws.com/');
  assert.equal(r.verdict, 'delivered', r.reason);
  const lb = r.hops.find((h) => h.kind === 'load-balancer');
  assert.ok(lb && lb.kind === 'load-balancer');
  assert.equal(lb.address, 'a1b2c3-123.eu-west-1.elb.amazonaws.com:80');
});

test('ExternalName naming an IP: a warning at the field, and the name resolves to nothing', () => {
  const text = `apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  type: ExternalName
  externalName: 192.0.2.10
---
${deployment('client')}
`;
  const a = analyze({ 'app.yaml': text });
  const d = a.diagnostics.find((x) => x.code === 'externalname-is-ip');
  assert.ok(d);
  assert.equal(d.severity, 'warning');
  assert.equal(d.range.line, 6);
  assert.match(d.message, /CNAME to "192\.0\.2\.10\."/);
  const r = tracePacket(a, from(a, 'default/client'), 'db:5432');
  assert.equal(r.verdict, 'unresolved');
  assert.match(JSON.stringify(r.hops), /IP address written as a name/);
});
