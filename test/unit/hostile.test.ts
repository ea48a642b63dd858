// The hostile corpus (test/fixtures/hostile): every file gets exactly the diagnostics listed here
// (code, line, column), and the one good file beside it (good.yaml) is still simulated whole.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  analyzeWorkspace,
  connectivityList,
  DEFAULT_LIMITS,
  findSource,
  parseSettings,
  ParseCache,
  tracePacket,
  type Analysis,
  type InputFile,
} from '../../src/engine';
import { buildTopology } from '../../src/engine/topology/build';
import { MAX_SIMULATED_PODS } from '../../src/engine/cluster/workloads';
import { MAX_SIMULATED_ENDPOINTS } from '../../src/engine/services/endpoints';
import { where } from '../helpers';

const DIR = join(__dirname, '..', 'fixtures', 'hostile');
// 64 KiB, so that huge.yaml (72 KiB) stands for a file above the limit without a 4 MiB fixture.
const LIMITS = { ...DEFAULT_LIMITS, maxFileBytes: 64 * 1024 };

/** `line:column code` of every diagnostic each file must produce, in order; [] means silently ignored. */
const EXPECTED: Record<string, string[]> = {
  'bad-addresses.yaml': [
    '8:14 manifest-invalid', // clusterIP: banana
    '9:19 manifest-invalid', // loadBalancerIP: banana
    '10:17 manifest-invalid', // externalIPs: [banana, ...]
    '13:13 manifest-invalid', // port: 70000
    '16:19 manifest-invalid', // targetPort: -1
    '19:17 manifest-invalid', // nodePort: 99999
    '21:13 manifest-invalid', // port: 0
    '24:19 manifest-invalid', // targetPort: Not_A_Name
    '32:14 manifest-invalid', // clusterIP: 10.96.0.0/33 (clusterIP: "" on line 41 is fine)
    '56:26 manifest-invalid', // containerPort: 0
    '57:27 manifest-invalid', // containerPort: "8080"
    '59:21 manifest-invalid', // hostPort: 70000
    '66:12 manifest-invalid', // Node podCIDR: 10.0.0.0/33
    '70:16 manifest-invalid', // Node InternalIP banana
    '82:19 manifest-invalid', // ipBlock cidr: 10.0.0.0/33
    '84:19 manifest-invalid', // ipBlock cidr: banana
    '88:17 manifest-invalid', // except outside the cidr
    '89:17 manifest-invalid', // except: banana
    '91:17 manifest-invalid', // policy port: 0
    '92:17 manifest-invalid', // policy port: 65536
    '94:20 manifest-invalid', // endPort below port
  ],
  'billion-laughs.yaml': ['12:12 yaml-limit'],
  'binary.yaml': ['1:1 file-skipped'],
  'bom.yaml': ['9:17 nodeport-out-of-range'],
  'broken.json': ['5:23 yaml-syntax'],
  'ci-workflow.yml': [],
  'client-configs.yaml': [],
  'cluster-settings.yaml': [],
  'crlf.yaml': ['7:9 manifest-invalid', '10:17 manifest-invalid'],
  'deep-nesting.yaml': ['105:199 yaml-limit', '164:103 yaml-limit'],
  'docker-compose.yaml': [],
  'duplicate-keys.yaml': ['9:3 yaml-syntax'],
  'empty-docs.yaml': [],
  'empty.yaml': [],
  'go-template.yaml': ['7:1 helm-template'],
  'helm-template.yaml': ['4:9 helm-template'],
  'huge.yaml': ['1:1 file-skipped'],
  'list-broken.yaml': [
    '13:5 manifest-invalid',
    '14:5 manifest-invalid',
    '23:7 manifest-invalid',
    '24:5 manifest-invalid',
    '28:9 manifest-invalid',
    '39:21 manifest-invalid',
  ],
  'manifest.json': ['6:6 service-no-endpoints', '7:26 manifest-invalid'],
  'syntax-error.yaml': ['13:19 yaml-syntax', '20:1 yaml-syntax'],
  'unknown-kind.yaml': ['2:7 manifest-invalid', '11:7 manifest-invalid', '24:7 manifest-invalid', '29:7 manifest-invalid'],
  'utf16.yaml': ['1:1 file-skipped'],
  'whitespace.yaml': [],
  'wrong-types.yaml': [
    '7:14 manifest-invalid', // replicas: "three"
    '8:13 manifest-invalid', // selector: app=web
    '11:7 manifest-invalid', // template labels as a list
    '15:7 manifest-invalid', // containers as a map
    '25:13 manifest-invalid', // Service selector as a string
    '26:10 manifest-invalid', // ports: 80
    '33:3 manifest-invalid', // labels: [app, odd]
    '38:14 manifest-invalid', // container ports: 8080
    '39:7 manifest-invalid', // a container that is a string
    '40:17 manifest-invalid', // hostNetwork: "yes"
    '45:3 manifest-invalid', // metadata.name as a list
    '53:14 manifest-invalid', // metadata.namespace: 42
    '59:13 manifest-invalid', // apiVersion: 1
    '66:12 manifest-invalid', // metadata: "just a string"
  ],
};

