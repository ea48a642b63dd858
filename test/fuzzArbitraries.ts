// Generators for the engine's fuzz suite (test/unit/fuzz.test.ts): mutations of the sample and the
// fixtures (lines deleted, duplicated, swapped, re-indented; values swapped for hostile ones;
// templates, NULs, aliases and deep nesting injected), random structured manifests with any field
// replaced by any JSON value, and `exercise`, which asks of an analysis everything a host asks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import {
  analyzeWorkspace,
  connectivityList,
  DEFAULT_LIMITS,
  findSource,
  parseSettings,
  ParseCache,
  rulesByNode,
  traceJson,
  tracePacket,
  type InputFile,
} from '../src/engine';
import { buildTopology } from '../src/engine/topology/build';
import { policyLayer } from '../src/engine/topology/policy';
import { MAX_SIMULATED_PODS } from '../src/engine/cluster/workloads';
import { analysisJson } from '../src/cli/analyzeFormat';
import { dnsJson } from '../src/cli/dnsFormat';
import { matrixJson } from '../src/cli/matrixFormat';

const ROOT = join(__dirname, '..');

/** Every manifest of the sample and the fixtures, small enough to mutate quickly. */
function seedFiles(): InputFile[] {
  const out: InputFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (/\.(ya?ml|json)$/.test(name) && statSync(abs).size < 16 * 1024)
        out.push({ path: relative(ROOT, abs).split('\\').join('/'), text: readFileSync(abs, 'utf8') });
    }
  };
  walk(join(ROOT, 'examples'));
  walk(join(ROOT, 'test', 'fixtures'));
  return out;
}
export const SEEDS = seedFiles();

/** Values that break types, ranges, addresses, YAML itself, or JavaScript objects used as maps. */
const HOSTILE_VALUES = [
  '"three"',
  '-1',
  '0',
  '65536',
  '99999',
  '3.5',
  '1e400',
  '.inf',
  '.nan',
  'banana',
  '10.0.0.0/33',
  '256.1.1.1',
  '::1',
  '2001:db8::/129',
  '10.96.0.1',
  'None',
  '""',
  "''",
  '~',
  'null',
  'true',
  'yes',
  '[]',
  '{}',
  '[a, b]',
  '{a: 1}',
  '*nope',
  '&a x',
  '!!binary aGk=',
  '!!set {a, b}',
  '!custom x',
  '"{{ .Values.x }}"',
  '{{ .Values.x }}',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  '"\\u0000"',
  'x'.repeat(300),
  '"<img src=x onerror=alert(1)>"',
  '0x1F',
  '"http://[::1]:99999/x"',
  'http://backend:0/',
  'tcp',
  'SCTP',
  'Exists',
  '"*.example.com"',
  '/a/../b',
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '<<', '"a b"', '? complex'];
const HOSTILE_LINES = [
  '{{ include "chart.labels" . }}',
  '---',
  '...',
  '  {{- toYaml .Values.x | nindent 2 }}',
  `x: ${'['.repeat(150)}${']'.repeat(150)}`,
  'a: &a [1, 2, 3]',
  'b: [*a, *a, *a]',
  '<<: *a',
  '__proto__: {polluted: true}',
  'constructor: {prototype: {x: 1}}',
  '%YAML 1.2',
  '? [complex, key]',
  ': value',
  'kind: List',
  'apiVersion: v1',
  '\t- tab',
  '- just a list item',
  'items: [1, 2]',
  'metadata: {name: dup}',
  'kind: Deployment',
  'spec: {replicas: 2}',
  '  selector: {matchLabels: {__proto__: x}}',
  'l: &l [x, x, x, x, x, x, x, x, x, x]',
  'm: &m [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]',
  'n: [*m, *m, *m, *m, *m, *m, *m, *m, *m, *m]',
];
const HOSTILE_CHARS = [
  '\u0000',
  '\t',
  '\uFEFF',
  '\r',
  '\u2028',
  '\uFFFD',
  '\u0007',
  '"',
  "'",
  '{',
  '[',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '#',
];

