// EndpointSlice conditions and what kube-proxy does with them (pkg/proxy/topology.go
// CategorizeEndpoints, KEP-1669 "ProxyTerminatingEndpoints": with no ready endpoint, the serving
// terminating ones take the traffic), and a snapshot's recorded slices held against the selector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket } from '../../src/engine';
import { iptablesRules } from '../../src/engine/dataplane/rules';
import { nftablesRules } from '../../src/engine/dataplane/nftables';
import { analyze } from '../helpers';
import { from } from '../traceFixtures';

const CLIENT = `apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: node-1
  containers: [{name: c, image: busybox}]
`;

/** A selector-less Service whose EndpointSlice records the given endpoints. */
const sliced = (endpoints: string) =>
  analyze({
    'app.yaml': `${CLIENT}---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  ports: [{name: pg, port: 5432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  labels: {kubernetes.io/service-name: db}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints:
${endpoints}`,
  });

test('no ready endpoint: kube-proxy falls back to the serving terminating ones, and the trace says so', () => {
  const a = sliced(`  - addresses: [10.244.2.10]
    conditions: {ready: false, serving: true, terminating: true}
  - addresses: [10.244.3.10]
    conditions: {ready: false, serving: false, terminating: true}
`);
  const r = tracePacket(a, from(a, 'default/client'), 'db:5432');
  assert.deepEqual(
    r.candidates.map((c) => c.ip),
    ['10.244.2.10'],
  );
  const d = r.hops.find((h) => h.kind === 'dnat');
  assert.ok(d && d.kind === 'dnat');
  assert.match(d.topology ?? '', /no endpoint is ready, so kube-proxy uses the serving terminating ones/);
  assert.match(
    iptablesRules(a.cluster, 'node-1'),
    /-A KUBE-SEP-\w{16} -m comment --comment default\/db:pg -m tcp -p tcp -j DNAT --to-destination 10\.244\.2\.10:5432/,
  );
  assert.doesNotMatch(iptablesRules(a.cluster, 'node-1'), /10\.244\.3\.10/);
  assert.match(nftablesRules(a.cluster, 'node-1'), /dnat to 10\.244\.2\.10:5432/);
});

test('a ready endpoint wins over serving terminating ones; with neither, the Service rejects', () => {
  const a = sliced(`  - addresses: [10.244.2.10]
    conditions: {ready: false, serving: true, terminating: true}
  - addresses: [10.244.3.10]
`);
  assert.deepEqual(
    tracePacket(a, from(a, 'default/client'), 'db:5432').candidates.map((c) => c.ip),
    ['10.244.3.10'],
    'conditions.ready left out reads as ready (discovery/v1)',
  );
  const none = sliced(`  - addresses: [10.244.2.10]
    conditions: {ready: false, serving: false, terminating: true}
`);
  assert.equal(tracePacket(none, from(none, 'default/client'), 'db:5432').verdict, 'refused');
});

test('zone hints recorded in a slice are what kube-proxy follows', () => {
  const a = analyze(
    {
      'app.yaml': `${CLIENT}---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  ports: [{name: pg, port: 5432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  labels: {kubernetes.io/service-name: db}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints:
  - {addresses: [10.244.2.10], zone: a, hints: {forZones: [{name: a}]}}
  - {addresses: [10.244.3.10], zone: b, hints: {forZones: [{name: b}]}}
`,
    },
    { nodes: [{ name: 'node-1', ip: '10.0.1.10', labels: { 'topology.kubernetes.io/zone': 'b' } }] },
  );
  assert.deepEqual(
    tracePacket(a, from(a, 'default/client'), 'db:5432').candidates.map((c) => c.ip),
    ['10.244.3.10'],
  );
});

