import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { analyze, docs, svc, workload } from '../helpers';
import { ConnSet, connectivityList, PolicyEngine, workloadId, type Analysis, type Protocol } from '../../src/engine';
import { matrixCsv, matrixText } from '../../src/cli/matrixFormat';
import { PROBE_IPS, build, externalLine, genCluster, userPods } from '../netpolArbitraries';

const np = (name: string, namespace: string, spec: object) =>
  dump({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const lines = (a: Analysis) =>
  matrixText(connectivityList(a.policies))
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '');

describe('ConnSet', () => {
  const cases: Array<[string, ConnSet, string]> = [
    ['all', ConnSet.ALL, 'All Connections'],
    ['nothing', ConnSet.NONE, 'No Connections'],
    ['adjacent ports merge', ConnSet.ports('TCP', 80).union(ConnSet.ports('TCP', 81)), 'TCP 80-81'],
    [
      'protocols in alphabetical order',
      ConnSet.ports('UDP', 53)
        .union(ConnSet.ports('TCP', 10053, 10054))
        .union(ConnSet.ports('TCP', 10053)),
      'TCP 10053-10054,UDP 53',
    ],
    [
      'everything but one port',
      ConnSet.ALL.intersect(
        ConnSet.protocol('SCTP')
          .union(ConnSet.protocol('UDP'))
          .union(ConnSet.ports('TCP', 1, 79))
          .union(ConnSet.ports('TCP', 81, 65535)),
      ),
      'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535',
    ],
    [
      'intersection of overlapping ranges',
      ConnSet.ports('TCP', 1, 100).intersect(ConnSet.ports('TCP', 50, 200).union(ConnSet.ports('UDP', 1, 10))),
      'TCP 50-100',
    ],
    [
      'three full protocols are all connections',
      ConnSet.protocol('TCP').union(ConnSet.protocol('UDP')).union(ConnSet.protocol('SCTP')),
      'All Connections',
    ],
  ];
  for (const [name, set, text] of cases) it(name, () => assert.equal(set.toString(), text));

  it('has() and equals() agree with the ranges', () => {
    const s = ConnSet.ports('TCP', 80, 90).union(ConnSet.ports('UDP', 53));
    assert.deepEqual(
      [s.has('TCP', 79), s.has('TCP', 80), s.has('TCP', 90), s.has('TCP', 91), s.has('UDP', 53), s.has('SCTP', 53)],
      [false, true, true, false, true, false],
    );
    assert.ok(
      s.equals(
        ConnSet.ports('UDP', 53)
          .union(ConnSet.ports('TCP', 80, 85))
          .union(ConnSet.ports('TCP', 86, 90)),
      ),
    );
    assert.ok(!s.equals(ConnSet.ports('TCP', 80, 90)));
  });
});

describe('connectivity list (table)', () => {
  const base = docs(
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
    workload({ name: 'web', namespace: 'shop', replicas: 3, ports: [{ name: 'http', containerPort: 8080 }] }),
    workload({ name: 'api', namespace: 'shop', replicas: 2, ports: [{ name: 'grpc', containerPort: 9000 }] }),
    workload({ kind: 'Pod', name: 'debug', namespace: 'shop', labels: { run: 'debug' } }),
  );
  const cases: Array<{ name: string; policies: string[]; expected: string[] }> = [
    {
      name: 'no policies: every pair and the whole outside, in both directions; implicit CoreDNS left out',
      policies: [],
      expected: [
        '0.0.0.0-255.255.255.255[External] => shop/api[Deployment] : All Connections',
        '0.0.0.0-255.255.255.255[External] => shop/debug[Pod] : All Connections',
        '0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : All Connections',
        'shop/api[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/api[Deployment] => shop/debug[Pod] : All Connections',
        'shop/api[Deployment] => shop/web[Deployment] : All Connections',
        'shop/debug[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/debug[Pod] => shop/api[Deployment] : All Connections',
        'shop/debug[Pod] => shop/web[Deployment] : All Connections',
        'shop/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/web[Deployment] => shop/api[Deployment] : All Connections',
        'shop/web[Deployment] => shop/debug[Pod] : All Connections',
      ],
    },
    {
      name: 'default deny both ways, web -> api on the named port, outside -> web through an ipBlock with except',
      policies: [
        np('deny', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
        np('api', 'shop', {
          podSelector: { matchLabels: { app: 'api' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'grpc' }] }],
        }),
        np('web-out', 'shop', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
        }),
        np('web-in', 'shop', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 8080 }, { port: 8443 }] }],
        }),
      ],
      expected: [
        '0.0.0.0-9.255.255.255[External] => shop/web[Deployment] : TCP 8080,8443',
        '11.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080,8443',
        'shop/web[Deployment] => shop/api[Deployment] : TCP 9000',
      ],
    },
    {
      // netpol-analyzer's convention (its ANP goldens): each direction's own CIDRs cut that direction's
      // ranges, for every workload, subject of the policy or not.
      name: 'an egress-only networks peer cuts the destinations of every workload and leaves the sources whole',
      policies: [
        dump({
          apiVersion: 'policy.networking.k8s.io/v1alpha1',
          kind: 'AdminNetworkPolicy',
          metadata: { name: 'no-test-net' },
          spec: {
            priority: 5,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } } },
            egress: [{ name: 'deny-test-net', action: 'Deny', to: [{ networks: ['192.0.2.0/24'] }] }],
          },
        }),
      ],
      expected: [
        '0.0.0.0-255.255.255.255[External] => shop/api[Deployment] : All Connections',
        '0.0.0.0-255.255.255.255[External] => shop/debug[Pod] : All Connections',
        '0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : All Connections',
        'shop/api[Deployment] => 0.0.0.0-192.0.1.255[External] : All Connections',
        'shop/api[Deployment] => 192.0.3.0-255.255.255.255[External] : All Connections',
        'shop/api[Deployment] => shop/debug[Pod] : All Connections',
        'shop/api[Deployment] => shop/web[Deployment] : All Connections',
        'shop/debug[Pod] => 0.0.0.0-192.0.1.255[External] : All Connections',
        'shop/debug[Pod] => 192.0.2.0-192.0.2.255[External] : All Connections',
        'shop/debug[Pod] => 192.0.3.0-255.255.255.255[External] : All Connections',
        'shop/debug[Pod] => shop/api[Deployment] : All Connections',
        'shop/debug[Pod] => shop/web[Deployment] : All Connections',
        'shop/web[Deployment] => 0.0.0.0-192.0.1.255[External] : All Connections',
        'shop/web[Deployment] => 192.0.2.0-192.0.2.255[External] : All Connections',
        'shop/web[Deployment] => 192.0.3.0-255.255.255.255[External] : All Connections',
        'shop/web[Deployment] => shop/api[Deployment] : All Connections',
        'shop/web[Deployment] => shop/debug[Pod] : All Connections',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = analyze({ 'shop.yaml': base, 'policies.yaml': docs(...c.policies, '') });
      assert.deepEqual(lines(a), c.expected);
    });
  }

  it('{ingress-controller} lines: the resolved target port, kept only where any pod may connect', () => {
    const ingress = dump({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'shop', namespace: 'shop' },
      spec: {
        defaultBackend: { service: { name: 'api', port: { name: 'rpc' } } },
        rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
      },
    });
    const services = docs(
      svc({ name: 'web', namespace: 'shop', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      svc({ name: 'api', namespace: 'shop', ports: [{ name: 'rpc', port: 90, targetPort: 9000 }] }),
    );
    const only = np('api', 'shop', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    const open = analyze({ 'shop.yaml': base, 's.yaml': services, 'i.yaml': ingress });
    assert.deepEqual(
      lines(open).filter((l) => l.startsWith('{')),
      ['{ingress-controller} => shop/api[Deployment] : TCP 9000', '{ingress-controller} => shop/web[Deployment] : TCP 8080'],
    );
    const closed = analyze({ 'shop.yaml': base, 's.yaml': services, 'i.yaml': ingress, 'p.yaml': only });
    assert.deepEqual(
      lines(closed).filter((l) => l.startsWith('{')),
      ['{ingress-controller} => shop/web[Deployment] : TCP 8080'],
    );
    const anyPod = np('api', 'shop', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 9000 }] }],
    });
    assert.ok(
      lines(analyze({ 'shop.yaml': base, 's.yaml': services, 'i.yaml': ingress, 'p.yaml': anyPod })).includes(
        '{ingress-controller} => shop/api[Deployment] : TCP 9000',
      ),
    );
  });

  // OpenShift Route API (route.openshift.io/v1): spec.to and spec.alternateBackends name Services,
  // spec.port.targetPort picks one port of theirs (unset: every port); netpol-analyzer's connlist lists
  // what Routes expose under the same {ingress-controller} as Ingresses.
  it('{ingress-controller} lines from OpenShift Routes: every TCP port without spec.port, else the one it names; only Service targets', () => {
    const route = (name: string, spec: object) =>
      dump({ apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name, namespace: 'shop' }, spec });
    const services = docs(
      svc({
        name: 'web',
        namespace: 'shop',
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
        ],
      }),
      svc({
        name: 'api',
        namespace: 'shop',
        ports: [
          { name: 'rpc', port: 90, targetPort: 9000 },
          { name: 'admin', port: 91, targetPort: 9001 },
        ],
      }),
    );
    const routed = (...routes: string[]) =>
      lines(analyze({ 'shop.yaml': base, 's.yaml': services, ...Object.fromEntries(routes.map((r, i) => [`r${i}.yaml`, r])) })).filter(
        (l) => l.startsWith('{'),
      );
    // No spec.port: the Service's TCP ports, resolved on the pods (the named port http is 8080).
    assert.deepEqual(routed(route('web', { to: { kind: 'Service', name: 'web' } })), [
      '{ingress-controller} => shop/web[Deployment] : TCP 8080',
    ]);
    // A name picks the Service port of that name, a number the target port; an alternate backend of an unset kind is a Service.
    assert.deepEqual(routed(route('api', { port: { targetPort: 'admin' }, to: { kind: 'Service', name: 'api' } })), [
      '{ingress-controller} => shop/api[Deployment] : TCP 9001',
    ]);
    assert.deepEqual(
      routed(route('split', { port: { targetPort: 9000 }, to: { kind: 'Service', name: 'api' }, alternateBackends: [{ name: 'web' }] })),
      ['{ingress-controller} => shop/api[Deployment] : TCP 9000'],
    );
    assert.deepEqual(routed(route('api', { to: { name: 'api' } })), ['{ingress-controller} => shop/api[Deployment] : TCP 9000-9001']);
    // An Ingress and a Route to one workload make one line, with the ports of both (netpol-analyzer merges them per workload).
    const ingress = dump({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { defaultBackend: { service: { name: 'api', port: { name: 'rpc' } } } },
    });
    assert.deepEqual(routed(ingress, route('api', { port: { targetPort: 'admin' }, to: { kind: 'Service', name: 'api' } })), [
      '{ingress-controller} => shop/api[Deployment] : TCP 9000-9001',
    ]);
    // A target of another kind, or a Route of another API group, routes nowhere here.
    assert.deepEqual(routed(route('odd', { to: { kind: 'Deployment', name: 'api' } })), []);
    assert.deepEqual(
      routed(
        dump({ apiVersion: 'example.com/v1', kind: 'Route', metadata: { name: 'x', namespace: 'shop' }, spec: { to: { name: 'api' } } }),
      ),
      [],
    );
  });

  it('replicas collapse into one class; csv quotes CONNS with commas', () => {
    const a = analyze({
      'shop.yaml': base,
      'p.yaml': np('web-in', 'shop', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }, { port: 443 }] }] }),
    });
    const list = connectivityList(a.policies);
    assert.deepEqual([list.stats.pods, list.stats.classes, list.stats.workloads], [6, 3, 3]);
    assert.ok(matrixCsv(list).includes('shop/api[Deployment],shop/web[Deployment],"TCP 80,443"\n'));
  });
});

