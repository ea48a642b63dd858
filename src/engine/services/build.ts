// The Services of the cluster: the workspace's, the implicit ones and the ingress controllers',
// with their addresses allocated and their endpoints found among the placed pods.
import type { Diagnostic } from '../diagnostics';
import { DEFAULT_NAMESPACE, isBuiltInGroup, namespaceOf } from '../manifests/kinds';
import { isNotSimulated } from '../manifests/notSimulated';
import { operatorOf } from '../cluster/operators';
import type { ManifestObject } from '../manifests/types';
import type { SimNode, SimPod, SimService, SimulationCut } from '../cluster/model';
import type { ClusterSettings } from '../cluster/settings';
import { allocateServiceAddresses } from './addresses';
import { checkExternalTrafficPolicy, computeEndpoints } from './endpoints';
import { readServiceObject } from './read';
import { apiServerEndpoints, implicitServices } from './implicit';
import { assignTopology } from './topology';
import { applyTopologyHints } from './topologyCache';
import { keptEndpoints } from './keptEndpoints';
import type { IncrementalState } from '../incremental/state';

/** Every Service with its ClusterIPs, node ports and endpoints; `extra` are Services the simulator adds (ingress controllers'). */
export function buildServices(
  objects: ManifestObject[],
  settings: ClusterSettings,
  nodes: SimNode[],
  pods: SimPod[],
  extra: SimService[],
  diagnostics: Diagnostic[],
  /** The endpoint budget and what it cut (the analysis's; the default guard otherwise). */
  budget?: { limit: number; cut: SimulationCut },
  incremental?: IncrementalState,
): SimService[] {
  const services: SimService[] = [];
  for (const o of objects)
    if (o.kind === 'Service' && o.apiVersion === 'v1')
      services.push(readServiceObject(o, namespaceOf(o) ?? DEFAULT_NAMESPACE, diagnostics));
  services.push(...implicitServices(settings, services));
  services.push(...extra);
  allocateServiceAddresses(services, settings, diagnostics);
  const manual = objects.filter((o) => o.kind === 'Endpoints' || o.kind === 'EndpointSlice');
  const kept = incremental ? keptEndpoints(incremental) : undefined;
  kept?.begin(nodes);
  computeEndpoints(
    services,
    pods,
    manual,
    DEFAULT_NAMESPACE,
    diagnostics,
    customResourcesByNamespace(objects),
    budget?.limit,
    budget?.cut,
    kept,
  );
  apiServerEndpoints(services, nodes);
  assignTopology(services, nodes);
  applyTopologyHints(services, nodes, diagnostics);
  const nodeNames = nodes.map((n) => n.name);
  for (const svc of services) if (svc.origin.kind === 'manifest') checkExternalTrafficPolicy(svc, nodeNames, diagnostics);
  return services;
}

/**
 * Groups that define no pod-owning kinds: policies, routes, meshes' configuration, monitoring
 * targets, certificates. Their objects never stand for the pods a Service is missing.
 */
const NO_PODS_GROUPS = new Set([
  'monitoring.coreos.com',
  'cert-manager.io',
  'acme.cert-manager.io',
  'gateway.networking.k8s.io',
  'policy.networking.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'admissionregistration.k8s.io',
  'snapshot.storage.k8s.io',
  'kustomize.config.k8s.io',
  'config.kubernetes.io',
  'cilium.io',
  'projectcalico.org',
  'crd.projectcalico.org',
]);

/** Custom resources of kinds the simulation does not model, by namespace (their operators may create pods). */
function customResourcesByNamespace(objects: ManifestObject[]): Map<string, ManifestObject[]> {
  const out = new Map<string, ManifestObject[]>();
  for (const o of objects) {
    const slash = o.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
    if (isBuiltInGroup(o.apiVersion) || NO_PODS_GROUPS.has(group) || isNotSimulated(o) || operatorOf(o) !== undefined) continue;
    if (!group.includes('.')) continue;
    const ns = namespaceOf(o) ?? DEFAULT_NAMESPACE;
    const list = out.get(ns) ?? [];
    list.push(o);
    out.set(ns, list);
  }
  return out;
}
