import { isRecord } from '../manifests/fields';
import type { FieldPath, SourceRange } from '../source';
import { kindOf, metadata, nameOf, namespaceOfResource, type KResource } from './object';
import { CLUSTER_SCOPED, TEMPLATE_PATH } from '../manifests/kinds';

/** `[]` in a field spec means "every item of this list". */
type Spec = { path: Array<string>; create: boolean };

const WORKLOAD_SELECTOR: Spec[] = [
  { path: ['spec', 'selector', 'matchLabels'], create: true },
  { path: ['spec', 'template', 'metadata', 'labels'], create: true },
];

/** Where kustomize's commonLabels (and labels with includeSelectors) go, by kind: its built-in field specs. */
const SELECTOR_SPECS: Record<string, Spec[]> = {
  Service: [{ path: ['spec', 'selector'], create: true }],
  ReplicationController: [
    { path: ['spec', 'selector'], create: true },
    { path: ['spec', 'template', 'metadata', 'labels'], create: true },
  ],
  Deployment: WORKLOAD_SELECTOR,
  ReplicaSet: WORKLOAD_SELECTOR,
  DaemonSet: WORKLOAD_SELECTOR,
  StatefulSet: WORKLOAD_SELECTOR,
  Job: [
    { path: ['spec', 'selector', 'matchLabels'], create: false },
    { path: ['spec', 'template', 'metadata', 'labels'], create: true },
  ],
  CronJob: [
    { path: ['spec', 'jobTemplate', 'spec', 'selector', 'matchLabels'], create: false },
    { path: ['spec', 'jobTemplate', 'metadata', 'labels'], create: true },
    { path: ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'], create: true },
  ],
  PodDisruptionBudget: [{ path: ['spec', 'selector', 'matchLabels'], create: false }],
  NetworkPolicy: [
    { path: ['spec', 'podSelector', 'matchLabels'], create: false },
    { path: ['spec', 'ingress', '[]', 'from', '[]', 'podSelector', 'matchLabels'], create: false },
    { path: ['spec', 'egress', '[]', 'to', '[]', 'podSelector', 'matchLabels'], create: false },
  ],
};

/** Each map the spec reaches in `raw` (created where `create` allows), with its concrete path. */
function reach(raw: Record<string, unknown>, spec: Spec): Array<{ map: Record<string, unknown>; path: FieldPath }> {
  const out: Array<{ map: Record<string, unknown>; path: FieldPath }> = [];
  const walk = (node: Record<string, unknown>, i: number, path: FieldPath): void => {
    const seg = spec.path[i];
    if (seg === undefined) return;
    const next = spec.path[i + 1];
    if (next === '[]') {
      const list = node[seg];
      if (Array.isArray(list))
        list.forEach(
          (item, k) =>
            isRecord(item) &&
            (spec.path[i + 2] === undefined ? out.push({ map: item, path: [...path, seg, k] }) : walk(item, i + 2, [...path, seg, k])),
        );
      return;
    }
    let child = node[seg];
    if (!isRecord(child)) {
      // create: true makes the missing maps on the way, as kustomize does (a selectorless Service gets a selector).
      if (!spec.create || (child !== undefined && child !== null)) return;
      child = {};
      node[seg] = child;
    }
    if (next === undefined) out.push({ map: child as Record<string, unknown>, path: [...path, seg] });
    else walk(child as Record<string, unknown>, i + 1, [...path, seg]);
  };
  walk(raw, 0, []);
  return out;
}

export type At = (path: FieldPath) => SourceRange;

/** Adds labels to metadata, and to selectors and pod templates as asked (commonLabels, labels[].includeSelectors/includeTemplates). */
export function addLabels(
  resources: KResource[],
  pairs: Record<string, string>,
  where: { selectors: boolean; templates: boolean },
  at: (key: string) => SourceRange,
): void {
  for (const r of resources) {
    const specs: Spec[] = [{ path: ['metadata', 'labels'], create: true }];
    const kind = kindOf(r);
    if (where.selectors) specs.push(...(SELECTOR_SPECS[kind] ?? []));
    else if (where.templates)
      specs.push(...(SELECTOR_SPECS[kind] ?? []).filter((s) => s.path.includes('template') && s.path[s.path.length - 2] === 'metadata'));
    for (const spec of specs) {
      for (const { map, path } of reach(r.raw, spec)) {
        for (const [k, v] of Object.entries(pairs)) {
          map[k] = v;
          r.overrides.push({ prefix: [...path, k], locate: () => at(k) });
        }
      }
    }
  }
}

export function addAnnotations(resources: KResource[], pairs: Record<string, string>, at: (key: string) => SourceRange): void {
  for (const r of resources) {
    const tpl = TEMPLATE_PATH[kindOf(r)];
    const specs: Spec[] = [{ path: ['metadata', 'annotations'], create: true }];
    if (tpl && tpl.length > 0) specs.push({ path: [...tpl, 'metadata', 'annotations'], create: true });
    for (const spec of specs)
      for (const { map, path } of reach(r.raw, spec))
        for (const [k, v] of Object.entries(pairs)) {
          map[k] = v;
          r.overrides.push({ prefix: [...path, k], locate: () => at(k) });
        }
  }
}

/** `namespace:` sets every namespaced object's namespace, and renames Namespace objects, as kustomize does. */
export function setNamespace(resources: KResource[], ns: string, at: SourceRange): void {
  for (const r of resources) {
    const kind = kindOf(r);
    if (kind === 'Namespace') {
      metadata(r)['name'] = ns;
      r.overrides.push({ prefix: ['metadata', 'name'], locate: () => at });
    } else if (!CLUSTER_SCOPED.has(kind)) {
      metadata(r)['namespace'] = ns;
      r.overrides.push({ prefix: ['metadata', 'namespace'], locate: () => at });
    }
  }
}

/** Renames by namePrefix/nameSuffix; returns what was renamed (kind|namespace|old → new) for the reference fix-up. */
export function rename(resources: KResource[], prefix: string, suffix: string): Map<string, string> {
  const renamed = new Map<string, string>();
  for (const r of resources) {
    const kind = kindOf(r);
    if (kind === 'Namespace' || kind === 'CustomResourceDefinition') continue;
    const old = nameOf(r);
    const now = `${prefix}${old}${suffix}`;
    metadata(r)['name'] = now;
    renamed.set(refKey(kind, namespaceOfResource(r), old), now);
  }
  return renamed;
}

function refKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}|${CLUSTER_SCOPED.has(kind) ? '' : (namespace ?? '')}|${name}`;
}

/** Kinds whose references to renamed objects kube-netsim does not rewrite (kustomize would). */
const UNREWRITTEN: Record<string, string> = {
  RoleBinding: 'roleRef and subjects',
  ClusterRoleBinding: 'roleRef and subjects',
  HorizontalPodAutoscaler: 'scaleTargetRef',
  VerticalPodAutoscaler: 'targetRef',
  APIService: 'spec.service',
  ValidatingWebhookConfiguration: 'webhooks[].clientConfig.service',
  MutatingWebhookConfiguration: 'webhooks[].clientConfig.service',
};

/**
 * Rewrites references to renamed objects where the network simulation reads them (Services of
 * Ingress backends and StatefulSets, IngressClasses, and the ConfigMaps, Secrets, ServiceAccounts
 * and claims a pod template names). Returns the kinds (with fields) it left alone.
 */
export function fixReferences(resources: KResource[], renamed: Map<string, string>): string[] {
  const skipped = new Set<string>();
  if (renamed.size === 0) return [];
  for (const r of resources) {
    const kind = kindOf(r);
    const ns = namespaceOfResource(r);
    const fix = (holder: unknown, key: string, refKind: string) => {
      if (!isRecord(holder) || typeof holder[key] !== 'string') return;
      const to = renamed.get(refKey(refKind, ns, holder[key]));
      if (to !== undefined) holder[key] = to;
    };
    const get = (v: unknown, ...path: Array<string | number>): unknown =>
      path.reduce<unknown>((x, p) => (isRecord(x) ? x[p as string] : Array.isArray(x) ? x[p as number] : undefined), v);
    const each = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    if (kind === 'Ingress') {
      const spec = get(r.raw, 'spec');
      fix(get(spec, 'defaultBackend', 'service'), 'name', 'Service');
      fix(get(spec, 'backend'), 'serviceName', 'Service');
      fix(spec, 'ingressClassName', 'IngressClass');
      for (const rule of each(get(spec, 'rules')))
        for (const p of each(get(rule, 'http', 'paths'))) {
          fix(get(p, 'backend', 'service'), 'name', 'Service');
          fix(get(p, 'backend'), 'serviceName', 'Service');
        }
      for (const tls of each(get(spec, 'tls'))) fix(tls, 'secretName', 'Secret');
    }
    if (kind === 'StatefulSet') fix(get(r.raw, 'spec'), 'serviceName', 'Service');
    const tpl = TEMPLATE_PATH[kind];
    if (tpl) {
      const spec = get(r.raw, ...tpl, 'spec');
      fix(spec, 'serviceAccountName', 'ServiceAccount');
      for (const s of each(get(spec, 'imagePullSecrets'))) fix(s, 'name', 'Secret');
      for (const c of [...each(get(spec, 'containers')), ...each(get(spec, 'initContainers'))]) {
        for (const e of each(get(c, 'env'))) {
          fix(get(e, 'valueFrom', 'configMapKeyRef'), 'name', 'ConfigMap');
          fix(get(e, 'valueFrom', 'secretKeyRef'), 'name', 'Secret');
        }
        for (const e of each(get(c, 'envFrom'))) {
          fix(get(e, 'configMapRef'), 'name', 'ConfigMap');
          fix(get(e, 'secretRef'), 'name', 'Secret');
        }
      }
      for (const v of each(get(spec, 'volumes'))) {
        fix(get(v, 'configMap'), 'name', 'ConfigMap');
        fix(get(v, 'secret'), 'secretName', 'Secret');
        fix(get(v, 'persistentVolumeClaim'), 'claimName', 'PersistentVolumeClaim');
        for (const src of each(get(v, 'projected', 'sources'))) {
          fix(get(src, 'configMap'), 'name', 'ConfigMap');
          fix(get(src, 'secret'), 'name', 'Secret');
        }
      }
    }
    const unrewritten = UNREWRITTEN[kind];
    if (unrewritten) skipped.add(`${kind} (${unrewritten})`);
  }
  return [...skipped].sort();
}

/** `images:` — newName, newTag and digest for containers whose image name matches. */
export function setImages(
  resources: KResource[],
  images: Array<{ name: string; newName?: string; newTag?: string; digest?: string; at: SourceRange }>,
): void {
  for (const r of resources) {
    const tpl = TEMPLATE_PATH[kindOf(r)];
    if (!tpl) continue;
    const spec = tpl.reduce<unknown>((x, p) => (isRecord(x) ? x[p] : undefined), r.raw);
    const podSpec = isRecord(spec) ? spec['spec'] : undefined;
    if (!isRecord(podSpec)) continue;
    for (const list of ['containers', 'initContainers']) {
      const containers = podSpec[list];
      if (!Array.isArray(containers)) continue;
      containers.forEach((c, i) => {
        if (!isRecord(c) || typeof c['image'] !== 'string') return;
        const m = /^(.*?)(?::([^:/@]+))?(?:@(.+))?$/.exec(c['image']);
        const name = m?.[1] ?? c['image'];
        const rule = images.find((x) => x.name === name);
        if (!rule) return;
        let image = rule.newName ?? name;
        if (rule.digest) image += `@${rule.digest}`;
        else if (rule.newTag) image += `:${rule.newTag}`;
        else if (m?.[3]) image += `@${m[3]}`;
        else if (m?.[2]) image += `:${m[2]}`;
        c['image'] = image;
        r.overrides.push({ prefix: [...tpl, 'spec', list, i, 'image'], locate: () => rule.at });
      });
    }
  }
}

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

/** `replicas:` — sets spec.replicas of the named workloads; returns the names that matched nothing. */
export function setReplicas(resources: KResource[], entries: Array<{ name: string; count: number; at: SourceRange }>): string[] {
  const unmatched: string[] = [];
  for (const e of entries) {
    const targets = resources.filter((r) => SCALABLE.has(kindOf(r)) && (nameOf(r) === e.name || r.originalName === e.name));
    if (targets.length === 0) unmatched.push(e.name);
    for (const r of targets) {
      if (!isRecord(r.raw['spec'])) r.raw['spec'] = {};
      (r.raw['spec'] as Record<string, unknown>)['replicas'] = e.count;
      r.overrides.push({ prefix: ['spec', 'replicas'], locate: () => e.at });
    }
  }
  return unmatched;
}
