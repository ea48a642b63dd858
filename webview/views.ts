// The control that switches the panel's three views (design.md, "Extension contract"): Map (the
// default: namespaces and workloads), Nodes (nodes and their pods) and Matrix (what policy allows).
// Buttons carry data-view; the pressed one is aria-pressed, and the stage shows only its view.
import { VIEWS, type ViewName } from '../src/shared/protocol';
import { button, h } from './controls';

const LABELS: Record<ViewName, [string, string]> = {
  map: ['Map', 'Map view: namespaces, workloads and who calls whom, with the verdict of each call'],
  nodes: ['Nodes', 'Nodes view: nodes, pod CIDRs and the pods on them'],
  matrix: ['Matrix', 'Matrix view: what NetworkPolicy allows, namespace by namespace and workload by workload'],
};

export class ViewSwitch {
  readonly element: HTMLElement;
  private readonly buttons = new Map<ViewName, HTMLElement>();

  constructor(onChange: (view: ViewName) => void) {
    this.element = h('div', { class: 'group views', role: 'group', 'aria-label': 'View' });
    for (const v of VIEWS) {
      const [label, aria] = LABELS[v];
      const b = button(label, aria, () => onChange(v));
      b.setAttribute('data-view', v);
      this.buttons.set(v, b);
      this.element.append(b);
    }
  }

  /** Marks `view` as the one shown. */
  set(view: ViewName): void {
    for (const [v, b] of this.buttons) {
      b.setAttribute('aria-pressed', String(v === view));
      if (v === view) b.removeAttribute('secondary');
      else b.setAttribute('secondary', '');
    }
  }
}

/** What the map's lines mean, for whoever opens it the first time (shown beside the map only). */
export function mapKeySection(): HTMLElement {
  const section = h('section', { class: 'map-key', 'aria-label': 'Map key' });
  section.append(h('h2', {}, 'Map key'));
  const list = h('ul', { class: 'legend' });
  for (const [cls, text] of [
    ['key-allowed', 'a call the manifests make (env URL, ConfigMap value), allowed: its trace is delivered'],
    ['key-blocked', 'a call that does not get through (dropped by policy, refused, unresolved); hover for why'],
    ['key-endpoint', 'a Service to the workloads its endpoints are'],
    ['key-route', 'an Ingress, Gateway or route to what it routes to'],
  ] as const) {
    const li = h('li');
    li.append(h('span', { class: `key-line ${cls}`, 'aria-hidden': 'true' }), h('span', {}, text));
    list.append(li);
  }
  section.append(list, h('p', { class: 'hint' }, 'Click a workload to focus it; Escape clears.'));
  return section;
}
