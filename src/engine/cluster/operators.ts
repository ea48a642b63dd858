// Pods that an operator creates from a custom resource. The resource has no pod template: its
// operator builds a StatefulSet (or its own pods) with labels, names and ports of its choosing, and
// Services select them by those labels. Each operator here is modelled from its own source and docs:
// - prometheus-operator (monitoring.coreos.com/v1 Prometheus, Alertmanager, ThanosRuler):
//   pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go,
//   pkg/thanos/statefulset.go: StatefulSets `prometheus-NAME` (and `-shard-N`), `alertmanager-NAME`,
//   `thanos-ruler-NAME`; pod labels spec.podMetadata.labels, then app.kubernetes.io/name,
//   managed-by prometheus-operator, instance NAME, `prometheus|alertmanager|thanos-ruler: NAME`
//   (Prometheus also operator.prometheus.io/name and /shard); governing headless Services
//   `prometheus-operated`, `alertmanager-operated`, `thanos-ruler-operated` unless spec.serviceName.
// - CloudNativePG (postgresql.cnpg.io/v1 Cluster): docs "Labels and annotations" and "Service
//   management": pods NAME-1..NAME-N (the first one primary at bootstrap) labelled cnpg.io/cluster,
//   cnpg.io/instanceName, cnpg.io/podRole=instance, cnpg.io/instanceRole and role (primary|replica);
//   Services NAME-rw (primary), NAME-ro (replicas), NAME-r (any instance), port 5432.
// - RabbitMQ cluster operator (rabbitmq.com/v1beta1 RabbitmqCluster): StatefulSet NAME-server,
//   pods labelled app.kubernetes.io/name=NAME, component rabbitmq, part-of rabbitmq; Services NAME
//   (amqp 5672, management 15672, prometheus 15692) and headless NAME-nodes (epmd 4369, cluster-rpc 25672).
// - ECK (elasticsearch.k8s.elastic.co/v1 Elasticsearch, kibana.k8s.elastic.co/v1 Kibana):
//   pkg/controller/elasticsearch/services and label: StatefulSets NAME-es-NODESET (pods labelled
//   common.k8s.elastic.co/type=elasticsearch, elasticsearch.k8s.elastic.co/cluster-name and
//   statefulset-name), Services NAME-es-http (9200, port named https, or http when the self-signed
//   certificate is disabled), headless NAME-es-transport (9300) and NAME-es-NODESET; Kibana's
//   Deployment NAME-kb (common.k8s.elastic.co/type=kibana, kibana.k8s.elastic.co/name) behind NAME-kb-http:5601.
import { FieldReader, isRecord } from '../manifests/fields';
import type { ManifestObject } from '../manifests/types';
import type { Diagnostic } from '../diagnostics';
import type { ContainerPort, Protocol, SimContainer, SimService } from './model';
import type { Labels } from './labels';
import { nameSuffix } from '../hash';

/** One group of identical pods an operator runs for a custom resource (one StatefulSet's worth). */
export interface OperatorPodSet {
  /** The pod names, in ordinal order. */
  names: string[];
  /** Labels per pod (StatefulSet ones carry the pod's own name and index). */
  labels: (name: string, index: number) => Labels;
  containers: SimContainer[];
  /** The governing Service (pods get hostname and subdomain as a StatefulSet's do). */
  subdomain?: string;
  nodeSelector: Labels;
}

/** What an operator makes of one custom resource. */
export interface OperatorPlan {
  operator: string;
  sets: OperatorPodSet[];
}

/** `group/Kind` of every custom resource whose pods are modelled, with the operator that creates them. */
export const OPERATOR_KINDS: ReadonlyMap<string, string> = new Map([
  ['monitoring.coreos.com/Prometheus', 'prometheus-operator'],
  ['monitoring.coreos.com/Alertmanager', 'prometheus-operator'],
  ['monitoring.coreos.com/ThanosRuler', 'prometheus-operator'],
  ['postgresql.cnpg.io/Cluster', 'CloudNativePG'],
  ['rabbitmq.com/RabbitmqCluster', 'the RabbitMQ cluster operator'],
  ['elasticsearch.k8s.elastic.co/Elasticsearch', 'ECK'],
  ['kibana.k8s.elastic.co/Kibana', 'ECK'],
]);

