// The CNI data path of an IPv6 packet: a dual-stack node has an InternalIP and a spec.podCIDRs
// entry of each family (https://kubernetes.io/docs/concepts/services-networking/dual-stack/), and
// an IPv6 packet is routed by the IPv6 ones: the next hop is the peer node's IPv6 address and the
// route names its IPv6 pod CIDR (or Calico IPAM block, /122 for IPv6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket, type Analysis, type ClusterSettings } from '../../src/engine';
import { parseSettings } from '../../src/engine/cluster/settings';
import { cidrContains } from '../../src/engine/cluster/ipam';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const DUAL = { podCIDRv6: 'fd00:10:244::/56', serviceCIDRv6: 'fd00:10:96::/112' };

const cluster = (settings: Partial<ClusterSettings>, extra = ''): Analysis =>
  simulate(
    stream(
      deployment('client', { nodeName: 'node-1' }),
      deployment('web', { nodeName: 'node-2' }),
      service('web', { extra: ['  ipFamilyPolicy: RequireDualStack'] }),
      ...(extra ? [extra] : []),
    ),
    { ...DUAL, ...settings },
  );

const routes = (hops: Array<{ kind: string }>) =>
  hops.filter((h): h is { kind: 'route'; node: string; route: string; note: string } => h.kind === 'route');

const v6VIP = (a: Analysis) => a.cluster.services.find((s) => s.name === 'web')?.clusterIPs.find((ip) => ip.includes(':')) ?? '';

test('dual-stack default nodes: an IPv6 InternalIP mirroring the IPv4 one and an IPv6 pod CIDR each', () => {
  const a = cluster({});
  const n2 = a.cluster.nodes.find((n) => n.name === 'node-2');
  assert.equal(n2?.ipv6, 'fd00:10:0:1::20');
  assert.ok(n2?.podCIDRv6 && cidrContains('fd00:10:244::/56', n2.podCIDRv6.split('/')[0] ?? ''));
  const web = a.cluster.pods.find((p) => p.name.startsWith('web'));
  assert.ok(web?.ipv6 && cidrContains(n2.podCIDRv6, web.ipv6), 'the pod takes its IPv6 address from its node\u2019s IPv6 range');
  // A single-stack cluster's nodes keep one address.
  assert.equal(simulate(deployment('x')).cluster.nodes[0]?.ipv6, undefined);
});

test('Calico BGP: the cross-node route of an IPv6 trace names the IPv6 block and the peer node\u2019s IPv6 address', () => {
  const a = cluster({});
  const n2 = a.cluster.nodes.find((n) => n.name === 'node-2');
  const r = tracePacket(a, from(a, 'default/client'), `[${v6VIP(a)}]:80`);
  assert.equal(r.verdict, 'delivered', r.reason);
  const cross = routes(r.hops).find((h) => h.route.includes('proto bird'));
  assert.ok(cross, JSON.stringify(r.hops));
  assert.match(cross.route, new RegExp(`^fd00:10:244:[0-9a-f:]+/122 via ${n2?.ipv6} dev eth0 proto bird$`));
  // No IPv4 address or pod CIDR in any hop of the request path.
  for (const h of routes(r.hops)) assert.doesNotMatch(h.route, /\b10\.(0|244)\.\d+\.\d+/, h.route);
  // The IPv4 trace still routes by IPv4.
  const v4 = tracePacket(a, from(a, 'default/client'), 'web:80');
  assert.match(
    routes(v4.hops).find((h) => h.route.includes('proto bird'))?.route ?? '',
    /^10\.244\.\d+\.\d+\/26 via 10\.0\.1\.20 dev eth0/,
  );
});

test('Calico IP-in-IP carries IPv4 only: IPv6 crosses unencapsulated; Calico VXLAN uses vxlan-v6.calico over the IPv6 underlay', () => {
  const ipip = cluster({ encapsulation: 'ipip' });
  const r = tracePacket(ipip, from(ipip, 'default/client'), `[${v6VIP(ipip)}]:80`);
  assert.equal(
    r.hops.some((h) => h.kind === 'encap'),
    false,
  );
  assert.match(routes(r.hops).find((h) => h.route.includes('bird'))?.note ?? '', /IP-in-IP carries IPv4 only/);
  const vx = cluster({ encapsulation: 'vxlan' });
  const t = tracePacket(vx, from(vx, 'default/client'), `[${v6VIP(vx)}]:80`);
  const encap = t.hops.find((h) => h.kind === 'encap');
  assert.ok(encap?.kind === 'encap');
  assert.equal(encap.device, 'vxlan-v6.calico');
  assert.equal(encap.outer, 'fd00:10:0:1::10 → fd00:10:0:1::20 UDP 4789 VNI 4096');
  assert.equal(encap.overhead, 70, 'a 40-byte IPv6 outer header');
});

