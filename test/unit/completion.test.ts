// Completion where the workspace defines the answer (issue 21): the document is the text being
// typed (the cursor's token replaced), the answers come from the folder's simulation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completionsAt } from '../../src/extension/analysis/completion';
import { cursorContext } from '../../src/extension/analysis/yamlCursor';
import { fixture, shopFiles } from '../editorFixtures';

const shop = fixture(shopFiles());

/** Completes `file` after replacing `from` with `to`, the cursor at `to`'s end (or at `|` in `to`). */
function complete(file: string, from: string, to: string) {
  const text = shop.texts(file) ?? '';
  assert.ok(text.includes(from), `${from} not in ${file}`);
  const bar = to.indexOf('|');
  const typed = bar >= 0 ? to.replace('|', '') : to;
  const edited = text.replace(from, typed);
  const offset = text.indexOf(from) + (bar >= 0 ? bar : typed.length);
  const before = edited.slice(0, offset).split('\n');
  const pos = { line: before.length - 1, character: (before[before.length - 1] ?? '').length };
  return { items: completionsAt(shop.a, edited, pos), pos };
}
const labels = (r: ReturnType<typeof complete>) => r.items.map((i) => i.label);

describe('completion', () => {
  it('offers label values in a Service selector, with how many pods each selects in its namespace', () => {
    const r = complete('backend.yaml', '    app: backend\n  ports', '    app: \n  ports'.replace('\n', '|\n'));
    assert.deepEqual(
      r.items.map((i) => `${i.label}: ${i.detail}`),
      [
        'backend: app=backend selects 3 pods in namespace shop',
        'frontend: app=frontend selects 2 pods in namespace shop',
        'postgres: app=postgres selects 1 pod in namespace shop',
        'redis: app=redis selects 1 pod in namespace shop',
      ],
    );
    assert.deepEqual(r.items[0]?.range, { line: r.pos.line, start: r.pos.character, end: r.pos.character });
  });

  it('offers label keys with a prefix, replacing what is typed', () => {
    const r = complete('backend.yaml', '    app: backend\n  ports', '    ti|\n  ports');
    assert.deepEqual(labels(r), ['tier']);
    assert.deepEqual(r.items[0]?.range, { line: r.pos.line, start: 4, end: 6 });
    assert.equal(r.items[0]?.detail, 'on 7 pods in namespace shop');
  });

  it('adds the space after a bare `key:` and quotes values YAML would read as numbers', () => {
    const f = fixture({
      'a.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {version: "2"}}\nspec: {containers: [{name: c, image: x}]}\n',
    });
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector:\n    version:\n';
    const items = completionsAt(f.a, text, { line: 5, character: 12 });
    assert.deepEqual(
      items.map((i) => i.insertText),
      [' "2"'],
    );
  });

  it('offers values in matchLabels, in flow style too', () => {
    const r = complete(
      'policies.yaml',
      'podSelector: {}\n  policyTypes: [Egress]',
      'podSelector: {matchLabels: {app: |}}\n  policyTypes: [Egress]',
    );
    assert.deepEqual(labels(r), ['backend', 'frontend', 'postgres', 'redis']);
  });

  it('offers pods of the namespaces a peer namespaceSelector picks', () => {
    const r = complete('policies.yaml', 'k8s-app: kube-dns', 'k8s-app: ');
    assert.deepEqual(
      r.items.map((i) => `${i.label}: ${i.detail}`),
      ['kube-dns: k8s-app=kube-dns selects 2 pods in namespace kube-system'],
    );
  });

  it('offers Namespace names under kubernetes.io/metadata.name', () => {
    const r = complete('policies.yaml', 'kubernetes.io/metadata.name: kube-system', 'kubernetes.io/metadata.name: ');
    assert.deepEqual(labels(r), ['default', 'ingress-nginx', 'kube-system', 'shop']);
    assert.ok(r.items.every((i) => i.kind === 'namespace'));
  });

  it('offers Service names in a URL as the pod search list needs them, then their ports', () => {
    const r = complete('backend.yaml', 'redis:6379', 'http://ba');
    assert.deepEqual(labels(r), ['backend', 'backend.shop', 'backend.shop.svc.cluster.local']);
    assert.equal(r.items[0]?.range.start, r.pos.character - 2, 'replaces the host only');
    const ports = complete('backend.yaml', 'redis:6379', 'http://backend:');
    assert.deepEqual(
      ports.items.map((i) => `${i.label}: ${i.detail}`),
      ['8080: api TCP of Service shop/backend (api 8080)'],
    );
  });

  it('names Services of other namespaces with their namespace', () => {
    const r = complete('backend.yaml', 'redis:6379', 'http://kube-d');
    assert.deepEqual(labels(r), ['kube-dns.kube-system', 'kube-dns.kube-system.svc.cluster.local']);
  });

  it('offers the named containerPorts of the selected pods in targetPort and policy ports', () => {
    assert.deepEqual(labels(complete('backend.yaml', 'targetPort: api', 'targetPort: ')), ['api']);
    assert.deepEqual(labels(complete('frontend.yaml', 'targetPort: http', 'targetPort: ')), ['http']);
    assert.deepEqual(labels(complete('policies.yaml', '- port: api', '- port: ')), ['api']);
  });

  it('offers Services and their ports in Ingress backends', () => {
    assert.deepEqual(labels(complete('ingress.yaml', 'name: frontend', 'name: ')), ['backend', 'frontend', 'postgres', 'redis']);
    assert.deepEqual(labels(complete('ingress.yaml', 'number: 80', 'number: ')), ['80']);
    assert.deepEqual(labels(complete('ingress.yaml', 'name: api', 'name: ')), ['api']);
  });

  it('offers nothing in comments, plain keys or a document that does not parse', () => {
    assert.deepEqual(labels(complete('backend.yaml', 'image: ghcr.io/example/backend:2.4', 'image: ')), []);
    assert.equal(cursorContext('# app: \n', { line: 0, character: 7 }), undefined);
    assert.deepEqual(completionsAt(shop.a, 'a: [\n  b: {\n', { line: 1, character: 6 }), []);
  });
});
