// The topology view's data: a compact, deterministic JSON picture of the simulated cluster.
// Pure: the same Analysis gives the same JSON byte for byte (everything sorted by id, label keys
// sorted), so the view can keep its layout stable across re-analyses.
import { cmp } from '../diagnostics';
import { locate, podId, serviceId, type Cluster, type SimPod, type SimService } from '../cluster/model';
import type { Analysis } from '../analyze';
import type { SourceRange } from '../source';
import { readIngresses } from './ingress';
import { buildMap } from './map';
import {
  TOPOLOGY_VERSION,
  type TopoEdge,
  type TopoExternal,
  type TopoNamespace,
  type TopoNode,
  type TopoPod,
  type TopoService,
  type TopoWorkload,
  type TopoMap,
  type Topology,
} from './types';
import { type Labels } from '../cluster/labels';

export * from './types';
export { policyLayer } from './policy';
export { buildMap, consumedConfigMaps } from './map';

export const EXTERNAL_CLIENT_ID = 'external';

function sortedLabels(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort(cmp)) out[k] = labels[k] ?? '';
  return out;
}

/** Adds `source` only when there is one, so implicit objects carry no key at all. */
function withSource<T extends object>(o: T, source: SourceRange | undefined): T & { source?: SourceRange } {
  return source ? { ...o, source } : o;
}

/** The workload id a pod is drawn under: NAMESPACE/NAME of its owner (its own id for a bare Pod). */
export function workloadOf(p: SimPod): string {
  return `${p.workload.namespace}/${p.workload.name}`;
}

function topoPod(p: SimPod): TopoPod {
  // The manifest behind a pod is its workload's: point at the workload's name.
  const source = locate(p.origin, ['metadata', 'name']);
  const ports = p.containers.flatMap((c) =>
    c.ports.map((port) => ({ name: port.name ?? null, port: port.containerPort, protocol: port.protocol })),
  );
  return withSource(
    {
      id: podId(p),
      namespace: p.namespace,
      name: p.name,
      ip: p.ip ?? null,
      node: p.node ?? null,
      labels: sortedLabels(p.labels),
      workload: workloadOf(p),
      workloadKind: p.workload.kind,
      ready: p.ready,
      hostNetwork: p.hostNetwork,
      ports,
      implicit: p.origin.kind === 'implicit',
    },
    source,
  );
}

function topoService(s: SimService): TopoService {
  const endpoints = new Set(s.endpointsByPort.flat().map((e) => e.pod));
  return withSource(
    {
      id: serviceId(s),
      namespace: s.namespace,
      name: s.name,
      type: s.type,
      clusterIP: s.clusterIP ?? null,
      headless: s.headless,
      externalName: s.externalName ?? null,
      loadBalancerIP: s.loadBalancerIP ?? null,
      ports: s.ports.map((p) => ({
        name: p.name ?? null,
        port: p.port,
        protocol: p.protocol,
        targetPort: p.targetPort,
        nodePort: p.nodePort ?? null,
      })),
      endpointCount: endpoints.size,
      implicit: s.origin.kind === 'implicit',
    },
    locate(s.origin, ['metadata', 'name']),
  );
}

/** One edge per (Service, pod) with every target port it serves on that pod, as `8080` or `53/UDP, 53/TCP`. */
function endpointEdges(s: SimService, pods: Set<string>): TopoEdge[] {
  const byPod = new Map<string, { labels: string[]; source: SourceRange | undefined }>();
  s.ports.forEach((port, i) => {
    for (const e of s.endpointsByPort[i] ?? []) {
      if (!pods.has(e.pod)) continue; // manual Endpoints may name addresses that are no pod of ours
      const entry = byPod.get(e.pod) ?? {
        labels: [],
        source: locate(s.origin, [...port.path, 'targetPort']) ?? locate(s.origin, port.path),
      };
      const label = s.ports.some((p) => p.protocol !== 'TCP') ? `${e.port}/${port.protocol}` : String(e.port);
      if (!entry.labels.includes(label)) entry.labels.push(label);
      byPod.set(e.pod, entry);
    }
  });
  const id = serviceId(s);
  return [...byPod].map(([pod, { labels, source }]) =>
    withSource({ id: `${id}->${pod}`, kind: 'endpoint' as const, from: id, to: pod, label: labels.join(', ') }, source),
  );
}

