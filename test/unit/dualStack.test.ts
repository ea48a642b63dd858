// Dual-stack: kube-proxy runs one proxier per family (NewDualStackProxier), so every mode programs
// IPv6 Services apart: ip6tables rules, IPv6 IPVS virtual servers with KUBE-6- ipsets, the
// `table ip6 kube-proxy`; traces reach IPv6 ClusterIPs and pods from the sender's IPv6 address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectivityList, tracePacket, type Analysis } from '../../src/engine';
import { iptablesRules, ipsetName, ipvsRules, rulesByNode } from '../../src/engine/dataplane/rules';
import { nftablesRules } from '../../src/engine/dataplane/nftables';
import { endpointsOf } from '../../src/engine/dataplane/families';
import { sepChain } from '../../src/engine/dataplane/kubeProxy';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const DUAL = { podCIDR: '10.244.0.0/16', podCIDRv6: 'fd00:10:244::/56', serviceCIDR: '10.96.0.0/12', serviceCIDRv6: 'fd00:10:96::/112' };

const dual = (svcExtra: string[] = ['  ipFamilyPolicy: RequireDualStack'], settings: object = DUAL): Analysis =>
  simulate(
    stream(
      deployment('client', { nodeName: 'node-1' }),
      deployment('web', { replicas: 2 }),
      service('web', { type: 'NodePort', extra: svcExtra }),
    ),
    settings,
  );

const web = (a: Analysis) => a.cluster.services.find((s) => s.name === 'web');
const v6VIP = (a: Analysis) => web(a)?.clusterIPs.find((ip) => ip.includes(':')) ?? '';

test('a dual-stack Service gets one ClusterIP per family and its IPv6 endpoints are the pods at their IPv6 addresses', () => {
  const a = dual();
  const svc = web(a);
  assert.ok(svc);
  assert.equal(svc.clusterIPs.length, 2);
  const v6 = endpointsOf(a.cluster, svc, 0, 'ipv6');
  assert.equal(v6.length, 2);
  for (const e of v6) assert.equal(a.cluster.pods.find((p) => `${p.namespace}/${p.name}` === e.pod)?.ipv6, e.ip);
  assert.deepEqual(
    endpointsOf(a.cluster, svc, 0, 'ipv4')
      .map((e) => e.pod)
      .sort(),
    v6.map((e) => e.pod).sort(),
  );
});

test('iptables: an ip6tables-save part for IPv6 ClusterIPs, with bracketed endpoints and no IPv4 localnet guard', () => {
  const a = dual();
  const six = iptablesRules(a.cluster, 'node-1', 'ipv6');
  const vip = v6VIP(a);
  assert.match(
    six,
    new RegExp(`-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d ${vip} --dport 80 -j KUBE-SVC-`),
  );
  assert.match(six, /! -s fd00:10:244::\/56 -j KUBE-MARK-MASQ/);
  assert.match(six, /-j DNAT --to-destination \[fd00:10:244:[0-9a-f:]+\]:\d+/);
  assert.doesNotMatch(six, /127\.0\.0\.0\/8|10\.96\./);
  // KUBE-SEP names hash the endpoint as net.JoinHostPort writes it: [ip]:port.
  const ep = endpointsOf(a.cluster, web(a)!, 0, 'ipv6')[0]!;
  assert.ok(six.includes(`:${sepChain('default/web:http', 'tcp', `[${ep.ip}]:${ep.port}`)} - [0:0]`));
  const text = rulesByNode(a.cluster, 'iptables', 'node-1')[0]?.text ?? '';
  assert.ok(text.indexOf('# ip6tables-save') > text.indexOf('COMMIT'), 'the IPv6 rules follow the IPv4 ones');
  // A single-stack cluster prints no IPv6 part.
  assert.doesNotMatch(rulesByNode(dual([], {}).cluster, 'iptables', 'node-1')[0]?.text ?? '', /ip6tables/);
});

