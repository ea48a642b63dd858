// Export of the picture: the whole layout (not just the part in view) as a standalone SVG whose
// colours are the theme's resolved values (CSS variables mean nothing outside VS Code), or that SVG
// rasterised to PNG. Hidden objects (filtered namespaces, hidden layers) stay out.
import type { Box } from './layout';
import type { Culler } from './cull';

const PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
] as const;
const MAX_PNG_SIDE = 8192;

/** A standalone SVG of `svg`'s content within `bounds`. */
export function exportSvg(svg: SVGSVGElement, bounds: Box): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const live = [svg, ...svg.querySelectorAll('*')];
  const copies = [clone, ...clone.querySelectorAll('*')];
  const drop: Element[] = [];
  live.forEach((el, i) => {
    const copy = copies[i];
    if (!copy) return;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') {
      drop.push(copy);
      return;
    }
    if (el === svg) return;
    for (const p of PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) copy.setAttribute(p, v);
    }
    copy.removeAttribute('class');
    copy.removeAttribute('tabindex');
  });
  for (const el of drop) el.remove();
  const pad = 24;
  const viewport = clone.querySelector('g.viewport');
  viewport?.removeAttribute('transform');
  clone.removeAttribute('class');
  clone.removeAttribute('tabindex');
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('viewBox', `${bounds.x - pad} ${bounds.y - pad} ${bounds.w + 2 * pad} ${bounds.h + 2 * pad}`);
  clone.setAttribute('width', String(Math.ceil(bounds.w + 2 * pad)));
  clone.setAttribute('height', String(Math.ceil(bounds.h + 2 * pad)));
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('x', String(bounds.x - pad));
  bg.setAttribute('y', String(bounds.y - pad));
  bg.setAttribute('width', String(bounds.w + 2 * pad));
  bg.setAttribute('height', String(bounds.h + 2 * pad));
  bg.setAttribute('fill', getComputedStyle(document.body).backgroundColor || '#ffffff');
  clone.insertBefore(bg, clone.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/** A drawing's whole layout as SVG: what culling hid shows for it, and is culled again after (`recull`). */
export function exportDrawing(svg: SVGSVGElement, drawn: { width: number; height: number }, culler: Culler, recull: () => unknown) {
  const bounds = { x: 0, y: 0, w: drawn.width, h: drawn.height };
  culler.reset();
  const text = exportSvg(svg, bounds);
  recull();
  return { text, w: bounds.w + 48, h: bounds.h + 48 };
}

function utf8Base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** The SVG rasterised to PNG (base64, without the data: prefix), at most MAX_PNG_SIDE pixels a side. */
export async function exportPng(svgText: string, width: number, height: number): Promise<string> {
  const scale = Math.min(2, MAX_PNG_SIDE / Math.max(width, height));
  const img = new Image();
  img.decoding = 'async';
  const loaded = new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('the SVG could not be rasterised'));
  });
  img.src = `data:image/svg+xml;base64,${utf8Base64(svgText)}`;
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas available');
  g.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const CELL = { w: 132, head: 176, h: 24, caption: 28, chars: 19 };

/**
 * The matrix grid shown (an HTML table) drawn as a standalone SVG: one rectangle per cell in its
 * resolved colours, its text (cut to fit, the whole of it in a title), matrix cells keeping their
 * data-kind and data-id as the view's contract names them.
 */
export function exportTable(table: HTMLTableElement): { text: string; w: number; h: number } {
  const rows = [...table.rows];
  const cols = Math.max(1, ...rows.map((r) => r.cells.length));
  const w = CELL.head + (cols - 1) * CELL.w;
  const h = CELL.caption + rows.length * CELL.h;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('xmlns', SVG_NS);
  svg.setAttribute('width', String(w + 2));
  svg.setAttribute('height', String(h + 2));
  svg.setAttribute('viewBox', `-1 -1 ${w + 2} ${h + 2}`);
  const body = getComputedStyle(document.body);
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  svg.append(el('rect', { x: -1, y: -1, width: w + 2, height: h + 2, fill: body.backgroundColor || '#ffffff' }));
  const font = { 'font-family': body.fontFamily || 'sans-serif', 'font-size': 12, fill: body.color || '#000000' };
  svg.append(el('text', { x: 4, y: 18, ...font }, table.caption?.textContent ?? ''));
  rows.forEach((row, ri) => {
    [...row.cells].forEach((cell, ci) => {
      const x = ci === 0 ? 0 : CELL.head + (ci - 1) * CELL.w;
      const y = CELL.caption + ri * CELL.h;
      const cw = ci === 0 ? CELL.head : CELL.w;
      const cs = getComputedStyle(cell);
      const g = el('g', cell.dataset['kind'] ? { 'data-kind': cell.dataset['kind'], 'data-id': cell.dataset['id'] ?? '' } : {});
      const bg = cs.backgroundColor;
      g.append(
        el('rect', {
          x,
          y,
          width: cw,
          height: CELL.h,
          fill: bg && bg !== 'rgba(0, 0, 0, 0)' ? bg : 'none',
          stroke: cs.borderTopColor || '#808080',
        }),
      );
      const text = cell.textContent ?? '';
      const limit = ci === 0 ? CELL.chars + 6 : CELL.chars;
      g.append(
        el(
          'text',
          { x: x + 5, y: y + 16, ...font, 'font-weight': cell.tagName === 'TH' ? 600 : 400 },
          text.length > limit ? `${text.slice(0, limit - 1)}…` : text,
        ),
      );
      if (cell.title) g.append(el('title', {}, cell.title));
      svg.append(g);
    });
  });
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`, w: w + 2, h: h + 2 };
}