/** The client outside the cluster, and the load balancers and NodePorts it can enter by. */
function externals(cluster: Cluster, ingressCount: number): { externals: TopoExternal[]; edges: TopoEdge[] } {
  const out: TopoExternal[] = [];
  const edges: TopoEdge[] = [];
  for (const s of cluster.services) {
    const id = serviceId(s);
    if (s.type === 'LoadBalancer') {
      const lb = `loadbalancer:${id}`;
      const ports = s.ports.map((p) => p.port).join(', ');
      out.push(
        withSource(
          {
            id: lb,
            role: 'load-balancer' as const,
            label: `LB ${s.loadBalancerIP ?? '(pending)'}`,
            ip: s.loadBalancerIP ?? null,
            port: s.ports[0]?.port ?? null,
            service: id,
          },
          locate(s.origin, ['spec', 'type']),
        ),
      );
      edges.push({ id: `${EXTERNAL_CLIENT_ID}->${lb}`, kind: 'external', from: EXTERNAL_CLIENT_ID, to: lb, label: ports });
      edges.push({ id: `${lb}->${id}`, kind: 'external', from: lb, to: id, label: ports });
    }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
      for (const p of s.ports) {
        if (p.nodePort === undefined) continue;
        const np = `nodeport:${id}:${p.nodePort}`;
        out.push(
          withSource(
            { id: np, role: 'node-port' as const, label: `NodePort ${p.nodePort}/${p.protocol}`, ip: null, port: p.nodePort, service: id },
            locate(s.origin, [...p.path, 'nodePort']) ?? locate(s.origin, p.path),
          ),
        );
        edges.push({ id: `${EXTERNAL_CLIENT_ID}->${np}`, kind: 'external', from: EXTERNAL_CLIENT_ID, to: np, label: `node:${p.nodePort}` });
        edges.push({ id: `${np}->${id}`, kind: 'external', from: np, to: id, label: String(p.port) });
      }
    }
  }
  if (out.length > 0 || ingressCount > 0) {
    const ip = cluster.settings.externalClient;
    out.push({ id: EXTERNAL_CLIENT_ID, role: 'client', label: `client ${ip}`, ip, port: null, service: null });
  }
  return { externals: out.sort((a, b) => cmp(a.id, b.id)), edges };
}

