import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings, defaultSettings } from '../../src/engine/cluster/settings';
import { analyze, codes, expectDiagnostic, workload, yaml } from '../helpers';

const parse = (text: string) => parseSettings('kube-netsim.yaml', text);

describe('settings: defaults', () => {
  it('are the ones design.md gives', () => {
    const s = defaultSettings();
    assert.deepEqual(
      {
        cni: s.cni,
        encapsulation: s.encapsulation,
        kubeProxyMode: s.kubeProxyMode,
        clusterDomain: s.clusterDomain,
        podCIDR: s.podCIDR,
        serviceCIDR: s.serviceCIDR,
        nodePortRange: s.nodePortRange,
        loadBalancerPool: s.loadBalancerPool,
        nodes: s.nodes,
        externalClient: s.externalClient,
      },
      {
        cni: 'calico',
        encapsulation: 'none',
        kubeProxyMode: 'iptables',
        clusterDomain: 'cluster.local',
        podCIDR: '10.244.0.0/16',
        serviceCIDR: '10.96.0.0/12',
        nodePortRange: [30000, 32767],
        loadBalancerPool: '198.51.100.0/24',
        nodes: null,
        externalClient: '203.0.113.5',
      },
    );
  });

  it('an empty or comment-only file gives the defaults and no diagnostic', () => {
    for (const text of ['', '# nothing here\n', '---\n']) {
      const r = parse(text);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.settings, defaultSettings());
    }
  });

  it('the default cluster has node-1..3 at 10.0.1.10/20/30 with 10.244.N.0/24', () => {
    const a = analyze({});
    assert.deepEqual(
      a.cluster.nodes.map((n) => `${n.name} ${n.ip} ${n.podCIDR}`),
      ['node-1 10.0.1.10 10.244.1.0/24', 'node-2 10.0.1.20 10.244.2.0/24', 'node-3 10.0.1.30 10.244.3.0/24'],
    );
  });
});

describe('settings: every key', () => {
  const cases: Array<[string, string, (s: ReturnType<typeof defaultSettings>) => unknown, unknown]> = [
    ['cni', 'cni: cilium', (s) => [s.cni, s.encapsulation], ['cilium', 'vxlan']],
    ['cni flannel defaults to vxlan', 'cni: flannel', (s) => [s.cni, s.encapsulation], ['flannel', 'vxlan']],
    ['encapsulation for calico', 'cni: calico\nencapsulation: ipip', (s) => s.encapsulation, 'ipip'],
    ['encapsulation for cilium', 'cni: cilium\nencapsulation: native', (s) => s.encapsulation, 'native'],
    ['kubeProxyMode', 'kubeProxyMode: ipvs', (s) => s.kubeProxyMode, 'ipvs'],
    ['clusterDomain', 'clusterDomain: k8s.example.org', (s) => s.clusterDomain, 'k8s.example.org'],
    ['podCIDR', 'podCIDR: 10.100.0.0/16', (s) => s.podCIDR, '10.100.0.0/16'],
    ['dual-stack podCIDR', 'podCIDR: 10.100.0.0/16,fd00:10::/56', (s) => [s.podCIDR, s.podCIDRv6], ['10.100.0.0/16', 'fd00:10::/56']],
    ['serviceCIDR', 'serviceCIDR: 10.3.0.0/16', (s) => s.serviceCIDR, '10.3.0.0/16'],
    [
      'dual-stack serviceCIDR',
      'serviceCIDR: "10.3.0.0/16, fd00:3::/112"',
      (s) => [s.serviceCIDR, s.serviceCIDRv6],
      ['10.3.0.0/16', 'fd00:3::/112'],
    ],
    ['nodePortRange', 'nodePortRange: 31000-31999', (s) => s.nodePortRange, [31000, 31999]],
    ['loadBalancerPool', 'loadBalancerPool: 192.0.2.0/28', (s) => s.loadBalancerPool, '192.0.2.0/28'],
    ['externalClient', 'externalClient: 192.0.2.77', (s) => s.externalClient, '192.0.2.77'],
    [
      'nodes',
      'nodes:\n  - {name: a, ip: 10.1.0.1, podCIDR: 10.244.7.0/24, labels: {zone: a}}\n  - name: b\n    ip: 10.1.0.2',
      (s) => s.nodes,
      [
        { name: 'a', ip: '10.1.0.1', podCIDR: '10.244.7.0/24', labels: { zone: 'a' } },
        { name: 'b', ip: '10.1.0.2', labels: {} },
      ],
    ],
  ];
  for (const [what, text, get, expected] of cases) {
    it(what, () => {
      const r = parse(text);
      assert.deepEqual(
        r.diagnostics.map((d) => d.message),
        [],
      );
      assert.deepEqual(get(r.settings), expected);
    });
  }
});

