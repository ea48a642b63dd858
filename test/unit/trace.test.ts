import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket, renderHop, type Analysis, type Hop, type PolicyOracle, type TraceResult } from '../../src/engine';
import type { DirectionResult } from '../../src/engine/policy/oracle';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const steps = (r: TraceResult) => r.hops.map((h) => renderHop(h).step);
const hop = <K extends Hop['kind']>(r: TraceResult, kind: K) => r.hops.find((h): h is Extract<Hop, { kind: K }> => h.kind === kind);
const svcOf = (a: Analysis, name: string) => {
  const s = a.cluster.services.find((x) => x.name === name);
  assert.ok(s, `no Service ${name}`);
  return s;
};
const denyIngress = (app: string, ns = 'default') => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-${app}, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: ${app}}}
  policyTypes: [Ingress]`;

const shop = (extra: string[] = [], settings = {}) =>
  simulate(
    stream(
      deployment('frontend', { namespace: 'shop', nodeName: 'node-1' }),
      deployment('backend', { namespace: 'shop', replicas: 3 }),
      service('backend', { namespace: 'shop', ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }),
      ...extra,
    ),
    settings,
  );

test('ClusterIP: DNS, DNAT to one of the endpoints, policy on both ends, the CNI hops, delivery, and the reverse DNAT on the way back', () => {
  const a = shop();
  const r = tracePacket(a, from(a, 'shop/frontend'), 'http://backend:8080/api');
  assert.equal(r.verdict, 'delivered');
  assert.deepEqual(
    steps(r).filter((s) => s !== 'route'),
    ['dns', 'dnat', 'policy-egress', 'policy-ingress', 'deliver'],
  );
  const dns = hop(r, 'dns');
  assert.equal(dns?.resolvedName, 'backend.shop.svc.cluster.local');
  assert.deepEqual(dns?.answers, [`A ${svcOf(a, 'backend').clusterIP}`]);
  assert.ok(dns?.range && dns.range.line > 0, 'the DNS hop points at the Service');
  const dnat = hop(r, 'dnat');
  assert.equal(dnat?.from, `${svcOf(a, 'backend').clusterIP}:8080`);
  assert.ok(dnat?.path.some((c) => c.startsWith('KUBE-SVC-')) && dnat.path.some((c) => c.startsWith('KUBE-SEP-')));
  assert.equal(r.candidates.length, 3);
  assert.equal(Math.round(r.candidates.reduce((s, c) => s + c.weight, 0) * 1000) / 1000, 1);
  const chosen = r.candidates.filter((c) => c.chosen);
  assert.equal(chosen.length, 1);
  assert.equal(r.destination?.kind === 'pod' && r.destination.ip, chosen[0]?.ip);
  assert.equal(r.destination?.kind === 'pod' && r.destination.workload, 'shop/backend');
  assert.equal(
    r.sourceIPAtDestination,
    from(a, 'shop/frontend').kind === 'pod' ? (from(a, 'shop/frontend') as { pod: { ip: string } }).pod.ip : '',
  );
  const undo = r.reply.find((h) => h.kind === 'reverse-nat');
  assert.ok(undo?.kind === 'reverse-nat' && undo.nat === 'dnat' && undo.to === dnat?.from);
  assert.deepEqual(tracePacket(a, from(a, 'shop/frontend'), 'http://backend:8080/api'), r, 'deterministic');
});

test('DNS follows the search list: a short name resolves in the pod namespace only; name.namespace resolves across namespaces', () => {
  const a = simulate(stream(deployment('client'), deployment('backend', { namespace: 'shop' }), service('backend', { namespace: 'shop' })));
  const short = tracePacket(a, from(a, 'default/client'), 'backend:80');
  assert.equal(short.verdict, 'unresolved');
  assert.deepEqual(hop(short, 'dns')?.searched, [
    'backend.default.svc.cluster.local',
    'backend.svc.cluster.local',
    'backend.cluster.local',
    'backend',
  ]);
  const qualified = tracePacket(a, from(a, 'default/client'), 'backend.shop:80');
  assert.equal(qualified.verdict, 'delivered');
  assert.equal(hop(qualified, 'dns')?.resolvedName, 'backend.shop.svc.cluster.local');
});

test('DNS egress blocked by NetworkPolicy: the name does not resolve', () => {
  const denyEgress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lockdown, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]`;
  const a = shop([denyEgress]);
  const r = tracePacket(a, from(a, 'shop/frontend'), 'http://backend:8080');
  assert.equal(r.verdict, 'unresolved');
  assert.match(r.reason, /NetworkPolicy blocks .* DNS/);
  const p = hop(r, 'policy');
  assert.ok(p && p.purpose === 'dns' && !p.result.allowed && p.port === 53 && p.protocol === 'UDP');
  assert.equal(steps(r).at(-1), 'drop');
  assert.equal(hop(r, 'dns'), undefined, 'no answer ever comes back');
});

