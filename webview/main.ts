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
  type FullTopology,
  type MapTopology,
  type ViewState,
  type PolicyLayer,
  type ViewName,
  type TraceView,
} from '../src/shared/protocol';
import { Received } from './received';
import { layoutTopology, type Layout } from './layout';
import { Scene, type Kind } from './scene';
import { Viewport, LOD } from './viewport';
import { Culler, visibleArea } from './cull';
import { Controls, button, layerClasses } from './controls';
import { Details } from './details';
import { TracePlayer } from './trace';
import { exportDrawing, exportPng, exportTable } from './export';
import { bindKeyboard } from './keyboard';
import { layoutMap, type MapKind, type MapLayout } from './mapLayout';
import { MapScene } from './mapScene';
import { ViewSwitch } from './views';
import { pageSkeleton } from './page';
import { MatrixPanel } from './matrix';
import { MapFocus } from './mapFocus';
import { markArrival, markPainted } from './firstPaint';

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
/** The latest analysis: the map's picture, and its pods once the nodes view asked for them. */
const got = new Received((revision) => post({ type: 'nodesRequest', revision }));
let pendingTrace: TraceView | null = null;
let layout: Layout | undefined;
let policy: PolicyLayer | null = null;
let selected: { kind: Kind; id: string } | null = null;
let firstDraw = true;
let mapLayout: MapLayout | undefined;
let firstMapDraw = true;
/** Which views show the current topology (the others are drawn when they are first shown). */
const drawnViews = new Set<ViewName>();
const view = (): ViewName => state.view ?? 'map';
/** From this many pods on, detail is reduced while zoomed out (see style.css). */
const LARGE_PODS = 300;
/** From this many workloads on, the map culls what is far from the view and drops detail when zoomed out. */
const LARGE_WORKLOADS = 150;

// Page skeleton (page.ts).
const { app, main, stage, svg, mapSvg, summary, note, matrixHost, legendHost, detailsHost, traceHost, focusHost } = pageSkeleton();

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
  scene.scaleTitles(t.k);
  state = { ...state, transform: t };
  cull();
  saveState();
});

const mapScene = new MapScene(mapSvg);
const mapCuller = new Culler();
const mapViewport = new Viewport(mapSvg, mapScene.root, (t) => {
  mapScene.scaleTitles(t.k);
  // Zoomed in before the text of a large map was all added: the rest now, before it is seen missing.
  if (t.k >= LOD.tiny) mapScene.flushDetail();
  const culled = mapCuller.update(visibleArea(t, mapViewport.size()));
  if (mapSvg.dataset['culled'] !== String(culled)) mapSvg.dataset['culled'] = String(culled);
});
const mapFocus = new MapFocus(mapScene, focusHost, {
  clear: () => clearMapFocus(),
  pick: (kind, id) => selectMap(kind, id, true),
});
const matrix = new MatrixPanel(matrixHost, { exportCsv: () => post({ type: 'exportMatrix' }), say });

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
      if (change.cni && change.cni !== got.map?.settings.cni) m.cni = change.cni as NonNullable<typeof m.cni>;
      if (change.kubeProxyMode && change.kubeProxyMode !== got.map?.settings.kubeProxyMode)
        m.kubeProxyMode = change.kubeProxyMode as NonNullable<typeof m.kubeProxyMode>;
      if (change.hostNetworkPods && change.hostNetworkPods !== got.map?.settings.hostNetworkPods)
        m.hostNetworkPods = change.hostNetworkPods as NonNullable<typeof m.hostNetworkPods>;
      if (m.cni || m.kubeProxyMode || m.hostNetworkPods) post(m);
    },
    fit: () => activeViewport().fit(),
    zoom: (f) => activeViewport().zoomBy(f),
    export: (format) => post({ type: 'export', format }),
    namespace: (name, visible) => {
      const hidden = new Set(state.hiddenNamespaces);
      if (visible) hidden.delete(name);
      else hidden.add(name);
      state = { ...state, hiddenNamespaces: [...hidden].sort() };
      scene.setHiddenNamespaces(hidden);
      mapScene.hideNamespaces(hidden);
      saveState(true);
    },
  },
  legendHost,
);
const views = new ViewSwitch((v) => setView(v));
controls.toolbar.prepend(views.element);
app.append(controls.toolbar, main);

