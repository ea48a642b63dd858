// The topology's layout: a pure, deterministic function of the topology JSON. Rows from the top:
// the external client, its entry points (load balancers, NodePorts), Ingresses, Services; below
// them the nodes as regions holding their pods. Nodes keep their order (the engine's, which follows
// the cluster settings), pods are sorted by id inside their node, and Services sit above the
// centre of their endpoints, so re-analyses move little.
import type { Topology } from '../src/shared/protocol';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  /** The region of pods no node could take (Pending), when there are any. */
  pending: Box | null;
  pods: Map<string, Box>;
  services: Map<string, Box>;
  ingresses: Map<string, Box>;
  externals: Map<string, Box>;
  /** One box per workload and node, covering its pods there: what is drawn when zoomed far out. */
  blobs: Array<{ id: string; workload: string; namespace: string; node: string | null; count: number; box: Box }>;
}

export const SIZES = {
  pod: { w: 168, h: 40 },
  podGap: 8,
  /** Room between pod rows for the target-port label of the edges arriving at the lower pod. */
  podRowGap: 20,
  nodePad: 14,
  nodeHeader: 46,
  nodeGap: 40,
  service: { w: 184, h: 50 },
  ingress: { w: 200, h: 50 },
  external: { w: 184, h: 40 },
  itemGap: 24,
  rowGap: 90,
};

/** Columns of pods inside one node region: roughly square for big nodes, at least 2. */
export function podColumns(count: number): number {
  return Math.max(2, Math.ceil(Math.sqrt(count / 2)));
}

const centre = (b: Box) => b.x + b.w / 2;

/**
 * Places items of one width in rows of at most `maxWidth`, each near its wished-for centre,
 * in order of that wish (ties by id), never overlapping. Returns the boxes and the rows' bottom.
 */
