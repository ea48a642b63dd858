// Turns an engine trace into what the topology view animates: each hop rendered as the CLI prints
// it ({step, node, detail} and the manifest range), plus the ids of the drawn objects it touches,
// found from the names and addresses the hop carries. No vscode import: unit-testable.
import { renderHop, type Hop, type TraceResult } from '../../engine';
import type { Topology } from '../../engine';
import type { TraceHopView, TraceView } from '../../shared/protocol';

interface ObjectIndex {
  ids: Set<string>;
  byIp: Map<string, string[]>;
}

function indexOf(t: Topology): ObjectIndex {
  const ids = new Set<string>([...t.pods, ...t.services, ...t.ingresses, ...t.externals, ...t.nodes].map((x) => x.id));
  const byIp = new Map<string, string[]>();
  const add = (ip: string | null, id: string) => {
    if (!ip || ip === 'None') return;
    const list = byIp.get(ip) ?? [];
    if (!list.includes(id)) list.push(id);
    byIp.set(ip, list);
  };
  for (const p of t.pods) if (!p.hostNetwork) add(p.ip, p.id);
  for (const s of t.services) add(s.clusterIP, s.id);
  for (const x of t.externals) add(x.ip, x.id);
  for (const n of t.nodes) add(n.ip, n.id);
  return { ids, byIp };
}

const NAME_RE = /[a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*/g;
const IP_RE = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

/** The drawn objects a hop names, in the order the hop names them (its subject first). */
export function hopObjects(hop: Hop, index: ObjectIndex): string[] {
  const out: string[] = [];
  const add = (id: string) => {
    if (!out.includes(id)) out.push(id);
  };
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      if (index.ids.has(v)) add(v);
      for (const m of v.matchAll(NAME_RE)) if (index.ids.has(m[0])) add(m[0]);
      for (const m of v.matchAll(IP_RE)) for (const id of index.byIp.get(m[0]) ?? []) add(id);
    } else if (Array.isArray(v)) {
      if (depth < 3) for (const x of v) visit(x, depth + 1);
    } else if (typeof v === 'object' && v !== null && depth < 3) {
      for (const [k, x] of Object.entries(v)) if (k !== 'range' && k !== 'reason') visit(x, depth + 1);
    }
  };
  for (const [k, v] of Object.entries(hop)) if (k !== 'kind' && k !== 'node' && k !== 'range') visit(v, 0);
  return out;
}

/** The trace as the view shows it: one entry per hop of the way there (the reply is left out). */
export function traceView(result: TraceResult, topology: Topology, title: string): TraceView {
  const index = indexOf(topology);
  const hops: TraceHopView[] = result.hops.map((h) => {
    const r = renderHop(h);
    const view: TraceHopView = { step: r.step, node: r.node, detail: r.detail, objects: hopObjects(h, index) };
    if (r.range) view.source = r.range;
    return view;
  });
  const origin = result.source.kind === 'node' ? result.source.name.replace(/^node\//, '') : result.source.name;
  const first = hops[0];
  if (first && index.ids.has(origin)) first.objects = [origin, ...first.objects.filter((x) => x !== origin)];
  return { title, verdict: result.verdict, reason: result.reason, hops };
}
