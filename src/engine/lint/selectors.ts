// Selectors that match nothing: a namespaceSelector on a label no namespace carries (the classic
// `name: kube-system`, where only kubernetes.io/metadata.name exists), and any selector (policy,
// peer, Service, workload) one typo away from matching (selector-near-miss, with the label named).
import { makeDiagnostic, withFix, type Diagnostic, type Fix, editDistance } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { type LabelSelector, type Labels } from '../cluster/labels';
import { NAMESPACE_NAME_LABEL } from '../cluster/build';
import { mapMatches } from '../cluster/labels';
import { isRecord } from '../manifests/fields';
import type { SimPod } from '../cluster/model';
import type { Direction, PolicyPeer, PolicyRule, SimNetworkPolicy } from '../policy/engine';
import type { FieldPath } from '../source';
import { changedPair, engineAfter, beforeAfter } from './afterFix';
import type { LintContext } from './context';
import { yamlScalar } from './yamlEdit';
import { type ManifestObject } from '../manifests/types';

/** Whether `a` is one typo away from `b`: one insertion, deletion or substitution, a swap of two neighbours, or case only. */
export function oneTypoAway(a: string, b: string): boolean {
  if (a === b || Math.max(a.length, b.length) < 3 || Math.abs(a.length - b.length) > 1) return false;
  if (a.toLowerCase() === b.toLowerCase()) return true;
  if (a.length === b.length) {
    const diff = [...a].map((c, i) => (c === b[i] ? -1 : i)).filter((i) => i >= 0);
    if (
      diff.length === 2 &&
      diff[1] === (diff[0] as number) + 1 &&
      a[diff[0] as number] === b[diff[1]] &&
      a[diff[1]] === b[diff[0] as number]
    )
      return true;
  }
  return editDistance(a, b) === 1;
}

interface Candidate {
  /** `pod shop/web-1`, `namespace kube-system`, `its pod template`. */
  name: string;
  labels: Labels;
}

export interface NearMiss {
  /** The selector's key at fault. */
  key: string;
  want: string;
  /** The label the candidate has instead: a close value under the same key, or the value under a close key. */
  haveKey: string;
  haveValue: string;
  /** True when the key is the typo, false when the value is. */
  keyTypo: boolean;
  candidate: string;
}

/** The one label that keeps `selector` from matching some candidate, when it is a typo away. */
export function nearMiss(selector: Labels, candidates: readonly Candidate[]): NearMiss | undefined {
  return nearMissOf(
    selector,
    candidates,
    (c) => c.labels,
    (c) => c.name,
  );
}

/**
 * nearMiss over any items, named only when one is the near miss: a peer that matches nothing is
 * compared with every pod its namespaces hold, and naming them all first cost more than the check.
 */
function nearMissOf<T>(selector: Labels, items: readonly T[], labelsOf: (x: T) => Labels, nameOf: (x: T) => string): NearMiss | undefined {
  const keys = Object.keys(selector);
  for (const x of items) {
    const labels = labelsOf(x);
    let misses = 0;
    let key = '';
    for (const k of keys)
      if (labels[k] !== selector[k]) {
        misses++;
        key = k;
      }
    if (misses !== 1) continue;
    const want = selector[key] as string;
    const have = labels[key];
    if (have !== undefined && oneTypoAway(want, have))
      return { key, want, haveKey: key, haveValue: have, keyTypo: false, candidate: nameOf(x) };
    const closeKey = Object.keys(labels).find((k) => !(k in selector) && labels[k] === want && oneTypoAway(key, k));
    if (closeKey) return { key, want, haveKey: closeKey, haveValue: want, keyTypo: true, candidate: nameOf(x) };
  }
  return undefined;
}

/** nearMiss among the workspace's pods (the simulator's own left out), named `pod ns/name`. */
function podNearMiss(selector: Labels, pods: readonly SimPod[]): NearMiss | undefined {
  return nearMissOf(
    selector,
    pods.filter((p) => p.origin.kind === 'manifest'),
    (p) => p.labels,
    (p) => `pod ${p.namespace}/${p.name}`,
  );
}

export function lintSelectors(ctx: LintContext): void {
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    policySelector(ctx, policy);
    for (const direction of ['ingress', 'egress'] as const) {
      for (const rule of policy.rules[direction]) {
        for (const peer of rule.peers ?? [])
          if (peer.kind === 'selector' && !ctx.isClaimed(policy, peer.path)) checkPeer(ctx, policy, direction, rule, peer);
      }
    }
  }
  serviceSelectors(ctx);
  workloadSelectors(ctx);
}

/** The fix for a near miss: the value (or key) replaced by what the candidate has. */
function nearMissFix(ctx: LintContext, object: ManifestObject, labelsPath: FieldPath, miss: NearMiss): Fix | undefined {
  const at = object.locate([...labelsPath, miss.key]);
  if (!miss.keyTypo) return { title: `Use ${miss.key}: ${miss.haveValue}`, edits: [{ range: at, newText: yamlScalar(miss.haveValue) }] };
  const key = ctx.source(object.file)?.keyBefore(at, miss.key);
  return key ? { title: `Use the label key ${miss.haveKey}`, edits: [{ range: key, newText: yamlScalar(miss.haveKey) }] } : undefined;
}

