// Runs in the analysis worker (no vscode here): what the workspace declares (Services, workloads,
// Namespaces, IngressClasses, ports) and every selector that picks workloads or Namespaces, as the
// simulation sees them. Definition, references, completion, rename and the network view all read
// the workspace through this one index, built once per analysis and only when asked for.
import {
  isRecord,
  selectorMatches,
  mapMatches,
  serviceId,
  TEMPLATE_PATH,
  type Analysis,
  type Labels,
  type LabelSelector,
  type ManifestObject,
  type SimNamespace,
  type SimPod,
  type SimService,
} from '../../engine';

type FieldPath = ReadonlyArray<string | number>;

/** A field of a manifest, located only when an answer needs its range (locating builds the document's position index). */
export interface Place {
  object: ManifestObject;
  path: FieldPath;
}

export type DeclKind = 'Service' | 'ServicePort' | 'Workload' | 'Namespace' | 'IngressClass' | 'ContainerPort';

/** Something a manifest declares, that links lead to: `key` identifies it across the workspace. */
export interface Decl {
  key: string;
  kind: DeclKind;
  /** `Service shop/backend`, `Deployment shop/frontend`, `containerPort api (8080/TCP) of Deployment shop/backend`. */
  label: string;
  at: Place;
}

/** A workload of the manifests (or a bare Pod) and the pods the simulation made of it. */
export interface Workload {
  key: string;
  object: ManifestObject;
  kind: string;
  namespace: string;
  name: string;
  pods: SimPod[];
  /** The pod template's labels (every replica's), and where they are written. */
  labels: Labels;
  labelsPath: FieldPath;
}

/** A selector written in a manifest, with what it selects in the simulation. */
export interface SelectorSite {
  /** The selector field itself (`spec.selector`, `spec.podSelector`, a peer's `namespaceSelector`). */
  at: Place;
  /** A Service's (and ReplicationController's) plain map, or a metav1.LabelSelector with matchLabels/matchExpressions. */
  form: 'map' | 'labelSelector';
  /** What it selects: pods (shown as their workloads) or Namespaces. */
  domain: 'pod' | 'namespace';
  selector: LabelSelector;
  /** `Service shop/backend selector`, `NetworkPolicy shop/api ingress[0].from[1].podSelector`, for messages. */
  owner: string;
  /** The namespaces whose pods a pod selector can pick (domain pod). */
  scope: () => string[];
  /** Whether the selector picks a pod (domain pod); hostNetwork pods and the like follow the engine's rules. */
  picksPod: (pod: SimPod) => boolean;
}

/**
 * Where more selectors come from. AdminNetworkPolicy subjects and peers, Cilium's endpointSelector
 * and Gateway API's allowedRoutes namespace selectors plug in here as one source each once the
 * engine models them (SELECTOR_SOURCES seam); definition, references, rename and the view then
 * follow them with no other change.
 */
export type SelectorSource = (a: Analysis, index: WorkspaceIndex) => SelectorSite[];

export const SELECTOR_SOURCES: SelectorSource[] = [serviceSelectors, workloadSelectors, policySelectors, adminSelectors];

const WORKLOAD_SELECTOR: Readonly<Record<string, { path: FieldPath; form: 'map' | 'labelSelector' }>> = {
  Deployment: { path: ['spec', 'selector'], form: 'labelSelector' },
  ReplicaSet: { path: ['spec', 'selector'], form: 'labelSelector' },
  StatefulSet: { path: ['spec', 'selector'], form: 'labelSelector' },
  DaemonSet: { path: ['spec', 'selector'], form: 'labelSelector' },
  Job: { path: ['spec', 'selector'], form: 'labelSelector' },
  CronJob: { path: ['spec', 'jobTemplate', 'spec', 'selector'], form: 'labelSelector' },
  ReplicationController: { path: ['spec', 'selector'], form: 'map' },
};

