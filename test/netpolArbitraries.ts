// fast-check generators of small random clusters with NetworkPolicies, for the property tests of
// the policy engine and the connectivity matrix. Small alphabets on purpose: selectors, ports and
// ipBlocks drawn from few values hit each other (and miss) often.
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { analyzeWorkspace, type Analysis, type ConnSet, type ConnectivityList, type SimPod } from '../src/engine';
import { cidrRange, rangesCover } from '../src/engine/policy/ipRanges';

export interface GenPod {
  ns: 'a' | 'b';
  app: string;
  tier: string | null;
  ports: 'http80' | 'http8080' | 'dns' | 'none';
  hostNetwork: boolean;
  replicas: number;
  kind: 'Pod' | 'Deployment';
}

export interface GenPolicy {
  ns: 'a' | 'b';
  podSelector: object;
  policyTypes: string[] | null;
  ingress: object[] | null;
  egress: object[] | null;
}

export interface GenCluster {
  pods: GenPod[];
  policies: GenPolicy[];
}

const podSelector = fc.constantFrom<object>(
  {},
  { matchLabels: { app: 'web' } },
  { matchLabels: { app: 'db' } },
  { matchLabels: { tier: 'fe' } },
  { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
  { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
  {
    matchExpressions: [
      { key: 'app', operator: 'In', values: ['db', 'cache'] },
      { key: 'tier', operator: 'DoesNotExist' },
    ],
  },
);
const namespaceSelector = fc.constantFrom<object>(
  {},
  { matchLabels: { team: 'red' } },
  { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['b'] }] },
);
const ipBlock = fc.constantFrom<object>(
  { cidr: '0.0.0.0/0' },
  { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] },
  { cidr: '10.0.1.0/24' }, // the default nodes' addresses: hostNetwork pods
  { cidr: '10.0.1.20/32' },
  { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] },
  { cidr: '10.244.0.0/16' }, // the pod CIDR: must never match a pod
);
const peer = fc.oneof(
  fc.record({ podSelector }),
  fc.record({ namespaceSelector }),
  fc.record({ namespaceSelector, podSelector }),
  fc.record({ ipBlock }),
);
const port = fc.constantFrom<object>(
  {},
  { port: 80 },
  { port: 80, endPort: 90 },
  { port: 'http' },
  { port: 'dns', protocol: 'UDP' },
  { protocol: 'UDP' },
  { port: 8080, protocol: 'SCTP' },
  { port: 53, protocol: 'UDP' },
  { port: 'http', protocol: 'SCTP' },
);
const rule = (peerKey: 'from' | 'to') =>
  fc
    .record({
      peers: fc.option(fc.array(peer, { maxLength: 3 }), { nil: null }),
      ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: null }),
    })
    .map((r) => ({ ...(r.peers ? { [peerKey]: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) }));

export const ingressRule = rule('from');
export const egressRule = rule('to');

export const genPolicy: fc.Arbitrary<GenPolicy> = fc.record({
  ns: fc.constantFrom('a' as const, 'b' as const),
  podSelector,
  policyTypes: fc.option(fc.subarray(['Ingress', 'Egress']), { nil: null }),
  ingress: fc.option(fc.array(ingressRule, { maxLength: 2 }), { nil: null }),
  egress: fc.option(fc.array(egressRule, { maxLength: 2 }), { nil: null }),
});

export const genPod: fc.Arbitrary<GenPod> = fc.record({
  ns: fc.constantFrom('a' as const, 'b' as const),
  app: fc.constantFrom('web', 'db', 'cache'),
  tier: fc.constantFrom(null, 'fe', 'be'),
  ports: fc.constantFrom('http80' as const, 'http8080' as const, 'dns' as const, 'none' as const),
  hostNetwork: fc.integer({ min: 0, max: 5 }).map((n) => n === 0), // one pod in six
  replicas: fc.integer({ min: 1, max: 2 }),
  kind: fc.constantFrom('Pod' as const, 'Deployment' as const),
});

export const genCluster: fc.Arbitrary<GenCluster> = fc.record({
  pods: fc.array(genPod, { minLength: 1, maxLength: 6 }),
  policies: fc.array(genPolicy, { maxLength: 4 }),
});

const PORTS: Record<GenPod['ports'], object[]> = {
  http80: [{ name: 'http', containerPort: 80 }],
  http8080: [{ name: 'http', containerPort: 8080 }],
  dns: [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'http', containerPort: 80, protocol: 'SCTP' },
  ],
  none: [],
};

export function policyObject(p: GenPolicy, name: string): object {
  const spec: Record<string, unknown> = { podSelector: p.podSelector };
  if (p.policyTypes) spec['policyTypes'] = p.policyTypes;
  if (p.ingress) spec['ingress'] = p.ingress;
  if (p.egress) spec['egress'] = p.egress;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: p.ns }, spec };
}

/** The manifests of a generated cluster (and any `extra` objects, such as cluster-wide policies), analysed as a workspace. */
export function build(c: GenCluster, extra: readonly object[] = []): Analysis {
  const objects: object[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { team: 'red' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', labels: { team: 'blue' } } },
  ];
  c.pods.forEach((p, i) => {
    const labels = { app: p.app, ...(p.tier ? { tier: p.tier } : {}) };
    const spec = {
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      containers: [{ name: 'main', image: 'example/app', ports: PORTS[p.ports] }],
    };
    if (p.kind === 'Pod') objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${i}`, namespace: p.ns, labels }, spec });
    else
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `w${i}`, namespace: p.ns },
        spec: { replicas: p.replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
      });
  });
  c.policies.forEach((p, i) => objects.push(policyObject(p, `p${i}`)));
  objects.push(...extra);
  return analyzeWorkspace([{ path: 'gen.yaml', text: objects.map((o) => dump(o)).join('---\n') }]);
}

export function userPods(a: Analysis): SimPod[] {
  return a.cluster.pods.filter((p) => p.origin.kind === 'manifest');
}

/** Addresses outside the cluster that sit on either side of every generated ipBlock boundary. */
export const PROBE_IPS = [
  '0.0.0.0',
  '8.8.8.8',
  '10.0.0.1',
  '10.0.1.10',
  '10.0.1.20',
  '10.0.1.255',
  '10.244.1.5',
  '11.0.0.0',
  '203.0.113.5',
  '203.0.113.200',
  '255.255.255.255',
];

/** The matrix line for the range that holds `ip`, on the given side of `workload` (undefined: nothing allowed). */
export function externalLine(list: ConnectivityList, ip: string, workload: string, side: 'from' | 'to'): ConnSet | undefined {
  const addr = cidrRange(`${ip}/32`);
  for (const e of list.entries) {
    const name = side === 'from' ? e.src : e.dst;
    const other = side === 'from' ? e.dst : e.src;
    const m = /^(.+)-(.+)\[External\]$/.exec(name);
    if (!m || other !== workload || !addr) continue;
    const lo = cidrRange(`${m[1]}/32`);
    const hi = cidrRange(`${m[2]}/32`);
    if (lo && hi && rangesCover([{ family: lo.family, lo: lo.lo, hi: hi.hi }], addr)) return e.conn;
  }
  return undefined;
}
