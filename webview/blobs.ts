// Semantic zoom of the nodes view: zoomed out over a large cluster, each workload's pods on a node
// are drawn as one band ("web ×12") instead of a box per pod; zoomed in, the pods come back. A
// workload's pods sit together in its node's grid (pods are placed in id order), so its band is one
// rectangle per grid row it covers. The pods' elements stay in the drawing (hidden), so every pod
// keeps its data-kind="pod" element for screen readers and tests.
import type { Topology } from '../src/shared/protocol';
import type { Box, Layout } from './layout';

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

/** Draws one band per workload and node into `layer`. */
export function drawBlobs(layer: SVGGElement, t: Topology, layout: Layout, nsColour: Map<string, number>): void {
  layer.replaceChildren();
  const podsOf = new Map<string, Box[]>();
  for (const p of t.pods) {
    const box = layout.pods.get(p.id);
    if (!box) continue;
    const key = `${p.workload}@${p.node ?? ''}`;
    podsOf.set(key, [...(podsOf.get(key) ?? []), box]);
  }
  for (const blob of layout.blobs) {
    const bands = rowBands(podsOf.get(`${blob.workload}@${blob.node ?? ''}`) ?? []);
    const first = bands[0];
    if (!first) continue;
    const g = svgEl('g', { class: `blob ns-c${nsColour.get(blob.namespace) ?? 0}`, 'data-workload': blob.workload, 'aria-hidden': 'true' });
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
  }
}