/** Brute force: every pod pair through allowedConnections, unioned per workload pair. */
function bruteForce(engine: PolicyEngine, a: Analysis): Map<string, ConnSet> {
  const out = new Map<string, ConnSet>();
  for (const s of userPods(a)) {
    for (const d of userPods(a)) {
      const ws = workloadId(s.workload);
      const wd = workloadId(d.workload);
      if (ws === wd) continue;
      const conn = engine.allowedConnections({ kind: 'pod', pod: s }, { kind: 'pod', pod: d });
      const key = `${ws} => ${wd}`;
      out.set(key, (out.get(key) ?? ConnSet.NONE).union(conn));
    }
  }
  return out;
}

const SAMPLES: Array<[number, Protocol]> = [
  [80, 'TCP'],
  [85, 'TCP'],
  [8080, 'TCP'],
  [53, 'UDP'],
  [80, 'SCTP'],
  [8080, 'SCTP'],
  [1, 'UDP'],
];

describe('connectivity list (properties)', () => {
  for (const hostNetwork of ['node', 'pod'] as const) {
    it(`equals the brute-force pod-by-pod evaluation on random small clusters (hostNetwork: ${hostNetwork})`, () => {
      fc.assert(
        fc.property(genCluster, (c) => {
          const a = build(c);
          const engine = new PolicyEngine(a.cluster, [], { hostNetwork });
          const list = connectivityList(engine, { ingressController: false });
          // Every peer shared as a group (what large clusters do for peers matching many classes) gives the same list.
          assert.deepEqual(
            connectivityList(engine, { ingressController: false, peerGroupMin: 1 }).entries.map(
              (e) => `${e.src} => ${e.dst} : ${e.conn.toString()}`,
            ),
            list.entries.map((e) => `${e.src} => ${e.dst} : ${e.conn.toString()}`),
          );
          const got = new Map(
            list.entries
              .filter((e) => !e.src.includes('[External]') && !e.dst.includes('[External]'))
              .map((e) => [`${e.src} => ${e.dst}`, e.conn.toString()]),
          );
          const want = new Map([...bruteForce(engine, a)].filter(([, v]) => !v.isEmpty()).map(([k, v]) => [k, v.toString()]));
          assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...want].sort()));
          // Outside addresses: every probe address gets the line of the range that holds it. A node's
          // address is no outside address: its own pods are always reachable from it (NetworkPolicy's exception).
          const nodeIps = new Set(a.cluster.nodes.map((n) => n.ip));
          for (const p of userPods(a)) {
            const own = a.cluster.nodes.find((n) => n.name === p.node)?.ip;
            if (own)
              assert.ok(engine.allowedConnections({ kind: 'external', ip: own }, { kind: 'pod', pod: p }).isAll(), `${own} => ${p.name}`);
            const w = workloadId(p.workload);
            for (const ip of PROBE_IPS) {
              if (nodeIps.has(ip)) continue;
              const inbound = userPods(a)
                .filter((q) => workloadId(q.workload) === w)
                .reduce((acc, q) => acc.union(engine.allowedConnections({ kind: 'external', ip }, { kind: 'pod', pod: q })), ConnSet.NONE);
              const outbound = userPods(a)
                .filter((q) => workloadId(q.workload) === w)
                .reduce((acc, q) => acc.union(engine.allowedConnections({ kind: 'pod', pod: q }, { kind: 'external', ip })), ConnSet.NONE);
              assert.equal((externalLine(list, ip, w, 'from') ?? ConnSet.NONE).toString(), inbound.toString(), `${ip} => ${w}`);
              assert.equal((externalLine(list, ip, w, 'to') ?? ConnSet.NONE).toString(), outbound.toString(), `${w} => ${ip}`);
            }
          }
          // The verdict for one port and the connection sets agree.
          for (const s of userPods(a)) {
            for (const d of userPods(a)) {
              const conn = engine.allowedConnections({ kind: 'pod', pod: s }, { kind: 'pod', pod: d });
              for (const [port, protocol] of SAMPLES)
                assert.equal(
                  engine.verdict({ kind: 'pod', pod: s }, { kind: 'pod', pod: d }, port, protocol).allowed,
                  conn.has(protocol, port),
                  `${s.name} -> ${d.name} ${protocol} ${port}`,
                );
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});
