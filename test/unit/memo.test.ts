// Per-object reads remembered across analyses (ParseCache keeps unchanged objects): an unchanged
// object is read once, an edited one again, and the output is the same as a fresh analysis's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWorkspace, ParseCache, type InputFile } from '../../src/engine';
import { parseManifestFile } from '../../src/engine/manifests/parse';
import { readPolicyObject } from '../../src/engine/policy/engine';
import { yaml } from '../helpers';

const policy = (name: string, extra = '') => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: ${name}
    namespace: shop
  spec:
    podSelector:
      matchLabels:
        app: web
    ingress:
    - from:
      - podSelector: {matchLabels: {app: api}}
      ${extra}
`;

const workspace = (policyText: string): InputFile[] => [
  {
    path: 'app.yaml',
    text: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - name: web
              ports: [{containerPort: 8080, name: http}]
    `,
  },
  { path: 'policy.yaml', text: policyText },
];

const json = (files: InputFile[], cache?: ParseCache) => JSON.stringify(analyzeWorkspace(files, cache ? { cache } : {}).diagnostics);

describe('memo: NetworkPolicy reads', () => {
  it('reads an unchanged object once and an edited one again', () => {
    const [a] = parseManifestFile({ path: 'p.yaml', text: policy('p') }).objects;
    const [b] = parseManifestFile({ path: 'p.yaml', text: policy('p').replace('app: api', 'app: db') }).objects;
    assert.ok(a && b);
    const first = readPolicyObject(a).policy;
    assert.equal(readPolicyObject(a).policy, first, 'same object, same read');
    const edited = readPolicyObject(b).policy;
    assert.notEqual(edited, first);
    const peer = edited?.rules.ingress[0]?.peers?.[0];
    assert.deepEqual(peer?.kind === 'selector' ? peer.podSelector?.matchLabels : undefined, { app: 'db' });
  });

  it('reports the diagnostics of a remembered read again, in order, at every analysis', () => {
    const files = workspace(policy('bad', 'ports: [{port: 70000}, {protocol: tcp}]'));
    const fresh = analyzeWorkspace(files)
      .diagnostics.filter((d) => d.code === 'manifest-invalid')
      .map((d) => `${d.range.line}:${d.message}`);
    assert.equal(fresh.length, 2, fresh.join('\n'));
    const cache = new ParseCache();
    for (let i = 0; i < 3; i++) {
      const again = analyzeWorkspace(files, { cache })
        .diagnostics.filter((d) => d.code === 'manifest-invalid')
        .map((d) => `${d.range.line}:${d.message}`);
      assert.deepEqual(again, fresh, `analysis ${i}`);
    }
  });

  it('gives the same output with a warm memo as a fresh analysis, before and after an edit', () => {
    const cache = new ParseCache();
    const before = workspace(policy('p', 'ports: [{port: http}]'));
    const after = workspace(policy('p', 'ports: [{port: htp}]'));
    assert.equal(json(before, cache), json(before));
    assert.equal(json(before, cache), json(before));
    assert.equal(json(after, cache), json(after));
    assert.notEqual(json(after), json(before), 'the edit changes the diagnostics');
  });

  it('keeps an old apiVersion out of the simulation, with its diagnostic, every time', () => {
    const [o] = parseManifestFile({ path: 'p.yaml', text: policy('old').replace('networking.k8s.io/v1', 'extensions/v1beta1') }).objects;
    assert.ok(o);
    for (let i = 0; i < 2; i++) {
      const read = readPolicyObject(o);
      assert.equal(read.policy, undefined);
      assert.match(read.diagnostics[0]?.message ?? '', /no longer serve/);
    }
  });
});

