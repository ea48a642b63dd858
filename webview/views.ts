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