const activeViewport = (): Viewport => (view() === 'nodes' ? viewport : mapViewport);

/** Shows one of the three views, drawing it first if it does not show the current topology yet. */
function setView(v: ViewName): void {
  state = { ...state, view: v };
  stage.dataset['view'] = v;
  main.dataset['view'] = v;
  views.set(v);
  drawActive();
  saveState(true);
}

function drawActive(): void {
  const m = got.map;
  if (!m) return;
  const v = view();
  if (drawnViews.has(v)) return;
  if (v === 'nodes') {
    // The pods come on request: the view is drawn when they arrive (receive, 'nodes').
    if (!got.full) {
      if (got.askNodes()) say('Loading the pods…');
      return;
    }
    drawnViews.add(v);
    draw(got.full);
    return;
  }
  drawnViews.add(v);
  if (v === 'map') drawMap(m);
  else if (!matrix.loaded) post({ type: 'matrixRequest' });
}

const described = () => got.described;

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

const applyLayers = () => layerClasses([svg, mapSvg], state.layers);

function setFocus(id: string | null): void {
  state = { ...state, focus: id };
  post({ type: 'focus', id });
  if (id && !state.layers.policy) {
    state = { ...state, layers: { ...state.layers, policy: true } };
    applyLayers();
    controls.sync(state, got.map, scene.nsColour);
  }
  saveState(true);
  details.show(described(), selected, state.focus);
}

/** Selects an object: details beside, focus ring, and (when asked) its manifest line in the editor. */
function select(kind: Kind, id: string, reveal: boolean, pan = true): void {
  for (const e of svg.querySelectorAll('.selected')) e.classList.remove('selected');
  const el = scene.element(kind, id);
  el?.classList.add('selected');
  selected = { kind, id };
  scene.showEndpointsOf(kind === 'pod' || kind === 'service' ? id : null);
  details.show(described(), selected, state.focus);
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

/** Selects a map object: details beside, focus ring, and (when asked) its manifest line in the editor. */
function selectMap(kind: MapKind | 'namespace' | 'edge', id: string, reveal: boolean, pan = true): void {
  for (const e of mapSvg.querySelectorAll('.selected')) e.classList.remove('selected');
  const el = mapScene.element(kind, id);
  el?.classList.add('selected');
  details.show(described(), { kind, id }, state.focus);
  const box = kind === 'namespace' || kind === 'edge' ? undefined : mapScene.boxOf(kind, id);
  if (pan && box) mapViewport.reveal(box);
  if (reveal && kind !== 'namespace') post({ type: 'reveal', target: { kind, id } });
}

/** Focuses a workload in the map: what it calls and what may reach it; the policy layer follows from the extension. */
function focusMap(id: string): void {
  setFocus(id);
  mapFocus.set(got.map, id, policy && policy.focus === id ? policy : null);
}

function clearMapFocus(): void {
  mapFocus.set(got.map, null, null);
  for (const e of mapSvg.querySelectorAll('.selected')) e.classList.remove('selected');
  details.show(described(), null);
  if (state.focus) setFocus(null);
}

mapSvg.addEventListener('click', (e) => {
  let el = (e.target as Element).closest<SVGGElement>('[data-kind]');
  // A replica's dot stands for its workload.
  if (el?.dataset['kind'] === 'pod') el = el.parentElement?.closest<SVGGElement>('[data-kind]') ?? null;
  if (!el) return;
  const kind = el.dataset['kind'] as MapKind | 'namespace' | 'edge';
  const id = el.dataset['id'] ?? '';
  if (kind === 'edge' && !el.hasAttribute('data-verdict')) return;
  selectMap(kind, id, kind !== 'namespace', false);
  if (kind === 'workload') focusMap(id);
});

// Escape ends a focus wherever the keyboard is, except in a text field (where it belongs to the field).
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || view() !== 'map' || !mapFocus.focused) return;
  if ((e.target as Element | null)?.closest?.('vscode-textfield, input, textarea, #map')) return;
  clearMapFocus();
});

