// The Kustomize renderer on the overlays in test/fixtures/kustomize: the rendered objects equal what
// `kubectl kustomize` printed for the same folder (golden files in expected/, regenerated with
// UPDATE_GOLDEN=1 where kubectl is on PATH), diagnostics sit at the fields at fault, and positions of
// rendered objects point into the base and patch files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadAll } from 'js-yaml';
import { analyzeWorkspace, type InputFile } from '../../src/engine';
import { renderKustomization } from '../../src/engine/kustomize/render';
import { indexFiles, kustomizeMissing } from '../../src/engine/kustomize/paths';
import { parseManifestFile } from '../../src/engine/manifests/parse';
import { yaml } from '../helpers';

const ROOT = join(__dirname, '..', 'fixtures', 'kustomize');

function readFixture(): InputFile[] {
  const out: InputFile[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (!relative(ROOT, p).startsWith('expected'))
        out.push({ path: relative(ROOT, p).split('\\').join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(ROOT);
  return out;
}

const render = (overlay: string, files = readFixture()) => renderKustomization(overlay, indexFiles(files), (f) => parseManifestFile(f));
/** The value at `path` inside a parsed YAML value, or undefined where the path leaves it. */
const dig = (v: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[k] : undefined), v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const key = (o: unknown) =>
  `${String(dig(o, 'kind'))}/${String((dig(o, 'metadata', 'namespace') as string | undefined) ?? '')}/${String(dig(o, 'metadata', 'name'))}`;
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
const byKey = (objects: unknown[]) => new Map(objects.map((o) => [key(o), canonical(o)]));
const at = (d: { code: string; range: { file: string; line: number; column: number } }) =>
  `${d.code}@${d.range.file}:${d.range.line}:${d.range.column}`;

describe('kustomize: rendering overlays', () => {
  it('overlays/prod renders exactly what kubectl kustomize printed (golden)', () => {
    const golden = join(ROOT, 'expected', 'prod.yaml');
    if (process.env['UPDATE_GOLDEN'])
      writeFileSync(golden, execFileSync('kubectl', ['kustomize', join(ROOT, 'overlays', 'prod')], { encoding: 'utf8' }));
    const r = render('overlays/prod');
    assert.deepEqual(r.diagnostics.map(at), []);
    const expected = byKey(loadAll(readFileSync(golden, 'utf8')));
    const actual = byKey(r.objects.map((o) => o.raw));
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    for (const [k, v] of expected) assert.deepEqual(actual.get(k), v, k);
  });

  it('applies namespace, prefix, selectors, images, replicas and the list-merging patch as kustomize does', () => {
    const objects = new Map(render('overlays/prod').objects.map((o) => [key(o.raw), o.raw]));
    const backend = objects.get('Deployment/shop-prod/prod-backend');
    assert.ok(backend, [...objects.keys()].join(', '));
    assert.equal(dig(backend, 'spec', 'replicas'), 4, 'the patch sets replicas');
    assert.deepEqual(
      dig(backend, 'spec', 'selector', 'matchLabels'),
      { app: 'backend', env: 'prod' },
      'commonLabels go into selectors; plain labels do not',
    );
    const containers = list(dig(backend, 'spec', 'template', 'spec', 'containers'));
    // Strategic merge: patch items first in patch order (merged by name), then the rest.
    assert.deepEqual(
      containers.map((c) => dig(c, 'name')),
      ['api', 'proxy', 'metrics'],
    );
    assert.equal(dig(containers[0], 'image'), 'registry.example.com/backend:2.1');
    assert.deepEqual(
      list(dig(containers[0], 'ports')).map((p) => dig(p, 'containerPort')),
      [9090, 8080],
      'ports merge by containerPort',
    );
    assert.deepEqual(dig(containers[0], 'env'), [
      { name: 'LOG_LEVEL', value: 'warn' },
      { name: 'FEATURES', value: 'all' },
    ]);
    assert.equal(dig(objects.get('Deployment/shop-prod/prod-frontend'), 'spec', 'replicas'), 3);
    assert.equal(dig(objects.get('Service/shop-prod/prod-frontend'), 'spec', 'type'), 'NodePort', 'inline patch with a target');
    const paths = list(dig(objects.get('Ingress/shop-prod/prod-shop'), 'spec', 'rules', 0, 'http', 'paths'));
    assert.deepEqual(
      paths.map((p) => dig(p, 'backend', 'service', 'name')),
      ['prod-frontend', 'prod-backend'],
      'Ingress backends follow the renamed Services',
    );
    assert.ok(objects.has('Namespace//shop-prod'), 'the Namespace object takes the namespace field');
  });

  it('positions of rendered fields point into the base, the patch, or the kustomization field that set them', () => {
    const objects = new Map(render('overlays/prod').objects.map((o) => [key(o.raw), o]));
    const backend = objects.get('Deployment/shop-prod/prod-backend');
    assert.ok(backend);
    const loc = (path: Array<string | number>) => {
      const r = backend.locate(path);
      return `${r.file}:${r.line}:${r.column}`;
    };
    assert.equal(
      loc(['spec', 'template', 'spec', 'containers', 0, 'ports', 1, 'containerPort']),
      'base/backend.yaml:20:30',
      'a base port kept by the merge',
    );
    assert.equal(
      loc(['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort']),
      'overlays/prod/backend-patch.yaml:13:30',
      'a port the patch adds',
    );
    assert.equal(
      loc(['spec', 'template', 'spec', 'containers', 2, 'ports', 0, 'name']),
      'base/backend.yaml:27:21',
      'the metrics container moved from index 1 to 2',
    );
    assert.equal(loc(['spec', 'replicas']), 'overlays/prod/backend-patch.yaml:6:13');
    assert.equal(loc(['metadata', 'namespace']), 'overlays/prod/kustomization.yaml:6:12');
    assert.equal(loc(['spec', 'template', 'spec', 'containers', 0, 'image']).split(':')[0], 'overlays/prod/kustomization.yaml');
  });

  it('simulates the overlay: the renamed Service breaks the frontend URL that kustomize does not rewrite', () => {
    const a = analyzeWorkspace(readFixture(), { kustomizeOverlay: 'overlays/prod' });
    const pods = a.cluster.pods.filter((p) => p.origin.kind === 'manifest');
    assert.equal(pods.filter((p) => p.workload.name === 'prod-backend').length, 4);
    assert.ok(pods.every((p) => p.namespace === 'shop-prod'));
    const svc = a.cluster.services.find((s) => s.name === 'prod-backend');
    assert.equal(svc?.endpointsByPort[0]?.length, 4);
    const dns = a.diagnostics.filter((d) => d.code === 'dns-name-unresolved');
    assert.deepEqual(dns.map(at), ['dns-name-unresolved@base/frontend.yaml:22:22']);
    assert.match(dns[0]?.message ?? '', /backend does not resolve from pod shop-prod\/prod-frontend/);
    assert.ok(!a.diagnostics.some((d) => d.code === 'kustomize-not-selected' || d.code === 'manifest-invalid'));
  });

  it('what it cannot render gets a diagnostic at the field, and a patch error lands in the patch', () => {
    const a = analyzeWorkspace(readFixture(), { kustomizeOverlay: 'overlays/staging' });
    const k = (code: string) => a.diagnostics.filter((d) => d.code === code).map(at);
    assert.deepEqual(k('kustomize-unsupported'), [
      'kustomize-unsupported@overlays/staging/kustomization.yaml:3:5',
      'kustomize-unsupported@overlays/staging/kustomization.yaml:7:1',
      'kustomize-unsupported@overlays/staging/kustomization.yaml:12:1',
    ]);
    assert.deepEqual(k('service-target-port-unresolved'), ['service-target-port-unresolved@overlays/staging/service-patch.yaml:9:19']);
    assert.ok(
      a.cluster.services.some((s) => s.name === 'backend-stg'),
      'nameSuffix',
    );
  });

  it('missing resources, folders and unmatched patches are kustomize-errors at the entry', () => {
    const a = analyzeWorkspace(readFixture(), { kustomizeOverlay: 'overlays/broken' });
    assert.deepEqual(a.diagnostics.filter((d) => d.code === 'kustomize-error').map(at), [
      'kustomize-error@overlays/broken/kustomization.yaml:3:5',
      'kustomize-error@overlays/broken/kustomization.yaml:4:5',
      'kustomize-error@overlays/broken/patch.yaml:4:9',
    ]);
    assert.ok(
      a.cluster.services.some((s) => s.name === 'backend'),
      'the loadable base is still simulated',
    );
  });

  it('without a selected overlay: kustomization files and patches are not simulated raw, and the overlays are named', () => {
    const a = analyzeWorkspace(readFixture());
    assert.deepEqual(a.diagnostics.filter((d) => d.code === 'kustomize-not-selected').map(at), [
      'kustomize-not-selected@overlays/broken/kustomization.yaml:1:1',
      'kustomize-not-selected@overlays/prod/kustomization.yaml:1:1',
      'kustomize-not-selected@overlays/staging/kustomization.yaml:1:1',
    ]);
    assert.ok(
      !a.diagnostics.some(
        (d) => d.range.file.endsWith('patch.yaml') || (d.range.file.endsWith('kustomization.yaml') && d.code !== 'kustomize-not-selected'),
      ),
    );
    assert.equal(a.cluster.pods.filter((p) => p.workload.name === 'backend').length, 2);
  });

  it('a selected folder without kustomization.yaml is reported, not silently empty', () => {
    const a = analyzeWorkspace(readFixture(), { kustomizeOverlay: 'overlays' });
    assert.deepEqual(
      a.diagnostics.map((d) => d.code),
      ['kustomize-error'],
    );
  });

  it('names what it did not rewrite after a rename, and reports cycles', () => {
    const files = [
      {
        path: 'k/kustomization.yaml',
        text: yaml`
          resources: [app.yaml, ../k]
          namePrefix: x-
        `,
      },
      {
        path: 'k/app.yaml',
        text: yaml`
          apiVersion: v1
          kind: ServiceAccount
          metadata: {name: app}
          ---
          apiVersion: rbac.authorization.k8s.io/v1
          kind: RoleBinding
          metadata: {name: app}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app}
          subjects: [{kind: ServiceAccount, name: app}]
        `,
      },
    ];
    const r = render('k', files);
    assert.deepEqual(r.diagnostics.map((d) => d.code).sort(), ['kustomize-error', 'kustomize-not-rewritten']);
    assert.match(r.diagnostics.find((d) => d.code === 'kustomize-not-rewritten')?.message ?? '', /RoleBinding \(roleRef and subjects\)/);
    assert.match(r.diagnostics.find((d) => d.code === 'kustomize-error')?.message ?? '', /cycle: k → k/);
  });

  it('kustomizeMissing names the bases and patches a host still has to read', () => {
    const files = readFixture().filter((f) => f.path.startsWith('overlays/prod/'));
    assert.deepEqual(kustomizeMissing('overlays/prod', indexFiles(files)), ['base']);
    assert.deepEqual(kustomizeMissing('overlays/prod', indexFiles(readFixture())), []);
  });
});

describe('helm charts', () => {
  const chart = {
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'charts/web/values.yaml': 'replicas: 2\n',
    'charts/web/templates/deployment.yaml': yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: {{ .Release.Name }}-web
      spec:
        replicas: {{ .Values.replicas }}
    `,
    'app.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: plain}\nspec: {ports: [{port: 80}]}\n',
  };
  const files = Object.entries(chart).map(([path, text]) => ({ path, text }));

  it('a chart is reported once at its name, and its templates are not parsed one by one', () => {
    const a = analyzeWorkspace(files);
    assert.deepEqual(a.diagnostics.filter((d) => d.code.startsWith('helm')).map(at), ['helm-chart-not-rendered@charts/web/Chart.yaml:2:7']);
    assert.ok(
      a.cluster.services.some((s) => s.name === 'plain'),
      'files outside the chart are simulated',
    );
  });

  it('a host-rendered chart is simulated; a failed render says why', () => {
    const rendered = {
      path: 'charts/web/(helm template)',
      text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: rel-web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n',
    };
    const a = analyzeWorkspace(files, { helm: { 'charts/web': { rendered } } });
    assert.equal(a.cluster.pods.filter((p) => p.workload.name === 'rel-web').length, 2);
    assert.ok(!a.diagnostics.some((d) => d.code.startsWith('helm')));
    const failed = analyzeWorkspace(files, { helm: { 'charts/web': { error: 'helm is not on PATH' } } });
    assert.match(failed.diagnostics.find((d) => d.code === 'helm-chart-not-rendered')?.message ?? '', /\(helm is not on PATH\)/);
  });
});