/** The value at a path of a raw object. */
export function rawAt(raw: unknown, path: FieldPath): unknown {
  let v = raw;
  for (const p of path) {
    if (typeof p === 'number') v = Array.isArray(v) ? (v as unknown[])[p] : undefined;
    else v = isRecord(v) ? v[p] : undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** A YAML scalar as the API reads it into a string (labels are strings), or undefined for maps, lists and null. */
export function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : undefined;
}

/** A label selector read from raw YAML the way the API reads it (malformed parts are left out; the engine reports them). */
export function selectorFromRaw(raw: unknown, form: 'map' | 'labelSelector'): LabelSelector {
  const labels = (v: unknown): Record<string, string> => {
    const out: Record<string, string> = {};
    if (isRecord(v))
      for (const [k, x] of Object.entries(v)) {
        const text = scalarText(x);
        if (text !== undefined) out[k] = text;
      }
    return out;
  };
  if (form === 'map') return { matchLabels: labels(raw), matchExpressions: [] };
  const exprs: LabelSelector['matchExpressions'] = [];
  const list = isRecord(raw) ? raw['matchExpressions'] : undefined;
  if (Array.isArray(list))
    for (const e of list) {
      if (!isRecord(e) || typeof e['key'] !== 'string') continue;
      const op = e['operator'];
      if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') continue;
      const values = Array.isArray(e['values']) ? e['values'].flatMap((x) => scalarText(x) ?? []) : [];
      exprs.push({ key: e['key'], operator: op, values });
    }
  return { matchLabels: labels(isRecord(raw) ? raw['matchLabels'] : undefined), matchExpressions: exprs };
}

function serviceSelectors(a: Analysis, _index: WorkspaceIndex): SelectorSite[] {
  const out: SelectorSite[] = [];
  for (const svc of a.cluster.services) {
    if (svc.origin.kind !== 'manifest' || svc.selector === null) continue;
    const selector = { matchLabels: svc.selector, matchExpressions: [] };
    const ns = svc.namespace;
    out.push({
      at: { object: svc.origin.object, path: ['spec', 'selector'] },
      form: 'map',
      domain: 'pod',
      selector,
      owner: `Service ${serviceId(svc)} selector`,
      scope: () => [ns],
      picksPod: (p) => p.namespace === ns && mapMatches(selector.matchLabels, p.labels),
    });
  }
  return out;
}

function workloadSelectors(_a: Analysis, index: WorkspaceIndex): SelectorSite[] {
  const out: SelectorSite[] = [];
  for (const w of index.workloads()) {
    const spec = WORKLOAD_SELECTOR[w.kind];
    if (!spec) continue;
    const raw = rawAt(w.object.raw, spec.path);
    if (raw === undefined || raw === null) continue;
    const selector = selectorFromRaw(raw, spec.form);
    const ns = w.namespace;
    out.push({
      at: { object: w.object, path: spec.path },
      form: spec.form,
      domain: 'pod',
      selector,
      owner: `${w.kind} ${ns}/${w.name} selector`,
      scope: () => [ns],
      picksPod: (p) => p.namespace === ns && selectorMatches(selector, p.labels),
    });
  }
  return out;
}

function policySelectors(a: Analysis, index: WorkspaceIndex): SelectorSite[] {
  const out: SelectorSite[] = [];
  const engine = a.policies;
  for (const policy of engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    const object = policy.origin.object;
    const name = `NetworkPolicy ${policy.namespace}/${policy.name}`;
    out.push({
      at: { object, path: ['spec', 'podSelector'] },
      form: 'labelSelector',
      domain: 'pod',
      selector: policy.podSelector,
      owner: `${name} podSelector`,
      scope: () => [policy.namespace],
      picksPod: (p) => engine.selects(policy, p),
    });
    for (const direction of ['ingress', 'egress'] as const)
      for (const rule of policy.rules[direction])
        for (const peer of rule.peers ?? []) {
          if (peer.kind !== 'selector') continue;
          const where = `${direction}[${rule.index}].${direction === 'ingress' ? 'from' : 'to'}[${peer.index}]`;
          const nsSel = peer.namespaceSelector;
          const namespaces = () => (nsSel ? index.namespacesMatching(nsSel).map((n) => n.name) : [policy.namespace]);
          if (peer.podSelector) {
            const podSel = peer.podSelector;
            out.push({
              at: { object, path: [...peer.path, 'podSelector'] },
              form: 'labelSelector',
              domain: 'pod',
              selector: podSel,
              owner: `${name} ${where}.podSelector`,
              scope: namespaces,
              picksPod: (p) => engine.selectable(p) && namespaces().includes(p.namespace) && selectorMatches(podSel, p.labels),
            });
          }
          if (nsSel)
            out.push({
              at: { object, path: [...peer.path, 'namespaceSelector'] },
              form: 'labelSelector',
              domain: 'namespace',
              selector: nsSel,
              owner: `${name} ${where}.namespaceSelector`,
              scope: () => [],
              picksPod: () => false,
            });
        }
  }
  return out;
}

/**
 * The subjects and pod peers of AdminNetworkPolicy, BaselineAdminNetworkPolicy and
 * ClusterNetworkPolicy: `namespaces` picks Namespaces, `pods` a namespaceSelector and the
 * podSelector of pods in the Namespaces it picks. Read from the object as written, for the
 * policies the engine accepted.
 */
function adminSelectors(a: Analysis, index: WorkspaceIndex): SelectorSite[] {
  const out: SelectorSite[] = [];
  for (const policy of a.policies.adminPolicies) {
    if (policy.origin.kind !== 'manifest') continue;
    const object = policy.origin.object;
    const name = `${policy.kind} ${policy.name}`;
    const selection = (path: FieldPath, owner: string) => {
      const raw = rawAt(object.raw, path);
      if (!isRecord(raw)) return;
      if (isRecord(raw['namespaces']))
        out.push(
          namespaceSite(object, [...path, 'namespaces'], selectorFromRaw(raw['namespaces'], 'labelSelector'), `${owner}.namespaces`),
        );
      const pods = raw['pods'];
      if (!isRecord(pods)) return;
      const nsSel = selectorFromRaw(isRecord(pods['namespaceSelector']) ? pods['namespaceSelector'] : {}, 'labelSelector');
      if (isRecord(pods['namespaceSelector']))
        out.push(namespaceSite(object, [...path, 'pods', 'namespaceSelector'], nsSel, `${owner}.pods.namespaceSelector`));
      if (!isRecord(pods['podSelector'])) return;
      const podSel = selectorFromRaw(pods['podSelector'], 'labelSelector');
      const namespaces = () => index.namespacesMatching(nsSel).map((n) => n.name);
      out.push({
        at: { object, path: [...path, 'pods', 'podSelector'] },
        form: 'labelSelector',
        domain: 'pod',
        selector: podSel,
        owner: `${owner}.pods.podSelector`,
        scope: namespaces,
        picksPod: (p) => a.policies.selectable(p) && namespaces().includes(p.namespace) && selectorMatches(podSel, p.labels),
      });
    };
    selection(['spec', 'subject'], `${name} subject`);
    for (const direction of ['ingress', 'egress'] as const)
      for (const rule of policy.rules[direction])
        for (const peer of rule.peers)
          if (peer.kind === 'pods') selection(peer.path, `${name} ${direction}[${rule.index}] peer ${peer.index}`);
  }
  return out;
}

function namespaceSite(object: ManifestObject, path: FieldPath, selector: LabelSelector, owner: string): SelectorSite {
  return { at: { object, path }, form: 'labelSelector', domain: 'namespace', selector, owner, scope: () => [], picksPod: () => false };
}

/** The workspace as navigation sees it, for one analysis (see indexOf). */
export class WorkspaceIndex {
  private workloadList: Workload[] | undefined;
  private readonly byObject = new Map<ManifestObject, Workload>();
  private podsByNs: Map<string, SimPod[]> | undefined;
  private sites: SelectorSite[] | undefined;
  private readonly nsBySelector = new Map<string, SimNamespace[]>();

  constructor(readonly analysis: Analysis) {}

  /** Every workload (and bare Pod) of the manifests, with its pods, in input order. */
  workloads(): Workload[] {
    if (this.workloadList) return this.workloadList;
    const list: Workload[] = [];
    for (const pod of this.analysis.cluster.pods) {
      if (pod.origin.kind !== 'manifest') continue;
      const object = pod.origin.object;
      let w = this.byObject.get(object);
      if (!w) {
        const template = TEMPLATE_PATH[object.kind] ?? [...pod.specPath.slice(0, -1)];
        w = {
          key: `workload:${pod.namespace}/${object.kind}/${object.name}`,
          object,
          kind: object.kind,
          namespace: pod.namespace,
          name: object.name,
          pods: [],
          labels: pod.labels,
          labelsPath: [...template, 'metadata', 'labels'],
        };
        this.byObject.set(object, w);
        list.push(w);
      }
      w.pods.push(pod);
    }
    this.workloadList = list;
    return list;
  }

  /** The workload a pod belongs to (undefined for the simulator's own pods). */
  workloadOf(pod: SimPod): Workload | undefined {
    this.workloads();
    return pod.origin.kind === 'manifest' ? this.byObject.get(pod.origin.object) : undefined;
  }

  /** Every pod of a namespace, the simulator's own included (selectors see them too). */
  podsIn(namespace: string): SimPod[] {
    if (!this.podsByNs) {
      this.podsByNs = new Map();
      for (const p of this.analysis.cluster.pods) {
        const list = this.podsByNs.get(p.namespace);
        if (list) list.push(p);
        else this.podsByNs.set(p.namespace, [p]);
      }
    }
    return this.podsByNs.get(namespace) ?? [];
  }

  namespaces(): SimNamespace[] {
    return [...this.analysis.cluster.namespaces.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  namespacesMatching(s: LabelSelector): SimNamespace[] {
    const key = JSON.stringify(s);
    let list = this.nsBySelector.get(key);
    if (!list) {
      list = this.namespaces().filter((n) => selectorMatches(s, n.labels));
      this.nsBySelector.set(key, list);
    }
    return list;
  }

  /** Every selector of the workspace, from every SELECTOR_SOURCES entry. */
  selectorSites(): SelectorSite[] {
    this.sites ??= SELECTOR_SOURCES.flatMap((source) => source(this.analysis, this));
    return this.sites;
  }

  /** The pods a pod selector picks, in input order. */
  podsPicked(site: SelectorSite): SimPod[] {
    if (site.domain !== 'pod') return [];
    return site.scope().flatMap((ns) => this.podsIn(ns).filter((p) => site.picksPod(p)));
  }

  /** The Namespaces a namespace selector picks. */
  namespacesPicked(site: SelectorSite): SimNamespace[] {
    return site.domain === 'namespace' ? this.namespacesMatching(site.selector) : [];
  }

  /** The workloads whose pods a pod selector picks (each once). */
  workloadsPicked(site: SelectorSite): Workload[] {
    const out = new Set<Workload>();
    for (const p of this.podsPicked(site)) {
      const w = this.workloadOf(p);
      if (w) out.add(w);
    }
    return [...out];
  }
}

const indexes = new WeakMap<Analysis, WorkspaceIndex>();

/** The navigation index of an analysis, built on first use and kept as long as the analysis. */
export function indexOf(a: Analysis): WorkspaceIndex {
  let index = indexes.get(a);
  if (!index) {
    index = new WorkspaceIndex(a);
    indexes.set(a, index);
  }
  return index;
}

export function serviceDecl(svc: SimService): Decl | undefined {
  if (svc.origin.kind !== 'manifest') return undefined;
  return {
    key: `service:${serviceId(svc)}`,
    kind: 'Service',
    label: `Service ${serviceId(svc)}`,
    at: { object: svc.origin.object, path: ['metadata', 'name'] },
  };
}

export function servicePortDecl(svc: SimService, i: number): Decl | undefined {
  const p = svc.ports[i];
  if (svc.origin.kind !== 'manifest' || !p) return undefined;
  return {
    key: `serviceport:${serviceId(svc)}:${i}`,
    kind: 'ServicePort',
    label: `port ${p.name ? `${p.name} (${p.port})` : p.port} of Service ${serviceId(svc)}`,
    at: { object: svc.origin.object, path: p.path },
  };
}

export function workloadDecl(w: Workload): Decl {
  return {
    key: w.key,
    kind: 'Workload',
    label: `${w.kind} ${w.namespace}/${w.name}`,
    at: { object: w.object, path: ['metadata', 'name'] },
  };
}

export function namespaceDecl(ns: SimNamespace): Decl | undefined {
  if (ns.origin.kind !== 'manifest') return undefined;
  return {
    key: `namespace:${ns.name}`,
    kind: 'Namespace',
    label: `Namespace ${ns.name}`,
    at: { object: ns.origin.object, path: ['metadata', 'name'] },
  };
}

export function ingressClassDecl(o: ManifestObject): Decl {
  return {
    key: `ingressclass:${o.name}`,
    kind: 'IngressClass',
    label: `IngressClass ${o.name}`,
    at: { object: o, path: ['metadata', 'name'] },
  };
}

/** The containerPorts of a workload's pods named `name` (or numbered `number`), one declaration each. */
export function containerPortDecls(w: Workload, match: { name?: string; number?: number; protocol?: string }): Decl[] {
  const pod = w.pods[0];
  if (!pod) return [];
  const out: Decl[] = [];
  for (const c of pod.containers)
    for (const p of c.ports) {
      if (match.name !== undefined && p.name !== match.name) continue;
      if (match.number !== undefined && p.containerPort !== match.number) continue;
      if (match.protocol !== undefined && p.protocol !== match.protocol) continue;
      out.push({
        key: `containerport:${w.key}:${c.name}:${p.name ?? p.containerPort}/${p.protocol}`,
        kind: 'ContainerPort',
        label: `containerPort ${p.name ? `${p.name} (${p.containerPort}/${p.protocol})` : `${p.containerPort}/${p.protocol}`} of ${w.kind} ${w.namespace}/${w.name}`,
        at: { object: w.object, path: [...p.path, 'containerPort'] },
      });
    }
  return out;
}
