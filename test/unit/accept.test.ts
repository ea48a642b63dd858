// What kubectl accepts is read, and what is not a manifest is left alone (issue 16, item 8):
// YAML that go-yaml reads and js-yaml's strict reading refused, data files beside the manifests,
// and custom resources that are not held to the rules of built-in kinds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifestFile } from '../../src/engine/manifests/parse';
import { analyze, codes, expectDiagnostic, expectNoDiagnostic, podsOf, yaml } from '../helpers';

const parse = (text: string, path = 'f.yaml') => parseManifestFile({ path, text });
const at = (r: { line: number; column: number } | undefined) => (r ? `${r.line}:${r.column}` : 'none');

describe('accept: flow collections and quoted scalars indented as go-yaml allows', () => {
  // The construct of Istio's spire-quickstart.yaml: a flow sequence whose items and closing bracket
  // sit at (or left of) the key's column. libyaml ignores indentation in flow context.
  const spire = yaml`
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: agent
    spec:
      selector:
        matchLabels: {app: agent}
      template:
        metadata:
          labels: {app: agent}
        spec:
          containers:
            - name: driver
              image: csi
              args: [
                  "-workload-api-socket-dir", "/spire-agent-socket",
                  "-csi-socket-path", "/spiffe-csi/csi.sock",
              ]
              env:
                - name: MY_NODE_NAME
                  value: x
  `;

  it('reads a flow sequence closed at the key column, with its values and exact positions', () => {
    const p = parse(spire);
    assert.deepEqual(p.diagnostics, []);
    const [o] = p.objects;
    const container = ['spec', 'template', 'spec', 'containers', 0];
    const c = (o?.raw['spec'] as { template: { spec: { containers: Array<{ args: string[]; env: unknown[] }> } } }).template.spec
      .containers[0];
    assert.deepEqual(c?.args, ['-workload-api-socket-dir', '/spire-agent-socket', '-csi-socket-path', '/spiffe-csi/csi.sock']);
    assert.equal(c?.env.length, 1);
    // Positions are those of the original text, before and after the re-indented lines.
    assert.equal(at(o?.locate([...container, 'args', 2])), '17:16');
    assert.equal(at(o?.locate([...container, 'env', 0, 'name'])), '20:21');
    assert.equal(at(o?.locate([...container, 'image'])), '14:18');
  });

  it('simulates the DaemonSet such a document defines (it was dropped as a syntax error)', () => {
    const a = analyze({ 'spire.yaml': spire });
    expectNoDiagnostic(a, 'yaml-syntax');
    assert.equal(podsOf(a, 'default/agent').length, 3);
  });

  it('reads `{` closed by `}` at the key column, items at column 0, and tab-indented flow lines', () => {
    const text = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: p
      spec:
        podSelector: {
        }
        policyTypes: [
      Ingress,
      Egress
      ]
    `.replace('Egress', '\tEgress');
    const p = parse(text);
    assert.deepEqual(p.diagnostics, []);
    const spec = p.objects[0]?.raw['spec'] as Record<string, unknown>;
    assert.deepEqual(spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    assert.equal(at(p.objects[0]?.locate(['spec', 'policyTypes', 1])), '10:2');
  });

  it('reads quoted and plain scalars whose continuation lines are indented less than the block', () => {
    const text = yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: c
      data:
        quoted: "first
      second"
        flow: [plain
      words, next]
        after: yes
    `;
    const p = parse(text);
    assert.deepEqual(p.diagnostics, []);
    assert.deepEqual(p.objects[0]?.raw['data'], { quoted: 'first second', flow: ['plain words', 'next'], after: 'yes' });
    assert.equal(at(p.objects[0]?.locate(['data', 'after'])), '10:10');
  });

  it('still refuses what go-yaml refuses too, at the original position', () => {
    // Tabs as block indentation, and a plain scalar continued left of its block: go-yaml rejects both.
    expectDiagnostic(parse('apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n').diagnostics, 'yaml-syntax', 'f.yaml', 4, 1);
    assert.deepEqual(codes(parse('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: one\ntwo\n').diagnostics), [
      'yaml-syntax',
    ]);
    // A real error after a re-indented flow collection is reported where it is in the file.
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {\n  a: b\n  }\ndata: [unclosed\n';
    const d = parse(text).diagnostics;
    assert.equal(d.length, 1);
    assert.equal(d[0]?.code, 'yaml-syntax');
    assert.ok((d[0]?.range.line ?? 0) >= 8, `reported at line ${d[0]?.range.line}`);
  });

  it('leaves a repeated key an error, as kubectl apply does ("mapping key already defined")', () => {
    expectDiagnostic(
      parse('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n').diagnostics,
      'yaml-syntax',
      'f.yaml',
      5,
      3,
    );
  });

  it('reads the public Istio file that showed the problem', () => {
    const dir = join(__dirname, '..', 'fixtures', 'public', 'istio-spire');
    const text = readFileSync(join(dir, 'spire-quickstart.yaml'), 'utf8');
    const a = analyze({ 'spire-quickstart.yaml': text });
    expectNoDiagnostic(a, 'yaml-syntax');
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
    assert.equal(podsOf(a, 'spire/spire-agent').length, 3, 'the DaemonSet runs one pod per node');
  });
});

describe('accept: files that are not manifests', () => {
  it('skips data files: JSON lines, arrays, and objects without apiVersion or kind', () => {
    const a = analyze({
      'src/mongodb/ratings_data.json': '{rating: 5}\n{rating: 4}\n',
      'data/array.json': '[{"id": 1}, {"id": 2}]',
      'data/object.json': '{"name": "x", "spec": {"a": 1}}',
      'values.yaml': 'replicaCount: 2\nimage:\n  repository: nginx\n  tag: [broken\n',
    });
    assert.deepEqual(a.diagnostics, []);
  });

  it('still reports a broken document that names an apiVersion or kind (YAML or JSON)', () => {
    expectDiagnostic(analyze({ 'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: [x\n' }), 'yaml-syntax', 'svc.yaml', 3, 19);
    assert.deepEqual(codes(analyze({ 'svc.json': '{"kind": "Service", "apiVersion": "v1",, }' })), ['yaml-syntax']);
    // One broken document without either key beside good ones: only the manifest-looking one counts.
    const a = analyze({
      'm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\njust: [data\n---\nkind: Secret\nmetadata: {name: [\n',
    });
    assert.deepEqual(
      a.diagnostics.map((d) => `${d.code}@${d.range.line}`),
      ['yaml-syntax@8'],
    );
  });
});

describe('accept: custom resources are not held to the rules of built-in kinds', () => {
  it('an IstioOperator without a name is not an error (istioctl reads it; nothing applies it)', () => {
    const a = analyze({
      'iop.yaml':
        'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  namespace: istio-system\nspec:\n  profile: demo\n',
    });
    assert.deepEqual(a.diagnostics, []);
  });

  it('a built-in kind without a name still is', () => {
    expectDiagnostic(
      analyze({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: a\n' }),
      'manifest-invalid',
      'cm.yaml',
      3,
      1,
    );
  });

  it('Calico\'s NetworkPolicy is not read as the Kubernetes one (no "API servers no longer serve")', () => {
    const a = analyze({
      'calico.yaml': yaml`
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: allow-tcp-6379
          namespace: production
        spec:
          selector: role == 'database'
          ingress:
            - action: Allow
              protocol: TCP
      `,
    });
    expectNoDiagnostic(a, 'manifest-invalid');
    assert.equal(a.policies.policies.length, 0);
    // The retired built-in group still gets its message.
    const legacy = analyze({
      'np.yaml': 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n',
    });
    expectDiagnostic(legacy, 'manifest-invalid', 'np.yaml', 1, 13);
  });

  it('a custom kind ending in List is an object, not a list whose items get a made-up kind', () => {
    const p = parse('apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: a}\nitems:\n  - {metadata: {name: b}, spec: {}}\n');
    assert.deepEqual(
      p.objects.map((o) => `${o.kind}/${o.name}`),
      ['AllowList/a'],
    );
    assert.deepEqual(p.diagnostics, []);
  });
});
