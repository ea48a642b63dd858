import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket, type ClusterSettings, type Hop, type TraceResult } from '../../src/engine';
import { cniProfile, masqueradeAddress, podInterface } from '../../src/engine/dataplane/cni';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const deny = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-backend, namespace: default}
spec:
  podSelector: {matchLabels: {app: backend}}
  policyTypes: [Ingress]`;

/** frontend on node-1 calls backend on node-2: always a cross-node path. */
function crossNode(settings: Partial<ClusterSettings>, withPolicy: boolean): TraceResult {
  const docs = [deployment('frontend', { nodeName: 'node-1' }), deployment('backend', { nodeName: 'node-2' }), service('backend')];
  const a = simulate(stream(...docs, ...(withPolicy ? [deny] : [])), settings);
  return tracePacket(a, from(a, 'default/frontend'), 'http://backend');
}

const of = <K extends Hop['kind']>(r: TraceResult, kind: K) => r.hops.filter((h): h is Extract<Hop, { kind: K }> => h.kind === kind);

interface Case {
  name: string;
  settings: Partial<ClusterSettings>;
  encap: { protocol: string; device: string; overhead: number; mtu: number; port?: string } | undefined;
  route: RegExp;
  enforced: boolean;
}

const CASES: Case[] = [
  {
    name: 'calico (BGP, no encapsulation)',
    settings: { cni: 'calico', encapsulation: 'none' },
    encap: undefined,
    // Calico routes the /26 IPAM block that holds the pod, not the node's whole range.
    route: /^10\.244\.2\.(0|64|128|192)\/26 via 10\.0\.1\.20 dev eth0 proto bird$/,
    enforced: true,
  },
  {
    name: 'calico IP-in-IP',
    settings: { cni: 'calico', encapsulation: 'ipip' },
    encap: { protocol: 'IP-in-IP', device: 'tunl0', overhead: 20, mtu: 1480 },
    route: /via 10\.0\.1\.20 dev tunl0 proto bird onlink/,
    enforced: true,
  },
  {
    name: 'calico VXLAN',
    settings: { cni: 'calico', encapsulation: 'vxlan' },
    encap: { protocol: 'VXLAN', device: 'vxlan.calico', overhead: 50, mtu: 1450, port: 'UDP 4789' },
    route: /dev vxlan\.calico onlink/,
    enforced: true,
  },
  {
    name: 'flannel VXLAN',
    settings: { cni: 'flannel', encapsulation: 'vxlan' },
    encap: { protocol: 'VXLAN', device: 'flannel.1', overhead: 50, mtu: 1450, port: 'UDP 8472' },
    route: /^10\.244\.2\.0\/24 via 10\.244\.2\.0 dev flannel\.1 onlink$/,
    enforced: false,
  },
  {
    name: 'cilium VXLAN',
    settings: { cni: 'cilium', encapsulation: 'vxlan' },
    encap: { protocol: 'VXLAN', device: 'cilium_vxlan', overhead: 50, mtu: 1450, port: 'UDP 8472' },
    route: /tunnel map 10\.244\.2\.0\/24 → 10\.0\.1\.20/,
    enforced: true,
  },
  {
    name: 'cilium Geneve',
    settings: { cni: 'cilium', encapsulation: 'geneve' },
    encap: { protocol: 'Geneve', device: 'cilium_geneve', overhead: 50, mtu: 1450, port: 'UDP 6081' },
    route: /tunnel map/,
    enforced: true,
  },
  {
    name: 'cilium native routing',
    settings: { cni: 'cilium', encapsulation: 'native' },
    encap: undefined,
    route: /^10\.244\.2\.0\/24 via 10\.0\.1\.20 dev eth0$/,
    enforced: true,
  },
  {
    name: 'weave (fastdp)',
    settings: { cni: 'weave', encapsulation: 'vxlan' },
    encap: { protocol: 'VXLAN (weave fastdp)', device: 'vxlan-6784', overhead: 50, mtu: 1376, port: 'UDP 6784' },
    route: /^10\.244\.2\.0\/24 dev weave$/,
    enforced: true,
  },
  {
    name: 'canal (flannel data path, Calico policy)',
    settings: { cni: 'canal', encapsulation: 'vxlan' },
    encap: { protocol: 'VXLAN', device: 'flannel.1', overhead: 50, mtu: 1450, port: 'UDP 8472' },
    route: /dev flannel\.1 onlink/,
    enforced: true,
  },
];

for (const c of CASES) {
  test(`${c.name}: cross-node data path`, () => {
    const r = crossNode(c.settings, false);
    assert.equal(r.verdict, 'delivered');
    assert.equal(r.destination?.kind === 'pod' && r.destination.node, 'node-2');
    const routes = of(r, 'route');
    assert.match(routes[0]?.route ?? '', c.route);
    assert.equal(routes[0]?.node, 'node-1');
    const encaps = of(r, 'encap');
    const decaps = of(r, 'decap');
    if (!c.encap) {
      assert.deepEqual([encaps.length, decaps.length], [0, 0], 'no encapsulation');
    } else {
      assert.equal(encaps.length, 1);
      const e = encaps[0];
      assert.deepEqual(
        [e?.protocol, e?.device, e?.overhead, e?.mtu, e?.node],
        [c.encap.protocol, c.encap.device, c.encap.overhead, c.encap.mtu, 'node-1'],
      );
      assert.ok(e?.outer.startsWith('10.0.1.10 → 10.0.1.20'), e?.outer);
      if (c.encap.port) assert.ok(e?.outer.includes(c.encap.port), e?.outer);
      assert.deepEqual([decaps[0]?.node, decaps[0]?.device], ['node-2', c.encap.device]);
    }
    // The last route puts the packet into the pod's own interface on node-2.
    assert.equal(routes.at(-1)?.node, 'node-2');
    assert.equal(cniProfile(simulate('', c.settings).cluster.settings).mtu, c.encap?.mtu ?? 1500);
  });

  test(`${c.name}: NetworkPolicy ${c.enforced ? 'is enforced' : 'is NOT enforced'}`, () => {
    const r = crossNode(c.settings, true);
    const ingress = of(r, 'policy').find((p) => p.direction === 'ingress');
    assert.ok(ingress, 'the ingress check is shown');
    assert.equal(ingress.result.allowed, false, 'the policy denies it');
    if (c.enforced) {
      assert.equal(r.verdict, 'dropped');
      assert.ok(ingress.enforcer, 'names its enforcement point');
      assert.equal(ingress.node, 'node-2');
    } else {
      assert.equal(r.verdict, 'delivered');
      assert.equal(ingress.enforcer, undefined);
      assert.match(r.reason, /NetworkPolicy would drop it .* but flannel does not enforce NetworkPolicy/);
    }
  });
}

test('enforcement points are named in each plugin own terms', () => {
  const pod = { namespace: 'shop', name: 'web-1' };
  const at = (cni: ClusterSettings['cni'], encapsulation: ClusterSettings['encapsulation']) =>
    cniProfile({ ...simulate('').cluster.settings, cni, encapsulation });
  assert.equal(at('calico', 'none').enforcer, 'Calico Felix (iptables)');
  assert.equal(at('flannel', 'vxlan').enforcer, undefined);
  assert.match(podInterface('calico', pod), /^cali[0-9a-f]{11}$/);
  assert.match(podInterface('cilium', pod), /^lxc[0-9a-f]{12}$/);
  assert.equal(podInterface('calico', pod), podInterface('canal', pod), 'Canal uses Calico interface names');
});

test('masquerade picks the outgoing device address: node IP, flannel.1, or the bridge', () => {
  const a = simulate('');
  const [n1, n2] = a.cluster.nodes;
  assert.ok(n1 && n2);
  const s = a.cluster.settings;
  assert.equal(masqueradeAddress(s, n1, n2), '10.0.1.10');
  assert.equal(masqueradeAddress({ ...s, cni: 'flannel', encapsulation: 'vxlan' }, n1, n2), '10.244.1.0');
  assert.equal(masqueradeAddress({ ...s, cni: 'flannel', encapsulation: 'vxlan' }, n1, n1), '10.244.1.1');
  assert.equal(masqueradeAddress({ ...s, cni: 'calico', encapsulation: 'ipip' }, n1, n2), '10.244.1.0');
});

test('same node: the packet never leaves the node (veth and the host route or bridge)', () => {
  const docs = stream(deployment('frontend', { nodeName: 'node-3' }), deployment('backend', { nodeName: 'node-3' }), service('backend'));
  for (const [cni, encapsulation, want] of [
    ['calico', 'none', /dev cali[0-9a-f]{11} scope link/],
    ['flannel', 'vxlan', /dev cni0/],
    ['cilium', 'vxlan', /bpf_redirect_peer/],
    ['weave', 'vxlan', /dev weave/],
  ] as const) {
    const a = simulate(docs, { cni, encapsulation });
    const r = tracePacket(a, from(a, 'default/frontend'), 'http://backend');
    const routes = of(r, 'route');
    assert.equal(routes.length, 1, cni);
    assert.match(routes[0]?.route ?? '', want);
    assert.equal(of(r, 'encap').length, 0);
  }
});

test('calico: the BGP route names the /26 IPAM block holding the destination pod (IP-in-IP and VXLAN alike)', () => {
  for (const encapsulation of ['none', 'ipip', 'vxlan'] as const) {
    const r = crossNode({ cni: 'calico', encapsulation }, false);
    const ip = r.destination?.kind === 'pod' ? r.destination.ip : '';
    const last = Number(ip.split('.')[3]);
    const block = `10.244.2.${last - (last % 64)}/26`;
    const route = of(r, 'route').find((h) => h.node === 'node-1');
    assert.ok(route?.route.startsWith(`${block} via `), `${encapsulation}: ${route?.route} for ${ip}`);
  }
});