type Op =
  | { k: 'delete' | 'duplicate' | 'truncate'; at: number }
  | { k: 'swap'; at: number; to: number }
  | { k: 'value'; at: number; v: string }
  | { k: 'wrap'; at: number; how: 'list' | 'map' | 'quote' | 'nest' }
  | { k: 'insert'; at: number; text: string }
  | { k: 'indent'; at: number; by: number }
  | { k: 'char'; at: number; c: string }
  | { k: 'key'; at: number; key: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constantFrom('delete' as const, 'duplicate' as const, 'truncate' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({
    k: fc.constant('value' as const),
    at: fc.nat(),
    v: fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.string({ maxLength: 12 })),
  }),
  fc.record({
    k: fc.constant('wrap' as const),
    at: fc.nat(),
    how: fc.constantFrom('list' as const, 'map' as const, 'quote' as const, 'nest' as const),
  }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...HOSTILE_LINES) }),
  fc.record({ k: fc.constant('indent' as const), at: fc.nat(), by: fc.constantFrom(-2, -1, 1, 2, 8) }),
  fc.record({ k: fc.constant('char' as const), at: fc.nat(), c: fc.constantFrom(...HOSTILE_CHARS) }),
  fc.record({ k: fc.constant('key' as const), at: fc.nat(), key: fc.constantFrom(...HOSTILE_KEYS) }),
);

