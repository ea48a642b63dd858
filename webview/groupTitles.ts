// Titles of the groups a drawing is made of (the map's namespaces, the nodes view's nodes), drawn
// over everything else. Zoomed out they grow to stay legible (fitted into the view, a map of 500
// workloads showed groups of coloured boxes with no name readable), with the group's summary under
// them (workloads and blocked calls, pods), which only shows zoomed out (style.css: .lod-far).
import type { Box } from './layout';
import { r1, textEl } from './geometry';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The title's size on screen, in px, that zooming out keeps as far as its group has room. */
const TITLE_PX = 14;

interface Title {
  title: SVGTextElement;
  summary: SVGTextElement;
  box: Box;
  chars: number;
}

/** The classes of a kind of title: its group element, its name and its summary. */
export interface TitleClasses {
  group: string;
  name: string;
  summary: string;
}

export class GroupTitles {
  private titles: Title[] = [];
  private zoom = 1;

  constructor(
    private readonly layer: SVGGElement,
    private readonly classes: TitleClasses,
  ) {}

  /** Forgets the titles of the previous drawing, and empties their layer. */
  clear(): void {
    this.titles = [];
    this.layer.replaceChildren();
  }

  /** A title over a group's `box`, sized for the current zoom; `attrs` go on its element. */
  add(name: string, summary: string, box: Box, attrs: Record<string, string> = {}): void {
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('class', this.classes.group);
    // The group's own element names it to assistive technology; this is its picture.
    g.setAttribute('aria-hidden', 'true');
    for (const [k, v] of Object.entries(attrs)) g.setAttribute(k, v);
    g.setAttribute('transform', `translate(${r1(box.x)},${r1(box.y)})`);
    const item = {
      title: textEl(this.classes.name, 12, 22, name),
      summary: textEl(this.classes.summary, 12, 40, summary),
      box,
      chars: name.length,
    };
    g.append(item.title, item.summary);
    this.titles.push(item);
    this.layer.append(g);
    this.size(item, this.zoom);
  }

  /** At scale `k` (when a zoom ends): below 1 a title grows to stay TITLE_PX on screen, within its group. */
  scale(k: number): void {
    this.zoom = k;
    for (const t of this.titles) this.size(t, k);
  }

  private size({ title, summary, box, chars }: Title, k: number): void {
    const room = Math.min((box.h - 12) / 1.9, (box.w - 24) / (0.62 * Math.max(4, chars)));
    const size = Math.max(TITLE_PX, Math.min(TITLE_PX / Math.max(k, 1e-3), room));
    const y = 8 + size * 0.85;
    title.setAttribute('y', r1(y));
    title.style.fontSize = size > TITLE_PX ? `${r1(size)}px` : '';
    title.style.strokeWidth = size > TITLE_PX ? `${r1(size * 0.08)}px` : '';
    summary.setAttribute('y', r1(y + size * 0.8));
    summary.style.fontSize = `${r1(size * 0.6)}px`;
  }
}
