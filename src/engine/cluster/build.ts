import type { ManifestObject } from '../manifests/parse';
import { FieldReader, describe, isRecord, resourceName } from '../manifests/fields';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { addressAt, parseCidr, podAllocator, subnetAt, isIP, cidrContains, type HashAllocator } from './ipam';
import { schedule } from './scheduling';
import { expandWorkloads, type PodBlueprint } from './workloads';
import { checkExternalTrafficPolicy, computeEndpoints, readServiceObject, KUBERNETES_SERVICE_IP_OFFSET, KUBE_DNS_IP_OFFSET } from '../services/endpoints';
import { allocateServiceAddresses } from '../services/addresses';
import { podId, type Cluster, type EnvValue, type SimConfigMap, type SimNamespace, type SimNode, type SimPod, type SimService } from './model';
import { DEFAULT_NODES, isCidr, type ClusterSettings } from './settings';
import { nameSuffix } from '../hash';
import { implicitIngressControllers } from '../ingress/controller';

export const DEFAULT_NAMESPACE = 'default';
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'IngressClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'GlobalNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService']);

export function namespaceOf(o: ManifestObject): string | undefined {
  return CLUSTER_SCOPED.has(o.kind) ? undefined : (o.namespace ?? DEFAULT_NAMESPACE);
}

/** Builds the simulated cluster from the workspace's objects: nodes, namespaces, pods with IPs, Services with endpoints. */
export function buildCluster(objects: ManifestObject[], settings: ClusterSettings, diagnostics: Diagnostic[]): Cluster {
  reportDuplicates(objects, diagnostics);
  const nodes = buildNodes(objects, settings, diagnostics);
  const namespaces = buildNamespaces(objects, diagnostics);
  const userDns = objects.some((o) => o.kind === 'Service' && o.name === 'kube-dns' && o.namespace === 'kube-system');
  const blueprints = expandWorkloads(objects, nodes.map((n) => n.name), DEFAULT_NAMESPACE, diagnostics);
  if (!userDns) blueprints.push(...coreDnsBlueprints());
  const ingressControllers = implicitIngressControllers(objects);
  blueprints.push(...ingressControllers.blueprints);
  const pods = placePods(blueprints, nodes, diagnostics);

  const services: SimService[] = [];
  for (const o of objects) if (o.kind === 'Service' && o.apiVersion === 'v1') services.push(readServiceObject(o, namespaceOf(o) ?? DEFAULT_NAMESPACE, diagnostics));
  services.push(...implicitServices(settings, services));
  services.push(...ingressControllers.services);
  allocateServiceAddresses(services, settings, diagnostics);
  const manual = objects.filter((o) => o.kind === 'Endpoints' || o.kind === 'EndpointSlice');
  computeEndpoints(services, pods, manual, DEFAULT_NAMESPACE, diagnostics);
  apiServerEndpoints(services, nodes);
  for (const svc of services) if (svc.origin.kind === 'manifest') checkExternalTrafficPolicy(svc, nodes.map((n) => n.name), diagnostics);

  for (const p of pods) if (!namespaces.has(p.namespace)) namespaces.set(p.namespace, implicitNamespace(p.namespace));
  for (const s of services) if (!namespaces.has(s.namespace)) namespaces.set(s.namespace, implicitNamespace(s.namespace));
  return { settings, nodes, namespaces, pods, services, configMaps: readConfigMaps(objects, diagnostics), objects };
}

