// Draws the map view: namespaces as groups, workloads (with a dot per replica, its pods), Services,
// Ingresses, Gateways and routes inside them, and the edges between them: Service → workloads,
// Ingress/route → Service, Gateway → route, and every call the manifests make, coloured by the
// verdict of its trace. Every drawn object carries data-kind and data-id (the extension contract);
// call edges carry data-verdict. Text goes in through textContent only.
import type { MapTopology } from '../src/shared/protocol';
import type { Box } from './layout';
import { mapKey, type MapKind, type MapLayout } from './mapLayout';
import { fit, r1 } from './geometry';
import { cssEscape } from './scene';
import { bracket, mapCurve } from './mapCurve';
import { GroupTitles } from './groupTitles';

const SVG_NS = 'http://www.w3.org/2000/svg';
const COLOURS = 8;
/** Dots drawn per workload; its line says how many replicas there are. */
const MAX_DOTS = 8;

export type MapDrawnKind = MapKind | 'namespace' | 'pod' | 'edge';

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface DrawnMap {
  /** Every object element with the box it covers (for culling and revealing). */
  items: Array<{ el: Element; box: Box }>;
}

export class MapScene {
  readonly root: SVGGElement;
  private readonly layers: Record<'namespaces' | 'edges' | 'objects' | 'titles', SVGGElement>;
  private layout: MapLayout | undefined;
  private readonly nsTitles: GroupTitles;
  nsColour = new Map<string, number>();

  constructor(readonly svg: SVGSVGElement) {
    svg.replaceChildren();
    const defs = el('defs', {});
    for (const name of ['map-arrow', 'map-arrow-allowed', 'map-arrow-blocked']) {
      const m = el('marker', {
        id: name,
        class: name,
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 7,
        markerHeight: 7,
        orient: 'auto-start-reverse',
      });
      m.append(el('path', { d: 'M0,0L10,5L0,10z' }));
      defs.append(m);
    }
    this.root = el('g', { class: 'viewport' });
    const layer = (name: string) => {
      const g = el('g', { class: `layer layer-${name}` });
      this.root.append(g);
      return g;
    };
    // The namespaces' titles over everything: zoomed out they grow over their groups' boxes and calls.
    this.layers = { namespaces: layer('namespaces'), edges: layer('edges'), objects: layer('objects'), titles: layer('titles') };
    this.nsTitles = new GroupTitles(this.layers.titles, { group: 'ns-title', name: 'name ns-name', summary: 'ns-count' });
    svg.append(defs, this.root);
    svg.addEventListener('pointerover', (e) => this.ensureTitle(e.target));
    svg.addEventListener('focusin', (e) => this.ensureTitle(e.target));
  }

  /** The namespace filter: a namespace's group and objects, and every edge that touches one. */
  hideNamespaces(hidden: ReadonlySet<string>): void {
    for (const el of this.svg.querySelectorAll<SVGGElement>('[data-namespace]'))
      el.classList.toggle('ns-hidden', hidden.has(el.getAttribute('data-namespace') ?? ''));
    const gone = (id: string | null) => id !== null && id.includes('/') && hidden.has(id.slice(0, id.indexOf('/')));
    for (const el of this.svg.querySelectorAll<SVGGElement>('g.edge'))
      el.classList.toggle('ns-hidden', gone(el.getAttribute('data-from')) || gone(el.getAttribute('data-to')));
  }

  /** Keeps the namespace titles legible at scale `k` (called when a zoom ends). */
  scaleTitles(k: number): void {
    this.nsTitles.scale(k);
  }

  boxOf(kind: MapKind, id: string): Box | undefined {
    return this.layout?.boxes.get(mapKey(kind, id));
  }

  boxOfElement(el: SVGGElement): Box | undefined {
    const kind = el.dataset['kind'] as MapKind;
    return (
      this.layout?.boxes.get(mapKey(kind, el.dataset['id'] ?? '')) ??
      (kind === ('namespace' as MapKind) ? this.layout?.namespaces.get(el.dataset['id'] ?? '') : undefined)
    );
  }

