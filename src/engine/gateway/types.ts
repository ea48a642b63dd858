// The Gateway API as the simulation holds it: classes, Gateways and their listeners, the five
// route kinds, ReferenceGrants, and the status the API's controllers would write for them
// (Accepted and ResolvedRefs with their reasons), all as data with the fields they came from.
import type { LabelSelector, Labels } from '../cluster/labels';
import type { Origin, Protocol, ServicePort, SimPod, SimService } from '../cluster/model';
import type { FieldPath } from '../source';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';
export const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];

export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP';

/** The data planes the simulation knows by their GatewayClass controllerName; `generic` for any other. */
export type DataPlaneKind = 'envoy-gateway' | 'cilium' | 'istio' | 'nginx-gateway-fabric' | 'generic';

export interface SimGatewayClass {
  name: string;
  controllerName: string;
  dataPlane: DataPlaneKind;
  /** True when the workspace does not define the class and its controller's installation is assumed to (istio, cilium, nginx). */
  assumed: boolean;
  origin: Origin;
}

export interface RouteGroupKind {
  group: string;
  kind: string;
}

export interface Listener {
  name: string;
  port: number;
  /** As written; one of ListenerProtocol for the protocols the simulation carries. */
  protocol: string;
  hostname: string | undefined;
  tlsMode: 'Terminate' | 'Passthrough' | undefined;
  certificateRefs: Array<{ namespace: string; name: string; kind: string; group: string }>;
  /** Why its certificateRefs do not resolve (ResolvedRefs False): set by the model, which knows the grants and Secrets. */
  certificateProblem?: { reason: 'InvalidCertificateRef' | 'RefNotPermitted'; message: string };
  allowedFrom: 'Same' | 'All' | 'Selector' | 'None';
  namespaceSelector: LabelSelector | undefined;
  /** The route kinds the listener accepts: allowedRoutes.kinds that its protocol carries, else its protocol's defaults. */
  supportedKinds: RouteKind[];
  /** allowedRoutes.kinds entries its protocol cannot carry (ResolvedRefs False, InvalidRouteKinds). */
  invalidKinds: RouteGroupKind[];
  /** Why the listener is not programmed: a conflict with another listener, or a protocol the simulation does not carry. */
  conflict: { reason: 'ProtocolConflict' | 'HostnameConflict'; with: string } | undefined;
  unsupported: string | undefined;
  fieldPath: FieldPath;
}

/** The pods and Service that carry a Gateway's traffic, named and labelled as its controller makes them. */
export interface DataPlane {
  kind: DataPlaneKind;
  controllerName: string;
  namespace: string;
  /** The Deployment (or DaemonSet, for Cilium's per-node Envoy) whose pods proxy the traffic. */
  workload: { kind: 'Deployment' | 'DaemonSet'; name: string };
  labels: Labels;
  serviceNamespace: string;
  serviceName: string;
  pods: SimPod[];
  service: SimService | undefined;
}

export interface SimGateway {
  namespace: string;
  name: string;
  className: string;
  gatewayClass: SimGatewayClass | undefined;
  listeners: Listener[];
  /** spec.addresses of type IPAddress, as written. */
  requestedAddresses: string[];
  /** Where clients reach it: spec.addresses, else the next free address of loadBalancerPool. */
  addresses: string[];
  dataPlane: DataPlane | undefined;
  origin: Origin;
}

export interface ParentRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  sectionName: string | undefined;
  port: number | undefined;
  fieldPath: FieldPath;
}

export interface BackendRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  port: number | undefined;
  /** Defaults to 1; 0 sends no traffic. */
  weight: number;
  filters: RouteFilter[];
  fieldPath: FieldPath;
}

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';

