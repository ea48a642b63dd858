// Kinds that shape traffic (route it, split it, authorise it, or allow and deny it) but that
// kube-netsim does not simulate. Each gets one kind-not-simulated info at its `kind`, and the
// analysis summary counts them, so a clean run never hides that part of the traffic's path was left
// out. The list is kept in this one set: a branch that comes to simulate a kind (the CNIs' own
// policies, say) deletes its line here.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from './fields';
import { namespaceOf } from './kinds';
import type { ManifestObject } from './types';

/** `group/Kind` of every kind that shapes traffic and is not simulated (any version of the group). */
export const NOT_SIMULATED_KINDS: ReadonlySet<string> = new Set([
  // Istio: routing, destinations, mesh-wide ingress/egress, mTLS and authorisation.
  'networking.istio.io/VirtualService',
  'networking.istio.io/DestinationRule',
  'networking.istio.io/Gateway',
  'networking.istio.io/ServiceEntry',
  'networking.istio.io/Sidecar',
  'networking.istio.io/EnvoyFilter',
  'networking.istio.io/WorkloadEntry',
  'networking.istio.io/WorkloadGroup',
  'security.istio.io/PeerAuthentication',
  'security.istio.io/AuthorizationPolicy',
  'security.istio.io/RequestAuthentication',
  // Linkerd: policy (servers, authorisations, routes) and service profiles; SMI traffic splits.
  'policy.linkerd.io/Server',
  'policy.linkerd.io/ServerAuthorization',
  'policy.linkerd.io/AuthorizationPolicy',
  'policy.linkerd.io/HTTPRoute',
  'policy.linkerd.io/GRPCRoute',
  'policy.linkerd.io/MeshTLSAuthentication',
  'policy.linkerd.io/NetworkAuthentication',
  'linkerd.io/ServiceProfile',
  'split.smi-spec.io/TrafficSplit',
  // Consul service mesh: config entries that route, split, resolve and authorise.
  'consul.hashicorp.com/ServiceDefaults',
  'consul.hashicorp.com/ServiceRouter',
  'consul.hashicorp.com/ServiceSplitter',
  'consul.hashicorp.com/ServiceResolver',
  'consul.hashicorp.com/ServiceIntentions',
  'consul.hashicorp.com/ProxyDefaults',
  'consul.hashicorp.com/Mesh',
  'consul.hashicorp.com/IngressGateway',
  'consul.hashicorp.com/TerminatingGateway',
  'consul.hashicorp.com/ExportedServices',
  // Traefik (both API groups it has used).
  'traefik.io/IngressRoute',
  'traefik.io/IngressRouteTCP',
  'traefik.io/IngressRouteUDP',
  'traefik.io/Middleware',
  'traefik.io/MiddlewareTCP',
  'traefik.io/TraefikService',
  'traefik.io/ServersTransport',
  'traefik.io/ServersTransportTCP',
  'traefik.io/TLSOption',
  'traefik.containo.us/IngressRoute',
  'traefik.containo.us/IngressRouteTCP',
  'traefik.containo.us/IngressRouteUDP',
  'traefik.containo.us/Middleware',
  'traefik.containo.us/MiddlewareTCP',
  'traefik.containo.us/TraefikService',
  'traefik.containo.us/ServersTransport',
  'traefik.containo.us/TLSOption',
  // Kong.
  'configuration.konghq.com/KongIngress',
  'configuration.konghq.com/KongPlugin',
  'configuration.konghq.com/KongClusterPlugin',
  'configuration.konghq.com/KongConsumer',
  'configuration.konghq.com/TCPIngress',
  'configuration.konghq.com/UDPIngress',
  'configuration.konghq.com/KongUpstreamPolicy',
  // Contour.
  'projectcontour.io/HTTPProxy',
  'projectcontour.io/TLSCertificateDelegation',
  'projectcontour.io/ExtensionService',
  // Emissary-ingress (Ambassador).
  'getambassador.io/Mapping',
  'getambassador.io/TCPMapping',
  'getambassador.io/Host',
  // Gateway API: GatewayClass, Gateway, the five route kinds and ReferenceGrant are simulated
  // (src/engine/gateway/); the TLS a gateway speaks to its backends is not.
  'gateway.networking.k8s.io/BackendTLSPolicy',
  // The CNIs' own policies are simulated (src/engine/policy/cilium.ts, calico.ts); these other kinds of theirs are not.
  'cilium.io/CiliumCIDRGroup',
  'cilium.io/CiliumEgressGatewayPolicy',
  'cilium.io/CiliumLocalRedirectPolicy',
  'cilium.io/CiliumEnvoyConfig',
  'cilium.io/CiliumClusterwideEnvoyConfig',
  'projectcalico.org/NetworkSet',
  'projectcalico.org/GlobalNetworkSet',
  'projectcalico.org/HostEndpoint',
  'projectcalico.org/StagedNetworkPolicy',
  'projectcalico.org/StagedGlobalNetworkPolicy',
  'crd.projectcalico.org/NetworkSet',
  'crd.projectcalico.org/GlobalNetworkSet',
  'crd.projectcalico.org/HostEndpoint',
  'projectcalico.org/StagedKubernetesNetworkPolicy',
  // Antrea's own policies (tiers, priorities, Allow/Drop/Reject/Pass) and groups.
  'crd.antrea.io/ClusterNetworkPolicy',
  'crd.antrea.io/NetworkPolicy',
  'crd.antrea.io/Tier',
  'crd.antrea.io/ClusterGroup',
  'crd.antrea.io/Group',
  'crd.antrea.io/Egress',
  // OpenShift and OVN-Kubernetes: egress firewalls and egress addresses (Routes are read by the matrix, ingress/backends.ts).
  'network.openshift.io/EgressNetworkPolicy',
  'k8s.ovn.org/EgressFirewall',
  'k8s.ovn.org/EgressIP',
  'k8s.ovn.org/EgressService',
  'k8s.ovn.org/EgressQoS',
  'k8s.ovn.org/AdminPolicyBasedExternalRoute',
  // Gateway API implementations' own policies and filters, which people meet when moving off ingress-nginx.
  'gateway.envoyproxy.io/SecurityPolicy',
  'gateway.envoyproxy.io/BackendTrafficPolicy',
  'gateway.envoyproxy.io/ClientTrafficPolicy',
  'gateway.envoyproxy.io/EnvoyPatchPolicy',
  'gateway.envoyproxy.io/EnvoyExtensionPolicy',
  'gateway.envoyproxy.io/EnvoyProxy',
  'gateway.envoyproxy.io/HTTPRouteFilter',
  'gateway.envoyproxy.io/Backend',
  'gateway.nginx.org/ClientSettingsPolicy',
  'gateway.nginx.org/NginxProxy',
  'gateway.nginx.org/SnippetsFilter',
  'gateway.nginx.org/UpstreamSettingsPolicy',
  'gateway.kgateway.dev/TrafficPolicy',
  'gateway.kgateway.dev/HTTPListenerPolicy',
  'gateway.kgateway.dev/BackendConfigPolicy',
  'gateway.kgateway.dev/Backend',
  'networking.gke.io/GCPBackendPolicy',
  'networking.gke.io/GCPGatewayPolicy',
  'networking.gke.io/HealthCheckPolicy',
  'networking.gke.io/FQDNNetworkPolicy',
  'cloud.google.com/BackendConfig',
  'elbv2.k8s.aws/TargetGroupBinding',
  // Gateway API's experimental kinds (the x-k8s.io group): listeners and backend policies attached from outside the Gateway.
  'gateway.networking.x-k8s.io/XListenerSet',
  'gateway.networking.x-k8s.io/XBackendTrafficPolicy',
  // Multi-cluster Services (clusterset.local names) and Kuma's mesh policies.
  'multicluster.x-k8s.io/ServiceExport',
  'multicluster.x-k8s.io/ServiceImport',
  'kuma.io/MeshTrafficPermission',
  'kuma.io/MeshHTTPRoute',
  'kuma.io/MeshTCPRoute',
  'kuma.io/MeshTimeout',
  'kuma.io/MeshRetry',
  'kuma.io/MeshCircuitBreaker',
  'kuma.io/MeshFaultInjection',
  // MetalLB: the addresses LoadBalancer Services get, and how they are announced.
  'metallb.io/IPAddressPool',
  'metallb.io/L2Advertisement',
  'metallb.io/BGPAdvertisement',
]);

