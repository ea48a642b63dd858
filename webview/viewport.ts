// Pan and zoom (d3-zoom) with level of detail: far out, secondary text and edge labels are not
// drawn; very far out, pod text goes too. During a gesture the drawing is not touched: the SVG
// element, a composited layer (will-change), is moved and scaled by a CSS transform, so a frame
// costs the compositor only, however many thousands of objects are drawn (a change of the SVG's
// own transform makes Chromium lay out every one of them again). When the gesture ends, or
// strays too far from what was laid out, the transform is committed to the drawing's viewport
// group, the level of detail and culling follow (onChange), and the CSS transform goes. The zoom
// listens on a frame around the SVG that does not move, so the pointer is read where it is.
import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { Box } from './layout';

export const LOD = { far: 0.55, tiny: 0.28 };

export class Viewport {
  private readonly behaviour: ZoomBehavior<HTMLDivElement, unknown>;
  /** The frame the zoom listens on: the SVG moves inside it. */
  readonly frame: HTMLDivElement;
  /** Over the drawing while a gesture moves it. */
  private readonly shield: HTMLDivElement;
  /** The transform the drawing is laid out with; the live one differs from it during a gesture. */
  private committed: ZoomTransform = zoomIdentity;
  private live: ZoomTransform = zoomIdentity;
  private level = '';
  private content: Box = { x: 0, y: 0, w: 1, h: 1 };
  /** True while the view shows the fitted picture the user has not moved: a resize re-fits it. */
  private autoFit = false;
  private knownSize: { w: number; h: number } | undefined;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly target: SVGGElement,
    private readonly onChange: (t: { x: number; y: number; k: number }) => void,
  ) {
    this.frame = document.createElement('div');
    this.frame.className = 'pan-frame';
    if (svg.id) this.frame.id = `${svg.id}-frame`;
    svg.parentNode?.insertBefore(this.frame, svg);
    this.frame.append(svg);
    this.shield = document.createElement('div');
    this.shield.className = 'pan-shield';
    this.shield.hidden = true;
    this.frame.append(this.shield);
    this.behaviour = zoom<HTMLDivElement, unknown>()
      .scaleExtent([0.02, 4])
      // The view's size as last observed: d3's default reads the frame's clientWidth, which makes the
      // browser lay out a drawing just built (thousands of elements, before the level of detail that
      // hides most of their text is set) synchronously, only to lay it out again for the first paint.
      .extent(() => {
        const { w, h } = this.size();
        return [
          [0, 0],
          [w, h],
        ];
      })
      .on('zoom', (e: { transform: ZoomTransform; sourceEvent: unknown }) => {
        if (e.sourceEvent) {
          this.autoFit = false;
          // Only once it moves: a click (a press without a move) must still reach the object under it.
          this.shield.hidden = false;
        }
        this.live = e.transform;
        if (this.strayed()) this.commit();
        else this.preview();
      })
      // While a gesture moves the drawing (from its first move), a transparent shield over it takes
      // the pointer: nothing in the drawing is hit-tested or hovered (a pointer passing over objects
      // restyled them, and a restyle repaints the whole moving layer every frame). A shield shown,
      // not a style on the drawing, so thousands of elements are not restyled when a gesture starts.
      .on('end', () => {
        this.shield.hidden = true;
        this.commit();
      });
    select(this.frame).call(this.behaviour).on('dblclick.zoom', null);
    new ResizeObserver((entries) => {
      const r = entries[entries.length - 1]?.contentRect;
      if (r) this.knownSize = { w: Math.max(1, r.width), h: Math.max(1, r.height) };
      if (this.autoFit) this.fit(false);
    }).observe(svg);
  }

  /** Shows the live transform by moving the laid-out picture: the CSS transform that takes the committed one to it. */
  private preview(): void {
    const c = this.committed;
    const t = this.live;
    const s = t.k / c.k;
    this.svg.style.transform = `translate(${t.x - s * c.x}px, ${t.y - s * c.y}px) scale(${s})`;
  }

  /** Whether the live transform is too far from the laid-out one to preview (culled parts would show as blank, or scaled text blur). */
  private strayed(): boolean {
    const c = this.committed;
    const t = this.live;
    const { w, h } = this.size();
    const s = t.k / c.k;
    return s > 2 || s < 0.5 || Math.abs(t.x - s * c.x) > w * 0.8 || Math.abs(t.y - s * c.y) > h * 0.8;
  }

  private commit(): void {
    const t = this.live;
    this.committed = t;
    this.svg.style.transform = '';
    this.target.setAttribute('transform', t.toString());
    this.updateLevel(t.k);
    this.onChange({ x: t.x, y: t.y, k: t.k });
  }

  private updateLevel(k: number): void {
    const level = k < LOD.tiny ? 'tiny' : k < LOD.far ? 'far' : 'near';
    if (level === this.level) return;
    this.level = level;
    this.svg.classList.toggle('lod-far', level !== 'near');
    this.svg.classList.toggle('lod-tiny', level === 'tiny');
  }

  setContent(box: Box): void {
    this.content = box;
  }

  /** The view's size in pixels; kept from the resize observer so a pan frame does not force a layout to ask. */
  size(): { w: number; h: number } {
    if (this.knownSize) return this.knownSize;
    const r = this.frame.getBoundingClientRect();
    // Kept until the resize observer reports (a frame not displayed yet measures 0: not kept).
    const size = { w: Math.max(1, r.width), h: Math.max(1, r.height) };
    if (r.width > 0 && r.height > 0) this.knownSize = size;
    return size;
  }

  /** Shows all of the content, with a margin. */
  fit(animate = true): void {
    const { w, h } = this.size();
    const c = this.content;
    const k = Math.min(2, Math.max(0.02, Math.min((w - 40) / Math.max(1, c.w), (h - 40) / Math.max(1, c.h))));
    const t = zoomIdentity.translate(w / 2 - (c.x + c.w / 2) * k, h / 2 - (c.y + c.h / 2) * k).scale(k);
    this.apply(t, animate);
    this.autoFit = true;
  }

  zoomBy(factor: number): void {
    this.autoFit = false;
    select(this.frame)
      .transition()
      .duration(200)
      .call((t) => this.behaviour.scaleBy(t, factor));
  }

  /** Brings a box into view (centred), zooming in to a readable scale if needed. */
  reveal(b: Box, animate = true): void {
    const { w, h } = this.size();
    const cur = this.transform();
    const k = Math.max(cur.k, 0.8);
    const sx = b.x * cur.k + cur.x;
    const sy = b.y * cur.k + cur.y;
    const visible = cur.k >= 0.8 && sx >= 0 && sy >= 0 && sx + b.w * cur.k <= w && sy + b.h * cur.k <= h;
    if (visible) return;
    this.autoFit = false;
    this.apply(zoomIdentity.translate(w / 2 - (b.x + b.w / 2) * k, h / 2 - (b.y + b.h / 2) * k).scale(k), animate);
  }

  transform(): { x: number; y: number; k: number } {
    const t = (this.frame as unknown as { __zoom?: ZoomTransform }).__zoom ?? zoomIdentity;
    return { x: t.x, y: t.y, k: t.k };
  }

  set(t: { x: number; y: number; k: number }): void {
    this.apply(zoomIdentity.translate(t.x, t.y).scale(t.k), false);
  }

  private apply(t: ZoomTransform, animate: boolean): void {
    const s = select(this.frame);
    if (animate)
      s.transition()
        .duration(300)
        .call((tr) => this.behaviour.transform(tr, t));
    else s.call((sel) => this.behaviour.transform(sel, t));
  }
}
