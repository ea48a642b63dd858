import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { base32, sha256 } from '../../src/engine/hash';
import { decide, probability, sepChain, servicePortName, svcChain, type ProxyRequest } from '../../src/engine/dataplane/kubeProxy';
import { iptablesRules, ipvsRules, rulesByNode } from '../../src/engine/dataplane/rules';
import type { SimService } from '../../src/engine';
import { deployment, service, simulate, stream } from '../traceFixtures';

test('sha256 agrees with node:crypto, including multi-block and non-ASCII input', () => {
  for (const s of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'ü'.repeat(100), 'default/kubernetes:httpstcp']) {
    assert.equal(Buffer.from(sha256(s)).toString('hex'), createHash('sha256').update(s).digest('hex'), `length ${s.length}`);
  }
  assert.equal(base32(new TextEncoder().encode('foobar')), 'MZXW6YTBOI======'); // RFC 4648 test vector
});

test('chain names are hashed exactly as kube-proxy hashes them (values seen on real clusters)', () => {
  assert.equal(svcChain('default/kubernetes:https', 'tcp'), 'KUBE-SVC-NPX46M4PTMTKRN6Y');
  assert.equal(svcChain('kube-system/kube-dns:dns', 'udp'), 'KUBE-SVC-TCOU7JCQXEZGVUNU');
  assert.equal(svcChain('kube-system/kube-dns:dns-tcp', 'tcp'), 'KUBE-SVC-ERIFXISQEP7F7OF4');
  assert.equal(svcChain('kube-system/kube-dns:metrics', 'TCP'), 'KUBE-SVC-JD5MR3NA4I4DYORP');
  // kube-proxy's own unit tests: ns1/svc1:p80 → KUBE-SVC-XPGD46QRK7WJZT7O, endpoint 10.180.0.1:80 → KUBE-SEP-SXIVWICOYRO3J4NJ.
  assert.equal(svcChain('ns1/svc1:p80', 'tcp'), 'KUBE-SVC-XPGD46QRK7WJZT7O');
  assert.equal(sepChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
  assert.equal(servicePortName({ namespace: 'a', name: 'b' }, {}), 'a/b');
  assert.equal(servicePortName({ namespace: 'a', name: 'b' }, { name: 'http' }), 'a/b:http');
});

test('probabilities are printed with ten decimals, as fmt.Sprintf("%0.10f") does', () => {
  assert.deepEqual([2, 3, 4, 7].map(probability), ['0.5000000000', '0.3333333333', '0.2500000000', '0.1428571429']);
});

const web = (svcExtra: string[] = [], replicas = 3) =>
  simulate(
    stream(
      deployment('web', { replicas }),
      service('web', { type: 'NodePort', extra: svcExtra }),
      service('empty', { selector: { app: 'nothing' }, ports: [{ port: 80 }] }),
    ),
  );

test('iptables: 3 endpoints give the 1/3, 1/2, rest ladder and a REJECT for a Service without endpoints', () => {
  const a = web();
  const rules = iptablesRules(a.cluster, 'node-1');
  const chain = svcChain('default/web:http', 'tcp');
  const ladder = rules.split('\n').filter((l) => l.startsWith(`-A ${chain} -m comment --comment "default/web:http -> `));
  assert.equal(ladder.length, 3);
  assert.match(ladder[0] as string, /--probability 0\.3333333333 -j KUBE-SEP-/);
  assert.match(ladder[1] as string, /--probability 0\.5000000000 -j KUBE-SEP-/);
  assert.doesNotMatch(ladder[2] as string, /probability/);
  assert.match(
    rules,
    /-A KUBE-SERVICES -m comment --comment "default\/empty has no endpoints" -m tcp -p tcp -d [\d.]+ --dport 80 -j REJECT/,
  );
  assert.match(rules, new RegExp(`-A KUBE-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport \\d+ -j KUBE-EXT-`));
  assert.match(rules, /masquerade traffic for default\/web:http external destinations" -j KUBE-MARK-MASQ/);
  assert.ok(rules.indexOf('*filter') < rules.indexOf('*nat'));
  // The nodeports jump is the last rule of KUBE-SERVICES.
  const nat = rules.slice(rules.indexOf('*nat'));
  const services = nat.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES'));
  assert.match(services[services.length - 1] as string, /-j KUBE-NODEPORTS$/);
  // Same rules everywhere under Cluster policies.
  assert.deepEqual(
    rulesByNode(a.cluster, 'iptables').map((g) => g.nodes),
    [['node-1', 'node-2', 'node-3']],
  );
});

test('iptables: externalTrafficPolicy Local gives per-node rules, a KUBE-SVL chain and DROP where no local endpoint runs', () => {
  const a = simulate(
    stream(deployment('web', { nodeName: 'node-2' }), service('web', { type: 'NodePort', extra: ['  externalTrafficPolicy: Local'] })),
  );
  const groups = rulesByNode(a.cluster, 'iptables');
  assert.deepEqual(
    groups.map((g) => g.nodes),
    [['node-1', 'node-3'], ['node-2']],
  );
  const withEndpoint = groups[1]?.text ?? '';
  const without = groups[0]?.text ?? '';
  assert.match(withEndpoint, /-A KUBE-EXT-\w+ -j KUBE-SVL-\w+/);
  assert.match(
    without,
    /-A KUBE-EXTERNAL-SERVICES -m comment --comment "default\/web:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport \d+ -j DROP/,
  );
  assert.match(without, /pod traffic for default\/web:http external destinations" -s 10\.244\.0\.0\/16 -j KUBE-SVC-/);
});

test('iptables: sessionAffinity ClientIP adds -m recent checks before the ladder and --set in each endpoint chain', () => {
  const rules = iptablesRules(web(['  sessionAffinity: ClientIP']).cluster, 'node-1');
  assert.match(rules, /-m recent --name KUBE-SEP-\w+ --rcheck --seconds 10800 --reap -j KUBE-SEP-/);
  assert.match(rules, /-m recent --name KUBE-SEP-\w+ --set -m tcp -p tcp -j DNAT --to-destination 10\.244\.\d+\.\d+:8080/);
});

test('ipvs: ipvsadm -Ln lists a virtual server per ClusterIP and NodePort with rr and weight-1 real servers', () => {
  const a = web(['  sessionAffinity: ClientIP']);
  const svc = a.cluster.services.find((s) => s.name === 'web') as SimService;
  const text = ipvsRules(a.cluster, 'node-1');
  assert.ok(text.includes(`TCP  ${svc.clusterIP}:80 rr persistent 10800`), text);
  assert.ok(text.includes(`TCP  10.0.1.10:${svc.ports[0]?.nodePort} rr persistent 10800`));
  const reals = text.split('\n').filter((l) => /^ {2}-> 10\.244\.\d+\.\d+:8080 +Masq +1 +0 +0$/.test(l));
  assert.equal(reals.length, 6); // 3 behind the ClusterIP, 3 behind the NodePort
  assert.match(text, /Name: KUBE-NODE-PORT-TCP\nType: bitmap:port/);
  assert.match(text, /-m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE/);
});

function request(a: ReturnType<typeof web>, o: Partial<Omit<ProxyRequest, 'service'>> & { service: string }): ProxyRequest {
  const svc = a.cluster.services.find((s) => s.name === o.service) as SimService;
  return {
    portIndex: 0,
    node: 'node-1',
    traffic: 'internal',
    entry: 'clusterIP',
    clientIP: '10.244.1.50',
    clientKind: 'pod',
    clientIsThisNode: false,
    settings: a.cluster.settings,
    ...o,
    service: svc,
  };
}

test('decide: ClusterIP traffic is DNATed to one of all endpoints, each with weight 1/n, the same one every time', () => {
  const a = web();
  const d = decide(request(a, { service: 'web' }));
  assert.equal(d.kind, 'dnat');
  if (d.kind !== 'dnat') return;
  assert.equal(d.candidates.length, 3);
  assert.ok(d.candidates.every((c) => Math.abs(c.weight - 1 / 3) < 1e-12));
  assert.deepEqual(d.path.slice(0, 2), ['KUBE-SERVICES (default/web:http cluster IP)', svcChain('default/web:http', 'tcp')]);
  assert.equal(d.path[2], d.chosen.chain);
  assert.equal(d.masquerade, undefined);
  const again = decide(request(a, { service: 'web' }));
  assert.equal(again.kind === 'dnat' && again.chosen.endpoint.ip, d.chosen.endpoint.ip);
});

test('decide: no endpoints → REJECT; internalTrafficPolicy Local with none on the node → DROP', () => {
  const a = simulate(
    stream(
      deployment('web', { nodeName: 'node-2' }),
      service('web', { extra: ['  internalTrafficPolicy: Local'] }),
      service('empty', { selector: { app: 'x' } }),
    ),
  );
  assert.equal(decide(request(a, { service: 'empty' })).kind, 'reject');
  assert.equal(decide(request(a, { service: 'web', node: 'node-1' })).kind, 'drop');
  const local = decide(request(a, { service: 'web', node: 'node-2' }));
  assert.ok(local.kind === 'dnat' && local.localOnly && local.path.some((p) => p.startsWith('KUBE-SVL-')));
});

test('decide: external traffic masquerades under Cluster, is dropped under Local on a node without endpoints, and a pod reaching itself is hairpinned', () => {
  const a = simulate(
    stream(
      deployment('web', { nodeName: 'node-2' }),
      service('web', { type: 'NodePort', extra: ['  externalTrafficPolicy: Local'] }),
      deployment('api'),
      service('api', { type: 'NodePort' }),
    ),
  );
  const ext = { traffic: 'external' as const, entry: 'nodePort' as const, clientIP: '203.0.113.5', clientKind: 'external' as const };
  const cluster = decide(request(a, { service: 'api', ...ext }));
  assert.ok(cluster.kind === 'dnat' && cluster.masquerade === 'external-cluster-policy');
  assert.equal(decide(request(a, { service: 'web', node: 'node-1', ...ext })).kind, 'drop');
  const kept = decide(request(a, { service: 'web', node: 'node-2', ...ext }));
  assert.ok(kept.kind === 'dnat' && kept.masquerade === undefined && kept.localOnly);
  const apiPod = a.cluster.pods.find((p) => p.workload.name === 'api');
  const self = decide(request(a, { service: 'api', clientIP: apiPod?.ip ?? '', node: apiPod?.node ?? '' }));
  assert.ok(self.kind === 'dnat' && self.masquerade === 'hairpin');
});