function reportDuplicates(objects: ManifestObject[], diagnostics: Diagnostic[]): void {
  const seen = new Map<string, ManifestObject>();
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    const key = `${group}/${o.kind}/${namespaceOf(o) ?? ''}/${o.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, o);
      continue;
    }
    const where = first.locate(['metadata', 'name']);
    diagnostics.push(makeDiagnostic('duplicate-resource', o.locate(['metadata', 'name']), { resource: resourceName({ kind: o.kind, namespace: namespaceOf(o), name: o.name }), other: `${where.file}:${where.line}` }, resourceName({ kind: o.kind, namespace: namespaceOf(o), name: o.name }), [{ message: 'first defined here', location: where }]));
  }
}

function buildNodes(objects: ManifestObject[], settings: ClusterSettings, diagnostics: Diagnostic[]): SimNode[] {
  const cluster = parseCidr(settings.podCIDR);
  const nodeObjects = objects.filter((o) => o.kind === 'Node');
  // node-N gets the N-th /24 (/64) as the controller-manager's default --node-cidr-mask-size does;
  // a cluster CIDR too small for that is cut finer, so node CIDRs always lie inside it.
  const count = settings.nodes?.length ?? (nodeObjects.length || DEFAULT_NODES.length);
  // Never finer than one address: a /31 or /32 cluster CIDR asked for /33 node ranges and crashed.
  const mask = Math.min(cluster.family === 'ipv4' ? 32 : 128, Math.max(cluster.family === 'ipv4' ? 24 : 64, cluster.prefix + Math.ceil(Math.log2(count + 1))));
  const cutCidr = (i: number) => subnetAt(cluster, mask, i + 1);
  const nodes: SimNode[] = [];
  if (settings.nodes === null && nodeObjects.length > 0) {
    nodeObjects.forEach((o, i) => {
      const r = new FieldReader(o, diagnostics);
      const addressList = r.list(['status', 'addresses']) ?? [];
      const addresses = addressList.filter(isRecord);
      const internal = addresses.find((a) => a['type'] === 'InternalIP' && typeof a['address'] === 'string' && isIP(a['address']));
      // An InternalIP that is not an address was silently replaced by a made-up one; say so where it is written.
      addressList.forEach((a, ai) => {
        if (isRecord(a) && (a['type'] === 'InternalIP' || a['type'] === 'ExternalIP') && !(typeof a['address'] === 'string' && isIP(a['address']))) {
          r.invalid(['status', 'addresses', ai, 'address'], `Node ${o.name}'s ${String(a['type'])} address must be an IP address such as 10.0.1.10, not ${describe(a['address'])}.`);
        }
      });
      let podCIDR = r.str(['spec', 'podCIDR']);
      // Checked with ipaddr.js: a shape-only check let 10.244.1.0/99 through, and allocation then threw.
      if (podCIDR !== undefined && !isCidr(podCIDR)) {
        r.invalid(['spec', 'podCIDR'], `spec.podCIDR "${podCIDR}" is not a valid CIDR.`);
        podCIDR = undefined;
      }
      nodes.push({
        name: o.name,
        ip: typeof internal?.['address'] === 'string' ? internal['address'] : addressAt(parseCidr('10.0.1.0/24'), BigInt(10 * (i + 1))),
        podCIDR: podCIDR ?? cutCidr(i),
        labels: r.labels(['metadata', 'labels']),
        origin: { kind: 'manifest', object: o },
      });
    });
  } else {
    (settings.nodes ?? DEFAULT_NODES).forEach((n, i) => {
      nodes.push({ name: n.name, ip: n.ip, podCIDR: n.podCIDR ?? cutCidr(i), labels: n.labels, origin: { kind: 'implicit' } });
    });
  }
  if (settings.podCIDRv6) {
    const v6 = parseCidr(settings.podCIDRv6);
    const mask6 = Math.min(128, Math.max(64, v6.prefix + Math.ceil(Math.log2(nodes.length + 1))));
    nodes.forEach((n, i) => (n.podCIDRv6 = subnetAt(v6, mask6, i + 1)));
  }
  return nodes;
}

function implicitNamespace(name: string): SimNamespace {
  return { name, labels: { [NAMESPACE_NAME_LABEL]: name }, origin: { kind: 'implicit' } };
}

function buildNamespaces(objects: ManifestObject[], diagnostics: Diagnostic[]): Map<string, SimNamespace> {
  const map = new Map<string, SimNamespace>();
  for (const name of [DEFAULT_NAMESPACE, 'kube-system']) map.set(name, implicitNamespace(name));
  for (const o of objects) {
    if (o.kind !== 'Namespace') continue;
    const r = new FieldReader(o, diagnostics);
    // The API server sets the name label on every namespace (since 1.21); users cannot override it.
    map.set(o.name, { name: o.name, labels: { ...r.labels(['metadata', 'labels']), [NAMESPACE_NAME_LABEL]: o.name }, origin: { kind: 'manifest', object: o } });
  }
  return map;
}

const COREDNS_PORTS = [
  { name: 'dns', containerPort: 53, protocol: 'UDP' as const, path: [] },
  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' as const, path: [] },
  { name: 'metrics', containerPort: 9153, protocol: 'TCP' as const, path: [] },
];

