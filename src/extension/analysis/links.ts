// Runs in the analysis worker (no vscode here): every place in the manifests that leads somewhere in
// the simulated cluster (a host to the Service it resolves to, a backend to its Service, a named
// port to the containerPort, a selector to the workloads or Namespaces it picks). Go to Definition
// follows a link forwards, Find All References backwards. Links are found once per analysis and
// located only when an answer needs their ranges.
import { serviceId, type Analysis, type ManifestObject, type SimPod, type SimService } from '../../engine';
import {
  containerPortDecls,
  indexOf,
  ingressClassDecl,
  namespaceDecl,
  rawAt,
  serviceDecl,
  servicePortDecl,
  workloadDecl,
  type Decl,
  type Place,
  type Workload,
  type WorkspaceIndex,
} from './declarations';

export type LinkKind = 'host' | 'hostPort' | 'backend' | 'backendPort' | 'ingressClass' | 'targetPort' | 'policyPort' | 'selector';

/** A label entry of a selector: its value's place and its key (whose range is found beside the value). */
export interface EntryPlace extends Place {
  key: string;
}

export interface Link {
  kind: LinkKind;
  /** Where the link is written. */
  from: Place;
  /** The part of the scalar at `from` that links (the host inside a URL). */
  sub?: { value: string; index: number; length: number };
  /** More places leading to the same targets: a selector's label entries. */
  entries?: EntryPlace[];
  targets: Decl[];
}

/**
 * Where links come from. Gateway API plugs in here once src/engine/gateway/ models it (GATEWAY
 * seam): a route's parentRefs lead to the Gateway listener they attach to (sectionName/port), its
 * backendRefs to the Service (kind `backend`/`backendPort`, as Ingress backends do), and
 * `gatewayClassName` to the GatewayClass (kind `ingressClass`'s twin). AdminNetworkPolicy subjects
 * and peers are selectors and come through SELECTOR_SOURCES in declarations.ts.
 */
export type LinkSource = (a: Analysis, index: WorkspaceIndex) => Link[];

export const LINK_SOURCES: LinkSource[] = [hostLinks, ingressLinks, targetPortLinks, policyPortLinks, selectorLinks];

const allLinks = new WeakMap<Analysis, Link[]>();

/** Every link of the workspace (found on first use per analysis). */
export function linksOf(a: Analysis): Link[] {
  let links = allLinks.get(a);
  if (!links) {
    const index = indexOf(a);
    links = LINK_SOURCES.flatMap((source) => source(a, index)).filter((l) => l.targets.length > 0);
    allLinks.set(a, links);
  }
  return links;
}

function fqdnOf(a: Analysis, svc: SimService): string {
  return `${svc.name}.${svc.namespace}.svc.${a.cluster.settings.clusterDomain}`.toLowerCase();
}

