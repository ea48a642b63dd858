// The map view's layout: a pure, deterministic, layered layout of the map graph. Namespaces are
// groups; inside each, units (a Service stacked over the workloads it selects, a workload no
// Service selects, an Ingress, a Gateway, a route) sit in columns by their layer in the whole
// graph of who leads to whom (entry points first, then what they route to, then what that calls),
// and in id order inside a column. Layers come from the longest path from an entry point over the
// graph with its back edges left out (found in id order), so adding one Deployment moves only what
// sorts after it in its column, and what it newly calls: the picture does not reshuffle.
import type { MapTopology } from '../src/shared/protocol';
import type { Box } from './layout';

export type MapKind = 'workload' | 'service' | 'ingress' | 'gateway' | 'route' | 'external';

/** The key of a drawn map object: kinds share ids (a Service and its Deployment are both `shop/web`). */
export const mapKey = (kind: MapKind, id: string) => `${kind}:${id}`;

export interface MapLayout {
  width: number;
  height: number;
  /** Namespace groups by name. */
  namespaces: Map<string, Box>;
  /** Every object by mapKey. */
  boxes: Map<string, Box>;
  /** The layer (column in the graph's order) of each unit, by mapKey of its head; for tests. */
  layers: Map<string, number>;
}

export const MAP_SIZES = {
  w: 210,
  service: 44,
  workload: 60,
  entry: 48,
  stackGap: 8,
  unitGap: 22,
  colGap: 90,
  pad: 16,
  header: 34,
  nsGap: 48,
  /** A namespace deeper than this many layers goes on in a further row (see layoutMap). */
  wrapColumns: 8,
  rowGap: 56,
  external: { w: 184, h: 40 },
};

interface Unit {
  key: string;
  namespace: string;
  rank: number;
  members: Array<{ key: string; h: number }>;
}

const RANK: Record<MapKind, number> = { external: 0, gateway: 1, ingress: 2, route: 3, service: 4, workload: 5 };

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Longest-path layers of a directed graph, with the edges that close a cycle (found by a
 * depth-first search in the nodes' order) left out. Sources are layer 0.
 */
export function longestPathLayers(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const state = new Map<string, 1 | 2>();
  const order: string[] = [];
  const forward = new Map<string, string[]>();
  for (const start of nodes) {
    if (state.has(start)) continue;
    // Iterative DFS: a 2,000-workload chain must not overflow the stack.
    const stack: Array<{ n: string; i: number }> = [{ n: start, i: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1] as { n: string; i: number };
      const next = edges.get(top.n) ?? [];
      if (top.i < next.length) {
        const m = next[top.i++] as string;
        const s = state.get(m);
        if (s === 1) continue; // a back edge: it closes a cycle
        const list = forward.get(top.n) ?? [];
        list.push(m);
        forward.set(top.n, list);
        if (s === undefined) {
          state.set(m, 1);
          stack.push({ n: m, i: 0 });
        }
      } else {
        state.set(top.n, 2);
        order.push(top.n);
        stack.pop();
      }
    }
  }
  const layer = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i] as string;
    const l = layer.get(n) ?? 0;
    for (const m of forward.get(n) ?? []) if ((layer.get(m) ?? 0) < l + 1) layer.set(m, l + 1);
  }
  return layer;
}

/** The units of the map: each workload goes under the first Service (by id) that selects it. */
function unitsOf(t: MapTopology): { units: Unit[]; unitOf: Map<string, string> } {
  const S = MAP_SIZES;
  const units: Unit[] = [];
  const unitOf = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const e of t.map.edges)
    if (e.kind === 'endpoint' && !owner.has(e.to) && t.services.some((s) => s.id === e.from)) owner.set(e.to, e.from);
  const under = new Map<string, string[]>();
  for (const w of t.workloads) {
    const s = owner.get(w.id);
    if (s) under.set(s, [...(under.get(s) ?? []), w.id]);
  }
  const add = (kind: MapKind, id: string, namespace: string, h: number, members: Array<{ key: string; h: number }> = []) => {
    const key = mapKey(kind, id);
    const unit = { key, namespace, rank: RANK[kind], members: [{ key, h }, ...members] };
    units.push(unit);
    for (const m of unit.members) unitOf.set(m.key, key);
  };
  for (const s of t.services)
    add(
      'service',
      s.id,
      s.namespace,
      S.service,
      (under.get(s.id) ?? []).sort().map((w) => ({ key: mapKey('workload', w), h: S.workload })),
    );
  for (const w of t.workloads) if (!owner.has(w.id)) add('workload', w.id, w.namespace, S.workload);
  for (const g of t.ingresses) add('ingress', g.id, g.namespace, S.entry);
  for (const g of t.map.gateways) add('gateway', g.id, g.namespace, S.entry);
  for (const r of t.map.routes) add('route', r.id, r.namespace, S.entry);
  return { units: units.sort(byKey), unitOf };
}

