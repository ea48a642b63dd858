// The page's skeleton: the toolbar goes above; the stage holds the three views (the nodes view's
// SVG, the map's SVG, the matrix) and the status line; the side panel holds the trace, the focus,
// the selection's details, the map key and the namespace legend.
import { h } from './controls';
import { mapKeySection } from './views';

const SVG_NS = 'http://www.w3.org/2000/svg';

function drawing(id: string, roleDescription: string, label: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('id', id);
  svg.setAttribute('class', 'drawing');
  svg.setAttribute('role', 'application');
  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-roledescription', roleDescription);
  svg.setAttribute('aria-label', label);
  return svg;
}

export function pageSkeleton() {
  const app = document.getElementById('app') ?? document.body;
  const main = h('div', { class: 'main' });
  const stage = h('div', { class: 'stage' });
  const svg = drawing(
    'scene',
    'cluster topology',
    'Cluster topology. Arrow keys move between objects, Enter shows the manifest line, Space selects, plus and minus zoom, 0 fits.',
  );
  const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  // The simulation's summary (folder, size, CNI, proxy mode) stays; notes (matches, policy) change beside it.
  const summary = h('span', { class: 'status-summary' });
  const note = h('span', { class: 'status-note' });
  status.append(summary, note);
  const mapSvg = drawing(
    'map',
    'service map',
    'Service map: namespaces, their workloads and Services, and the calls between them. Arrow keys move between objects, Enter shows the manifest line, Space focuses a workload, Escape clears.',
  );
  const matrixHost = h('div', { id: 'matrix', class: 'matrix', role: 'region', 'aria-label': 'Connectivity matrix' });
  stage.append(mapSvg, svg, matrixHost, status);
  const side = h('aside', { class: 'side', 'aria-label': 'Details' });
  const legendHost = h('section', { class: 'legend-section' });
  const detailsHost = h('section', { class: 'details', 'aria-live': 'polite' });
  const traceHost = h('section', { class: 'trace', 'aria-label': 'Packet trace' });
  const focusHost = h('section', { class: 'focus', 'aria-label': 'Focus', 'aria-live': 'polite' });
  side.append(traceHost, focusHost, detailsHost, mapKeySection(), legendHost);
  main.append(stage, side);
  return { app, main, stage, svg, mapSvg, status, summary, note, matrixHost, legendHost, detailsHost, traceHost, focusHost };
}