/** Applies one mutation; positions are taken modulo the text, so every op applies to any seed. */
export function mutate(text: string, o: Op): string {
  const lines = text.split('\n');
  const i = o.at % Math.max(1, lines.length);
  const line = lines[i] ?? '';
  const value = /^(\s*(?:- )?[^:#]*:\s)(.*)$/.exec(line) ?? /^(\s*- )(.*)$/.exec(line);
  switch (o.k) {
    case 'delete':
      lines.splice(i, 1);
      break;
    case 'duplicate':
      lines.splice(i, 0, line);
      break;
    case 'truncate':
      return text.slice(0, o.at % (text.length + 1));
    case 'swap': {
      const j = o.to % Math.max(1, lines.length);
      lines[i] = lines[j] ?? '';
      lines[j] = line;
      break;
    }
    case 'value':
      lines[i] = value ? `${value[1]}${o.v}` : `${line} ${o.v}`;
      break;
    case 'wrap':
      if (value) {
        const v = value[2] ?? '';
        lines[i] =
          `${value[1]}${o.how === 'list' ? `[${v}]` : o.how === 'map' ? `{k: ${v}}` : o.how === 'quote' ? JSON.stringify(v) : `[[[[{a: [${v}]}]]]]`}`;
      }
      break;
    case 'insert':
      lines.splice(i, 0, /^\s/.test(o.text) ? o.text : `${/^\s*/.exec(line)?.[0] ?? ''}${o.text}`);
      break;
    case 'indent':
      lines[i] = o.by > 0 ? ' '.repeat(o.by) + line : line.replace(new RegExp(`^ {0,${-o.by}}`), '');
      break;
    case 'char': {
      const at = o.at % (text.length + 1);
      return text.slice(0, at) + o.c + text.slice(at);
    }
    case 'key':
      lines[i] = line.replace(/^(\s*(?:- )?)[^:#\s][^:#]*:/, `$1${o.key}:`);
      break;
  }
  return lines.join('\n');
}

/** A workspace: one seed mutated, plus (sometimes) an intact neighbour from the same folder or the sample. */
export const mutatedWorkspace = fc
  .record({
    seed: fc.nat(SEEDS.length - 1),
    ops: fc.array(op, { minLength: 1, maxLength: 5 }),
    neighbour: fc.option(fc.nat(SEEDS.length - 1), { nil: undefined }),
  })
  .map(({ seed, ops, neighbour }) => {
    const base = SEEDS[seed] as InputFile;
    const files: InputFile[] = [{ path: base.path, text: ops.reduce(mutate, base.text) }];
    const other = neighbour === undefined ? undefined : SEEDS[neighbour];
    if (other && other.path !== base.path) files.push(other);
    return files;
  });

// Random structured manifests: the right shape with any field replaced by any JSON value.
const anyValue = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: anyValue }, { weight: 1, arbitrary: fc.constant(undefined) });
const labelKey = fc.oneof(fc.constantFrom('app', 'tier', 'k8s-app', ...HOSTILE_KEYS), fc.string({ maxLength: 8 }));
const labels = maybe(fc.dictionary(labelKey, maybe(fc.constantFrom('web', 'db', 'a', '', 'x'.repeat(70))), { maxKeys: 3 }));
const port = maybe(fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.constantFrom('http', 'dns', 'Not_A_Name', '8080')));
const container = maybe(
  fc.record({
    name: maybe(fc.constantFrom('app', 'side')),
    image: fc.constant('x'),
    ports: maybe(
      fc.array(
        maybe(
          fc.record({
            name: maybe(fc.constantFrom('http', 'dns')),
            containerPort: port,
            protocol: maybe(fc.constantFrom('TCP', 'UDP', 'SCTP', 'ICMP')),
          }),
        ),
        { maxLength: 2 },
      ),
    ),
    env: maybe(
      fc.array(
        fc.record({ name: fc.constant('URL'), value: maybe(fc.constantFrom('http://web:80', 'db.b.svc:5432', 'http://[zz', 'nowhere:1')) }),
        { maxLength: 2 },
      ),
    ),
  }),
);
const podSpec = fc.record({
  containers: maybe(fc.array(container, { maxLength: 2 })),
  hostNetwork: maybe(fc.boolean()),
  nodeName: maybe(fc.constantFrom('node-1', 'nope')),
  dnsPolicy: maybe(fc.constantFrom('ClusterFirst', 'None', 'Default')),
});
const meta = fc.record({
  name: maybe(fc.constantFrom('web', 'db', 'constructor', '__proto__', 'a'.repeat(64))),
  namespace: maybe(fc.constantFrom('a', 'b', 'kube-system', 'default')),
  labels,
});
const selector = maybe(
  fc.record({
    matchLabels: labels,
    matchExpressions: maybe(
      fc.array(
        fc.record({
          key: labelKey,
          operator: maybe(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Equals')),
          values: maybe(fc.array(fc.constantFrom('web', 'db'), { maxLength: 2 })),
        }),
        { maxLength: 2 },
      ),
    ),
  }),
);
const cidr = maybe(
  fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '10.244.1.0/24', '10.0.0.0/33', 'banana', '::/0', '2001:db8::/129', '10.0.0.1'),
);
const peer = maybe(
  fc.record({
    podSelector: selector,
    namespaceSelector: selector,
    ipBlock: maybe(fc.record({ cidr, except: maybe(fc.array(cidr, { maxLength: 2 })) })),
  }),
);
const rule = maybe(
  fc.record({
    from: maybe(fc.array(peer, { maxLength: 2 })),
    to: maybe(fc.array(peer, { maxLength: 2 })),
    ports: maybe(
      fc.array(maybe(fc.record({ port, endPort: port, protocol: maybe(fc.constantFrom('TCP', 'UDP', 'tcp')) })), { maxLength: 2 }),
    ),
  }),
);
const backend = maybe(
  fc.record({
    service: maybe(
      fc.record({
        name: maybe(fc.constantFrom('web', 'db', 'gone')),
        port: maybe(fc.record({ number: port, name: maybe(fc.constantFrom('http', 'x')) })),
      }),
    ),
  }),
);
const manifest: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    apiVersion: fc.constantFrom('apps/v1', 'v1', 'extensions/v1beta1'),
    kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'),
    metadata: maybe(meta),
    spec: maybe(
      fc.record({
        replicas: maybe(fc.integer({ min: -1, max: 4 })),
        selector,
        serviceName: maybe(fc.constantFrom('web', 'db')),
        template: maybe(fc.record({ metadata: maybe(meta), spec: maybe(podSpec) })),
        jobTemplate: maybe(fc.record({ spec: fc.record({ template: fc.record({ metadata: maybe(meta), spec: maybe(podSpec) }) }) })),
      }),
    ),
  }),
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Pod'),
    metadata: maybe(meta),
    spec: maybe(podSpec),
    status: maybe(fc.record({ podIP: maybe(fc.constantFrom('10.244.1.5', 'banana', '::1')) })),
  }),
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Service'),
    metadata: maybe(meta),
    spec: maybe(
      fc.record({
        type: maybe(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'Sideways')),
        clusterIP: maybe(fc.constantFrom('None', '', '10.96.0.10', '10.96.5.5', 'banana', '1.2.3.4', 'fd00::1')),
        selector: labels,
        externalName: maybe(fc.constantFrom('db.example.com', '')),
        externalTrafficPolicy: maybe(fc.constantFrom('Local', 'Cluster')),
        externalIPs: maybe(fc.array(fc.constantFrom('203.0.113.9', 'banana'), { maxLength: 2 })),
        ipFamilies: maybe(fc.array(fc.constantFrom('IPv4', 'IPv6', 'IPv7'), { maxLength: 2 })),
        ipFamilyPolicy: maybe(fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack')),
        ports: maybe(
          fc.array(
            maybe(
              fc.record({
                name: maybe(fc.constantFrom('http', 'dns', 'x')),
                port,
                targetPort: port,
                nodePort: port,
                protocol: maybe(fc.constantFrom('TCP', 'UDP')),
              }),
            ),
            { maxLength: 3 },
          ),
        ),
      }),
    ),
  }),
  fc.record({
    apiVersion: fc.constant('networking.k8s.io/v1'),
    kind: fc.constant('NetworkPolicy'),
    metadata: maybe(meta),
    spec: maybe(
      fc.record({
        podSelector: selector,
        policyTypes: maybe(fc.array(fc.constantFrom('Ingress', 'Egress', 'ingress'), { maxLength: 2 })),
        ingress: maybe(fc.array(rule, { maxLength: 2 })),
        egress: maybe(fc.array(rule, { maxLength: 2 })),
      }),
    ),
  }),
  fc.record({
    apiVersion: fc.constantFrom('networking.k8s.io/v1', 'extensions/v1beta1'),
    kind: fc.constant('Ingress'),
    metadata: maybe(meta),
    spec: maybe(
      fc.record({
        ingressClassName: maybe(fc.constantFrom('nginx', 'gone')),
        defaultBackend: backend,
        rules: maybe(
          fc.array(
            maybe(
              fc.record({
                host: maybe(fc.constantFrom('shop.example.com', '*.example.com', '*bad*', '')),
                http: maybe(
                  fc.record({
                    paths: maybe(
                      fc.array(
                        maybe(
                          fc.record({
                            path: maybe(fc.constantFrom('/', '/api', 'rel', '')),
                            pathType: maybe(fc.constantFrom('Prefix', 'Exact', 'ImplementationSpecific', 'Regex')),
                            backend,
                          }),
                        ),
                        { maxLength: 2 },
                      ),
                    ),
                  }),
                ),
              }),
            ),
            { maxLength: 2 },
          ),
        ),
        tls: maybe(
          fc.array(fc.record({ hosts: maybe(fc.array(fc.constantFrom('shop.example.com', '*.example.com'), { maxLength: 2 })) }), {
            maxLength: 1,
          }),
        ),
      }),
    ),
  }),
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constantFrom('Node', 'Namespace', 'ConfigMap', 'Endpoints', 'List'),
    metadata: maybe(meta),
    spec: maybe(fc.record({ podCIDR: cidr })),
    status: maybe(
      fc.record({
        addresses: maybe(
          fc.array(
            fc.record({
              type: fc.constantFrom('InternalIP', 'Hostname'),
              address: maybe(fc.constantFrom('10.0.1.99', 'banana', 'fd00::9')),
            }),
            { maxLength: 2 },
          ),
        ),
      }),
    ),
    data: maybe(fc.dictionary(labelKey, maybe(fc.constantFrom('http://web.a:80', 'x')), { maxKeys: 2 })),
    subsets: maybe(
      fc.array(
        fc.record({
          addresses: maybe(fc.array(fc.record({ ip: maybe(fc.constantFrom('10.1.2.3', 'banana')) }), { maxLength: 2 })),
          ports: maybe(fc.array(fc.record({ port }), { maxLength: 2 })),
        }),
        { maxLength: 2 },
      ),
    ),
    items: maybe(fc.array(anyValue, { maxLength: 2 })),
  }),
  anyValue,
);
export const structuredWorkspace = fc.array(fc.tuple(manifest, fc.boolean()), { minLength: 1, maxLength: 6 }).map((docs): InputFile[] => [
  // Half as YAML (js-yaml's dump), half as JSON; both are what a user's editor holds.
  {
    path: 'gen/a.yaml',
    text: docs
      .filter(([, asJson]) => !asJson)
      .map(([d]) => dump(d, { skipInvalid: true }))
      .join('---\n'),
  },
  ...docs.filter(([, asJson]) => asJson).map(([d], i) => ({ path: `gen/${i}.json`, text: JSON.stringify(d) ?? 'null' })),
]);