describe('memo: workload pod templates', () => {
  const deployment = (dnsPolicy: string, replicas = 2) => yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      replicas: ${replicas}
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          dnsPolicy: ${dnsPolicy}
          containers:
          - name: web
            ports: [{containerPort: 8080, name: http}]
            env: [{name: PORT, value: 8080}]
  `;
  const files = (text: string): InputFile[] => [{ path: 'web.yaml', text }];
  const invalid = (list: ReturnType<typeof analyzeWorkspace>['diagnostics']) =>
    list.filter((d) => d.code === 'manifest-invalid').map((d) => `${d.range.line}:${d.range.column}:${d.message}`);

  it('reuses an unchanged template and reads an edited one again', () => {
    const cache = new ParseCache();
    const first = analyzeWorkspace(files(deployment('ClusterFirst')), { cache }).cluster.pods.filter((p) => p.namespace === 'shop');
    const again = analyzeWorkspace(files(deployment('ClusterFirst')), { cache }).cluster.pods.filter((p) => p.namespace === 'shop');
    assert.equal(first.length, 2);
    assert.equal(again[0]?.containers, first[0]?.containers, 'unchanged object: the same template read');
    // Scheduled and addressed again, and equal in every field: the previous analysis's pod is kept
    // (cluster/stable.ts), so that checks remembered by pod see it unchanged.
    assert.equal(again[0], first[0], 'an unchanged pod is the previous analysis’s');
    if (first[0]) first[0].ip = '10.0.0.99'; // what one analysis's consumer does to its pod is not taken for the next's
    const after = analyzeWorkspace(files(deployment('ClusterFirst')), { cache }).cluster.pods.filter((p) => p.namespace === 'shop');
    assert.notEqual(after[0], first[0]);
    const cold = analyzeWorkspace(files(deployment('ClusterFirst'))).cluster.pods.find((p) => p.name === after[0]?.name);
    assert.equal(after[0]?.ip, cold?.ip);
    const edited = analyzeWorkspace(files(deployment('Default', 3)), { cache }).cluster.pods.filter((p) => p.namespace === 'shop');
    assert.equal(edited.length, 3);
    assert.notEqual(edited[0]?.containers, first[0]?.containers);
    assert.equal(edited[0]?.dnsPolicy, 'Default');
  });

  it('replays the template diagnostics at every analysis, as a fresh analysis reports them', () => {
    const text = deployment('Sometimes');
    const fresh = invalid(analyzeWorkspace(files(text)).diagnostics);
    assert.equal(fresh.length, 2, fresh.join('\n')); // the dnsPolicy and the unquoted env value
    const cache = new ParseCache();
    for (let i = 0; i < 3; i++) assert.deepEqual(invalid(analyzeWorkspace(files(text), { cache }).diagnostics), fresh, `analysis ${i}`);
    assert.equal(json(files(text), cache), json(files(text)));
  });
});

describe('memo: policy selection by labels', () => {
  it('answers per namespace and per selectability even for pods sharing one labels object', () => {
    const np = (name: string, namespace: string, app: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  podSelector: {matchLabels: {app: ${app}}}\n`;
    const a = analyzeWorkspace([
      { path: 'w.yaml', text: workspace('')[0]?.text ?? '' },
      {
        path: 'p.yaml',
        text: [np('in-shop', 'shop', 'web'), np('in-other', 'other', 'web'), np('other-app', 'other', 'api')].join('---\n'),
      },
    ]);
    const web = a.cluster.pods.find((p) => p.namespace === 'shop' && p.labels['app'] === 'web');
    assert.ok(web);
    const names = (pod: typeof web) => a.policies.policiesSelecting(pod).ingress.map((p) => `${p.namespace}/${p.name}`);
    assert.deepEqual(names(web), ['shop/in-shop']);
    // Same labels object, another namespace: that namespace's policies.
    assert.deepEqual(names({ ...web, name: 'copy', namespace: 'other' }), ['other/in-other']);
    // Same labels, hostNetwork: policies do not select it.
    assert.deepEqual(names({ ...web, name: 'host', hostNetwork: true }), []);
    // The first pod's answer is unchanged.
    assert.deepEqual(names(web), ['shop/in-shop']);
  });
});

describe('memo: Service reads', () => {
  const service = (type: string) => yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      type: ${type}
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http}, {name: metrics, port: 9090}]
  `;
  const files = (svcText: string): InputFile[] =>
    [...workspace(''), { path: 'svc.yaml', text: svcText }].filter((f) => f.path !== 'policy.yaml');
  const web = (a: ReturnType<typeof analyzeWorkspace>) => a.cluster.services.find((s) => s.namespace === 'shop' && s.name === 'web');

  it('reuses an unchanged read but gives every analysis its own Service, addresses and endpoints', () => {
    const cache = new ParseCache();
    const first = web(analyzeWorkspace(files(service('ClusterIP')), { cache }));
    assert.ok(first?.clusterIP);
    first.clusterIPs.push('10.96.99.99'); // what one analysis's consumer does to its Service stays there
    first.endpointsByPort[0]?.push({ pod: 'x/y', ip: '10.0.0.1', port: 1, node: undefined, ready: true });
    const again = web(analyzeWorkspace(files(service('ClusterIP')), { cache }));
    assert.notEqual(again, first);
    assert.equal(again?.ports, first.ports, 'the read is shared');
    assert.deepEqual(again?.clusterIPs, [first.clusterIP]);
    assert.equal(again?.endpointsByPort[0]?.length, 1);
    assert.equal(JSON.stringify(web(analyzeWorkspace(files(service('ClusterIP'))))), JSON.stringify(again));
  });

  it('reads an edited Service again and replays its diagnostics', () => {
    const cache = new ParseCache();
    const bad = files(service('Bogus'));
    const fresh = analyzeWorkspace(bad)
      .diagnostics.filter((d) => d.code === 'manifest-invalid')
      .map((d) => d.message);
    assert.equal(fresh.length, 1);
    for (let i = 0; i < 2; i++)
      assert.deepEqual(
        analyzeWorkspace(bad, { cache })
          .diagnostics.filter((d) => d.code === 'manifest-invalid')
          .map((d) => d.message),
        fresh,
      );
    assert.equal(web(analyzeWorkspace(files(service('NodePort')), { cache }))?.type, 'NodePort');
    assert.equal(json(files(service('NodePort')), cache), json(files(service('NodePort'))));
  });
});