  /** Every focusable object in reading order: entry points, then namespace by namespace as drawn. */
  focusables(): SVGGElement[] {
    return [...this.svg.querySelectorAll<SVGGElement>('.layer-objects g.obj:not(.ns-hidden)')];
  }

  element(kind: MapDrawnKind, id: string): SVGGElement | null {
    return this.svg.querySelector<SVGGElement>(`[data-kind="${kind}"][data-id="${cssEscape(id)}"]`);
  }

  /** The hover text of each drawn element whose <title> is made when first pointed at or focused (a large map). */
  private titles = new WeakMap<Element, string>();

  /**
   * Gives an element its hover text now: in a large map the <title>s (a quarter of its elements)
   * are made when first wanted, not with the drawing.
   */
  private ensureTitle(target: EventTarget | null): void {
    let e = target instanceof Element ? target : null;
    for (; e && e !== this.svg; e = e.parentElement) {
      const text = this.titles.get(e);
      if (text === undefined) continue;
      this.titles.delete(e);
      e.prepend(el('title', {}, text));
    }
  }

  /** Text still to be added to a large map's drawing (flushDetail): none of it shows with the whole map in view. */
  private pendingDetail: Array<() => void> = [];

  /**
   * Adds the text the drawing was built without, for up to `budgetMs` (all of it without a budget);
   * true once there is none left.
   */
  flushDetail(budgetMs = Infinity): boolean {
    const until = performance.now() + budgetMs;
    let i = 0;
    for (; i < this.pendingDetail.length && (i % 64 !== 0 || performance.now() < until); i++) (this.pendingDetail[i] as () => void)();
    this.pendingDetail.splice(0, i);
    return this.pendingDetail.length === 0;
  }

  /** Adds that text a slice per task (after the first paint), so the page stays responsive. */
  addDetailInSlices(): void {
    if (!this.flushDetail(12)) setTimeout(() => this.addDetailInSlices(), 0);
  }

