// Re-analysis after edits is a cold analysis, byte for byte (design.md: same manifests, same
// bytes; issue 20: "results must stay byte-identical to a cold analysis"). The extension keeps one
// ParseCache across edits, and the engine's per-object reads (templates, Services, policies) are
// remembered by parsed object; this replays random edit sequences with such a warm cache and
// compares everything the CLI prints, the matrix and a few lookups with a fresh analysis after each.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dump } from 'js-yaml';
import fc from 'fast-check';
import { analyzeWorkspace, connectivityList, ParseCache, type InputFile } from '../../src/engine';
import { analysisJson } from '../../src/cli/analyzeFormat';
import { matrixText } from '../../src/cli/matrixFormat';
import { dnsJson } from '../../src/cli/dnsFormat';
import { settingsFrom } from '../helpers';
import { BLOCKED_REFERENCES } from '../../src/engine/policy/checks';

/** The memo of connection-blocked-by-policy the latest analysis with this cache used. */
const blocked = (cache: ParseCache) => cache.incremental.memo(BLOCKED_REFERENCES);

/** A Deployment of one container on port 80, labelled app: NAME and `labels`, calling `calls` from an env value. */
const callingDeployment = (name: string, namespace: string, labels: Record<string, string>, calls?: string) =>
  dump({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'example',
              ports: [{ containerPort: 80 }],
              ...(calls ? { env: [{ name: 'U', value: calls }] } : {}),
            },
          ],
        },
      },
    },
  });

/** Service x/api on port 80, selecting app: api. */
const API_SERVICE = dump({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'api', namespace: 'x' },
  spec: { selector: { app: 'api' }, ports: [{ port: 80 }] },
});

const SETTINGS = settingsFrom('nodes:\n  - {name: a, ip: 10.0.0.1}\n  - {name: b, ip: 10.0.0.2}\n');
/** Settings that name no nodes: the workspace's Node objects, else the default cluster. */
const NO_NODES = settingsFrom('');

// Few names, so that edits keep hitting what other objects select, reference or duplicate.
const NAMESPACES = ['x', 'y'];
const APPS = ['web', 'api', 'db'];

const arbNs = fc.constantFrom(...NAMESPACES);
const arbApp = fc.constantFrom(...APPS);
const arbLabels = fc.record({ app: arbApp, tier: fc.constantFrom('a', 'b') });

const deployment = fc
  .record({
    name: arbApp,
    ns: arbNs,
    labels: arbLabels,
    replicas: fc.integer({ min: 0, max: 3 }),
    port: fc.constantFrom(80, 8080),
    named: fc.boolean(),
    calls: fc.option(fc.tuple(arbApp, arbNs)),
    // What a pod's lookups read besides the zone: its /etc/hosts and its resolver.
    resolver: fc.constantFrom('cluster', 'hosts', 'dnsConfig'),
    // Each kind names and counts its replicas its own way (a DaemonSet's follow the nodes), and unchanged ones are kept.
    kind: fc.constantFrom('Deployment', 'Deployment', 'StatefulSet', 'DaemonSet'),
  })
  .map((d) => ({
    apiVersion: 'apps/v1',
    kind: d.kind,
    metadata: { name: d.name, namespace: d.ns },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { app: d.labels.app } },
      template: {
        metadata: { labels: d.labels },
        spec: {
          ...(d.resolver === 'hosts' ? { hostAliases: [{ ip: '192.0.2.10', hostnames: ['api.x'] }] } : {}),
          ...(d.resolver === 'dnsConfig' ? { dnsConfig: { searches: ['y.svc.cluster.local'] } } : {}),
          containers: [
            {
              name: 'main',
              image: `example/${d.name}`,
              ports: [{ containerPort: d.port, ...(d.named ? { name: 'http' } : {}) }],
              ...(d.calls ? { env: [{ name: 'UPSTREAM', value: `http://${d.calls[0]}.${d.calls[1]}:80` }] } : {}),
            },
          ],
        },
      },
    },
  }));

const service = fc
  .record({
    name: arbApp,
    ns: arbNs,
    selector: fc.option(arbLabels.map((l) => ({ app: l.app }))),
    target: fc.constantFrom<number | string>(80, 8080, 'http'),
    headless: fc.boolean(),
    // A headless Service without ports: its DNS records come from the labels of the pods it selects.
    portless: fc.boolean(),
    // Hints for the endpoints' zones.
    close: fc.boolean(),
  })
  .map((s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.ns },
    spec: {
      ...(s.close ? { trafficDistribution: 'PreferClose' } : {}),
      ...(s.headless ? { clusterIP: 'None' } : {}),
      ...(s.selector ? { selector: s.selector } : {}),
      ...(s.headless && s.portless ? {} : { ports: [{ name: 'http', port: 80, targetPort: s.target }] }),
    },
  }));

