// The Gateway API: routes, their parents and backends, listeners, classes and grants. Each message
// names the status condition and reason a controller would write, and each verify command shows
// that status on a live cluster.
import { named, nsFlag, type CodeInfo, type Params, type ResourceRef } from './format';

const GATEWAY_DOCS = 'https://gateway-api.sigs.k8s.io';
/** `kubectl get KIND NAME -n NS -o yaml`: the object's status, where the controller writes the conditions. */
const statusOf = (_p: Params, r: ResourceRef | undefined): string[] =>
  r ? [`kubectl get ${r.kind.toLowerCase()} ${r.name}${nsFlag(r.namespace)} -o yaml`] : [];

export const GATEWAY_CODES = {
  'route-not-accepted': {
    severity: 'error',
    summary: "A route's parentRef is not accepted (Accepted False) by the Gateway it names, so no traffic reaches the route through it.",
    docs: `${GATEWAY_DOCS}/api-types/httproute/#attaching-to-gateways`,
    format: (p) => `${p.route} is not accepted by Gateway ${p.gateway}: Accepted False, reason ${p.reason} (${p.why}). ${p.todo}`,
    verify: (p, r) => [...statusOf(p, r), `kubectl get gateway ${named(p.gateway)} -o yaml`],
  },
  'route-backend-not-permitted': {
    severity: 'error',
    summary: 'A route refers to a Service in another namespace that no ReferenceGrant there permits (ResolvedRefs False, RefNotPermitted).',
    docs: `${GATEWAY_DOCS}/api-types/referencegrant/`,
    format: (p) =>
      `Service ${p.service} is in namespace ${p.namespace}, and no ReferenceGrant there lets ${p.kind}s of namespace ${p.from} refer to it (ResolvedRefs False, RefNotPermitted): ${p.effect}. Add a ReferenceGrant in ${p.namespace} from ${p.kind} in ${p.from} to Service ${p.name}.${p.hint ? ` ${p.hint}` : ''}`,
    verify: (p, r) => [...statusOf(p, r), `kubectl get referencegrant${nsFlag(p.namespace)} -o yaml`],
  },
  'route-backend-missing': {
    severity: 'error',
    summary: 'A route backendRef names a Service that does not exist, or a kind that is not a Service (ResolvedRefs False).',
    docs: `${GATEWAY_DOCS}/api-types/httproute/#backendrefs`,
    format: (p) => `${p.what} (ResolvedRefs False, ${p.reason}): ${p.effect}.${p.hint ? ` ${p.hint}` : ''}`,
    verify: (p, r) => [...statusOf(p, r), `kubectl get svc${nsFlag(p.namespace)}`],
  },
  'route-backend-port-missing': {
    severity: 'error',
    summary: 'A route backendRef names no port, or a port its Service does not expose (ResolvedRefs False, BackendNotFound).',
    docs: `${GATEWAY_DOCS}/api-types/httproute/#backendrefs`,
    format: (p) =>
      `${p.problem} (Service ${p.service} exposes ${p.ports}): ResolvedRefs False, BackendNotFound: ${p.effect}. Use one of its ports (the Service port, not the targetPort).`,
    verify: (p, r) => [...statusOf(p, r), `kubectl describe svc ${named(p.service)}`],
  },
  'gateway-listener-conflict': {
    severity: 'error',
    summary: 'Two listeners of a Gateway share a port without being distinct (Conflicted True), so the later one is not programmed.',
    docs: `${GATEWAY_DOCS}/api-types/gateway/#listeners`,
    format: (p) =>
      `Listener ${p.listener} conflicts with listener ${p.other} on port ${p.port} (Conflicted True, ${p.reason}): ${p.why}, so routes cannot attach to it and it serves nothing. ${p.todo}`,
    verify: statusOf,
  },
  'gateway-listener-certificate-unresolved': {
    severity: 'warning',
    summary:
      "A listener's tls.certificateRefs do not resolve (ResolvedRefs False: RefNotPermitted or InvalidCertificateRef), so it is not programmed and TLS to it fails.",
    docs: `${GATEWAY_DOCS}/api-types/gateway/#listeners`,
    format: (p) =>
      `Listener ${p.listener} has no certificate it can present: ResolvedRefs False, ${p.reason} (${p.why}), so it is not programmed and a TLS connection to it fails; routes still attach to it. ${p.todo}`,
    verify: statusOf,
  },
  'gatewayclass-missing': {
    severity: 'warning',
    summary: 'A Gateway names a GatewayClass the workspace does not define, so no known controller programs it.',
    docs: `${GATEWAY_DOCS}/api-types/gatewayclass/`,
    format: (p) =>
      `Gateway ${p.gateway} names GatewayClass ${p.className}, which the workspace does not define and no controller installs by that name: nothing programs the Gateway, so it gets no address and none of its ${p.routes} carries traffic in the simulation.${p.hint ? ` ${p.hint}` : ''} Define the GatewayClass (spec.controllerName names its controller) or use the class your controller installs.`,
    verify: (_p, r) => ['kubectl get gatewayclass', ...(r ? [`kubectl get gateway ${r.name}${nsFlag(r.namespace)} -o yaml`] : [])],
  },
  'route-hostname-unserved': {
    severity: 'warning',
    summary: 'A route hostname intersects no hostname of the listeners the route attaches to, so requests for it never reach the route.',
    docs: `${GATEWAY_DOCS}/api-types/httproute/#hostnames`,
    format: (p) =>
      `Hostname ${p.hostname} of ${p.route} matches none of the listeners it attaches to (${p.listeners}): the Gateway never sends requests for ${p.hostname} to this route. Add a listener that accepts it, or remove it from spec.hostnames.`,
    verify: statusOf,
  },
  'referencegrant-unused': {
    severity: 'warning',
    summary: 'A ReferenceGrant permits no reference that any route or Gateway in the workspace makes, so it grants nothing.',
    docs: `${GATEWAY_DOCS}/api-types/referencegrant/`,
    format: (p) => `ReferenceGrant ${p.grant} grants nothing: ${p.why}. ${p.todo}`,
    verify: (p, r) => [...statusOf(p, r), `kubectl get httproute,grpcroute,tlsroute,tcproute,udproute -A`],
  },
  'route-rule-shadowed': {
    severity: 'warning',
    summary: 'A route rule can never match: a rule with the same or higher precedence matches every request it would.',
    docs: `${GATEWAY_DOCS}/api-types/httproute/#matches`,
    format: (p) =>
      `Rule ${p.rule} of ${p.route} can never match: ${p.other} matches every request it matches and takes precedence (${p.why}). Make its match more specific, or remove it.`,
    verify: statusOf,
  },
} satisfies Record<string, CodeInfo>;