test('headless Service: DNS returns pod IPs and the packet goes straight to one pod, without DNAT', () => {
  const a = simulate(stream(deployment('client'), deployment('db', { replicas: 2 }), service('db', { extra: ['  clusterIP: None'] })));
  const r = tracePacket(a, from(a, 'default/client'), 'db:8080');
  assert.equal(r.verdict, 'delivered');
  assert.equal(hop(r, 'dnat'), undefined);
  assert.match(hop(r, 'dns')?.meaning ?? '', /headless/);
  assert.equal(r.candidates.length, 2);
  assert.equal(r.candidates.find((c) => c.chosen)?.ip, r.destination?.kind === 'pod' ? r.destination.ip : undefined);
});

test('ExternalName: the trace ends at the external host after the CNAME, masqueraded to the node', () => {
  const ext = `apiVersion: v1\nkind: Service\nmetadata: {name: payments, namespace: shop}\nspec: {type: ExternalName, externalName: api.payments.example.com}`;
  const a = shop([ext]);
  const r = tracePacket(a, from(a, 'shop/frontend'), 'https://payments/charge');
  assert.equal(r.verdict, 'delivered');
  assert.equal(hop(r, 'dns')?.cname, 'api.payments.example.com');
  assert.deepEqual(r.destination, { kind: 'external', host: 'api.payments.example.com' });
  assert.equal(steps(r).at(-1), 'leave-cluster');
  assert.equal(r.sourceIPAtDestination, '10.0.1.10', 'pod traffic leaving the cluster is masqueraded to node-1');
});

test('a Service without endpoints is REJECTed: refused, with the reject hop pointing at its selector', () => {
  const a = shop([service('empty', { namespace: 'shop', selector: { app: 'missing' } })]);
  const r = tracePacket(a, from(a, 'shop/frontend'), 'http://empty');
  assert.equal(r.verdict, 'refused');
  const reject = hop(r, 'reject');
  assert.match(reject?.rule ?? '', /"shop\/empty:http has no endpoints" -j REJECT/);
  assert.ok(reject?.range, 'points at the selector');
  assert.deepEqual(r.candidates, []);
  assert.deepEqual(r.reply, []);
});

test('hairpin: a pod reaching itself through its Service is masqueraded', () => {
  const a = simulate(stream(deployment('solo'), service('solo')));
  const r = tracePacket(a, from(a, 'default/solo'), 'http://solo');
  assert.equal(r.verdict, 'delivered');
  const snat = hop(r, 'snat');
  assert.equal(snat?.reason, 'hairpin');
  const self = from(a, 'default/solo');
  assert.ok(self.kind === 'pod' && r.destination?.kind === 'pod' && r.destination.ip === self.pod.ip);
  assert.notEqual(r.sourceIPAtDestination, self.kind === 'pod' ? self.pod.ip : '');
  assert.equal(r.sourceIPAtDestination, a.cluster.nodes.find((n) => n.name === (self.kind === 'pod' ? self.pod.node : ''))?.ip);
});

const nodePortApp = (policy: 'Cluster' | 'Local') =>
  simulate(
    stream(
      deployment('web', { nodeName: 'node-2' }),
      service('web', {
        type: 'NodePort',
        ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }],
        extra: [`  externalTrafficPolicy: ${policy}`],
      }),
    ),
  );

test('NodePort answers on every node; externalTrafficPolicy Cluster SNATs to the node and may cross nodes', () => {
  const a = nodePortApp('Cluster');
  for (const n of a.cluster.nodes) {
    const r = tracePacket(a, from(a, 'external'), `${n.ip}:30080`);
    assert.equal(r.verdict, 'delivered', n.name);
    assert.equal(r.destination?.kind === 'pod' && r.destination.node, 'node-2');
    if (n.name === 'node-2') continue;
    assert.equal(r.sourceIPAtDestination, n.ip, 'masqueraded to the node the client hit');
    assert.equal(hop(r, 'snat')?.reason, 'external-cluster-policy');
    assert.ok(r.reply.some((h) => h.kind === 'reverse-nat' && h.nat === 'snat' && h.to === '203.0.113.5'));
  }
});