const policy = fc
  .record({
    name: fc.constantFrom('p1', 'p2'),
    ns: arbNs,
    selector: fc.option(arbApp),
    // A peer's namespaces by name, by every namespace, or by a namespace label (edits of a Namespace move pods in and out).
    from: fc.option(fc.tuple(arbApp, fc.option(fc.constantFrom('x', 'y', '*', 't1', 't2')))),
    port: fc.constantFrom<number | string>(80, 8080, 'http'),
    egress: fc.boolean(),
    // An egress rule to pods by label (in some namespace), on a port its destinations may or may not declare.
    to: fc.option(fc.tuple(arbApp, fc.option(fc.constantFrom('x', 'y', '*')), fc.constantFrom<number | string>(80, 8080, 'http', 'web'))),
  })
  .map((p) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: p.name, namespace: p.ns },
    spec: {
      podSelector: p.selector ? { matchLabels: { app: p.selector } } : {},
      policyTypes: p.egress ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress: p.from
        ? [
            {
              from: [
                {
                  podSelector: { matchLabels: { app: p.from[0] } },
                  ...(p.from[1]
                    ? {
                        namespaceSelector:
                          p.from[1] === '*'
                            ? {}
                            : p.from[1].startsWith('t')
                              ? { matchLabels: { team: p.from[1] } }
                              : { matchLabels: { 'kubernetes.io/metadata.name': p.from[1] } },
                      }
                    : {}),
                },
              ],
              ports: [{ port: p.port }],
            },
          ]
        : [],
      ...(p.egress && p.to
        ? {
            egress: [
              {
                to: [
                  {
                    podSelector: { matchLabels: { app: p.to[0] } },
                    ...(p.to[1]
                      ? { namespaceSelector: p.to[1] === '*' ? {} : { matchLabels: { 'kubernetes.io/metadata.name': p.to[1] } } }
                      : {}),
                  },
                ],
                ports: [{ port: p.to[2] }],
              },
            ],
          }
        : {}),
    },
  }));

// Nodes declared in the workspace replace the settings' two: adding or removing one moves pods and DaemonSet replicas.
// Its zone is what topology-aware routing gives each endpoint on it (an edit may move a node to another zone).
const node = fc.record({ name: fc.constantFrom('n1', 'n2', 'n3'), zone: fc.constantFrom('a', 'b', '') }).map((n) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: n.name, labels: { 'topology.kubernetes.io/zone': n.zone } },
  status: { allocatable: { pods: '4' } },
}));

const namespace = fc
  .record({ name: arbNs, team: fc.constantFrom('t1', 't2') })
  .map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: { team: n.team } } }));

const ingress = fc.record({ ns: arbNs, backend: arbApp }).map((i) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: i.ns },
  spec: {
    rules: [
      {
        host: `${i.ns}.example.com`,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: i.backend, port: { number: 80 } } } }] },
      },
    ],
  },
}));

// A ConfigMap's values are references resolved from its namespace (its pods are not known).
const configMap = fc.record({ ns: arbNs, to: fc.tuple(arbApp, arbNs), port: fc.constantFrom(80, 8080) }).map((c) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'urls', namespace: c.ns },
  data: { API_URL: `http://${c.to[0]}.${c.to[1]}:${c.port}` },
}));

/** One YAML document: any of the kinds above, or a broken one (bad input must give the same diagnostics too). */
const document: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: deployment.map((o) => dump(o)) },
  { weight: 3, arbitrary: service.map((o) => dump(o)) },
  { weight: 3, arbitrary: policy.map((o) => dump(o)) },
  { weight: 1, arbitrary: namespace.map((o) => dump(o)) },
  { weight: 1, arbitrary: node.map((o) => dump(o)) },
  { weight: 1, arbitrary: ingress.map((o) => dump(o)) },
  { weight: 1, arbitrary: configMap.map((o) => dump(o)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'kind: [\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: 7}\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: odd, namespace: x}\nspec: {type: Foo, ports: [{port: x}]}\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd, namespace: y}\nspec: {replicas: two, template: {spec: {containers: [{ports: [{containerPort: http}]}]}}}\n',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: odd, namespace: x}\nspec: {podSelector: {matchLabels: 3}, ingress: [{from: [{ipBlock: {cidr: nope}}]}]}\n',
      // Silenced where it is written: the file's directives are kept with its text.
      '# kube-netsim: ignore all\napiVersion: v1\nkind: Service\nmetadata: {name: quiet, namespace: y}\nspec: {type: Foo, ports: [{port: x}]}\n',
    ),
  },
);

