// The result of a packet trace as data: each hop is a member of a union on `kind`, carrying the
// facts it stands for (addresses, chains, rules, the manifest field that decided it). Text is
// made from it only at the edge (traceRender.ts).
import type { Protocol } from '../cluster/model';
import type { DnsRcode } from '../dns/records';
import type { DirectionResult } from '../policy/oracle';
import type { ServiceDataplane } from '../dataplane/kubeProxy';
import type { SourceRange } from '../source';

export type TraceVerdict = 'delivered' | 'dropped' | 'refused' | 'unresolved' | 'unrouted' | 'redirected';

/** What the user asked to reach: a URL, HOST:PORT or IP:PORT, split up. */
export interface Target {
  text: string;
  scheme: string | undefined;
  host: string;
  port: number;
  path: string;
  /** The URL's query string, without the `?` (matched by HTTPRoute queryParams). */
  query?: string;
  /** True when the host is an IP address (no DNS lookup). */
  literal: boolean;
}

export type SnatReason =
  | 'hairpin' // a pod reached itself through its Service
  | 'external-cluster-policy' // externalTrafficPolicy Cluster: the node masquerades so replies come back through it
  | 'not-from-pod' // traffic to a ClusterIP from outside the pod network
  | 'from-this-node' // the node itself is the client
  | 'leaving-cluster' // pod traffic to an address outside the pod network (the CNI's outgoing NAT)
  | 'load-balancer'; // the cloud load balancer's own source NAT (proxying balancers)

export type Hop =
  | {
      kind: 'dns';
      node: string | null;
      query: string;
      server: string | undefined;
      searched: string[];
      /** TIMEOUT: the query got no answer (dropped by policy, or no DNS endpoint). UNKNOWN: answered outside the simulation. */
      rcode: DnsRcode | 'TIMEOUT' | 'REFUSED';
      resolvedName: string | undefined;
      answers: string[];
      forwarded: boolean;
      /** The ExternalName alias the answer went through, if any. */
      cname: string | undefined;
      /** What the name stands for: a Service, a pod behind a headless Service, an external name. */
      meaning: string;
      range: SourceRange | undefined;
    }
  | {
      kind: 'policy';
      direction: 'egress' | 'ingress';
      node: string | null;
      /** What the check is for: the connection itself or its DNS lookup. */
      purpose: 'connection' | 'dns';
      /** Who enforces policy on this CNI; undefined when nothing does (Flannel). */
      enforcer: string | undefined;
      subject: string;
      peer: string;
      port: number;
      protocol: Protocol;
      result: DirectionResult;
      range: SourceRange | undefined;
      /** Cilium's proxy checking the HTTP request of a connection its L7 rules allow: the request and which rule let it through (none: 403). */
      l7?: { proxy: string; request: string; allowedBy: string | undefined; range: SourceRange | undefined; tls?: boolean };
    }
  | {
      kind: 'dnat';
      node: string | null;
      dataplane: ServiceDataplane;
      service: string;
      from: string;
      to: string;
      path: string[];
      probability: string | undefined;
      candidates: number;
      affinitySeconds: number | undefined;
      localOnly: boolean;
      /** How topology hints (trafficDistribution) or the terminating fallback shaped the candidates, when they did. */
      topology?: string;
      range: SourceRange | undefined;
    }
  | { kind: 'snat'; node: string | null; from: string; to: string; reason: SnatReason; mechanism: string }
  | { kind: 'route'; node: string | null; route: string; note: string }
  | { kind: 'encap'; node: string | null; protocol: string; device: string; outer: string; overhead: number; mtu: number; note: string }
  | { kind: 'decap'; node: string | null; protocol: string; device: string; note: string }
  | {
      kind: 'load-balancer';
      node: null;
      /** `ip:port` the client connected to. */
      address: string;
      service: string;
      chosenNode: string;
      nodePort: number;
      nodes: Array<{ node: string; weight: number }>;
      externalTrafficPolicy: 'Cluster' | 'Local';
      /** Under externalTrafficPolicy Local: the port the balancer health-checks each node's kube-proxy on. */
      healthCheckNodePort?: number;
      /** The client CIDRs spec.loadBalancerSourceRanges admits, when set. */
      sourceRanges?: string[];
      range: SourceRange | undefined;
    }
  | {
      kind: 'tls';
      node: string | null;
      host: string;
      secretName: string | undefined;
      ingress: string | undefined;
      range: SourceRange | undefined;
      /** At a Gateway listener: whether it ends TLS or passes the connection through, and where. */
      gateway?: { gateway: string; listener: string; mode: 'terminated' | 'passthrough' };
    }
  | {
      kind: 'gateway';
      node: string | null;
      gateway: string;
      /** The listener that took the connection, with its port, protocol and hostname. */
      listener: string | undefined;
      host: string;
      path: string;
      /** The route and rule whose match won, or undefined when none did. */
      route: string | undefined;
      rule: string | undefined;
      match: string;
      /** Why the match beat the others (or, without a match, why nothing matched). */
      why: string;
      range: SourceRange | undefined;
    }
  | { kind: 'filter'; node: string | null; filter: string; detail: string; range: SourceRange | undefined }
  | { kind: 'redirect'; node: string | null; status: number; location: string; range: SourceRange | undefined }
  | {
      kind: 'ingress-controller';
      node: string | null;
      controller: string;
      className: string;
      /** The controller's product (ingress-nginx, Traefik, ...), and whether kube-netsim knows it or simulates it generically. */
      product: string;
      known: boolean;
      host: string;
      path: string;
      /** The Ingress and rule that matched (or why nothing did). */
      ingress: string | undefined;
      match: string;
      backend: string | undefined;
      range: SourceRange | undefined;
    }
  | { kind: 'deliver'; node: string | null; pod: string; ip: string; port: number; note: string; range?: SourceRange | undefined }
  | { kind: 'leave-cluster'; node: string | null; host: string; note: string }
  | { kind: 'reject'; node: string | null; rule: string; reason: string; range: SourceRange | undefined }
  | { kind: 'drop'; node: string | null; rule: string | undefined; reason: string; range: SourceRange | undefined }
  | { kind: 'reverse-nat'; node: string | null; nat: 'dnat' | 'snat'; from: string; to: string; note: string }
  | { kind: 'reply'; node: string | null; from: string; to: string; note: string }
  | PortForwardHop;

