// What the topology page is sent, and how. The map view needs no per-pod data: it gets the
// topology projected to the map (mapTopologyOf: workloads with their replica count and a few pod
// ids for the replica dots, no pods, no pod endpoint edges), in a compact wire form (encodeMap):
// records as tuples, ids that the other fields spell left out, the Service and workload of a call
// by index, source positions by file index. The nodes view's pods and endpoint edges
// (nodesPartOf) follow only when that view is opened, and withNodes puts the whole topology back
// together. Pure and exact: decodeMap(encodeMap(m)) equals m, and withNodes(mapTopologyOf(t),
// nodesPartOf(t)) equals t but for the workloads' extra fields. The nodes view's part goes in its own
// compact form (encodeNodes: what a workload's pods share sent once), as exact.
import type { SourceRange, Topology, TopoEdge, TopoMap, TopoPod, TopoService, TopoWorkload, TopoCall, MapEdge } from '../engine';
import { check, type Check } from './protocolChecks';

/** A workload as the map draws it: its replicas counted, and the first few of its pods named (one dot each). */
export interface MapWorkload extends Omit<TopoWorkload, 'pods'> {
  replicas: number;
  /** The first SAMPLE_PODS pod ids, in the topology's order. */
  samplePods: string[];
}

/** The topology as the map view gets it: no pods, and of the topology's edges only those that are not pod endpoints. */
export interface MapTopology extends Omit<Topology, 'workloads' | 'pods' | 'edges'> {
  workloads: MapWorkload[];
  edges: TopoEdge[];
}

/** What the nodes view adds to the map's picture: every pod, and each Service's endpoint edge to each pod. */
export interface NodesPart {
  pods: TopoPod[];
  endpointEdges: TopoEdge[];
}

/** The whole topology again, its workloads also carrying the map's fields. */
export type FullTopology = Omit<Topology, 'workloads'> & { workloads: Array<TopoWorkload & MapWorkload> };

/** How many of a workload's pods the map names (the replica dots). */
export const SAMPLE_PODS = 8;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function mapTopologyOf(t: Topology): MapTopology {
  const { pods: _pods, edges, workloads, ...rest } = t;
  return {
    ...rest,
    workloads: workloads.map(({ pods, ...w }) => ({ ...w, replicas: pods.length, samplePods: pods.slice(0, SAMPLE_PODS) })),
    edges: edges.filter((e) => e.kind !== 'endpoint'),
  };
}

export function nodesPartOf(t: Topology): NodesPart {
  return { pods: t.pods, endpointEdges: t.edges.filter((e) => e.kind === 'endpoint') };
}

/** The map's picture with the nodes view's part: the topology the nodes view draws. */
export function withNodes(m: MapTopology, n: NodesPart): FullTopology {
  const byWorkload = new Map<string, string[]>();
  for (const p of n.pods) {
    const list = byWorkload.get(p.workload);
    if (list) list.push(p.id);
    else byWorkload.set(p.workload, [p.id]);
  }
  return {
    ...m,
    workloads: m.workloads.map((w) => ({ ...w, pods: byWorkload.get(w.id) ?? [] })),
    pods: n.pods,
    edges: [...m.edges, ...n.endpointEdges].sort((a, b) => cmp(a.id, b.id)),
  };
}

// The wire form. A source is [FILE, line, column, endLine, endColumn] with FILE an index into
// `files`; 0 where there is none. An id the record's other fields spell is null.
type Src = [number, number, number, number, number] | 0;
type Port = [number, string, string | null];
/** [NAMESPACE, NAME] where the id does not spell them (null where it does). */
type Names = [string, string] | null;
/** [id, kind, ready, replicas, ports, nodes (index into `nodes`, or the name), sample pods ('-SUFFIX' of the workload id, or '=ID'), implicit, source, names] */
type WireWorkload = [string, string, number, number, Port[], Array<number | string>, string[], 0 | 1, Src, Names];
/** [id, type, clusterIP, headless, externalName, loadBalancerIP, ports, endpointCount, implicit, source, names] */
type WireService = [
  string,
  TopoService['type'],
  string | null,
  0 | 1,
  string | null,
  string | null,
  Array<[string | null, number, string, number | string, number | null]>,
  number,
  0 | 1,
  Src,
  Names,
];
/** [id or null, from (workload index), to (Service index), verdict, ports [port, verdict, outcome, reason], via, source] */
type WireCall = [string | null, number, number, 0 | 1, Array<[number, 0 | 1, string, string]>, string[], Src];
/** [id or null, kind, from, to, label, source] */
type WireEdge = [string | null, MapEdge['kind'], string, string, string, Src];

export interface MapWire {
  v: 1;
  files: string[];
  rest: Omit<MapTopology, 'workloads' | 'services' | 'map'> & { map: Omit<TopoMap, 'calls' | 'edges'> };
  workloads: WireWorkload[];
  services: WireService[];
  calls: WireCall[];
  mapEdges: WireEdge[];
}

