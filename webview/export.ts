// Export of the picture: the whole layout (not just the part in view) as a standalone SVG whose
// colours are the theme's resolved values (CSS variables mean nothing outside VS Code), or that SVG
// rasterised to PNG. Hidden objects (filtered namespaces, hidden layers) stay out.
import type { Box } from './layout';

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
