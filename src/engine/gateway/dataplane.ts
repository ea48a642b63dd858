// The data plane each Gateway gets, as its controller deploys it: Envoy Gateway's envoy proxy in
// envoy-gateway-system, Cilium's per-node Envoy in kube-system, Istio's `NAME-istio` Deployment,
// NGINX Gateway Fabric's `NAME-CLASS` Deployment, and for any other controller the GEP-1762
// in-cluster shape (`NAME-CLASS` labelled gateway.networking.k8s.io/gateway-name). The pods and
// their LoadBalancer Service are implicit objects, added before pods are placed, exactly as the
// ingress controllers are, so NetworkPolicy sees the proxy's connections to the backends.
import { nameSuffix, sha256 } from '../hash';
import type { Labels } from '../cluster/labels';
import type { ContainerPort, Protocol, ServicePort, SimService } from '../cluster/model';
import type { PodBlueprint } from '../cluster/workloads';
import type { ManifestObject } from '../manifests/types';
import type { Diagnostic } from '../diagnostics';
import { INSTALLED_CLASSES, dataPlaneKind, isGatewayApi, readGateway } from './read';
import type { DataPlaneKind, SimGateway } from './types';

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

const CONTAINER: Record<DataPlaneKind, string> = {
  'envoy-gateway': 'envoy',
  cilium: 'cilium-envoy',
  istio: 'istio-proxy',
  'nginx-gateway-fabric': 'nginx',
  generic: 'proxy',
};

/** Where a Gateway's proxy runs and what it is called, per data plane. */
export interface DataPlaneIdentity {
  kind: DataPlaneKind;
  namespace: string;
  workload: { kind: 'Deployment' | 'DaemonSet'; name: string };
  labels: Labels;
  serviceNamespace: string;
  serviceName: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
}

function hex(text: string, length: number): string {
  return [...sha256(text)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, length);
}

/** The identity of a Gateway's data plane under its class's controller. */
export function dataPlaneIdentity(gw: { namespace: string; name: string; className: string }, controllerName: string): DataPlaneIdentity {
  const kind = dataPlaneKind(controllerName);
  switch (kind) {
    case 'envoy-gateway': {
      // Envoy Gateway's name: envoy-NS-NAME cut to fit, then a hash of NS/NAME that keeps it unique.
      const name = `${`envoy-${gw.namespace}-${gw.name}`.slice(0, 54).replace(/-+$/, '')}-${hex(`${gw.namespace}/${gw.name}`, 8)}`;
      return {
        kind,
        namespace: 'envoy-gateway-system',
        workload: { kind: 'Deployment', name },
        labels: {
          'app.kubernetes.io/name': 'envoy',
          'app.kubernetes.io/component': 'proxy',
          'app.kubernetes.io/managed-by': 'envoy-gateway',
          'gateway.envoyproxy.io/owning-gateway-name': gw.name,
          'gateway.envoyproxy.io/owning-gateway-namespace': gw.namespace,
        },
        serviceNamespace: 'envoy-gateway-system',
        serviceName: name,
        externalTrafficPolicy: 'Local',
      };
    }
    case 'cilium':
      return {
        kind,
        namespace: 'kube-system',
        workload: { kind: 'DaemonSet', name: 'cilium-envoy' },
        labels: { 'k8s-app': 'cilium-envoy', 'app.kubernetes.io/name': 'cilium-envoy', 'app.kubernetes.io/part-of': 'cilium' },
        serviceNamespace: gw.namespace,
        serviceName: `cilium-gateway-${gw.name}`,
        externalTrafficPolicy: 'Cluster',
      };
    case 'istio':
      return {
        kind,
        namespace: gw.namespace,
        workload: { kind: 'Deployment', name: `${gw.name}-istio` },
        labels: {
          [GATEWAY_NAME_LABEL]: gw.name,
          'istio.io/gateway-name': gw.name,
          'service.istio.io/canonical-name': `${gw.name}-istio`,
        },
        serviceNamespace: gw.namespace,
        serviceName: `${gw.name}-istio`,
        externalTrafficPolicy: 'Cluster',
      };
    case 'nginx-gateway-fabric':
    case 'generic': {
      const name = `${gw.name}-${gw.className}`;
      return {
        kind,
        namespace: gw.namespace,
        workload: { kind: 'Deployment', name },
        labels: { [GATEWAY_NAME_LABEL]: gw.name, 'app.kubernetes.io/name': name },
        serviceNamespace: gw.namespace,
        serviceName: name,
        externalTrafficPolicy: kind === 'nginx-gateway-fabric' ? 'Local' : 'Cluster',
      };
    }
  }
}

