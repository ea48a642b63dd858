// The topology JSON: what the topology view draws, as plain data. The engine builds it
// (src/engine/topology/build.ts), the extension sends it, the page validates and draws it; nothing in
// it needs Kubernetes knowledge to render. Every id is the one the extension contract names as
// data-id: NAMESPACE/NAME for namespaced objects, the node name for nodes.
import type { SourceRange } from '../source';

export const TOPOLOGY_VERSION = 1;

export interface TopoNode {
  id: string;
  name: string;
  ip: string;
  podCIDR: string;
  /** A dual-stack node's IPv6 InternalIP and pod CIDR. */
  ipv6?: string;
  podCIDRv6?: string;
  labels: Record<string, string>;
  implicit: boolean;
  source?: SourceRange;
}

export interface TopoPod {
  id: string;
  namespace: string;
  name: string;
  ip: string | null;
  /** Null when the pod could not be scheduled (Pending). */
  node: string | null;
  labels: Record<string, string>;
  /** NAMESPACE/NAME of the owning workload (the pod's own id for a bare Pod). */
  workload: string;
  workloadKind: string;
  ready: boolean;
  hostNetwork: boolean;
  ports: Array<{ name: string | null; port: number; protocol: string }>;
  implicit: boolean;
  source?: SourceRange;
}

export interface TopoServicePort {
  name: string | null;
  port: number;
  protocol: string;
  targetPort: number | string;
  nodePort: number | null;
}

export interface TopoService {
  id: string;
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** "None" for headless, null for ExternalName. */
  clusterIP: string | null;
  headless: boolean;
  externalName: string | null;
  loadBalancerIP: string | null;
  ports: TopoServicePort[];
  endpointCount: number;
  implicit: boolean;
  source?: SourceRange;
}

export interface TopoIngressRoute {
  host: string | null;
  path: string | null;
  pathType: string | null;
  /** NAMESPACE/NAME of the backend Service as written (it may not exist). */
  service: string | null;
  port: number | string | null;
  /** Whether the named Service exists in the simulation. */
  resolved: boolean;
  defaultBackend: boolean;
  source?: SourceRange;
}

export interface TopoIngress {
  id: string;
  namespace: string;
  name: string;
  className: string | null;
  /** NAMESPACE/NAME of the controller's Service, when the simulation has one. */
  controllerService: string | null;
  /** The controller as it runs: its profile, and where (its Deployment in the cluster, or an ALB outside it). */
  controller: {
    profile: string;
    runs: 'in-cluster' | 'outside';
    /** NAMESPACE/NAME of its Deployment, or the ALB's DNS name. */
    dataPlane: string;
    /** For an ALB: the `alb:KEY` external the topology draws outside the cluster. */
    external?: string;
  } | null;
  routes: TopoIngressRoute[];
  source?: SourceRange;
}

/** Things outside the pod network that traffic enters through. */
export interface TopoExternal {
  /** `external` (the client), `loadbalancer:NS/NAME`, `nodeport:NS/NAME:PORT`, or `alb:GROUP` (an ALB outside the cluster). */
  id: string;
  role: 'client' | 'load-balancer' | 'node-port';
  label: string;
  ip: string | null;
  port: number | null;
  /** The Service it leads to (NAMESPACE/NAME), for load balancers and NodePorts. */
  service: string | null;
  source?: SourceRange;
}

export type TopoEdgeKind = 'endpoint' | 'route' | 'external' | 'controller';

export interface TopoEdge {
  id: string;
  kind: TopoEdgeKind;
  from: string;
  to: string;
  /** What the edge is labelled with: the target port(s) of an endpoint, host+path of a route. */
  label: string;
  source?: SourceRange;
}

export interface TopoNamespace {
  name: string;
  implicit: boolean;
  pods: number;
  services: number;
}

export interface TopoWorkload {
  id: string;
  kind: string;
  namespace: string;
  name: string;
  pods: string[];
  /** How many of its pods are ready. */
  ready: number;
  /** Every container port its pods declare (once each). */
  ports: Array<{ name: string | null; port: number; protocol: string }>;
  /** The nodes its pods run on, sorted (Pending pods run nowhere). */
  nodes: string[];
  implicit: boolean;
  source?: SourceRange;
}

/** A Gateway (Gateway API) with its listeners, as the map draws it. */
export interface TopoGateway {
  id: string;
  namespace: string;
  name: string;
  className: string;
  addresses: string[];
  listeners: Array<{ name: string; port: number; protocol: string; hostname: string | null; attachedRoutes: number }>;
  source?: SourceRange;
}

