// A recorded `kubectl get namespaces,nodes,pods,services,endpointslices,deployments,statefulsets,
// daemonsets,replicasets,networkpolicies,ingresses,ingressclasses -A -o yaml` of a two-node k3s
// cluster (test/fixtures/snapshot) is simulated with its live addresses: node IPs and pod CIDRs, pod
// IPs and nodes, ClusterIPs outside the default range, and EndpointSlices of selectorless Services.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeWorkspace, findSource, summarizeSnapshot, tracePacket } from '../../src/engine';
import { analyze, resolve, settingsFrom, yaml } from '../helpers';

const PATH = 'test/fixtures/snapshot/cluster-snapshot.yaml';
const TEXT = readFileSync(join(__dirname, '..', 'fixtures', 'snapshot', 'cluster-snapshot.yaml'), 'utf8');
const snapshot = (settings?: string) => analyzeWorkspace([{ path: PATH, text: TEXT }], { settings: settingsFrom(settings) });
const lineOf = (needle: string) => TEXT.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('cluster snapshot (kubectl get -A -o yaml)', () => {
  const a = snapshot();
  const svc = (id: string) => a.cluster.services.find((s) => `${s.namespace}/${s.name}` === id);

  it('nodes come from the Node objects: InternalIP, podCIDR, labels', () => {
    assert.deepEqual(
      a.cluster.nodes.map((n) => `${n.name} ${n.ip} ${n.podCIDR}`),
      ['k3s-server 192.168.56.10 10.42.0.0/24', 'k3s-agent-1 192.168.56.11 10.42.1.0/24'],
    );
    assert.equal(a.cluster.nodes[0]?.labels['topology.kubernetes.io/zone'], 'zone-a');
  });

  it('pods keep their live IPs and nodes; controllers whose pods are listed add none of their own', () => {
    const pods = a.cluster.pods
      .filter((p) => p.origin.kind === 'manifest')
      .map((p) => `${p.namespace}/${p.name} ${p.ip} ${p.node}`)
      .sort();
    assert.deepEqual(pods, [
      'kube-system/coredns-6799fbcd5-k8x2p 10.42.0.3 k3s-server',
      'kube-system/node-exporter-h7q2w 192.168.56.10 k3s-server',
      'kube-system/node-exporter-tr5xz 192.168.56.11 k3s-agent-1',
      'shop/backend-7d9c5b8f6d-2xkqp 10.42.0.12 k3s-server',
      'shop/backend-7d9c5b8f6d-9vfmd 10.42.1.7 k3s-agent-1',
      'shop/backend-7d9c5b8f6d-lw4cn 10.42.1.8 k3s-agent-1',
      'shop/frontend-5b6f9c7d48-q7trn 10.42.1.9 k3s-agent-1',
      'shop/postgres-0 10.42.0.15 k3s-server',
    ]);
    assert.ok(
      !a.cluster.pods.some((p) => p.origin.kind === 'implicit' && p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns'),
      'the live CoreDNS replaces the simulated one',
    );
    assert.equal(
      a.cluster.pods.find((p) => p.name === 'frontend-5b6f9c7d48-q7trn')?.workload.kind,
      'ReplicaSet',
      'grouped under the owner the ownerReferences name',
    );
  });

  it('live ClusterIPs outside the default service CIDR are honoured; the ranges they imply are used and said', () => {
    assert.deepEqual(
      ['default/kubernetes', 'kube-system/kube-dns', 'shop/backend', 'shop/frontend', 'shop/legacy-db'].map((id) => svc(id)?.clusterIP),
      ['10.43.0.1', '10.43.0.10', '10.43.118.40', '10.43.201.7', '10.43.77.5'],
    );
    assert.equal(svc('shop/postgres')?.headless, true);
    assert.equal(svc('shop/frontend')?.ports[0]?.nodePort, 30080);
    assert.ok(!a.diagnostics.some((d) => d.code === 'clusterip-out-of-range'), a.diagnostics.map((d) => d.message).join('\n'));
    assert.equal(a.cluster.settings.serviceCIDR, '10.43.0.0/16');
    assert.equal(a.cluster.settings.podCIDR, '10.42.0.0/16');
    assert.deepEqual(
      a.diagnostics.map((d) => `${d.code}@${d.range.line}`),
      [`snapshot-settings-inferred@${lineOf('podCIDR: 10.42.0.0/24')}`, `snapshot-settings-inferred@${lineOf('clusterIP: 10.43.0.1')}`],
    );
  });

  it('endpoints: ready pods only; EndpointSlices for Services without a selector (the API server, a manual one)', () => {
    assert.deepEqual(
      svc('shop/backend')
        ?.endpointsByPort[0]?.map((e) => `${e.ip}:${e.port}`)
        .sort(),
      ['10.42.0.12:8080', '10.42.1.7:8080'],
    );
    assert.deepEqual(
      svc('shop/legacy-db')?.endpointsByPort[0]?.map((e) => `${e.ip}:${e.port}`),
      ['192.168.56.50:5432'],
    );
    assert.deepEqual(
      svc('default/kubernetes')?.endpointsByPort[0]?.map((e) => `${e.ip}:${e.port}`),
      ['192.168.56.10:6443'],
    );
    assert.deepEqual(
      svc('kube-system/kube-dns')?.endpointsByPort.map((eps) => eps.map((e) => e.ip)),
      [['10.42.0.3'], ['10.42.0.3'], ['10.42.0.3']],
    );
  });

  it("DNS and a trace run on the live addresses; a Deployment name finds its ReplicaSet's pods", () => {
    assert.deepEqual(
      resolve(a, 'backend', 'shop/frontend').answers.map((r) => r.value),
      ['10.43.118.40'],
    );
    assert.deepEqual(
      resolve(a, 'postgres-0.postgres', 'shop/backend').answers.map((r) => r.value),
      ['10.42.0.15'],
    );
    const from = findSource(a.cluster, 'shop/frontend');
    assert.ok(from.ok, from.ok ? '' : from.message);
    const t = tracePacket(a, from.source, 'http://backend:8080/api');
    assert.equal(t.verdict, 'delivered');
    assert.ok(t.destination?.kind === 'pod' && ['10.42.0.12', '10.42.1.7'].includes(t.destination.ip));
    assert.equal(t.sourceIPAtDestination, '10.42.1.9');
  });

  it('settings that name the ranges win: no inference, and the live ClusterIPs are then out of range', () => {
    const b = snapshot('serviceCIDR: 10.100.0.0/16\npodCIDR: 10.42.0.0/16\n');
    assert.equal(b.cluster.settings.serviceCIDR, '10.100.0.0/16');
    assert.ok(!b.diagnostics.some((d) => d.code === 'snapshot-settings-inferred'));
    assert.equal(b.diagnostics.filter((d) => d.code === 'clusterip-out-of-range').length, 5);
  });

  it('hand-written manifests (no uid) are not a snapshot: an out-of-range clusterIP is still an error', () => {
    const b = analyze({
      'svc.yaml': yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec: {clusterIP: 10.43.0.20, ports: [{port: 80}]}
    `,
    });
    assert.deepEqual(
      b.diagnostics.map((d) => d.code),
      ['clusterip-out-of-range'],
    );
  });

  it('summarizeSnapshot checks and counts what kubectl printed (what Import Cluster Snapshot saves)', () => {
    const s = summarizeSnapshot(TEXT);
    assert.ok(s.ok);
    assert.equal(s.summary, '2 nodes, 5 namespaces, 8 pods, 6 Services, 6 EndpointSlices, 1 NetworkPolicies, 1 Ingresses');
    assert.equal(s.counts['ReplicaSet'], 4);
    const empty = summarizeSnapshot('apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n');
    assert.ok(!empty.ok && /no objects/.test(empty.message));
    assert.ok(!summarizeSnapshot('error: {').ok);
  });
});