/** What some diagnostics must say, by `file line:column` (the table above pins only code and place). */
const MESSAGES: Record<string, RegExp> = {
  'billion-laughs.yaml 12:12': /aliases expand to more than 100000 nodes/,
  'binary.yaml 1:1': /binary/,
  'utf16.yaml 1:1': /UTF-16.*save it as UTF-8/,
  'huge.yaml 1:1': /larger than 65536 bytes/,
  'deep-nesting.yaml 105:199': /maxDepth/,
  'duplicate-keys.yaml 9:3': /duplicated mapping key/,
  'syntax-error.yaml 20:1': /tab/,
  'unknown-kind.yaml 2:7': /v1 has no kind Servce.*did you mean Service\?/,
  'unknown-kind.yaml 11:7': /did you mean Deployment\?/,
  'wrong-types.yaml 7:14': /`replicas` must be an integer, not the string "three"/,
  'wrong-types.yaml 45:3': /`metadata.name` must be a string, not a list/,
  'wrong-types.yaml 53:14': /`metadata.namespace` must be a string, not number 42/,
  'bad-addresses.yaml 70:16': /InternalIP address must be an IP address.*banana/,
  'list-broken.yaml 13:5': /Each item of a List must be an object.*"just a string"/,
  'list-broken.yaml 28:9': /`items` must be a list of objects/,
};

const read = (name: string): InputFile => ({ path: name, text: readFileSync(join(DIR, name), 'utf8') });
const corpus = readdirSync(DIR)
  .filter((f) => f !== 'good.yaml' && !f.startsWith('.'))
  .sort();
const at = (a: Analysis, file: string) =>
  a.diagnostics.filter((d) => d.range.file === file).map((d) => `${d.range.line}:${d.range.column} ${d.code}`);

/** good.yaml's Deployment (2 pods with addresses), its Service with both endpoints, and a working trace between them. */
function assertGoodAnalysed(a: Analysis): void {
  assert.deepEqual(at(a, 'good.yaml'), at(analyzeWorkspace([read('good.yaml')]), 'good.yaml'), 'good.yaml gets what it gets alone');
  assert.ok(!a.diagnostics.some((d) => d.range.file === 'good.yaml' && d.severity === 'error'), 'and no error');
  const pods = a.cluster.pods.filter((p) => p.namespace === 'good');
  assert.equal(pods.length, 2, 'both replicas of good/web');
  assert.ok(
    pods.every((p) => p.ip !== undefined),
    'both replicas have addresses',
  );
  const svc = a.cluster.services.find((s) => s.namespace === 'good' && s.name === 'web');
  assert.ok(svc, 'Service good/web');
  assert.deepEqual(
    svc.endpointsByPort[0]?.map((e) => e.port),
    [8080, 8080],
  );
  const from = findSource(a.cluster, 'good/web');
  assert.ok(from.ok);
  assert.equal(tracePacket(a, from.source, 'http://web:80/').verdict, 'delivered');
}

