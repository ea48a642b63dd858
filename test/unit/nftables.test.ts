// kube-proxy's nftables mode (`rules --mode nftables`, kubeProxyMode: nftables): chain names and the
// whole table compared with kube-proxy's own test expectations (kubernetes/kubernetes
// pkg/proxy/nftables/proxier_test.go), plus what the trace says in nftables terms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  hashAndTruncate,
  nftAffinitySet,
  nftEndpointChain,
  nftExternalChain,
  nftFirewallChain,
  nftServiceChain,
} from '../../src/engine/dataplane/nftNames';
import { nftDuration, nftablesRules } from '../../src/engine/dataplane/nftables';
import { rulesByNode } from '../../src/engine/dataplane/rules';
import { analyze } from '../helpers';
import { deployment, from, service, simulate, stream } from '../traceFixtures';
import { tracePacket, renderHop, type TraceResult } from '../../src/engine';

const traceLines = (r: TraceResult) => r.hops.map((h) => renderHop(h).detail);
import { nftTransaction } from '../nftParse';

const FIXTURE = 'test/fixtures/nftables/overall';
const overall = () =>
  analyze(
    { [join(FIXTURE, 'services.yaml')]: readFileSync(join(FIXTURE, 'services.yaml'), 'utf8') },
    readFileSync(join(FIXTURE, 'kube-netsim.yaml'), 'utf8'),
  );

const p80 = (ns: string, name: string) => ({ namespace: ns, name, port: 'p80' });

