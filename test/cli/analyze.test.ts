import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, json, ROOT } from './run';
import { lineOf, columnOf } from '../helpers';

interface Pod {
  namespace: string;
  name: string;
  workload: string;
  node: string | null;
  ip: string | null;
  labels: Record<string, string>;
  implicit?: true;
}
interface Port {
  name: string | null;
  port: number;
  targetPort: number | string;
  nodePort: number | null;
  protocol: string;
}
interface Service {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string | null;
  ports: Port[];
  endpoints: Array<{ pod: string; ip: string; port: number }>;
  implicit?: true;
}
interface Diag {
  severity: string;
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  resource: string | null;
}
interface Output {
  namespaces: Array<{ name: string; labels: Record<string, string>; implicit?: true }>;
  cluster: { clusterDomain: string; nodes: Array<{ name: string; ip: string; podCIDR: string }> };
  pods: Pod[];
  services: Service[];
  diagnostics: Diag[];
}

const analyzeJson = (...args: string[]) => {
  const r = cli('analyze', ...args, '--format', 'json');
  return { status: r.status, out: json<Output>(r), stderr: r.stderr };
};
const svcOf = (o: Output, id: string) => o.services.find((s) => `${s.namespace}/${s.name}` === id);
const at = (o: Output) => o.diagnostics.map((d) => `${d.code}@${d.file}:${d.line}:${d.column}`).sort();

/** Bad usage: status 2, exactly one line on stderr, nothing on stdout, no stack trace. */
function assertUsageError(args: string[], message: RegExp): void {
  const r = cli(...args);
  assert.equal(r.status, 2, `${args.join(' ')}: status`);
  assert.equal(r.stdout, '', `${args.join(' ')}: stdout`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${args.join(' ')}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0] ?? '', /^kube-netsim: /);
  assert.match(lines[0] ?? '', message);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/);
}