bindKeyboard(mapSvg, mapScene, {
  activate: (kind, id) => selectMap(kind as MapKind, id, true),
  select: (kind, id) => {
    selectMap(kind as MapKind, id, false);
    if (kind === ('workload' as string)) focusMap(id);
  },
  clear: () => clearMapFocus(),
  fit: () => mapViewport.fit(),
  zoom: (f) => mapViewport.zoomBy(f),
  show: (b) => mapViewport.reveal(b, false),
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
    details.show(described(), null);
    if (state.focus) setFocus(null);
  },
  fit: () => viewport.fit(),
  zoom: (f) => viewport.zoomBy(f),
  show: (b) => viewport.reveal(b, false),
});

function draw(t: FullTopology): void {
  const started = performance.now();
  // Measured before the drawing is built, when it costs nothing to lay out the page.
  viewport.size();
  layout = layoutTopology(t);
  scene.render(t, layout, t.pods.length > LARGE_PODS);
  // From this many pods on, even the per-workload endpoint lines show only for the selection (style.css).
  svg.classList.toggle('huge', t.pods.length > 2000);
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
    markPainted(svg);
  }
  cull();
}

/** Draws the map view; how long layout and drawing took goes on the SVG (data-draw-ms) for tests and bug reports. */
function drawMap(t: MapTopology): void {
  const started = performance.now();
  // Measured before the drawing is built, when it costs nothing to lay out the page.
  mapViewport.size();
  mapLayout = layoutMap(t);
  const drawn = mapScene.render(t, mapLayout, t.workloads.length > LARGE_WORKLOADS);
  mapCuller.setItems(drawn.items, t.workloads.length > LARGE_WORKLOADS);
  mapViewport.setContent({ x: 0, y: 0, w: mapLayout.width, h: mapLayout.height });
  mapSvg.classList.toggle('large', t.workloads.length > LARGE_WORKLOADS);
  mapScene.hideNamespaces(new Set(state.hiddenNamespaces));
  applyLayers();
  mapSvg.setAttribute('data-workloads', String(t.workloads.length));
  mapSvg.setAttribute('data-calls', String(t.map.calls.length));
  mapSvg.setAttribute('data-draw-ms', String(Math.round(performance.now() - started)));
  if (firstMapDraw) {
    firstMapDraw = false;
    mapViewport.fit(false);
    markPainted(mapSvg, () => mapScene.addDetailInSlices());
  } else if (mapViewport.transform().k >= LOD.tiny) mapScene.flushDetail();
  else mapScene.addDetailInSlices();
  const culled = mapCuller.update(visibleArea(mapViewport.transform(), mapViewport.size()));
  mapSvg.dataset['culled'] = String(culled);
  // Keep the focus across re-analyses (and a reload of the view).
  const focus = mapFocus.focused ?? (state.focus && t.workloads.some((w) => w.id === state.focus) ? state.focus : null);
  if (focus) mapFocus.set(t, focus, policy && policy.focus === focus ? policy : null);
}

/** The picture of a view, drawn first if it is not (a view not shown is exported as it would show). */
async function picture(v: ViewName): Promise<{ text: string; w: number; h: number }> {
  if (v === 'matrix') {
    await matrix.whenLoaded(() => post({ type: 'matrixRequest' }));
    const table = matrixHost.querySelector('table');
    if (!table) throw new Error('the matrix has no grid to export');
    return exportTable(table);
  }
  if (v === 'nodes') {
    await got.whenFull();
    if (got.full && !drawnViews.has('nodes')) {
      drawnViews.add('nodes');
      draw(got.full);
    }
  } else if (got.map && !drawnViews.has('map')) {
    drawnViews.add('map');
    drawMap(got.map);
  }
  if (v === 'map') mapScene.flushDetail();
  const nodes = v === 'nodes';
  const drawn = nodes ? layout : mapLayout;
  if (!drawn) throw new Error('nothing is drawn yet');
  return exportDrawing(
    nodes ? svg : mapSvg,
    drawn,
    nodes ? culler : mapCuller,
    nodes ? cull : () => mapCuller.update(visibleArea(mapViewport.transform(), mapViewport.size())),
  );
}