/** The unit graph: what leads to what (entry → route → Service, workload → the Service it calls). */
function unitEdges(t: MapTopology, unitOf: Map<string, string>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  const link = (from: string, to: string) => {
    const a = unitOf.get(from);
    const b = unitOf.get(to);
    if (!a || !b || a === b) return;
    out.set(a, (out.get(a) ?? new Set()).add(b));
  };
  for (const e of t.edges) if (e.kind === 'route') link(mapKey('ingress', e.from), mapKey('service', e.to));
  for (const e of t.map.edges) {
    if (e.kind === 'listener') link(mapKey('gateway', e.from), mapKey('route', e.to));
    if (e.kind === 'route') link(mapKey('route', e.from), mapKey('service', e.to));
  }
  for (const c of t.map.calls) link(mapKey('workload', c.from), mapKey('service', c.to));
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** Namespaces in drawing order: those the user wrote first, by name, then the ones the simulator adds. */
function namespaceOrder(t: MapTopology, units: Unit[]): string[] {
  const used = new Set(units.map((u) => u.namespace));
  const implicit = new Set(t.namespaces.filter((n) => n.implicit).map((n) => n.name));
  return [...used].sort((a, b) => Number(implicit.has(a)) - Number(implicit.has(b)) || (a < b ? -1 : a > b ? 1 : 0));
}

export function layoutMap(t: MapTopology): MapLayout {
  const S = MAP_SIZES;
  const { units, unitOf } = unitsOf(t);
  const edges = unitEdges(t, unitOf);
  // Entry points lead: sort them first so the search starts from them.
  const nodes = units.map((u) => u.key);
  const starts = [...units].sort((a, b) => a.rank - b.rank || byKey(a, b)).map((u) => u.key);
  const layers = longestPathLayers(starts.length ? starts : nodes, edges);
  const boxes = new Map<string, Box>();
  const namespaces = new Map<string, Box>();

  // Each namespace's own picture, at the origin: columns by layer, units in (kind, id) order. A
  // namespace of more layers than wrapColumns (a long chain of calls) goes on in another row below,
  // as text wraps: unwrapped, one 40-deep chain made the map 75 times wider than tall, and fitted
  // into the view nothing in it, not even the namespaces' names, could be read. The wrap is a
  // fixed count, so an edit moves only the columns after it, as without wrapping.
  const inner = new Map<string, { w: number; h: number; place: Array<{ key: string; x: number; y: number; h: number }> }>();
  const byNs = new Map<string, Unit[]>();
  for (const u of units) byNs.set(u.namespace, [...(byNs.get(u.namespace) ?? []), u]);
  for (const [ns, list] of byNs) {
    const layerList = [...new Set(list.map((u) => layers.get(u.key) ?? 0))].sort((a, b) => a - b);
    const columns = layerList.map((layer) =>
      list.filter((x) => (layers.get(x.key) ?? 0) === layer).sort((a, b) => a.rank - b.rank || byKey(a, b)),
    );
    const content = columns.map(
      (col) => col.reduce((n, u) => n + u.members.reduce((m, x) => m + x.h + S.stackGap, 0) - S.stackGap, 0) + (col.length - 1) * S.unitGap,
    );
    const perRow = S.wrapColumns;
    const rowTops: number[] = [];
    let top = S.header;
    for (let r = 0; r * perRow < columns.length; r++) {
      rowTops.push(top);
      top += Math.max(0, ...content.slice(r * perRow, (r + 1) * perRow)) + S.rowGap;
    }
    const place: Array<{ key: string; x: number; y: number; h: number }> = [];
    columns.forEach((col, ci) => {
      let y = rowTops[Math.floor(ci / perRow)] ?? S.header;
      const x = S.pad + (ci % perRow) * (S.w + S.colGap);
      for (const u of col) {
        for (const m of u.members) {
          place.push({ key: m.key, x, y, h: m.h });
          y += m.h + S.stackGap;
        }
        y += S.unitGap - S.stackGap;
      }
    });
    const across = Math.min(columns.length, perRow);
    const h = columns.length > 0 ? top - S.rowGap + S.pad : 0;
    inner.set(ns, { w: S.pad * 2 + across * S.w + (across - 1) * S.colGap, h: Math.max(h, S.header + S.pad), place });
  }

  // Namespaces in rows, wrapped at a width that keeps the whole map about twice as wide as tall.
  const order = namespaceOrder(t, units);
  const area = [...inner.values()].reduce((n, b) => n + (b.w + S.nsGap) * (b.h + S.nsGap), 0);
  const rowWidth = Math.max(1400, Math.sqrt(area * 2));
  const client = t.externals.find((x) => x.role === 'client');
  const top = client ? S.external.h + S.nsGap : 0;
  let x = 0;
  let y = top;
  let rowH = 0;
  let width = 0;
  for (const ns of order) {
    const b = inner.get(ns);
    if (!b) continue;
    if (x > 0 && x + b.w > rowWidth) {
      x = 0;
      y += rowH + S.nsGap;
      rowH = 0;
    }
    namespaces.set(ns, { x, y, w: b.w, h: b.h });
    for (const p of b.place) boxes.set(p.key, { x: x + p.x, y: y + p.y, w: S.w, h: p.h });
    x += b.w + S.nsGap;
    width = Math.max(width, x - S.nsGap);
    rowH = Math.max(rowH, b.h);
  }
  if (client) boxes.set(mapKey('external', client.id), { x: 0, y: 0, ...S.external });
  const unitLayers = new Map<string, number>();
  for (const u of units) unitLayers.set(u.key, layers.get(u.key) ?? 0);
  return { width: Math.max(width, S.external.w), height: y + rowH, namespaces, boxes, layers: unitLayers };
}
