// The Service fields that change where traffic goes or who may send it, as kube-proxy applies them:
// trafficDistribution and EndpointSlice hints (pkg/proxy/topology.go, CategorizeEndpoints),
// internalTrafficPolicy Local, loadBalancerSourceRanges, healthCheckNodePort and sessionAffinity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket, type Analysis, type TraceResult } from '../../src/engine';
import type { NodeSetting } from '../../src/engine/cluster/settings';
import { iptablesRules, ipvsRules } from '../../src/engine/dataplane/rules';
import { nftablesRules } from '../../src/engine/dataplane/nftables';
import { deployment, from, service, simulate, stream } from '../traceFixtures';
import { hoverAt } from '../../src/extension/analysis/hoverText';
import { SymbolIndex } from '../../src/extension/analysis/symbols';

const ZONED: { nodes: NodeSetting[] } = {
  nodes: [
    { name: 'node-1', ip: '10.0.1.10', labels: { 'topology.kubernetes.io/zone': 'a' } },
    { name: 'node-2', ip: '10.0.1.20', labels: { 'topology.kubernetes.io/zone': 'a' } },
    { name: 'node-3', ip: '10.0.1.30', labels: { 'topology.kubernetes.io/zone': 'b' } },
    { name: 'node-4', ip: '10.0.1.40', labels: {} },
  ],
};

/** `web` pinned one replica per node (a DaemonSet), the client on `clientNode`. */
const zoned = (svcExtra: string[], clientNode = 'node-1', settings: object = ZONED): Analysis =>
  simulate(
    stream(deployment('client', { nodeName: clientNode }), deployment('web', { kind: 'DaemonSet' }), service('web', { extra: svcExtra })),
    settings,
  );

const dnat = (r: TraceResult) => r.hops.find((h) => h.kind === 'dnat');
const nodesOf = (r: TraceResult) => [...new Set(r.candidates.map((c) => c.node))].sort();

test('trafficDistribution PreferClose: the controller hints each endpoint for its zone and kube-proxy keeps the client node zone', () => {
  const a = zoned(['  trafficDistribution: PreferClose']);
  const web = a.cluster.services.find((s) => s.name === 'web');
  assert.deepEqual(web?.endpointsByPort[0]?.map((e) => [e.node, e.zoneHints?.join(',') ?? '-']).sort(), [
    ['node-1', 'a'],
    ['node-2', 'a'],
    ['node-3', 'b'],
    ['node-4', '-'],
  ]);
  // node-4 has no zone, so its endpoint gets no hint: kube-proxy then ignores every hint (topology.go:
  // "some ready endpoints have no zone hints") and uses all four.
  const r = tracePacket(a, from(a, 'default/client'), 'http://web');
  assert.deepEqual(nodesOf(r), ['node-1', 'node-2', 'node-3', 'node-4']);
  assert.match(
    dnat(r)?.kind === 'dnat' ? ((dnat(r) as { topology?: string }).topology ?? '') : '',
    /some ready endpoints have no zone hints/,
  );
});