/** ECK serves HTTPS with a self-signed certificate unless spec.http.tls.selfSignedCertificate.disabled. */
function eckProtocol(spec: Record<string, unknown>): 'http' | 'https' {
  const http = isRecord(spec['http']) ? spec['http'] : {};
  const tls = isRecord(http['tls']) ? http['tls'] : {};
  const selfSigned = isRecord(tls['selfSignedCertificate']) ? tls['selfSignedCertificate'] : {};
  return selfSigned['disabled'] === true ? 'http' : 'https';
}

/** The nodeSets of an Elasticsearch: name, count (1 when left out) and the pod template's labels. */
function nodeSets(r: FieldReader): Array<{ name: string; count: number; labels: Labels; index: number }> {
  const out: Array<{ name: string; count: number; labels: Labels; index: number }> = [];
  (r.list(['spec', 'nodeSets']) ?? []).forEach((_, i) => {
    const name = r.str(['spec', 'nodeSets', i, 'name']);
    if (name === undefined) return;
    const count = r.int(['spec', 'nodeSets', i, 'count'], 0, 100000) ?? 1;
    out.push({ name, count, labels: r.labels(['spec', 'nodeSets', i, 'podTemplate', 'metadata', 'labels']), index: i });
  });
  return out;
}

/** The labels the StatefulSet controller adds to each pod (as workloads.ts sets them). */
const ssetLabels = (name: string, i: number): Labels => ({
  'statefulset.kubernetes.io/pod-name': name,
  'apps.kubernetes.io/pod-index': String(i),
});

const port = (name: string, containerPort: number, protocol: Protocol = 'TCP'): ContainerPort => ({
  name,
  containerPort,
  protocol,
  path: [],
});

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The operator that creates pods for this object, if it is a modelled kind. */
export function operatorOf(o: Pick<ManifestObject, 'apiVersion' | 'kind'>): string | undefined {
  return OPERATOR_KINDS.get(`${groupOf(o.apiVersion)}/${o.kind}`);
}

const ordinals = (prefix: string, count: number, first = 0) => Array.from({ length: count }, (_, i) => `${prefix}-${i + first}`);