describe('hostile corpus: each file beside a good one', () => {
  it('lists every file of the corpus (a new file needs its expectations)', () => {
    assert.deepEqual(corpus, Object.keys(EXPECTED).sort());
  });

  for (const name of corpus) {
    it(`${name}: ${EXPECTED[name]?.length ? EXPECTED[name]?.join(', ') : 'silently ignored'}; good.yaml still analysed`, () => {
      const a = analyzeWorkspace([read(name), read('good.yaml')], { limits: LIMITS });
      assert.deepEqual(at(a, name), EXPECTED[name]);
      for (const d of a.diagnostics.filter((x) => x.range.file === name)) {
        const want = MESSAGES[`${name} ${d.range.line}:${d.range.column}`];
        if (want) assert.match(d.message, want);
        assert.ok(d.message.length < 400, `a short message: ${d.message.slice(0, 80)}…`);
      }
      assertGoodAnalysed(a);
    });
  }

  it('the whole corpus at once gives the same diagnostics per file, and the good file survives all of them', () => {
    const a = analyzeWorkspace([...corpus, 'good.yaml'].map(read), { limits: LIMITS });
    for (const name of corpus) assert.deepEqual(at(a, name), EXPECTED[name], name);
    assertGoodAnalysed(a);
    // The other views of the result must not trip over what the hostile files left behind.
    assert.ok(connectivityList(a.policies).entries.length > 0);
    assert.ok(buildTopology(a).pods.length > 0);
  });
});

describe('hostile corpus: what survives inside a damaged file', () => {
  const objects = (name: string) => analyzeWorkspace([read(name)], { limits: LIMITS }).cluster;

  it('documents around a syntax error are analysed', () => {
    assert.deepEqual(
      objects('syntax-error.yaml').configMaps.map((c) => c.name),
      ['before', 'after'],
    );
  });

  it('a Go template in a string value is data; a template in the structure is not simulated', () => {
    const c = objects('go-template.yaml');
    assert.deepEqual(
      c.configMaps.map((m) => m.name),
      ['alert-text'],
    );
    assert.ok(!c.services.some((s) => s.name === 'templated'));
  });

  it('the good items of a broken List are analysed', () => {
    const c = objects('list-broken.yaml');
    assert.deepEqual(
      c.pods.filter((p) => p.namespace === 'hostile').map((p) => p.name),
      ['listed'],
    );
    assert.deepEqual(
      c.services
        .filter((s) => s.namespace === 'hostile')
        .map((s) => s.name)
        .sort(),
      ['listed-svc', 'typed-item'],
    );
  });

  it('a workload with wrong field types still gives its pods (defaults for what is wrong)', () => {
    const c = objects('wrong-types.yaml');
    assert.deepEqual(
      c.pods
        .filter((p) => p.namespace === 'hostile')
        .map((p) => p.workload.name)
        .sort(),
      ['odd-fields', 'replicas-word'],
    );
  });

  it('CRLF and BOM files keep exact positions (as the editor shows them, BOM read or dropped)', () => {
    const bom = readFileSync(join(DIR, 'bom.yaml'));
    for (const text of [bom.toString('utf8'), new TextDecoder().decode(bom)]) {
      assert.deepEqual(at(analyzeWorkspace([{ path: 'bom.yaml', text }]), 'bom.yaml'), ['9:17 nodeport-out-of-range']);
    }
    const crlf = analyzeWorkspace([read('crlf.yaml')]).diagnostics.find((d) => d.range.file === 'crlf.yaml');
    assert.deepEqual([crlf?.range.line, crlf?.range.column, crlf?.range.endColumn], [7, 9, 17], 'the range stops before the CR');
  });

  it('clusterIP "" means "allocate one": no diagnostic, and an address', () => {
    const svc = objects('bad-addresses.yaml').services.find((s) => s.name === 'empty-ip');
    assert.match(svc?.clusterIP ?? '', /^10\.(9[6-9]|1[01]\d)\./);
  });

  it('with the default size limit, huge.yaml (72 KiB) is analysed', () => {
    const a = analyzeWorkspace([read('huge.yaml')]);
    assert.deepEqual(at(a, 'huge.yaml'), []);
    assert.deepEqual(
      a.cluster.configMaps.map((c) => c.name),
      ['huge'],
    );
  });
});

