// The topology page: receives the topology, policy layer and traces from the extension (validated
// against the shared protocol), draws them, and sends back what the user asks for. It computes no
// Kubernetes semantics itself.
import './nonce';
import './style.css';
import {
  parseToPage,
  parseToExtension,
  DEFAULT_VIEW_STATE,
  type ToExtension,
  type ToPage,
  type Topology,
  type ViewState,
  type PolicyLayer,
} from '../src/shared/protocol';
import { layoutTopology, type Layout } from './layout';
import { Scene, type Kind } from './scene';
import { Viewport } from './viewport';
import { Culler, visibleArea } from './cull';
import { Controls, button, h } from './controls';
import { Details } from './details';
import { TracePlayer } from './trace';
import { exportPng, exportSvg } from './export';
import { bindKeyboard } from './keyboard';

interface VsCodeApi {
  postMessage(message: ToExtension): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

function initialState(): ViewState {
  const parsed = parseToExtension({ type: 'state', state: vscode.getState() });
  return parsed.ok && parsed.message.type === 'state' ? parsed.message.state : { ...DEFAULT_VIEW_STATE };
}

let state = initialState();
let topology: Topology | undefined;
let layout: Layout | undefined;
let policy: PolicyLayer | null = null;
let selected: { kind: Kind; id: string } | null = null;
let firstDraw = true;
/** From this many pods on, detail is reduced while zoomed out (see style.css). */
const LARGE_PODS = 300;

// Page skeleton.
const app = document.getElementById('app') ?? document.body;
const main = h('div', { class: 'main' });
const stage = h('div', { class: 'stage' });
const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
svg.setAttribute('id', 'scene');
svg.setAttribute('role', 'application');
svg.setAttribute('tabindex', '0');
svg.setAttribute('aria-roledescription', 'cluster topology');
svg.setAttribute(
  'aria-label',
  'Cluster topology. Arrow keys move between objects, Enter shows the manifest line, Space selects, plus and minus zoom, 0 fits.',
);
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
// The simulation's summary (folder, size, CNI, proxy mode) stays; notes (matches, policy) change beside it.
const summary = h('span', { class: 'status-summary' });
const note = h('span', { class: 'status-note' });
status.append(summary, note);
stage.append(svg, status);
const side = h('aside', { class: 'side', 'aria-label': 'Details' });
const legendHost = h('section', { class: 'legend-section' });
const detailsHost = h('section', { class: 'details', 'aria-live': 'polite' });
const traceHost = h('section', { class: 'trace', 'aria-label': 'Packet trace' });
side.append(traceHost, detailsHost, legendHost);
main.append(stage, side);

const post = (m: ToExtension) => vscode.postMessage(m);
let stateTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(immediate = false): void {
  vscode.setState(state);
  if (stateTimer) clearTimeout(stateTimer);
  const send = () => post({ type: 'state', state });
  if (immediate) send();
  else stateTimer = setTimeout(send, 400);
}
function say(message: string): void {
  note.textContent = message;
}

const scene = new Scene(svg);
const culler = new Culler();
const viewport = new Viewport(svg, scene.root.node() as SVGGElement, (t) => {
  state = { ...state, transform: t };
  cull();
  saveState();
});

/** Hides what is far outside the view of a large cluster; the count is on the SVG for tests. */
function cull(): void {
  const culled = culler.update(visibleArea(viewport.transform(), viewport.size()));
  if (svg.dataset['culled'] !== String(culled)) svg.dataset['culled'] = String(culled);
}

const controls = new Controls(
  {
    search: (query, jump) => {
      state = { ...state, search: query };
      const hits = scene.setSearch(query);
      say(query.trim() ? `${hits.length} match${hits.length === 1 ? '' : 'es'} for “${query.trim()}”` : '');
      const first = hits[0];
      if (jump && first) select(first.dataset['kind'] as Kind, first.dataset['id'] ?? '', true);
      saveState();
    },
    layer: (name, on) => {
      state = { ...state, layers: { ...state.layers, [name]: on } };
      applyLayers();
      saveState(true);
    },
    settings: (change) => {
      const m: Extract<ToExtension, { type: 'settings' }> = { type: 'settings' };
      if (change.cni && change.cni !== topology?.settings.cni) m.cni = change.cni as NonNullable<typeof m.cni>;
      if (change.kubeProxyMode && change.kubeProxyMode !== topology?.settings.kubeProxyMode)
        m.kubeProxyMode = change.kubeProxyMode as NonNullable<typeof m.kubeProxyMode>;
      if (change.hostNetworkPods && change.hostNetworkPods !== topology?.settings.hostNetworkPods)
        m.hostNetworkPods = change.hostNetworkPods as NonNullable<typeof m.hostNetworkPods>;
      if (m.cni || m.kubeProxyMode || m.hostNetworkPods) post(m);
    },
    fit: () => viewport.fit(),
    zoom: (f) => viewport.zoomBy(f),
    export: (format) => post({ type: 'export', format }),
    namespace: (name, visible) => {
      const hidden = new Set(state.hiddenNamespaces);
      if (visible) hidden.delete(name);
      else hidden.add(name);
      state = { ...state, hiddenNamespaces: [...hidden].sort() };
      scene.setHiddenNamespaces(hidden);
      saveState(true);
    },
  },
  legendHost,
);
app.append(controls.toolbar, main);

const details = new Details(detailsHost, {
  reveal: (kind, id) => post({ type: 'reveal', target: { kind, id } }),
  focusPolicy: (id) => setFocus(id),
  trace: (from, to) => post({ type: 'traceRequest', from, to }),
});
const trace = new TracePlayer(
  traceHost,
  scene,
  { onHop: (index) => post({ type: 'reveal', target: { kind: 'hop', index } }), onShowBox: (b) => viewport.reveal(b) },
  button,
);

function applyLayers(): void {
  svg.classList.toggle('hide-endpoints', !state.layers.endpoints);
  svg.classList.toggle('hide-ingress', !state.layers.ingress);
  svg.classList.toggle('hide-policy', !state.layers.policy);
}

function setFocus(id: string | null): void {
  state = { ...state, focus: id };
  post({ type: 'focus', id });
  if (id && !state.layers.policy) {
    state = { ...state, layers: { ...state.layers, policy: true } };
    applyLayers();
    controls.sync(state, topology, scene.nsColour);
  }
  saveState(true);
  details.show(topology, selected, state.focus);
}

/** Selects an object: details beside, focus ring, and (when asked) its manifest line in the editor. */
function select(kind: Kind, id: string, reveal: boolean, pan = true): void {
  for (const e of svg.querySelectorAll('.selected')) e.classList.remove('selected');
  const el = scene.element(kind, id);
  el?.classList.add('selected');
  selected = { kind, id };
  scene.showEndpointsOf(kind === 'pod' || kind === 'service' ? id : null);
  details.show(topology, selected, state.focus);
  const box = scene.boxOf(id);
  if (pan && box && kind !== 'edge') viewport.reveal(box);
  if (reveal) post({ type: 'reveal', target: { kind, id } });
}

svg.addEventListener('click', (e) => {
  const el = (e.target as Element).closest<SVGGElement>('[data-kind]');
  if (!el) return;
  const kind = el.dataset['kind'] as Kind;
  const id = el.dataset['id'] ?? '';
  if (el.classList.contains('policy-edge')) {
    post({ type: 'reveal', target: { kind: 'policy', id: el.dataset['policyEdge'] ?? '' } });
    return;
  }
  select(kind, id, true, false); // it was clicked, so it is in view: leave the view where it is
  if (kind === 'pod' && state.layers.policy) setFocus(id);
});

bindKeyboard(svg, scene, {
  activate: (kind, id) => select(kind, id, true),
  select: (kind, id) => {
    select(kind, id, false);
    if (kind === 'pod') setFocus(id);
  },
  clear: () => {
    selected = null;
    for (const e of svg.querySelectorAll('.selected')) e.classList.remove('selected');
    details.show(topology, null);
    if (state.focus) setFocus(null);
  },
  fit: () => viewport.fit(),
  zoom: (f) => viewport.zoomBy(f),
  show: (b) => viewport.reveal(b, false),
});

function draw(t: Topology): void {
  const started = performance.now();
  topology = t;
  layout = layoutTopology(t);
  scene.render(t, layout, t.pods.length > LARGE_PODS);
  culler.setItems(scene.cullables(), t.pods.length > LARGE_PODS);
  viewport.setContent({ x: 0, y: 0, w: layout.width, h: layout.height });
  scene.setHiddenNamespaces(new Set(state.hiddenNamespaces));
  scene.setSearch(state.search);
  scene.setPolicy(policy);
  applyLayers();
  controls.sync(state, t, scene.nsColour);
  if (selected && !scene.boxOf(selected.id)) selected = null;
  if (selected) scene.element(selected.kind, selected.id)?.classList.add('selected');
  scene.showEndpointsOf(selected && (selected.kind === 'pod' || selected.kind === 'service') ? selected.id : null);
  details.show(t, selected, state.focus);
  svg.setAttribute('data-pods', String(t.pods.length));
  // How long laying out and building the drawing took (the browser paints after), for tests and bug reports.
  svg.setAttribute('data-draw-ms', String(Math.round(performance.now() - started)));
  if (firstDraw) {
    firstDraw = false;
    if (state.transform) viewport.set(state.transform);
    else viewport.fit(false);
  }
  cull();
}

async function answerExport(m: Extract<ToPage, { type: 'exportRequest' }>): Promise<void> {
  try {
    if (!layout) throw new Error('nothing is drawn yet');
    const bounds = { x: 0, y: 0, w: layout.width, h: layout.height };
    // The export is the whole layout: show what culling hid, then cull again.
    culler.reset();
    const svgText = exportSvg(svg, bounds);
    cull();
    const data = m.format === 'svg' ? svgText : await exportPng(svgText, bounds.w + 48, bounds.h + 48);
    post({ type: 'exportResponse', requestId: m.requestId, format: m.format, data });
  } catch (err) {
    post({ type: 'exportFailed', requestId: m.requestId, message: (err as Error).message });
  }
}

function receive(m: ToPage): void {
  switch (m.type) {
    case 'topology':
      state = { ...state, folder: m.folder };
      draw(m.topology);
      summary.textContent = `${m.folderName}: ${m.topology.counts.pods} pods on ${m.topology.counts.nodes} nodes, ${m.topology.counts.services} Services · ${m.topology.settings.cni}, kube-proxy ${m.topology.settings.kubeProxyMode}`;
      say('');
      saveState(true);
      return;
    case 'policy':
      policy = m.layer;
      if (m.layer && m.layer.focus !== state.focus) {
        // The extension chose the focus (a NetworkPolicy lens): show the layer and remember it.
        state = { ...state, focus: m.layer.focus, layers: { ...state.layers, policy: true } };
        applyLayers();
        controls.sync(state, topology, scene.nsColour);
        saveState(true);
      }
      scene.setPolicy(policy);
      if (policy)
        say(
          `Policy for ${policy.pod}: ${policy.edges.filter((e) => e.allowed).length} allowed, ${policy.edges.filter((e) => !e.allowed).length} dropped`,
        );
      return;
    case 'trace':
      trace.show(m.trace);
      return;
    case 'exportRequest':
      void answerExport(m);
      return;
    case 'status':
      say(m.message);
      return;
    default: {
      const never: never = m;
      say(`Unhandled message ${JSON.stringify(never)}`);
    }
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const parsed = parseToPage(e.data);
  if (!parsed.ok) {
    // Never draw what does not fit the protocol; say why, for whoever is debugging.
    say(`Ignored a message that does not fit the protocol: ${parsed.error}`);
    return;
  }
  receive(parsed.message);
});

applyLayers();
controls.sync(state, undefined, scene.nsColour);
say('Waiting for the simulation…');
post({ type: 'ready' });
if (state.focus) post({ type: 'focus', id: state.focus });
