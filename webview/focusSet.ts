// What a focused workload brings forward in the map: everything it calls (the Services and the
// workloads behind them), everything that calls it (through the Services that select it), the
// entry points that route to it, and, from the policy layer, who may reach it and who may not.
// Pure: the topology and the policy layer in, the keys to light and the side panel's list out.
import type { MapTopology, PolicyLayer } from '../src/shared/protocol';
import { mapKey } from './mapLayout';

export interface FocusEntry {
  section: 'calls' | 'called by' | 'may reach it' | 'may not reach it';
  /** The other end (a Service for calls, a workload otherwise, or `external`). */
  peer: string;
  text: string;
  verdict: 'allowed' | 'blocked';
  reason: string;
}

export interface FocusSet {
  root: string;
  /** mapKeys of the objects to keep lit. */
  objects: Set<string>;
  /** data-ids of the edges to keep lit. */
  edges: Set<string>;
  entries: FocusEntry[];
}

export function focusSet(t: MapTopology, workload: string, layer: PolicyLayer | null): FocusSet {
  const objects = new Set<string>([mapKey('workload', workload)]);
  const edges = new Set<string>();
  const entries: FocusEntry[] = [];
  const behind = (svc: string) => t.map.edges.filter((e) => e.kind === 'endpoint' && e.from === svc);
  for (const c of t.map.calls.filter((x) => x.from === workload)) {
    edges.add(c.id);
    objects.add(mapKey('service', c.to));
    for (const e of behind(c.to)) {
      edges.add(e.id);
      objects.add(mapKey('workload', e.to));
    }
    const blocked = c.ports.find((p) => p.verdict === 'blocked');
    entries.push({
      section: 'calls',
      peer: c.to,
      text: `${c.to} :${c.ports.map((p) => p.port).join(', ')}`,
      verdict: c.verdict,
      reason: blocked ? `${blocked.outcome}: ${blocked.reason}` : c.via.join('; '),
    });
  }
  const services = t.map.edges.filter((e) => e.kind === 'endpoint' && e.to === workload).map((e) => e.from);
  for (const s of services) {
    objects.add(mapKey('service', s));
    for (const e of t.map.edges) if (e.kind === 'endpoint' && e.from === s && e.to === workload) edges.add(e.id);
    for (const c of t.map.calls.filter((x) => x.to === s)) {
      edges.add(c.id);
      objects.add(mapKey('workload', c.from));
      const blocked = c.ports.find((p) => p.verdict === 'blocked');
      entries.push({
        section: 'called by',
        peer: c.from,
        text: `${c.from} → ${s}`,
        verdict: c.verdict,
        reason: blocked ? `${blocked.outcome}: ${blocked.reason}` : c.via.join('; '),
      });
    }
    for (const e of t.edges)
      if (e.kind === 'route' && e.to === s) {
        objects.add(mapKey('ingress', e.from));
        edges.add(`map:${e.id}`);
      }
    for (const e of t.map.edges)
      if (e.kind === 'route' && e.to === s) {
        objects.add(mapKey('route', e.from));
        edges.add(e.id);
        for (const l of t.map.edges)
          if (l.kind === 'listener' && l.to === e.from) {
            objects.add(mapKey('gateway', l.from));
            edges.add(l.id);
          }
      }
  }
  if (layer && layer.focus === workload) {
    // One entry per peer and verdict, its ports together.
    const byPeer = new Map<string, { ports: string[]; allowed: boolean; reason: string }>();
    for (const e of layer.edges) {
      if (e.direction !== 'ingress' || e.toWorkload !== workload) continue;
      const key = `${e.fromWorkload}|${e.allowed}`;
      const cur = byPeer.get(key) ?? { ports: [], allowed: e.allowed, reason: e.reason };
      cur.ports.push(`${e.port}/${e.protocol}`);
      byPeer.set(key, cur);
    }
    for (const [key, p] of [...byPeer].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const peer = key.slice(0, key.lastIndexOf('|'));
      if (p.allowed) {
        objects.add(peer === 'external' ? mapKey('external', peer) : mapKey('workload', peer));
        edges.add(`policy:${peer}->${workload}`);
      }
      entries.push({
        section: p.allowed ? 'may reach it' : 'may not reach it',
        peer,
        text: `${peer} on ${p.ports.join(', ')}`,
        verdict: p.allowed ? 'allowed' : 'blocked',
        reason: p.reason,
      });
    }
  }
  return { root: workload, objects, edges, entries };
}
