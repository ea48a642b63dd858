// The map's edge shapes: a call, route or policy edge between two boxes, and a Service's bracket
// to the workloads stacked under it.
import type { Box } from './layout';
import { r1 } from './geometry';

/** A curve from box `a` to box `b`: side to side when one is left of the other, else around their right sides. */
export function mapCurve(a: Box, b: Box, fromAbove = false): { d: string; mid: { x: number; y: number } } {
  const ay = a.y + a.h / 2;
  const by = b.y + b.h / 2;
  if (fromAbove && b.y >= a.y + a.h) {
    // The external client over the entry points: top to bottom.
    const x1 = a.x + a.w / 2;
    const x2 = b.x + Math.min(b.w / 2, 40);
    const y1 = a.y + a.h;
    const my = (y1 + b.y) / 2;
    return { d: `M${r1(x1)},${r1(y1)}C${r1(x1)},${r1(my)} ${r1(x2)},${r1(my)} ${r1(x2)},${r1(b.y)}`, mid: { x: (x1 + x2) / 2, y: my } };
  }
  if (b.x >= a.x + a.w) {
    const x1 = a.x + a.w;
    const x2 = b.x;
    if (x2 - x1 > a.w) {
      // Past a column of boxes: arc over the tops of both ends, so it is not read as leaving a box it passes.
      const top = Math.min(a.y, b.y) - 26;
      const d = `M${r1(x1)},${r1(ay)}C${r1(x1 + 60)},${r1(top)} ${r1(x2 - 60)},${r1(top)} ${r1(x2)},${r1(by)}`;
      return { d, mid: { x: (x1 + x2) / 2, y: top } };
    }
    // Between neighbouring columns: orthogonal, through the gap's middle. Every edge crossing the
    // same gap shares that vertical, so parallel calls run as one bundle instead of criss-crossing
    // curves, and each leaves it at its own target's height (where its label sits).
    const cx = (x1 + x2) / 2;
    const dy = by - ay;
    if (Math.abs(dy) < 1) return { d: `M${r1(x1)},${r1(ay)}H${r1(x2)}`, mid: { x: (cx + x2) / 2, y: by } };
    const r = Math.min(8, Math.abs(dy) / 2, (x2 - x1) / 4);
    const s = Math.sign(dy);
    return {
      d: `M${r1(x1)},${r1(ay)}H${r1(cx - r)}Q${r1(cx)},${r1(ay)} ${r1(cx)},${r1(ay + s * r)}V${r1(by - s * r)}Q${r1(cx)},${r1(by)} ${r1(cx + r)},${r1(by)}H${r1(x2)}`,
      mid: { x: (cx + x2) / 2, y: by },
    };
  }
  if (a.x >= b.x + b.w) {
    const x1 = a.x;
    const x2 = b.x + b.w;
    if (x1 - x2 > a.w) {
      // Back across columns (a call closing a cycle): arc over the tops, not through the boxes between.
      const top = Math.min(a.y, b.y) - 26;
      const d = `M${r1(x1)},${r1(ay)}C${r1(x1 - 60)},${r1(top)} ${r1(x2 + 60)},${r1(top)} ${r1(x2)},${r1(by)}`;
      return { d, mid: { x: (x1 + x2) / 2, y: top } };
    }
    const dx = Math.max(30, (x1 - x2) / 2);
    return {
      d: `M${r1(x1)},${r1(ay)}C${r1(x1 - dx)},${r1(ay)} ${r1(x2 + dx)},${r1(by)} ${r1(x2)},${r1(by)}`,
      mid: { x: (x1 + x2) / 2, y: (ay + by) / 2 },
    };
  }
  // Same column: a loop out to the right, wider the farther apart they are.
  const x = Math.max(a.x + a.w, b.x + b.w);
  const out = 24 + Math.min(60, Math.abs(by - ay) / 6);
  return {
    d: `M${r1(a.x + a.w)},${r1(ay)}C${r1(x + out)},${r1(ay)} ${r1(x + out)},${r1(by)} ${r1(b.x + b.w)},${r1(by)}`,
    mid: { x: x + out * 0.75, y: (ay + by) / 2 },
  };
}

/** A Service's bracket to a workload stacked under it: down its left side and in. */
export function bracket(s: Box, w: Box): string {
  const x = s.x - 10;
  return `M${r1(s.x)},${r1(s.y + s.h / 2)}H${r1(x)}V${r1(w.y + w.h / 2)}H${r1(w.x)}`;
}