// Cluster settings (kube-netsim.yaml) that are tiny, full, inverted, dual-stack or not settings at all.
const SETTINGS_LINES = [
  'podCIDR: 10.0.0.0/32',
  'podCIDR: 10.0.0.0/31',
  'podCIDR: 10.244.0.0/28',
  'podCIDR: 0.0.0.0/0',
  'podCIDR: fd00::/127',
  'podCIDR: 10.244.0.0/16,fd00::/56',
  'serviceCIDR: 10.96.0.0/32',
  'serviceCIDR: 10.96.0.0/30',
  'serviceCIDR: fd01::/120',
  'serviceCIDR: 10.96.0.0/12,fd01::/128',
  'serviceCIDR: 10.244.0.0/16',
  'nodePortRange: 30000-30000',
  'nodePortRange: 1-65535',
  'nodePortRange: 30001-30000',
  'loadBalancerPool: 198.51.100.0/32',
  'loadBalancerPool: fd00::/127',
  'nodes: []',
  'nodes: [{name: a, ip: 10.0.0.1}, {name: a, ip: 10.0.0.2}]',
  'nodes: [{name: a, ip: "::1"}]',
  'nodes: [{name: a, ip: 10.0.0.1, podCIDR: 10.0.0.0/32}]',
  'nodes: [{name: a, ip: 10.0.0.1, podCIDR: 10.244.0.0/16}, {name: b, ip: 10.0.0.2, podCIDR: 10.244.0.0/16}]',
  'nodes: [{name: x, ip: 10.0.0.1, labels: {a: [1]}}]',
  'externalClient: "::1"',
  'externalClient: 10.244.1.5',
  'clusterDomain: a',
  'clusterDomain: cluster.local.',
  'cni: cilium',
  'encapsulation: native',
  'cni: flannel',
  'kubeProxyMode: nftables',
  'kubeProxyMode: ipvs',
  'cni: [calico]',
  '- a list',
  '{{ .Values.cluster }}',
  'nodes: *nope',
];
export const settingsWorkspace = fc
  .record({
    lines: fc.uniqueArray(fc.constantFrom(...SETTINGS_LINES), { minLength: 1, maxLength: 6 }),
    ops: fc.array(op, { maxLength: 2 }),
    seed: fc.nat(SEEDS.length - 1),
  })
  .map(({ lines, ops, seed }): InputFile[] => [
    ...SEEDS.filter((f) => f.path.startsWith('examples/shop/')),
    ...(SEEDS[seed] && !SEEDS[seed].path.startsWith('examples/shop/') ? [SEEDS[seed]] : []),
    { path: 'kube-netsim.yaml', text: ops.reduce(mutate, lines.join('\n') + '\n') },
  ]);