/** The controllerName of each GatewayClass: those the workspace defines, then the ones controllers install themselves. */
export function classControllers(objects: ManifestObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    if (!isGatewayApi(o, 'GatewayClass')) continue;
    const spec = o.raw['spec'];
    const controller = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['controllerName'] : undefined;
    if (typeof controller === 'string' && !out.has(o.name)) out.set(o.name, controller);
  }
  for (const [name, controller] of Object.entries(INSTALLED_CLASSES)) if (!out.has(name)) out.set(name, controller);
  return out;
}

/** The (port, transport) pairs a Gateway's listeners open, in listener order. */
export function listenerPorts(gw: SimGateway): Array<{ port: number; protocol: Protocol }> {
  const out: Array<{ port: number; protocol: Protocol }> = [];
  for (const l of gw.listeners) {
    const protocol: Protocol = l.protocol === 'UDP' ? 'UDP' : 'TCP';
    if (!out.some((p) => p.port === l.port && p.protocol === protocol)) out.push({ port: l.port, protocol });
  }
  return out;
}

function portName(p: { port: number; protocol: Protocol }): string {
  return `${p.protocol.toLowerCase()}-${p.port}`;
}

/**
 * The implicit pods and LoadBalancer Services of every Gateway whose class has a controller. The
 * Gateways are read quietly here: the gateway model reports their problems.
 */
export function implicitGatewayDataPlanes(
  objects: ManifestObject[],
  nodeNames: string[],
): { blueprints: PodBlueprint[]; services: SimService[] } {
  const controllers = classControllers(objects);
  const blueprints: PodBlueprint[] = [];
  const services: SimService[] = [];
  const quiet: Diagnostic[] = [];
  const gateways = objects.filter((o) => isGatewayApi(o, 'Gateway')).map((o) => readGateway(o, quiet));
  const daemonPorts = new Map<string, ContainerPort[]>();
  const seen = new Set<string>();
  for (const gw of gateways) {
    const key = `${gw.namespace}/${gw.name}`;
    const controller = controllers.get(gw.className);
    if (controller === undefined || seen.has(key) || gw.listeners.length === 0) continue;
    seen.add(key);
    const id = dataPlaneIdentity(gw, controller);
    const ports = listenerPorts(gw);
    const containerPorts: ContainerPort[] = ports.map((p) => ({
      name: portName(p),
      containerPort: p.port,
      protocol: p.protocol,
      path: [],
    }));
    const workloadKey = `${id.namespace}/${id.workload.kind}/${id.workload.name}`;
    const shared = daemonPorts.get(workloadKey);
    if (shared) {
      // Cilium's per-node Envoy serves every Cilium Gateway: it gains their ports.
      for (const p of containerPorts)
        if (!shared.some((q) => q.containerPort === p.containerPort && q.protocol === p.protocol)) shared.push(p);
    } else {
      daemonPorts.set(workloadKey, containerPorts);
      const base: Omit<PodBlueprint, 'name'> = {
        namespace: id.namespace,
        workload: { kind: id.workload.kind, namespace: id.namespace, name: id.workload.name },
        labels: id.labels,
        hostNetwork: false,
        ready: true,
        containers: [{ name: CONTAINER[id.kind], ports: containerPorts, texts: [] }],
        dnsPolicy: 'ClusterFirst',
        origin: { kind: 'implicit' },
        specPath: [],
        nodeSelector: {},
        perNode: id.workload.kind === 'DaemonSet',
        replicaIndex: 0,
      };
      if (id.workload.kind === 'DaemonSet')
        nodeNames.forEach((node, i) =>
          blueprints.push({
            ...base,
            name: `${id.workload.name}-${nameSuffix(`${workloadKey}/${node}`, 5)}`,
            nodeName: node,
            replicaIndex: i,
          }),
        );
      else
        blueprints.push({
          ...base,
          name: `${id.workload.name}-${nameSuffix(`${workloadKey}/template`, 10)}-${nameSuffix(`${workloadKey}/0`, 5)}`,
        });
    }
    const servicePorts: ServicePort[] = ports.map((p) => ({
      name: portName(p),
      port: p.port,
      protocol: p.protocol,
      targetPort: p.port,
      path: [],
    }));
    const service: SimService = {
      namespace: id.serviceNamespace,
      name: id.serviceName,
      type: 'LoadBalancer',
      clusterIP: undefined,
      clusterIPs: [],
      headless: false,
      ports: servicePorts,
      selector: id.labels,
      externalTrafficPolicy: id.externalTrafficPolicy,
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      sessionAffinityTimeoutSeconds: 10800,
      externalIPs: [],
      publishNotReadyAddresses: false,
      endpointsByPort: servicePorts.map(() => []),
      origin: { kind: 'implicit' },
      poolOrder: key,
    };
    if (gw.requestedAddresses[0] !== undefined) service.loadBalancerIP = gw.requestedAddresses[0];
    services.push(service);
  }
  return { blueprints, services };
}