describe('settings: bad values get settings-invalid at their line and keep the default', () => {
  const cases: Array<[string, string, number, number, (s: ReturnType<typeof defaultSettings>) => unknown, unknown]> = [
    ['unknown key', 'cni: calico\nkubeproxymode: ipvs\n', 2, 1, (s) => s.kubeProxyMode, 'iptables'],
    ['unknown cni', 'cni: contiv\n', 1, 6, (s) => s.cni, 'calico'],
    ['encapsulation the cni does not support', 'cni: flannel\nencapsulation: ipip\n', 2, 16, (s) => s.encapsulation, 'vxlan'],
    ['kubeProxyMode', 'kubeProxyMode: userspace\n', 1, 16, (s) => s.kubeProxyMode, 'iptables'],
    ['clusterDomain', 'clusterDomain: Cluster_Local\n', 1, 16, (s) => s.clusterDomain, 'cluster.local'],
    ['podCIDR', 'podCIDR: 10.244.0.0/33\n', 1, 10, (s) => s.podCIDR, '10.244.0.0/16'],
    ['serviceCIDR not a string', 'serviceCIDR: 42\n', 1, 14, (s) => s.serviceCIDR, '10.96.0.0/12'],
    ['nodePortRange reversed', 'nodePortRange: 32767-30000\n', 1, 16, (s) => s.nodePortRange, [30000, 32767]],
    ['nodePortRange a number', 'nodePortRange: 30000\n', 1, 16, (s) => s.nodePortRange, [30000, 32767]],
    ['loadBalancerPool', 'loadBalancerPool: pool-a\n', 1, 19, (s) => s.loadBalancerPool, '198.51.100.0/24'],
    ['externalClient', 'externalClient: somewhere\n', 1, 17, (s) => s.externalClient, '203.0.113.5'],
    ['nodes not a list', 'nodes: node-1\n', 1, 8, (s) => s.nodes, null],
    ['node without a name', 'nodes:\n  - ip: 10.0.0.1\n', 2, 5, (s) => s.nodes, null],
    ['node with a bad ip', 'nodes:\n  - name: a\n    ip: 10.0.0.300\n', 3, 9, (s) => s.nodes, null],
    [
      'node with a bad podCIDR',
      'nodes:\n  - name: a\n    ip: 10.0.0.1\n    podCIDR: nope\n',
      4,
      14,
      (s) => s.nodes?.[0]?.podCIDR,
      undefined,
    ],
    ['node labels not a mapping', 'nodes:\n  - name: a\n    ip: 10.0.0.1\n    labels: [x]\n', 4, 5, (s) => s.nodes?.[0]?.labels, {}],
  ];
  for (const [what, text, line, column, get, kept] of cases) {
    it(what, () => {
      const r = parse(text);
      expectDiagnostic(r.diagnostics, 'settings-invalid', 'kube-netsim.yaml', line, column);
      assert.equal(r.diagnostics.length, 1, r.diagnostics.map((d) => d.message).join('\n'));
      assert.ok((r.diagnostics[0]?.message.length ?? 0) > 20, 'the message says what to do');
      assert.deepEqual(get(r.settings), kept);
    });
  }

  it('an unknown key names the known ones', () => {
    assert.match(parse('cnii: calico\n').diagnostics[0]?.message ?? '', /known settings are cni, /);
  });

  it('a file that is not a mapping is reported once', () => {
    const r = parse('- cni: calico\n');
    assert.deepEqual(codes(r.diagnostics), ['settings-invalid']);
    assert.deepEqual(r.settings, defaultSettings());
  });

  it('a YAML syntax error is reported as yaml-syntax and the defaults are used', () => {
    const r = parse('cni: calico\n  kubeProxyMode: ipvs\n');
    assert.deepEqual(codes(r.diagnostics), ['yaml-syntax']);
    assert.equal(r.settings.kubeProxyMode, 'iptables');
  });
});

describe('settings: what they change in the simulation', () => {
  it('nodes from settings are the nodes pods are placed on, with their pod CIDRs', () => {
    const a = analyze(
      { 'web.yaml': workload({ name: 'web', replicas: 4 }) },
      yaml`
        nodes:
          - {name: worker-a, ip: 192.168.0.11, podCIDR: 10.50.0.0/24}
          - {name: worker-b, ip: 192.168.0.12}
      `,
    );
    assert.deepEqual(
      a.cluster.nodes.map((n) => `${n.name} ${n.ip} ${n.podCIDR}`),
      ['worker-a 192.168.0.11 10.50.0.0/24', 'worker-b 192.168.0.12 10.244.2.0/24'],
    );
    const placed = a.cluster.pods
      .filter((p) => p.workload.name === 'web')
      .map((p) => p.node)
      .sort();
    assert.deepEqual(placed, ['worker-a', 'worker-a', 'worker-b', 'worker-b']);
  });

  it('clusterDomain changes the search list', () => {
    const a = analyze({ 'web.yaml': workload({ name: 'web', namespace: 'shop' }) }, 'clusterDomain: corp.internal\n');
    assert.deepEqual(a.dns.resolverFor(a.cluster.pods.find((p) => p.namespace === 'shop') ?? { namespace: 'shop' }).searches, [
      'shop.svc.corp.internal',
      'svc.corp.internal',
      'corp.internal',
    ]);
  });
});