const KIND_PREFIX: Record<MapEdge['kind'], string> = { endpoint: 'endpoints:', listener: 'listener:', route: 'route:' };
const splitId = (id: string) => {
  const i = id.indexOf('/');
  return i < 0 ? { namespace: '', name: id } : { namespace: id.slice(0, i), name: id.slice(i + 1) };
};
const namesOf = (o: { id: string; namespace: string; name: string }): Names => {
  const own = splitId(o.id);
  return own.namespace === o.namespace && own.name === o.name ? null : [o.namespace, o.name];
};
const names = (id: string, n: Names) => (n ? { namespace: n[0], name: n[1] } : splitId(id));

export function encodeMap(m: MapTopology): MapWire {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const src = (s: SourceRange | undefined): Src => {
    if (!s) return 0;
    let f = fileIndex.get(s.file);
    if (f === undefined) {
      f = files.length;
      files.push(s.file);
      fileIndex.set(s.file, f);
    }
    return [f, s.line, s.column, s.endLine, s.endColumn];
  };
  const nodeIndex = new Map(m.nodes.map((n, i) => [n.id, i]));
  const workloadIndex = new Map(m.workloads.map((w, i) => [w.id, i]));
  const serviceIndex = new Map(m.services.map((s, i) => [s.id, i]));
  const { workloads, services, map, ...rest } = m;
  const { calls, edges, ...mapRest } = map;
  // A call whose ends are not drawn objects (it cannot happen from the engine) is not sent.
  const sent = calls.filter((c) => workloadIndex.has(c.from) && serviceIndex.has(c.to));
  return {
    v: 1,
    files,
    rest: { ...rest, map: mapRest },
    workloads: workloads.map((w) => {
      return [
        w.id,
        w.kind,
        w.ready,
        w.replicas,
        w.ports.map((p) => [p.port, p.protocol, p.name]),
        w.nodes.map((n) => nodeIndex.get(n) ?? n),
        w.samplePods.map((p) => (p.startsWith(`${w.id}-`) ? p.slice(w.id.length) : `=${p}`)),
        w.implicit ? 1 : 0,
        src(w.source),
        namesOf(w),
      ];
    }),
    services: services.map((s) => {
      return [
        s.id,
        s.type,
        s.clusterIP,
        s.headless ? 1 : 0,
        s.externalName,
        s.loadBalancerIP,
        s.ports.map((p) => [p.name, p.port, p.protocol, p.targetPort, p.nodePort]),
        s.endpointCount,
        s.implicit ? 1 : 0,
        src(s.source),
        namesOf(s),
      ];
    }),
    calls: sent.map((c) => [
      c.id === `${c.from}->${c.to}` ? null : c.id,
      workloadIndex.get(c.from) as number,
      serviceIndex.get(c.to) as number,
      c.verdict === 'allowed' ? 1 : 0,
      c.ports.map((p) => [p.port, p.verdict === 'allowed' ? 1 : 0, p.outcome, p.reason]),
      c.via,
      src(c.source),
    ]),
    mapEdges: edges.map((e) => [
      e.id === `${KIND_PREFIX[e.kind]}${e.from}->${e.to}` ? null : e.id,
      e.kind,
      e.from,
      e.to,
      e.label,
      src(e.source),
    ]),
  };
}