interface NearMissReport {
  object: ManifestObject;
  labelsPath: FieldPath;
  miss: NearMiss;
  what: string;
  objects: 'pod' | 'namespace' | 'pod of its own template';
  namespace: string | undefined;
  resource: string;
  /** For policy edits: which direction and rule, to find a pod pair whose verdict the fix changes. */
  policy?: { policy: SimNetworkPolicy; direction: Direction; rule: PolicyRule | undefined };
  after?: string;
}

function reportNearMiss(ctx: LintContext, r: NearMissReport): void {
  const at = r.object.locate([...r.labelsPath, r.miss.key]);
  const range = r.miss.keyTypo ? (ctx.source(r.object.file)?.keyBefore(at, r.miss.key) ?? at) : at;
  const fix = nearMissFix(ctx, r.object, r.labelsPath, r.miss);
  let example = r.after ?? '';
  let related: Diagnostic['related'];
  if (fix && r.policy) {
    const after = engineAfter(ctx, fix);
    const pair = after ? changedPair(ctx, after, r.policy.policy, r.policy.direction, r.policy.rule) : undefined;
    const change = after && pair ? beforeAfter(ctx, after, pair, range) : undefined;
    if (change) {
      example = change.sentence;
      related = change.related;
    }
  }
  const params = {
    what: r.what,
    objects: r.objects,
    candidate: r.miss.candidate,
    have: `${r.miss.haveKey}=${r.miss.haveValue}`,
    want: `${r.miss.key}=${r.miss.want}`,
    example,
    namespace: r.namespace ?? '',
  };
  ctx.report(withFix(makeDiagnostic('selector-near-miss', range, params, r.resource, related), fix));
}

const policyResource = (p: SimNetworkPolicy) => resourceName({ kind: 'NetworkPolicy', namespace: p.namespace, name: p.name });

function policySelector(ctx: LintContext, policy: SimNetworkPolicy): void {
  if (policy.origin.kind !== 'manifest') return;
  if (ctx.selectedReps(policy).length > 0 || ctx.implicitIn(policy.namespace).some((p) => ctx.engine.selects(policy, p))) return;
  const miss = podNearMiss(policy.podSelector.matchLabels, ctx.repsIn(policy.namespace));
  if (!miss) return;
  const direction: Direction = policy.affects.ingress ? 'ingress' : 'egress';
  reportNearMiss(ctx, {
    object: policy.origin.object,
    labelsPath: ['spec', 'podSelector', 'matchLabels'],
    miss,
    what: `The podSelector of NetworkPolicy ${policy.namespace}/${policy.name}`,
    objects: 'pod',
    namespace: policy.namespace,
    resource: policyResource(policy),
    policy: { policy, direction, rule: policy.rules[direction][0] },
  });
}

function checkPeer(
  ctx: LintContext,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule,
  peer: Extract<PolicyPeer, { kind: 'selector' }>,
): void {
  if (policy.origin.kind !== 'manifest') return;
  const object = policy.origin.object;
  const nsSel = peer.namespaceSelector;
  // The policy's own namespace by name: filtering the sorted list per peer was quadratic (800 namespaces × 100,000 peers).
  const covered = nsSel ? ctx.namespacesMatching(nsSel) : ctx.namespaceNamed(policy.namespace);
  // Made for a report only: most peers match something.
  const base = () => ({ object, namespace: policy.namespace, resource: policyResource(policy), policy: { policy, direction, rule } });
  if (nsSel && covered.length === 0) {
    // Generated and templated policies repeat the same selectors thousands of times: remember the answer.
    const miss = ctx.memo(`near-miss-ns\u0000${JSON.stringify(nsSel.matchLabels)}`, () =>
      nearMiss(
        nsSel.matchLabels,
        ctx.sortedNamespaces().map((n) => ({ name: `namespace ${n.name}`, labels: n.labels })),
      ),
    );
    if (miss)
      return reportNearMiss(ctx, {
        ...base(),
        labelsPath: [...peer.path, 'namespaceSelector', 'matchLabels'],
        miss,
        what: 'This namespaceSelector',
        objects: 'namespace',
      });
    return labelMissing(ctx, policy, direction, rule, peer, nsSel);
  }
  const podSel = peer.podSelector;
  if (!podSel || covered.length === 0) return;
  // One pod per workload, and the simulator's own pods (a peer may mean CoreDNS).
  if (ctx.peerMatchesAny(policy, peer)) return;
  const miss = podNearMiss(
    podSel.matchLabels,
    covered.flatMap((n) => ctx.repsIn(n.name)),
  );
  const where = nsSel ? 'the namespaces its namespaceSelector selects' : `namespace ${policy.namespace}`;
  if (miss)
    reportNearMiss(ctx, {
      ...base(),
      labelsPath: [...peer.path, 'podSelector', 'matchLabels'],
      miss,
      what: `This peer's podSelector`,
      objects: 'pod',
      namespace: covered.length === 1 ? covered[0]?.name : undefined,
      after: `(It looks in ${where}.)`,
    });
}