test('externalTrafficPolicy Local keeps the client IP, and drops on nodes without a local endpoint', () => {
  const a = nodePortApp('Local');
  const kept = tracePacket(a, from(a, 'external:198.18.0.7'), '10.0.1.20:30080');
  assert.equal(kept.verdict, 'delivered');
  assert.equal(kept.sourceIPAtDestination, '198.18.0.7');
  assert.equal(hop(kept, 'snat'), undefined);
  const dropped = tracePacket(a, from(a, 'external'), '10.0.1.10:30080');
  assert.equal(dropped.verdict, 'dropped');
  assert.match(hop(dropped, 'drop')?.rule ?? '', /has no local endpoints" -j DROP/);
  assert.ok(hop(dropped, 'drop')?.range, 'points at externalTrafficPolicy');
});

test('LoadBalancer: the balancer picks a node, then kube-proxy an endpoint; under Local the shares follow the nodes', () => {
  const text = stream(
    deployment('a', { labels: { app: 'web' }, replicas: 2, nodeName: 'node-1' }),
    deployment('b', { labels: { app: 'web' }, nodeName: 'node-2' }),
    service('web', { type: 'LoadBalancer', extra: ['  externalTrafficPolicy: Local'] }),
  );
  const a = simulate(text);
  const lb = svcOf(a, 'web').loadBalancerIP;
  const r = tracePacket(a, from(a, 'external'), `http://${lb}/`);
  assert.equal(r.verdict, 'delivered');
  const balancer = hop(r, 'load-balancer');
  assert.deepEqual(
    balancer?.nodes.map((n) => n.node),
    ['node-1', 'node-2'],
    'node-3 fails the health check',
  );
  assert.deepEqual(r.candidates.map((c) => `${c.node} ${c.weight}`).sort(), ['node-1 0.25', 'node-1 0.25', 'node-2 0.5']);
  assert.equal(r.sourceIPAtDestination, '203.0.113.5');
  assert.equal(steps(r).slice(0, 3).join(','), 'load-balancer,route,dnat');
});

test('Ingress from external: the host goes through the controller, with TLS termination, to the backend', () => {
  const ing = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: backend, port: {number: 8080}}}}`;
  const a = shop([ing]);
  const r = tracePacket(a, from(a, 'external'), 'https://shop.example.com/api/items');
  assert.equal(r.verdict, 'delivered');
  assert.deepEqual(
    steps(r).filter((s) => ['dns', 'load-balancer', 'tls-termination', 'ingress-controller', 'deliver'].includes(s)),
    ['dns', 'load-balancer', 'deliver', 'tls-termination', 'ingress-controller', 'deliver'],
  );
  assert.equal(hop(r, 'tls')?.secretName, 'shop-tls');
  const controller = a.ingress.controllers[0]?.pods[0];
  assert.equal(r.sourceIPAtDestination, controller?.ip, 'the backend sees the controller');
  assert.equal(r.destination?.kind === 'pod' && r.destination.workload, 'shop/backend');
  assert.equal(r.candidates.length, 3);
  const miss = tracePacket(a, from(a, 'external'), 'http://shop.example.com/admin');
  assert.equal(miss.verdict, 'unrouted');
  assert.match(miss.reason, /404/);
  assert.equal(tracePacket(a, from(a, 'external'), 'http://other.example.com/').verdict, 'unresolved');
});

test('direct IP:PORT to a pod skips DNS and DNAT; node/NAME to a ClusterIP is masqueraded', () => {
  const a = shop();
  const target = a.cluster.pods.find((p) => p.workload.name === 'backend');
  const r = tracePacket(a, from(a, 'shop/frontend'), `${target?.ip}:8080`);
  assert.equal(r.verdict, 'delivered');
  assert.deepEqual(
    steps(r).filter((s) => s === 'dns' || s === 'dnat'),
    [],
  );
  const n = tracePacket(a, from(a, 'node/node-3'), `${svcOf(a, 'backend').clusterIP}:8080`);
  assert.equal(n.verdict, 'delivered');
  assert.equal(n.sourceIPAtDestination, '10.0.1.30', 'the node is the client; MASQUERADE keeps its address on the node network');
  const viaTunnel = shop([], { cni: 'flannel', encapsulation: 'vxlan' });
  const remote = viaTunnel.cluster.pods.find((p) => p.workload.name === 'backend' && p.node !== 'node-3');
  const t = tracePacket(viaTunnel, from(viaTunnel, 'node/node-3'), `${remote?.ip}:8080`);
  assert.equal(t.verdict, 'delivered');
  const m = tracePacket(viaTunnel, from(viaTunnel, 'node/node-3'), `${svcOf(viaTunnel, 'backend').clusterIP}:8080`);
  const snat = hop(m, 'snat');
  assert.ok(m.destination?.kind === 'pod' && m.destination.node !== 'node-3', 'this client lands on another node');
  assert.equal(snat?.reason, 'not-from-pod');
  assert.equal(m.sourceIPAtDestination, '10.244.3.0', 'masqueraded to the flannel.1 address');
  assert.equal(tracePacket(a, from(a, 'node/node-3'), 'http://backend:8080').verdict, 'unresolved');
});

test('NetworkPolicy drops: a deny-all ingress policy on the backend drops the connection at the destination', () => {
  const a = shop([denyIngress('backend', 'shop')]);
  const r = tracePacket(a, from(a, 'shop/frontend'), 'http://backend:8080');
  assert.equal(r.verdict, 'dropped');
  const p = r.hops.filter((h) => h.kind === 'policy').at(-1);
  assert.ok(
    p?.kind === 'policy' && p.direction === 'ingress' && !p.result.allowed && p.range,
    'the denying policy is named with its position',
  );
  assert.equal(steps(r).at(-1), 'drop');
});

test('the trace asks the policy oracle it is given (a fake that denies egress to port 8080)', () => {
  const open: DirectionResult = { isolated: false, isolatingPolicies: [], allowed: true, decidedBy: 'none', reason: 'open' };
  const shut: DirectionResult = {
    isolated: true,
    isolatingPolicies: [],
    allowed: false,
    decidedBy: 'network',
    reason: 'fake policy says no',
  };
  const fake: PolicyOracle = {
    verdict: (_s, _d, port) => ({ allowed: port !== 8080, egress: port === 8080 ? shut : open, ingress: open, reason: 'fake' }),
  };
  const a = shop();
  const r = tracePacket(a, from(a, 'shop/frontend'), 'http://backend:8080', 'TCP', { policies: fake });
  assert.equal(r.verdict, 'dropped');
  assert.match(r.reason, /fake policy says no/);
});

test('unresolved for unknown names; unrouted for a node port nothing listens on; dropped for a protocol the Service does not expose', () => {
  const a = shop();
  assert.equal(tracePacket(a, from(a, 'shop/frontend'), 'http://nosuch:80').verdict, 'unresolved');
  assert.equal(tracePacket(a, from(a, 'external'), '10.0.1.10:31999').verdict, 'unrouted');
  const udp = tracePacket(a, from(a, 'shop/frontend'), 'backend:8080', 'UDP');
  assert.equal(udp.verdict, 'dropped');
  assert.match(udp.reason, /does not expose port 8080\/UDP/);
  assert.equal(tracePacket(a, from(a, 'shop/frontend'), 'not a target').verdict, 'unresolved');
});

test('sessionAffinity ClientIP and internalTrafficPolicy Local show in the DNAT decision', () => {
  const a = simulate(
    stream(
      deployment('client', { nodeName: 'node-1' }),
      deployment('sticky'),
      service('sticky', { extra: ['  sessionAffinity: ClientIP'] }),
      deployment('local', { nodeName: 'node-2' }),
      service('local', { extra: ['  internalTrafficPolicy: Local'] }),
    ),
  );
  assert.equal(hop(tracePacket(a, from(a, 'default/client'), 'http://sticky'), 'dnat')?.affinitySeconds, 10800);
  const r = tracePacket(a, from(a, 'default/client'), 'http://local');
  assert.equal(r.verdict, 'dropped');
  assert.match(r.reason, /internalTrafficPolicy is Local and node-1 runs no endpoint/);
});

test('IPVS mode and Cilium: the DNAT hop names the mechanism; Cilium socket LB leaves nothing to un-DNAT', () => {
  const ipvs = shop([], { kubeProxyMode: 'ipvs' });
  const d = hop(tracePacket(ipvs, from(ipvs, 'shop/frontend'), 'http://backend:8080'), 'dnat');
  assert.equal(d?.dataplane, 'ipvs');
  assert.ok(d?.path.some((p) => /^IPVS virtual server TCP [\d.]+:8080 rr$/.test(p)));
  const cilium = shop([], { cni: 'cilium', encapsulation: 'vxlan' });
  const r = tracePacket(cilium, from(cilium, 'shop/frontend'), 'http://backend:8080');
  assert.equal(hop(r, 'dnat')?.dataplane, 'ebpf');
  assert.match(hop(r, 'dnat')?.path[0] ?? '', /socket LB/);
  assert.equal(
    r.reply.some((h) => h.kind === 'reverse-nat'),
    false,
  );
});

test('reply: a pod reaching another node NodePort is un-DNATed on that node, then un-SNATed at home, and sees the NodePort answer', () => {
  const a = simulate(
    stream(
      deployment('client', { nodeName: 'node-1' }),
      deployment('web', { nodeName: 'node-2' }),
      service('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] }),
    ),
  );
  const r = tracePacket(a, from(a, 'default/client'), '10.0.1.20:30080');
  assert.equal(r.verdict, 'delivered');
  assert.equal(hop(r, 'snat')?.reason, 'leaving-cluster', 'pod traffic to a node address is masqueraded by the CNI');
  const undo = r.reply.filter((h) => h.kind === 'reverse-nat').map((h) => `${h.kind === 'reverse-nat' ? h.nat : ''}@${h.node}`);
  // externalTrafficPolicy Cluster: node-2 masquerades as well, so conntrack there undoes both.
  assert.deepEqual(undo, ['snat@node-2', 'dnat@node-2', 'snat@node-1']);
  assert.equal(r.sourceIPAtDestination, '10.0.1.20');
  const last = r.reply.at(-1);
  assert.ok(
    last?.kind === 'reply' && last.from === '10.0.1.20:30080' && last.to === (from(a, 'default/client') as { pod: { ip: string } }).pod.ip,
  );
});

test('DNS: a name with ndots (5) or more dots is tried as is first, before the search list', () => {
  const a = simulate(stream(deployment('client')));
  const r = tracePacket(a, from(a, 'default/client'), 'http://a.b.c.d.e.f:80');
  assert.equal(hop(r, 'dns')?.searched[0], 'a.b.c.d.e.f');
  const short = tracePacket(a, from(a, 'default/client'), 'http://a.b:80');
  assert.equal(hop(short, 'dns')?.searched[0], 'a.b.default.svc.cluster.local');
});

test('the API server behind the kubernetes Service is a node address: egress policy judges it by ipBlock', () => {
  const onlyDns = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-dns, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}]`;
  const open = simulate(stream(deployment('c')));
  const ok = tracePacket(open, from(open, 'default/c'), 'https://kubernetes.default');
  assert.equal(ok.verdict, 'delivered');
  assert.deepEqual(ok.destination?.kind === 'pod' && [ok.destination.name, ok.destination.ip, ok.destination.port], [
    'kube-apiserver',
    '10.0.1.10',
    6443,
  ]);
  // On another node than the API server's (node-1): the node address is judged by ipBlock, and nothing admits it.
  const locked = simulate(stream(deployment('c', { nodeName: 'node-2' }), onlyDns));
  const r = tracePacket(locked, from(locked, 'default/c'), 'https://kubernetes.default');
  assert.equal(r.verdict, 'dropped');
  assert.match(r.reason, /TCP 6443 to 10\.0\.1\.10/);
  // On the API server's own node: traffic between a pod and its own node is always allowed (NetworkPolicy's exception).
  const local = simulate(stream(deployment('c', { nodeName: 'node-1' }), onlyDns));
  const l = tracePacket(local, from(local, 'default/c'), 'https://kubernetes.default');
  assert.equal(l.verdict, 'delivered');
  const egress = l.hops.find((h) => h.kind === 'policy' && h.direction === 'egress' && h.purpose === 'connection');
  assert.ok(egress?.kind === 'policy' && egress.result.decidedBy === 'node', 'decided by the node exception');
});
