import type { SourceRange, FieldPath } from '../source';
import type { ClusterSettings } from './settings';
import { type ManifestObject } from '../manifests/types';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
import type { Labels } from './labels';
export type { Labels } from './labels';

/** Where an object of the simulation came from: a manifest, or the simulator itself. */
export type Origin = { kind: 'manifest'; object: ManifestObject } | { kind: 'implicit' };

export function locate(origin: Origin, path: FieldPath): SourceRange | undefined {
  return origin.kind === 'manifest' ? origin.object.locate(path) : undefined;
}

export interface SimNode {
  name: string;
  ip: string;
  ipv6?: string;
  podCIDR: string;
  podCIDRv6?: string;
  labels: Labels;
  /** status.allocatable.cpu in millicores (or the settings' `cpu`), which topology-aware hints weigh zones by. */
  allocatableMilliCPU?: number;
  /** The most pods the node runs (a Node's status.allocatable.pods); kubelet's default 110 when undefined. */
  maxPods?: number;
  origin: Origin;
}

export interface SimNamespace {
  name: string;
  labels: Labels;
  origin: Origin;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
  hostPort?: number;
  /** Path of this port inside the owning manifest object. */
  path: FieldPath;
}

export interface EnvValue {
  /** The text that may name a host (an env value, an arg, a ConfigMap value). */
  value: string;
  /** Where the text sits in its manifest. */
  path: FieldPath;
  origin: Origin;
  /** A short label for messages: `env BACKEND_URL`, `args[2]`, `ConfigMap app-config key API`. */
  label: string;
}

export interface SimContainer {
  name: string;
  ports: ContainerPort[];
  texts: EnvValue[];
  /** command then args, the strings of the container's command line in order. */
  argv?: string[];
}

