// Semantic zoom of the nodes view: zoomed out over a large cluster, each workload's pods on a node
// are drawn as one band ("web ×12") instead of a box per pod; zoomed in, the pods come back. A
// workload's pods sit together in its node's grid (pods are placed in id order), so its band is one
// rectangle per grid row it covers. With the whole cluster in view, even the bands are too many
// elements to pan at frame rate and too small to read: the bands and the Services are drawn as one
// path per namespace instead. The pods' and Services' elements stay in the drawing (hidden), so
// every object keeps its data-kind element for screen readers and tests.
import type { Topology } from '../src/shared/protocol';
import type { Box, Layout } from './layout';
import { verticalCurve } from './geometry';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The rows of a set of pod boxes, each as one box spanning its pods in that row. */
export function rowBands(boxes: readonly Box[]): Box[] {
  const rows = new Map<number, Box>();
  for (const b of boxes) {
    const r = rows.get(b.y);
    if (!r) rows.set(b.y, { ...b });
    else {
      const x = Math.min(r.x, b.x);
      r.w = Math.max(r.x + r.w, b.x + b.w) - x;
      r.x = x;
    }
  }
  return [...rows.values()].sort((a, b) => a.y - b.y);
}

/** The rectangles as one path's data (a subpath each): a thousand boxes for the price of one element. */
export function rectsPath(boxes: readonly Box[]): string {
  const r = (n: number) => String(Math.round(n * 10) / 10);
  return boxes.map((b) => `M${r(b.x)},${r(b.y)}h${r(b.w)}v${r(b.h)}h${r(-b.w)}z`).join('');
}

/**
 * Draws one band per workload and node into `layer` (zoomed out), and into `tiny` (the whole
 * cluster in view, where no name can be read) the same bands and the Services' boxes as one path
 * per namespace. Returns each band group with the box it covers, for culling.
 */
export function drawBlobs(
  layer: SVGGElement,
  tiny: SVGGElement,
  t: Topology,
  layout: Layout,
  nsColour: Map<string, number>,
): Array<{ el: Element; box: Box }> {
  layer.replaceChildren();
  tiny.replaceChildren();
  const items: Array<{ el: Element; box: Box }> = [];
  const podsOf = new Map<string, Box[]>();
  for (const p of t.pods) {
    const box = layout.pods.get(p.id);
    if (!box) continue;
    const key = `${p.workload}@${p.node ?? ''}`;
    const list = podsOf.get(key);
    if (list) list.push(box);
    else podsOf.set(key, [box]);
  }
  const bandsOf = new Map<string, Box[]>();
  for (const blob of layout.blobs) {
    const bands = rowBands(podsOf.get(`${blob.workload}@${blob.node ?? ''}`) ?? []);
    const first = bands[0];
    if (!first) continue;
    const g = svgEl('g', {
      class: `blob ns-c${nsColour.get(blob.namespace) ?? 0}`,
      'data-workload': blob.workload,
      'data-namespace': blob.namespace,
      'aria-hidden': 'true',
    });
    for (const b of bands) g.append(svgEl('rect', { class: 'shape', x: b.x, y: b.y, width: b.w, height: b.h, rx: 6 }));
    g.append(
      svgEl(
        'text',
        { class: 'name', x: first.x + 8, y: first.y + Math.min(first.h - 8, 26) },
        `${blob.workload.slice(blob.namespace.length + 1)} ×${blob.count}`,
      ),
    );
    g.append(svgEl('title', {}, `${blob.count} pod(s) of ${blob.workload} on ${blob.node ?? 'no node'}`));
    layer.append(g);
    items.push({ el: g, box: blob.box });
    const list = bandsOf.get(blob.namespace);
    if (list) list.push(...bands);
    else bandsOf.set(blob.namespace, [...bands]);
  }
  const servicesOf = new Map<string, Box[]>();
  for (const s of t.services) {
    const box = layout.services.get(s.id);
    if (!box || box.w === 0) continue;
    const list = servicesOf.get(s.namespace);
    if (list) list.push(box);
    else servicesOf.set(s.namespace, [box]);
  }
  for (const [kind, of] of [
    ['pods', bandsOf],
    ['services', servicesOf],
  ] as const)
    for (const [ns, boxes] of [...of].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
      tiny.append(
        svgEl('path', {
          class: `tiny tiny-${kind} ns-c${nsColour.get(ns) ?? 0}`,
          'data-namespace': ns,
          'aria-hidden': 'true',
          d: rectsPath(boxes),
        }),
      );
  return items;
}

const union = (a: Box, b: Box): Box => {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
};

/**
 * Draws, for a large cluster, each Service's endpoint edges as one edge per workload and node ("×N")
 * into `layer`, recording in `extents` the area each covers (for culling). `boxes`: the drawn objects' boxes.
 */
export function drawEndpointGroups(
  layer: SVGGElement,
  t: Topology,
  layout: Layout,
  boxes: Map<string, Box>,
  extents: WeakMap<Element, Box>,
): void {
  const nodeOf = new Map(t.pods.map((p) => [p.id, p.node]));
  const podsOf = new Map(t.workloads.map((w) => [w.id, w.pods]));
  const blobOf = new Map<string, Layout['blobs'][number]>();
  for (const b of layout.blobs) for (const p of podsOf.get(b.workload) ?? []) if (nodeOf.get(p) === b.node) blobOf.set(p, b);
  const groups = new Map<string, { from: string; blob: Layout['blobs'][number]; labels: Set<string>; count: number }>();
  for (const e of t.edges) {
    if (e.kind !== 'endpoint') continue;
    const blob = blobOf.get(e.to);
    if (!blob) continue;
    const key = `${e.from}=>${blob.id}`;
    const g = groups.get(key) ?? { from: e.from, blob, labels: new Set<string>(), count: 0 };
    g.count++;
    g.labels.add(e.label);
    groups.set(key, g);
  }
  for (const [key, g] of groups) {
    const a = boxes.get(g.from);
    if (!a) continue;
    const { d } = verticalCurve(a, g.blob.box);
    const labels = [...g.labels].join(', ');
    const el = svgEl('g', {
      class: 'edge edge-endpoint-group',
      'data-kind': 'edge',
      'data-id': key,
      'data-from': g.from,
      'data-to': g.blob.workload,
    });
    el.append(
      svgEl('path', { d, 'marker-end': 'url(#arrow)' }),
      svgEl('title', {}, `${g.from} → ${g.count} pod(s) of ${g.blob.workload} on ${g.blob.node ?? 'no node'} (${labels})`),
      svgEl(
        'text',
        { class: 'edge-label', x: g.blob.box.x + g.blob.box.w / 2, y: g.blob.box.y - 5, 'text-anchor': 'middle' },
        `${g.count} × ${labels}`,
      ),
    );
    extents.set(el, union(a, { ...g.blob.box, y: g.blob.box.y - 16, h: g.blob.box.h + 16 }));
    layer.append(el);
  }
}