/** CoreDNS as kubeadm deploys it: two replicas of Deployment kube-system/coredns labelled k8s-app=kube-dns. */
function coreDnsBlueprints(): PodBlueprint[] {
  const hash = nameSuffix('kube-system/coredns/template', 10);
  return [0, 1].map((i) => ({
    namespace: 'kube-system',
    name: `coredns-${hash}-${nameSuffix(`kube-system/coredns/${i}`, 5)}`,
    workload: { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
    labels: { 'k8s-app': 'kube-dns' },
    hostNetwork: false,
    ready: true,
    containers: [{ name: 'coredns', ports: COREDNS_PORTS, texts: [] }],
    dnsPolicy: 'Default' as const,
    origin: { kind: 'implicit' as const },
    specPath: [],
    nodeSelector: {},
    perNode: false,
    replicaIndex: i,
  }));
}

function placePods(blueprints: PodBlueprint[], nodes: SimNode[], diagnostics: Diagnostic[]): SimPod[] {
  const placements = schedule(blueprints, nodes, diagnostics);
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const allocators = new Map<string, HashAllocator>();
  const allocators6 = new Map<string, HashAllocator>();
  for (const n of nodes) {
    allocators.set(n.name, podAllocator(n.podCIDR));
    if (n.podCIDRv6) allocators6.set(n.name, podAllocator(n.podCIDRv6));
  }
  const pods: SimPod[] = placements.map(({ blueprint, node }) => podOf(blueprint, node));
  // Live addresses from a cluster dump are kept as they are; they are reserved before any allocation.
  placements.forEach(({ blueprint }, i) => {
    const pod = pods[i];
    if (!pod || !blueprint.liveIP || !isIP(blueprint.liveIP)) return;
    pod.ip = blueprint.liveIP;
    for (const [name, alloc] of allocators) if (cidrContains(alloc.cidr.text, blueprint.liveIP)) {
      alloc.reserve(blueprint.liveIP);
      if (pod.node === undefined) pod.node = name;
    }
  });
  const order = pods.map((p) => ({ p, id: podId(p) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const { p, id } of order) {
    if (p.node === undefined || p.ip !== undefined) continue;
    const node = nodeByName.get(p.node);
    if (!node) continue;
    if (p.hostNetwork) {
      p.ip = node.ip;
      continue;
    }
    p.ip = allocators.get(node.name)?.allocate(id);
    const v6 = allocators6.get(node.name)?.allocate(id);
    if (v6) p.ipv6 = v6;
  }
  return pods;
}

/** Blueprint fields that are scheduling input, not part of the pod. */
const SCHEDULING_ONLY = new Set<string>(['nodeName', 'nodeSelector', 'perNode', 'replicaIndex', 'liveIP']);

/**
 * The pod a blueprint becomes: its fields in order, less the scheduling inputs, then node and ip.
 * (An object rest pattern excluding those keys did the same, 10-20 times slower: ~30 ms for 6,000 pods.)
 */
function podOf(blueprint: PodBlueprint, node: string | undefined): SimPod {
  const pod: Record<string, unknown> = {};
  for (const key in blueprint) if (!SCHEDULING_ONLY.has(key)) pod[key] = blueprint[key as keyof PodBlueprint];
  pod['node'] = node;
  pod['ip'] = undefined;
  return pod as unknown as SimPod;
}

function implicitServices(settings: ClusterSettings, userServices: SimService[]): SimService[] {
  const cidr = parseCidr(settings.serviceCIDR);
  const base = {
    clusterIPs: [],
    headless: false,
    externalTrafficPolicy: 'Cluster' as const,
    internalTrafficPolicy: 'Cluster' as const,
    sessionAffinity: 'None' as const,
    sessionAffinityTimeoutSeconds: 10800,
    externalIPs: [],
    publishNotReadyAddresses: false,
    origin: { kind: 'implicit' as const },
  };
  const out: SimService[] = [];
  const has = (ns: string, name: string) => userServices.some((s) => s.namespace === ns && s.name === name);
  if (!has('default', 'kubernetes')) {
    out.push({ ...base, namespace: 'default', name: 'kubernetes', type: 'ClusterIP', clusterIP: addressAt(cidr, KUBERNETES_SERVICE_IP_OFFSET), selector: null, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443, path: [] }], endpointsByPort: [[]] });
  }
  if (!has('kube-system', 'kube-dns')) {
    out.push({
      ...base,
      namespace: 'kube-system',
      name: 'kube-dns',
      type: 'ClusterIP',
      clusterIP: addressAt(cidr, KUBE_DNS_IP_OFFSET),
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53, path: [] },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53, path: [] },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153, path: [] },
      ],
      endpointsByPort: [[], [], []],
    });
  }
  return out;
}

/** The `kubernetes` Service's endpoint is the API server, on the first node's address (hostNetwork). */
function apiServerEndpoints(services: SimService[], nodes: SimNode[]): void {
  const api = services.find((s) => s.origin.kind === 'implicit' && s.name === 'kubernetes');
  const first = nodes[0];
  if (api && first) api.endpointsByPort = [[{ pod: 'kube-system/kube-apiserver', ip: first.ip, port: 6443, node: first.name, ready: true }]];
}

/** ConfigMap values are texts that may name hosts, like env values. */
function readConfigMaps(objects: ManifestObject[], diagnostics: Diagnostic[]): SimConfigMap[] {
  const out: SimConfigMap[] = [];
  for (const o of objects) {
    if (o.kind !== 'ConfigMap') continue;
    const r = new FieldReader(o, diagnostics);
    const data = r.map(['data']) ?? {};
    const texts: EnvValue[] = [];
    const origin = { kind: 'manifest' as const, object: o };
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string') texts.push({ value, path: ['data', key], origin, label: `ConfigMap ${o.name} key ${key}` });
      // Never stringify a nested value: an alias bomb below the alias limit would expand here.
      else if (typeof value === 'object' && value !== null) r.invalid(['data', key], 'ConfigMap data values must be strings, not a list or mapping; write it as a block scalar (`key: |`).');
      else r.invalid(['data', key], `ConfigMap data values must be strings; quote ${String(value)} ("${String(value)}").`);
    }
    out.push({ namespace: namespaceOf(o) ?? DEFAULT_NAMESPACE, name: o.name, texts, origin });
  }
  return out;
}
