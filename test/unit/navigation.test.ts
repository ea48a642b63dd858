// Go to Definition and Find All References as the analysis worker answers them (issue 21), on the
// sample workspace and on small fixtures: every answer names the exact field it leads to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definitionAt, referencesAt } from '../../src/extension/analysis/navigation';
import { AnalysisService } from '../../src/extension/analysis/service';
import { DEFAULT_LIMITS, defaultSettings } from '../../src/engine';
import { fixture, loc, shopFiles } from '../editorFixtures';
import { yaml } from '../helpers';

const shop = fixture(shopFiles());
const def = (file: string, needle: string, offset = 0, nth = 0, f = shop) => {
  const answer = definitionAt(f.a, f.texts, file, f.at(file, needle, offset, nth));
  return answer ? answer.targets.map((t) => `${loc(t.range)} ${t.label}`) : undefined;
};
const refs = (file: string, needle: string, offset = 0, nth = 0, includeDeclaration = false, f = shop) =>
  referencesAt(f.a, f.texts, file, f.at(file, needle, offset, nth), includeDeclaration)?.references.map((r) => loc(r.range)) ?? [];

describe('Go to Definition', () => {
  it('leads a host in a URL to the metadata.name of the Service it resolves to from that pod', () => {
    assert.deepEqual(def('frontend.yaml', 'http://backend:8080', 'http://ba'.length), ['backend.yaml:32:9 Service shop/backend']);
    const answer = definitionAt(shop.a, shop.texts, 'frontend.yaml', shop.at('frontend.yaml', 'http://backend', 9));
    assert.equal(loc(answer!.origin), 'frontend.yaml:25:29', 'Ctrl+click underlines the host only');
    assert.equal(answer!.origin.endColumn - answer!.origin.column, 'backend'.length);
  });

  it('leads the port after the host to the Service port', () => {
    assert.deepEqual(def('frontend.yaml', 'http://backend:8080', 'http://backend:8'.length), [
      'backend.yaml:38:7 port api (8080) of Service shop/backend',
    ]);
  });

  it("leads a headless Service's per-pod name to the pod's workload", () => {
    assert.deepEqual(def('backend.yaml', 'postgres-0.postgres', 3), ['database.yaml:4:9 StatefulSet shop/postgres']);
  });

  it('gives nothing for a host that does not resolve', () => {
    assert.equal(def('frontend.yaml', 'http://catalog', 9), undefined);
  });

  it('leads a named targetPort to the containerPort of the selected pods', () => {
    assert.deepEqual(def('backend.yaml', 'targetPort: api', 13), [
      'backend.yaml:22:30 containerPort api (8080/TCP) of Deployment shop/backend',
    ]);
  });

  it('leads a named NetworkPolicy port to the containerPort of the pods it applies to', () => {
    assert.deepEqual(def('policies.yaml', '- port: http', 9), [
      'frontend.yaml:22:30 containerPort http (8080/TCP) of Deployment shop/frontend',
    ]);
  });

  it('leads a selector (its field, keys or values) to the workloads it selects', () => {
    assert.deepEqual(def('backend.yaml', '    app: backend\n  ports', 10), ['backend.yaml:4:9 Deployment shop/backend']);
    assert.deepEqual(def('backend.yaml', '    app: backend\n  ports', 5), ['backend.yaml:4:9 Deployment shop/backend'], 'on the key');
    assert.deepEqual(def('policies.yaml', 'app: backend', 7), ['backend.yaml:4:9 Deployment shop/backend']);
  });

  it('gives every workload an empty podSelector picks (the peek view)', () => {
    assert.deepEqual(def('policies.yaml', 'podSelector: {}', 3), [
      'backend.yaml:4:9 Deployment shop/backend',
      'database.yaml:4:9 StatefulSet shop/postgres',
      'database.yaml:45:9 Deployment shop/redis',
      'frontend.yaml:4:9 Deployment shop/frontend',
    ]);
  });

  it('leads an Ingress backend to its Service and port, and ingressClassName to the IngressClass', () => {
    assert.deepEqual(def('ingress.yaml', 'name: backend', 7), ['backend.yaml:32:9 Service shop/backend']);
    assert.deepEqual(def('ingress.yaml', 'name: api', 7), ['backend.yaml:38:7 port api (8080) of Service shop/backend']);
    assert.deepEqual(def('ingress.yaml', 'ingressClassName: nginx', 19), ['ingress.yaml:4:9 IngressClass nginx']);
  });

  const nsFixture = fixture({
    'ns.yaml': yaml`
      apiVersion: v1
      kind: Namespace
      metadata:
        name: team-a
        labels: {tier: front}
      ---
      apiVersion: v1
      kind: Namespace
      metadata:
        name: team-b
        labels: {tier: front}
    `,
    'np.yaml': yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: from-front, namespace: team-b}
      spec:
        podSelector: {}
        ingress:
          - from:
              - namespaceSelector:
                  matchLabels:
                    tier: front
              - namespaceSelector:
                  matchLabels:
                    kubernetes.io/metadata.name: team-a
    `,
  });

  it('leads a namespaceSelector to the Namespaces it picks', () => {
    assert.deepEqual(def('np.yaml', 'tier: front', 7, 0, nsFixture), ['ns.yaml:4:9 Namespace team-a', 'ns.yaml:10:9 Namespace team-b']);
    assert.deepEqual(def('np.yaml', 'metadata.name: team-a', 16, 0, nsFixture), ['ns.yaml:4:9 Namespace team-a']);
  });

  it('follows AdminNetworkPolicy subjects and peers as selectors', () => {
    const f = fixture({
      'app.yaml': yaml`
        apiVersion: v1
        kind: Namespace
        metadata: {name: prod, labels: {env: prod}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: prod, labels: {app: api}}
        spec:
          containers: [{name: c, image: x}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: prod, labels: {app: db}}
        spec:
          containers: [{name: c, image: x}]
      `,
      'anp.yaml': yaml`
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: guard}
        spec:
          priority: 10
          subject:
            pods:
              namespaceSelector:
                matchLabels: {env: prod}
              podSelector:
                matchLabels: {app: db}
          ingress:
            - name: from-api
              action: Allow
              from:
                - pods:
                    namespaceSelector: {}
                    podSelector:
                      matchLabels: {app: api}
      `,
    });
    assert.deepEqual(def('anp.yaml', '{app: db}', 7, 0, f), ['app.yaml:13:18 Pod prod/db']);
    assert.deepEqual(def('anp.yaml', '{app: api}', 7, 0, f), ['app.yaml:7:18 Pod prod/api']);
    assert.deepEqual(def('anp.yaml', '{env: prod}', 7, 0, f), ['app.yaml:3:18 Namespace prod']);
  });
});

describe('Find All References', () => {
  it('on a Service name: every URL and Ingress backend that reaches it', () => {
    assert.deepEqual(refs('backend.yaml', 'name: backend', 7, 1), ['frontend.yaml:25:29', 'ingress.yaml:26:23']);
    assert.deepEqual(refs('backend.yaml', 'name: backend', 7, 1, true), ['backend.yaml:32:9', 'frontend.yaml:25:29', 'ingress.yaml:26:23']);
  });

  it("on a workload's template labels: every Service, workload and policy selector that picks it", () => {
    assert.deepEqual(refs('backend.yaml', 'app: backend', 7, 1), [
      'backend.yaml:35:3',
      'backend.yaml:8:3',
      'policies.yaml:8:3',
      'policies.yaml:17:3',
      'policies.yaml:47:11',
      'policies.yaml:59:3',
      'policies.yaml:89:11',
    ]);
  });

  it('on a headless-Service pod: the per-pod host that names it', () => {
    assert.ok(refs('database.yaml', 'name: postgres', 7).includes('backend.yaml:25:37'));
  });

  it('on a containerPort: the targetPorts and policy ports that name it', () => {
    assert.deepEqual(refs('backend.yaml', 'containerPort: 8080', 16), ['backend.yaml:40:19', 'policies.yaml:69:17']);
  });

  it('on a Namespace: the namespaceSelectors that pick it', () => {
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
                - namespaceSelector:
                    matchLabels: {tier: back}
      `,
    });
    assert.deepEqual(refs('ns.yaml', 'name: team-a', 7, 0, false, f), ['np.yaml:8:11']);
  });

  it('on a link: the other links to the same target', () => {
    assert.deepEqual(refs('ingress.yaml', 'name: backend', 8), ['frontend.yaml:25:29', 'ingress.yaml:26:23']);
  });
});

