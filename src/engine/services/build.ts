// The Services of the cluster: the workspace's, the implicit ones and the ingress controllers',
// with their addresses allocated and their endpoints found among the placed pods.
import type { Diagnostic } from '../diagnostics';
import { DEFAULT_NAMESPACE, namespaceOf } from '../manifests/kinds';
import type { ManifestObject } from '../manifests/types';
import type { SimNode, SimPod, SimService } from '../cluster/model';
import type { ClusterSettings } from '../cluster/settings';
import { allocateServiceAddresses } from './addresses';
import { checkExternalTrafficPolicy, computeEndpoints } from './endpoints';
import { readServiceObject } from './read';
import { apiServerEndpoints, implicitServices } from './implicit';

/** Every Service with its ClusterIPs, node ports and endpoints; `extra` are Services the simulator adds (ingress controllers'). */
export function buildServices(
  objects: ManifestObject[],
  settings: ClusterSettings,
  nodes: SimNode[],
  pods: SimPod[],
  extra: SimService[],
  diagnostics: Diagnostic[],
): SimService[] {
  const services: SimService[] = [];
  for (const o of objects)
    if (o.kind === 'Service' && o.apiVersion === 'v1')
      services.push(readServiceObject(o, namespaceOf(o) ?? DEFAULT_NAMESPACE, diagnostics));
  services.push(...implicitServices(settings, services));
  services.push(...extra);
  allocateServiceAddresses(services, settings, diagnostics);
  const manual = objects.filter((o) => o.kind === 'Endpoints' || o.kind === 'EndpointSlice');
  computeEndpoints(services, pods, manual, DEFAULT_NAMESPACE, diagnostics);
  apiServerEndpoints(services, nodes);
  const nodeNames = nodes.map((n) => n.name);
  for (const svc of services) if (svc.origin.kind === 'manifest') checkExternalTrafficPolicy(svc, nodeNames, diagnostics);
  return services;
}
