import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze,
  docs,
  expectDiagnostic,
  expectNoDiagnostic,
  lineOf,
  columnOf,
  podsOf,
  pod,
  service,
  svc,
  where,
  workload,
  yaml,
} from '../helpers';

describe('workloads: pods per kind', () => {
  it('a Deployment without replicas has one pod, named like a ReplicaSet pod', () => {
    const a = analyze({ 'web.yaml': workload({ name: 'web' }) });
    const pods = podsOf(a, 'default/web');
    assert.equal(pods.length, 1);
    assert.match(pods[0]?.name ?? '', /^web-[b-z2-9]{10}-[b-z2-9]{5}$/);
    assert.deepEqual(pods[0]?.workload, { kind: 'Deployment', namespace: 'default', name: 'web' });
    expectNoDiagnostic(a);
  });

  const counts: Array<[string, string, number]> = [
    ['Deployment replicas: 3', workload({ name: 'w', replicas: 3 }), 3],
    ['Deployment replicas: 0', workload({ name: 'w', replicas: 0 }), 0],
    ['ReplicaSet replicas: 2', workload({ kind: 'ReplicaSet', name: 'w', replicas: 2 }), 2],
    ['StatefulSet replicas: 3', workload({ kind: 'StatefulSet', name: 'w', replicas: 3 }), 3],
    ['Job (parallelism 1 by default)', workload({ kind: 'Job', name: 'w' }), 1],
    ['Job parallelism: 2', workload({ kind: 'Job', name: 'w', spec: 'parallelism: 2' }), 2],
    ['CronJob (one run simulated)', workload({ kind: 'CronJob', name: 'w' }), 1],
    ['bare Pod', workload({ kind: 'Pod', name: 'w' }), 1],
  ];
  for (const [what, text, n] of counts) {
    it(`${what} gives ${n} pod(s) owned by it`, () => {
      const a = analyze({ 'w.yaml': text });
      const pods = a.cluster.pods.filter((p) => p.origin.kind === 'manifest');
      assert.equal(pods.length, n);
      for (const p of pods) assert.equal(p.workload.name, 'w');
      assert.equal(new Set(pods.map((p) => p.name)).size, n, 'pod names are unique');
      expectNoDiagnostic(a);
    });
  }

  it('a StatefulSet names its pods name-0..n-1 with hostname and the governing Service as subdomain', () => {
    const a = analyze({
      'db.yaml': workload({ kind: 'StatefulSet', name: 'db', namespace: 'data', replicas: 3, spec: 'serviceName: db-headless' }),
    });
    assert.deepEqual(
      podsOf(a, 'data/db').map((p) => `${p.name} ${p.hostname} ${p.subdomain}`),
      ['db-0 db-0 db-headless', 'db-1 db-1 db-headless', 'db-2 db-2 db-headless'],
    );
  });

  it('a DaemonSet runs one pod per node, and only on nodes its nodeSelector admits', () => {
    const nodes =
      'nodes:\n  - {name: a, ip: 10.0.0.1, labels: {disk: ssd}}\n  - {name: b, ip: 10.0.0.2}\n  - {name: c, ip: 10.0.0.3, labels: {disk: ssd}}\n';
    const all = analyze({ 'ds.yaml': workload({ kind: 'DaemonSet', name: 'agent', namespace: 'kube-system' }) }, nodes);
    assert.deepEqual(
      podsOf(all, 'kube-system/agent')
        .map((p) => p.node)
        .sort(),
      ['a', 'b', 'c'],
    );
    const ssd = analyze({ 'ds.yaml': workload({ kind: 'DaemonSet', name: 'agent', podSpec: 'nodeSelector:\n  disk: ssd' }) }, nodes);
    assert.deepEqual(
      podsOf(ssd, 'default/agent')
        .map((p) => p.node)
        .sort(),
      ['a', 'c'],
    );
    const byHostname = analyze(
      { 'ds.yaml': workload({ kind: 'DaemonSet', name: 'agent', podSpec: 'nodeSelector:\n  kubernetes.io/hostname: b' }) },
      nodes,
    );
    assert.deepEqual(
      podsOf(byHostname, 'default/agent').map((p) => p.node),
      ['b'],
    );
  });

  it('pods go to the namespace the workload names, default otherwise', () => {
    const a = analyze({ 'w.yaml': docs(workload({ name: 'a', namespace: 'shop' }), workload({ name: 'b' })) });
    assert.equal(pod(a, 'shop/a').namespace, 'shop');
    assert.equal(pod(a, 'default/b').namespace, 'default');
  });

  it('pods carry the template labels, containers and ports', () => {
    const a = analyze({
      'w.yaml': workload({
        name: 'web',
        labels: { app: 'web', tier: 'front' },
        ports: [
          { name: 'http', containerPort: 8080 },
          { containerPort: 53, protocol: 'UDP' },
        ],
      }),
    });
    const p = pod(a, 'default/web');
    assert.deepEqual(p.labels, { app: 'web', tier: 'front' });
    assert.deepEqual(
      p.containers[0]?.ports.map((x) => `${x.name ?? '-'} ${x.containerPort}/${x.protocol}`),
      ['http 8080/TCP', '- 53/UDP'],
    );
  });
});

