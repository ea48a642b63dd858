// Small geometry helpers for drawing edges between laid-out boxes, and text that fits a box.
import type { Box } from './layout';

export const centreOf = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/** A coordinate as SVG attribute text, to one decimal (the drawings' precision). */
export const r1 = (n: number) => String(Math.round(n * 10) / 10);

/** A vertical S-curve from one box to another: bottom to top when `a` is above `b`, else top to bottom. */
export function verticalCurve(a: Box, b: Box): { d: string; mid: { x: number; y: number } } {
  const x1 = a.x + a.w / 2;
  const x2 = b.x + b.w / 2;
  const down = a.y + a.h <= b.y;
  const y1 = down ? a.y + a.h : a.y;
  const y2 = down ? b.y : b.y + b.h;
  const my = (y1 + y2) / 2;
  return { d: `M${r(x1)},${r(y1)}C${r(x1)},${r(my)} ${r(x2)},${r(my)} ${r(x2)},${r(y2)}`, mid: { x: (x1 + x2) / 2, y: my } };
}

/** A bowed curve between box centres (for policy edges, which may join pods side by side); `bend` picks the side. */
export function bowedCurve(a: Box, b: Box, bend: number): { d: string; mid: { x: number; y: number } } {
  const p = centreOf(a);
  const q = centreOf(b);
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const len = Math.hypot(dx, dy) || 1;
  const off = Math.min(160, 30 + len * 0.18) * bend;
  const cx = (p.x + q.x) / 2 - (dy / len) * off;
  const cy = (p.y + q.y) / 2 + (dx / len) * off;
  return {
    d: `M${r(p.x)},${r(p.y)}Q${r(cx)},${r(cy)} ${r(q.x)},${r(q.y)}`,
    mid: { x: (p.x + 2 * cx + q.x) / 4, y: (p.y + 2 * cy + q.y) / 4 },
  };
}

function r(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Cuts text to about `maxChars`, ending with an ellipsis, so labels never spill out of their box. */
export function fit(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(1, maxChars - 1))}…`;
}

/** An SVG text element at (x, y) of class `cls`; the text goes in as text, never as markup. */
export function textEl(cls: string, x: number, y: number, text: string): SVGTextElement {
  const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  t.setAttribute('class', cls);
  t.setAttribute('x', String(x));
  t.setAttribute('y', String(y));
  t.textContent = text;
  return t;
}