/** Who defines each group, and what its kinds do to traffic, for the message. */
const GROUPS: Readonly<Record<string, { product: string; effect: string }>> = {
  'networking.istio.io': { product: 'Istio', effect: 'how the mesh routes, retries and balances requests' },
  'security.istio.io': { product: 'Istio', effect: 'which requests the mesh admits and whether they need mTLS' },
  'policy.linkerd.io': { product: 'Linkerd', effect: 'which requests the mesh admits and how it routes them' },
  'linkerd.io': { product: 'Linkerd', effect: 'how the mesh routes, retries and times out requests' },
  'split.smi-spec.io': { product: 'the Service Mesh Interface (SMI)', effect: 'how requests are split between Services' },
  'consul.hashicorp.com': { product: 'Consul', effect: 'how the mesh routes, splits and authorises requests' },
  'traefik.io': { product: 'Traefik', effect: 'how Traefik routes and rewrites requests' },
  'traefik.containo.us': { product: 'Traefik', effect: 'how Traefik routes and rewrites requests' },
  'configuration.konghq.com': { product: 'Kong', effect: 'how Kong routes, rewrites and authorises requests' },
  'projectcontour.io': { product: 'Contour', effect: 'how Contour routes requests' },
  'getambassador.io': { product: 'Emissary-ingress', effect: 'how Emissary routes requests' },
  'gateway.networking.k8s.io': { product: 'the Gateway API', effect: 'how gateways route requests to Services' },
  'cilium.io': { product: 'Cilium', effect: 'which connections are allowed or denied' },
  'projectcalico.org': { product: 'Calico', effect: 'which connections are allowed or denied' },
  'crd.projectcalico.org': { product: 'Calico', effect: 'which connections are allowed or denied' },
  'crd.antrea.io': { product: 'Antrea', effect: 'which connections are allowed, dropped or rejected, and the egress address' },
  'network.openshift.io': { product: 'OpenShift', effect: 'which egress connections are allowed' },
  'k8s.ovn.org': { product: 'OVN-Kubernetes', effect: 'which egress connections are allowed and which address they leave with' },
  'gateway.envoyproxy.io': { product: 'Envoy Gateway', effect: 'how its gateways authorise, route, retry and balance requests' },
  'gateway.nginx.org': { product: 'NGINX Gateway Fabric', effect: 'how its gateways accept and forward requests' },
  'gateway.kgateway.dev': { product: 'kgateway', effect: 'how its gateways authorise, transform and forward requests' },
  'networking.gke.io': { product: 'GKE', effect: 'how Google load balancers reach backends, and which egress names are allowed' },
  'cloud.google.com': { product: 'GKE', effect: 'how Google load balancers reach backends' },
  'elbv2.k8s.aws': { product: 'the AWS Load Balancer Controller', effect: 'which pods an existing AWS target group sends traffic to' },
  'gateway.networking.x-k8s.io': {
    product: "the Gateway API's experimental channel",
    effect: 'which listeners gateways have and how they reach backends',
  },
  'multicluster.x-k8s.io': { product: 'Multi-Cluster Services', effect: 'which Services other clusters reach under clusterset.local' },
  'kuma.io': { product: 'Kuma', effect: 'which requests the mesh admits and how it routes them' },
  'metallb.io': { product: 'MetalLB', effect: 'which addresses LoadBalancer Services get and how they are announced' },
};

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether kube-netsim leaves this object's effect on traffic out (a kind of NOT_SIMULATED_KINDS). */
export function isNotSimulated(o: Pick<ManifestObject, 'apiVersion' | 'kind'>): boolean {
  return NOT_SIMULATED_KINDS.has(`${groupOf(o.apiVersion)}/${o.kind}`);
}