/** Reads the pods an operator would create for a modelled custom resource (undefined for any other object). */
export function operatorPlan(o: ManifestObject, diagnostics: Diagnostic[]): OperatorPlan | undefined {
  const operator = operatorOf(o);
  if (operator === undefined) return undefined;
  const r = new FieldReader(o, diagnostics);
  const replicas = (path: string[], dflt = 1) => r.int(path, 0, 100000) ?? dflt;
  const podMetadata = r.labels(['spec', 'podMetadata', 'labels']);
  const version = r.str(['spec', 'version']);
  const versionLabel: Labels = version !== undefined ? { 'app.kubernetes.io/version': version.replace(/^v/, '') } : {};
  const nodeSelector = r.labels(['spec', 'nodeSelector']);
  const reloader: SimContainer = { name: 'config-reloader', ports: [port('reloader-web', 8080)], texts: [] };
  const listenLocal = r.bool(['spec', 'listenLocal']) ?? false;
  const portName = r.str(['spec', 'portName']) ?? 'web';
  const serviceName = r.str(['spec', 'serviceName']);
  const managed = (app: string): Labels => ({
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/managed-by': 'prometheus-operator',
    'app.kubernetes.io/instance': o.name,
  });
  switch (o.kind) {
    case 'Prometheus': {
      const shards = Math.max(1, replicas(['spec', 'shards']));
      const containers: SimContainer[] = [{ name: 'prometheus', ports: listenLocal ? [] : [port(portName, 9090)], texts: [] }, reloader];
      if (r.map(['spec', 'thanos']))
        containers.push({ name: 'thanos-sidecar', ports: [port('grpc', 10901), port('http', 10902)], texts: [] });
      const count = replicas(['spec', 'replicas']);
      const sets = Array.from({ length: shards }, (_, shard): OperatorPodSet => {
        const sts = shard === 0 ? `prometheus-${o.name}` : `prometheus-${o.name}-shard-${shard}`;
        const selector: Labels = {
          ...managed('prometheus'),
          prometheus: o.name,
          'operator.prometheus.io/shard': String(shard),
          'operator.prometheus.io/name': o.name,
        };
        return {
          names: ordinals(sts, count),
          labels: (name, i) => ({ ...versionLabel, ...podMetadata, ...selector, ...ssetLabels(name, i) }),
          containers,
          subdomain: serviceName ?? 'prometheus-operated',
          nodeSelector,
        };
      });
      return { operator, sets };
    }
    case 'Alertmanager': {
      const web = listenLocal ? [] : [port(portName, 9093)];
      const containers: SimContainer[] = [
        { name: 'alertmanager', ports: [...web, port('mesh-tcp', 9094), port('mesh-udp', 9094, 'UDP')], texts: [] },
        reloader,
      ];
      const selector: Labels = { ...managed('alertmanager'), alertmanager: o.name };
      return {
        operator,
        sets: [
          {
            names: ordinals(`alertmanager-${o.name}`, replicas(['spec', 'replicas'])),
            labels: (name, i) => ({ ...podMetadata, ...versionLabel, ...selector, ...ssetLabels(name, i) }),
            containers,
            subdomain: serviceName ?? 'alertmanager-operated',
            nodeSelector,
          },
        ],
      };
    }
    case 'ThanosRuler': {
      const containers: SimContainer[] = [
        { name: 'thanos-ruler', ports: [port('grpc', 10901), ...(listenLocal ? [] : [port(portName, 10902)])], texts: [] },
        reloader,
      ];
      const selector: Labels = { ...managed('thanos-ruler'), 'thanos-ruler': o.name };
      return {
        operator,
        sets: [
          {
            names: ordinals(`thanos-ruler-${o.name}`, replicas(['spec', 'replicas'])),
            labels: (name, i) => ({ ...podMetadata, ...selector, ...ssetLabels(name, i) }),
            containers,
            subdomain: serviceName ?? 'thanos-ruler-operated',
            nodeSelector,
          },
        ],
      };
    }
    case 'Cluster': {
      // Labels of the Cluster named in spec.inheritedMetadata reach the pods too.
      const inherited = r.labels(['spec', 'inheritedMetadata', 'labels']);
      const primary = `${o.name}-1`;
      return {
        operator,
        sets: [
          {
            names: ordinals(o.name, replicas(['spec', 'instances']), 1),
            labels: (name) => {
              const role = name === primary ? 'primary' : 'replica';
              return {
                ...inherited,
                'cnpg.io/cluster': o.name,
                'cnpg.io/instanceName': name,
                'cnpg.io/podRole': 'instance',
                'cnpg.io/instanceRole': role,
                role,
              };
            },
            containers: [{ name: 'postgres', ports: [port('postgresql', 5432), port('metrics', 9187), port('status', 8000)], texts: [] }],
            nodeSelector: r.labels(['spec', 'affinity', 'nodeSelector']),
          },
        ],
      };
    }
    case 'RabbitmqCluster': {
      const labels: Labels = {
        'app.kubernetes.io/name': o.name,
        'app.kubernetes.io/component': 'rabbitmq',
        'app.kubernetes.io/part-of': 'rabbitmq',
      };
      return {
        operator,
        sets: [
          {
            names: ordinals(`${o.name}-server`, replicas(['spec', 'replicas'])),
            labels: (name, i) => ({ ...labels, ...ssetLabels(name, i) }),
            containers: [
              {
                name: 'rabbitmq',
                ports: [port('epmd', 4369), port('amqp', 5672), port('management', 15672), port('prometheus', 15692)],
                texts: [],
              },
            ],
            subdomain: `${o.name}-nodes`,
            nodeSelector: {},
          },
        ],
      };
    }
    case 'Elasticsearch': {
      const protocol = eckProtocol(isRecord(o.raw['spec']) ? o.raw['spec'] : {});
      const containers: SimContainer[] = [{ name: 'elasticsearch', ports: [port(protocol, 9200), port('transport', 9300)], texts: [] }];
      return {
        operator,
        sets: nodeSets(r).map((set): OperatorPodSet => {
          const sts = `${o.name}-es-${set.name}`;
          const own: Labels = {
            'common.k8s.elastic.co/type': 'elasticsearch',
            'elasticsearch.k8s.elastic.co/cluster-name': o.name,
            'elasticsearch.k8s.elastic.co/statefulset-name': sts,
          };
          return {
            names: ordinals(sts, set.count),
            labels: (name, i) => ({ ...set.labels, ...own, ...ssetLabels(name, i) }),
            containers,
            subdomain: sts,
            nodeSelector: r.labels(['spec', 'nodeSets', set.index, 'podTemplate', 'spec', 'nodeSelector']),
          };
        }),
      };
    }
    case 'Kibana': {
      const protocol = eckProtocol(isRecord(o.raw['spec']) ? o.raw['spec'] : {});
      const deployment = `${o.name}-kb`;
      const key = `${o.namespace ?? ''}/Kibana/${o.name}`;
      const hash = nameSuffix(`${key}/template`, 10);
      const own: Labels = { 'common.k8s.elastic.co/type': 'kibana', 'kibana.k8s.elastic.co/name': o.name };
      const podLabels = r.labels(['spec', 'podTemplate', 'metadata', 'labels']);
      return {
        operator,
        sets: [
          {
            names: Array.from({ length: replicas(['spec', 'count']) }, (_, i) => `${deployment}-${hash}-${nameSuffix(`${key}/${i}`, 5)}`),
            labels: () => ({ ...podLabels, ...own }),
            containers: [{ name: 'kibana', ports: [port(protocol, 5601)], texts: [] }],
            nodeSelector: r.labels(['spec', 'podTemplate', 'spec', 'nodeSelector']),
          },
        ],
      };
    }
  }
  return undefined;
}

