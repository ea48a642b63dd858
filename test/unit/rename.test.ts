// F2 on a label value (issue 21): the template labels and every selector that selects by the value
// change together, so each selector keeps picking what it picked; where that cannot be guaranteed
// the rename is refused with the reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareRename, renameLabel, type RenameAnswer } from '../../src/extension/analysis/rename';
import { fixture, loc, shopFiles, type Fixture } from '../editorFixtures';
import { yaml } from '../helpers';

const shop = fixture(shopFiles());
const rename = (f: Fixture, file: string, needle: string, offset: number, nth: number, value: string): RenameAnswer =>
  renameLabel(f.a, f.texts, file, f.at(file, needle, offset, nth), value);
const edits = (r: RenameAnswer) => {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.edits.map((e) => `${loc(e.range)} ${e.newText} ${e.label}`);
};
const refused = (r: RenameAnswer): string => {
  assert.equal(r.ok, false, 'the rename should be refused');
  return r.ok ? '' : r.message;
};

/** Applies rename edits to the texts, for re-analysing the result. */
function apply(f: Fixture, r: RenameAnswer): Record<string, string> {
  assert.ok(r.ok);
  const out: Record<string, string> = {};
  for (const file of f.files) {
    const lines = file.text.split('\n');
    const mine = r.edits
      .filter((e) => e.range.file === file.path)
      .sort((x, y) => y.range.line - x.range.line || y.range.column - x.range.column);
    for (const e of mine) {
      const l = lines[e.range.line - 1] ?? '';
      lines[e.range.line - 1] = l.slice(0, e.range.column - 1) + e.newText + l.slice(e.range.endColumn - 1);
    }
    out[file.path] = lines.join('\n');
  }
  return out;
}

describe('rename a label value', () => {
  it('prepares on a template label value and refuses elsewhere', () => {
    const ok = prepareRename(shop.a, 'backend.yaml', shop.at('backend.yaml', 'app: backend', 7, 1));
    assert.deepEqual(ok.ok && { at: loc(ok.range), placeholder: ok.placeholder }, { at: 'backend.yaml:14:14', placeholder: 'backend' });
    const no = prepareRename(shop.a, 'backend.yaml', shop.at('backend.yaml', 'image:', 2));
    assert.equal(no.ok, false);
    assert.match(no.ok ? '' : no.message, /renames label values/);
  });

  it('renames the template labels and every selector that picks them, workspace-wide, and nothing else', () => {
    const r = rename(shop, 'backend.yaml', 'app: backend', 7, 1, 'api-server');
    assert.deepEqual(edits(r), [
      'backend.yaml:10:12 api-server Deployment shop/backend selector',
      'backend.yaml:14:14 api-server Deployment shop/backend template labels',
      'backend.yaml:36:10 api-server Service shop/backend selector',
      'policies.yaml:49:20 api-server NetworkPolicy shop/frontend egress[0].to[0].podSelector',
      'policies.yaml:61:12 api-server NetworkPolicy shop/backend podSelector',
      'policies.yaml:91:20 api-server NetworkPolicy shop/postgres ingress[0].from[0].podSelector',
    ]);
    assert.match(r.ok ? (r.edits[0]?.description ?? '') : '', /refuses a changed spec.selector/);
    // After the edits the simulation selects exactly what it selected before.
    const after = fixture(apply(shop, r));
    const picked = (f: Fixture) =>
      f.a.cluster.services.map(
        (s) => `${s.name}:${s.endpointsByPort[0]?.map((e) => e.pod.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')).join(',')}`,
      );
    assert.deepEqual(picked(after), picked(shop));
  });

  it('renames the same way from a selector value', () => {
    const fromSelector = rename(shop, 'policies.yaml', 'app: backend', 7, 0, 'api-server');
    const fromLabels = rename(shop, 'backend.yaml', 'app: backend', 7, 1, 'api-server');
    assert.deepEqual(edits(fromSelector), edits(fromLabels));
  });

  it('refuses a value already carried by another workload the selectors would then pick', () => {
    assert.match(
      refused(rename(shop, 'backend.yaml', 'app: backend', 7, 1, 'frontend')),
      /Deployment shop\/frontend already carries app=frontend/,
    );
  });

  it('refuses an invalid label value', () => {
    assert.match(refused(rename(shop, 'backend.yaml', 'app: backend', 7, 1, 'not valid!')), /not a valid label value/);
  });

  it('refuses where pods the simulator adds itself carry the value', () => {
    assert.match(refused(rename(shop, 'policies.yaml', 'k8s-app: kube-dns', 10, 0, 'dns')), /which the simulator adds itself/);
  });

  it('refuses kubernetes.io/metadata.name', () => {
    const p = prepareRename(shop.a, 'policies.yaml', shop.at('policies.yaml', 'metadata.name: kube-system', 17));
    assert.match(p.ok ? '' : p.message, /set by the API server/);
  });

  const NOTIN = {
    'app.yaml': yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: default}
      spec:
        selector:
          matchLabels: {app: "web"}
        template:
          metadata:
            labels: {app: "web"}
          spec:
            containers: [{name: c, image: x}]
    `,
    'np.yaml': yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: not-web, namespace: default}
      spec:
        podSelector:
          matchExpressions:
            - {key: app, operator: NotIn, values: [web]}
    `,
  };

  it('refuses where a NotIn expression would start selecting the renamed pods', () => {
    assert.match(refused(rename(fixture(NOTIN), 'app.yaml', 'app: "web"', 6, 1, 'www')), /excludes app=web with NotIn/);
  });

  it('keeps the quoting style and renames In values and selectors it does not simulate', () => {
    const f = fixture({
      'app.yaml': NOTIN['app.yaml'],
      'np.yaml': yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: default}
        spec:
          podSelector:
            matchExpressions:
              - {key: app, operator: In, values: [web, api]}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web, namespace: default}
        spec:
          minAvailable: 1
          selector:
            matchLabels: {app: web}
      `,
    });
    const r = rename(f, 'app.yaml', 'app: "web"', 6, 1, 'www');
    assert.deepEqual(edits(r), [
      'app.yaml:6:25 www Deployment default/web selector',
      'app.yaml:9:22 www Deployment default/web template labels',
      'np.yaml:7:43 www NetworkPolicy default/web podSelector',
      'np.yaml:15:24 www PodDisruptionBudget default/web spec.selector (not simulated)',
    ]);
    const after = apply(f, r);
    assert.match(after['app.yaml'] ?? '', /matchLabels: \{app: "www"\}/);
    assert.match(after['app.yaml'] ?? '', /labels: \{app: "www"\}/);
    assert.match(after['np.yaml'] ?? '', /values: \[www, api\]/);
  });

  it('renames a Namespace label with the namespaceSelectors that pick it', () => {
    const f = fixture({
      'ns.yaml': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team-a
          labels: {tier: front}
      `,
      'np.yaml': yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: from-front, namespace: default}
        spec:
          podSelector: {}
          ingress:
            - from:
                - namespaceSelector:
                    matchLabels: {tier: front}
      `,
    });
    assert.deepEqual(edits(rename(f, 'ns.yaml', 'tier: front', 7, 0, 'edge')), [
      'np.yaml:9:33 edge NetworkPolicy default/from-front ingress[0].from[0].namespaceSelector',
      'ns.yaml:5:18 edge Namespace team-a labels',
    ]);
  });
});