test('snapshot: a recorded slice that disagrees with the selector is reported at its endpoints', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]
status: {podIP: 10.244.1.5, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abcde
  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints:
  - addresses: [10.244.1.5]
  - addresses: [10.244.2.99]
`;
  const a = analyze({ 'snap.yaml': text });
  const d = a.diagnostics.filter((x) => x.code === 'endpointslice-disagrees');
  assert.equal(d.length, 1);
  assert.equal(d[0]?.range.line, text.split('\n').indexOf('endpoints:') + 1);
  assert.match(
    d[0]?.message ?? '',
    /EndpointSlice default\/web-abcde of Service default\/web lists 10\.244\.2\.99:80, which the selector does not pick/,
  );
  // A slice that agrees says nothing.
  const agreeing = analyze({ 'snap.yaml': text.replace('  - addresses: [10.244.2.99]\n', '') });
  assert.deepEqual(
    agreeing.diagnostics.filter((x) => x.code === 'endpointslice-disagrees'),
    [],
  );
});

// A snapshot pod with metadata.deletionTimestamp is terminating (kubectl shows it Terminating): the
// EndpointSlice controller keeps it in the slice with serving = its readiness, terminating = true and
// ready = false unless publishNotReadyAddresses (endpointslice utils podToEndpoint), and kube-proxy
// uses it only when no ready endpoint is left.
const snapshotPod = (name: string, ip: string, o: { deleting?: boolean; ready?: boolean } = {}) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: api}
${o.deleting ? '  deletionTimestamp: "2026-12-04T21:00:00Z"\n' : ''}spec:
  nodeName: node-2
  containers: [{name: c, image: api, ports: [{containerPort: 8080}]}]
status:
  phase: Running
  podIP: ${ip}
  conditions: [{type: Ready, status: "${o.ready === false ? 'False' : 'True'}"}]
`;
const api = (pods: string[], extra = '') =>
  analyze({
    'snap.yaml': [
      CLIENT,
      ...pods,
      `apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}]\n${extra}`,
    ].join('---\n'),
  });

test('snapshot pods with a deletionTimestamp are terminating endpoints: ready false, serving by readiness', () => {
  const a = api([snapshotPod('api-old', '10.244.2.10', { deleting: true }), snapshotPod('api-new', '10.244.2.11')]);
  const eps = a.cluster.services.find((s) => s.name === 'api')?.endpointsByPort[0] ?? [];
  const old = eps.find((e) => e.ip === '10.244.2.10');
  assert.deepEqual([old?.ready, old?.serving, old?.terminating], [false, true, true]);
  assert.equal(eps.find((e) => e.ip === '10.244.2.11')?.terminating, undefined);
  // A ready endpoint is left, so kube-proxy does not use the terminating one.
  assert.deepEqual(
    tracePacket(a, from(a, 'default/client'), 'api:80').candidates.map((c) => c.ip),
    ['10.244.2.11'],
  );
  assert.doesNotMatch(iptablesRules(a.cluster, 'node-1'), /10\.244\.2\.10/);
});

test('only terminating pods left: kube-proxy falls back to the serving ones; a not-ready terminating pod takes nothing', () => {
  const a = api([
    snapshotPod('api-a', '10.244.2.10', { deleting: true }),
    snapshotPod('api-b', '10.244.2.12', { deleting: true, ready: false }),
  ]);
  const r = tracePacket(a, from(a, 'default/client'), 'api:80');
  assert.equal(r.verdict, 'delivered', r.reason);
  assert.deepEqual(
    r.candidates.map((c) => c.ip),
    ['10.244.2.10'],
  );
  const d = r.hops.find((h) => h.kind === 'dnat');
  assert.ok(d?.kind === 'dnat');
  assert.match(d.topology ?? '', /serving terminating/);
  const none = api([snapshotPod('api-b', '10.244.2.12', { deleting: true, ready: false })]);
  assert.equal(tracePacket(none, from(none, 'default/client'), 'api:80').verdict, 'refused');
  // publishNotReadyAddresses: the controller writes ready true even for a terminating pod.
  const pub = api([snapshotPod('api-a', '10.244.2.10', { deleting: true })], '  publishNotReadyAddresses: true\n');
  assert.equal(pub.cluster.services.find((s) => s.name === 'api')?.endpointsByPort[0]?.[0]?.ready, true);
});
