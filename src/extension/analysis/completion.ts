// Runs in the analysis worker (no vscode here): completion where the workspace defines the answer.
// Label keys and values in selectors (from the pods, or Namespaces, the selector applies to, with
// how many each would select), Service names and ports in URLs and backends (as the pod's search
// list needs them), named ports in targetPort and policy ports, and Namespace names under
// kubernetes.io/metadata.name. The document is the editor's current text (it may be half-typed);
// what it refers to comes from the folder's latest simulation.
import { isRecord, NAMESPACE_NAME_LABEL, selectorMatches, serviceId, type Analysis, type Labels, type SimService } from '../../engine';
import { indexOf, rawAt, selectorFromRaw, type WorkspaceIndex } from './declarations';
import type { Position } from './symbols';
import { cursorContext, isMark, type CursorContext } from './yamlCursor';

export type CompletionKind = 'labelKey' | 'labelValue' | 'service' | 'port' | 'namespace';

/** One completion item as plain data; the extension turns it into a vscode.CompletionItem. */
export interface CompletionEntry {
  label: string;
  insertText: string;
  /** `selects 3 pods`, `Service shop/backend`: shown beside the label. */
  detail: string;
  kind: CompletionKind;
  /** The 0-based range the item replaces (the token under the cursor, or the host inside a URL). */
  range: { line: number; start: number; end: number };
  /** Keeps the workspace's order (most pods first, nearest Service first). */
  sortText: string;
}

type Path = Array<string | number>;
const SELECTOR_KEYS = new Set(['selector', 'podSelector', 'namespaceSelector']);

interface Where {
  ctx: CursorContext;
  /** The object (document) being typed. */
  doc: Record<string, unknown>;
  kind: string;
  namespace: string;
}

/** Completion items at a position of `text` (the editor's current text of `file`). */
export function completionsAt(a: Analysis, text: string, pos: Position): CompletionEntry[] {
  const ctx = cursorContext(text, pos);
  if (!ctx) return [];
  const kind = typeof ctx.doc['kind'] === 'string' ? ctx.doc['kind'] : '';
  const meta = ctx.doc['metadata'];
  const ns = isRecord(meta) && typeof meta['namespace'] === 'string' && !isMark(meta['namespace']) ? meta['namespace'] : 'default';
  const where: Where = { ctx, doc: ctx.doc, kind, namespace: ns };
  const items = selectorItems(a, where) ?? portItems(a, where) ?? backendItems(a, where) ?? urlItems(a, where) ?? [];
  return items.map((item, i) => ({ ...item, sortText: String(i).padStart(5, '0') }));
}

type Item = Omit<CompletionEntry, 'sortText'>;

function tokenRange(ctx: CursorContext, start = ctx.start): CompletionEntry['range'] {
  return { line: ctx.line, start, end: ctx.end };
}

