// The side panel's account of the selected object: what it is, its addresses, ports and labels,
// where it is written, and buttons to reveal it or draw its policy layer. All text through textContent.
import type { MapTopology, Topology } from '../src/shared/protocol';
import type { DrawnKind as Kind } from '../src/shared/protocol';
import { button, h } from './controls';
import { labelsText } from './scene';

export interface DetailHooks {
  reveal(kind: Kind, id: string): void;
  focusPolicy(podId: string | null): void;
  trace(from: string, to: string): void;
}

/** The SOURCE (as the CLI and the engine name it) a trace from this object starts at, if one can. */
function traceSource(kind: Kind, id: string): string | undefined {
  if (kind === 'pod') return id;
  if (kind === 'external') return 'external';
  if (kind === 'node') return `node/${id}`;
  return undefined;
}

export class Details {
  private lastTarget = '';

  constructor(
    private readonly host: HTMLElement,
    private readonly hooks: DetailHooks,
  ) {
    this.show(undefined, null);
  }

  /** `t` has the pods once the nodes view has them (a pod is selected only there). */
  show(
    t: (MapTopology & Partial<Pick<Topology, 'pods'>>) | undefined,
    sel: { kind: Kind; id: string } | null,
    policyFocus: string | null = null,
  ): void {
    this.host.replaceChildren(h('h2', {}, 'Selection'));
    if (!t || !sel) {
      this.host.append(
        h(
          'p',
          { class: 'hint' },
          'Click an object to see it here and show its manifest line. Arrow keys move between objects; Enter reveals; Space selects.',
        ),
      );
      return;
    }
    const rows: Array<[string, string]> = [];
    let heading = `${sel.kind} ${sel.id}`;
    let source: { file: string; line: number } | undefined;
    switch (sel.kind) {
      case 'pod': {
        const p = t.pods?.find((x) => x.id === sel.id);
        if (!p) break;
        heading = `Pod ${p.id}`;
        rows.push(
          ['IP', p.ip ?? 'none (Pending)'],
          ['Node', p.node ?? 'none'],
          ['Workload', `${p.workload} (${p.workloadKind})`],
          ['Ports', p.ports.map((x) => `${x.name ? `${x.name} ` : ''}${x.port}/${x.protocol}`).join(', ') || 'none declared'],
          ['Labels', labelsText(p.labels) || 'none'],
        );
        source = p.source;
        break;
      }
      case 'service': {
        const s = t.services.find((x) => x.id === sel.id);
        if (!s) break;
        heading = `Service ${s.id}`;
        rows.push(
          ['Type', s.type],
          ['ClusterIP', s.headless ? 'None (headless)' : (s.clusterIP ?? '—')],
          [
            'Ports',
            s.ports
              .map(
                (p) =>
                  `${p.name ? `${p.name} ` : ''}${p.port}→${p.targetPort}/${p.protocol}${p.nodePort !== null ? ` NodePort ${p.nodePort}` : ''}`,
              )
              .join(', '),
          ],
          ['Endpoints', `${s.endpointCount} pod(s)`],
        );
        if (s.loadBalancerIP) rows.push(['Load balancer', s.loadBalancerIP]);
        source = s.source;
        break;
      }
      case 'node': {
        const n = t.nodes.find((x) => x.id === sel.id);
        if (!n) break;
        heading = `Node ${n.name}`;
        rows.push(
          ['IP', n.ipv6 ? `${n.ip}, ${n.ipv6}` : n.ip],
          ['Pod CIDR', n.podCIDRv6 ? `${n.podCIDR}, ${n.podCIDRv6}` : n.podCIDR],
          ...(t.pods ? [['Pods', String(t.pods.filter((p) => p.node === n.id).length)] as [string, string]] : []),
          ['Labels', labelsText(n.labels) || 'none'],
        );
        source = n.source;
        break;
      }
      case 'ingress': {
        const g = t.ingresses.find((x) => x.id === sel.id);
        if (!g) break;
        heading = `Ingress ${g.id}`;
        rows.push(['Class', g.className ?? 'default'], ['Controller', g.controllerService ?? 'none simulated']);
        g.routes.forEach((r, i) =>
          rows.push([
            `Route ${i + 1}`,
            `${r.defaultBackend ? 'default backend' : `${r.host ?? '*'}${r.path ?? '/'} (${r.pathType ?? ''})`} → ${r.service ?? '?'}:${r.port ?? '?'}${r.resolved ? '' : ' (no such Service)'}`,
          ]),
        );
        source = g.source;
        break;
      }
      case 'external': {
        const x = t.externals.find((e) => e.id === sel.id);
        if (!x) break;
        heading = x.label;
        rows.push(['Role', x.role], ['Leads to', x.service ?? 'the cluster']);
        source = x.source;
        break;
      }
      case 'workload': {
        const w = t.workloads.find((x) => x.id === sel.id);
        if (!w) break;
        heading = `${w.kind} ${w.id}`;
        rows.push(
          ['Replicas', `${w.ready}/${w.replicas} ready`],
          ['Ports', w.ports.map((x) => `${x.name ? `${x.name} ` : ''}${x.port}/${x.protocol}`).join(', ') || 'none declared'],
          ['Nodes', w.nodes.join(', ') || 'none (Pending)'],
          [
            'Behind',
            t.map.edges
              .filter((e) => e.kind === 'endpoint' && e.to === w.id)
              .map((e) => e.from)
              .join(', ') || 'no Service',
          ],
        );
        source = w.source;
        break;
      }
      case 'gateway': {
        const g = t.map.gateways.find((x) => x.id === sel.id);
        if (!g) break;
        heading = `Gateway ${g.id}`;
        rows.push(['Class', g.className], ['Addresses', g.addresses.join(', ') || 'none']);
        for (const l of g.listeners)
          rows.push([
            `Listener ${l.name}`,
            `${l.protocol} ${l.port}${l.hostname ? ` ${l.hostname}` : ''} · ${l.attachedRoutes} route(s) attached`,
          ]);
        source = g.source;
        break;
      }
      case 'route': {
        const r = t.map.routes.find((x) => x.id === sel.id);
        if (!r) break;
        heading = `${r.kind} ${r.id}`;
        rows.push(['Hostnames', r.hostnames.join(', ') || 'any']);
        for (const p of r.parents)
          rows.push([
            `Parent ${p.gateway}${p.sectionName ? `/${p.sectionName}` : ''}`,
            p.accepted ? 'Accepted' : `not accepted: ${p.reason}`,
          ]);
        for (const b of r.backends)
          rows.push([`Backend ${b.service}`, `port ${b.port ?? '?'} · weight ${b.weight}${b.resolved ? '' : ` · ${b.reason}`}`]);
        source = r.source;
        break;
      }
      case 'namespace': {
        const n = t.namespaces.find((x) => x.name === sel.id);
        if (!n) break;
        heading = `Namespace ${n.name}`;
        rows.push(
          ['Workloads', String(t.workloads.filter((w) => w.namespace === n.name).length)],
          ['Pods', String(n.pods)],
          ['Services', String(n.services)],
        );
        break;
      }
      case 'edge': {
        const c = t.map.calls.find((x) => x.id === sel.id);
        if (!c) break;
        heading = `Call ${c.from} → ${c.to}`;
        rows.push(['Verdict', c.verdict]);
        for (const p of c.ports) rows.push([`Port ${p.port}`, p.verdict === 'allowed' ? `${p.outcome}` : `${p.outcome}: ${p.reason}`]);
        rows.push(['Written as', c.via.join('; ')]);
        source = c.source;
        break;
      }
      case 'matrix-cell':
        break;
    }
    this.host.append(h('h3', {}, heading));
    const dl = h('dl');
    for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v));
    this.host.append(dl);
    this.host.append(h('p', { class: 'where' }, source ? `${source.file}:${source.line}` : 'Added by the simulator (no manifest).'));
    const actions = h('div', { class: 'actions' });
    if (source)
      actions.append(button('Show in manifest', `Show ${heading} in its manifest`, () => this.hooks.reveal(sel.kind, sel.id), false));
    if (sel.kind === 'pod') {
      if (policyFocus === sel.id)
        actions.append(button('Clear policy', 'Stop drawing the policy layer for this pod', () => this.hooks.focusPolicy(null)));
      else
        actions.append(button('Show policy', `Draw who may reach ${sel.id} and whom it may reach`, () => this.hooks.focusPolicy(sel.id)));
    }
    this.host.append(actions);
    const from = traceSource(sel.kind, sel.id);
    if (from) this.host.append(this.traceForm(from));
  }

  /** "Trace to": a target (URL, HOST:PORT or IP:PORT) and a button; the extension runs the trace. */
  private traceForm(from: string): HTMLElement {
    const form = h('form', { class: 'trace-form', 'aria-label': `Trace a packet from ${from}` });
    const field = document.createElement('vscode-textfield') as HTMLElement & { value: string };
    field.setAttribute('placeholder', 'http://backend:8080/api');
    field.setAttribute('aria-label', `Target to trace to from ${from}: a URL, HOST:PORT or IP:PORT`);
    field.className = 'trace-target';
    field.value = this.lastTarget;
    const go = () => {
      const to = field.value.trim();
      if (!to) return;
      this.lastTarget = to;
      this.hooks.trace(from, to);
    };
    field.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        go();
      }
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      go();
    });
    form.append(
      h('label', { class: 'group-label' }, 'Trace packet to'),
      field,
      button('Trace', `Trace a packet from ${from} to the target`, go, false),
    );
    return form;
  }
}