export interface ValueMatch {
  type: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface HttpMatch {
  path: { type: PathMatchType; value: string };
  headers: ValueMatch[];
  queryParams: ValueMatch[];
  method: string | undefined;
  /** False for the match a rule without `matches` implies (PathPrefix /). */
  explicit: boolean;
  fieldPath: FieldPath;
}

export interface GrpcMatch {
  type: 'Exact' | 'RegularExpression';
  service: string | undefined;
  method: string | undefined;
  headers: ValueMatch[];
  explicit: boolean;
  fieldPath: FieldPath;
}

export interface HeaderModifier {
  set: Array<{ name: string; value: string }>;
  add: Array<{ name: string; value: string }>;
  remove: string[];
}

/** An HTTPRoute CORS filter (HTTPCORSFilter), with the API server's defaults filled in. */
export interface CorsPolicy {
  /** `<scheme>://<host>[:<port>]` patterns; `*` in the host matches any labels to its left, `*` alone any origin. */
  allowOrigins: string[];
  allowCredentials: boolean;
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  /** Seconds; the API's default is 5. */
  maxAge: number;
}

export type PathModifier = { type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; value: string };

export type RouteFilter =
  | {
      type: 'RequestRedirect';
      scheme: string | undefined;
      hostname: string | undefined;
      path: PathModifier | undefined;
      port: number | undefined;
      statusCode: number;
      fieldPath: FieldPath;
    }
  | { type: 'URLRewrite'; hostname: string | undefined; path: PathModifier | undefined; fieldPath: FieldPath }
  | { type: 'RequestHeaderModifier' | 'ResponseHeaderModifier'; modifier: HeaderModifier; fieldPath: FieldPath }
  | { type: 'RequestMirror'; backend: BackendRef; percent: number; fieldPath: FieldPath }
  | { type: 'CORS'; cors: CorsPolicy; fieldPath: FieldPath }
  /** The Gateway answers the request itself (GEP-4129, experimental). */
  | { type: 'DirectResponse'; statusCode: number; body: string | undefined; fieldPath: FieldPath }
  /** A filter the simulation does not carry out (ExtensionRef, ExternalAuth, ...): named, never guessed. */
  | { type: 'Unsupported'; name: string; fieldPath: FieldPath };

export interface RouteRule {
  index: number;
  name: string | undefined;
  /** HTTPRoute matches (a rule without any gets the implicit PathPrefix /). */
  matches: HttpMatch[];
  /** GRPCRoute matches (a rule without any matches every call). */
  grpcMatches: GrpcMatch[];
  filters: RouteFilter[];
  backendRefs: BackendRef[];
  /** Rule fields that change what a request meets but are not simulated (timeouts, retry, sessionPersistence). */
  unsimulated?: Array<{ field: string; detail: string; fieldPath: FieldPath }>;
  fieldPath: FieldPath;
}

export interface SimRoute {
  kind: RouteKind;
  namespace: string;
  name: string;
  hostnames: string[];
  parentRefs: ParentRef[];
  rules: RouteRule[];
  /** metadata.creationTimestamp, when the manifest gives it. */
  created: string | undefined;
  /** Position in the order `kubectl apply` would create the objects (files, then documents). */
  order: number;
  origin: Origin;
}

export interface SimReferenceGrant {
  namespace: string;
  name: string;
  from: Array<{ group: string; kind: string; namespace: string; fieldPath: FieldPath }>;
  to: Array<{ group: string; kind: string; name: string | undefined; fieldPath: FieldPath }>;
  origin: Origin;
}

/** The reasons of a route parent's Accepted condition, as the API defines them. */
export type AcceptReason =
  'Accepted' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname' | 'NoMatchingParent' | 'UnsupportedValue' | 'Pending';

/** The reasons of a route's ResolvedRefs condition. */
export type RefReason = 'ResolvedRefs' | 'RefNotPermitted' | 'BackendNotFound' | 'InvalidKind';

export interface ParentStatus {
  ref: ParentRef;
  gateway: SimGateway | undefined;
  accepted: boolean;
  reason: AcceptReason;
  message: string;
  /** The listeners the route attached to through this parentRef. */
  listeners: Listener[];
}

export interface BackendStatus {
  ref: BackendRef;
  /** The rule it belongs to (-1 for a RequestMirror target's own status). */
  rule: number;
  service: SimService | undefined;
  port: ServicePort | undefined;
  resolved: boolean;
  reason: RefReason;
  message: string;
  /** The ReferenceGrant that permits a cross-namespace reference. */
  grant: SimReferenceGrant | undefined;
}

export interface RouteStatus {
  route: SimRoute;
  parents: ParentStatus[];
  backends: BackendStatus[];
  /** The route's ResolvedRefs condition: True unless some backendRef is invalid (the first reason found). */
  resolvedRefs: boolean;
  refsReason: RefReason;
}

export interface Header {
  name: string;
  value: string;
}

/** An HTTP (or gRPC) request as the Gateway receives it, and as each filter leaves it. */
export interface GatewayRequest {
  scheme: 'http' | 'https';
  /** The Host header (or :authority), lower case, without its port. */
  host: string;
  port: number;
  /** The path without its query string. */
  path: string;
  query: string;
  method: string;
  headers: Header[];
}

export type TransportProtocol = Protocol;
