// backendRefs resolved as a controller resolves them for the route's ResolvedRefs condition: a
// kind it can send to (a core Service), a ReferenceGrant in the target namespace for any
// reference across namespaces, a Service that exists, and a port that Service exposes.
import { serviceId, type Cluster } from '../cluster/model';
import { GATEWAY_GROUP, type BackendRef, type BackendStatus, type RouteKind, type SimReferenceGrant } from './types';

/** The ReferenceGrant in the target's namespace that lets `from` refer to `to`, if one does. */
export function grantFor(
  grants: readonly SimReferenceGrant[],
  from: { group: string; kind: string; namespace: string },
  to: { group: string; kind: string; namespace: string; name: string },
): SimReferenceGrant | undefined {
  return grants.find(
    (g) =>
      g.namespace === to.namespace &&
      g.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      g.to.some((t) => t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === to.name)),
  );
}

/** Resolves one backendRef of a route in `routeNamespace` (rule -1 for a mirror's target). */
export function resolveBackendRef(
  cluster: Cluster,
  grants: readonly SimReferenceGrant[],
  route: { kind: RouteKind; namespace: string },
  ref: BackendRef,
  rule: number,
): BackendStatus {
  const out = (resolved: boolean, reason: BackendStatus['reason'], message: string, extra: Partial<BackendStatus> = {}): BackendStatus => ({
    ref,
    rule,
    service: undefined,
    port: undefined,
    resolved,
    reason,
    message,
    grant: undefined,
    ...extra,
  });
  if (ref.group !== '' || ref.kind !== 'Service')
    return out(
      false,
      'InvalidKind',
      `backendRef ${ref.name} is a ${ref.group ? `${ref.group}/` : ''}${ref.kind}, not a Service; the simulation (and a core-conformant controller) sends only to Services`,
    );
  let grant: SimReferenceGrant | undefined;
  if (ref.namespace !== route.namespace) {
    grant = grantFor(
      grants,
      { group: GATEWAY_GROUP, kind: route.kind, namespace: route.namespace },
      { group: '', kind: 'Service', namespace: ref.namespace, name: ref.name },
    );
    if (!grant)
      return out(
        false,
        'RefNotPermitted',
        `Service ${ref.namespace}/${ref.name} is in another namespace and no ReferenceGrant in ${ref.namespace} lets ${route.kind}s of ${route.namespace} refer to it`,
      );
  }
  const service = cluster.services.find((s) => s.namespace === ref.namespace && s.name === ref.name);
  if (!service) return out(false, 'BackendNotFound', `Service ${ref.namespace}/${ref.name} does not exist`, { grant });
  const port = ref.port === undefined ? undefined : service.ports.find((p) => p.port === ref.port);
  if (!port) {
    const ports = service.ports.map((p) => String(p.port)).join(', ') || 'none';
    const what = ref.port === undefined ? 'names no port' : `names port ${ref.port}`;
    return out(false, 'BackendNotFound', `backendRef ${what}, and Service ${serviceId(service)} exposes ${ports}`, { grant, service });
  }
  return out(
    true,
    'ResolvedRefs',
    `Service ${serviceId(service)} port ${port.port}${grant ? ` (permitted by ReferenceGrant ${grant.namespace}/${grant.name})` : ''}`,
    {
      grant,
      service,
      port,
    },
  );
}
