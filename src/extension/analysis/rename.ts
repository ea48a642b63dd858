// Runs in the analysis worker (no vscode here): renaming a label value (F2) across the workspace.
// The labels and the selectors that select by them are renamed together, so that every selector
// keeps picking exactly the pods (or Namespaces) it picked; where that cannot be guaranteed (a
// NotIn expression, pods the workspace does not define, the new value already in use, a value not
// written plainly) the rename is refused with the reason and the place.
import {
  isRecord,
  NAMESPACE_NAME_LABEL,
  namespaceOf,
  yamlScalar,
  type Analysis,
  type Labels,
  type ManifestObject,
  type SimNamespace,
  type SourceRange,
} from '../../engine';
import { indexOf, rawAt, scalarText, type SelectorSite, type Workload, type WorkspaceIndex } from './declarations';
import { selectorEntries } from './links';
import { placeRange, type Texts } from './navigation';
import { rangeContains, type Position } from './symbols';

type FieldPath = ReadonlyArray<string | number>;

export interface RenameEdit {
  range: SourceRange;
  newText: string;
  /** What the edit changes, for the preview: `Service shop/backend selector`. */
  label: string;
  /** A caution shown beside it in the preview. */
  description?: string;
}

export type PrepareRenameAnswer = { ok: true; range: SourceRange; placeholder: string } | { ok: false; message: string };
export type RenameAnswer = { ok: true; label: string; edits: RenameEdit[] } | { ok: false; message: string };

/** Something that carries labels: a workload's pod template (domain pod) or a Namespace (domain namespace). */
interface Carrier {
  domain: 'pod' | 'namespace';
  object: ManifestObject;
  labelsPath: FieldPath;
  labels: Labels;
  name: string;
  namespace: string | undefined;
  workload?: Workload;
}

/** A label value written at a place: on a carrier, in a selector the engine models, or in one it does not. */
interface Occurrence {
  key: string;
  value: string;
  place: { object: ManifestObject; path: FieldPath };
  carrier?: Carrier;
  site?: SelectorSite;
}

/** Keys under which a selector picks Namespaces (NetworkPolicy peers; AdminNetworkPolicy's `namespaces`). */
const NAMESPACE_KEYS = new Set(['namespaceSelector', 'namespaces']);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Controllers whose spec.selector the API server refuses to change on an existing object. */
const IMMUTABLE_SELECTOR = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

function carriers(a: Analysis, index: WorkspaceIndex): Carrier[] {
  const out: Carrier[] = index.workloads().map((w) => ({
    domain: 'pod' as const,
    object: w.object,
    labelsPath: w.labelsPath,
    labels: w.labels,
    name: `${w.kind} ${w.namespace}/${w.name}`,
    namespace: w.namespace,
    workload: w,
  }));
  for (const ns of a.cluster.namespaces.values())
    if (ns.origin.kind === 'manifest')
      out.push({
        domain: 'namespace',
        object: ns.origin.object,
        labelsPath: ['metadata', 'labels'],
        labels: ns.labels,
        name: `Namespace ${ns.name}`,
        namespace: undefined,
      });
  return out;
}

const scalar = scalarText;

/** The label value at a position, if one is there. */
function occurrenceAt(a: Analysis, file: string, pos: Position): Occurrence | undefined {
  const index = indexOf(a);
  for (const c of carriers(a, index)) {
    if (c.object.file !== file) continue;
    const labels = rawAt(c.object.raw, c.labelsPath);
    if (!isRecord(labels)) continue;
    for (const [key, raw] of Object.entries(labels)) {
      const value = scalar(raw);
      const place = { object: c.object, path: [...c.labelsPath, key] };
      if (value !== undefined && rangeContains(placeRange(place), pos)) return { key, value, place, carrier: c };
    }
  }
  for (const site of index.selectorSites()) {
    if (site.at.object.file !== file) continue;
    for (const e of selectorEntries(site.at.object, site.at.path, site.form)) {
      if (e.path[e.path.length - 1] === 'key') continue; // an expression's key, not a value
      const value = scalar(rawAt(e.object.raw, e.path));
      if (value !== undefined && rangeContains(placeRange(e), pos)) return { key: e.key, value, place: e, site };
    }
  }
  return undefined;
}