test('IPVS: IPv6 virtual servers in ipvsadm form and the KUBE-6- ipsets NewIPSet names', () => {
  const a = dual();
  const text = ipvsRules(a.cluster, 'node-1', ['ipv4', 'ipv6']);
  assert.match(text, new RegExp(`^TCP {2}\\[${v6VIP(a)}\\]:80 rr$`, 'm'));
  assert.match(text, /^ {2}-> \[fd00:10:244:[0-9a-f:]+\]:\d+ +Masq/m);
  assert.match(text, /^Name: KUBE-6-CLUSTER-IP$/m);
  assert.match(text, /--match-set KUBE-6-CLUSTER-IP dst,dst -j ACCEPT/);
  assert.match(text, /# ip6tables-save \(the iptables glue of IPVS mode\)/);
  // IPv4 servers first, each family in address order.
  const servers = text.split('\n').filter((l) => /^TCP {2}/.test(l));
  assert.ok(servers.findIndex((l) => l.includes('[')) > servers.findIndex((l) => !l.includes('[')));
  assert.equal(ipsetName('KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'ipv6'), 'KUBE-6-NODE-PORT-LOCAL-SCTP-HAS', 'cut to 31 characters');
});

test('nftables: table ip6 kube-proxy with ip6 matches and endpoint chains whose IPv6 colons are dots', () => {
  const a = dual();
  const text = nftablesRules(a.cluster, 'node-1', ['ipv4', 'ipv6']);
  const six = text.slice(text.indexOf('table ip6 kube-proxy {'));
  assert.ok(text.indexOf('table ip6 kube-proxy {') > 0);
  assert.match(six, /type ipv6_addr \. inet_proto \. inet_service : verdict/);
  assert.match(six, new RegExp(`ip6 daddr ${v6VIP(a)} ip6 saddr != fd00:10:244::/56 jump mark-for-masquerade`));
  assert.match(six, /chain endpoint-[A-Z2-7]{8}-default\/web\/tcp\/http__fd00\.10\.244\.[0-9a-f.]+\/\d+ \{/);
  assert.match(six, /meta l4proto tcp dnat to \[fd00:10:244:[0-9a-f:]+\]:\d+/);
  assert.match(six, /ip6 daddr \{ fd00:10:96::\/112 \} drop/);
  assert.doesNotMatch(six, /\bip daddr|10\.96\./);
});

test('trace to an IPv6 ClusterIP: DNAT to a pod IPv6 address, sent from the client pod IPv6 address', () => {
  const a = dual();
  const client = a.cluster.pods.find((p) => p.name.startsWith('client'));
  const r = tracePacket(a, from(a, 'default/client'), `[${v6VIP(a)}]:80`);
  assert.equal(r.verdict, 'delivered', r.reason);
  assert.equal(r.sourceIPAtDestination, client?.ipv6);
  assert.ok(r.destination?.kind === 'pod' && r.destination.ip.startsWith('fd00:10:244:'));
  assert.ok(r.candidates.every((c) => c.ip.includes(':')));
  assert.equal(
    r.hops.some((h) => h.kind === 'snat'),
    false,
    'a pod client is not masqueraded',
  );
  // Straight to a pod's IPv6 address.
  const target = a.cluster.pods.find((p) => p.name.startsWith('web'));
  const direct = tracePacket(a, from(a, 'default/client'), `[${target?.ipv6}]:80`);
  assert.equal(direct.verdict, 'delivered', direct.reason);
});

test('a single-stack pod cannot reach an IPv6 address: Network is unreachable', () => {
  const a = dual(['  ipFamilyPolicy: RequireDualStack'], { serviceCIDRv6: 'fd00:10:96::/112' });
  const r = tracePacket(a, from(a, 'default/client'), `[${v6VIP(a)}]:80`);
  assert.equal(r.verdict, 'unrouted');
  assert.match(r.reason, /has no IPv6 address .*Network is unreachable/);
});

test('matrix: a dual-stack cluster lists the IPv6 address ranges beside the IPv4 ones', () => {
  const lines = (a: Analysis) => connectivityList(a.policies, { gateways: a.gateway }).entries.map((e) => `${e.src} => ${e.dst}`);
  assert.ok(lines(dual()).some((l) => l.startsWith('::-ffff:')));
  assert.ok(!lines(dual([], {})).some((l) => l.includes('::')));
});

test('spec.clusterIPs: the IPv6 address a dual-stack Service (or a snapshot) gives is kept, not rehashed', () => {
  const a = dual(['  ipFamilyPolicy: RequireDualStack', '  clusterIP: 10.96.20.20', '  clusterIPs: [10.96.20.20, "fd00:10:96::20"]']);
  assert.deepEqual(web(a)?.clusterIPs, ['10.96.20.20', 'fd00:10:96::20']);
  const r = tracePacket(a, from(a, 'default/client'), '[fd00:10:96::20]:80');
  assert.equal(r.verdict, 'delivered', r.reason);
  // One outside the IPv6 Service CIDR is not kept: the API server would refuse it; an address is allocated.
  const out = dual(['  ipFamilyPolicy: RequireDualStack', '  clusterIPs: [10.96.20.20, "2001:db8::1"]']);
  assert.ok(web(out)?.clusterIPs[1]?.startsWith('fd00:10:96:'));
});