/** A Gateway API route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) with its parents' status and its backends. */
export interface TopoRoute {
  /** NAMESPACE/NAME; NAMESPACE/NAME[KIND] when routes of two kinds share a name. */
  id: string;
  kind: string;
  namespace: string;
  name: string;
  hostnames: string[];
  parents: Array<{ gateway: string; sectionName: string | null; accepted: boolean; reason: string }>;
  backends: Array<{ service: string; port: number | null; weight: number; resolved: boolean; reason: string }>;
  source?: SourceRange;
}

/** Whether policy lets a call through: what the trace of that call from the calling workload ends with. */
export type CallVerdict = 'allowed' | 'blocked';

/** One port of a call: the trace's verdict and its reason (the dropping policy and where it is written). */
export interface CallPort {
  port: number;
  verdict: CallVerdict;
  /** The trace's own verdict: delivered, dropped, refused, unresolved, unrouted. */
  outcome: string;
  reason: string;
}

/** A call the manifests make: a workload's env, args or consumed ConfigMap naming a Service (as it resolves from that workload). */
export interface TopoCall {
  /** FROM_WORKLOAD->TO_SERVICE (NS/NAME->NS/NAME), the contract's data-id. */
  id: string;
  from: string;
  to: string;
  /** Blocked when the trace of any of its ports does not deliver. */
  verdict: CallVerdict;
  ports: CallPort[];
  /** Where the call is written (`env BACKEND_URL = http://backend:8080`), one per distinct text. */
  via: string[];
  source?: SourceRange;
}

export type MapEdgeKind = 'endpoint' | 'route' | 'listener';

/** A map edge that is not a call: Service → workload (its endpoints), Ingress/route → Service, Gateway → route. */
export interface MapEdge {
  id: string;
  kind: MapEdgeKind;
  from: string;
  to: string;
  label: string;
  source?: SourceRange;
}

/** The map view's graph: workloads (in Topology.workloads) and Services grouped by namespace, entry points, calls. */
export interface TopoMap {
  gateways: TopoGateway[];
  routes: TopoRoute[];
  calls: TopoCall[];
  edges: MapEdge[];
  counts: { workloads: number; calls: number; blockedCalls: number; gateways: number; routes: number };
}

export interface Topology {
  version: number;
  settings: { cni: string; kubeProxyMode: string; hostNetworkPods: string; clusterDomain: string; externalClient: string };
  namespaces: TopoNamespace[];
  nodes: TopoNode[];
  workloads: TopoWorkload[];
  pods: TopoPod[];
  services: TopoService[];
  ingresses: TopoIngress[];
  externals: TopoExternal[];
  edges: TopoEdge[];
  map: TopoMap;
  counts: { nodes: number; pods: number; services: number; ingresses: number; endpointEdges: number; routes: number };
}

export interface PolicyRefView {
  /** NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, or a CNI's own kind (CiliumNetworkPolicy, CalicoNetworkPolicy, ...). */
  kind: string;
  /** '' for the cluster-scoped kinds. */
  namespace: string;
  name: string;
  source?: SourceRange;
  /** For a cluster-wide policy's rule: the policy's priority (none for the BaselineAdminNetworkPolicy); for a Calico policy, its order. */
  priority?: number;
  /** For a Calico policy: its tier (then `priority` is its order). */
  tier?: string;
  /** For a cluster-wide policy: the rule that decided, by name or position (`spec.ingress[2]`). */
  rule?: string;
  /** For a cluster-wide policy: what the rule does (Allow, Deny; Pass when it handed the connection on). */
  action?: string;
}

/** One connection checked against the policy layers (cluster-wide policies and NetworkPolicy) for the policy layer. */
export interface PolicyEdge {
  id: string;
  direction: 'ingress' | 'egress';
  /** Pod ids (or `external`): the representative pod of each workload. */
  from: string;
  to: string;
  fromWorkload: string;
  toWorkload: string;
  port: number;
  protocol: string;
  allowed: boolean;
  /** The policies that decided it: the one that admitted it, or those that isolate the denying side. */
  policies: PolicyRefView[];
  /**
   * The layer that decided (design.md "Policy layers"): `admin` (AdminNetworkPolicy, Admin-tier
   * ClusterNetworkPolicy), `cni`, `network` (NetworkPolicy), `baseline` (BaselineAdminNetworkPolicy,
   * Baseline-tier ClusterNetworkPolicy), or `none` when no policy applies.
   */
  layer: 'admin' | 'cni' | 'network' | 'baseline' | 'none';
  reason: string;
}

export interface PolicyLayer {
  /** The pod or workload the layer is drawn for. */
  focus: string;
  /** The representative pod the verdicts were computed for. */
  pod: string;
  edges: PolicyEdge[];
}
