// Pods an operator creates (issue 16 item 1), each from its operator's documented labelling: the
// prometheus-operator's Prometheus, Alertmanager and ThanosRuler (as kube-prometheus declares them),
// CloudNativePG's Cluster and RabbitMQ's RabbitmqCluster; and, for a custom resource of a kind not
// modelled, a Service that selects nothing says an operator may create the pods.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, answers, docs, endpoints, expectDiagnostic, lineOf, podsOf, resolve, svc, where, workload, yaml } from '../helpers';
import { findSource, tracePacket } from '../../src/engine';
import { from } from '../traceFixtures';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { hoverAt } from '../../src/extension/analysis/hoverText';

// kube-prometheus' prometheus-prometheus.yaml and prometheus-service.yaml, trimmed.
const PROMETHEUS = yaml`
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: k8s
  namespace: monitoring
spec:
  replicas: 2
  version: 2.41.0
  podMetadata:
    labels:
      app.kubernetes.io/component: prometheus
      app.kubernetes.io/instance: k8s
      app.kubernetes.io/name: prometheus
      app.kubernetes.io/part-of: kube-prometheus
---
apiVersion: v1
kind: Service
metadata:
  name: prometheus-k8s
  namespace: monitoring
spec:
  ports:
  - name: web
    port: 9090
    targetPort: web
  selector:
    app.kubernetes.io/component: prometheus
    app.kubernetes.io/instance: k8s
    app.kubernetes.io/name: prometheus
    app.kubernetes.io/part-of: kube-prometheus
---
apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata:
  name: main
  namespace: monitoring
spec:
  replicas: 3
  podMetadata:
    labels:
      app.kubernetes.io/component: alert-router
      app.kubernetes.io/part-of: kube-prometheus
---
apiVersion: v1
kind: Service
metadata:
  name: alertmanager-main
  namespace: monitoring
spec:
  ports:
  - name: web
    port: 9093
    targetPort: web
  selector:
    alertmanager: main
    app.kubernetes.io/component: alert-router
    app.kubernetes.io/name: alertmanager
    app.kubernetes.io/part-of: kube-prometheus
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: prometheus-k8s
  namespace: monitoring
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/component: prometheus
      app.kubernetes.io/name: prometheus
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels: {app: grafana}
    ports:
    - {port: 9090, protocol: TCP}
`;
const GRAFANA = workload({ name: 'grafana', namespace: 'monitoring', ports: [{ name: 'http', containerPort: 3000 }] });