/** F2's first step: whether the cursor is on a label value kube-netsim can rename, and its range. */
export function prepareRename(a: Analysis, file: string, pos: Position): PrepareRenameAnswer {
  const at = occurrenceAt(a, file, pos);
  if (!at)
    return {
      ok: false,
      message: 'kube-netsim renames label values: put the cursor on a value under labels, a Service selector or a matchLabels.',
    };
  if (at.key === NAMESPACE_NAME_LABEL)
    return {
      ok: false,
      message: `${NAMESPACE_NAME_LABEL} is set by the API server to the Namespace's name; rename the Namespace instead.`,
    };
  return { ok: true, range: placeRange(at.place), placeholder: at.value };
}

interface Plan {
  key: string;
  value: string;
  domain: 'pod' | 'namespace';
  carriers: Set<Carrier>;
  sites: Set<SelectorSite>;
}

const mentions = (s: SelectorSite, key: string, value: string) =>
  s.selector.matchLabels[key] === value ||
  s.selector.matchExpressions.some((e) => e.key === key && e.operator === 'In' && e.values.includes(value));
const excludes = (s: SelectorSite, key: string, value: string) =>
  s.selector.matchExpressions.some((e) => e.key === key && e.operator === 'NotIn' && e.values.includes(value));

function where(r: SourceRange): string {
  return `${r.file}:${r.line}`;
}

/** The carriers with key=value a selector picks, and the simulator's own objects it picks that carry it. */
function picked(
  index: WorkspaceIndex,
  all: Carrier[],
  site: SelectorSite,
  key: string,
  value: string,
): { carriers: Carrier[]; implicit: string[] } {
  if (site.domain === 'pod') {
    const pods = index.podsPicked(site).filter((p) => p.labels[key] === value);
    const ws = new Set(pods.map((p) => index.workloadOf(p)).filter((w): w is Workload => w !== undefined));
    return {
      carriers: all.filter((c) => c.workload !== undefined && ws.has(c.workload)),
      implicit: pods.filter((p) => p.origin.kind !== 'manifest').map((p) => `pod ${p.namespace}/${p.name}`),
    };
  }
  const namespaces: SimNamespace[] = index.namespacesPicked(site).filter((n) => n.labels[key] === value);
  return {
    carriers: all.filter(
      (c) => c.domain === 'namespace' && namespaces.some((n) => n.origin.kind === 'manifest' && n.origin.object === c.object),
    ),
    implicit: namespaces.filter((n) => n.origin.kind !== 'manifest').map((n) => `namespace ${n.name}`),
  };
}

/** The labels and selectors that must change together, closed under "a selector picks a carrier, a carrier is picked by a selector". */
function plan(a: Analysis, at: Occurrence): Plan | string {
  const index = indexOf(a);
  const { key, value } = at;
  const domain = at.carrier?.domain ?? at.site?.domain ?? 'pod';
  const all = carriers(a, index).filter((c) => c.domain === domain && c.labels[key] === value);
  const sites = index.selectorSites().filter((s) => s.domain === domain && mentions(s, key, value));
  const p: Plan = { key, value, domain, carriers: new Set(), sites: new Set() };
  if (at.carrier) p.carriers.add(all.find((c) => c.object === at.carrier?.object) ?? at.carrier);
  if (at.site) {
    p.sites.add(at.site);
    for (const c of picked(index, all, at.site, key, value).carriers) p.carriers.add(c);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const s of sites) {
      if (p.sites.has(s)) continue;
      const got = picked(index, all, s, key, value).carriers;
      if (!got.some((c) => p.carriers.has(c))) continue;
      p.sites.add(s);
      for (const c of got) p.carriers.add(c);
      changed = true;
    }
  }
  for (const s of p.sites) {
    const implicit = picked(index, all, s, key, value).implicit;
    if (implicit.length > 0)
      return `${key}=${value} is also carried by ${implicit.slice(0, 2).join(', ')}, which the simulator adds itself (not in the workspace): renaming ${s.owner} (${where(placeRange(s.at))}) would stop it selecting them.`;
  }
  const namespaces = new Set([...p.carriers].map((c) => c.namespace).filter((n): n is string => n !== undefined));
  for (const s of index.selectorSites()) {
    if (s.domain !== domain || !excludes(s, key, value)) continue;
    if (domain === 'pod' && !s.scope().some((ns) => namespaces.has(ns))) continue;
    return `${s.owner} (${where(placeRange(s.at))}) excludes ${key}=${value} with NotIn; after the rename it would select the renamed ${domain === 'pod' ? 'pods' : 'Namespaces'}. Change that expression first.`;
  }
  return p;
}