describe('cli analyze', () => {
  before(() => ensureBuilt());

  describe('examples/shop', () => {
    it("--format json has the contract's shape: pods, services with endpoints, diagnostics", () => {
      const { status, out } = analyzeJson('examples/shop');
      assert.equal(status, out.diagnostics.some((d) => d.severity === 'error') ? 1 : 0);
      assert.ok(out.pods.length >= 5);
      for (const p of out.pods) {
        for (const key of ['namespace', 'name', 'workload', 'node', 'ip', 'labels']) assert.ok(key in p, `pod has ${key}`);
        assert.match(p.workload, /^[a-z0-9-]+\/[a-z0-9-]+$/);
      }
      for (const s of out.services) {
        for (const key of ['namespace', 'name', 'type', 'clusterIP', 'ports', 'endpoints']) assert.ok(key in s, `service has ${key}`);
        for (const p of s.ports)
          for (const key of ['name', 'port', 'targetPort', 'nodePort', 'protocol']) assert.ok(key in p, `port has ${key}`);
        for (const e of s.endpoints) assert.deepEqual(Object.keys(e).slice(0, 3), ['pod', 'ip', 'port']);
      }
      const backend = svcOf(out, 'shop/backend');
      const backendPods = out.pods.filter((p) => p.workload === 'shop/backend');
      assert.deepEqual(
        backend?.endpoints.map((e) => `${e.pod} ${e.ip}:${e.port}`).sort(),
        backendPods.map((p) => `shop/${p.name} ${p.ip}:8080`).sort(),
      );
      assert.equal(svcOf(out, 'shop/postgres')?.clusterIP, 'None');
    });

    it('implicit objects are marked implicit: true, user objects are not', () => {
      const { out } = analyzeJson('examples/shop');
      assert.equal(svcOf(out, 'default/kubernetes')?.implicit, true);
      assert.equal(svcOf(out, 'default/kubernetes')?.clusterIP, '10.96.0.1');
      assert.equal(svcOf(out, 'kube-system/kube-dns')?.implicit, true);
      assert.equal(svcOf(out, 'kube-system/kube-dns')?.clusterIP, '10.96.0.10');
      const coredns = out.pods.filter((p) => p.labels['k8s-app'] === 'kube-dns');
      assert.equal(coredns.length, 2);
      for (const p of coredns) assert.equal(p.implicit, true);
      for (const p of out.pods.filter((x) => x.namespace === 'shop')) assert.equal(p.implicit, undefined, p.name);
      assert.equal(svcOf(out, 'shop/backend')?.implicit, undefined);
      assert.deepEqual(
        out.namespaces.map((n) => `${n.name}${n.implicit ? ' implicit' : ''} ${n.labels['kubernetes.io/metadata.name']}`),
        ['default implicit default', 'ingress-nginx implicit ingress-nginx', 'kube-system implicit kube-system', 'shop shop'],
      );
    });

    it('diagnostics are 1-based, point into input files, never at implicit objects', () => {
      const { out } = analyzeJson('examples/shop');
      for (const d of out.diagnostics) {
        assert.ok(['error', 'warning', 'info'].includes(d.severity));
        assert.ok(d.line >= 1 && d.column >= 1, `${d.code} at ${d.line}:${d.column}`);
        assert.match(d.file, /^examples\/shop\/[\w-]+\.yaml$/);
        assert.equal(typeof d.message, 'string');
        assert.ok('resource' in d);
      }
      const frontend = readFileSync(join(ROOT, 'examples/shop/frontend.yaml'), 'utf8');
      if (frontend.includes('http://catalog:9090')) {
        assert.ok(
          at(out).includes(
            `dns-name-unresolved@examples/shop/frontend.yaml:${lineOf(frontend, 'http://catalog:9090')}:${columnOf(frontend, 'http://catalog:9090')}`,
          ),
          at(out).join('\n'),
        );
      }
    });

    it('two runs give identical bytes, in every format', () => {
      for (const format of ['json', 'text', 'sarif']) {
        const a = cli('analyze', 'examples/shop', '--format', format);
        const b = cli('analyze', 'examples/shop', '--format', format);
        assert.equal(a.stdout, b.stdout, format);
        assert.ok(a.stdout.length > 100);
      }
    });

    it('naming files one by one gives the same result as naming the folder', () => {
      const files = ['backend.yaml', 'database.yaml', 'frontend.yaml', 'ingress.yaml', 'namespace.yaml', 'policies.yaml'].map(
        (f) => `examples/shop/${f}`,
      );
      assert.equal(
        cli('analyze', ...files.reverse(), '--format', 'json').stdout,
        cli('analyze', 'examples/shop', '--format', 'json').stdout,
      );
    });
  });

  describe('fixtures', () => {
    it('a clean workspace exits 0, with kube-netsim.yaml at its root applied', () => {
      const { status, out } = analyzeJson('test/fixtures/clean');
      assert.equal(status, 0);
      assert.deepEqual(out.diagnostics, []);
      assert.equal(svcOf(out, 'default/kubernetes')?.clusterIP, '10.3.0.1');
      assert.equal(svcOf(out, 'kube-system/kube-dns')?.clusterIP, '10.3.0.10');
      assert.deepEqual(
        out.cluster.nodes.map((n) => `${n.name} ${n.ip} ${n.podCIDR}`),
        ['worker-1 192.168.0.11 10.42.1.0/24', 'worker-2 192.168.0.12 10.42.2.0/24'],
      );
      assert.match(svcOf(out, 'demo/web')?.clusterIP ?? '', /^10\.3\./);
      const demo = out.pods.filter((p) => p.namespace === 'demo');
      assert.equal(demo.length, 3);
      for (const p of demo) assert.match(`${p.node} ${p.ip}`, /^worker-1 10\.42\.1\.\d+$|^worker-2 10\.42\.2\.\d+$/);
      assert.deepEqual(svcOf(out, 'demo/web')?.ports, [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }]);
      assert.deepEqual(
        svcOf(out, 'demo/web')?.endpoints.map((e) => e.port),
        [8080, 8080],
      );
    });

    it('--cluster FILE wins over the root kube-netsim.yaml', () => {
      const { out } = analyzeJson('test/fixtures/clean', '--cluster', 'test/fixtures/settings/custom.yaml');
      assert.equal(svcOf(out, 'default/kubernetes')?.clusterIP, '10.200.0.1');
      assert.equal(out.cluster.clusterDomain, 'example.internal');
      assert.deepEqual(
        out.cluster.nodes.map((n) => n.name),
        ['node-1', 'node-2', 'node-3'],
        "the root file's nodes are not merged in",
      );
    });

    it('a workspace with errors exits 1 and reports each at its exact field', () => {
      const { status, out } = analyzeJson('test/fixtures/errors');
      assert.equal(status, 1);
      assert.deepEqual(at(out), [
        'clusterip-out-of-range@test/fixtures/errors/dump.json:9:31',
        // The backend behind its ClusterIP Service has no readinessProbe (kube-linter's check, as an info).
        'missing-readiness-probe@test/fixtures/errors/app.yaml:17:17',
        'selector-mismatch@test/fixtures/errors/app.yaml:42:3',
        'selector-near-miss@test/fixtures/errors/app.yaml:44:12',
        'service-port-mismatch@test/fixtures/errors/app.yaml:55:22',
        'yaml-syntax@test/fixtures/errors/broken.yaml:7:13',
      ]);
      assert.equal(out.diagnostics.find((d) => d.code === 'selector-mismatch')?.resource, 'Deployment/shop/frontend');
      assert.ok(
        out.services.some((s) => s.name === 'legacy'),
        'the JSON file was read too',
      );
    });

    it('warnings alone exit 0', () => {
      const { status, out } = analyzeJson('test/fixtures/warnings');
      assert.equal(status, 0);
      assert.deepEqual(at(out), ['service-no-endpoints@test/fixtures/warnings/app.yaml:7:3']);
    });

    it('a single file can be named', () => {
      const { status, out } = analyzeJson('test/fixtures/errors/broken.yaml');
      assert.equal(status, 1);
      assert.deepEqual(at(out), ['yaml-syntax@test/fixtures/errors/broken.yaml:7:13']);
    });
  });

  describe('text and sarif', () => {
    it('text prints pods, Services and endpoints tables, then compiler-style problems and a summary', () => {
      const r = cli('analyze', 'test/fixtures/errors');
      assert.equal(r.status, 1);
      const lines = r.stdout.split('\n');
      assert.match(lines[0] ?? '', /^NAMESPACE\s+NAME\s+IP\s+NODE\s+WORKLOAD$/);
      assert.ok(lines.some((l) => /^shop\s+backend-\S+\s+10\.244\.\d+\.\d+\s+node-\d\s+Deployment\/backend$/.test(l)));
      assert.ok(lines.some((l) => /^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)$/.test(l)));
      assert.ok(lines.some((l) => /^shop\s+backend\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+8080\/TCP$/.test(l)));
      assert.ok(lines.some((l) => /^NAMESPACE\s+NAME\s+ENDPOINTS$/.test(l)));
      assert.ok(lines.some((l) => /^shop\s+legacy\s+<none>$/.test(l)));
      assert.ok(
        lines.includes(
          "test/fixtures/errors/app.yaml:42:3: error [selector-mismatch] spec.selector (app=frontend) does not match the pod template's labels (app=front-end); the API server rejects this Deployment. Make the template carry the selector's labels.",
        ),
      );
      assert.match(r.stdout, /\n3 pods, 2 services; 4 errors, 1 warnings, 1 infos\n$/);
      assert.doesNotMatch(r.stdout, /coredns|kube-dns/, 'implicit objects are left out of the tables');
    });

    it('sarif is SARIF 2.1.0 with one result per diagnostic', () => {
      const r = cli('analyze', 'test/fixtures/errors', '--format', 'sarif');
      const sarif = json<{
        version: string;
        runs: Array<{
          tool: { driver: { rules: Array<{ id: string }> } };
          results: Array<{
            ruleId: string;
            locations: Array<{
              physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
            }>;
          }>;
        }>;
      }>(r);
      assert.equal(sarif.version, '2.1.0');
      const run = sarif.runs[0];
      assert.ok(run);
      assert.deepEqual(
        run.results
          .map(
            (x) =>
              `${x.ruleId}@${x.locations[0]?.physicalLocation.artifactLocation.uri}:${x.locations[0]?.physicalLocation.region.startLine}:${x.locations[0]?.physicalLocation.region.startColumn}`,
          )
          .sort(),
        at(analyzeJson('test/fixtures/errors').out),
      );
      for (const x of run.results) assert.ok(run.tool.driver.rules.some((rule) => rule.id === x.ruleId));
    });
  });

  describe('bad usage exits 2 with one line on stderr', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['no PATH', ['analyze'], /path/i],
      ['a PATH that does not exist', ['analyze', 'no/such/dir'], /no\/such\/dir: no such file or folder/],
      ['an unknown flag', ['analyze', 'examples/shop', '--bogus'], /unknown option '--bogus'/],
      ['an unknown format', ['analyze', 'examples/shop', '--format', 'xml'], /xml/],
      ['a missing --cluster file', ['analyze', 'examples/shop', '--cluster', 'nope.yaml'], /nope\.yaml: no such file/],
      ['no command', [], /no command given; use one of analyze, /],
      ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [what, args, message] of cases) it(what, () => assertUsageError(args, message));
  });
});