/** One kind the input holds objects of, that is not simulated: for the analysis summary. */
export interface NotSimulatedKind {
  group: string;
  kind: string;
  product: string;
  /** `Kind/NAMESPACE/NAME` of each object, in input order. */
  objects: string[];
}

/**
 * Reports every object of a kind that is not simulated (one kind-not-simulated info at its `kind`)
 * and returns them counted by kind, in the order they first appear.
 */
export function reportNotSimulated(objects: ManifestObject[], diagnostics: Diagnostic[]): NotSimulatedKind[] {
  const byKind = new Map<string, NotSimulatedKind>();
  for (const o of objects) {
    if (!isNotSimulated(o)) continue;
    const group = groupOf(o.apiVersion);
    const info = GROUPS[group] ?? { product: group, effect: 'how traffic flows' };
    const resource = resourceName({ kind: o.kind, namespace: namespaceOf(o), name: o.name });
    diagnostics.push(
      makeDiagnostic(
        'kind-not-simulated',
        o.locate(['kind']),
        { kind: o.kind, group, product: info.product, effect: info.effect },
        resource,
      ),
    );
    const key = `${group}/${o.kind}`;
    let entry = byKind.get(key);
    if (!entry) byKind.set(key, (entry = { group, kind: o.kind, product: info.product, objects: [] }));
    entry.objects.push(resource);
  }
  return [...byKind.values()];
}