/** namespace-label-missing for each key of a namespaceSelector that no namespace carries. */
function labelMissing(
  ctx: LintContext,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule,
  peer: PolicyPeer,
  nsSel: LabelSelector,
): void {
  if (policy.origin.kind !== 'manifest') return;
  const object = policy.origin.object;
  const carried = ctx.namespaceLabelKeys();
  const carriedText = `the namespaces here carry ${carried.slice(0, 5).join(', ')}${carried.length > 5 ? ', …' : ''}`;
  for (const [key, value] of Object.entries(nsSel.matchLabels)) {
    if (carried.includes(key)) continue;
    const valueAt = object.locate([...peer.path, 'namespaceSelector', 'matchLabels', key]);
    // The file's line index only when something is reported (building it for every file cost more than the check).
    const keyAt = ctx.source(object.file)?.keyBefore(valueAt, key);
    const named = ctx.cluster.namespaces.has(value) || ['name', 'namespace', 'ns'].includes(key);
    const todo = named
      ? `Select the namespace by ${NAMESPACE_NAME_LABEL}, the label the API server sets on every namespace: ${NAMESPACE_NAME_LABEL}: ${value}.`
      : `Add the label to the Namespace manifest, or select the namespace by ${NAMESPACE_NAME_LABEL}.`;
    const fix: Fix | undefined =
      named && keyAt && ctx.cluster.namespaces.has(value)
        ? { title: `Select namespace ${value} by ${NAMESPACE_NAME_LABEL}`, edits: [{ range: keyAt, newText: NAMESPACE_NAME_LABEL }] }
        : undefined;
    let example = '';
    let related: Diagnostic['related'];
    const range = keyAt ?? valueAt;
    if (fix) {
      const after = engineAfter(ctx, fix);
      const pair = after ? changedPair(ctx, after, policy, direction, rule) : undefined;
      const change = after && pair ? beforeAfter(ctx, after, pair, range) : undefined;
      if (change) {
        example = change.sentence;
        related = change.related;
      }
    }
    ctx.report(
      withFix(
        makeDiagnostic(
          'namespace-label-missing',
          range,
          { label: `${key}=${value}`, carried: carriedText, todo, example },
          policyResource(policy),
          related,
        ),
        fix,
      ),
    );
  }
}

function serviceSelectors(ctx: LintContext): void {
  for (const svc of ctx.cluster.services) {
    if (svc.origin.kind !== 'manifest' || !svc.selector || Object.keys(svc.selector).length === 0 || svc.type === 'ExternalName') continue;
    const selector = svc.selector;
    const pods = ctx.repsIn(svc.namespace);
    if (pods.some((p) => mapMatches(selector, p.labels)) || ctx.implicitIn(svc.namespace).some((p) => mapMatches(selector, p.labels)))
      continue;
    const miss = podNearMiss(selector, pods);
    if (!miss) continue;
    const count = pods.filter((p) =>
      mapMatches(
        { ...Object.fromEntries(Object.entries(selector).filter(([k]) => k !== miss.key)), [miss.haveKey]: miss.haveValue },
        p.labels,
      ),
    ).length;
    reportNearMiss(ctx, {
      object: svc.origin.object,
      labelsPath: ['spec', 'selector'],
      miss,
      what: `The selector of Service ${svc.namespace}/${svc.name}`,
      objects: 'pod',
      namespace: svc.namespace,
      resource: resourceName({ kind: 'Service', namespace: svc.namespace, name: svc.name }),
      after: `With it the Service would have ${count} endpoint pod${count === 1 ? '' : 's'}.`,
    });
  }
}

const SELECTOR_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

function workloadSelectors(ctx: LintContext): void {
  const seen = new Set<ManifestObject>();
  for (const pod of ctx.representatives()) {
    if (pod.origin.kind !== 'manifest') continue;
    const o = pod.origin.object;
    if (!SELECTOR_KINDS.has(o.kind) || seen.has(o)) continue;
    seen.add(o);
    const spec = o.raw['spec'];
    const sel = isRecord(spec) && isRecord(spec['selector']) ? spec['selector']['matchLabels'] : undefined;
    if (!isRecord(sel)) continue;
    const selector: Record<string, string> = {};
    for (const [k, v] of Object.entries(sel)) if (typeof v === 'string') selector[k] = v;
    if (mapMatches(selector, pod.labels)) continue;
    const miss = nearMiss(selector, [{ name: 'its pod template', labels: pod.labels }]);
    if (!miss) continue;
    reportNearMiss(ctx, {
      object: o,
      labelsPath: ['spec', 'selector', 'matchLabels'],
      miss,
      what: `The selector of ${o.kind} ${pod.namespace}/${o.name}`,
      objects: 'pod of its own template',
      namespace: pod.namespace,
      resource: resourceName({ kind: o.kind, namespace: pod.namespace, name: o.name }),
    });
  }
}