/** A workload as the connectivity list names it: `ns/name[Kind]`. */
export interface WorkloadRef {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Ids by object: a workload's replicas share its WorkloadRef, kept across analyses with its template
 * read, and every stage that groups pods by workload asks; the id is made (and hashed) once. Nothing
 * changes a WorkloadRef's or a pod's name once made.
 */
const workloadIds = new WeakMap<WorkloadRef, string>();

export function workloadId(w: WorkloadRef): string {
  let id = workloadIds.get(w);
  if (id === undefined) workloadIds.set(w, (id = `${w.namespace}/${w.name}[${w.kind}]`));
  return id;
}

export interface HostAlias {
  ip: string;
  hostnames: string[];
  path: FieldPath;
}

export interface DnsConfig {
  nameservers: string[];
  searches: string[];
  options: Array<{ name: string; value?: string }>;
}

export interface SimPod {
  namespace: string;
  name: string;
  workload: WorkloadRef;
  labels: Labels;
  /** Undefined when the pod could not be scheduled (Pending). */
  node: string | undefined;
  /** Why the pod is Pending (the scheduler's FailedScheduling message); undefined for a placed pod. */
  pending?: string;
  ip: string | undefined;
  ipv6?: string;
  hostNetwork: boolean;
  hostname?: string;
  subdomain?: string;
  ready: boolean;
  /** A snapshot pod with metadata.deletionTimestamp: being deleted, its endpoints terminating. */
  terminating?: boolean;
  containers: SimContainer[];
  dnsPolicy: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
  dnsConfig?: DnsConfig;
  /** spec.hostAliases: lines kubelet adds to the pod's /etc/hosts, answered before any DNS. */
  hostAliases?: HostAlias[];
  origin: Origin;
  /** Path of the pod spec inside its manifest (['spec'] for a Pod, ['spec','template','spec'] for a Deployment). */
  specPath: FieldPath;
  /** The operator that creates this pod from its custom resource (origin), which holds no pod spec. */
  operator?: string;
}

/**
 * `namespace/name`, made once per object: kept pods and Services are the same objects across
 * analyses, and every stage keys maps by their ids; a new text would be hashed again each time.
 */
const names = new WeakMap<object, string>();

function nameOf(o: { namespace: string; name: string }): string {
  let id = names.get(o);
  if (id === undefined) names.set(o, (id = `${o.namespace}/${o.name}`));
  return id;
}

export function podId(p: { namespace: string; name: string }): string {
  return nameOf(p);
}

/** The pod's service account as its spec names it (`default` when unset), which Cilium and Calico both select on. */
export function podServiceAccount(pod: SimPod): string {
  if (pod.origin.kind !== 'manifest') return 'default';
  let v: unknown = pod.origin.object.raw;
  for (const key of [...pod.specPath, 'serviceAccountName']) {
    if (typeof v !== 'object' || v === null) return 'default';
    v = (v as Record<string | number, unknown>)[key];
  }
  return typeof v === 'string' && v !== '' ? v : 'default';
}

export interface ServicePort {
  name?: string;
  port: number;
  protocol: Protocol;
  targetPort: number | string;
  nodePort?: number;
  appProtocol?: string;
  path: FieldPath;
}

export interface Endpoint {
  pod: string;
  ip: string;
  port: number;
  node: string | undefined;
  ready: boolean;
  hostname?: string;
  /** EndpointSlice conditions.serving (defaults to ready) and conditions.terminating (defaults to false). */
  serving?: boolean;
  terminating?: boolean;
  /** EndpointSlice zone (the zone label of the endpoint's node). */
  zone?: string;
  /** EndpointSlice hints.forZones / hints.forNodes, which kube-proxy's topology filtering reads. */
  zoneHints?: string[];
  nodeHints?: string[];
}

export interface SimService {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** Undefined for ExternalName; 'None' for headless. */
  clusterIP: string | undefined;
  clusterIPs: string[];
  headless: boolean;
  ports: ServicePort[];
  /** Null when the Service has no selector (endpoints come from Endpoints/EndpointSlice objects). */
  selector: Labels | null;
  externalName?: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
  internalTrafficPolicy: 'Cluster' | 'Local';
  sessionAffinity: 'None' | 'ClientIP';
  /** spec.trafficDistribution: PreferClose (= PreferSameZone) or PreferSameNode make the EndpointSlice controller set hints. */
  trafficDistribution?: 'PreferClose' | 'PreferSameZone' | 'PreferSameNode';
  /**
   * The annotation asking the EndpointSlice controller for topology-aware hints
   * (`service.kubernetes.io/topology-mode: Auto`, or the deprecated `topology-aware-hints: auto`).
   */
  topologyModeAuto?: { annotation: string };
  /** spec.clusterIPs[1]: the other family's ClusterIP a dual-stack Service asks for (a snapshot's live one). */
  secondaryClusterIP?: string;
  /** What the controller's topology cache made of it: the hints it set, or why it set none. */
  topologyHints?: TopologyHintsResult;
  sessionAffinityTimeoutSeconds: number;
  loadBalancerIP?: string;
  /** status.loadBalancer.ingress[0].hostname: a balancer reached by name (its address is the cloud's public DNS answer). */
  loadBalancerHostname?: string;
  /**
   * status.loadBalancer.ingress[0].ipMode (KEP-1860): `Proxy` means the balancer delivers to the
   * node's IP and NodePort (or the pod), so kube-proxy programs no rules for that IP and in-cluster
   * clients go out to the balancer; VIP (or unset) is kube-proxy's in-node shortcut.
   */
  loadBalancerIPMode?: 'VIP' | 'Proxy';
  /**
   * Set on a Gateway's data-plane Service: its load-balancer IP, when none is given, is the lowest
   * free address of the pool once every other Service has its own, taken in this key's order.
   */
  poolOrder?: string;
  externalIPs: string[];
  /** spec.loadBalancerSourceRanges: the client CIDRs a load balancer (and kube-proxy's firewall chain) admits; absent or empty admits all. */
  loadBalancerSourceRanges?: string[];
  /** spec.healthCheckNodePort: where kube-proxy answers a load balancer's health check under externalTrafficPolicy Local. */
  healthCheckNodePort?: number;
  publishNotReadyAddresses: boolean;
  /** Per service port index, the endpoints that serve it. */
  endpointsByPort: Endpoint[][];
  origin: Origin;
}

/** The EndpointSlice controller's topology cache for one Service (topology-mode Auto). */
export type TopologyHintsResult =
  | {
      enabled: true;
      /** Per zone (sorted): its share of allocatable CPU and how many ready endpoints are hinted for it. */
      zones: Array<{ zone: string; cpuRatio: number; hinted: number }>;
      /** True when no node reports allocatable CPU and every node was counted alike. */
      cpuAssumed: boolean;
    }
  | {
      enabled: false;
      /** The controller's event message (TopologyAwareHintsDisabled), with the simulation's detail. */
      reason: string;
      cpuAssumed: boolean;
    };

export function serviceId(s: { namespace: string; name: string }): string {
  return nameOf(s);
}

export interface SimConfigMap {
  namespace: string;
  name: string;
  texts: EnvValue[];
  origin: Origin;
}

/** How many replicas a workload runs and why, when a HorizontalPodAutoscaler bounds it. */
export interface ReplicaDecision {
  workload: WorkloadRef;
  /** spec.replicas as written (undefined when left out: 1 by default). */
  declared: number | undefined;
  /** What the simulation runs. */
  replicas: number;
  /** The HorizontalPodAutoscaler that bounds it. */
  autoscaler: { namespace: string; name: string; minReplicas: number; maxReplicas: number | undefined; origin: Origin };
  /** One sentence for hovers and the CLI: what decided the count. */
  reason: string;
}

/** The simulated cluster: everything placed, addressed and connected, ready to be queried. */
export interface Cluster {
  settings: ClusterSettings;
  nodes: SimNode[];
  namespaces: Map<string, SimNamespace>;
  pods: SimPod[];
  services: SimService[];
  configMaps: SimConfigMap[];
  /** The workloads whose replicas a HorizontalPodAutoscaler bounds, with the count it leads to. */
  replicaDecisions: ReplicaDecision[];
  /** Every Kubernetes object read from the workspace, in input order. */
  objects: ManifestObject[];
  /** What the budgets left out; absent when everything asked for is simulated. */
  cut?: SimulationCut;
}

/** The most pods and endpoints one analysis simulates: guards against hostile input, not sizes users reach. */
export interface Budgets {
  pods: number;
  endpoints: number;
}

/**
 * What a budget left out. Diagnostics that depend on the pods or endpoints of these namespaces
 * are not reported: a Service whose pods were cut would read as one without endpoints.
 */
export interface SimulationCut {
  namespaces: Set<string>;
  pods: number;
  endpoints: number;
}

/** Records `count` pods or endpoints of `namespace` as left out. */
export function recordCut(cut: SimulationCut, what: 'pods' | 'endpoints', namespace: string, count: number): void {
  if (count <= 0) return;
  cut.namespaces.add(namespace);
  cut[what] += count;
}