describe('workloads: pods from a cluster dump', () => {
  const dumpPod = (name: string, ip: string, node: string, ready: boolean, owner = 'ReplicaSet', ownerName = 'web-5d4f8c6b7') => yaml`
    apiVersion: v1
    kind: Pod
    metadata:
      name: ${name}
      namespace: shop
      labels: {app: web, pod-template-hash: 5d4f8c6b7}
      ownerReferences:
      - {apiVersion: apps/v1, kind: ${owner}, name: ${ownerName}, controller: true, uid: u1}
    spec:
      nodeName: ${node}
      containers:
      - name: main
        image: nginx
        ports: [{containerPort: 80, name: http}]
    status:
      phase: Running
      podIP: ${ip}
      conditions:
      - {type: Ready, status: "${ready ? 'True' : 'False'}"}
  `;
  const replicaSet = yaml`
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata:
      name: web-5d4f8c6b7
      namespace: shop
      ownerReferences:
      - {apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: u0}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web, pod-template-hash: 5d4f8c6b7}}
      template:
        metadata: {labels: {app: web, pod-template-hash: 5d4f8c6b7}}
        spec: {containers: [{name: main, image: nginx}]}
  `;
  const pods = [
    dumpPod('web-5d4f8c6b7-abcde', '10.244.1.5', 'node-1', true),
    dumpPod('web-5d4f8c6b7-fghij', '10.244.2.6', 'node-2', false),
  ];

  it('keep their names, nodes and status.podIP, grouped under the ReplicaSet they name', () => {
    const a = analyze({ 'dump.yaml': docs(...pods) });
    assert.deepEqual(
      podsOf(a, 'shop/web-5d4f8c6b7').map((p) => `${p.name} ${p.ip} ${p.node} ${p.ready} ${p.workload.kind}/${p.workload.name}`),
      [
        'web-5d4f8c6b7-abcde 10.244.1.5 node-1 true ReplicaSet/web-5d4f8c6b7',
        'web-5d4f8c6b7-fghij 10.244.2.6 node-2 false ReplicaSet/web-5d4f8c6b7',
      ],
    );
  });

  it('the Deployment and ReplicaSet of dumped pods add no pods of their own', () => {
    const a = analyze({ 'dump.yaml': docs(workload({ name: 'web', namespace: 'shop', replicas: 2 }), replicaSet, ...pods) });
    assert.deepEqual(
      a.cluster.pods
        .filter((p) => p.namespace === 'shop')
        .map((p) => p.name)
        .sort(),
      ['web-5d4f8c6b7-abcde', 'web-5d4f8c6b7-fghij'],
    );
  });

  it('nor does the Deployment when the dump leaves out the ReplicaSet (kubectl get deploy,pods)', () => {
    const a = analyze({ 'dump.yaml': docs(workload({ name: 'web', namespace: 'shop', replicas: 2 }), ...pods) });
    assert.deepEqual(
      a.cluster.pods
        .filter((p) => p.namespace === 'shop')
        .map((p) => p.name)
        .sort(),
      ['web-5d4f8c6b7-abcde', 'web-5d4f8c6b7-fghij'],
    );
  });

  // netpol-analyzer's grouping of snapshot pods (pkg/netpol/eval/internal/k8s/pod.go, addPodOwner and WorkloadPeer.Name).
  const ownedPod = (name: string, ref: string, node = 'node-1') => yaml`
    apiVersion: v1
    kind: Pod
    metadata:
      name: ${name}
      namespace: kube-system
      labels: {component: etcd}
      ownerReferences:
      - ${ref}
    spec:
      nodeName: ${node}
      containers: [{name: main, image: etcd}]
  `;

  it('a static (mirror) pod, whose owner is its Node, is a workload of its own, not grouped under the Node', () => {
    const a = analyze({
      'dump.yaml': docs(
        ownedPod('etcd-node-1', '{apiVersion: v1, kind: Node, name: node-1, controller: true, uid: n1}'),
        ownedPod('etcd-node-2', '{apiVersion: v1, kind: Node, name: node-2, controller: true, uid: n2}', 'node-2'),
      ),
    });
    const etcd = a.cluster.pods.filter((p) => p.name.startsWith('etcd-'));
    assert.deepEqual(
      etcd.map((p) => `${p.name} ${p.workload.kind}/${p.workload.name}`),
      ['etcd-node-1 Pod/etcd-node-1', 'etcd-node-2 Pod/etcd-node-2'],
    );
  });

  it('pods whose ownerReference names no kind are still one workload, named after the owner', () => {
    const a = analyze({
      'dump.yaml': docs(
        ownedPod('etcd-a', '{name: etcd-set, controller: true, uid: o1}'),
        ownedPod('etcd-b', '{name: etcd-set, controller: true, uid: o1}', 'node-2'),
      ),
    });
    const etcd = a.cluster.pods.filter((p) => p.name.startsWith('etcd-'));
    assert.deepEqual(
      etcd.map((p) => `${p.name} ${p.workload.kind}/${p.workload.name}`),
      ['etcd-a Pod/etcd-set', 'etcd-b Pod/etcd-set'],
    );
  });

  // ObjectMeta.ownerReferences (k8s.io/apimachinery OwnerReference): `controller: true` marks the
  // managing controller; netpol-analyzer's addPodOwner takes the first such reference and nothing else.
  it('only an ownerReference with controller: true names the workload: the first of them, after any plain owner', () => {
    const a = analyze({
      'dump.yaml': docs(
        ownedPod('etcd-a', '{apiVersion: apps/v1, kind: ReplicaSet, name: plain-owner, uid: o1}'),
        ownedPod('etcd-b', '{apiVersion: apps/v1, kind: ReplicaSet, name: not-managing, controller: false, uid: o2}'),
        ownedPod(
          'etcd-c',
          '{apiVersion: v1, kind: ConfigMap, name: gc-only, uid: o3}\n      - {apiVersion: apps/v1, kind: StatefulSet, name: etcd, controller: true, uid: o4}',
        ),
      ),
    });
    const etcd = a.cluster.pods.filter((p) => p.name.startsWith('etcd-'));
    assert.deepEqual(
      etcd.map((p) => `${p.name} ${p.workload.kind}/${p.workload.name}`),
      ['etcd-a Pod/etcd-a', 'etcd-b Pod/etcd-b', 'etcd-c StatefulSet/etcd'],
    );
  });

  it('policy-splits-workload: a policy selecting only some pods of one owner says which, at the selector', () => {
    const relabelled = dumpPod('web-5d4f8c6b7-fghij', '10.244.2.6', 'node-2', true).replace(
      'labels: {app: web, pod-template-hash: 5d4f8c6b7}',
      'labels: {app: web, pod-template-hash: 5d4f8c6b7, canary: "true"}',
    );
    const policy = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: canary, namespace: shop}
      spec:
        podSelector: {matchLabels: {canary: "true"}}
        policyTypes: [Ingress]
    `;
    const a = analyze({ 'dump.yaml': docs(pods[0] as string, relabelled), 'np.yaml': policy });
    const d = expectDiagnostic(a, 'policy-splits-workload', 'np.yaml', lineOf(policy, 'podSelector'), columnOf(policy, 'podSelector'));
    assert.match(
      d.message,
      /podSelector \(canary=true\) of NetworkPolicy shop\/canary matches web-5d4f8c6b7-fghij but not web-5d4f8c6b7-abcde, though all are pods of ReplicaSet shop\/web-5d4f8c6b7/,
    );
    // Pods with the same labels are never split.
    expectNoDiagnostic(analyze({ 'dump.yaml': docs(...pods), 'np.yaml': policy }), 'policy-splits-workload');
  });

  it('a StatefulSet pod names the StatefulSet; a not-ready pod is not an endpoint', () => {
    const a = analyze({
      'dump.yaml': docs(
        dumpPod('web-0', '10.244.3.9', 'node-3', true, 'StatefulSet', 'web'),
        dumpPod('web-1', '10.244.1.9', 'node-1', false, 'StatefulSet', 'web'),
        svc({ name: 'web', namespace: 'shop', ports: [{ port: 80 }] }),
      ),
    });
    assert.deepEqual(
      podsOf(a, 'shop/web').map((p) => `${p.name} ${p.workload.kind}`),
      ['web-0 StatefulSet', 'web-1 StatefulSet'],
    );
    assert.deepEqual(
      service(a, 'shop/web').endpointsByPort[0]?.map((e) => e.ip),
      ['10.244.3.9'],
    );
  });

  it('live pod IPs are reserved: simulated pods never get them', () => {
    const live = Array.from({ length: 40 }, (_, i) => dumpPod(`live-${i}`, `10.244.1.${i + 2}`, 'node-1', true, 'ReplicaSet', 'live-rs'));
    const a = analyze({ 'dump.yaml': docs(...live), 'new.yaml': workload({ name: 'fresh', replicas: 30, podSpec: 'nodeName: node-1' }) });
    const ips = a.cluster.pods.map((p) => p.ip).filter((x) => x !== undefined);
    assert.equal(new Set(ips).size, ips.length);
  });
});

describe('workloads: problems', () => {
  it('selector-mismatch at spec.selector when the template does not carry the selector labels', () => {
    const text = workload({ name: 'web' }).replace('        app: web', '        app: webb');
    const a = analyze({ 'web.yaml': text });
    const d = expectDiagnostic(a, 'selector-mismatch', 'web.yaml', lineOf(text, '  selector:'), 3);
    assert.match(d.message, /app=web/);
    assert.match(d.message, /app=webb/);
  });

  it('a Deployment without a selector is manifest-invalid', () => {
    const text = workload({ name: 'web' }).replace(/ {2}selector:\n {4}matchLabels:\n {6}app: web\n/, '');
    const a = analyze({ 'web.yaml': text });
    expectDiagnostic(a, 'manifest-invalid', 'web.yaml', lineOf(text, 'spec:'), 1);
  });

  it('matchExpressions count for selector-mismatch', () => {
    const text = workload({ name: 'web' }).replace(
      '    matchLabels:\n      app: web',
      '    matchExpressions:\n    - {key: app, operator: In, values: [api]}',
    );
    assert.deepEqual(where(analyze({ 'web.yaml': text }), 'selector-mismatch'), [`web.yaml:${lineOf(text, '  selector:')}:3`]);
  });

  it("pod-port-conflict at the second container's port", () => {
    const text = yaml`
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        containers:
        - name: a
          image: x
          ports: [{containerPort: 8080}]
        - name: b
          image: y
          ports:
          - containerPort: 8080
          - containerPort: 8080
            protocol: UDP
    `;
    const a = analyze({ 'p.yaml': text });
    const d = expectDiagnostic(a, 'pod-port-conflict', 'p.yaml', 12, 22);
    assert.match(d.message, /a and b/);
    assert.equal(where(a, 'pod-port-conflict').length, 1, 'UDP on the same number is no conflict');
  });

  const wrongTypes: Array<[string, string, string, number | undefined, RegExp]> = [
    ['replicas: "three"', 'replicas: 2', 'replicas: "three"', 1, /replicas.*integer.*"three"/],
    ['replicas: -1', 'replicas: 2', 'replicas: -1', 1, /between 0/],
    ['ports: 80', '        ports:\n        - containerPort: 80', '        ports: 80', 2, /ports.*list/],
    ['containerPort: "http"', 'containerPort: 80', 'containerPort: "http"', 2, /containerPort.*integer/],
    ['labels as a list', '      labels:\n        app: web', '      labels: [app=web]', 2, /labels.*mapping/],
    ['protocol: tcp', '        - containerPort: 80', '        - containerPort: 80\n          protocol: tcp', 2, /TCP, UDP or SCTP/],
  ];
  for (const [what, from, to, pods, message] of wrongTypes) {
    it(`${what} is manifest-invalid at the field, and the rest of the object is still simulated`, () => {
      const base = workload({ name: 'web', replicas: 2, ports: [{ containerPort: 80 }] });
      assert.ok(base.includes(from), `fixture contains ${from}`);
      const text = base.replace(from, to);
      const a = analyze({ 'web.yaml': text });
      const field = to.trim().split(':')[0]?.replace(/^- /, '') ?? '';
      const d = a.diagnostics.find((x) => x.code === 'manifest-invalid');
      assert.ok(d, `no manifest-invalid for ${what}`);
      assert.match(d.message, message);
      assert.equal(d.range.line, lineOf(text, to.split('\n').at(-1)?.trim() ?? ''), `${what}: line of ${field}`);
      if (pods !== undefined) assert.ok(podsOf(a, 'default/web').length >= 1);
    });
  }

  it('a workload without containers is reported at its pod spec', () => {
    const text = yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            nodeName: node-1
    `;
    expectDiagnostic(analyze({ 'web.yaml': text }), 'manifest-invalid', 'web.yaml', 8, 5);
  });

  it('an env value that is a number is manifest-invalid (quote it)', () => {
    const text = workload({ name: 'web', env: { PORT: 'x' } }).replace('value: "x"', 'value: 8080');
    const d = expectDiagnostic(
      analyze({ 'web.yaml': text }),
      'manifest-invalid',
      'web.yaml',
      lineOf(text, 'value: 8080'),
      columnOf(text, '8080'),
    );
    assert.match(d.message, /quote/);
  });

  it('duplicate-resource at the metadata.name of the one that loses (applied first), naming the winner', () => {
    const a = analyze({ 'a.yaml': workload({ name: 'web' }), 'b.yaml': workload({ name: 'web' }) });
    const d = expectDiagnostic(a, 'duplicate-resource', 'a.yaml', 4, 9);
    assert.match(d.message, /b\.yaml:4/);
    assert.equal(d.related?.[0]?.location.file, 'b.yaml');
    expectNoDiagnostic(
      analyze({ 'a.yaml': workload({ name: 'web' }), 'b.yaml': workload({ name: 'web', namespace: 'other' }) }),
      'duplicate-resource',
    );
    expectNoDiagnostic(analyze({ 'a.yaml': workload({ name: 'web' }), 'b.yaml': svc({ name: 'web' }) }), 'duplicate-resource');
  });
});
