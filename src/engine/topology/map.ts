// The map view's graph: who calls whom, with the verdict of each call, and the Gateway API's entry
// points. A call is a host a workload's env or args name (or a ConfigMap value its pods consume)
// that resolves to a Service from that workload; its verdict is what tracing that connection from
// the workload's first pod ends with (traceVerdict: the trace's own walk without the explanation),
// so the map says what `kube-netsim trace` says. Pure: the same
// analysis gives the same graph, everything sorted by id.
import { cmp } from '../diagnostics';
import { locate, podId, serviceId, type SimPod, type SimService } from '../cluster/model';
import type { Analysis } from '../analyze';
import type { ResolvedReference } from '../dns/references';
import { traceVerdict } from '../trace/packet';
import { isRecord } from '../manifests/fields';
import type { FieldPath, SourceRange } from '../source';
import type { CallPort, MapEdge, TopoCall, TopoGateway, TopoMap, TopoRoute, TopoWorkload } from './types';

type MapInput = Pick<Analysis, 'cluster' | 'references' | 'gateway'> & Partial<Pick<Analysis, 'policies' | 'dns' | 'ingress'>>;

function workloadOf(p: SimPod): string {
  return `${p.workload.namespace}/${p.workload.name}`;
}

function at(v: unknown, path: FieldPath): unknown {
  let cur = v;
  for (const k of path) {
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k] : undefined;
    else cur = isRecord(cur) ? cur[k] : undefined;
  }
  return cur;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nameAt = (v: unknown, key: string): string | undefined => {
  const ref = isRecord(v) ? v[key] : undefined;
  return isRecord(ref) && typeof ref['name'] === 'string' ? ref['name'] : undefined;
};

/**
 * The ConfigMaps a pod's spec consumes, by name: volumes (also projected), envFrom and env
 * valueFrom.configMapKeyRef of every container and init container, as the kubelet reads them.
 */
export function consumedConfigMaps(pod: SimPod): Set<string> {
  const out = new Set<string>();
  if (pod.origin.kind !== 'manifest') return out;
  const spec = at(pod.origin.object.raw, pod.specPath);
  if (!isRecord(spec)) return out;
  for (const v of list(spec['volumes'])) {
    const direct = isRecord(v) ? v['configMap'] : undefined;
    if (isRecord(direct) && typeof direct['name'] === 'string') out.add(direct['name']);
    const projected = isRecord(v) ? v['projected'] : undefined;
    for (const s of list(isRecord(projected) ? projected['sources'] : undefined)) {
      const name = nameAt(s, 'configMap');
      if (name) out.add(name);
    }
  }
  for (const c of [...list(spec['containers']), ...list(spec['initContainers'])]) {
    if (!isRecord(c)) continue;
    for (const e of list(c['envFrom'])) {
      const name = nameAt(e, 'configMapRef');
      if (name) out.add(name);
    }
    for (const e of list(c['env'])) {
      const name = isRecord(e) ? nameAt(e['valueFrom'], 'configMapKeyRef') : undefined;
      if (name) out.add(name);
    }
  }
  return out;
}

/** The port a call is made on: the one written (or the scheme's), else the Service's only port. */
function callPort(r: ResolvedReference, svc: SimService): number | undefined {
  if (r.ref.port !== undefined) return r.ref.port;
  return svc.ports.length === 1 ? svc.ports[0]?.port : undefined;
}

function outcomeVerdict(outcome: string): CallPort['verdict'] {
  return outcome === 'delivered' ? 'allowed' : 'blocked';
}

/**
 * Every call the manifests make, one per (workload, Service) with its ports, each traced once
 * from the workload's first pod (memoised per workload, Service and port: a workload naming one
 * URL in three env vars is traced once).
 */
export function mapCalls(a: MapInput): TopoCall[] {
  const first = new Map<string, SimPod>();
  for (const p of [...a.cluster.pods].sort((x, y) => cmp(podId(x), podId(y)))) {
    const w = workloadOf(p);
    if (!first.has(w) && p.ip !== undefined) first.set(w, p);
  }
  // ConfigMap texts are resolved from their namespace (no pod): each workload that consumes the
  // ConfigMap makes the call, and is traced from its own pod.
  const consumers = new Map<string, string[]>();
  const needsConsumers = a.references.some((r) => r.pod === undefined);
  if (needsConsumers)
    for (const [w, pod] of first)
      for (const cm of consumedConfigMaps(pod)) {
        const key = `${pod.namespace}/${cm}`;
        consumers.set(key, [...(consumers.get(key) ?? []), w]);
      }
  const calls = new Map<string, { from: string; to: string; ports: Map<number, CallPort>; via: Set<string>; source?: SourceRange }>();
  const traced = new Map<string, CallPort>();
  const traceable = a as Analysis;
  for (const r of a.references) {
    const svc = r.service;
    if (!svc) continue;
    const to = serviceId(svc);
    const from: string[] = r.pod
      ? [workloadOf(r.pod)]
      : r.text.origin.kind === 'manifest'
        ? (consumers.get(`${r.namespace}/${r.text.origin.object.name}`) ?? [])
        : [];
    const port = callPort(r, svc);
    for (const w of from) {
      const pod = first.get(w);
      if (!pod) continue;
      const key = `${w}->${to}`;
      const call = calls.get(key) ?? { from: w, to, ports: new Map<number, CallPort>(), via: new Set<string>() };
      if (!call.source) {
        const source = locate(r.text.origin, r.text.path);
        if (source) call.source = source;
      }
      call.via.add(`${r.text.label} = ${r.ref.text}`);
      if (port !== undefined && !call.ports.has(port)) {
        const memo = `${key}:${port}`;
        let result = traced.get(memo);
        if (!result) {
          const t = traceVerdict(traceable, { kind: 'pod', pod }, `${r.ref.host}:${port}`, 'TCP');
          result = { port, verdict: outcomeVerdict(t.verdict), outcome: t.verdict, reason: t.reason };
          traced.set(memo, result);
        }
        call.ports.set(port, result);
      }
      calls.set(key, call);
    }
  }
  return [...calls]
    .filter(([, c]) => c.ports.size > 0)
    .map(([id, c]) => {
      const ports = [...c.ports.values()].sort((x, y) => x.port - y.port);
      const call: TopoCall = {
        id,
        from: c.from,
        to: c.to,
        verdict: ports.every((p) => p.verdict === 'allowed') ? 'allowed' : 'blocked',
        ports,
        via: [...c.via].sort(cmp),
      };
      return c.source ? { ...call, source: c.source } : call;
    })
    .sort((x, y) => cmp(x.id, y.id));
}

