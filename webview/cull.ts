// Viewport culling for large clusters: objects and edges well outside the visible area are not
// displayed, so a pan frame restyles and repaints the few hundred things near the view rather
// than thousands. The area kept displayed is the view plus one view's size on every side, and is
// recomputed only when a pan leaves it or a zoom makes it much too large: most frames cost nothing.
import type { Box } from './layout';

interface Item {
  el: Element;
  box: Box;
  culled: boolean;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;
}

function inside(a: Box, b: Box): boolean {
  return a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
}

/** The part of the content (in its coordinates) a viewport of `size` pixels shows under transform `t`. */
export function visibleArea(t: { x: number; y: number; k: number }, size: { w: number; h: number }): Box {
  return { x: -t.x / t.k, y: -t.y / t.k, w: size.w / t.k, h: size.h / t.k };
}

export class Culler {
  private items: Item[] = [];
  private kept: Box | null = null;
  private enabled = false;
  private culled = 0;

  /** What may be culled, with the box each covers; `enabled` false (a small cluster) shows everything. */
  setItems(items: Array<{ el: Element; box: Box }>, enabled: boolean): void {
    this.reset();
    this.items = items.map((i) => ({ el: i.el, box: i.box, culled: false }));
    this.enabled = enabled;
  }

  /** Called with the visible area on every pan and zoom. Returns how many items are culled, for tests. */
  update(view: Box): number {
    if (!this.enabled) return 0;
    const kept = this.kept;
    if (kept && inside(view, kept) && view.w * view.h * 25 > kept.w * kept.h) return this.culled;
    const next = { x: view.x - view.w, y: view.y - view.h, w: view.w * 3, h: view.h * 3 };
    this.kept = next;
    for (const it of this.items) {
      const out = !overlaps(it.box, next);
      if (out === it.culled) continue;
      it.culled = out;
      it.el.classList.toggle('culled', out);
      this.culled += out ? 1 : -1;
    }
    return this.culled;
  }

  /** Displays everything again (an export draws the whole layout); the next update culls anew. */
  reset(): void {
    for (const it of this.items) {
      if (!it.culled) continue;
      it.culled = false;
      it.el.classList.remove('culled');
    }
    this.culled = 0;
    this.kept = null;
  }
}