/** Decodes what isMapWire accepted; a reference to a file, workload or Service that is not there is an error. */
export function decodeMap(w: MapWire): MapTopology {
  const src = (s: Src): SourceRange | undefined => {
    if (s === 0) return undefined;
    const file = w.files[s[0]];
    if (file === undefined) throw new Error(`source file ${s[0]} is not in the file table`);
    return { file, line: s[1], column: s[2], endLine: s[3], endColumn: s[4] };
  };
  const withSrc = <T extends object>(o: T, s: Src): T & { source?: SourceRange } => {
    const source = src(s);
    return source ? { ...o, source } : o;
  };
  const workloads: MapWorkload[] = w.workloads.map(([id, kind, ready, replicas, ports, nodes, pods, implicit, s, n]) =>
    withSrc(
      {
        id,
        kind,
        ...names(id, n),
        ready,
        ports: ports.map(([port, protocol, name]) => ({ name, port, protocol })),
        nodes: nodes.map((n) => (typeof n === 'number' ? (w.rest.nodes[n]?.id ?? String(n)) : n)),
        implicit: implicit === 1,
        replicas,
        samplePods: pods.map((p) => (p.startsWith('=') ? p.slice(1) : `${id}${p}`)),
      },
      s,
    ),
  );
  const services: TopoService[] = w.services.map(
    ([id, type, clusterIP, headless, externalName, lb, ports, endpointCount, implicit, s, n]) =>
      withSrc(
        {
          id,
          ...names(id, n),
          type,
          clusterIP,
          headless: headless === 1,
          externalName,
          loadBalancerIP: lb,
          ports: ports.map(([name, port, protocol, targetPort, nodePort]) => ({ name, port, protocol, targetPort, nodePort })),
          endpointCount,
          implicit: implicit === 1,
        },
        s,
      ),
  );
  const calls: TopoCall[] = w.calls.map(([id, fromI, toI, verdict, ports, via, s]) => {
    const from = workloads[fromI]?.id;
    const to = services[toI]?.id;
    if (from === undefined || to === undefined) throw new Error(`call ${fromI}->${toI} names a workload or Service that is not sent`);
    return withSrc(
      {
        id: id ?? `${from}->${to}`,
        from,
        to,
        verdict: verdict === 1 ? ('allowed' as const) : ('blocked' as const),
        ports: ports.map(([port, v, outcome, reason]) => ({
          port,
          verdict: v === 1 ? ('allowed' as const) : ('blocked' as const),
          outcome,
          reason,
        })),
        via,
      },
      s,
    );
  });
  const edges: MapEdge[] = w.mapEdges.map(([id, kind, from, to, label, s]) =>
    withSrc({ id: id ?? `${KIND_PREFIX[kind]}${from}->${to}`, kind, from, to, label }, s),
  );
  return { ...w.rest, workloads, services, map: { ...w.rest.map, calls, edges } };
}

// The nodes view's wire form. The pods of one workload differ only in name, IP and node: what they
// share (labels, ports, readiness, the template's source...) is sent once, as a blueprint, and each
// pod as [blueprint, name, IP, node]; each endpoint edge as [id, Service, pod (index), label, source].

/** [namespace, labels, workload, workloadKind, ready, hostNetwork, ports [port, protocol, name], implicit, source] */
type WireBlueprint = [string, Record<string, string>, string, string, 0 | 1, 0 | 1, Port[], 0 | 1, Src];
/** [blueprint, name ('-SUFFIX' of the workload's name, or '=NAME'), ip, node (index into `nodes`, -1 for none), id (null where it is NAMESPACE/NAME)] */
type WirePod = [number, string, string | null, number, string | null];
/** [id (null where it is FROM->TO), from (index into `services`), to (index into `pods`), label, source] */
type WireEndpoint = [string | null, number, number, string, Src];

export interface NodesWire {
  v: 1;
  files: string[];
  nodes: string[];
  services: string[];
  blueprints: WireBlueprint[];
  pods: WirePod[];
  endpointEdges: WireEndpoint[];
}

/** A table of strings, each sent once and referred to by index. */
function table(): { list: string[]; index: (s: string) => number } {
  const list: string[] = [];
  const at = new Map<string, number>();
  return {
    list,
    index: (s) => {
      let i = at.get(s);
      if (i === undefined) {
        i = list.length;
        list.push(s);
        at.set(s, i);
      }
      return i;
    },
  };
}

export function encodeNodes(n: NodesPart): NodesWire {
  const files = table();
  const nodes = table();
  const services = table();
  const src = (s: SourceRange | undefined): Src => (s ? [files.index(s.file), s.line, s.column, s.endLine, s.endColumn] : 0);
  const blueprints: WireBlueprint[] = [];
  const blueprintAt = new Map<string, number>();
  const podAt = new Map<string, number>();
  const pods: WirePod[] = n.pods.map((p, i) => {
    const b: WireBlueprint = [
      p.namespace,
      p.labels,
      p.workload,
      p.workloadKind,
      p.ready ? 1 : 0,
      p.hostNetwork ? 1 : 0,
      p.ports.map((x) => [x.port, x.protocol, x.name]),
      p.implicit ? 1 : 0,
      src(p.source),
    ];
    const key = JSON.stringify(b);
    let bi = blueprintAt.get(key);
    if (bi === undefined) {
      bi = blueprints.length;
      blueprints.push(b);
      blueprintAt.set(key, bi);
    }
    podAt.set(p.id, i);
    const base = `${splitId(p.workload).name}-`;
    return [
      bi,
      p.name.startsWith(base) ? `-${p.name.slice(base.length)}` : `=${p.name}`,
      p.ip,
      p.node === null ? -1 : nodes.index(p.node),
      p.id === `${p.namespace}/${p.name}` ? null : p.id,
    ];
  });
  const endpointEdges: WireEndpoint[] = n.endpointEdges.map((e) => {
    const to = podAt.get(e.to);
    if (to === undefined || e.kind !== 'endpoint') throw new Error(`endpoint edge ${e.id} does not end at a pod that is sent`);
    return [e.id === `${e.from}->${e.to}` ? null : e.id, services.index(e.from), to, e.label, src(e.source)];
  });
  return { v: 1, files: files.list, nodes: nodes.list, services: services.list, blueprints, pods, endpointEdges };
}