describe('navigation through the analysis service, per folder', () => {
  it('answers each folder from its own files (no cross-talk between workspace folders)', () => {
    const service = new AnalysisService();
    const options = { settings: defaultSettings(), settingsDiagnostics: [], limits: DEFAULT_LIMITS };
    const svc = (ns: string) => yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: ${ns}}
      spec:
        selector: {app: api}
        ports: [{port: 80}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client, namespace: ${ns}}
      spec:
        containers:
          - name: c
            image: x
            env: [{name: URL, value: "http://api:80"}]
    `;
    for (const [folder, ns] of [
      ['file:///a', 'alpha'],
      ['file:///b', 'beta'],
    ] as const)
      service.handle({ type: 'analyze', folder, reset: true, changed: [{ path: 'app.yaml', text: svc(ns) }], removed: [], options });
    const lines = svc('alpha').split('\n');
    const line = lines.findIndex((l) => l.includes('http://api'));
    const position = { line, character: (lines[line] ?? '').indexOf('http://api') + 'http://a'.length };
    const ask = (folder: string) =>
      service.handle({ type: 'query', folder, name: 'definition', args: { file: 'app.yaml', position } }) as {
        targets: Array<{ label: string }>;
      };
    assert.deepEqual(
      ask('file:///a').targets.map((t) => t.label),
      ['Service alpha/api'],
    );
    assert.deepEqual(
      ask('file:///b').targets.map((t) => t.label),
      ['Service beta/api'],
    );
  });
});