test('chain and set names are hashed as kube-proxy hashes them (vectors from proxier_test.go)', () => {
  // TestOverallNFTablesRules and servicePortChainNameBase's doc comment ("ULMVA6XW-ns1/svc1/tcp/p80").
  assert.equal(nftServiceChain(p80('ns1', 'svc1'), 'tcp'), 'service-ULMVA6XW-ns1/svc1/tcp/p80');
  assert.equal(nftEndpointChain(p80('ns1', 'svc1'), 'tcp', '10.180.0.1', 80), 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  assert.equal(nftServiceChain(p80('ns2', 'svc2'), 'TCP'), 'service-42NFTM6N-ns2/svc2/tcp/p80');
  assert.equal(nftExternalChain(p80('ns3', 'svc3'), 'tcp'), 'external-4AT6LBPK-ns3/svc3/tcp/p80');
  assert.equal(nftEndpointChain(p80('ns4', 'svc4'), 'tcp', '10.180.0.4', 80), 'endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80');
  assert.equal(nftEndpointChain(p80('ns4', 'svc4'), 'tcp', '10.180.0.5', 80), 'endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80');
  assert.equal(nftFirewallChain(p80('ns5', 'svc5'), 'tcp'), 'firewall-HVFWP5L3-ns5/svc5/tcp/p80');
  assert.equal(nftAffinitySet(p80('ns5', 'svc5'), 'tcp', '10.180.0.3', 80), 'affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80');
  // IPv6 endpoints: colons become dots (servicePortEndpointChainNameBase), the hash covers the dotted name.
  assert.match(
    nftEndpointChain(p80('ns1', 'svc1'), 'tcp', 'fd00:10::1', 80),
    /^endpoint-[A-Z2-7]{8}-ns1\/svc1\/tcp\/p80__fd00\.10\.\.1\/80$/,
  );
  // hashAndTruncate: names past 240 characters end in "..." and stay unique by their hash.
  const long = hashAndTruncate('x'.repeat(300));
  assert.equal(long.length, 240);
  assert.ok(long.endsWith('...'));
  assert.notEqual(hashAndTruncate('y'.repeat(300)).slice(0, 8), long.slice(0, 8));
});

test('the whole table holds every line of kube-proxy TestOverallNFTablesRules expectation', () => {
  const a = overall();
  const [group] = rulesByNode(a.cluster, 'nftables');
  assert.deepEqual(group?.nodes, ['test-node']);
  const ours = new Set(nftTransaction(group?.text ?? ''));
  const expected = readFileSync('test/fixtures/nftables/overall.expected', 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
  assert.ok(expected.length > 100);
  const missing = expected.filter((l) => !ours.has(l));
  assert.deepEqual(missing, []);
  // And nothing more for svc1..svc6 than kube-proxy writes (the implicit kubernetes and kube-dns Services aside).
  const want = new Set(expected);
  const extra = [...ours].filter((l) => /ns[1-6]\//.test(l) && !want.has(l));
  assert.deepEqual(extra, []);
});

test('`nft list` form: base chains with named priorities, marks as nft prints them, set timeouts in nft units', () => {
  const text = rulesByNode(overall().cluster, 'nftables')[0]?.text ?? '';
  assert.match(text, /^table ip kube-proxy \{\n\tcomment "rules for kube-proxy"\n/);
  assert.match(
    text,
    /chain filter-prerouting-pre-dnat \{\n\t\ttype filter hook prerouting priority dstnat - 10; policy accept;\n\t\tct state new jump firewall-check\n\t\}/,
  );
  assert.match(text, /chain nat-postrouting \{\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tjump masquerading\n/);
  assert.match(text, /chain mark-for-masquerade \{\n\t\tmeta mark set meta mark \| 0x00004000\n/);
  assert.match(
    text,
    /set affinity-GTK6MW7G-ns5\/svc5\/tcp\/p80__10\.180\.0\.3\/80 \{\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 3h\n/,
  );
  assert.deepEqual([10800, 10, 90, 86400 + 61].map(nftDuration), ['3h', '10s', '1m30s', '1d1m1s']);
  // No ip6 table in a single-stack cluster.
  assert.doesNotMatch(text, /table ip6/);
});

test('externalTrafficPolicy Local: a local- chain only on the node with the endpoint, drop in no-endpoint-* elsewhere', () => {
  const a = analyze(
    {
      'app.yaml': `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: node-2
  containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
`,
    },
    { kubeProxyMode: 'nftables' },
  );
  const node2 = nftablesRules(a.cluster, 'node-2');
  const node1 = nftablesRules(a.cluster, 'node-1');
  const local = /chain local-([A-Z2-7]{8})-default\/web\/tcp\/http \{\n\t\tnumgen random mod 1 vmap \{ 0 : goto endpoint-/;
  assert.match(node2, local);
  assert.doesNotMatch(node1, /chain local-/);
  assert.match(node1, /tcp \. 30080 comment "default\/web:http" : drop/);
  assert.doesNotMatch(node2, /tcp \. 30080 comment/);
  // The node's own address is the only NodePort address (--nodeport-addresses primary).
  assert.match(node1, /set nodeport-ips \{[^}]*elements = \{ 10\.0\.1\.10 \}/);
});

const nftShop = (extra: string[] = []) =>
  simulate(
    stream(
      deployment('frontend', { namespace: 'shop', nodeName: 'node-1' }),
      deployment('backend', { namespace: 'shop', replicas: 3 }),
      service('backend', { namespace: 'shop', ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }),
      ...extra,
    ),
    { kubeProxyMode: 'nftables' },
  );

test('trace under kubeProxyMode nftables: the DNAT hop walks services → service- chain → the endpoint- chain numgen picked', () => {
  const a = nftShop();
  const r = tracePacket(a, from(a, 'shop/frontend'), 'http://backend:8080');
  assert.equal(r.verdict, 'delivered');
  const d = r.hops.find((h) => h.kind === 'dnat');
  assert.ok(d && d.kind === 'dnat');
  assert.equal(d.dataplane, 'nftables');
  assert.match(d.path[0] ?? '', /^services \(ip daddr \. meta l4proto \. th dport vmap @service-ips: [\d.]+ \. tcp \. 8080\)$/);
  assert.match(d.path[1] ?? '', /^service-[A-Z2-7]{8}-shop\/backend\/tcp\/http$/);
  const chosen = r.candidates.find((c) => c.chosen);
  assert.ok(chosen);
  assert.match(
    d.path[2] ?? '',
    new RegExp(
      `^endpoint-[A-Z2-7]{8}-shop/backend/tcp/http__${chosen.ip.replaceAll('.', '\\.')}/${chosen.port} \\(numgen random mod 3 = [0-2]\\)$`,
    ),
  );
  // The chain names in the trace are the ones `rules --mode nftables` prints.
  const text = nftablesRules(a.cluster, 'node-1');
  for (const chain of [d.path[1] ?? '', (d.path[2] ?? '').split(' ')[0] ?? '']) assert.ok(text.includes(`chain ${chain} {`), chain);
  const line = traceLines(r).find((l) => l.includes('nftables DNAT'));
  assert.ok(line, 'the rendered hop names nftables');
  assert.doesNotMatch(line, /probability|last rule/);
});

test('trace under nftables: no endpoints is rejected by reject-chain; an undefined port of a ClusterIP by cluster-ips-check', () => {
  const a = nftShop([service('empty', { namespace: 'shop', selector: { app: 'nothing' }, ports: [{ port: 80 }] })]);
  const none = tracePacket(a, from(a, 'shop/frontend'), 'http://empty.shop:80');
  assert.equal(none.verdict, 'refused');
  const reject = none.hops.find((h) => h.kind === 'reject');
  assert.ok(reject && reject.kind === 'reject');
  assert.match(reject.rule, /no-endpoint-services \{ [\d.]+ \. tcp \. 80 comment "shop\/empty" : goto reject-chain \}/);
  const wrong = tracePacket(a, from(a, 'shop/frontend'), 'http://backend.shop:9999');
  assert.equal(wrong.verdict, 'refused', 'kube-proxy TestClusterIPGeneral: "svc1 does not accept svc2\'s ports" → REJECT');
  assert.match(JSON.stringify(wrong.hops), /cluster-ips-check/);
});
