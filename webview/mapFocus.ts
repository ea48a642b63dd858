// Focus in the map: a clicked workload lights what it calls and what may reach it (focusSet),
// dims the rest, draws the policy layer's allowed peers as dotted edges into it, and lists all of
// it in the side panel with each verdict's reason. Escape (or Clear) ends it.
import type { MapTopology, PolicyLayer } from '../src/shared/protocol';
import { focusSet, type FocusEntry, type FocusSet } from './focusSet';
import { mapKey } from './mapLayout';
import { mapCurve } from './mapCurve';
import type { MapScene } from './mapScene';
import { button, h } from './controls';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SECTIONS: Array<[FocusEntry['section'], string]> = [
  ['calls', 'Calls'],
  ['called by', 'Called by'],
  ['may reach it', 'Policy lets in'],
  ['may not reach it', 'Policy keeps out'],
];

export class MapFocus {
  private current: FocusSet | null = null;
  private readonly policyLayer: SVGGElement;

  constructor(
    private readonly scene: MapScene,
    private readonly host: HTMLElement,
    private readonly hooks: { clear(): void; pick(kind: 'workload' | 'service', id: string): void },
  ) {
    this.policyLayer = document.createElementNS(SVG_NS, 'g');
    this.policyLayer.setAttribute('class', 'layer layer-policy');
    host.hidden = true;
  }

  get focused(): string | null {
    return this.current?.root ?? null;
  }

  /** Focuses `workload` (null clears), with the policy layer when it is the one computed for it. */
  set(t: MapTopology | undefined, workload: string | null, layer: PolicyLayer | null): void {
    const svg = this.scene.svg;
    for (const el of svg.querySelectorAll('.lit')) el.classList.remove('lit', 'focus-root');
    this.policyLayer.replaceChildren();
    if (!t || !workload || !t.workloads.some((w) => w.id === workload)) {
      this.current = null;
      svg.classList.remove('focusing');
      this.host.hidden = true;
      this.host.replaceChildren();
      return;
    }
    const f = focusSet(t, workload, layer);
    this.current = f;
    svg.classList.add('focusing');
    if (!this.policyLayer.isConnected) this.scene.root.insertBefore(this.policyLayer, this.scene.root.lastChild);
    for (const el of svg.querySelectorAll<SVGGElement>('g.obj[data-kind]')) {
      const kind = el.dataset['kind'] ?? '';
      if (f.objects.has(`${kind}:${el.dataset['id'] ?? ''}`)) el.classList.add('lit');
    }
    svg.querySelector(`g.obj[data-kind="workload"][data-id="${CSS.escape(workload)}"]`)?.classList.add('focus-root');
    for (const el of svg.querySelectorAll<SVGGElement>('g.edge[data-id]')) if (f.edges.has(el.dataset['id'] ?? '')) el.classList.add('lit');
    const to = this.scene.boxOf('workload', workload);
    for (const e of f.entries) {
      if (e.section !== 'may reach it' || !to) continue;
      const from = e.peer === 'external' ? this.scene.boxOf('external', e.peer) : this.scene.boxOf('workload', e.peer);
      if (!from) continue;
      const g = document.createElementNS(SVG_NS, 'g');
      g.setAttribute('class', 'edge map-policy allowed lit');
      g.setAttribute('data-kind', 'edge');
      g.setAttribute('data-id', `policy:${e.peer}->${workload}`);
      g.setAttribute('data-from', e.peer);
      g.setAttribute('data-to', workload);
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', mapCurve(from, to).d);
      path.setAttribute('marker-end', 'url(#map-arrow-allowed)');
      const title = document.createElementNS(SVG_NS, 'title');
      title.textContent = `policy lets ${e.text} into ${workload}\n${e.reason}`;
      g.append(path, title);
      this.policyLayer.append(g);
    }
    this.list(f);
  }

  private list(f: FocusSet): void {
    this.host.hidden = false;
    this.host.replaceChildren(h('h2', {}, `Focus: ${f.root}`));
    for (const [section, label] of SECTIONS) {
      const entries = f.entries.filter((e) => e.section === section);
      if (!entries.length) continue;
      this.host.append(h('h3', {}, `${label} (${entries.length})`));
      const ul = h('ul', { class: 'focus-list', 'data-section': section });
      for (const e of entries) {
        const li = h('li', { class: `verdict-${e.verdict}`, 'data-peer': e.peer, title: e.reason });
        li.append(h('span', { class: 'focus-verdict' }, e.verdict === 'allowed' ? '✓' : '✗'), h('span', {}, ` ${e.text}`));
        li.append(h('div', { class: 'focus-reason' }, e.reason));
        li.addEventListener('click', () => this.hooks.pick(section === 'calls' ? 'service' : 'workload', e.peer));
        ul.append(li);
      }
      this.host.append(ul);
    }
    if (!f.entries.length) this.host.append(h('p', { class: 'hint' }, 'It makes no call, and nothing calls it.'));
    this.host.append(button('Clear focus', 'Clear the focus (Escape)', () => this.hooks.clear()));
  }

  /** The key of the focused workload's element, for tests. */
  rootKey(): string | null {
    return this.current ? mapKey('workload', this.current.root) : null;
  }
}
