// A LoadBalancer known by hostname (status.loadBalancer.ingress[].hostname, as AWS reports it) and
// an ExternalName naming an IP, which the Service API docs warn is treated as a name of digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket } from '../../src/engine';
import { rulesByNode } from '../../src/engine/dataplane/rules';
import { nftablesRules } from '../../src/engine/dataplane/nftables';
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

// From a pod: CoreDNS forwards the balancer's name upstream, and kube-proxy captures only an
// ingress IP whose ipMode is VIP or unset (kube-proxy's proxy/util IsVIPMode; KEP-1860), so the
// packet leaves through its node, masqueraded to the node's address, and comes back from the
// balancer to a NodePort, where loadBalancerSourceRanges and externalTrafficPolicy judge that address.
const lbWith = (status: string, spec: string[] = []) =>
  stream(
    deployment('client', { nodeName: 'node-1' }),
    deployment('web', { replicas: 2 }),
    [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web}',
      'spec:',
      '  type: LoadBalancer',
      '  selector: {app: web}',
      '  ports: [{name: http, port: 80, targetPort: http}]',
      ...spec.map((l) => `  ${l}`),
      `status: {loadBalancer: {ingress: [${status}]}}`,
    ].join('\n'),
  );
const HOST = 'a1b2c3-123.eu-west-1.elb.amazonaws.com';