// Dual-stack inputs: the Service fields that pick families and addresses, each with good and bad
// values, and EndpointSlices of either address type (or a wrong one) for selector-less Services.
const FAMILY_FIELDS = [
  'ipFamilyPolicy: RequireDualStack',
  'ipFamilyPolicy: PreferDualStack',
  'ipFamilyPolicy: SingleStack',
  'ipFamilyPolicy: Sideways',
  'ipFamilies: [IPv6, IPv4]',
  'ipFamilies: [IPv6]',
  'ipFamilies: [IPv4, IPv4]',
  'ipFamilies: IPv6',
  'clusterIP: fd00:10:96::a',
  'clusterIPs: [10.96.5.5, "fd00:10:96::5"]',
  'clusterIPs: ["fd00:10:96::5", "fd00:10:96::6"]',
  'clusterIP: "2001:db8::zz"',
  'externalIPs: ["2001:db8::10", 203.0.113.10]',
  'type: LoadBalancer',
  'type: NodePort',
  'externalTrafficPolicy: Local',
  'internalTrafficPolicy: Local',
  'sessionAffinity: ClientIP',
  'loadBalancerSourceRanges: ["2001:db8::/32", " 203.0.113.0/25", nope]',
  'trafficDistribution: PreferClose',
];
const SLICE_ENDPOINTS = [
  '{addresses: ["fd00:10:244:1::5"], nodeName: node-1}',
  '{addresses: ["10.244.1.77"], conditions: {ready: false, serving: true, terminating: true}}',
  '{addresses: ["fd00:10:244:2::9"], conditions: {ready: true}, zone: a, hints: {forZones: [{name: a}]}}',
  '{addresses: ["not-an-ip"]}',
  '{addresses: [], nodeName: 7}',
];
const DUAL_SETTINGS = [
  'podCIDR: 10.244.0.0/16,fd00:10:244::/56\nserviceCIDR: 10.96.0.0/12,fd00:10:96::/112',
  'podCIDR: fd00:10:244::/56,10.244.0.0/16\nserviceCIDR: fd00:10:96::/112,10.96.0.0/12',
  'serviceCIDR: 10.96.0.0/12,fd00:10:96::/112',
  'podCIDR: 10.244.0.0/16,fd00:10:244::/120',
  // The IPv6 data path of each CNI, and nodes of both families given in the settings (or half-given).
  'podCIDR: 10.244.0.0/16,fd00:10:244::/56\ncni: flannel\nnodes:\n  - {name: node-1, ip: "10.0.1.10,fd00:1::10"}\n  - {name: node-2, ip: "10.0.1.20", podCIDR: "10.244.9.0/24,fd00:10:244:9::/64"}\n  - {name: node-3, ip: "fd00:1::30,10.0.1.30,10.0.1.31"}',
  'podCIDR: 10.244.0.0/16,fd00:10:244::/56\ncni: cilium\nencapsulation: native',
  'podCIDR: 10.244.0.0/16,fd00:10:244::/56\nencapsulation: vxlan',
  'podCIDR: 10.244.0.0/16,fd00:10:244::/56\ncni: weave',
];
export const dualStackWorkspace = fc
  .record({
    settings: fc.constantFrom(...DUAL_SETTINGS),
    proxy: fc.constantFrom('iptables', 'ipvs', 'nftables'),
    fields: fc.uniqueArray(fc.constantFrom(...FAMILY_FIELDS), { maxLength: 5 }),
    selectorLess: fc.boolean(),
    addressType: fc.constantFrom('IPv4', 'IPv6', 'FQDN', 'IPv7'),
    endpoints: fc.uniqueArray(fc.constantFrom(...SLICE_ENDPOINTS), { maxLength: 3 }),
  })
  .map(({ settings, proxy, fields, selectorLess, addressType, endpoints }): InputFile[] => [
    ...SEEDS.filter((f) => f.path.startsWith('examples/shop/')),
    { path: 'kube-netsim.yaml', text: `${settings}\nkubeProxyMode: ${proxy}\n` },
    {
      path: 'dual.yaml',
      text: [
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: dual, namespace: shop}',
        'spec:',
        ...fields.map((f) => `  ${f}`),
        ...(selectorLess ? [] : ['  selector: {app: backend}']),
        '  ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]',
        '---',
        'apiVersion: discovery.k8s.io/v1',
        'kind: EndpointSlice',
        'metadata: {name: dual-1, namespace: shop, labels: {kubernetes.io/service-name: dual}}',
        `addressType: ${addressType}`,
        `endpoints: [${endpoints.join(', ')}]`,
        'ports: [{name: http, port: 8080, protocol: TCP}]',
        '',
      ].join('\n'),
    },
  ]);

