// What Ingress objects expose, read minimally for the connectivity list: each backend's Service
// and port, resolved to the pods it selects and their target ports. The full Ingress model
// (hosts, paths, classes, diagnostics) lives with the ingress module; this helper only needs the
// backends and can be replaced by that module's resolution.
import { FieldReader, isRecord } from '../manifests/fields';
import { mapMatches } from '../cluster/labels';
import { resolveTargetPort } from '../services/endpoints';
import type { Diagnostic } from '../diagnostics';
import type { Cluster, Protocol, SimPod } from '../cluster/model';
import type { FieldPath } from '../source';
import { namespaceOf, DEFAULT_NAMESPACE } from '../manifests/kinds';

/** A pod an Ingress sends traffic to, on the port it lands on (after the Service's targetPort). */
export interface IngressExposure {
  ingress: string;
  pod: SimPod;
  port: number;
  protocol: Protocol;
}

/** Every (pod, port) some networking.k8s.io/v1 Ingress routes to, through its backends' Services. */
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
    if (o.kind !== 'Ingress' || o.apiVersion !== 'networking.k8s.io/v1') continue;
    const namespace = namespaceOf(o) ?? DEFAULT_NAMESPACE;
    const r = new FieldReader(o, ignored);
    const backends: FieldPath[] = [];
    if (r.raw(['spec', 'defaultBackend']) !== undefined) backends.push(['spec', 'defaultBackend']);
    (r.list(['spec', 'rules']) ?? []).forEach((_, i) => {
      (r.list(['spec', 'rules', i, 'http', 'paths']) ?? []).forEach((__, j) =>
        backends.push(['spec', 'rules', i, 'http', 'paths', j, 'backend']),
      );
    });
    const seen = new Set<string>();
    for (const path of backends) {
      const service = r.raw([...path, 'service']);
      if (!isRecord(service) || typeof service['name'] !== 'string') continue;
      const port = isRecord(service['port']) ? (service['port']['number'] ?? service['port']['name']) : undefined;
      const svc = cluster.services.find((s) => s.namespace === namespace && s.name === service['name']);
      const sp = svc?.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
      // A Service without a selector (or with an empty one) gets no endpoints from pods.
      if (!svc || !sp || svc.selector === null || Object.keys(svc.selector).length === 0) continue;
      for (const pod of podsByNamespace.get(namespace) ?? []) {
        if (!mapMatches(svc.selector, pod.labels)) continue;
        const target = resolveTargetPort(pod, sp.targetPort, sp.protocol);
        const key = `${pod.name}/${target}/${sp.protocol}`;
        if (target === undefined || seen.has(key)) continue;
        seen.add(key);
        out.push({ ingress: `${namespace}/${o.name}`, pod, port: target, protocol: sp.protocol });
      }
    }
  }
  return out;
}