function workloadsOf(pods: TopoPod[], sources: Map<string, SourceRange>): TopoWorkload[] {
  const byId = new Map<string, TopoWorkload>();
  const seenPorts = new Map<string, Set<string>>();
  for (const p of pods) {
    let w = byId.get(p.workload);
    if (!w) {
      w = {
        id: p.workload,
        kind: p.workloadKind,
        namespace: p.namespace,
        name: p.workload.slice(p.namespace.length + 1),
        pods: [],
        ready: 0,
        ports: [],
        nodes: [],
        implicit: p.implicit,
      };
      const source = sources.get(p.workload);
      if (source) w.source = source;
      byId.set(p.workload, w);
      seenPorts.set(p.workload, new Set());
    }
    w.pods.push(p.id);
    if (p.ready) w.ready++;
    if (p.node !== null && !w.nodes.includes(p.node)) w.nodes.push(p.node);
    const seen = seenPorts.get(p.workload) ?? new Set<string>();
    for (const port of p.ports) {
      const key = `${port.port}/${port.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      w.ports.push(port);
    }
  }
  for (const w of byId.values()) {
    w.nodes.sort(cmp);
    w.ports.sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol));
  }
  return [...byId.values()].sort((a, b) => cmp(a.id, b.id));
}

/** The whole picture for one analysis: nodes, pods, Services, Ingress routes, entry points and their edges. */
export function buildTopology(
  analysis: Pick<Analysis, 'cluster' | 'ingress'> & Partial<Pick<Analysis, 'references' | 'gateway' | 'policies' | 'dns'>>,
): Topology {
  const { cluster } = analysis;
  const nodes: TopoNode[] = cluster.nodes.map((n) =>
    withSource(
      {
        id: n.name,
        name: n.name,
        ip: n.ip,
        podCIDR: n.podCIDR,
        ...(n.ipv6 ? { ipv6: n.ipv6 } : {}),
        ...(n.podCIDRv6 ? { podCIDRv6: n.podCIDRv6 } : {}),
        labels: sortedLabels(n.labels),
        implicit: n.origin.kind === 'implicit',
      },
      locate(n.origin, ['metadata', 'name']),
    ),
  );
  const pods = cluster.pods.map(topoPod).sort((a, b) => cmp(a.id, b.id));
  const podIds = new Set(pods.map((p) => p.id));
  const services = cluster.services.map(topoService).sort((a, b) => cmp(a.id, b.id));
  const ingresses = readIngresses(cluster, analysis.ingress);
  const edges: TopoEdge[] = cluster.services.flatMap((s) => endpointEdges(s, podIds));
  const serviceIds = new Set(services.map((s) => s.id));
  for (const ing of ingresses) {
    if (ing.controllerService)
      edges.push({
        id: `${ing.controllerService}->${ing.id}`,
        kind: 'controller',
        from: ing.controllerService,
        to: ing.id,
        label: ing.className ?? 'default class',
      });
    ing.routes.forEach((r, i) => {
      if (!r.service || !serviceIds.has(r.service)) return;
      const where = r.defaultBackend ? 'default backend' : `${r.host ?? '*'}${r.path ?? '/'}`;
      edges.push(
        withSource({ id: `${ing.id}#${i}->${r.service}`, kind: 'route' as const, from: ing.id, to: r.service, label: where }, r.source),
      );
    });
  }
  const ext = externals(cluster, ingresses.length);
  edges.push(...ext.edges);
  // An ALB runs outside the cluster: drawn beside the client, leading to the Ingresses it serves.
  for (const lb of analysis.ingress.albs()) {
    const id = `alb:${lb.key}`;
    ext.externals.push({
      id,
      role: 'load-balancer',
      label: `ALB ${lb.hostname} (${lb.scheme})`,
      ip: lb.address,
      port: lb.listeners[0]?.port ?? null,
      service: null,
    });
    edges.push({
      id: `${EXTERNAL_CLIENT_ID}->${id}`,
      kind: 'external',
      from: EXTERNAL_CLIENT_ID,
      to: id,
      label: lb.listeners.map((l) => l.port).join(', '),
    });
    for (const ing of lb.ingresses)
      edges.push({
        id: `${id}->${ing.namespace}/${ing.name}`,
        kind: 'controller',
        from: id,
        to: `${ing.namespace}/${ing.name}`,
        label: ing.className ?? 'alb',
      });
  }
  ext.externals.sort((a, b) => cmp(a.id, b.id));
  edges.sort((a, b) => cmp(a.id, b.id));

  const namespaces: TopoNamespace[] = [...cluster.namespaces.values()]
    .map((ns) => ({
      name: ns.name,
      implicit: ns.origin.kind === 'implicit',
      pods: pods.filter((p) => p.namespace === ns.name).length,
      services: services.filter((s) => s.namespace === ns.name).length,
    }))
    .sort((a, b) => cmp(a.name, b.name));
  const s = cluster.settings;
  const sources = new Map<string, SourceRange>();
  for (const p of pods) if (p.source && !sources.has(p.workload)) sources.set(p.workload, p.source);
  const workloads = workloadsOf(pods, sources);
  const map = analysis.gateway
    ? buildMap({ ...analysis, gateway: analysis.gateway, references: analysis.references ?? [] }, workloads)
    : emptyMap(workloads.length);
  return {
    version: TOPOLOGY_VERSION,
    settings: {
      cni: s.cni,
      kubeProxyMode: s.kubeProxyMode,
      hostNetworkPods: s.hostNetworkPods,
      clusterDomain: s.clusterDomain,
      externalClient: s.externalClient,
    },
    namespaces,
    nodes,
    workloads,
    pods,
    services,
    ingresses,
    externals: ext.externals,
    edges,
    map,
    counts: {
      nodes: nodes.length,
      pods: pods.length,
      services: services.length,
      ingresses: ingresses.length,
      endpointEdges: edges.filter((e) => e.kind === 'endpoint').length,
      routes: edges.filter((e) => e.kind === 'route').length,
    },
  };
}

function emptyMap(workloads: number): TopoMap {
  return { gateways: [], routes: [], calls: [], edges: [], counts: { workloads, calls: 0, blockedCalls: 0, gateways: 0, routes: 0 } };
}