  /**
   * Draws the map. `large`: hover texts are made when first pointed at or focused, and the names,
   * lines and labels (which the level of detail hides with the whole map in view) are added after
   * the first paint, by flushDetail.
   */
  render(t: MapTopology, layout: MapLayout, large = false): DrawnMap {
    const lazyTitles = large;
    this.layout = layout;
    this.titles = new WeakMap();
    this.pendingDetail = [];
    const detail = (add: () => void) => {
      if (large) this.pendingDetail.push(add);
      else add();
    };
    const addTitle = (g: Element, text: string) => {
      if (lazyTitles) this.titles.set(g, text);
      else g.append(el('title', {}, text));
    };
    this.nsColour = new Map(t.namespaces.map((n, i) => [n.name, i % COLOURS]));
    for (const g of Object.values(this.layers)) g.replaceChildren();
    this.nsTitles.clear();
    const items: DrawnMap['items'] = [];
    const object = (kind: MapDrawnKind, id: string, ns: string | null, box: Box, cls: string, label: string, title: string) => {
      const g = el('g', {
        class: `obj map-${kind} ${cls}${ns !== null ? ` ns-c${this.nsColour.get(ns) ?? 0}` : ''}`,
        'data-kind': kind,
        'data-id': id,
        transform: `translate(${r1(box.x)},${r1(box.y)})`,
        role: 'button',
        tabindex: -1,
        'aria-label': label,
      });
      if (ns !== null) g.setAttribute('data-namespace', ns);
      addTitle(g, title);
      items.push({ el: g, box });
      return g;
    };
    const lines = (g: SVGGElement, box: Box, texts: string[]) => {
      g.append(el('rect', { class: 'shape', width: box.w, height: box.h, rx: 7 }));
      detail(() =>
        texts.forEach((s, i) => g.append(el('text', { class: i === 0 ? 'name' : 'sub', x: 9, y: 18 + i * 16 }, fit(s, i === 0 ? 26 : 32)))),
      );
    };

    // Namespace groups.
    const wlCount = new Map<string, number>();
    for (const w of t.workloads) wlCount.set(w.namespace, (wlCount.get(w.namespace) ?? 0) + 1);
    // Blocked calls by the caller's namespace: zoomed out, the count under a title says where to look.
    const blockedFrom = new Map<string, number>();
    for (const c of t.map.calls) {
      const ns = c.from.slice(0, c.from.indexOf('/'));
      if (c.verdict === 'blocked') blockedFrom.set(ns, (blockedFrom.get(ns) ?? 0) + 1);
    }
    for (const [ns, box] of layout.namespaces) {
      const n = wlCount.get(ns) ?? 0;
      const info = t.namespaces.find((x) => x.name === ns);
      const g = object(
        'namespace',
        ns,
        ns,
        box,
        `namespace${info?.implicit ? ' implicit' : ''}`,
        `namespace ${ns}, ${n} workloads`,
        `namespace ${ns}\n${n} workload(s)${info?.implicit ? '\n(added by the simulator)' : ''}`,
      );
      g.append(el('rect', { class: 'region ns-region', width: box.w, height: box.h, rx: 10 }));
      const name = `${ns}${info?.implicit ? ' (simulator)' : ''}`;
      const blocked = blockedFrom.get(ns) ?? 0;
      const summary = `${n} workload${n === 1 ? '' : 's'}${blocked > 0 ? ` · ${blocked} call${blocked === 1 ? '' : 's'} blocked` : ''}`;
      this.layers.namespaces.append(g);
      this.nsTitles.add(name, summary, box, { 'data-namespace': ns });
    }

    // Objects.
    const objects = this.layers.objects;
    const client = t.externals.find((x) => x.role === 'client');
    const clientBox = client ? layout.boxes.get(mapKey('external', client.id)) : undefined;
    if (client && clientBox) {
      const g = object(
        'external',
        client.id,
        null,
        clientBox,
        'external role-client',
        `external client ${client.label}`,
        `${client.label}\nexternal client`,
      );
      lines(g, clientBox, [client.label, 'outside the cluster']);
      objects.append(g);
    }
    for (const w of t.workloads) {
      const box = layout.boxes.get(mapKey('workload', w.id));
      if (!box) continue;
      const ports = w.ports.map((p) => `${p.port}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}`).join(', ');
      const where = w.nodes.length ? `on ${w.nodes.join(', ')}` : 'Pending: on no node';
      const sub = `${w.kind} · ${w.ready}/${w.replicas} ready${ports ? ` · :${ports}` : ''}`;
      const g = object(
        'workload',
        w.id,
        w.namespace,
        box,
        `workload${w.ready < w.replicas ? ' not-ready' : ''}${w.implicit ? ' implicit' : ''}`,
        `${w.kind} ${w.id}, ${w.ready} of ${w.replicas} pods ready, ports ${ports || 'none'}, ${where}`,
        `${w.kind} ${w.id}\n${w.ready}/${w.replicas} pods ready\nports ${ports || 'none declared'}\n${where}${w.implicit ? '\n(added by the simulator)' : ''}`,
      );
      lines(g, box, [w.name, sub, where]);
      // One dot per replica (its pod, for the contract and the hover), up to MAX_DOTS.
      w.samplePods.slice(0, MAX_DOTS).forEach((p, i) => {
        const dot = el('circle', { class: 'pod-dot', 'data-kind': 'pod', 'data-id': p, cx: box.w - 10 - i * 11, cy: 12, r: 4 });
        addTitle(dot, `pod ${p}`);
        g.append(dot);
      });
      objects.append(g);
    }
    for (const s of t.services) {
      const box = layout.boxes.get(mapKey('service', s.id));
      if (!box) continue;
      const ports = s.ports.map((p) => `${p.port}→${p.targetPort}`).join(', ');
      const ip = s.headless ? 'headless' : s.type === 'ExternalName' ? `→ ${s.externalName ?? '?'}` : (s.clusterIP ?? 'no IP');
      const g = object(
        'service',
        s.id,
        s.namespace,
        box,
        `service type-${s.type}`,
        `Service ${s.id}, ${s.type} ${ip}, ports ${ports}, ${s.endpointCount} endpoints`,
        `Service ${s.id}\n${s.type} ${ip}\nports ${ports}\n${s.endpointCount} endpoint pod(s)`,
      );
      lines(g, box, [`svc ${s.name}`, `${ip} · ${ports || 'no ports'}`]);
      objects.append(g);
    }
    for (const ing of t.ingresses) {
      const box = layout.boxes.get(mapKey('ingress', ing.id));
      if (!box) continue;
      const routes = ing.routes.map((r) =>
        r.defaultBackend ? `default → ${r.service ?? '?'}` : `${r.host ?? '*'}${r.path ?? '/'} → ${r.service ?? '?'}`,
      );
      // Where the controller runs decides who the backends see as the client: say it on the box.
      const c = ing.controller;
      const runs = c
        ? c.runs === 'outside'
          ? `${c.profile} outside the cluster (${c.dataPlane})`
          : `${c.profile} in ${c.dataPlane}`
        : 'no controller';
      const g = object(
        'ingress',
        ing.id,
        ing.namespace,
        box,
        'ingress',
        `Ingress ${ing.id}, served by ${runs}, ${routes.join('; ')}`,
        `Ingress ${ing.id}\nserved by ${runs}\n${routes.join('\n')}`,
      );
      const where = c ? (c.runs === 'outside' ? `${c.profile} outside` : c.profile) : 'no controller';
      lines(g, box, [`Ingress ${ing.name}`, `${where} · ${ing.routes.length} route(s)`]);
      objects.append(g);
    }
    for (const gw of t.map.gateways) {
      const box = layout.boxes.get(mapKey('gateway', gw.id));
      if (!box) continue;
      const listeners = gw.listeners.map(
        (l) => `${l.name} ${l.protocol}:${l.port}${l.hostname ? ` ${l.hostname}` : ''} (${l.attachedRoutes} routes)`,
      );
      const g = object(
        'gateway',
        gw.id,
        gw.namespace,
        box,
        'gateway',
        `Gateway ${gw.id}, class ${gw.className}, ${gw.addresses.join(', ') || 'no address'}, listeners ${listeners.join('; ')}`,
        `Gateway ${gw.id} (class ${gw.className})\n${gw.addresses.join(', ') || 'no address'}\n${listeners.join('\n')}`,
      );
      lines(g, box, [
        `Gateway ${gw.name}`,
        `${gw.addresses[0] ?? 'no address'} · ${gw.listeners.map((l) => `${l.protocol.toLowerCase()}:${l.port}`).join(', ')}`,
      ]);
      objects.append(g);
    }
    for (const r of t.map.routes) {
      const box = layout.boxes.get(mapKey('route', r.id));
      if (!box) continue;
      const accepted = r.parents.some((p) => p.accepted);
      const refused = r.parents.filter((p) => !p.accepted).map((p) => `${p.gateway}: ${p.reason}`);
      const hosts = r.hostnames.join(', ') || 'any host';
      const g = object(
        'route',
        r.id,
        r.namespace,
        box,
        `route${accepted ? '' : ' not-accepted'}`,
        `${r.kind} ${r.id}, ${hosts}${refused.length ? `, not accepted by ${refused.join('; ')}` : ''}`,
        `${r.kind} ${r.id}\nhostnames: ${hosts}\n${r.parents.map((p) => `${p.gateway}${p.sectionName ? `/${p.sectionName}` : ''}: ${p.accepted ? 'Accepted' : p.reason}`).join('\n')}`,
      );
      lines(g, box, [`${r.kind} ${r.name}`, accepted ? hosts : `not accepted: ${r.parents[0]?.reason ?? 'no parent'}`]);
      objects.append(g);
    }

    // Edges.
    const edges = this.layers.edges;
    const edge = (id: string, cls: string, from: string, to: string, a: Box | undefined, b: Box | undefined, title: string, d?: string) => {
      if (!a || !b) return undefined;
      const g = el('g', { class: `edge ${cls}`, 'data-kind': 'edge', 'data-id': id, 'data-from': from, 'data-to': to });
      const path = d ?? mapCurve(a, b, cls === 'edge-external').d;
      g.append(
        el('path', {
          d: path,
          'marker-end': `url(#${cls.includes('verdict-blocked') ? 'map-arrow-blocked' : cls.includes('verdict-allowed') ? 'map-arrow-allowed' : 'map-arrow'})`,
        }),
      );
      addTitle(g, title);
      edges.append(g);
      const x = Math.min(a.x, b.x) - 70;
      const y = Math.min(a.y, b.y);
      items.push({ el: g, box: { x, y, w: Math.max(a.x + a.w, b.x + b.w) + 70 - x, h: Math.max(a.y + a.h, b.y + b.h) - y } });
      return g;
    };
    const box = (kind: MapKind, id: string) => layout.boxes.get(mapKey(kind, id));
    for (const e of t.map.edges) {
      if (e.kind === 'endpoint') {
        const s = box('service', e.from);
        const w = box('workload', e.to);
        const stacked = s && w && s.x === w.x && w.y > s.y;
        edge(e.id, 'edge-endpoint', e.from, e.to, s, w, `Service ${e.from} → ${e.to} (${e.label})`, stacked ? bracket(s, w) : undefined);
      } else if (e.kind === 'listener') {
        edge(
          e.id,
          'edge-listener',
          e.from,
          e.to,
          box('gateway', e.from),
          box('route', e.to),
          `Gateway ${e.from} → ${e.label} ${e.to} (attached)`,
        );
      } else {
        edge(
          e.id,
          'edge-route',
          e.from,
          e.to,
          box('route', e.from),
          box('service', e.to),
          `route ${e.from} → Service ${e.to}${e.label ? ` :${e.label}` : ''}`,
        );
      }
    }
    for (const e of t.edges) {
      if (e.kind !== 'route') continue;
      edge(
        `map:${e.id}`,
        'edge-route',
        e.from,
        e.to,
        box('ingress', e.from),
        box('service', e.to),
        `Ingress ${e.from} → Service ${e.to} (${e.label})`,
      );
    }
    if (client && clientBox) {
      for (const ing of t.ingresses)
        edge(
          `${client.id}->${ing.id}`,
          'edge-external',
          client.id,
          ing.id,
          clientBox,
          box('ingress', ing.id),
          `client → Ingress ${ing.id}`,
        );
      for (const gw of t.map.gateways)
        edge(`${client.id}->${gw.id}`, 'edge-external', client.id, gw.id, clientBox, box('gateway', gw.id), `client → Gateway ${gw.id}`);
    }
    for (const c of t.map.calls) {
      const ports = c.ports.map((p) => `${p.port} ${p.verdict === 'allowed' ? 'allowed' : `${p.outcome}: ${p.reason}`}`).join('\n');
      const g = edge(
        c.id,
        `edge-call verdict-${c.verdict}`,
        c.from,
        c.to,
        box('workload', c.from),
        box('service', c.to),
        `${c.verdict.toUpperCase()} ${c.from} → Service ${c.to}\n${ports}\n${c.via.join('\n')}`,
      );
      if (!g) continue;
      const a = box('workload', c.from);
      const b = box('service', c.to);
      if (a && b) {
        const { mid } = mapCurve(a, b);
        const ok = c.verdict === 'allowed';
        detail(() =>
          g.append(
            el(
              'text',
              { class: 'edge-label', x: r1(mid.x), y: r1(mid.y - 4), 'text-anchor': 'middle' },
              `${ok ? '✓' : '✗'} ${c.ports.map((p) => p.port).join(', ')}`,
            ),
          ),
        );
      }
      g.setAttribute('data-verdict', c.verdict);
      g.setAttribute('role', 'button');
      g.setAttribute('tabindex', '-1');
      g.setAttribute('aria-label', `call ${c.from} to ${c.to} on ${c.ports.map((p) => p.port).join(', ')}: ${c.verdict}`);
    }
    return { items };
  }
}
