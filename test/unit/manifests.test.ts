import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestFile } from '../../src/engine/manifests/parse';
import { analyze, codes, docs, expectDiagnostic, expectNoDiagnostic, podsOf, workload, yaml } from '../helpers';

const parse = (text: string, path = 'f.yaml') => parseManifestFile({ path, text });
const names = (text: string, path = 'f.yaml') => parse(text, path).objects.map((o) => `${o.kind}/${o.name}`);
const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('manifests: documents and files', () => {
  it('reads every document of a multi-document stream, skipping empty ones and leading markers', () => {
    assert.deepEqual(names(`---\n${cm('a')}---\n---\n# only a comment\n---\n${cm('b')}...\n---\n${cm('c')}`), [
      'ConfigMap/a',
      'ConfigMap/b',
      'ConfigMap/c',
    ]);
  });

  it('unpacks kind: List (kubectl get -o yaml) and points into its items', () => {
    const text = yaml`
      apiVersion: v1
      kind: List
      items:
      - apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
      - apiVersion: v1
        kind: Service
        metadata:
          name: s
          namespace: shop
    `;
    const objects = parse(text).objects;
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.namespace ?? '-'}/${o.name}`),
      ['ConfigMap/-/a', 'Service/shop/s'],
    );
    assert.deepEqual(pick(objects[1]?.locate(['metadata', 'name'])), [11, 11, 11, 12]);
    assert.deepEqual(pick(objects[0]?.locate(['kind'])), [5, 9, 5, 18]);
  });

  it('unpacks typed lists (ServiceList) too', () => {
    assert.deepEqual(names(`apiVersion: v1\nkind: ServiceList\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: x}\n`), [
      'Service/x',
    ]);
  });

  it('reads JSON files, with positions', () => {
    const text = JSON.stringify(
      { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } }] },
      null,
      2,
    );
    const [o] = parse(text, 'dump.json').objects;
    assert.equal(o?.name, 'j');
    // line 9 is `        "name": "j"`; the quote opens at column 17, the value at 18 (ranges cover a quoted value's text).
    assert.deepEqual(pick(o?.locate(['metadata', 'name'])), [9, 18, 9, 19]);
  });

  it('ignores YAML that is not Kubernetes (no apiVersion/kind) without a word', () => {
    const r = parse(`version: "3"\nservices:\n  web:\n    image: nginx\n---\n- just\n- a list\n---\nplain scalar\n`);
    assert.deepEqual(r.objects, []);
    assert.deepEqual(r.diagnostics, []);
  });

  it('keeps unknown kinds (CRDs) as objects but simulates no pods from them', () => {
    const a = analyze({ 'crd.yaml': `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  replicas: 3\n` });
    assert.deepEqual(
      a.cluster.objects.map((o) => `${o.kind}/${o.name}`),
      ['Widget/w'],
    );
    assert.equal(a.cluster.pods.filter((p) => p.origin.kind === 'manifest').length, 0);
    expectNoDiagnostic(a);
  });

  it('honours YAML merge keys as kubectl does (no false selector-mismatch)', () => {
    const text = yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: &labels
            app: web
        template:
          metadata:
            labels:
              <<: *labels
              tier: front
          spec:
            containers: [{name: c, image: nginx}]
    `;
    const a = analyze({ 'w.yaml': text });
    expectNoDiagnostic(a);
    assert.deepEqual(podsOf(a, 'default/web')[0]?.labels, { app: 'web', tier: 'front' });
  });

  it('keeps the parsed values as written: lists copied to their length, an aliased list still one list', () => {
    const [o] = parse(yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        labels: {tier: a}
      spec:
        ports: &ports
        - {name: http, port: 80, targetPort: [8080, {deep: [1, 2]}]}
        - {name: dns, port: 53, protocol: UDP}
        externalIPs: []
      status:
        again: *ports
    `).objects;
    const raw = o?.raw as { spec: { ports: unknown[]; externalIPs: unknown[] }; status: { again: unknown[] } };
    assert.deepEqual(raw.spec.ports, [
      { name: 'http', port: 80, targetPort: [8080, { deep: [1, 2] }] },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ]);
    assert.deepEqual(raw.spec.externalIPs, []);
    assert.equal(raw.status.again, raw.spec.ports, 'the alias and its anchor are one array, as js-yaml made them');
  });

  it('reports a missing kind or name as manifest-invalid', () => {
    expectDiagnostic(parse(`apiVersion: v1\nmetadata:\n  name: w\n`).diagnostics, 'manifest-invalid', 'f.yaml', 1, 1);
    expectDiagnostic(parse(`apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {a: b}\n`).diagnostics, 'manifest-invalid', 'f.yaml', 3, 1);
    expectDiagnostic(parse(`apiVersion: v1\nkind: 3\nmetadata:\n  name: x\n`).diagnostics, 'manifest-invalid', 'f.yaml', 2, 7);
  });
});

/** [line, column, endLine, endColumn] of a range, for one-line comparisons. */
function pick(r: { line: number; column: number; endLine: number; endColumn: number } | undefined): number[] {
  assert.ok(r);
  return [r.line, r.column, r.endLine, r.endColumn];
}

describe('manifests: position index (1-based line and column of any field)', () => {
  const text = yaml`
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: first
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web, "tier": 'front'}
    spec:
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
            - name: main
              image: nginx
              ports:
                - containerPort: 80
                  name: http
                - {containerPort: 443, name: https}
              args: [--port, "8080"]
              env:
              - name: URL
                value: >-
                  http://backend:8080
  `;
  const web = parse(text).objects[1];
  const cases: Array<[string, Array<string | number>, number[]]> = [
    ['a top-level scalar', ['kind'], [7, 7, 7, 17]],
    ['a nested scalar in a later document', ['metadata', 'name'], [9, 9, 9, 12]],
    ['a flow mapping value', ['metadata', 'labels', 'app'], [10, 17, 10, 20]],
    ["a double-quoted flow key's single-quoted value", ['metadata', 'labels', 'tier'], [10, 31, 10, 36]],
    ['a collection points at its key', ['spec', 'selector'], [12, 3, 12, 11]],
    ['a block list item (mapping) points at its first key', ['spec', 'template', 'spec', 'containers', 0], [21, 11, 21, 12]],
    ['a scalar inside a block list item', ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'], [24, 30, 24, 32]],
    ['a second block key of a list item', ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'name'], [25, 21, 25, 25]],
    ['a flow mapping inside a block list', ['spec', 'template', 'spec', 'containers', 0, 'ports', 1, 'name'], [26, 42, 26, 47]],
    ['a flow list item', ['spec', 'template', 'spec', 'containers', 0, 'args', 1], [27, 27, 27, 31]],
    ['a folded block scalar', ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value'], [31, 15, 32, 1]],
    ['a missing field falls back to its nearest ancestor', ['spec', 'template', 'spec', 'nodeName'], [19, 5, 19, 9]],
    ['the object itself is its first key', [], [6, 1, 6, 2]],
  ];
  for (const [what, path, expected] of cases) {
    it(what, () => assert.deepEqual(pick(web?.locate(path)), expected, path.join('.')));
  }

  it('has() says whether a field is written in the source', () => {
    assert.equal(web?.has(['spec', 'selector', 'matchLabels', 'app']), true);
    assert.equal(web?.has(['spec', 'replicas']), false);
  });

  it('counts CRLF line ends as one line break and excludes the CR from ranges', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const o = parse(crlf).objects[1];
    assert.deepEqual(pick(o?.locate(['metadata', 'name'])), [9, 9, 9, 12]);
    assert.deepEqual(pick(o?.locate(['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'])), [24, 30, 24, 32]);
    assert.deepEqual(names(crlf), ['ConfigMap/first', 'Deployment/web']);
  });

  it("drops a byte-order mark: the file parses and columns are the editor's", () => {
    const r = parse('\uFEFF' + text);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(pick(r.objects[0]?.locate(['apiVersion'])), [1, 13, 1, 15]);
    assert.deepEqual(pick(r.objects[1]?.locate(['metadata', 'name'])), [9, 9, 9, 12]);
  });
});

describe('manifests: problems stay local', () => {
  it('a syntax error in one document leaves the others analysed', () => {
    const r = parse(`${cm('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n labels: x\n---\n${cm('c')}`);
    assert.deepEqual(
      r.objects.map((o) => o.name),
      ['a', 'c'],
    );
    expectDiagnostic(r.diagnostics, 'yaml-syntax', 'f.yaml', 10, 2);
    assert.equal(r.diagnostics.length, 1);
  });

  it('a broken file leaves other files analysed', () => {
    const a = analyze({ 'bad.yaml': 'apiVersion: v1\nkind: [\n', 'good.yaml': workload({ name: 'web' }) });
    assert.deepEqual(codes(a), ['yaml-syntax']);
    assert.equal(podsOf(a, 'default/web').length, 1);
  });

  it('a Helm template document gets helm-template at the first {{ }} and the rest is analysed', () => {
    const text = `${cm('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n---\n${cm('c')}`;
    const r = parse(text, 'chart/templates/cm.yaml');
    const d = expectDiagnostic(r.diagnostics, 'helm-template', 'chart/templates/cm.yaml', 9, 9);
    assert.equal(d.range.endColumn, 9 + '{{ .Values.name }}'.length);
    assert.equal(d.severity, 'warning');
    assert.deepEqual(
      r.objects.map((o) => o.name),
      ['a', 'c'],
    );
  });

  it('Helm templates are recognised however they are written', () => {
    const cases: Array<[string, number, number]> = [
      ['{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{{- end }}\n', 1, 1],
      ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{ .Release.Name }}-config"\n', 4, 10],
      ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    {{- include "chart.labels" . | nindent 4 }}\n', 6, 5],
    ];
    for (const [text, line, column] of cases) {
      const r = parse(text);
      expectDiagnostic(r.diagnostics, 'helm-template', 'f.yaml', line, column);
      assert.deepEqual(r.objects, []);
    }
  });

  it('Go templates that are text of a rendered manifest (alert annotations, ConfigMap templates, comments) are analysed', () => {
    const rule = yaml`
      # generated by {{ .Chart.Name }} once; edited by hand since
      apiVersion: monitoring.coreos.com/v1
      kind: PrometheusRule
      metadata:
        name: pods
      spec:
        groups:
        - name: pods
          rules:
          - alert: PodDown
            annotations:
              summary: "{{ $labels.pod }} is down"
              description: Pod {{ $labels.pod }} in {{ $labels.namespace }} is not ready
    `;
    const cm = yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: alertmanager-templates
      data:
        slack.tmpl: |
          {{ define "slack.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}{{ end }}
    `;
    const r = parse(docs(rule, cm));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.objects.map((o) => `${o.kind}/${o.name}`),
      ['PrometheusRule/pods', 'ConfigMap/alertmanager-templates'],
    );
  });

  it('positions in a later document of a long stream are exact', () => {
    const many = Array.from({ length: 300 }, (_, i) => cm(`cm-${i}`)).join('---\n');
    const last = parse(many).objects.at(-1);
    assert.equal(last?.name, 'cm-299');
    assert.deepEqual(pick(last?.locate(['metadata', 'name'])), [299 * 5 + 4, 9, 299 * 5 + 4, 15]);
  });

  it('a duplicate key is a yaml-syntax error at the second key (the API server rejects it too)', () => {
    const r = parse(docs(cm('ok'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n`));
    expectDiagnostic(r.diagnostics, 'yaml-syntax', 'f.yaml', 10, 3);
    assert.deepEqual(
      r.objects.map((o) => o.name),
      ['ok'],
    );
  });

  it('skips binary files', () => {
    const r = parse('apiVersion: v1\u0000\u0001\u0002');
    assert.deepEqual(codes(r.diagnostics), ['file-skipped']);
    assert.match(r.diagnostics[0]?.message ?? '', /binary/);
  });

  it('skips files over the size limit, quickly and with the limit named', () => {
    const r = parseManifestFile(
      { path: 'big.yaml', text: cm('x') + '#'.repeat(200) },
      { maxFileBytes: 100, maxAliases: 1000, maxDepth: 100 },
    );
    assert.deepEqual(codes(r.diagnostics), ['file-skipped']);
    assert.match(r.diagnostics[0]?.message ?? '', /100 bytes/);
    assert.equal(codes(parse('#'.repeat(5 * 1024 * 1024)).diagnostics)[0], 'file-skipped');
  });

  it('bounds alias expansion: too many aliases is yaml-limit, and the other documents survive', () => {
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\nx: &x [a, b]\ny: [${Array(1500).fill('*x').join(', ')}]\n`;
    const r = parse(docs(cm('a'), bomb));
    assert.deepEqual(codes(r.diagnostics), ['yaml-limit']);
    assert.equal(r.diagnostics[0]?.range.line, 11);
    assert.deepEqual(
      r.objects.map((o) => o.name),
      ['a'],
    );
  });

  it('a billion-laughs document under the alias-count limit is stopped by the expansion limit, and the other files survive', () => {
    const lines = ['  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `  l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\ndata:\n${lines.join('\n')}\n`;
    const a = analyze({ 'laughs.yaml': text, 'web.yaml': workload({ name: 'web', env: { A: 'x' } }) });
    assert.deepEqual(codes(a), ['yaml-limit']);
    assert.equal(a.diagnostics[0]?.range.file, 'laughs.yaml');
    assert.equal(podsOf(a, 'default/web').length, 1);
  });

  it('a few aliases expanding to nested values are analysed without stringifying them', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\ndata:\n  a: &a [x, y]\n  b: *a\n`;
    const a = analyze({ 'cm.yaml': text });
    assert.deepEqual(
      a.cluster.configMaps.map((c) => c.name),
      ['small'],
    );
    assert.deepEqual(codes(a), ['manifest-invalid', 'manifest-invalid']);
  });

  it('bounds nesting depth', () => {
    const r = parse(docs(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nx: ${'['.repeat(300)}${']'.repeat(300)}\n`, cm('b')));
    assert.deepEqual(codes(r.diagnostics), ['yaml-limit']);
    assert.deepEqual(
      r.objects.map((o) => o.name),
      ['b'],
    );
  });
});
