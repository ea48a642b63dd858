// Draws the topology into the SVG with d3: node regions holding pods, Services, Ingresses and entry
// points, and the edges between them. Every drawn object carries data-kind and data-id (the
// extension contract), an ARIA label, and a <title>; all text goes in through d3's .text(), never
// as markup. Colours come from CSS classes whose rules use --vscode-* variables (webview/style.css).
import { select, type Selection } from 'd3';
import type { Topology, PolicyLayer } from '../src/shared/protocol';
import type { TopoEdge, TopoExternal, TopoIngress, TopoNode, TopoPod, TopoService } from '../src/engine';
import type { Box, Layout } from './layout';
import { bowedCurve, fit, textEl, verticalCurve } from './geometry';
import { LAYER_NAMES, LAYER_ORDER, LAYER_TAGS, policyLabel } from './policyLabels';
import { drawBlobs, drawEndpointGroups } from './blobs';
import { GroupTitles } from './groupTitles';

export type Kind = 'node' | 'pod' | 'service' | 'ingress' | 'external' | 'edge';
type G = Selection<SVGGElement, unknown, null, undefined>;

const SVG_NS = 'http://www.w3.org/2000/svg';
const READING_ORDER: Kind[] = ['external', 'ingress', 'service', 'node', 'pod'];
const COLOURS = 8;

/** The text of a label map as `k=v, k=v`. */
function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

export function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

interface Drawn {
  kind: Kind;
  id: string;
  namespace: string | null;
  box: Box;
  label: string;
  lines: [string, string];
  title: string;
  extraClass: string;
}

export class Scene {
  readonly root: G;
  private readonly layers: Record<'regions' | 'edges' | 'policy' | 'objects' | 'pods' | 'blobs' | 'tiny' | 'titles' | 'trace', G>;
  /** The nodes' names over the drawing, legible when zoomed out (groupTitles.ts). */
  private readonly nodeTitles: GroupTitles;
  /** The bands of the zoomed-out view (blobs.ts), with the box each covers. */
  private blobItems: Array<{ el: Element; box: Box }> = [];
  private boxes = new Map<string, Box>();
  private kinds = new Map<string, Kind>();
  private namespaceOf = new Map<string, string | null>();
  private topology: Topology | undefined;
  /** Edges whose ends are not both objects (an endpoint group ends at a workload's pods): the area they span. */
  private extents = new WeakMap<Element, Box>();
  nsColour = new Map<string, number>();

  constructor(readonly svg: SVGSVGElement) {
    const s = select(svg);
    s.selectAll('*').remove();
    const defs = s.append('defs');
    for (const name of ['arrow', 'arrow-allowed', 'arrow-dropped']) {
      defs
        .append('marker')
        .attr('id', name)
        .attr('class', name)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerWidth', 7)
        .attr('markerHeight', 7)
        .attr('orient', 'auto-start-reverse')
        .append('path')
        .attr('d', 'M0,0L10,5L0,10z');
    }
    this.root = s.append('g').attr('class', 'viewport');
    const layer = (name: string) => this.root.append('g').attr('class', `layer layer-${name}`);
    this.layers = {
      regions: layer('regions'),
      edges: layer('edges'),
      policy: layer('policy'),
      objects: layer('objects'),
      pods: layer('pods'),
      blobs: layer('blobs'),
      tiny: layer('tiny'),
      titles: layer('titles'),
      trace: layer('trace'),
    };
    this.nodeTitles = new GroupTitles(this.layers.titles.node() as SVGGElement, {
      group: 'node-title',
      name: 'name node-name',
      summary: 'node-count',
    });
  }

  /** Keeps the nodes' names legible at scale `k` (called when a zoom ends). */
  scaleTitles(k: number): void {
    this.nodeTitles.scale(k);
  }