/**
 * Everything a host asks of an analysis, as one string: the CLI's analyze JSON, traces from a few
 * pods, the external client and a node to each Service (by name, ClusterIP and NodePort) and to
 * garbage targets, DNS lookups, the connectivity matrix, the topology and its policy layer, and
 * kube-proxy's rules in all three modes (each family's, in a dual-stack cluster).
 */
export function exercise(files: InputFile[], cache?: ParseCache): string {
  // kube-netsim.yaml is the settings, as the hosts read it; everything else is a manifest.
  const settingsFile = files.find((f) => f.path === 'kube-netsim.yaml');
  const { settings, diagnostics } = settingsFile
    ? parseSettings(settingsFile.path, settingsFile.text)
    : { settings: undefined, diagnostics: [] };
  const manifests = files.filter((f) => f !== settingsFile);
  const a = analyzeWorkspace(manifests, {
    limits: DEFAULT_LIMITS,
    settingsDiagnostics: diagnostics,
    ...(settings ? { settings } : {}),
    ...(cache ? { cache } : {}),
  });
  const pods = a.cluster.pods.filter((p) => p.origin.kind === 'manifest').slice(0, 3);
  const services = a.cluster.services.filter((s) => s.origin.kind === 'manifest').slice(0, 3);
  const node = a.cluster.nodes[0];
  const sources = [...pods.map((p) => `${p.namespace}/${p.name}`), 'external', ...(node ? [`node/${node.name}`] : [])];
  const targets = ['nowhere:80', 'http://[zz', '10.96.0.1:443'];
  // A dual-stack pod is reached at its IPv6 address too.
  for (const p of pods.slice(0, 2)) if (p.ipv6) targets.push(`[${p.ipv6}]:8080`);
  for (const s of services) {
    const p = s.ports[0];
    if (!p) continue;
    targets.push(`http://${s.name}.${s.namespace}:${p.port}/api`);
    // Every ClusterIP of a dual-stack Service, each family's.
    for (const ip of s.clusterIPs.length > 0 ? s.clusterIPs : s.clusterIP && s.clusterIP !== 'None' ? [s.clusterIP] : [])
      targets.push(`${ip.includes(':') ? `[${ip}]` : ip}:${p.port}`);
    if (p.nodePort !== undefined && node) targets.push(`${node.ip}:${p.nodePort}`);
  }
  const traces = [];
  for (const from of sources) {
    const found = findSource(a.cluster, from);
    if (!found.ok) continue;
    for (const to of targets.slice(0, 8)) traces.push(traceJson(tracePacket(a, found.source, to, 'TCP')));
  }
  const asker = pods[0] ?? { namespace: 'default' };
  const dns = ['kubernetes.default', 'nowhere', '..', 'a'.repeat(300), '*.x', ...services.map((s) => `${s.name}.${s.namespace}`)].map((n) =>
    dnsJson(a.dns.resolve(n, asker)),
  );
  const topology = buildTopology(a);
  const layer = pods[0] ? policyLayer(a, `${pods[0].namespace}/${pods[0].name}`) : undefined;
  const rules = [...rulesByNode(a.cluster, 'iptables'), ...rulesByNode(a.cluster, 'ipvs'), ...rulesByNode(a.cluster, 'nftables')].map(
    (r) => r.text,
  );
  return JSON.stringify({
    analysis: analysisJson(a),
    traces,
    dns,
    matrix: matrixJson(connectivityList(a.policies)),
    topology,
    layer,
    rules,
  });
}

export const size = (files: InputFile[]) => files.reduce((n, f) => n + f.text.length, 0);
// Counted bound: what comes out grows at most linearly with what goes in, plus the pod budget (a
// short file may legitimately ask for the whole budget). An alias bomb or a quadratic blow-up does not fit.
export const outputBound = (files: InputFile[]) => 2_000_000 + 2_000 * size(files) + 2_000 * MAX_SIMULATED_PODS;