interface ServicePlan {
  name: string;
  headless: boolean;
  selector: Labels;
  ports: Array<{ name: string; port: number; targetPort: number | string; protocol?: Protocol }>;
}

/** The Services each modelled operator creates, for the custom resources of the input. */
function plannedServices(o: ManifestObject): ServicePlan[] {
  const spec = isRecord(o.raw['spec']) ? o.raw['spec'] : {};
  const custom = typeof spec['serviceName'] === 'string';
  const portName = typeof spec['portName'] === 'string' ? spec['portName'] : 'web';
  switch (operatorOf(o) === undefined ? '' : o.kind) {
    case 'Prometheus':
      if (custom) return [];
      return [
        {
          name: 'prometheus-operated',
          headless: true,
          selector: { 'app.kubernetes.io/name': 'prometheus' },
          ports: [
            { name: portName, port: 9090, targetPort: portName },
            ...(isRecord(spec['thanos']) ? [{ name: 'grpc', port: 10901, targetPort: 'grpc' }] : []),
          ],
        },
      ];
    case 'Alertmanager':
      if (custom) return [];
      return [
        {
          name: 'alertmanager-operated',
          headless: true,
          selector: { 'app.kubernetes.io/name': 'alertmanager' },
          ports: [
            { name: portName, port: 9093, targetPort: portName },
            { name: 'tcp-mesh', port: 9094, targetPort: 9094 },
            { name: 'udp-mesh', port: 9094, targetPort: 9094, protocol: 'UDP' },
          ],
        },
      ];
    case 'ThanosRuler':
      if (custom) return [];
      return [
        {
          name: 'thanos-ruler-operated',
          headless: true,
          selector: { 'app.kubernetes.io/name': 'thanos-ruler' },
          ports: [
            { name: 'grpc', port: 10901, targetPort: 'grpc' },
            { name: portName, port: 10902, targetPort: portName },
          ],
        },
      ];
    case 'Cluster': {
      const pg = [{ name: 'postgres', port: 5432, targetPort: 5432 }];
      const disabled = new Set(
        isRecord(spec['managed']) &&
          isRecord(spec['managed']['services']) &&
          Array.isArray(spec['managed']['services']['disabledDefaultServices'])
          ? spec['managed']['services']['disabledDefaultServices']
          : [],
      );
      const cluster = { 'cnpg.io/cluster': o.name };
      return [
        { name: `${o.name}-rw`, headless: false, selector: { ...cluster, 'cnpg.io/instanceRole': 'primary' }, ports: pg },
        ...(disabled.has('ro')
          ? []
          : [{ name: `${o.name}-ro`, headless: false, selector: { ...cluster, 'cnpg.io/instanceRole': 'replica' }, ports: pg }]),
        ...(disabled.has('r')
          ? []
          : [{ name: `${o.name}-r`, headless: false, selector: { ...cluster, 'cnpg.io/podRole': 'instance' }, ports: pg }]),
      ];
    }
    case 'RabbitmqCluster': {
      const selector = { 'app.kubernetes.io/name': o.name };
      return [
        {
          name: o.name,
          headless: false,
          selector,
          ports: [
            { name: 'amqp', port: 5672, targetPort: 5672 },
            { name: 'management', port: 15672, targetPort: 15672 },
            { name: 'prometheus', port: 15692, targetPort: 15692 },
          ],
        },
        {
          name: `${o.name}-nodes`,
          headless: true,
          selector,
          ports: [
            { name: 'epmd', port: 4369, targetPort: 4369 },
            { name: 'cluster-rpc', port: 25672, targetPort: 25672 },
          ],
        },
      ];
    }
    case 'Elasticsearch': {
      const protocol = eckProtocol(spec);
      const selector = { 'common.k8s.elastic.co/type': 'elasticsearch', 'elasticsearch.k8s.elastic.co/cluster-name': o.name };
      const sets = Array.isArray(spec['nodeSets']) ? spec['nodeSets'].filter(isRecord) : [];
      return [
        { name: `${o.name}-es-http`, headless: false, selector, ports: [{ name: protocol, port: 9200, targetPort: 9200 }] },
        { name: `${o.name}-es-transport`, headless: true, selector, ports: [{ name: 'tls-transport', port: 9300, targetPort: 9300 }] },
        ...sets
          .map((set) => set['name'])
          .filter((n): n is string => typeof n === 'string')
          .map((n) => ({
            name: `${o.name}-es-${n}`,
            headless: true,
            selector: { ...selector, 'elasticsearch.k8s.elastic.co/statefulset-name': `${o.name}-es-${n}` },
            ports: [{ name: protocol, port: 9200, targetPort: 9200 }],
          })),
      ];
    }
    case 'Kibana':
      return [
        {
          name: `${o.name}-kb-http`,
          headless: false,
          selector: { 'common.k8s.elastic.co/type': 'kibana', 'kibana.k8s.elastic.co/name': o.name },
          ports: [{ name: eckProtocol(spec), port: 5601, targetPort: 5601 }],
        },
      ];
  }
  return [];
}

/**
 * The Services the operators create for the input's custom resources, as implicit objects (the user
 * does not write them), each once per namespace, and none where the input defines one of that name.
 */
export function operatorServices(objects: ManifestObject[], defaultNamespace: string): SimService[] {
  const declared = new Set(objects.filter((o) => o.kind === 'Service').map((o) => `${o.namespace ?? defaultNamespace}/${o.name}`));
  const out = new Map<string, SimService>();
  for (const o of objects) {
    const namespace = o.namespace ?? defaultNamespace;
    for (const s of plannedServices(o)) {
      const key = `${namespace}/${s.name}`;
      if (declared.has(key) || out.has(key)) continue;
      out.set(key, {
        namespace,
        name: s.name,
        type: 'ClusterIP',
        clusterIP: s.headless ? 'None' : undefined,
        clusterIPs: [],
        headless: s.headless,
        ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort, path: [] })),
        selector: s.selector,
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
        sessionAffinityTimeoutSeconds: 10800,
        externalIPs: [],
        publishNotReadyAddresses: false,
        endpointsByPort: s.ports.map(() => []),
        origin: { kind: 'implicit' },
      });
    }
  }
  return [...out.values()];
}