  /**
   * What viewport culling may hide, with the area each covers: every object by its box, every edge
   * by the boxes of its two ends (or its drawn extent when an end is not an object).
   */
  cullables(): Array<{ el: Element; box: Box }> {
    const out: Array<{ el: Element; box: Box }> = [];
    for (const el of this.root.node()?.querySelectorAll<SVGGElement>('.layer-objects g.obj, .layer-pods g.obj, .layer-regions g.obj') ??
      []) {
      const box = this.boxes.get(el.dataset['id'] ?? '');
      if (box) out.push({ el, box });
    }
    for (const el of this.layers.edges.node()?.querySelectorAll<SVGGElement>('g.edge') ?? []) {
      const a = this.boxes.get(el.dataset['from'] ?? '');
      const b = this.boxes.get(el.dataset['to'] ?? '');
      const box = this.extents.get(el) ?? (a && b ? union(a, b) : undefined);
      // An edge whose extent is not known is never culled (measuring it would force a layout).
      if (box) out.push({ el, box });
    }
    out.push(...this.blobItems);
    return out;
  }

  boxOf(id: string): Box | undefined {
    return this.boxes.get(id);
  }

  boxOfElement(el: SVGGElement): Box | undefined {
    return this.boxes.get(el.dataset['id'] ?? '');
  }

  kindOf(id: string): Kind | undefined {
    return this.kinds.get(id);
  }

  /** The drawn element of an object, if it is drawn. */
  element(kind: Kind, id: string): SVGGElement | null {
    return this.svg.querySelector<SVGGElement>(`[data-kind="${kind}"][data-id="${cssEscape(id)}"]`);
  }