test('pod → balancer hostname: forwarded upstream, out through the node (SNAT to the node IP), back in by a NodePort', () => {
  const a = analyze({ 'app.yaml': lbWith(`{hostname: ${HOST}}`) });
  const client = a.cluster.pods.find((p) => p.name.startsWith('client'));
  const n1 = a.cluster.nodes.find((n) => n.name === 'node-1');
  const r = tracePacket(a, from(a, 'default/client'), `${HOST}:80`);
  assert.equal(r.verdict, 'delivered', r.reason);
  const dns = r.hops.find((h) => h.kind === 'dns');
  assert.ok(dns?.kind === 'dns');
  assert.match(dns.meaning, /CoreDNS forwards it upstream.*Service default\/web's load balancer.*outside the cluster/);
  const text = lbWith(`{hostname: ${HOST}}`);
  assert.equal(dns.range?.line, text.split('\n').findIndex((l) => l.startsWith('status:')) + 1, 'at the status hostname');
  const kinds = r.hops.map((h) => h.kind);
  const snat = r.hops.find((h) => h.kind === 'snat');
  assert.ok(snat?.kind === 'snat' && snat.from === client?.ip && snat.to === n1?.ip, 'masqueraded to node-1 on the way out');
  assert.ok(kinds.indexOf('leave-cluster') < kinds.indexOf('load-balancer'), 'out to the balancer, then back');
  const lb = r.hops.find((h) => h.kind === 'load-balancer');
  assert.ok(lb?.kind === 'load-balancer' && lb.nodePort !== undefined);
  const dnat = r.hops.find((h) => h.kind === 'dnat');
  assert.ok(dnat?.kind === 'dnat' && dnat.from.endsWith(`:${lb.nodePort}`), 'kube-proxy DNATs the NodePort, not an LB IP');
  assert.notEqual(r.sourceIPAtDestination, client?.ip, 'the backend never sees the pod address');
  // The reply goes back by the balancer and node-1's conntrack restores the pod's address.
  const last = r.reply[r.reply.length - 1];
  assert.ok(last?.kind === 'reply' && last.from === `${HOST}:80` && last.to === client?.ip);
  assert.ok(r.reply.some((h) => h.kind === 'reverse-nat' && h.node === 'node-1' && h.to === client?.ip));
});

test('loadBalancerSourceRanges judge the node address a pod is masqueraded to, not the pod address', () => {
  // The pod network is in the ranges, the nodes' network is not: the balancer drops it.
  const a = analyze({ 'app.yaml': lbWith(`{hostname: ${HOST}}`, ['loadBalancerSourceRanges: [10.244.0.0/16]']) });
  const r = tracePacket(a, from(a, 'default/client'), `${HOST}:80`);
  assert.equal(r.verdict, 'dropped', r.reason);
  assert.match(r.reason, /10\.0\.1\.10 is outside them/);
  const b = analyze({ 'app.yaml': lbWith(`{hostname: ${HOST}}`, ['loadBalancerSourceRanges: [10.0.1.0/24]']) });
  assert.equal(tracePacket(b, from(b, 'default/client'), `${HOST}:80`).verdict, 'delivered');
});

test('externalTrafficPolicy Local: the balancer sends to a node with an endpoint and the backend sees the client node', () => {
  const a = analyze({ 'app.yaml': lbWith(`{hostname: ${HOST}}`, ['externalTrafficPolicy: Local']) });
  const r = tracePacket(a, from(a, 'default/client'), `${HOST}:80`);
  assert.equal(r.verdict, 'delivered', r.reason);
  const lb = r.hops.find((h) => h.kind === 'load-balancer');
  const withEndpoint = new Set(a.cluster.pods.filter((p) => p.name.startsWith('web')).map((p) => p.node));
  assert.ok(lb?.kind === 'load-balancer' && lb.nodes.every((n) => withEndpoint.has(n.node)));
  assert.equal(r.sourceIPAtDestination, '10.0.1.10', "node-1's address, preserved under Local");
});

test('ingress.ip with ipMode Proxy goes out to the balancer from a pod and gets no kube-proxy rule; VIP (or unset) is short-circuited', () => {
  const proxy = analyze({ 'app.yaml': lbWith('{ip: 192.0.2.50, ipMode: Proxy}') });
  const r = tracePacket(proxy, from(proxy, 'default/client'), '192.0.2.50:80');
  assert.equal(r.verdict, 'delivered', r.reason);
  const out = r.hops.find((h) => h.kind === 'leave-cluster');
  assert.ok(out?.kind === 'leave-cluster');
  assert.match(out.note, /ipMode Proxy/);
  assert.ok(r.hops.some((h) => h.kind === 'load-balancer'));
  const rules = rulesByNode(proxy.cluster, 'iptables', 'node-1')[0]?.text ?? '';
  assert.doesNotMatch(rules, /192\.0\.2\.50/, 'kube-proxy programs no rule for a Proxy-mode IP');
  assert.doesNotMatch(nftablesRules(proxy.cluster, 'node-1', ['ipv4']), /192\.0\.2\.50/);

  for (const status of ['{ip: 192.0.2.50, ipMode: VIP}', '{ip: 192.0.2.50}']) {
    const vip = analyze({ 'app.yaml': lbWith(status) });
    const t = tracePacket(vip, from(vip, 'default/client'), '192.0.2.50:80');
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.equal(
      t.hops.some((h) => h.kind === 'leave-cluster' || h.kind === 'load-balancer'),
      false,
      'kube-proxy captures the LB IP on the node',
    );
    // KUBE-EXT- masquerades external destinations under externalTrafficPolicy Cluster, on the client's node.
    assert.ok(t.hops.some((h) => h.kind === 'snat' && h.node === 'node-1' && h.reason === 'external-cluster-policy'));
    assert.match(
      rulesByNode(vip.cluster, 'iptables', 'node-1')[0]?.text ?? '',
      /loadbalancer IP" -m tcp -p tcp -d 192\.0\.2\.50 --dport 80/,
    );
  }
  const bad = analyze({ 'app.yaml': lbWith('{ip: 192.0.2.50, ipMode: Bridge}') });
  assert.ok(bad.diagnostics.some((d) => /ipMode must be VIP or Proxy/.test(d.message)));
});

test('egress NetworkPolicy of the pod decides the way out to a balancer known by name', () => {
  const deny = [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: {name: only-dns}',
    'spec:',
    '  podSelector: {matchLabels: {app: client}}',
    '  policyTypes: [Egress]',
    '  egress: [{ports: [{port: 53, protocol: UDP}]}]',
  ].join('\n');
  const a = analyze({ 'app.yaml': stream(lbWith(`{hostname: ${HOST}}`), deny) });
  const r = tracePacket(a, from(a, 'default/client'), `${HOST}:80`);
  assert.equal(r.verdict, 'dropped', r.reason);
  assert.equal(
    r.hops.some((h) => h.kind === 'load-balancer'),
    false,
  );
});