export function packRow(
  items: Array<{ id: string; want: number }>,
  w: number,
  h: number,
  top: number,
  maxWidth: number,
  gap: number,
): { boxes: Map<string, Box>; bottom: number } {
  const boxes = new Map<string, Box>();
  const sorted = [...items].sort((a, b) => a.want - b.want || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const perRow = Math.max(1, Math.floor((maxWidth + gap) / (w + gap)));
  let y = top;
  for (let start = 0; start < sorted.length; start += perRow) {
    const row = sorted.slice(start, start + perRow);
    let x = -Infinity;
    for (const it of row) {
      x = Math.max(it.want - w / 2, x === -Infinity ? 0 : x + w + gap);
      boxes.set(it.id, { x, y, w, h });
    }
    // Pull a row that ran past the right edge back to the left, keeping its order.
    const overflow = x + w - maxWidth;
    if (overflow > 0)
      for (const it of row) {
        const b = boxes.get(it.id);
        if (b) b.x = Math.max(0, b.x - overflow);
      }
    y += h + gap;
  }
  return { boxes, bottom: sorted.length ? y - gap : top };
}

/** Lays the whole topology out. */
export function layoutTopology(t: Topology): Layout {
  const { pod, podGap, podRowGap, nodePad, nodeHeader, nodeGap } = SIZES;
  const podsByNode = new Map<string | null, string[]>();
  for (const p of t.pods) {
    const key = p.node !== null && t.nodes.some((n) => n.id === p.node) ? p.node : null;
    const list = podsByNode.get(key) ?? [];
    list.push(p.id);
    podsByNode.set(key, list);
  }
  const regions: Array<{ id: string | null; count: number; w: number; h: number }> = t.nodes.map((n) => ({
    id: n.id,
    count: podsByNode.get(n.id)?.length ?? 0,
    w: 0,
    h: 0,
  }));
  if (podsByNode.has(null)) regions.push({ id: null, count: podsByNode.get(null)?.length ?? 0, w: 0, h: 0 });
  for (const r of regions) {
    const cols = Math.max(1, Math.min(podColumns(r.count), Math.max(1, r.count)));
    const rows = Math.ceil(r.count / cols);
    r.w = Math.max(280, nodePad * 2 + cols * pod.w + (cols - 1) * podGap);
    r.h = nodeHeader + nodePad + Math.max(1, rows) * (pod.h + podRowGap) - podRowGap + nodePad;
  }
  // Regions in a grid: one row for up to four nodes, else about square.
  const gridCols = regions.length <= 4 ? Math.max(1, regions.length) : Math.ceil(Math.sqrt(regions.length));
  const placedRegions: Array<{ id: string | null; box: Box }> = [];
  let rowY = 0;
  let areaWidth = 0;
  for (let i = 0; i < regions.length; i += gridCols) {
    const row = regions.slice(i, i + gridCols);
    let x = 0;
    const rowH = Math.max(...row.map((r) => r.h));
    for (const r of row) {
      placedRegions.push({ id: r.id, box: { x, y: rowY, w: r.w, h: rowH } });
      x += r.w + nodeGap;
    }
    areaWidth = Math.max(areaWidth, x - nodeGap);
    rowY += rowH + nodeGap;
  }
  areaWidth = Math.max(areaWidth, SIZES.service.w);

  // Pods inside their region, row by row.
  const pods = new Map<string, Box>();
  const podNode = new Map<string, string | null>();
  for (const { id, box } of placedRegions) {
    const list = podsByNode.get(id) ?? [];
    const cols = Math.max(1, Math.min(podColumns(list.length), Math.max(1, list.length)));
    list.forEach((pid, i) => {
      pods.set(pid, {
        x: box.x + nodePad + (i % cols) * (pod.w + podGap),
        y: box.y + nodeHeader + nodePad + Math.floor(i / cols) * (pod.h + podRowGap),
        w: pod.w,
        h: pod.h,
      });
      podNode.set(pid, id);
    });
  }

  // Rows above the nodes, built bottom-up so each can sit over what it leads to.
  const ends = new Map<string, string[]>();
  for (const e of t.edges) ends.set(e.from, [...(ends.get(e.from) ?? []), e.to]);
  const wantOver = (id: string, placed: Map<string, Box>, fallback: number) => {
    const xs = (ends.get(id) ?? [])
      .map((to) => placed.get(to))
      .filter((b): b is Box => !!b)
      .map(centre);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : fallback;
  };
  const svcRow = packRow(
    t.services.map((s, i) => ({ id: s.id, want: wantOver(s.id, pods, areaWidth + i) })),
    SIZES.service.w,
    SIZES.service.h,
    0,
    areaWidth,
    SIZES.itemGap,
  );
  const ingRow = packRow(
    t.ingresses.map((g, i) => ({ id: g.id, want: wantOver(g.id, svcRow.boxes, i * 10) })),
    SIZES.ingress.w,
    SIZES.ingress.h,
    0,
    areaWidth,
    SIZES.itemGap,
  );
  const entries = t.externals.filter((x) => x.role !== 'client');
  const entryRow = packRow(
    entries.map((x, i) => ({ id: x.id, want: wantOver(x.id, svcRow.boxes, i * 10) })),
    SIZES.external.w,
    SIZES.external.h,
    0,
    areaWidth,
    SIZES.itemGap,
  );

  // Stack: client, entries, ingresses, services, nodes (skipping empty rows).
  const stack: Array<{ boxes: Map<string, Box>; height: number }> = [];
  const client = t.externals.find((x) => x.role === 'client');
  if (client)
    stack.push({
      boxes: new Map([[client.id, { x: Math.max(0, areaWidth / 2 - SIZES.external.w / 2), y: 0, ...SIZES.external }]]),
      height: SIZES.external.h,
    });
  if (entries.length) stack.push({ boxes: entryRow.boxes, height: entryRow.bottom });
  if (t.ingresses.length) stack.push({ boxes: ingRow.boxes, height: ingRow.bottom });
  if (t.services.length) stack.push({ boxes: svcRow.boxes, height: svcRow.bottom });
  let y = 0;
  for (const row of stack) {
    for (const b of row.boxes.values()) b.y += y;
    y += row.height + SIZES.rowGap;
  }
  const shift = (b: Box) => ({ ...b, y: b.y + y });
  const nodes = new Map<string, Box>();
  let pending: Box | null = null;
  for (const { id, box } of placedRegions) {
    if (id === null) pending = shift(box);
    else nodes.set(id, shift(box));
  }
  for (const [id, b] of pods) pods.set(id, shift(b));

  const externals = new Map<string, Box>([...entryRow.boxes]);
  if (client && stack[0]) for (const [id, b] of stack[0].boxes) externals.set(id, b);
  return {
    width: Math.max(areaWidth, ...[...svcRow.boxes.values(), ...ingRow.boxes.values(), ...externals.values()].map((b) => b.x + b.w)),
    height: y + rowY - nodeGap,
    nodes,
    pending,
    pods,
    services: svcRow.boxes,
    ingresses: ingRow.boxes,
    externals,
    blobs: blobsOf(t, pods, podNode),
  };
}

function blobsOf(t: Topology, pods: Map<string, Box>, podNode: Map<string, string | null>): Layout['blobs'] {
  const groups = new Map<string, { workload: string; namespace: string; node: string | null; boxes: Box[] }>();
  for (const p of t.pods) {
    const b = pods.get(p.id);
    if (!b) continue;
    const node = podNode.get(p.id) ?? null;
    const key = `${p.workload}@${node ?? ''}`;
    const g = groups.get(key) ?? { workload: p.workload, namespace: p.namespace, node, boxes: [] };
    g.boxes.push(b);
    groups.set(key, g);
  }
  return [...groups].map(([id, g]) => {
    const x = Math.min(...g.boxes.map((b) => b.x));
    const y = Math.min(...g.boxes.map((b) => b.y));
    const box = { x, y, w: Math.max(...g.boxes.map((b) => b.x + b.w)) - x, h: Math.max(...g.boxes.map((b) => b.y + b.h)) - y };
    return { id, workload: g.workload, namespace: g.namespace, node: g.node, count: g.boxes.length, box };
  });
}