test('flannel: the IPv6 route goes through flannel-v6.1 to the peer\u2019s IPv6 subnet, tunnelled between IPv6 addresses', () => {
  const a = cluster({ cni: 'flannel', encapsulation: 'vxlan' });
  const n2 = a.cluster.nodes.find((n) => n.name === 'node-2');
  const r = tracePacket(a, from(a, 'default/client'), `[${v6VIP(a)}]:80`);
  assert.equal(r.verdict, 'delivered', r.reason);
  const route = routes(r.hops).find((h) => h.route.includes('flannel'));
  assert.equal(route?.route.startsWith(`${n2?.podCIDRv6} via fd00:10:244:`), true, route?.route);
  assert.match(route?.route ?? '', /dev flannel-v6\.1 onlink$/);
  const encap = r.hops.find((h) => h.kind === 'encap');
  assert.ok(encap?.kind === 'encap' && encap.outer.startsWith(`fd00:10:0:1::10 → ${n2?.ipv6} `));
  // Into the pod across cni0, whose IPv6 range is the node's IPv6 one.
  assert.ok(routes(r.hops).some((h) => h.route.startsWith(`${n2?.podCIDRv6} dev cni0`) && h.route.includes('src fd00:10:244:')));
});

test('Cilium native routing: the IPv6 pod CIDR via the node\u2019s IPv6 address; its tunnels keep the IPv4 underlay and say so', () => {
  const native = cluster({ cni: 'cilium', encapsulation: 'native' });
  const n2 = native.cluster.nodes.find((n) => n.name === 'node-2');
  const r = tracePacket(native, from(native, 'default/client'), `[${v6VIP(native)}]:80`);
  assert.ok(
    routes(r.hops).some((h) => h.route === `${n2?.podCIDRv6} via ${n2?.ipv6} dev eth0`),
    JSON.stringify(routes(r.hops)),
  );
  const vx = cluster({ cni: 'cilium' });
  const t = tracePacket(vx, from(vx, 'default/client'), `[${v6VIP(vx)}]:80`);
  const map = routes(t.hops).find((h) => h.route.startsWith('tunnel map'));
  assert.equal(map?.route, `tunnel map ${n2?.podCIDRv6} → 10.0.1.20`);
  assert.match(map?.note ?? '', /IPv4 underlay/);
});

test('a Node\u2019s status.addresses and spec.podCIDRs decide its IPv6 address and range; settings nodes take both families', () => {
  const node = (name: string, v4: string, v6: string, c4: string, c6: string) =>
    [
      'apiVersion: v1',
      'kind: Node',
      `metadata: {name: ${name}}`,
      `spec: {podCIDR: ${c4}, podCIDRs: [${c4}, '${c6}']}`,
      `status: {addresses: [{type: InternalIP, address: ${v4}}, {type: InternalIP, address: '${v6}'}]}`,
    ].join('\n');
  const a = simulate(
    stream(
      node('node-1', '172.18.0.2', 'fc00:f853:ccd:e793::2', '10.244.0.0/24', 'fd00:10:244::/64'),
      node('node-2', '172.18.0.3', 'fc00:f853:ccd:e793::3', '10.244.1.0/24', 'fd00:10:244:1::/64'),
      deployment('client', { nodeName: 'node-1' }),
      deployment('web', { nodeName: 'node-2' }),
      service('web', { extra: ['  ipFamilyPolicy: RequireDualStack'] }),
    ),
    DUAL,
  );
  const n2 = a.cluster.nodes.find((n) => n.name === 'node-2');
  assert.equal(n2?.ipv6, 'fc00:f853:ccd:e793::3');
  assert.equal(n2?.podCIDRv6, 'fd00:10:244:1::/64');
  const r = tracePacket(a, from(a, 'default/client'), `[${v6VIP(a)}]:80`);
  assert.match(
    routes(r.hops).find((h) => h.route.includes('bird'))?.route ?? '',
    /^fd00:10:244:1:[0-9a-f:]*\/122 via fc00:f853:ccd:e793::3 dev eth0 proto bird$/,
  );

  const { settings, diagnostics } = parseSettings(
    'kube-netsim.yaml',
    'podCIDR: 10.244.0.0/16,fd00:10:244::/56\nnodes:\n  - {name: a, ip: "10.0.0.1,2001:db8::1", podCIDR: "10.244.7.0/24,fd00:10:244:7::/64"}\n',
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(settings.nodes?.[0], {
    name: 'a',
    ip: '10.0.0.1',
    ipv6: '2001:db8::1',
    podCIDR: '10.244.7.0/24',
    podCIDRv6: 'fd00:10:244:7::/64',
    labels: {},
  });
  const bad = parseSettings('kube-netsim.yaml', 'nodes:\n  - {name: a, ip: "10.0.0.1,nope"}\n');
  assert.match(bad.diagnostics[0]?.message ?? '', /needs a valid `ip`/);
});

test('the reply of an IPv6 connection crosses back by the IPv6 route', () => {
  const a = cluster({});
  const n1 = a.cluster.nodes.find((n) => n.name === 'node-1');
  const r = tracePacket(a, from(a, 'default/client'), `[${v6VIP(a)}]:80`);
  const back = routes(r.reply ?? []).find((h) => h.route.includes('bird'));
  assert.match(back?.route ?? '', new RegExp(`^fd00:10:244:[0-9a-f:]+/122 via ${n1?.ipv6} dev eth0 proto bird$`));
});