describe('limits', () => {
  it('a host may give a size instead of the text of a file above the limit', () => {
    const a = analyzeWorkspace([{ path: 'big.yaml', text: '', bytes: 5 * 1024 * 1024 }, read('good.yaml')]);
    assert.deepEqual(at(a, 'big.yaml'), ['1:1 file-skipped']);
    assert.match(a.diagnostics[0]?.message ?? '', /larger than 4194304 bytes/);
    assertGoodAnalysed(a);
  });

  it('the parse cache re-reads a file when the limits change (raising maxFileBytes includes it)', () => {
    const cache = new ParseCache();
    const huge = read('huge.yaml');
    assert.deepEqual(at(analyzeWorkspace([huge], { cache, limits: LIMITS }), 'huge.yaml'), ['1:1 file-skipped']);
    const raised = analyzeWorkspace([huge], { cache, limits: { ...LIMITS, maxFileBytes: 1024 * 1024 } });
    assert.deepEqual(
      raised.cluster.configMaps.map((c) => c.name),
      ['huge'],
    );
  });

  it('the alias-expansion bound is a limit like the others', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nl: &l [a, b, c, d, e, f, g, h, i, j]\nm: [*l, *l, *l]\n';
    assert.deepEqual(at(analyzeWorkspace([{ path: 'x.yaml', text }], { limits: { ...LIMITS, maxAliasNodes: 25 } }), 'x.yaml'), [
      '6:13 yaml-limit',
    ]);
    assert.deepEqual(at(analyzeWorkspace([{ path: 'x.yaml', text }], { limits: { ...LIMITS, maxAliasNodes: 40 } }), 'x.yaml'), []);
  });

  it('an alias bomb in kube-netsim.yaml is bounded too', () => {
    const lines = ['x-laughs:', '  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `  l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const r = parseSettings('kube-netsim.yaml', `${lines.join('\n')}\nnodePortRange: *l9\n`);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.range.line}:${d.range.column} ${d.code}`),
      ['7:12 yaml-limit'],
    );
  });
});

describe('hostile settings (cluster-settings.yaml read as kube-netsim.yaml)', () => {
  it('reports every bad key at its place and keeps the defaults', () => {
    const r = parseSettings('kube-netsim.yaml', read('cluster-settings.yaml').text);
    const got = r.diagnostics.map((d) => `${d.range.line}:${d.range.column} ${d.code}`).sort();
    assert.deepEqual(
      got,
      ['10:9', '13:14', '14:5', '2:6', '3:10', '4:14', '5:16', '6:16', '7:1'].map((p) => `${p} settings-invalid`).sort(),
    );
    assert.equal(r.settings.cni, 'calico');
    assert.equal(r.settings.podCIDR, '10.244.0.0/16');
    assert.equal(r.settings.serviceCIDR, '10.96.0.0/12');
    assert.deepEqual(r.settings.nodePortRange, [30000, 32767]);
    assert.deepEqual(
      r.settings.nodes?.map((n) => n.name),
      ['n2'],
    );
  });
});