describe('operators: prometheus-operator', () => {
  const a = analyze({ 'prom.yaml': PROMETHEUS, 'grafana.yaml': GRAFANA });

  it('Prometheus replicas 2 runs prometheus-k8s-0 and -1 with the labels the operator sets', () => {
    const pods = podsOf(a, 'monitoring/k8s');
    assert.deepEqual(pods.map((p) => p.name).sort(), ['prometheus-k8s-0', 'prometheus-k8s-1']);
    const p0 = pods.find((p) => p.name === 'prometheus-k8s-0');
    assert.equal(p0?.workload.kind, 'Prometheus');
    for (const [k, v] of Object.entries({
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/managed-by': 'prometheus-operator',
      'app.kubernetes.io/instance': 'k8s',
      'app.kubernetes.io/part-of': 'kube-prometheus',
      'app.kubernetes.io/version': '2.41.0',
      prometheus: 'k8s',
      'operator.prometheus.io/name': 'k8s',
      'operator.prometheus.io/shard': '0',
      'statefulset.kubernetes.io/pod-name': 'prometheus-k8s-0',
    }))
      assert.equal(p0?.labels[k], v, k);
    assert.equal(p0?.subdomain, 'prometheus-operated');
  });

  it('Alertmanager replicas 3 runs alertmanager-main-0..2 behind alertmanager-main, with no warning', () => {
    assert.equal(podsOf(a, 'monitoring/main').length, 3);
    assert.equal(new Set(endpoints(a, 'monitoring/alertmanager-main')).size, 3);
    assert.deepEqual(where(a, 'service-no-endpoints'), []);
    assert.deepEqual(where(a, 'policy-selects-nothing'), []);
    assert.deepEqual(where(a, 'missing-readiness-probe'), []);
  });

  it('grafana reaches prometheus-k8s:9090 (delivered, to a Prometheus pod on port web)', () => {
    const t = tracePacket(a, from(a, 'monitoring/grafana'), 'prometheus-k8s:9090');
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.equal(t.destination?.kind === 'pod' ? t.destination.port : undefined, 9090);
  });

  it('a trace starts from NAMESPACE/KIND/NAME of the custom resource (kind in any case)', () => {
    const src = findSource(a.cluster, 'monitoring/prometheus/k8s');
    assert.ok(src.ok && src.source.kind === 'pod' && src.source.pod.workload.kind === 'Prometheus', JSON.stringify(src));
  });

  it('the governing Services the operator creates answer in DNS, per pod too', () => {
    assert.equal(answers(resolve(a, 'alertmanager-operated', 'monitoring/grafana')).length, 3);
    const p0 = podsOf(a, 'monitoring/k8s').find((p) => p.name === 'prometheus-k8s-0');
    assert.deepEqual(
      answers(resolve(a, 'prometheus-k8s-0.prometheus-operated', 'monitoring/grafana')).map((x) => x.split(' ').pop()),
      [p0?.ip],
    );
  });

  it('the editor shows the operator pods on the custom resource, and no port hovers inside it', () => {
    const index = new SymbolIndex(a);
    const onName = hoverAt(a, index, 'prom.yaml', { line: lineOf(PROMETHEUS, 'name: k8s') - 1, character: 9 });
    assert.ok(onName?.lines.includes('**2 pods**'), JSON.stringify(onName?.lines));
    assert.ok(onName?.lines.some((l) => l.includes('prometheus-k8s-0')));
    assert.deepEqual(
      index.inFile('prom.yaml').filter((s) => s.kind === 'containerPort'),
      [],
    );
  });

  it('a Service that still selects app: alertmanager (gone from the pods since v0.52.0) says so', () => {
    const old = docs(
      yaml`
apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main, namespace: monitoring}
spec: {replicas: 1}
`,
      svc({
        name: 'alertmanager-main',
        namespace: 'monitoring',
        selector: { alertmanager: 'main', app: 'alertmanager', 'app.kubernetes.io/name': 'alertmanager' },
        ports: [{ port: 9093, targetPort: 'web' }],
      }),
    );
    const b = analyze({ 'am.yaml': old });
    const [d] = b.diagnostics.filter((x) => x.code === 'service-no-endpoints');
    assert.match(d?.message ?? '', /match all of it but app=alertmanager, a label prometheus-operator set on them until v0\.52\.0/);
    assert.match(d?.message ?? '', /Select app\.kubernetes\.io\/name=alertmanager instead\.$/);
  });

  it('shards make one StatefulSet each; a ThanosRuler runs thanos-ruler-NAME-N', () => {
    const b = analyze({
      'p.yaml': docs(
        yaml`
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: big}
spec: {replicas: 1, shards: 2}
`,
        yaml`
apiVersion: monitoring.coreos.com/v1
kind: ThanosRuler
metadata: {name: tr}
spec: {replicas: 2}
`,
      ),
    });
    assert.deepEqual(
      podsOf(b, 'default/big')
        .map((p) => `${p.name} ${p.labels['operator.prometheus.io/shard']}`)
        .sort(),
      ['prometheus-big-0 0', 'prometheus-big-shard-1-0 1'],
    );
    const tr = podsOf(b, 'default/tr');
    assert.deepEqual(tr.map((p) => p.name).sort(), ['thanos-ruler-tr-0', 'thanos-ruler-tr-1']);
    assert.equal(tr[0]?.labels['thanos-ruler'], 'tr');
  });
});

describe('operators: CloudNativePG and RabbitMQ', () => {
  const a = analyze({
    'db.yaml': yaml`
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg, namespace: shop}
spec:
  instances: 3
  storage: {size: 1Gi}
---
apiVersion: rabbitmq.com/v1beta1
kind: RabbitmqCluster
metadata: {name: mq, namespace: shop}
spec:
  replicas: 3
`,
    'app.yaml': workload({ name: 'app', namespace: 'shop' }),
  });

  it('a Cluster of 3 instances runs pg-1 (primary), pg-2 and pg-3; pg-rw, pg-ro and pg-r select by role', () => {
    const pods = podsOf(a, 'shop/pg');
    assert.deepEqual(pods.map((p) => `${p.name} ${p.labels['cnpg.io/instanceRole']}`).sort(), [
      'pg-1 primary',
      'pg-2 replica',
      'pg-3 replica',
    ]);
    const pg1 = pods.find((p) => p.name === 'pg-1');
    assert.deepEqual(
      endpoints(a, 'shop/pg-rw').map((e) => e.split(':')[0]),
      [pg1?.ip],
    );
    assert.equal(endpoints(a, 'shop/pg-ro').length, 2);
    assert.equal(endpoints(a, 'shop/pg-r').length, 3);
    const t = tracePacket(a, from(a, 'shop/app'), 'pg-rw:5432');
    assert.equal(t.verdict, 'delivered', t.reason);
  });

  it('a RabbitmqCluster runs mq-server-0..2 behind mq (amqp 5672) and the headless mq-nodes', () => {
    assert.deepEqual(
      podsOf(a, 'shop/mq')
        .map((p) => p.name)
        .sort(),
      ['mq-server-0', 'mq-server-1', 'mq-server-2'],
    );
    assert.equal(tracePacket(a, from(a, 'shop/app'), 'mq:5672').verdict, 'delivered');
    assert.equal(answers(resolve(a, 'mq-server-1.mq-nodes', 'shop/app')).length, 1);
  });
});