/** The text to insert for a value: a space after a bare `key:`, quotes where YAML would read the value as another type. */
function valueText(ctx: CursorContext, value: string): string {
  const needsQuotes =
    !ctx.quoted && (/^(true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.e+-]*)$/i.test(value) || /[:#{}[\],&*!|>'"%@`]/.test(value));
  return `${ctx.needsSpace ? ' ' : ''}${needsQuotes ? JSON.stringify(value) : value}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Where a selector is in the path being typed: its path and form, or undefined. */
function selectorAt(path: Path): { at: number; form: 'map' | 'labelSelector'; field: string } | undefined {
  for (let i = path.length - 2; i >= 0; i--) {
    const p = path[i];
    if (typeof p !== 'string' || !SELECTOR_KEYS.has(p)) continue;
    const next = path[i + 1];
    if (next === 'matchLabels' || next === 'matchExpressions') return { at: i, form: 'labelSelector', field: p };
    if (i === path.length - 2) return { at: i, form: 'map', field: p };
  }
  return undefined;
}

/** Label keys and values inside a selector, from what the selector applies to. */
function selectorItems(a: Analysis, w: Where): Item[] | undefined {
  const { ctx } = w;
  const sel = selectorAt(ctx.path);
  if (!sel) return undefined;
  // A Service's selector is a plain map; workloads' and policies' are LabelSelectors (only under matchLabels/matchExpressions).
  if (sel.form === 'map' && !(w.kind === 'Service' || w.kind === 'ReplicationController')) return undefined;
  const rest = ctx.path.slice(sel.at + (sel.form === 'map' ? 1 : 2));
  let key: string | undefined;
  let wantKeys: boolean;
  if (sel.form === 'map' || ctx.path[sel.at + 1] === 'matchLabels') {
    if (rest.length !== 1 || typeof rest[0] !== 'string') return undefined;
    wantKeys = ctx.at === 'key';
    key = wantKeys ? undefined : rest[0];
  } else {
    // matchExpressions[i].key or matchExpressions[i].values[j]
    const expr = rawAt(w.doc, ctx.path.slice(0, sel.at + 3));
    if (ctx.at !== 'value' || !isRecord(expr)) return undefined;
    if (rest.length === 2 && rest[1] === 'key') wantKeys = true;
    else if (rest.length === 3 && rest[1] === 'values' && typeof expr['key'] === 'string') {
      wantKeys = false;
      key = expr['key'];
    } else return undefined;
  }
  const carriers = labelCarriers(a, indexOf(a), w, ctx.path.slice(0, sel.at), sel.field);
  const noun = carriers.noun;
  if (wantKeys) {
    const counts = new Map<string, number>();
    for (const labels of carriers.labels) for (const k of Object.keys(labels)) counts.set(k, (counts.get(k) ?? 0) + 1);
    return [...counts]
      .filter(([k]) => k.startsWith(ctx.prefix))
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .map(([k, n]) => ({
        label: k,
        insertText: ctx.at === 'key' ? k : valueText(ctx, k),
        detail: `on ${plural(n, noun)} ${carriers.scope}`,
        kind: 'labelKey' as const,
        range: tokenRange(ctx),
      }));
  }
  const counts = new Map<string, number>();
  for (const labels of carriers.labels) {
    const v = key !== undefined ? labels[key] : undefined;
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts]
    .filter(([v]) => v.startsWith(ctx.prefix))
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .map(([v, n]) => ({
      label: v,
      insertText: valueText(ctx, v),
      detail: `${key}=${v} selects ${plural(n, noun)} ${carriers.scope}`,
      kind: sel.field === 'namespaceSelector' && key === NAMESPACE_NAME_LABEL ? ('namespace' as const) : ('labelValue' as const),
      range: tokenRange(ctx),
    }));
}

/** The label sets a selector being typed can pick from: pods of its namespace(s), or Namespaces. */
function labelCarriers(
  a: Analysis,
  index: WorkspaceIndex,
  w: Where,
  owner: Path,
  field: string,
): { labels: Labels[]; noun: string; scope: string } {
  if (field === 'namespaceSelector') {
    const namespaces = index.namespaces();
    return { labels: namespaces.map((n) => n.labels), noun: 'Namespace', scope: 'in the cluster' };
  }
  // A policy peer's podSelector beside a namespaceSelector picks pods in the Namespaces that one picks.
  const peer = rawAt(w.doc, owner);
  const nsSel = field === 'podSelector' && isRecord(peer) && isRecord(peer['namespaceSelector']) ? peer['namespaceSelector'] : undefined;
  if (nsSel && !isMark(nsSel)) {
    const namespaces = index.namespacesMatching(selectorFromRaw(nsSel, 'labelSelector')).map((n) => n.name);
    return {
      labels: namespaces.flatMap((n) => index.podsIn(n).map((p) => p.labels)),
      noun: 'pod',
      scope: `in ${namespaces.length === 1 ? `namespace ${namespaces[0]}` : plural(namespaces.length, 'namespace')}`,
    };
  }
  return { labels: index.podsIn(w.namespace).map((p) => p.labels), noun: 'pod', scope: `in namespace ${w.namespace}` };
}

/** Services a client in `namespace` can name, as its search list needs them: `name` in its own namespace, `name.ns` elsewhere, and the FQDN. */
function serviceNames(a: Analysis, namespace: string, prefix: string): Array<{ name: string; svc: SimService; rank: number }> {
  const domain = a.cluster.settings.clusterDomain;
  const out: Array<{ name: string; svc: SimService; rank: number }> = [];
  for (const svc of a.cluster.services) {
    const names = svc.namespace === namespace ? [svc.name, `${svc.name}.${svc.namespace}`] : [`${svc.name}.${svc.namespace}`];
    names.push(`${svc.name}.${svc.namespace}.svc.${domain}`);
    names.forEach((name, i) => {
      if (name.startsWith(prefix))
        out.push({ name, svc, rank: (svc.namespace === namespace ? 0 : 10) + i + (svc.origin.kind === 'manifest' ? 0 : 100) });
    });
  }
  return out.sort((x, y) => x.rank - y.rank || (x.name < y.name ? -1 : 1));
}

function describeService(svc: SimService): string {
  const ports = svc.ports.map((p) => (p.name ? `${p.name} ${p.port}` : String(p.port))).join(', ');
  return `Service ${serviceId(svc)}${ports ? ` (${ports})` : ''}`;
}

/** A host (and port) inside an env value or a ConfigMap value: `http://ba|` or `backend:|`. */
function urlItems(a: Analysis, w: Where): Item[] | undefined {
  const { ctx } = w;
  if (ctx.at !== 'value') return undefined;
  const path = ctx.path;
  const inEnv = path.length >= 2 && path[path.length - 1] === 'value' && path.includes('env');
  const inConfigMap = w.kind === 'ConfigMap' && path[0] === 'data' && path.length === 2;
  if (!inEnv && !inConfigMap) return undefined;
  const m = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)([a-z0-9.-]*)(?::(\d*))?$/i.exec(ctx.prefix);
  if (!m) return undefined;
  const scheme = m[1] ?? '';
  const host = m[2] ?? '';
  if (m[3] !== undefined) {
    // After `host:`, the ports of the Service the host names from this namespace.
    const svc = serviceNames(a, w.namespace, host).find((s) => s.name === host)?.svc;
    if (!svc) return [];
    const start = ctx.start + scheme.length + host.length + 1;
    return svc.ports
      .filter((p) => String(p.port).startsWith(m[3] ?? ''))
      .map((p) => ({
        label: String(p.port),
        insertText: String(p.port),
        detail: `${p.name ? `${p.name} ` : ''}${p.protocol} of ${describeService(svc)}`,
        kind: 'port' as const,
        range: { line: ctx.line, start, end: ctx.end },
      }));
  }
  // A plain value gets Service names only once it looks like a host or a URL is being typed.
  if (scheme === '' && host.length === 0) return undefined;
  const start = ctx.start + scheme.length;
  return serviceNames(a, w.namespace, host).map(({ name, svc }) => ({
    label: name,
    insertText: ctx.needsSpace && start === ctx.start ? ` ${name}` : name,
    detail: describeService(svc),
    kind: 'service' as const,
    range: { line: ctx.line, start, end: ctx.end },
  }));
}

/** An Ingress backend's service.name / port, or a route's backendRefs name / port. */
function backendItems(a: Analysis, w: Where): Item[] | undefined {
  const { ctx } = w;
  if (ctx.at !== 'value') return undefined;
  const path = ctx.path;
  const last = path[path.length - 1];
  const ingress = path.length >= 3 && path[path.length - 3] === 'backend' && path[path.length - 2] === 'service';
  const ingressPort =
    path.length >= 4 && path[path.length - 4] === 'backend' && path[path.length - 3] === 'service' && path[path.length - 2] === 'port';
  const route = path.length >= 3 && path[path.length - 3] === 'backendRefs';
  const namespaceOfRef = route ? rawAt(w.doc, [...path.slice(0, -1), 'namespace']) : undefined;
  const ns = typeof namespaceOfRef === 'string' && !isMark(namespaceOfRef) ? namespaceOfRef : w.namespace;
  const inNs = a.cluster.services.filter((s) => s.namespace === ns);
  if ((ingress || route) && last === 'name')
    return inNs
      .filter((s) => s.name.startsWith(ctx.prefix))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .map((svc) => ({
        label: svc.name,
        insertText: valueText(ctx, svc.name),
        detail: describeService(svc),
        kind: 'service' as const,
        range: tokenRange(ctx),
      }));
  const refName = rawAt(w.doc, route ? [...path.slice(0, -1), 'name'] : [...path.slice(0, -2), 'name']);
  const svc = typeof refName === 'string' ? inNs.find((s) => s.name === refName) : undefined;
  if (((ingressPort && last === 'number') || (route && last === 'port')) && svc)
    return svc.ports
      .filter((p) => String(p.port).startsWith(ctx.prefix))
      .map((p) => ({
        label: String(p.port),
        insertText: valueText(ctx, String(p.port)).replace(/"/g, ''),
        detail: `${p.name ? `${p.name} ` : ''}${p.protocol} of ${describeService(svc)}`,
        kind: 'port' as const,
        range: tokenRange(ctx),
      }));
  if (ingressPort && last === 'name' && svc)
    return svc.ports
      .filter((p) => p.name !== undefined && p.name.startsWith(ctx.prefix))
      .map((p) => ({
        label: p.name as string,
        insertText: valueText(ctx, p.name as string),
        detail: `${p.port}/${p.protocol} of ${describeService(svc)}`,
        kind: 'port' as const,
        range: tokenRange(ctx),
      }));
  return undefined;
}

/** Named ports: a Service's targetPort (the containerPorts of the pods it selects) and a NetworkPolicy port (of the pods it applies to). */
function portItems(a: Analysis, w: Where): Item[] | undefined {
  const { ctx } = w;
  if (ctx.at !== 'value') return undefined;
  const path = ctx.path;
  const last = path[path.length - 1];
  let pods;
  let owner: string;
  const index = indexOf(a);
  if (w.kind === 'Service' && last === 'targetPort' && path[0] === 'spec' && path[1] === 'ports') {
    const selector = rawAt(w.doc, ['spec', 'selector']);
    if (!isRecord(selector)) return [];
    const sel = selectorFromRaw(selector, 'map');
    pods = index.podsIn(w.namespace).filter((p) => selectorMatches(sel, p.labels));
    owner = 'the pods this Service selects';
  } else if (w.kind === 'NetworkPolicy' && last === 'port' && path.includes('ports') && (path[1] === 'ingress' || path[1] === 'egress')) {
    // Ingress: the ports of the pods the policy selects. Egress: the ports of any pod the rule's peers could be.
    const podSel = rawAt(w.doc, ['spec', 'podSelector']);
    if (path[1] === 'ingress') {
      const sel = selectorFromRaw(isRecord(podSel) ? podSel : {}, 'labelSelector');
      pods = index.podsIn(w.namespace).filter((p) => selectorMatches(sel, p.labels));
      owner = 'the pods this policy selects';
    } else {
      pods = a.cluster.pods;
      owner = 'pods of the cluster';
    }
  } else return undefined;
  const seen = new Map<string, { port: number; protocol: string; count: number }>();
  for (const p of pods)
    for (const c of p.containers)
      for (const port of c.ports) {
        if (!port.name || !port.name.startsWith(ctx.prefix)) continue;
        const e = seen.get(port.name);
        if (e) e.count++;
        else seen.set(port.name, { port: port.containerPort, protocol: port.protocol, count: 1 });
      }
  return [...seen].map(([name, e]) => ({
    label: name,
    insertText: valueText(ctx, name),
    detail: `containerPort ${e.port}/${e.protocol} on ${plural(e.count, 'pod')} of ${owner}`,
    kind: 'port' as const,
    range: tokenRange(ctx),
  }));
}