function gatewaysOf(a: MapInput): TopoGateway[] {
  const model = a.gateway;
  return model.gateways
    .map((g) => {
      const gw: TopoGateway = {
        id: `${g.namespace}/${g.name}`,
        namespace: g.namespace,
        name: g.name,
        className: g.className,
        addresses: [...g.addresses],
        listeners: g.listeners.map((l) => ({
          name: l.name,
          port: l.port,
          protocol: l.protocol,
          hostname: l.hostname ?? null,
          attachedRoutes: model.listenerStatus(g, l).attachedRoutes,
        })),
      };
      const source = locate(g.origin, ['metadata', 'name']);
      return source ? { ...gw, source } : gw;
    })
    .sort((x, y) => cmp(x.id, y.id));
}

function routesOf(a: MapInput): TopoRoute[] {
  const model = a.gateway;
  const names = new Map<string, number>();
  for (const r of model.routes) names.set(`${r.namespace}/${r.name}`, (names.get(`${r.namespace}/${r.name}`) ?? 0) + 1);
  return model.routes
    .map((r) => {
      const s = model.status(r);
      const plain = `${r.namespace}/${r.name}`;
      const route: TopoRoute = {
        id: (names.get(plain) ?? 0) > 1 ? `${plain}[${r.kind}]` : plain,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        hostnames: [...r.hostnames],
        parents: s.parents.map((p) => ({
          gateway: `${p.ref.namespace}/${p.ref.name}`,
          sectionName: p.ref.sectionName ?? null,
          accepted: p.accepted,
          reason: p.reason,
        })),
        backends: s.backends
          .filter((b) => b.rule >= 0)
          .map((b) => ({
            service: `${b.ref.namespace}/${b.ref.name}`,
            port: b.ref.port ?? null,
            weight: b.ref.weight,
            resolved: b.resolved,
            reason: b.reason,
          })),
      };
      const source = locate(r.origin, ['metadata', 'name']);
      return source ? { ...route, source } : route;
    })
    .sort((x, y) => cmp(x.id, y.id));
}

/**
 * The map's edges other than calls: each Service to the workloads of its endpoints (one edge per
 * workload, with how many of its pods), each accepted route's Gateway to the route, each route to
 * its resolved backends' Services. Ingress routes are the topology's own route edges.
 */
function mapEdges(
  services: readonly SimService[],
  podWorkload: Map<string, string>,
  gateways: TopoGateway[],
  routes: TopoRoute[],
): MapEdge[] {
  const edges: MapEdge[] = [];
  for (const s of services) {
    const id = serviceId(s);
    const byWorkload = new Map<string, Set<string>>();
    for (const e of s.endpointsByPort.flat()) {
      const w = podWorkload.get(e.pod);
      if (!w) continue;
      byWorkload.set(w, (byWorkload.get(w) ?? new Set()).add(e.pod));
    }
    for (const [w, pods] of byWorkload)
      edges.push({
        id: `endpoints:${id}->${w}`,
        kind: 'endpoint',
        from: id,
        to: w,
        label: `${pods.size} pod${pods.size === 1 ? '' : 's'}`,
      });
  }
  const known = new Set(gateways.map((g) => g.id));
  for (const r of routes) {
    const parents = new Set(r.parents.filter((p) => p.accepted && known.has(p.gateway)).map((p) => p.gateway));
    for (const g of parents) edges.push({ id: `listener:${g}->${r.id}`, kind: 'listener', from: g, to: r.id, label: r.kind });
    const backends = new Map<string, { weight: number; ports: Set<string> }>();
    for (const b of r.backends) {
      if (!b.resolved) continue;
      const entry = backends.get(b.service) ?? { weight: 0, ports: new Set<string>() };
      entry.weight += b.weight;
      if (b.port !== null) entry.ports.add(String(b.port));
      backends.set(b.service, entry);
    }
    for (const [svc, b] of backends)
      edges.push({ id: `route:${r.id}->${svc}`, kind: 'route', from: r.id, to: svc, label: [...b.ports].join(', ') });
  }
  return edges.sort((x, y) => cmp(x.id, y.id));
}

/** The map view's graph for an analysis whose workloads are already listed. */
export function buildMap(a: MapInput, workloads: readonly TopoWorkload[]): TopoMap {
  const podWorkload = new Map<string, string>();
  for (const w of workloads) for (const p of w.pods) podWorkload.set(p, w.id);
  const gateways = gatewaysOf(a);
  const routes = routesOf(a);
  const calls = a.policies ? mapCalls(a) : [];
  return {
    gateways,
    routes,
    calls,
    edges: mapEdges(a.cluster.services, podWorkload, gateways, routes),
    counts: {
      workloads: workloads.length,
      calls: calls.length,
      blockedCalls: calls.filter((c) => c.verdict === 'blocked').length,
      gateways: gateways.length,
      routes: routes.length,
    },
  };
}