  /** Every focusable object, in reading order: entry points, Ingresses, Services, nodes, pods. */
  focusables(): SVGGElement[] {
    const all = [...this.svg.querySelectorAll<SVGGElement>('g.obj:not(.ns-hidden)')];
    const rank = (el: SVGGElement) => READING_ORDER.indexOf(el.dataset['kind'] as Kind);
    return all
      .map((el, i) => ({ el, i, r: rank(el) }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((x) => x.el);
  }

  /**
   * Draws everything. For a large cluster (`large`), each Service's endpoint edges are drawn as one
   * edge per workload and node ("×N"), and the single edges only for the selected Service or pod:
   * thousands of long curves are what makes panning crawl.
   */
  render(t: Topology, layout: Layout, large = false): void {
    this.topology = t;
    this.boxes = new Map();
    this.kinds = new Map();
    this.namespaceOf = new Map();
    this.nsColour = new Map(t.namespaces.map((n, i) => [n.name, i % COLOURS]));
    const drawn: Drawn[] = [];
    for (const x of t.externals) drawn.push(this.external(x, layout.externals.get(x.id)));
    for (const g of t.ingresses) drawn.push(this.ingress(g, layout.ingresses.get(g.id)));
    for (const s of t.services) drawn.push(this.service(s, layout.services.get(s.id)));
    for (const d of drawn) this.remember(d);
    const regions = t.nodes.map((n) => this.node(n, layout.nodes.get(n.id)));
    for (const d of regions) this.remember(d);
    const pods = t.pods.map((p) => this.pod(p, layout.pods.get(p.id)));
    for (const d of pods) this.remember(d);

    this.drawRegions(regions, layout.pending);
    const podsOn = new Map<string, number>();
    for (const p of t.pods) if (p.node) podsOn.set(p.node, (podsOn.get(p.node) ?? 0) + 1);
    this.nodeTitles.clear();
    for (const n of t.nodes) {
      const box = layout.nodes.get(n.id);
      const count = podsOn.get(n.name) ?? 0;
      if (box && box.w > 0) this.nodeTitles.add(n.name, `${count} pod${count === 1 ? '' : 's'} · ${n.podCIDR}`, box);
    }
    this.drawObjects(
      this.layers.objects,
      drawn.filter((d) => d.box.w > 0),
    );
    this.drawObjects(
      this.layers.pods,
      pods.filter((d) => d.box.w > 0),
    );
    this.drawEdges(t.edges);
    if (large) drawEndpointGroups(this.layers.edges.node() as SVGGElement, t, layout, this.boxes, this.extents);
    this.blobItems = large
      ? drawBlobs(this.layers.blobs.node() as SVGGElement, this.layers.tiny.node() as SVGGElement, t, layout, this.nsColour)
      : drawBlobs(
          this.layers.blobs.node() as SVGGElement,
          this.layers.tiny.node() as SVGGElement,
          { ...t, pods: [], services: [] },
          { ...layout, blobs: [] },
          this.nsColour,
        );
    this.svg.classList.toggle('large', large);
  }

  /** In a large cluster, shows the single endpoint edges of the selected Service or pod (and hides the others). */
  showEndpointsOf(id: string | null): void {
    for (const el of this.svg.querySelectorAll('.edge-endpoint.show, .edge-endpoint-group.show')) el.classList.remove('show');
    if (!id) return;
    const at = cssEscape(id);
    for (const el of this.svg.querySelectorAll(
      `.edge-endpoint[data-from="${at}"], .edge-endpoint[data-to="${at}"], .edge-endpoint-group[data-from="${at}"]`,
    ))
      el.classList.add('show');
  }

  private remember(d: Drawn): void {
    this.boxes.set(d.id, d.box);
    this.kinds.set(d.id, d.kind);
    this.namespaceOf.set(d.id, d.namespace);
  }

  private external(x: TopoExternal, box: Box | undefined): Drawn {
    const sub =
      x.role === 'client'
        ? 'external client'
        : x.role === 'load-balancer'
          ? `load balancer → ${x.service ?? ''}`
          : `NodePort → ${x.service ?? ''}`;
    return {
      kind: 'external',
      id: x.id,
      namespace: null,
      box: box ?? ZERO,
      label: `${sub}: ${x.label}`,
      lines: [x.label, sub],
      title: `${x.label}\n${sub}`,
      extraClass: `external role-${x.role}`,
    };
  }

  private ingress(g: TopoIngress, box: Box | undefined): Drawn {
    const routes = g.routes.map((r) =>
      r.defaultBackend ? `default → ${r.service ?? '?'}` : `${r.host ?? '*'}${r.path ?? '/'} → ${r.service ?? '?'}:${r.port ?? '?'}`,
    );
    const sub = `Ingress · ${g.className ?? 'default class'} · ${g.routes.length} route${g.routes.length === 1 ? '' : 's'}`;
    return {
      kind: 'ingress',
      id: g.id,
      namespace: g.namespace,
      box: box ?? ZERO,
      label: `Ingress ${g.id}, ${routes.join('; ')}`,
      lines: [g.id, sub],
      title: `Ingress ${g.id}\n${routes.join('\n')}`,
      extraClass: 'ingress',
    };
  }

  private service(s: TopoService, box: Box | undefined): Drawn {
    const ports = s.ports.map((p) => `${p.port}${p.nodePort !== null ? `:${p.nodePort}` : ''}/${p.protocol}`).join(', ');
    const ip = s.headless ? 'headless' : s.type === 'ExternalName' ? `→ ${s.externalName ?? '?'}` : (s.clusterIP ?? 'no IP');
    const sub = `${s.type} ${ip} · ${ports}`;
    return {
      kind: 'service',
      id: s.id,
      namespace: s.namespace,
      box: box ?? ZERO,
      label: `Service ${s.id}, ${sub}, ${s.endpointCount} endpoints`,
      lines: [s.id, sub],
      title: `Service ${s.id}\n${sub}\n${s.endpointCount} endpoint pod(s)${s.implicit ? '\n(added by the simulator)' : ''}`,
      extraClass: `service type-${s.type}`,
    };
  }

  private node(n: TopoNode, box: Box | undefined): Drawn {
    return {
      kind: 'node',
      id: n.id,
      namespace: null,
      box: box ?? ZERO,
      label: `node ${n.name}, ${n.ip}, pod CIDR ${n.podCIDR}`,
      lines: [n.name, `${n.ip} · pods ${n.podCIDR}`],
      title: `node ${n.name}\nIP ${n.ip}${n.ipv6 ? `, ${n.ipv6}` : ''}\npod CIDR ${n.podCIDR}${n.podCIDRv6 ? `, ${n.podCIDRv6}` : ''}${labelsText(n.labels) ? `\n${labelsText(n.labels)}` : ''}`,
      extraClass: 'node',
    };
  }

  private pod(p: TopoPod, box: Box | undefined): Drawn {
    const where = `${p.ip ?? 'no IP'}${p.node ? ` on ${p.node}` : ' (Pending)'}`;
    const title = `pod ${p.id}\n${where}\nworkload ${p.workload} (${p.workloadKind})\nlabels: ${labelsText(p.labels) || 'none'}${p.implicit ? '\n(added by the simulator)' : ''}`;
    return {
      kind: 'pod',
      id: p.id,
      namespace: p.namespace,
      box: box ?? ZERO,
      label: `pod ${p.id}, ${where}`,
      lines: [p.name, p.ip ?? 'Pending'],
      title,
      extraClass: `pod${p.ready ? '' : ' not-ready'}${p.hostNetwork ? ' host-network' : ''}`,
    };
  }

  private nsClass(ns: string | null): string {
    return ns === null ? '' : ` ns-c${this.nsColour.get(ns) ?? 0}`;
  }

  private drawRegions(regions: Drawn[], pending: Box | null): void {
    const layer = this.layers.regions;
    layer.selectAll('*').remove();
    for (const d of regions) {
      if (d.box.w === 0) continue;
      const g = this.objectGroup(layer, d);
      g.append('rect').attr('class', 'region').attr('width', d.box.w).attr('height', d.box.h).attr('rx', 8);
      g.append('text').attr('class', 'name').attr('x', 12).attr('y', 20).text(d.lines[0]);
      g.append('text').attr('class', 'sub').attr('x', 12).attr('y', 37).text(d.lines[1]);
    }
    if (pending) {
      const g = layer
        .append('g')
        .attr('class', 'pending-region')
        .attr('transform', `translate(${pending.x},${pending.y})`)
        .attr('role', 'group')
        .attr('aria-label', 'pods no node could take (Pending)');
      g.append('rect').attr('class', 'region pending').attr('width', pending.w).attr('height', pending.h).attr('rx', 8);
      g.append('text').attr('class', 'name').attr('x', 12).attr('y', 20).text('Pending (unscheduled)');
    }
  }

  private objectGroup(layer: G, d: Drawn): Selection<SVGGElement, unknown, null, undefined> {
    const g = layer.append('g');
    g.attr('class', `obj ${d.extraClass}${this.nsClass(d.namespace)}`)
      .attr('data-kind', d.kind)
      .attr('data-id', d.id)
      .attr('transform', `translate(${d.box.x},${d.box.y})`)
      .attr('role', 'button')
      .attr('tabindex', -1)
      .attr('aria-label', d.label);
    if (d.namespace !== null) g.attr('data-namespace', d.namespace);
    g.append('title').text(d.title);
    return g;
  }

  private drawObjects(layer: G, list: Drawn[]): void {
    layer.selectAll('*').remove();
    // Plain DOM calls in the loop: at 2,000 pods d3's per-call overhead shows in the first paint.
    // About 7.2 px a character for the 12 px bold name, 6 px for the 10.5 px line below it.
    const nameChars = (w: number) => Math.floor((w - 16) / 7.2);
    const subChars = (w: number) => Math.floor((w - 16) / 6);
    for (const d of list) {
      const g = this.objectGroup(layer, d).node() as SVGGElement;
      const rect = document.createElementNS(SVG_NS, 'rect');
      rect.setAttribute('width', String(d.box.w));
      rect.setAttribute('height', String(d.box.h));
      rect.setAttribute('rx', d.kind === 'pod' ? '5' : '7');
      rect.setAttribute('class', 'shape');
      g.appendChild(rect);
      g.appendChild(textEl('name', 8, d.kind === 'pod' ? 16 : 20, fit(d.lines[0], nameChars(d.box.w))));
      g.appendChild(textEl('sub', 8, d.kind === 'pod' ? 31 : 38, fit(d.lines[1], subChars(d.box.w))));
    }
  }

  private drawEdges(edges: TopoEdge[]): void {
    const layer = this.layers.edges;
    layer.selectAll('*').remove();
    const labelIndex = new Map<string, number>();
    for (const e of edges) {
      const a = this.boxes.get(e.from);
      const b = this.boxes.get(e.to);
      if (!a || !b || a.w === 0 || b.w === 0) continue;
      const { d } = verticalCurve(a, b);
      const g = layer
        .append('g')
        .attr('class', `edge edge-${e.kind}`)
        .attr('data-kind', 'edge')
        .attr('data-id', e.id)
        .attr('data-from', e.from)
        .attr('data-to', e.to);
      g.append('path').attr('d', d).attr('marker-end', 'url(#arrow)');
      g.append('title').text(`${e.from} → ${e.to}${e.label ? ` (${e.label})` : ''}`);
      if (!e.label) continue;
      // Labels sit at the target end (the target port just above its pod), stacked when several
      // edges arrive at one object, so they never pile up mid-way where curves cross.
      const n = labelIndex.get(e.to) ?? 0;
      labelIndex.set(e.to, n + 1);
      const down = a.y + a.h <= b.y;
      const at = down ? { x: b.x + b.w / 2, y: b.y - 5 - n * 12 } : { x: b.x + b.w / 2, y: b.y + b.h + 13 + n * 12 };
      g.append('text').attr('class', 'edge-label').attr('x', at.x).attr('y', at.y).attr('text-anchor', 'middle').text(e.label);
    }
  }

  /** Draws the policy layer: allowed connections solid, dropped ones dashed in the error colour, policies named on hover. */
  setPolicy(layer: PolicyLayer | null): void {
    const g = this.layers.policy;
    g.selectAll('*').remove();
    this.svg.querySelectorAll('.policy-focus').forEach((el) => el.classList.remove('policy-focus'));
    if (!layer) return;
    this.svg.querySelector(`[data-kind="pod"][data-id="${cssEscape(layer.pod)}"]`)?.classList.add('policy-focus');
    // One drawn edge per direction, peer and verdict; the ports go on its label.
    type Group = { edges: PolicyLayer['edges']; allowed: boolean; direction: string; from: string; to: string; layer: string };
    const groups = new Map<string, Group>();
    for (const e of layer.edges) {
      const key = `${e.direction}|${e.from}|${e.to}|${e.allowed}`;
      const entry = groups.get(key) ?? { edges: [], allowed: e.allowed, direction: e.direction, from: e.from, to: e.to, layer: e.layer };
      // The earliest layer that decided one of the group's ports marks the drawn edge (cluster-wide first).
      if (LAYER_ORDER.indexOf(e.layer) < LAYER_ORDER.indexOf(entry.layer)) entry.layer = e.layer;
      entry.edges.push(e);
      groups.set(key, entry);
    }
    for (const [key, grp] of groups) {
      const a = this.boxes.get(grp.from);
      const b = this.boxes.get(grp.to);
      if (!a || !b) continue;
      const bend = (grp.direction === 'ingress' ? 1 : -1) * (grp.allowed ? 1 : 1.6);
      const { d, mid } = bowedCurve(a, b, bend);
      const ports = grp.edges.map((e) => `${e.port}/${e.protocol}`).join(', ');
      const policies = [...new Set(grp.edges.flatMap((e) => e.policies.map(policyLabel)))];
      const verdict = grp.allowed ? 'allowed' : 'dropped';
      const el = g
        .append('g')
        .attr('class', `edge policy-edge ${verdict} layer-${grp.layer}`)
        .attr('data-layer', grp.layer)
        .attr('data-kind', 'edge')
        .attr('data-id', `policy:${key.replace(/\|/g, ':')}`)
        .attr('data-policy-edge', grp.edges[0]?.id ?? '')
        .attr('data-from', grp.from)
        .attr('data-to', grp.to)
        .attr('data-namespace-from', this.namespaceOf.get(grp.from) ?? '')
        .attr('data-namespace-to', this.namespaceOf.get(grp.to) ?? '')
        .attr('role', 'button')
        .attr('tabindex', -1)
        .attr(
          'aria-label',
          `${grp.direction} ${verdict}: ${grp.from} to ${grp.to} on ${ports}${policies.length ? `, by ${policies.join(', ')}` : ''}`,
        );
      el.append('path').attr('d', d).attr('marker-end', `url(#arrow-${verdict})`);
      el.append('title').text(
        `${verdict.toUpperCase()} ${grp.direction} ${grp.from} → ${grp.to} on ${ports}\n${policies.length ? `Decided by ${LAYER_NAMES[grp.layer] ?? 'policy'}: ${policies.join(', ')}` : 'no policy isolates either side'}\n${grp.edges[0]?.reason ?? ''}`,
      );
      el.append('text')
        .attr('class', 'edge-label')
        .attr('x', mid.x)
        .attr('y', mid.y)
        .attr('text-anchor', 'middle')
        .text(`${grp.allowed ? '✓' : '✗'} ${LAYER_TAGS[grp.layer] ?? ''}${ports}`);
    }
  }

  /** Hides the objects of the given namespaces, and every edge that touches one. */
  setHiddenNamespaces(hidden: ReadonlySet<string>): void {
    for (const el of this.svg.querySelectorAll<SVGGElement>('[data-namespace]'))
      el.classList.toggle('ns-hidden', hidden.has(el.getAttribute('data-namespace') ?? ''));
    const gone = (id: string | null) => id !== null && hidden.has(this.namespaceOf.get(id) ?? '\u0000');
    for (const el of this.svg.querySelectorAll<SVGGElement>('g.edge'))
      el.classList.toggle('ns-hidden', gone(el.getAttribute('data-from')) || gone(el.getAttribute('data-to')));
  }

  /** Marks the objects whose id, IP or labels contain `query`; returns their elements in reading order. */
  setSearch(query: string): SVGGElement[] {
    const q = query.trim().toLowerCase();
    this.svg.classList.toggle('searching', q !== '');
    const hits: SVGGElement[] = [];
    const t = this.topology;
    const text = new Map<string, string>();
    if (t && q) {
      for (const p of t.pods) text.set(p.id, `${p.id} ${p.ip ?? ''} ${p.workload} ${labelsText(p.labels)}`.toLowerCase());
      for (const s of t.services) text.set(s.id, `${s.id} ${s.clusterIP ?? ''} ${s.type}`.toLowerCase());
      for (const n of t.nodes) text.set(n.id, `${n.id} ${n.ip} ${n.podCIDR}`.toLowerCase());
      for (const g of t.ingresses)
        text.set(g.id, `${g.id} ${g.routes.map((r) => `${r.host ?? ''}${r.path ?? ''}`).join(' ')}`.toLowerCase());
      for (const x of t.externals) text.set(x.id, `${x.id} ${x.label}`.toLowerCase());
    }
    for (const el of this.svg.querySelectorAll<SVGGElement>('g.obj')) {
      const hit = q !== '' && (text.get(el.getAttribute('data-id') ?? '') ?? '').includes(q);
      el.classList.toggle('match', hit);
      if (hit) hits.push(el);
    }
    return hits;
  }

  /** The trace layer, for the packet animation. */
  get traceLayer(): G {
    return this.layers.trace;
  }
}

const ZERO: Box = { x: 0, y: 0, w: 0, h: 0 };

/** Escapes an id for an attribute selector (ids hold `/`, `:` and `>`). */
export function cssEscape(s: string): string {
  return typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&');
}
