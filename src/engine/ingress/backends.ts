// What Ingress objects (and OpenShift Routes, which the OpenShift router serves the same way) expose,
// read minimally for the connectivity list: each backend's Service and port, resolved to the pods it
// selects and their target ports. The full Ingress model
// (hosts, paths, classes, diagnostics) lives with the ingress module; this helper only needs the
// backends and can be replaced by that module's resolution.
import { FieldReader, isRecord } from '../manifests/fields';
import { mapMatches } from '../cluster/labels';
import { resolveTargetPort } from '../services/endpoints';
import type { Diagnostic } from '../diagnostics';
import type { Cluster, Protocol, SimPod, SimService } from '../cluster/model';
import type { FieldPath } from '../source';
import { namespaceOf, DEFAULT_NAMESPACE } from '../manifests/kinds';

/** A pod an Ingress or Route sends traffic to, on the port it lands on (after the Service's targetPort). */
export interface IngressExposure {
  /** The kind of object that routes there. */
  via: 'Ingress' | 'Route';
  /** `NAMESPACE/NAME` of that object. */
  ingress: string;
  pod: SimPod;
  port: number;
  protocol: Protocol;
}

/** A Service port an Ingress backend or Route names, as the Service it points to and the port. */
interface BackendRef {
  service: string;
  /** Ingress: the Service port's number or name. Route: `spec.port.targetPort`, see routePorts. */
  port: number | string | undefined;
}

/** Every (pod, port) some networking.k8s.io/v1 Ingress or route.openshift.io/v1 Route routes to, through its backends' Services. */
export function ingressExposures(cluster: Cluster): IngressExposure[] {
  const out: IngressExposure[] = [];
  const ignored: Diagnostic[] = []; // the ingress module reports backend problems; this reading stays quiet
  const podsByNamespace = new Map<string, SimPod[]>();
  for (const pod of cluster.pods) {
    if (pod.origin.kind !== 'manifest') continue;
    const list = podsByNamespace.get(pod.namespace) ?? [];
    list.push(pod);
    podsByNamespace.set(pod.namespace, list);
  }
  for (const o of cluster.objects) {
    const isIngress = o.kind === 'Ingress' && o.apiVersion === 'networking.k8s.io/v1';
    const isRoute = o.kind === 'Route' && o.apiVersion === 'route.openshift.io/v1';
    if (!isIngress && !isRoute) continue;
    const namespace = namespaceOf(o) ?? DEFAULT_NAMESPACE;
    const r = new FieldReader(o, ignored);
    const refs = isIngress ? ingressBackends(r) : routeBackends(r);
    const seen = new Set<string>();
    for (const ref of refs) {
      const svc = cluster.services.find((s) => s.namespace === namespace && s.name === ref.service);
      // A Service without a selector (or with an empty one) gets no endpoints from pods.
      if (!svc || svc.selector === null || Object.keys(svc.selector).length === 0) continue;
      const ports = isIngress ? ingressPorts(svc, ref.port) : routePorts(svc, ref.port);
      for (const sp of ports) {
        for (const pod of podsByNamespace.get(namespace) ?? []) {
          if (!mapMatches(svc.selector, pod.labels)) continue;
          const target = resolveTargetPort(pod, sp.targetPort, sp.protocol);
          const key = `${pod.name}/${target}/${sp.protocol}`;
          if (target === undefined || seen.has(key)) continue;
          seen.add(key);
          out.push({ via: isIngress ? 'Ingress' : 'Route', ingress: `${namespace}/${o.name}`, pod, port: target, protocol: sp.protocol });
        }
      }
    }
  }
  return out;
}

/** An Ingress's defaultBackend and rule backends that name a Service. */
function ingressBackends(r: FieldReader): BackendRef[] {
  const paths: FieldPath[] = [];
  if (r.raw(['spec', 'defaultBackend']) !== undefined) paths.push(['spec', 'defaultBackend']);
  (r.list(['spec', 'rules']) ?? []).forEach((_, i) => {
    (r.list(['spec', 'rules', i, 'http', 'paths']) ?? []).forEach((__, j) =>
      paths.push(['spec', 'rules', i, 'http', 'paths', j, 'backend']),
    );
  });
  const refs: BackendRef[] = [];
  for (const path of paths) {
    const service = r.raw([...path, 'service']);
    if (!isRecord(service) || typeof service['name'] !== 'string') continue;
    const port = isRecord(service['port']) ? (service['port']['number'] ?? service['port']['name']) : undefined;
    refs.push({ service: service['name'], port: typeof port === 'number' || typeof port === 'string' ? port : undefined });
  }
  return refs;
}

/** The Service port an Ingress backend names, by number or name. */
function ingressPorts(svc: SimService, port: number | string | undefined): SimService['ports'] {
  const sp = svc.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
  return sp ? [sp] : [];
}

/**
 * A Route's `spec.to` and `spec.alternateBackends` (each of kind Service, the only kind a Route may
 * name; an unset kind means Service), all on the Route's one `spec.port.targetPort`.
 */
function routeBackends(r: FieldReader): BackendRef[] {
  const port = r.raw(['spec', 'port', 'targetPort']);
  const targetPort = typeof port === 'number' || typeof port === 'string' ? port : undefined;
  const refs: BackendRef[] = [];
  for (const to of [r.raw(['spec', 'to']), ...(r.list(['spec', 'alternateBackends']) ?? [])]) {
    if (!isRecord(to) || typeof to['name'] !== 'string') continue;
    if (to['kind'] !== undefined && to['kind'] !== 'Service') continue;
    refs.push({ service: to['name'], port: targetPort });
  }
  return refs;
}

/**
 * The Service ports a Route's `spec.port.targetPort` picks. Without one, the router serves every port
 * of the Service. The OpenShift API says a name is a port name of the Service's endpoints (the
 * Service port's name) and a number the port on the pods; netpol-analyzer also takes the Service's
 * own port number, and the first Service port that matches any of these is the one.
 */
function routePorts(svc: SimService, port: number | string | undefined): SimService['ports'] {
  // The router proxies HTTP and TLS: only TCP ports carry its traffic.
  const tcp = svc.ports.filter((p) => p.protocol === 'TCP');
  if (port === undefined) return tcp;
  const sp = tcp.find((p) =>
    typeof port === 'string' ? p.name === port || p.targetPort === port : p.port === port || p.targetPort === port,
  );
  return sp ? [sp] : [];
}
