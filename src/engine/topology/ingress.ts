// The Ingress part of the topology: each Ingress with its routes (host/path → Service) and the
// controller Service in front of it, as the Ingress engine (src/engine/ingress/model.ts) read them.
// Routing semantics stay there; this only lists the rules in the order written.
import { cmp } from '../diagnostics';
import { locate, serviceId, type Cluster } from '../cluster/model';
import type { IngressBackend, IngressModel, SimIngress } from '../ingress/model';
import type { FieldPath } from '../source';
import type { TopoIngress, TopoIngressRoute } from './types';

function route(
  ing: SimIngress,
  services: Set<string>,
  b: IngressBackend,
  host: string | null,
  path: string | null,
  pathType: string | null,
  at: FieldPath,
  isDefault: boolean,
): TopoIngressRoute {
  const service = b.service ? `${ing.namespace}/${b.service.name}` : null;
  const out: TopoIngressRoute = {
    host,
    path,
    pathType,
    service,
    port: b.service?.port ?? null,
    resolved: service !== null && services.has(service),
    defaultBackend: isDefault,
  };
  const source = locate(ing.origin, at);
  return source ? { ...out, source } : out;
}

/** Every Ingress with its routes, sorted by id; routes in the order written (default backend first). */
export function readIngresses(cluster: Cluster, model: IngressModel): TopoIngress[] {
  const services = new Set(cluster.services.map(serviceId));
  const out: TopoIngress[] = [];
  for (const ing of model.ingresses) {
    const routes: TopoIngressRoute[] = [];
    if (ing.defaultBackend) routes.push(route(ing, services, ing.defaultBackend, null, null, null, ing.defaultBackend.path, true));
    for (const rule of ing.rules) {
      for (const p of rule.paths)
        routes.push(route(ing, services, p.backend, rule.host ?? null, p.path, p.pathType, [...p.fieldPath, 'path'], false));
    }
    const controller = model.controllers.find((c) => c.className !== undefined && c.className === ing.className);
    const lb = controller?.profile.dataPlane === 'outside' ? model.albOf(ing) : undefined;
    const entry: TopoIngress = {
      id: `${ing.namespace}/${ing.name}`,
      namespace: ing.namespace,
      name: ing.name,
      className: ing.className ?? null,
      controllerService: controller?.service ? serviceId(controller.service) : null,
      controller: controller
        ? lb
          ? { profile: controller.profile.kind, runs: 'outside', dataPlane: lb.hostname, external: `alb:${lb.key}` }
          : { profile: controller.profile.kind, runs: 'in-cluster', dataPlane: `${controller.namespace}/${controller.name}` }
        : null,
      routes,
    };
    const source = locate(ing.origin, ['metadata', 'name']);
    out.push(source ? { ...entry, source } : entry);
  }
  return out.sort((a, b) => cmp(a.id, b.id));
}
