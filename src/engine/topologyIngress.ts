// A minimal reading of Ingress objects for the topology view: which host/path goes to which
// Service. Routing semantics (matching, precedence, controllers) belong to the Ingress engine;
// this only lists the rules as written so the view can fan them out.
import { isRecord } from './fields';
import { namespaceOf, DEFAULT_NAMESPACE } from './cluster';
import { cmp } from './diagnostics';
import type { Cluster } from './model';
import type { ManifestObject } from './manifests';
import type { FieldPath } from './source';
import type { TopoIngress, TopoIngressRoute } from './topologyTypes';

const INGRESS_API = new Set(['networking.k8s.io/v1', 'networking.k8s.io/v1beta1', 'extensions/v1beta1']);

function at(o: unknown, path: FieldPath): unknown {
  let cur = o;
  for (const k of path) {
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k] : undefined;
    else cur = isRecord(cur) ? cur[k] : undefined;
  }
  return cur;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The Service and port a backend names: v1 `service: {name, port: {number|name}}`, v1beta1 `serviceName`/`servicePort`. */
function backendOf(b: unknown): { name: string; port: number | string | null } | undefined {
  const name = str(at(b, ['service', 'name']));
  if (name) {
    const num = at(b, ['service', 'port', 'number']);
    const pname = str(at(b, ['service', 'port', 'name']));
    return { name, port: typeof num === 'number' ? num : pname };
  }
  const legacy = str(at(b, ['serviceName']));
  if (legacy) {
    const p = at(b, ['servicePort']);
    return { name: legacy, port: typeof p === 'number' || typeof p === 'string' ? p : null };
  }
  return undefined;
}

function ingressClass(o: ManifestObject): string | null {
  return str(at(o.raw, ['spec', 'ingressClassName'])) ?? str(at(o.raw, ['metadata', 'annotations', 'kubernetes.io/ingress.class']));
}

/**
 * The Service in front of a class's controller. The simulator adds one (a LoadBalancer Service
 * whose name carries the class, in an ingress namespace) when the workspace does not ship it.
 */
function controllerService(cluster: Cluster, className: string | null): string | null {
  const candidates = cluster.services
    .filter((s) => s.type === 'LoadBalancer' && /ingress/.test(s.namespace + s.name) && /controller/.test(s.name))
    .sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  const named = className ? candidates.find((s) => s.name.includes(className) || s.namespace.includes(className)) : undefined;
  const svc = named ?? (candidates.length === 1 ? candidates[0] : undefined);
  return svc ? `${svc.namespace}/${svc.name}` : null;
}

/** Every Ingress of the workspace with its routes, sorted by id; routes in the order written. */
export function readIngresses(cluster: Cluster): TopoIngress[] {
  const services = new Set(cluster.services.map((s) => `${s.namespace}/${s.name}`));
  const out: TopoIngress[] = [];
  for (const o of cluster.objects) {
    if (o.kind !== 'Ingress' || !INGRESS_API.has(o.apiVersion)) continue;
    const namespace = namespaceOf(o) ?? DEFAULT_NAMESPACE;
    const routes: TopoIngressRoute[] = [];
    const route = (b: unknown, host: string | null, path: string | null, pathType: string | null, fieldPath: FieldPath, isDefault: boolean) => {
      const backend = backendOf(b);
      const service = backend ? `${namespace}/${backend.name}` : null;
      routes.push({ host, path, pathType, service, port: backend?.port ?? null, resolved: service !== null && services.has(service), defaultBackend: isDefault, source: o.locate(fieldPath) });
    };
    const def = at(o.raw, ['spec', 'defaultBackend']) ?? at(o.raw, ['spec', 'backend']);
    if (isRecord(def)) route(def, null, null, null, isRecord(at(o.raw, ['spec', 'defaultBackend'])) ? ['spec', 'defaultBackend'] : ['spec', 'backend'], true);
    const rules = at(o.raw, ['spec', 'rules']);
    (Array.isArray(rules) ? rules : []).forEach((rule, ri) => {
      const host = str(at(rule, ['host']));
      const paths = at(rule, ['http', 'paths']);
      (Array.isArray(paths) ? paths : []).forEach((p, pi) => {
        const fieldPath = ['spec', 'rules', ri, 'http', 'paths', pi];
        route(at(p, ['backend']), host, str(at(p, ['path'])) ?? '/', str(at(p, ['pathType'])) ?? 'ImplementationSpecific', [...fieldPath, 'path'], false);
      });
    });
    const className = ingressClass(o);
    out.push({ id: `${namespace}/${o.name}`, namespace, name: o.name, className, controllerService: controllerService(cluster, className), routes, source: o.locate(['metadata', 'name']) });
  }
  return out.sort((a, b) => cmp(a.id, b.id));
}
