// A packet trace, hop by hop: an ordered list beside the picture (one item per hop; the current
// one carries data-trace-step and aria-current), the hop's objects highlighted, and a packet that
// moves from one hop's place to the next. Clicking a hop jumps to it and asks for its manifest line.
import { select } from 'd3';
import type { TraceView } from '../src/shared/protocol';
import type { Box } from './layout';
import type { Scene } from './scene';
import { centreOf } from './geometry';

const STEP_MS = 1100;

export class TracePlayer {
  private trace: TraceView | null = null;
  private current = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private playing = false;
  private readonly list: HTMLOListElement;
  private readonly heading: HTMLElement;
  private readonly verdict: HTMLElement;
  private readonly playButton: HTMLElement;

  constructor(
    private readonly container: HTMLElement,
    private readonly scene: Scene,
    private readonly hooks: { onHop: (index: number) => void; onShowBox: (b: Box) => void },
    makeButton: (label: string, aria: string, onClick: () => void) => HTMLElement,
  ) {
    container.replaceChildren();
    this.heading = el('h2', 'trace-title');
    this.verdict = el('p', 'trace-verdict');
    const controls = el('div', 'trace-controls');
    controls.setAttribute('role', 'toolbar');
    controls.setAttribute('aria-label', 'Trace playback');
    this.playButton = makeButton('Pause', 'Play or pause the trace', () => (this.playing ? this.pause() : this.play()));
    controls.append(
      makeButton('Previous', 'Previous hop', () => this.go(this.current - 1)),
      this.playButton,
      makeButton('Next', 'Next hop', () => this.go(this.current + 1)),
      makeButton('Close', 'Close the trace', () => this.show(null)),
    );
    this.list = document.createElement('ol');
    this.list.className = 'hops';
    this.list.setAttribute('aria-label', 'Trace hops');
    this.list.addEventListener('click', (e) => {
      const li = (e.target as HTMLElement).closest('li');
      const index = li ? Number(li.dataset['index']) : NaN;
      if (!Number.isInteger(index)) return;
      this.pause();
      this.go(index);
      this.hooks.onHop(index);
    });
    this.list.addEventListener('keydown', (e) => {
      const li = (e.target as HTMLElement).closest('li');
      if (!li) return;
      const index = Number(li.dataset['index']);
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.pause();
        this.go(index);
        this.hooks.onHop(index);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const next = this.list.querySelector<HTMLLIElement>(`li[data-index="${index + (e.key === 'ArrowDown' ? 1 : -1)}"]`);
        next?.focus();
      }
    });
    container.append(this.heading, this.verdict, controls, this.list);
    container.hidden = true;
  }

  /** Shows a trace (null hides it) and plays it from the first hop. */
  show(trace: TraceView | null): void {
    this.pause();
    this.trace = trace;
    this.current = -1;
    this.clearMarks();
    this.list.replaceChildren();
    this.container.hidden = trace === null;
    if (!trace) return;
    this.heading.textContent = `Trace: ${trace.title}`;
    this.verdict.textContent = `${trace.verdict}: ${trace.reason}`;
    this.verdict.className = `trace-verdict verdict-${trace.verdict.replace(/[^a-z-]/gi, '')}`;
    trace.hops.forEach((hop, i) => {
      const li = document.createElement('li');
      li.dataset['index'] = String(i);
      li.dataset['step'] = hop.step;
      li.tabIndex = i === 0 ? 0 : -1;
      const step = el('span', 'hop-step');
      step.textContent = hop.step;
      const detail = el('span', 'hop-detail');
      detail.textContent = hop.detail;
      li.append(step, detail);
      if (hop.node) {
        const node = el('span', 'hop-node');
        node.textContent = hop.node;
        li.append(node);
      }
      li.setAttribute(
        'aria-label',
        `hop ${i + 1} of ${trace.hops.length}: ${hop.step}, ${hop.detail}${hop.node ? `, on ${hop.node}` : ''}`,
      );
      li.title = hop.source ? `${hop.source.file}:${hop.source.line} — click to show it` : 'added by the simulator';
      this.list.append(li);
    });
    this.go(0);
    this.play();
  }

  play(): void {
    if (!this.trace) return;
    this.playing = true;
    this.playButton.textContent = 'Pause';
    if (this.current >= this.trace.hops.length - 1) this.go(0);
    this.schedule();
  }

  pause(): void {
    this.playing = false;
    this.playButton.textContent = 'Play';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.trace || !this.playing) return;
      if (this.current >= this.trace.hops.length - 1) return this.pause();
      this.go(this.current + 1);
      this.schedule();
    }, STEP_MS);
  }

  /** Makes hop `index` the current one: list mark, object highlight, packet position. */
  go(index: number): void {
    const trace = this.trace;
    if (!trace || index < 0 || index >= trace.hops.length) return;
    const previous = this.current;
    this.current = index;
    for (const li of this.list.querySelectorAll<HTMLLIElement>('li')) {
      const on = Number(li.dataset['index']) === index;
      if (on) {
        li.setAttribute('data-trace-step', li.dataset['step'] ?? '');
        li.setAttribute('aria-current', 'step');
      } else {
        li.removeAttribute('data-trace-step');
        li.removeAttribute('aria-current');
      }
      li.classList.toggle('done', Number(li.dataset['index']) < index);
      li.tabIndex = on ? 0 : -1;
    }
    this.clearMarks(false);
    const hop = trace.hops[index];
    const boxes: Box[] = [];
    for (const id of [...(hop?.objects ?? []), ...(hop?.node ? [hop.node] : [])]) {
      const kind = this.scene.kindOf(id);
      const box = this.scene.boxOf(id);
      if (!kind || !box) continue;
      this.scene.element(kind, id)?.classList.add('trace-hit');
      if (kind !== 'node' || boxes.length === 0) boxes.push(box);
    }
    const target = boxes.find((b) => b.w > 0 && b.w < 400) ?? boxes[0];
    if (target) this.movePacket(target, previous < 0);
  }

  private movePacket(b: Box, jump: boolean): void {
    const layer = this.scene.traceLayer;
    let packet = layer.select<SVGCircleElement>('circle.packet');
    if (packet.empty()) packet = layer.append('circle').attr('class', 'packet').attr('r', 9).attr('aria-hidden', 'true');
    const c = centreOf(b);
    if (jump) packet.attr('cx', c.x).attr('cy', c.y);
    else packet.transition().duration(600).attr('cx', c.x).attr('cy', c.y);
    this.hooks.onShowBox(b);
  }

  private clearMarks(removePacket = true): void {
    for (const e of this.scene.svg.querySelectorAll('.trace-hit')) e.classList.remove('trace-hit');
    if (removePacket) select(this.scene.svg).select('circle.packet').remove();
  }

  get active(): boolean {
    return this.trace !== null;
  }
}

function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}