const FILES = ['a.yaml', 'b.yaml', 'c.yaml'];
type Workspace = string[][]; // per file, its documents

type Edit =
  | { op: 'replace'; file: number; doc: number; text: string }
  | { op: 'insert'; file: number; text: string }
  | { op: 'delete'; file: number; doc: number }
  | { op: 'move'; file: number; doc: number; to: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), file: fc.nat(2), doc: fc.nat(5), text: document }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), file: fc.nat(2), text: document }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), file: fc.nat(2), doc: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), file: fc.nat(2), doc: fc.nat(5), to: fc.nat(2) }) },
);

function apply(ws: Workspace, e: Edit): Workspace {
  const out = ws.map((docs) => [...docs]);
  const docs = out[e.file] ?? [];
  const at = e.op === 'insert' ? 0 : docs.length === 0 ? -1 : e.doc % docs.length;
  if (e.op === 'replace' && at >= 0) docs[at] = e.text;
  else if (e.op === 'insert') docs.push(e.text);
  else if (e.op === 'delete' && at >= 0) docs.splice(at, 1);
  else if (e.op === 'move' && at >= 0) (out[e.to] ?? []).push(...docs.splice(at, 1));
  return out;
}

function files(ws: Workspace): InputFile[] {
  return ws.map((docs, i) => ({ path: FILES[i] ?? `f${i}.yaml`, text: docs.join('---\n') }));
}

/** Everything an analysis shows: the CLI's analyze JSON, the connectivity list, DNS lookups from each namespace, and the endpoints. */
function bytes(input: InputFile[], cache?: ParseCache, settings = SETTINGS): string {
  const a = analyzeWorkspace(input, { settings, ...(cache ? { cache } : {}) });
  const lookups = NAMESPACES.flatMap((ns) => APPS.map((app) => dnsJson(a.dns.resolve(`${app}.${ns}`, { namespace: ns }))));
  // Every endpoint as the model holds it (zones and hints too, which the CLI's JSON leaves out).
  const endpoints = a.cluster.services.map((s) => [s.namespace, s.name, s.endpointsByPort]);
  return JSON.stringify({
    analysis: analysisJson(a),
    matrix: matrixText(connectivityList(a.policies, { gateways: a.gateway })),
    lookups,
    endpoints,
  });
}