test('PreferClose with every endpoint in a zone: a zone-a client gets zone-a endpoints at equal weight, a zone-b client zone b', () => {
  const three = { nodes: ZONED.nodes.slice(0, 3) };
  const a = zoned(['  trafficDistribution: PreferClose'], 'node-1', three);
  const r = tracePacket(a, from(a, 'default/client'), 'http://web');
  assert.equal(r.verdict, 'delivered');
  assert.deepEqual(nodesOf(r), ['node-1', 'node-2']);
  assert.deepEqual(
    r.candidates.map((c) => c.weight),
    [0.5, 0.5],
  );
  assert.match((dnat(r) as { topology?: string }).topology ?? '', /only endpoints hinted for zone a/);
  const b = zoned(['  trafficDistribution: PreferClose'], 'node-3', three);
  assert.deepEqual(nodesOf(tracePacket(b, from(b, 'default/client'), 'http://web')), ['node-3']);
  // Without trafficDistribution no hints are written and every endpoint is a candidate.
  const plain = zoned([], 'node-1', three);
  assert.deepEqual(nodesOf(tracePacket(plain, from(plain, 'default/client'), 'http://web')), ['node-1', 'node-2', 'node-3']);
  // The rules of a zone-a node name only the zone-a endpoints (kube-proxy filters before writing them).
  const rules = iptablesRules(a.cluster, 'node-1');
  assert.equal((rules.match(/-A KUBE-SVC-\w+ -m comment --comment "default\/web:http -> /g) ?? []).length, 2);
  assert.match(nftablesRules(a.cluster, 'node-3'), /numgen random mod 1 vmap/);
});

test('PreferClose: a node whose zone no endpoint is hinted for falls back to all endpoints, and says why', () => {
  const nodes = [...ZONED.nodes.slice(0, 2), { name: 'node-3', ip: '10.0.1.30', labels: { 'topology.kubernetes.io/zone': 'c' } }];
  const a = simulate(
    stream(
      deployment('client', { nodeName: 'node-3' }),
      deployment('web', { replicas: 2, nodeName: 'node-1' }),
      service('web', { extra: ['  trafficDistribution: PreferClose'] }),
    ),
    { nodes },
  );
  const r = tracePacket(a, from(a, 'default/client'), 'http://web');
  assert.equal(r.candidates.length, 2);
  assert.match(
    (dnat(r) as { topology?: string }).topology ?? '',
    /no endpoint is hinted for zone c, so kube-proxy falls back to all endpoints/,
  );
});

test('PreferSameNode: the client node own endpoint only', () => {
  const three = { nodes: ZONED.nodes.slice(0, 3) };
  const a = zoned(['  trafficDistribution: PreferSameNode'], 'node-2', three);
  const r = tracePacket(a, from(a, 'default/client'), 'http://web');
  assert.deepEqual(nodesOf(r), ['node-2']);
  assert.match((dnat(r) as { topology?: string }).topology ?? '', /only endpoints hinted for node-2/);
});

test('internalTrafficPolicy Local from a pod on a node without an endpoint: dropped, naming where the endpoints run', () => {
  const a = simulate(
    stream(
      deployment('client', { nodeName: 'node-1' }),
      deployment('web', { nodeName: 'node-3' }),
      service('web', { extra: ['  internalTrafficPolicy: Local'] }),
    ),
  );
  const r = tracePacket(a, from(a, 'default/client'), 'http://web');
  assert.equal(r.verdict, 'dropped');
  assert.match(r.reason, /internalTrafficPolicy is Local and node-1 runs no endpoint of default\/web:http \(its endpoints run on node-3\)/);
  assert.match(iptablesRules(a.cluster, 'node-1'), /"default\/web:http has no local endpoints" -m tcp -p tcp -d [\d.]+ --dport 80 -j DROP/);
  assert.match(nftablesRules(a.cluster, 'node-1'), /comment "default\/web:http" : drop/);
});

const GUARDED = stream(
  deployment('client', { nodeName: 'node-1' }),
  deployment('web', { nodeName: 'node-2' }),
  service('web', {
    type: 'LoadBalancer',
    extra: ['  externalTrafficPolicy: Local', '  loadBalancerSourceRanges: [198.51.100.0/24, " 192.0.2.0/28"]'],
  }),
);
const guarded = () => simulate(GUARDED);

test('loadBalancerSourceRanges: a client outside them is dropped at the load balancer; one inside gets through', () => {
  const a = guarded();
  const lb = a.cluster.services.find((s) => s.name === 'web')?.loadBalancerIP;
  assert.ok(lb);
  const out = tracePacket(a, from(a, 'external:203.0.113.5'), `${lb}:80`);
  assert.equal(out.verdict, 'dropped');
  assert.match(
    out.reason,
    /admits only 198\.51\.100\.0\/24, 192\.0\.2\.0\/28 \(loadBalancerSourceRanges\), and 203\.0\.113\.5 is outside them/,
  );
  const drop = out.hops.find((h) => h.kind === 'drop');
  assert.ok(drop && drop.kind === 'drop');
  assert.equal(
    drop.range?.line,
    GUARDED.split('\n').findIndex((l) => l.includes('loadBalancerSourceRanges')) + 1,
    'the drop points at the field',
  );
  const inside = tracePacket(a, from(a, 'external:192.0.2.7'), `${lb}:80`);
  assert.equal(inside.verdict, 'delivered', inside.reason);
  const hop = inside.hops.find((h) => h.kind === 'load-balancer');
  assert.ok(hop && hop.kind === 'load-balancer');
  assert.deepEqual(hop.sourceRanges, ['198.51.100.0/24', '192.0.2.0/28']);
  // A pod reaching the LB IP is filtered by kube-proxy's firewall chain on its node (pod IPs are outside the ranges).
  assert.equal(tracePacket(a, from(a, 'default/client'), `${lb}:80`).verdict, 'dropped');
});

test('loadBalancerSourceRanges in the rules: KUBE-FW- and KUBE-PROXY-FIREWALL, the nftables firewall- chain, the IPVS FW ipsets', () => {
  const a = guarded();
  const ipt = iptablesRules(a.cluster, 'node-2');
  assert.match(
    ipt,
    /-A KUBE-SERVICES -m comment --comment "default\/web:http loadbalancer IP" -m tcp -p tcp -d [\d.]+ --dport 80 -j KUBE-FW-\w{16}/,
  );
  assert.match(ipt, /-A KUBE-FW-\w{16} -m comment --comment "default\/web:http loadbalancer IP" -s 198\.51\.100\.0\/24 -j KUBE-EXT-\w{16}/);
  assert.match(
    ipt,
    /-A KUBE-PROXY-FIREWALL -m comment --comment "default\/web:http traffic not accepted by KUBE-FW-\w{16}" -m tcp -p tcp -d [\d.]+ --dport 80 -j DROP/,
  );
  assert.match(nftablesRules(a.cluster, 'node-2'), /ip saddr != \{ 198\.51\.100\.0\/24, 192\.0\.2\.0\/28 \} drop/);
  const ipvs = ipvsRules(a.cluster, 'node-2');
  assert.match(ipvs, /Name: KUBE-LOAD-BALANCER-SOURCE-CIDR\nType: hash:ip,port,net\nMembers:\n[\d.]+,tcp:80,192\.0\.2\.0\/28/);
  assert.match(ipvs, /-A KUBE-SOURCE-RANGES-FIREWALL -j DROP/);
});

test('healthCheckNodePort: allocated for a Local LoadBalancer, let in by the rules, answered by kube-proxy 200 or 503', () => {
  const a = guarded();
  const svc = a.cluster.services.find((s) => s.name === 'web');
  const hc = svc?.healthCheckNodePort;
  assert.ok(hc !== undefined && hc >= 30000 && hc <= 32767);
  assert.ok(!svc?.ports.some((p) => p.nodePort === hc), 'a port of its own');
  assert.match(
    iptablesRules(a.cluster, 'node-1'),
    new RegExp(`-A KUBE-NODEPORTS -m comment --comment "default/web:http health check node port" -m tcp -p tcp --dport ${hc} -j ACCEPT`),
  );
  const ok = tracePacket(a, from(a, 'external:192.0.2.7'), `10.0.1.20:${hc}`);
  assert.equal(ok.verdict, 'delivered');
  assert.match(ok.reason, /health check server on node-2 .*HTTP 200 with "localEndpoints": 1/);
  const bad = tracePacket(a, from(a, 'external:192.0.2.7'), `10.0.1.10:${hc}`);
  assert.match(bad.reason, /HTTP 503/);
  const lb = tracePacket(a, from(a, 'external:192.0.2.7'), `${svc?.loadBalancerIP}:80`).hops.find((h) => h.kind === 'load-balancer');
  assert.ok(lb && lb.kind === 'load-balancer' && lb.healthCheckNodePort === hc);
  assert.deepEqual(
    lb.nodes.map((n) => n.node),
    ['node-2'],
    'only the node with the endpoint passes the health check',
  );
});

test('sessionAffinity ClientIP: its timeout in every mode (recent --seconds, persistent, affinity set timeout)', () => {
  const a = simulate(
    stream(
      deployment('web', { replicas: 2 }),
      service('web', { extra: ['  sessionAffinity: ClientIP', '  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}'] }),
    ),
  );
  assert.match(iptablesRules(a.cluster, 'node-1'), /-m recent --name KUBE-SEP-\w{16} --rcheck --seconds 600 --reap -j KUBE-SEP-/);
  assert.match(ipvsRules(a.cluster, 'node-1'), /^TCP {2}[\d.]+:80 rr persistent 600$/m);
  assert.match(nftablesRules(a.cluster, 'node-1'), /flags dynamic,timeout\n\t\ttimeout 10m\n/);
});

test('the Service hover says what each of these fields does to its traffic', () => {
  const text = GUARDED.replace(
    '  externalTrafficPolicy: Local',
    '  externalTrafficPolicy: Local\n  trafficDistribution: PreferClose\n  sessionAffinity: ClientIP',
  );
  const a = simulate({ 'svc.yaml': text });
  const line = text.split('\n').findIndex((l) => l === 'kind: Service');
  const h = (hoverAt(a, new SymbolIndex(a), 'svc.yaml', { line: line + 1, character: 18 })?.lines ?? []).join('\n');
  assert.match(h, /Traffic distribution `PreferClose`: kube-proxy iptables keeps the endpoints hinted for the client node's zone/);
  assert.match(h, /fail the load balancer's health check on `healthCheckNodePort \d+`/);
  assert.match(h, /Load balancer admits only `198\.51\.100\.0\/24`, `192\.0\.2\.0\/28`/);
  assert.match(h, /sticks to its endpoint for 10800s/);
});