/** The hops of `kubectl port-forward` (trace/portForward.ts): kubectl, the API server, the kubelet. */
export type PortForwardHop =
  | {
      kind: 'port-forward';
      stage: 'kubectl';
      node: null;
      /** As kubectl names it: `svc/backend -n shop`. */
      resource: string;
      pod: string;
      /** How kubectl chose the pod and the port, one sentence each. */
      choice: string;
      port: string;
      range: SourceRange | undefined;
    }
  | { kind: 'port-forward'; stage: 'api-server'; node: null; request: string }
  | { kind: 'port-forward'; stage: 'kubelet'; node: string; nodeIP: string; pod: string; port: number; hostNetwork: boolean };

export type HopKind = Hop['kind'];

export type Destination =
  | {
      kind: 'pod';
      namespace: string;
      name: string;
      workload: string;
      ip: string;
      port: number;
      node: string | null;
      /** The Service the route, the Ingress or the URL chose (`NAMESPACE/NAME`), when one did. */
      service?: string;
    }
  | { kind: 'external'; host: string }
  /** A listener of the node itself (the kubelet), not a pod. */
  | { kind: 'node'; node: string; ip: string; port: number; listener: 'kubelet' | 'kube-proxy health check' };

export interface TraceCandidate {
  pod: string;
  ip: string;
  port: number;
  node: string | null;
  /** Share of new connections that end up here, 0..1. */
  weight: number;
  chosen: boolean;
  /** The Service this endpoint belongs to (weighted backendRefs give each Service a share). */
  service?: string;
  /** Set on the share of an invalid backendRef: the Gateway answers it with this status (500). */
  status?: number;
}

/** The ingress controller of a trace: its class, what it is, where it runs and how it reaches the backends. */
export interface TraceIngressController {
  className: string;
  /** The IngressClass's spec.controller. */
  controller: string;
  /** ingress-nginx, traefik, haproxy, aws-alb, istio or generic. */
  profile: string;
  /** `NAMESPACE/NAME` of its Deployment, or of the ALB (outside the cluster). */
  dataPlane: string;
  /** pods: to the endpoints' pod IPs; service: through the ClusterIP; ip / instance: an ALB's target-type. */
  reaches: 'pods' | 'service' | 'ip' | 'instance';
  /** Set for a controller kube-netsim does not know: it is simulated generically. */
  note?: string;
}

/** What the gateway or ingress controller answered itself, or set on a delivered request's answer. */
export interface TraceResponse {
  status?: number;
  location?: string;
  headers?: Record<string, string>;
  grpcStatus?: string;
}

/** The request as the backend receives it (after URLRewrite and header modifiers). */
export interface TraceRequest {
  method: string;
  host: string;
  path: string;
  headers: Record<string, string>;
  tls?: 'terminated' | 'passthrough';
}

export interface TraceSourceInfo {
  kind: 'pod' | 'external' | 'node' | 'local';
  /** `namespace/pod`, `external`, `node/NAME`, or `local` (kubectl port-forward on the user's machine). */
  name: string;
  ip: string | undefined;
  node: string | undefined;
}

export interface TraceResult {
  verdict: TraceVerdict;
  reason: string;
  source: TraceSourceInfo;
  target: Target;
  protocol: Protocol;
  destination: Destination | null;
  /** The source address the destination sees (after any SNAT); null when nothing is reached. */
  sourceIPAtDestination: string | null;
  hops: Hop[];
  /** Every endpoint the last load-balancing step could have chosen, with its share. */
  candidates: TraceCandidate[];
  /** The way back for a delivered packet: routing in reverse and conntrack undoing each NAT. */
  reply: Hop[];
  response?: TraceResponse;
  request?: TraceRequest;
  /** The ingress controller the request went through, as it runs (set when an Ingress routed it). */
  ingressController?: TraceIngressController;
  /** Set on a trace of `kubectl port-forward` (`--from local`). */
  portForward?: PortForwardInfo;
}

/** What a port-forward trace adds: the command, kubectl's pick, what it bypasses, and the same connection from a pod. */
export interface PortForwardInfo {
  /** The kubectl command this trace stands for. */
  command: string;
  /** `svc`, `pod` or a workload kind, as the target named it. */
  resource: string;
  namespace: string;
  name: string;
  /** Local port (undefined: kubectl picks a free one) and the port dialled inside the pod. */
  localPort: number | undefined;
  remotePort: number | undefined;
  pod: string | undefined;
  /** The pods kubectl listed, in the order it sorts them (the first is its pick). */
  ranked: Array<{ pod: string; node: string | null; phase: string; ready: boolean }>;
  /** What does not take part, which would for a connection from a pod. */
  bypassed: string[];
  /** The same connection from a pod of the manifests (undefined when there is no pod to try it from). */
  fromPod: { checked: number; failing: number; source: string; to: string; verdict: TraceVerdict; reason: string } | undefined;
}
