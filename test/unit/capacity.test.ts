// The default cluster holds the workspace (issue 16 item 6), from the Kubernetes docs: kubelet runs
// at most 110 pods per node ("Considerations for large clusters"; --max-pods), a Node reports its
// own as status.allocatable.pods, and a pod no node can take stays Pending with the scheduler's
// FailedScheduling reason ("0/N nodes are available: N Too many pods."). A Pending pod has no IP:
// no endpoint, no DNS record, no connection in the matrix, and a trace from it sends nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, endpoints, expectDiagnostic, lineOf, podsOf, svc, where, workload, yaml } from '../helpers';
import { connectivityList, tracePacket } from '../../src/engine';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { hoverAt } from '../../src/extension/analysis/hoverText';

const daemon = yaml`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent}]
`;

describe('capacity: the default cluster grows to fit a workspace that declares no nodes', () => {
  const text = workload({ name: 'big', replicas: 400 });
  const a = analyze({ 'big.yaml': text, 'agent.yaml': daemon });

  it('400 pods and a DaemonSet (109 slots left per node) run on 4 nodes, none Pending', () => {
    assert.equal(a.cluster.nodes.length, 4);
    assert.deepEqual(
      a.cluster.nodes.map((n) => `${n.name} ${n.ip} ${n.podCIDR}`),
      [
        'node-1 10.0.1.10 10.244.1.0/24',
        'node-2 10.0.1.20 10.244.2.0/24',
        'node-3 10.0.1.30 10.244.3.0/24',
        'node-4 10.0.1.40 10.244.4.0/24',
      ],
    );
    assert.equal(podsOf(a, 'default/big').filter((p) => p.ip !== undefined).length, 400);
    assert.equal(podsOf(a, 'default/agent').length, 4, 'one DaemonSet pod per node, the new one too');
    for (const n of a.cluster.nodes) assert.ok(a.cluster.pods.filter((p) => p.node === n.name).length <= 110, n.name);
    assert.deepEqual(where(a, 'pod-unschedulable'), []);
  });

  it('says how many nodes it assumed, at the replicas that needed them', () => {
    const d = expectDiagnostic(a, 'cluster-nodes-assumed', 'big.yaml', lineOf(text, 'replicas'), 13);
    assert.equal(d.severity, 'info');
    assert.match(d.message, /kube-netsim assumes 4 nodes/);
    assert.match(d.message, /110 pods per node/);
    assert.match(d.message, /Calico's IPAM gives each node \/26 blocks of 64 addresses from 10\.244\.0\.0\/16 .*2 for 110 pods/);
  });

  it('three nodes are kept while the pods fit, with no info', () => {
    const small = analyze({ 'w.yaml': workload({ name: 'w', replicas: 300 }) });
    assert.equal(small.cluster.nodes.length, 3);
    assert.deepEqual(where(small, 'cluster-nodes-assumed'), []);
  });
});

describe('capacity: declared nodes are not grown; pods that do not fit are pod-unschedulable', () => {
  const nodes = 'nodes:\n  - {name: a, ip: 10.0.0.1}\n  - {name: b, ip: 10.0.0.2}\n';
  const text = docs(
    workload({ name: 'big', replicas: 250, ports: [{ containerPort: 80 }] }),
    svc({ name: 'big', ports: [{ port: 80 }] }),
    workload({ name: 'client' }),
  );
  const a = analyze({ 'big.yaml': text }, nodes);
  const pending = podsOf(a, 'default/big').filter((p) => p.node === undefined);

  it('two nodes hold 220 pods; CoreDNS and the first pods placed, the rest Pending with the scheduler reason', () => {
    assert.equal(a.cluster.nodes.length, 2);
    const placed = a.cluster.pods.filter((p) => p.node !== undefined);
    assert.equal(placed.length, 220);
    assert.equal(podsOf(a, 'kube-system/coredns').filter((p) => p.node !== undefined).length, 2, 'CoreDNS is placed first');
    // 250 + client 1 + CoreDNS 2 = 253 pods for 220 slots.
    assert.equal(a.cluster.pods.filter((p) => p.pending !== undefined).length, 33);
    assert.equal(pending[0]?.pending, '0/2 nodes are available: 2 Too many pods.');
    const d = expectDiagnostic(a, 'pod-unschedulable', 'big.yaml', lineOf(text, 'replicas: 250'), 13);
    assert.match(d.message, /pods of default\/big\[Deployment\] cannot be placed/);
    assert.match(d.message, /"0\/2 nodes are available: 2 Too many pods\."/);
  });

  it('no command treats a Pending pod as running: endpoints, matrix and trace leave it out', () => {
    assert.equal(new Set(endpoints(a, 'default/big')).size, podsOf(a, 'default/big').length - pending.length);
    const listed = connectivityList(a.policies).entries.flatMap((e) => [e.src, e.dst]);
    const client = a.cluster.pods.find((p) => p.workload.name === 'client');
    assert.ok(client?.pending !== undefined, 'client comes after the 250 and finds no room');
    assert.ok(!listed.some((x) => x.includes('default/client')), 'a Pending workload is not in the matrix');
    assert.ok(
      listed.some((x) => x.includes('default/big')),
      'the placed pods of big are',
    );
    const p = pending[0];
    assert.ok(p);
    const t = tracePacket(a, { kind: 'pod', pod: p }, 'big:80');
    assert.equal(t.verdict, 'unrouted');
    assert.match(t.reason, /is Pending \(0\/2 nodes are available: 2 Too many pods\.\), so it sends nothing/);
  });

  it('the editor shows the Pending pods and why on the workload hover', () => {
    const h = hoverAt(a, new SymbolIndex(a), 'big.yaml', { line: lineOf(text, 'name: big') - 1, character: 9 });
    assert.ok(
      h?.lines.some((l) => l.includes('of the 250 are Pending')),
      JSON.stringify(h?.lines),
    );
    const c = hoverAt(a, new SymbolIndex(a), 'big.yaml', { line: lineOf(text, 'name: client') - 1, character: 9 });
    assert.ok(
      c?.lines.some((l) => l.includes('**Pending**: 0/2 nodes are available: 2 Too many pods.')),
      JSON.stringify(c?.lines),
    );
  });

  it('a Service whose pods are all Pending refuses, and the trace says why', () => {
    const full = 'nodes:\n  - {name: a, ip: 10.0.0.1}\n';
    const t = docs(
      workload({ name: 'filler', replicas: 108 }),
      workload({ name: 'late', ports: [{ containerPort: 80 }] }),
      svc({ name: 'late', ports: [{ port: 80 }] }),
    );
    const b = analyze({ 't.yaml': t }, full);
    const filler = b.cluster.pods.find((p) => p.workload.name === 'filler' && p.node !== undefined);
    assert.ok(filler);
    const r = tracePacket(b, { kind: 'pod', pod: filler }, 'late:80');
    assert.equal(r.verdict, 'refused');
    assert.match(r.reason, /no ready endpoints \(the pods it selects are Pending: 0\/1 nodes are available: 1 Too many pods\.\)/);
  });

  it("a Node's status.allocatable.pods is its limit", () => {
    const node = yaml`
apiVersion: v1
kind: Node
metadata: {name: tiny}
status:
  allocatable: {pods: "3"}
  addresses: [{type: InternalIP, address: 10.0.0.9}]
`;
    const b = analyze({ 'n.yaml': node, 'w.yaml': workload({ name: 'w', replicas: 3 }) });
    // CoreDNS takes two of the three slots first.
    assert.equal(podsOf(b, 'default/w').filter((x) => x.node === 'tiny').length, 1);
    assert.equal(podsOf(b, 'default/w').filter((x) => x.pending === '0/1 nodes are available: 1 Too many pods.').length, 2);
  });

  it('a selector that leaves only full nodes names both reasons, as the scheduler does', () => {
    const labelled = 'nodes:\n  - {name: a, ip: 10.0.0.1, labels: {zone: x}}\n  - {name: b, ip: 10.0.0.2}\n';
    const b = analyze({ 'w.yaml': workload({ name: 'w', replicas: 120, podSpec: 'nodeSelector:\n  zone: x' }) }, labelled);
    const p = podsOf(b, 'default/w').find((x) => x.pending !== undefined);
    assert.equal(p?.pending, "0/2 nodes are available: 1 Too many pods, 1 node(s) didn't match Pod's node affinity/selector.");
  });
});

describe('capacity: from live nodes the dump does not describe', () => {
  it('a dumped pod on a node the dump does not hold is not reported Pending (it runs there)', () => {
    const dumped = yaml`
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, uid: 0b7e, labels: {app: web}}
spec:
  nodeName: minikube
  containers: [{name: web, image: web}]
status: {phase: Running}
`;
    const a = analyze({ 'pods.yaml': dumped });
    assert.deepEqual(where(a, 'pod-unschedulable'), []);
    assert.equal(podsOf(a, 'default/web-1')[0]?.pending, undefined);
  });
});