describe('pod budget', () => {
  it('replicas beyond the budget are left out with one warning at the field, and the other workloads keep what fits', () => {
    const big = (name: string, replicas: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      containers: [{name: a, image: b}]\n`;
    // The default budget (MAX_SIMULATED_PODS) guards against hostile input; a lower one keeps the test quick.
    assert.ok(MAX_SIMULATED_PODS >= 1_000_000);
    const files = [{ path: 'a.yaml', text: big('a', 100000) }, { path: 'b.yaml', text: big('b', 5) }, read('good.yaml')];
    const a = analyzeWorkspace(files, { budgets: { pods: 10_000 } });
    const user = a.cluster.pods.filter((p) => p.origin.kind === 'manifest');
    assert.equal(user.length, 10_000);
    // The default cluster grows to hold the 10,000 pods, and says so at the replicas that need it.
    assert.deepEqual(at(a, 'a.yaml'), ['6:13 cluster-nodes-assumed', '6:13 simulation-limit']);
    assert.match(a.diagnostics.find((d) => d.code === 'simulation-limit')?.message ?? '', /asks for 100000 pods, but only 10000 more fit/);
    assert.deepEqual(at(a, 'b.yaml'), [], 'reported once');
    assert.equal(user.filter((p) => p.workload.name === 'b').length, 0);
  });
});

describe('hostile cluster settings do not hang or crash the simulation', () => {
  const nodePorts = ['a', 'b']
    .map((n) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${n}\nspec:\n  type: NodePort\n  ports:\n    - port: 80\n`)
    .join('---\n');

  it('a NodePort range with no port left: the Service that gets none is reported (a full range looped forever)', () => {
    const { settings } = parseSettings('kube-netsim.yaml', 'nodePortRange: 30000-30000\n');
    const a = analyzeWorkspace([{ path: 'np.yaml', text: nodePorts }], { settings });
    assert.deepEqual(
      a.cluster.services.filter((s) => s.origin.kind === 'manifest').map((s) => s.ports[0]?.nodePort),
      [30000, undefined],
    );
    assert.deepEqual(at(a, 'np.yaml'), ['17:7 nodeport-range-full']);
    assert.match(a.diagnostics[0]?.message ?? '', /No nodePort is left in the range 30000-30000 \(all 1 are taken\)/);
  });

  for (const podCIDR of ['10.0.0.0/31', '10.0.0.0/32', '10.244.0.0/16,fd00::/127']) {
    it(`podCIDR ${podCIDR} (too small to cut per-node ranges from) is simulated, not a crash`, () => {
      const { settings, diagnostics } = parseSettings('kube-netsim.yaml', `podCIDR: ${podCIDR}\n`);
      assert.deepEqual(diagnostics, []);
      const a = analyzeWorkspace([read('good.yaml')], { settings });
      assert.equal(a.cluster.pods.filter((p) => p.namespace === 'good').length, 2);
      assert.equal(a.cluster.nodes.length, 3);
    });
  }
});

describe('no quadratic corners in template detection', () => {
  // Generous hang bounds (the runner's timeout, ~100x the normal time): these inputs took minutes
  // when each `{{` re-scanned the rest of the file, its line and every scalar.
  it('a file of unclosed {{ and one of 50,000 templates in strings are analysed', { timeout: 20_000 }, () => {
    const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n';
    const unclosed = analyzeWorkspace([{ path: 'a.yaml', text: `${head}  a: "${'{{ '.repeat(200_000)}"\n` }]);
    assert.deepEqual(
      unclosed.cluster.configMaps.map((c) => c.name),
      ['x'],
    );
    const many = analyzeWorkspace([
      {
        path: 'b.yaml',
        text: head + Array.from({ length: 50_000 }, (_, i) => `  k${i}: "{{ $labels.instance }} is down"`).join('\n') + '\n',
      },
    ]);
    assert.equal(many.cluster.configMaps[0]?.texts.length, 50_000);
    assert.deepEqual(many.diagnostics, []);
    const comments = analyzeWorkspace([{ path: 'c.yaml', text: `${head}  a: b # ${'{{ .Values.x }} '.repeat(50_000)}\n` }]);
    assert.deepEqual(comments.diagnostics, [], 'templates in a comment do not count');
  });
});

describe('endpoint budget', () => {
  it('Services beyond the endpoint budget are cut with one warning at the selector; kube-dns keeps its endpoints', () => {
    const pods = 1001;
    // One node that holds them all: kubelet's --max-pods raised (status.allocatable.pods) and a /18 of addresses.
    const node = `apiVersion: v1\nkind: Node\nmetadata: {name: big}\nspec: {podCIDR: 10.244.0.0/18}\nstatus:\n  allocatable: {pods: "1100"}\n  addresses: [{type: InternalIP, address: 10.0.1.10}]\n`;
    const dep = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: ${pods}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: a, image: b}]}\n`;
    const services = Array.from(
      { length: 1000 },
      (_, i) =>
        `apiVersion: v1\nkind: Service\nmetadata: {name: s${String(i).padStart(4, '0')}}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n`,
    );
    const a = analyzeWorkspace([
      { path: 'dep.yaml', text: dep },
      { path: 'svc.yaml', text: services.join('---\n') },
      { path: 'node.yaml', text: node },
    ]);
    const count = (name: string) => a.cluster.services.find((s) => s.name === name)?.endpointsByPort[0]?.length;
    assert.equal(count('s0000'), pods);
    assert.equal(count('s0998'), pods);
    assert.equal(count('s0999'), MAX_SIMULATED_ENDPOINTS - 999 * pods, 'the last one gets what is left');
    assert.deepEqual(where(a, 'simulation-limit'), [`svc.yaml:${999 * 7 + 5}:3`]);
    assert.match(
      a.diagnostics.find((d) => d.code === 'simulation-limit')?.message ?? '',
      /Service default\/s0999 asks for 1001 endpoints, but only 1 more fit under the simulator's limit of 1000000 endpoints/,
    );
    assert.equal(count('kube-dns'), 2, 'implicit Services are outside the budget');
  });
});