/** Decodes what nodesWireCheck accepted; a reference to a table entry that is not there is an error. */
export function decodeNodes(w: NodesWire): NodesPart {
  const src = (s: Src): SourceRange | undefined => {
    if (s === 0) return undefined;
    const file = w.files[s[0]];
    if (file === undefined) throw new Error(`source file ${s[0]} is not in the file table`);
    return { file, line: s[1], column: s[2], endLine: s[3], endColumn: s[4] };
  };
  const pods: TopoPod[] = w.pods.map(([bi, name, ip, node, id]) => {
    const b = w.blueprints[bi];
    if (!b) throw new Error(`pod ${name} names blueprint ${bi}, which is not sent`);
    const [namespace, labels, workload, workloadKind, ready, hostNetwork, ports, implicit, s] = b;
    const fullName = name.startsWith('-') ? `${splitId(workload).name}${name}` : name.slice(1);
    const nodeName = node === -1 ? null : w.nodes[node];
    if (nodeName === undefined) throw new Error(`pod ${fullName} names node ${node}, which is not sent`);
    const pod: TopoPod = {
      id: id ?? `${namespace}/${fullName}`,
      namespace,
      name: fullName,
      ip,
      node: nodeName,
      labels: { ...labels },
      workload,
      workloadKind,
      ready: ready === 1,
      hostNetwork: hostNetwork === 1,
      ports: ports.map(([port, protocol, pname]) => ({ name: pname, port, protocol })),
      implicit: implicit === 1,
    };
    const source = src(s);
    return source ? { ...pod, source } : pod;
  });
  const endpointEdges: TopoEdge[] = w.endpointEdges.map(([id, fromI, toI, label, s]) => {
    const from = w.services[fromI];
    const to = pods[toI]?.id;
    if (from === undefined || to === undefined) throw new Error(`endpoint edge ${fromI}->${toI} names a Service or pod that is not sent`);
    const edge: TopoEdge = { id: id ?? `${from}->${to}`, kind: 'endpoint', from, to, label };
    const source = src(s);
    return source ? { ...edge, source } : edge;
  });
  return { pods, endpointEdges };
}

const { str, int, oneOf, nullable, arr, obj, either } = check;

/** A fixed-length list whose items pass the checks in order. */
function tuple(...items: Check[]): Check {
  return (v, at) => {
    if (!Array.isArray(v)) return `${at} must be a list, not ${v === null ? 'null' : typeof v}`;
    if (v.length !== items.length) return `${at} must have ${items.length} items, not ${v.length}`;
    for (let i = 0; i < items.length; i++) {
      const e = (items[i] as Check)(v[i], `${at}[${i}]`);
      if (e) return e;
    }
    return undefined;
  };
}
const flag: Check = (v, at) => (v === 0 || v === 1 ? undefined : `${at} must be 0 or 1`);
const src: Check = (v, at) => (v === 0 ? undefined : tuple(int, int, int, int, int)(v, at));
const namesCheck = nullable(tuple(str, str));

/** The wire's own fields; `rest` is checked by the caller against the topology's shapes (protocolChecks). */
export function mapWireCheck(rest: Check): Check {
  return obj({
    v: (v, at) => (v === 1 ? undefined : `${at} must be 1 (this view reads version 1 of the map's wire form)`),
    files: arr(str),
    rest,
    workloads: arr(tuple(str, str, int, int, arr(tuple(int, str, nullable(str))), arr(either(int, str)), arr(str), flag, src, namesCheck)),
    services: arr(
      tuple(
        str,
        oneOf(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
        nullable(str),
        flag,
        nullable(str),
        nullable(str),
        arr(tuple(nullable(str), int, str, either(int, str), nullable(int))),
        int,
        flag,
        src,
        namesCheck,
      ),
    ),
    calls: arr(tuple(nullable(str), int, int, flag, arr(tuple(int, flag, str, str)), arr(str), src)),
    mapEdges: arr(tuple(nullable(str), oneOf(['endpoint', 'route', 'listener']), str, str, str, src)),
  });
}

/** The nodes view's wire form (encodeNodes). */
export const nodesWireCheck: Check = obj({
  v: (v, at) => (v === 1 ? undefined : `${at} must be 1 (this view reads version 1 of the nodes view's wire form)`),
  files: arr(str),
  nodes: arr(str),
  services: arr(str),
  blueprints: arr(tuple(str, check.strMap, str, str, flag, flag, arr(tuple(int, str, nullable(str))), flag, src)),
  pods: arr(tuple(int, str, nullable(str), int, nullable(str))),
  endpointEdges: arr(tuple(nullable(str), int, int, str, src)),
});