/** Selectors the engine does not model (PodDisruptionBudget, affinity, topology spread, policies of other kinds), found by shape. */
function unmodeledEntries(
  a: Analysis,
  p: Plan,
  namespaces: Set<string>,
): Array<{ object: ManifestObject; path: FieldPath; op: 'label' | 'in' | 'notin'; owner: string }> {
  const index = indexOf(a);
  const modeled = new Map<ManifestObject, string[]>();
  for (const s of index.selectorSites()) modeled.set(s.at.object, [...(modeled.get(s.at.object) ?? []), s.at.path.join('.')]);
  const out: Array<{ object: ManifestObject; path: FieldPath; op: 'label' | 'in' | 'notin'; owner: string }> = [];
  for (const o of a.cluster.objects) {
    if (o.kind === 'NetworkPolicy' || o.kind === 'Service' || o.kind === 'Namespace') continue;
    const ns = namespaceOf(o);
    if (p.domain === 'pod' && ns !== undefined && !namespaces.has(ns)) continue;
    const skip = modeled.get(o) ?? [];
    const walk = (v: unknown, path: Array<string | number>, parentKey: string | undefined, depth: number): void => {
      if (depth > 40 || skip.includes(path.join('.'))) return;
      if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...path, i], parentKey, depth + 1));
      if (!isRecord(v)) return;
      const forDomain = NAMESPACE_KEYS.has(parentKey ?? '') === (p.domain === 'namespace');
      if (forDomain && (isRecord(v['matchLabels']) || Array.isArray(v['matchExpressions']))) {
        const owner = `${o.kind} ${ns ? `${ns}/` : ''}${o.name} ${path.join('.')} (not simulated)`;
        const labels = v['matchLabels'];
        if (isRecord(labels) && scalar(labels[p.key]) === p.value)
          out.push({ object: o, path: [...path, 'matchLabels', p.key], op: 'label', owner });
        const exprs = v['matchExpressions'];
        if (Array.isArray(exprs))
          exprs.forEach((e, i) => {
            if (!isRecord(e) || e['key'] !== p.key || !Array.isArray(e['values'])) return;
            e['values'].forEach((x, j) => {
              if (scalar(x) !== p.value) return;
              const op = e['operator'] === 'In' ? 'in' : e['operator'] === 'NotIn' ? 'notin' : undefined;
              if (op) out.push({ object: o, path: [...path, 'matchExpressions', i, 'values', j], op, owner });
            });
          });
      }
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k], k, depth + 1);
    };
    walk(o.raw, [], undefined, 0);
  }
  return out;
}

/** The text to write for the new value, in the quoting style the old one was written in. */
function written(old: string, value: string): string {
  if (old.startsWith('"')) return JSON.stringify(value);
  if (old.startsWith("'")) return `'${value.replace(/'/g, "''")}'`;
  return yamlScalar(value);
}

/** The text at a range of a file (single-line ranges only). */
function textAt(texts: Texts, r: SourceRange): string | undefined {
  if (r.line !== r.endLine) return undefined;
  const text = texts(r.file);
  if (text === undefined) return undefined;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const line = body.split('\n')[r.line - 1]?.replace(/\r$/, '');
  return line?.slice(r.column - 1, r.endColumn - 1);
}