describe('operators: ECK Elasticsearch and Kibana', () => {
  // ECK's quickstart, with a second nodeSet.
  const a = analyze({
    'es.yaml': yaml`
apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata: {name: quickstart, namespace: elastic}
spec:
  version: 8.13.0
  nodeSets:
  - name: default
    count: 2
  - name: data
    count: 1
    podTemplate:
      metadata:
        labels: {tier: data}
---
apiVersion: kibana.k8s.elastic.co/v1
kind: Kibana
metadata: {name: quickstart, namespace: elastic}
spec:
  version: 8.13.0
  count: 1
  elasticsearchRef: {name: quickstart}
`,
    'app.yaml': workload({ name: 'app', namespace: 'elastic' }),
  });

  it('each nodeSet runs NAME-es-NODESET-N with the labels ECK sets; NAME-es-http reaches them all on 9200', () => {
    const pods = podsOf(a, 'elastic/quickstart').filter((p) => p.workload.kind === 'Elasticsearch');
    assert.deepEqual(pods.map((p) => p.name).sort(), ['quickstart-es-data-0', 'quickstart-es-default-0', 'quickstart-es-default-1']);
    const data = pods.find((p) => p.name === 'quickstart-es-data-0');
    assert.equal(data?.labels['elasticsearch.k8s.elastic.co/statefulset-name'], 'quickstart-es-data');
    assert.equal(data?.labels['tier'], 'data');
    assert.equal(endpoints(a, 'elastic/quickstart-es-http').length, 3);
    const t = tracePacket(a, from(a, 'elastic/app'), 'https://quickstart-es-http:9200');
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.equal(answers(resolve(a, 'quickstart-es-default-1.quickstart-es-default', 'elastic/app')).length, 1);
  });

  it('Kibana runs NAME-kb-… behind NAME-kb-http:5601', () => {
    const kb = podsOf(a, 'elastic/quickstart').filter((p) => p.workload.kind === 'Kibana');
    assert.equal(kb.length, 1);
    assert.match(kb[0]?.name ?? '', /^quickstart-kb-[b-z2-9]{10}-[b-z2-9]{5}$/);
    assert.equal(tracePacket(a, from(a, 'elastic/app'), 'quickstart-kb-http:5601').verdict, 'delivered');
  });
});

describe('operators: a custom resource of a kind not modelled', () => {
  it('beside a Service that selects nothing, the warning says its operator may create the pods', () => {
    const text = docs(
      yaml`
apiVersion: example.com/v1
kind: WidgetCluster
metadata: {name: widgets}
spec: {size: 3}
`,
      svc({ name: 'widgets', selector: { app: 'widgets' }, ports: [{ port: 80 }] }),
    );
    const a = analyze({ 'w.yaml': text });
    const d = expectDiagnostic(a, 'service-no-endpoints', 'w.yaml', lineOf(text, 'selector:'), 3);
    assert.match(
      d.message,
      /Custom resource WidgetCluster default\/widgets \(example\.com\/v1\) sits beside it, whose operator may create/,
    );
    assert.doesNotMatch(d.message, /^.*Connections to it will be refused\.$/);
    assert.equal(d.related?.[0]?.location.line, lineOf(text, 'kind: WidgetCluster'));
  });

  it('without one, the Service is still said to refuse connections', () => {
    const a = analyze({ 'w.yaml': svc({ name: 'widgets', selector: { app: 'widgets' }, ports: [{ port: 80 }] }) });
    const [d] = a.diagnostics.filter((x) => x.code === 'service-no-endpoints');
    assert.match(d?.message ?? '', /Connections to it will be refused\.$/);
  });
});