/** A host leads to the Service it resolves to from the pod that uses it, or to the pod a headless Service's per-pod name names. */
function hostLinks(a: Analysis, index: WorkspaceIndex): Link[] {
  const out: Link[] = [];
  const pods = new Map<string, SimPod>(a.cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  for (const r of a.references) {
    if (r.text.origin.kind !== 'manifest' || r.dns.answers.length === 0) continue;
    const from = { object: r.text.origin.object, path: r.text.path };
    const sub = { value: r.text.value, index: r.ref.index, length: r.ref.host.length };
    const svc = r.service;
    const resolved = (r.dns.resolvedName ?? '').toLowerCase().replace(/\.$/, '');
    const podIds = [...new Set(r.dns.answers.map((x) => x.pod).filter((p): p is string => p !== undefined))];
    // `postgres-0.postgres` names one pod of a headless Service, not the Service.
    const onePod = svc && resolved !== fqdnOf(a, svc) && podIds.length === 1 ? pods.get(podIds[0] as string) : undefined;
    const workload = onePod ? index.workloadOf(onePod) : undefined;
    const target = workload ? workloadDecl(workload) : svc ? serviceDecl(svc) : undefined;
    if (!target) continue;
    out.push({ kind: 'host', from, sub, targets: [target] });
    // The port after the host leads to the Service's port.
    if (svc && r.ref.explicitPort && r.ref.port !== undefined) {
      const at = r.ref.index + r.ref.host.length;
      const text = `:${r.ref.port}`;
      const i = svc.ports.findIndex((p) => p.port === r.ref.port);
      const port = i >= 0 ? servicePortDecl(svc, i) : undefined;
      if (port && r.text.value.slice(at, at + text.length) === text)
        out.push({ kind: 'hostPort', from, sub: { value: r.text.value, index: at + 1, length: text.length - 1 }, targets: [port] });
    }
  }
  return out;
}

/** Ingress backends lead to their Service and its port; ingressClassName to the IngressClass. */
function ingressLinks(a: Analysis): Link[] {
  const out: Link[] = [];
  const classes = new Map<string, ManifestObject>();
  for (const o of a.cluster.objects) if (o.kind === 'IngressClass' && !classes.has(o.name)) classes.set(o.name, o);
  for (const ing of a.ingress.ingresses) {
    if (ing.origin.kind !== 'manifest') continue;
    const object = ing.origin.object;
    const className = rawAt(object.raw, ['spec', 'ingressClassName']);
    const cls = typeof className === 'string' ? classes.get(className) : undefined;
    if (cls) out.push({ kind: 'ingressClass', from: { object, path: ['spec', 'ingressClassName'] }, targets: [ingressClassDecl(cls)] });
    const backends = [...ing.rules.flatMap((r) => r.paths.map((p) => p.backend)), ...(ing.defaultBackend ? [ing.defaultBackend] : [])];
    for (const b of backends) {
      const ref = b.service;
      if (!ref) continue;
      const svc = a.cluster.services.find((s) => s.namespace === ing.namespace && s.name === ref.name);
      const decl = svc && serviceDecl(svc);
      if (!svc || !decl) continue;
      out.push({ kind: 'backend', from: { object, path: b.namePath }, targets: [decl] });
      const i = svc.ports.findIndex((p) => (typeof ref.port === 'number' ? p.port === ref.port : p.name === ref.port));
      const port = i >= 0 ? servicePortDecl(svc, i) : undefined;
      if (port) out.push({ kind: 'backendPort', from: { object, path: b.portPath }, targets: [port] });
    }
  }
  return out;
}

/** The workloads behind a Service, as its selector picks them. */
function serviceWorkloads(index: WorkspaceIndex, svc: SimService): Workload[] {
  const site = index.selectorSites().find((s) => s.at.object === (svc.origin.kind === 'manifest' ? svc.origin.object : undefined));
  return site ? index.workloadsPicked(site) : [];
}

/** A Service's targetPort leads to the containerPort it names (or numbers) in each workload the Service selects. */
function targetPortLinks(a: Analysis, index: WorkspaceIndex): Link[] {
  const out: Link[] = [];
  for (const svc of a.cluster.services) {
    if (svc.origin.kind !== 'manifest' || svc.selector === null) continue;
    const workloads = serviceWorkloads(index, svc);
    const object = svc.origin.object;
    for (const p of svc.ports) {
      const match = typeof p.targetPort === 'string' ? { name: p.targetPort } : { number: p.targetPort };
      const targets = workloads.flatMap((w) => containerPortDecls(w, { ...match, protocol: p.protocol }));
      if (object.has([...p.path, 'targetPort']))
        out.push({ kind: 'targetPort', from: { object, path: [...p.path, 'targetPort'] }, targets });
    }
  }
  return out;
}

/** A NetworkPolicy port given by name leads to that containerPort of the destination pods (after DNAT, as policy sees it). */
function policyPortLinks(a: Analysis, index: WorkspaceIndex): Link[] {
  const out: Link[] = [];
  const engine = a.policies;
  const sites = index.selectorSites();
  for (const policy of engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    const object = policy.origin.object;
    const own = sites.find((s) => s.at.object === object && s.at.path.join('.') === 'spec.podSelector');
    for (const direction of ['ingress', 'egress'] as const)
      for (const rule of policy.rules[direction]) {
        const named = (rule.ports ?? []).filter((p) => typeof p.port === 'string');
        if (named.length === 0) continue;
        // Ingress: the pods the policy selects receive. Egress: the pods its peers select.
        let workloads: Workload[];
        if (direction === 'ingress') workloads = own ? index.workloadsPicked(own) : [];
        else {
          const peerSites = sites.filter(
            (s) => s.at.object === object && s.domain === 'pod' && s.at.path.slice(0, rule.path.length).join('.') === rule.path.join('.'),
          );
          workloads = [...new Set(peerSites.flatMap((s) => index.workloadsPicked(s)))];
        }
        for (const p of named) {
          const targets = workloads.flatMap((w) => containerPortDecls(w, { name: p.port as string, protocol: p.protocol }));
          out.push({ kind: 'policyPort', from: { object, path: [...p.path, 'port'] }, targets });
        }
      }
  }
  return out;
}

/** The label entries of a selector: the places of its values, with their keys. */
export function selectorEntries(object: ManifestObject, path: ReadonlyArray<string | number>, form: 'map' | 'labelSelector'): EntryPlace[] {
  const raw = rawAt(object.raw, path);
  const out: EntryPlace[] = [];
  const labels = form === 'map' ? raw : rawAt(raw, ['matchLabels']);
  const base = form === 'map' ? path : [...path, 'matchLabels'];
  if (labels && typeof labels === 'object' && !Array.isArray(labels))
    for (const key of Object.keys(labels)) out.push({ object, path: [...base, key], key });
  const exprs = form === 'labelSelector' ? rawAt(raw, ['matchExpressions']) : undefined;
  if (Array.isArray(exprs))
    exprs.forEach((e, i) => {
      const key = rawAt(e, ['key']);
      if (typeof key !== 'string') return;
      out.push({ object, path: [...path, 'matchExpressions', i, 'key'], key });
      const values = rawAt(e, ['values']);
      if (Array.isArray(values)) values.forEach((_, j) => out.push({ object, path: [...path, 'matchExpressions', i, 'values', j], key }));
    });
  return out;
}

/** A selector leads to the workloads whose pods it picks, or to the Namespaces it picks. */
function selectorLinks(_a: Analysis, index: WorkspaceIndex): Link[] {
  return index.selectorSites().map((site) => ({
    kind: 'selector' as const,
    from: site.at,
    entries: selectorEntries(site.at.object, site.at.path, site.form),
    targets:
      site.domain === 'pod'
        ? index.workloadsPicked(site).map(workloadDecl)
        : index.namespacesPicked(site).flatMap((n) => namespaceDecl(n) ?? []),
  }));
}

/** `Service shop/backend` for a link's target, as a reference's title says it. */
export function describeTargets(l: Link): string {
  return l.targets.map((t) => t.label).join(', ');
}

export { serviceId };