/** F2: the edits renaming the label value at a position to `newValue`, workspace-wide, or why it cannot be done safely. */
export function renameLabel(a: Analysis, texts: Texts, file: string, pos: Position, newValue: string): RenameAnswer {
  const prepared = prepareRename(a, file, pos);
  if (!prepared.ok) return prepared;
  const at = occurrenceAt(a, file, pos);
  if (!at) return { ok: false, message: 'kube-netsim found no label value here.' };
  if (newValue.length > 63 || !LABEL_VALUE.test(newValue))
    return {
      ok: false,
      message: `"${newValue}" is not a valid label value: at most 63 characters, letters, digits, "-", "_" and ".", starting and ending with a letter or digit.`,
    };
  if (newValue === at.value) return { ok: true, label: `${at.key}=${at.value}`, edits: [] };
  const p = plan(a, at);
  if (typeof p === 'string') return { ok: false, message: `kube-netsim cannot rename ${at.key}=${at.value} safely: ${p}` };
  const namespaces = new Set([...p.carriers].map((c) => c.namespace).filter((n): n is string => n !== undefined));
  if (at.site && namespaces.size === 0) for (const ns of at.site.scope()) namespaces.add(ns);
  // Carriers that already have the new value would be picked by the renamed selectors too.
  const clash = carriers(a, indexOf(a)).find(
    (c) =>
      c.domain === p.domain &&
      !p.carriers.has(c) &&
      c.labels[p.key] === newValue &&
      (p.domain === 'namespace' || namespaces.has(c.namespace ?? '')),
  );
  if (clash && (p.sites.size > 0 || p.carriers.size > 0))
    return {
      ok: false,
      message: `kube-netsim cannot rename ${at.key}=${at.value} to ${newValue}: ${clash.name} already carries ${p.key}=${newValue}, so the renamed selectors would pick it too. Choose another value.`,
    };
  const edits: RenameEdit[] = [];
  const problems: string[] = [];
  const add = (place: { object: ManifestObject; path: FieldPath }, label: string, description?: string) => {
    const range = placeRange(place);
    const old = textAt(texts, range);
    if (old === undefined || ![p.value, JSON.stringify(p.value), `'${p.value}'`].includes(old)) {
      problems.push(`${label} (${where(range)}) is not written as a plain value there (an alias, or generated)`);
      return;
    }
    edits.push({ range, newText: written(old, newValue), label, ...(description ? { description } : {}) });
  };
  for (const c of p.carriers)
    add({ object: c.object, path: [...c.labelsPath, p.key] }, `${c.name} ${c.domain === 'pod' ? 'template labels' : 'labels'}`);
  for (const s of p.sites)
    for (const e of selectorEntries(s.at.object, s.at.path, s.form)) {
      if (e.key !== p.key || e.path[e.path.length - 1] === 'key' || scalar(rawAt(e.object.raw, e.path)) !== p.value) continue;
      const immutable = s.owner.endsWith(' selector') && IMMUTABLE_SELECTOR.has(s.at.object.kind);
      add(
        e,
        s.owner,
        immutable
          ? `the API server refuses a changed spec.selector on an existing ${s.at.object.kind}: delete and re-create it when applying`
          : undefined,
      );
    }
  for (const u of unmodeledEntries(a, p, namespaces)) {
    if (u.op === 'notin')
      return {
        ok: false,
        message: `kube-netsim cannot rename ${at.key}=${at.value} safely: ${u.owner} excludes it with NotIn. Change that expression first.`,
      };
    add(u, u.owner);
  }
  if (problems.length > 0)
    return { ok: false, message: `kube-netsim cannot rename ${at.key}=${at.value} safely: ${problems.join('; ')}. Rename it by hand.` };
  return { ok: true, label: `${p.key}=${p.value} → ${p.key}=${newValue}`, edits: dedupe(edits) };
}

function dedupe(edits: RenameEdit[]): RenameEdit[] {
  const seen = new Set<string>();
  return edits
    .filter((e) => {
      const k = `${e.range.file}:${e.range.line}:${e.range.column}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((x, y) =>
      x.range.file < y.range.file ? -1 : x.range.file > y.range.file ? 1 : x.range.line - y.range.line || x.range.column - y.range.column,
    );
}