describe('incremental re-analysis', () => {
  it('after every edit of a random sequence, the warm analysis is the cold one, byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(document, { maxLength: 5 }), { minLength: 3, maxLength: 3 }),
        fc.array(edit, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (start, edits, nodesFromWorkspace) => {
          const settings = nodesFromWorkspace ? NO_NODES : SETTINGS;
          const cache = new ParseCache();
          let ws: Workspace = start;
          assert.equal(bytes(files(ws), cache, settings), bytes(files(ws), undefined, settings));
          for (const e of edits) {
            ws = apply(ws, e);
            const input = files(ws);
            assert.equal(bytes(input, cache, settings), bytes(input, undefined, settings), `after ${JSON.stringify(e)}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a re-analysis reuses the checks of references whose reads did not change, and redoes the edited ones', () => {
    // Guards the property above against an incremental path that is never taken: web calls api
    // under a default-deny egress policy (connection-blocked-by-policy), then only api is edited.
    const deploy = (name: string, labels: string, calls?: string) => callingDeployment(name, 'x', { tier: labels }, calls);
    const svc = API_SERVICE;
    const deny = dump({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'x' },
      spec: { podSelector: { matchLabels: { tier: 'a' } }, policyTypes: ['Egress'] },
    });
    const web = deploy('web', 'a', 'http://api:80');
    const cache = new ParseCache();
    const ws = (api: string, other = '') => files([[web], [api, svc], [deny], [other]]);
    assert.equal(bytes(ws(deploy('api', 'a')), cache), bytes(ws(deploy('api', 'a'))));
    assert.ok(
      analyzeWorkspace(ws(deploy('api', 'a')), { settings: SETTINGS }).diagnostics.some((d) => d.code === 'connection-blocked-by-policy'),
    );
    // Only b.yaml changed: web's reference lands on api's new pods, so its check is redone.
    assert.equal(bytes(ws(deploy('api', 'b')), cache), bytes(ws(deploy('api', 'b'))));
    assert.equal(blocked(cache).misses, 1);
    // A file the reference does not read changed (a db Deployment would move web's pod to another
    // node, which a verdict reads): its check is reused.
    const other = dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'y' }, data: { LEVEL: 'info' } });
    assert.equal(bytes(ws(deploy('api', 'b'), other), cache), bytes(ws(deploy('api', 'b'), other)));
    assert.equal(blocked(cache).hits, 1);
    assert.equal(blocked(cache).misses, 0);
  });

  it("a DaemonSet's kept replicas follow the nodes when one node is exchanged for another", () => {
    // The property above rarely swaps one Node for another of the same count under a DaemonSet.
    const ds = dump({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'x' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'main', image: 'example/agent' }] } },
      },
    });
    const nodeDoc = (name: string) => dump({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    const cache = new ParseCache();
    for (const second of ['n2', 'n3', 'n2']) {
      const input = files([[ds], [nodeDoc('n1'), nodeDoc(second)], []]);
      assert.equal(bytes(input, cache, NO_NODES), bytes(input, undefined, NO_NODES), `nodes n1, ${second}`);
    }
  });

  it("kept endpoints take their node's new zone", () => {
    // The property above rarely moves a node to another zone under unchanged pods and Services.
    const web = dump({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'x' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'example/web' }] } },
      },
    });
    const svc = dump({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'x' },
      spec: { selector: { app: 'web' }, trafficDistribution: 'PreferClose', ports: [{ port: 80 }] },
    });
    // A node without a zone label gives its endpoints none.
    const nodeDoc = (name: string, zone: string) =>
      dump({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } });
    const cache = new ParseCache();
    for (const zone of ['a', '', 'b', 'a']) {
      const input = files([[web, svc], [nodeDoc('n1', zone), nodeDoc('n2', 'c')], []]);
      assert.equal(bytes(input, cache, NO_NODES), bytes(input, undefined, NO_NODES), `n1 in zone ${zone}`);
    }
  });

  it('a policy edited in the called namespace redoes the checks of calls into it from another', () => {
    // web (namespace y) calls api.x; only x's policies change, so the caller's pod and the Service are
    // the same objects and only the key of the pods behind the Service tells the check to run again.
    const deploy = (name: string, ns: string, calls?: string) => callingDeployment(name, ns, {}, calls);
    const svc = API_SERVICE;
    const ingressOnly = (from: string) =>
      dump({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'in', namespace: 'x' },
        spec: {
          podSelector: { matchLabels: { app: 'api' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': from } } }] }],
        },
      });
    const cache = new ParseCache();
    const ws = (policy: string) => files([[deploy('web', 'y', 'http://api.x:80')], [deploy('api', 'x'), svc], [policy]]);
    const blockedIn = (input: InputFile[]) =>
      analyzeWorkspace(input, { settings: SETTINGS }).diagnostics.some((d) => d.code === 'connection-blocked-by-policy');
    for (const from of ['y', 'z', 'y']) {
      const input = ws(ingressOnly(from));
      assert.equal(blockedIn(input), from !== 'y');
      assert.equal(bytes(input, cache), bytes(input), `ingress from ${from}`);
    }
  });

  it('a node port allocated in one analysis is not taken for one the manifest asks for in the next', () => {
    // Service b is edited to ask for the node port a was given: a cold analysis gives b that port and
    // a another one. The allocation once wrote a's port into the Service read kept across analyses,
    // and the next analysis took it for a port a's manifest asks for (and reported b's as taken).
    const svc = (name: string, nodePort?: number) =>
      dump({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'x' },
        spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
      });
    const cache = new ParseCache();
    const first = analyzeWorkspace(files([[svc('a')], [svc('b')], []]), { settings: SETTINGS, cache });
    const given = first.cluster.services.find((s) => s.name === 'a')?.ports[0]?.nodePort;
    assert.ok(given !== undefined);
    const input = files([[svc('a')], [svc('b', given)], []]);
    assert.equal(bytes(input, cache), bytes(input));
  });

  it('the edits it replays change what is simulated', () => {
    // Guards the test above against comparing analyses that never differ: two edits of the same
    // workspace give different bytes.
    const web = dump({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'x' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'example/web' }] } },
      },
    });
    const cache = new ParseCache();
    const one = bytes(files([[web], [], []]), cache);
    const two = bytes(files([[web.replace('replicas: 2', 'replicas: 3')], [], []]), cache);
    assert.notEqual(one, two);
  });
});
