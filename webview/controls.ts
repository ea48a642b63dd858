// The page's controls, built from @vscode-elements/elements (themed like VS Code's own): search,
// layer toggles, CNI and kube-proxy switches, fit/zoom, export; the namespace key that doubles as
// the namespace filter; and the details of the selected object. Text goes in through textContent.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  CNI_PLUGINS,
  HOST_NETWORK_READINGS,
  PROXY_MODES,
  type ExportFormat,
  type MapTopology,
  type ViewState,
} from '../src/shared/protocol';

export interface ControlHooks {
  search(query: string, jump: boolean): void;
  layer(name: keyof ViewState['layers'], on: boolean): void;
  settings(change: { cni?: string; kubeProxyMode?: string; hostNetworkPods?: string }): void;
  fit(): void;
  zoom(factor: number): void;
  export(format: ExportFormat): void;
  namespace(name: string, visible: boolean): void;
}

type Checkable = HTMLElement & { checked: boolean };
type Valued = HTMLElement & { value: string };

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function custom(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A themed button with an accessible name. */
export function button(label: string, aria: string, onClick: () => void, secondary = true): HTMLElement {
  const b = custom('vscode-button', { 'aria-label': aria, title: aria }, label);
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

function select(id: string, label: string, values: readonly string[], onChange: (v: string) => void): Valued {
  const s = custom('vscode-single-select', { id, 'aria-label': label, title: label }) as Valued;
  for (const v of values) s.append(custom('vscode-option', { value: v }, v));
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

export class Controls {
  readonly toolbar: HTMLElement;
  private readonly searchField: Valued;
  private readonly layerBoxes = new Map<string, Checkable>();
  private readonly cni: Valued;
  private readonly proxy: Valued;
  private readonly hostNetwork: Valued;
  private readonly legend: HTMLUListElement;

  constructor(
    private readonly hooks: ControlHooks,
    legendHost: HTMLElement,
  ) {
    this.toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Topology controls' });
    this.searchField = custom('vscode-textfield', {
      id: 'search',
      placeholder: 'Search name, IP, label…',
      'aria-label': 'Search pods, Services, nodes, IPs and labels',
    }) as Valued;
    this.searchField.addEventListener('input', () => hooks.search(this.searchField.value, false));
    this.searchField.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') hooks.search(this.searchField.value, true);
    });
    const layers = h('div', { class: 'group', role: 'group', 'aria-label': 'Layers' });
    for (const [name, label] of [
      ['endpoints', 'Endpoints'],
      ['ingress', 'Ingress'],
      ['policy', 'Policy'],
    ] as const) {
      const c = custom('vscode-checkbox', {
        label,
        'data-layer': name,
        'aria-label': `Show the ${label.toLowerCase()} layer`,
        checked: '',
      }) as Checkable;
      c.addEventListener('change', () => hooks.layer(name, c.checked));
      this.layerBoxes.set(name, c);
      layers.append(c);
    }
    this.cni = select('cni', 'CNI plugin to simulate', CNI_PLUGINS, (v) => hooks.settings({ cni: v }));
    this.proxy = select('proxy-mode', 'kube-proxy mode to simulate', PROXY_MODES, (v) => hooks.settings({ kubeProxyMode: v }));
    this.hostNetwork = select(
      'host-network-pods',
      "How policies see hostNetwork pods: node (their node's address, selected by no policy) or pod (selected like any pod)",
      HOST_NETWORK_READINGS,
      (v) => hooks.settings({ hostNetworkPods: v }),
    );
    const sim = h('div', { class: 'group', role: 'group', 'aria-label': 'Simulation' });
    sim.append(
      h('span', { class: 'group-label', 'aria-hidden': 'true' }, 'CNI'),
      this.cni,
      h('span', { class: 'group-label', 'aria-hidden': 'true' }, 'kube-proxy'),
      this.proxy,
      h('span', { class: 'group-label', 'aria-hidden': 'true' }, 'hostNetwork as'),
      this.hostNetwork,
    );
    const view = h('div', { class: 'group', role: 'group', 'aria-label': 'View' });
    view.append(
      button('Fit', 'Fit the whole cluster in view (0)', () => hooks.fit()),
      button('+', 'Zoom in (+)', () => hooks.zoom(1.4)),
      button('−', 'Zoom out (-)', () => hooks.zoom(1 / 1.4)),
    );
    const exp = h('div', { class: 'group', role: 'group', 'aria-label': 'Export' });
    exp.append(
      button('SVG', 'Export the topology as SVG', () => hooks.export('svg')),
      button('PNG', 'Export the topology as PNG', () => hooks.export('png')),
    );
    this.toolbar.append(this.searchField, layers, sim, view, exp);

    legendHost.append(h('h2', {}, 'Namespaces'));
    this.legend = h('ul', { class: 'legend', 'aria-label': 'Namespaces: colour key and filter' });
    legendHost.append(this.legend);
  }

  /** Reflects the view state and the simulated settings in the controls. */
  sync(state: ViewState, topology: MapTopology | undefined, nsColour: Map<string, number>): void {
    if (this.searchField.value !== state.search) this.searchField.value = state.search;
    for (const [name, box] of this.layerBoxes) box.checked = state.layers[name as keyof ViewState['layers']];
    if (!topology) return;
    this.cni.value = topology.settings.cni;
    this.proxy.value = topology.settings.kubeProxyMode;
    this.hostNetwork.value = topology.settings.hostNetworkPods;
    const hidden = new Set(state.hiddenNamespaces);
    this.legend.replaceChildren();
    for (const ns of topology.namespaces) {
      const li = h('li');
      const swatch = h('span', { class: `swatch ns-c${nsColour.get(ns.name) ?? 0}`, 'aria-hidden': 'true' });
      const box = custom('vscode-checkbox', {
        'data-namespace': ns.name,
        label: `${ns.name} (${ns.pods} pods)`,
        'aria-label': `Show namespace ${ns.name}`,
      }) as Checkable;
      box.checked = !hidden.has(ns.name);
      box.addEventListener('change', () => this.hooks.namespace(ns.name, box.checked));
      li.append(swatch, box);
      if (ns.implicit) li.append(h('span', { class: 'implicit', title: 'added by the simulator' }, 'implicit'));
      this.legend.append(li);
    }
  }
}

/** Shows or hides the drawings' optional layers (endpoint edges, Ingress routes, the policy layer). */
export function layerClasses(svgs: readonly SVGSVGElement[], layers: { endpoints: boolean; ingress: boolean; policy: boolean }): void {
  for (const s of svgs) {
    s.classList.toggle('hide-endpoints', !layers.endpoints);
    s.classList.toggle('hide-ingress', !layers.ingress);
    s.classList.toggle('hide-policy', !layers.policy);
  }
}