async function answerExport(m: Extract<ToPage, { type: 'exportRequest' }>): Promise<void> {
  try {
    const p = await picture(m.view ?? view());
    const data = m.format === 'svg' ? p.text : await exportPng(p.text, p.w, p.h);
    post({ type: 'exportResponse', requestId: m.requestId, format: m.format, data });
  } catch (err) {
    post({ type: 'exportFailed', requestId: m.requestId, message: (err as Error).message });
  }
}

function receive(m: ToPage): void {
  switch (m.type) {
    case 'topology': {
      const arrived = Date.now();
      const refused = got.takeMap(m);
      const decoded = got.map;
      if (refused || !decoded) return say(`Ignored a topology that does not fit the protocol: ${refused ?? ''}`);
      state = { ...state, folder: m.folder };
      markArrival(mapSvg, m, arrived);
      drawnViews.clear();
      matrix.invalidate();
      say('');
      drawActive();
      controls.sync(state, decoded, new Map(decoded.namespaces.map((n, i) => [n.name, i % 8])));
      summary.textContent = `${m.folderName}: ${decoded.map.counts.workloads} workloads, ${decoded.counts.pods} pods on ${decoded.counts.nodes} nodes, ${decoded.counts.services} Services, ${decoded.map.counts.calls} calls (${decoded.map.counts.blockedCalls} blocked) · ${decoded.settings.cni}, kube-proxy ${decoded.settings.kubeProxyMode}`;
      saveState(true);
      return;
    }
    case 'nodes':
      if (!got.takeNodes(m)) return;
      say('');
      if (view() === 'nodes') drawActive();
      if (pendingTrace && drawnViews.has('nodes')) {
        trace.show(pendingTrace);
        pendingTrace = null;
      }
      return;
    case 'policy':
      policy = m.layer;
      if (m.layer && m.layer.focus !== state.focus) {
        // The extension chose the focus (a NetworkPolicy lens): show the layer and remember it.
        state = { ...state, focus: m.layer.focus, layers: { ...state.layers, policy: true } };
        applyLayers();
        controls.sync(state, got.map, scene.nsColour);
        saveState(true);
      }
      scene.setPolicy(policy);
      if (mapFocus.focused && (!policy || policy.focus === mapFocus.focused)) mapFocus.set(got.map, mapFocus.focused, policy);
      if (policy)
        say(
          `Policy for ${policy.pod}: ${policy.edges.filter((e) => e.allowed).length} allowed, ${policy.edges.filter((e) => !e.allowed).length} dropped`,
        );
      return;
    case 'trace':
      // A trace walks pods and nodes: it is drawn in the nodes view.
      if (m.trace && view() !== 'nodes') setView('nodes');
      // Until its pods are drawn, the trace waits (it marks the objects it passes).
      if (m.trace && !drawnViews.has('nodes')) pendingTrace = m.trace;
      else trace.show(m.trace);
      return;
    case 'matrix':
      matrix.show(m.matrix);
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
  if (got.isRepeat(e.data)) return;
  const parsed = parseToPage(e.data);
  if (!parsed.ok) {
    // Never draw what does not fit the protocol; say why, for whoever is debugging.
    say(`Ignored a message that does not fit the protocol: ${parsed.error}`);
    return;
  }
  receive(parsed.message);
});

applyLayers();
stage.dataset['view'] = view();
main.dataset['view'] = view();
views.set(view());
controls.sync(state, undefined, scene.nsColour);
say('Waiting for the simulation…');
post({ type: 'ready' });
if (state.focus) post({ type: 'focus', id: state.focus });
