// policy-splits-workload: a policy's pod selector that matches only some pods of one owner. Pods of
// one workload normally carry the same labels; in a cluster snapshot they may not (a rollout half
// done, a label added by hand), and the connectivity list, which lists each workload once, then
// shows what any of its pods may do. Said at the selector, naming the pods on each side.
import { makeDiagnostic } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { selectorText, type LabelSelector, type Labels } from '../cluster/labels';
import { matchesSelector } from '../cluster/selectorCache';
import { workloadId, type SimPod } from '../cluster/model';
import type { FieldPath, SourceRange } from '../source';
import type { LintContext } from './context';

/** The workloads whose pods do not all carry the same labels, by namespace (few, usually none). */
function unevenWorkloads(ctx: LintContext): Map<string, SimPod[][]> {
  return ctx.memo('uneven-workloads', () => {
    // First which workloads are uneven, without listing every pod: a replica with its predecessor's
    // WorkloadRef and labels objects (its template's) changes nothing.
    const firsts = new Map<string, { labels: Labels; text: string | undefined }>();
    const uneven = new Set<string>();
    let previous: SimPod | undefined;
    for (const p of ctx.cluster.pods) {
      if (!ctx.engine.selectable(p)) continue;
      if (previous && p.workload === previous.workload && p.labels === previous.labels) continue;
      previous = p;
      const id = workloadId(p.workload);
      const first = firsts.get(id);
      if (!first) firsts.set(id, { labels: p.labels, text: undefined });
      else if (p.labels !== first.labels && !uneven.has(id)) {
        first.text ??= JSON.stringify(sorted(first.labels));
        if (JSON.stringify(sorted(p.labels)) !== first.text) uneven.add(id);
      }
    }
    const out = new Map<string, SimPod[][]>();
    if (uneven.size === 0) return out;
    const groups = new Map<string, SimPod[]>();
    for (const p of ctx.cluster.pods) {
      if (!ctx.engine.selectable(p)) continue;
      const id = workloadId(p.workload);
      if (!uneven.has(id)) continue;
      const list = groups.get(id) ?? [];
      list.push(p);
      groups.set(id, list);
    }
    for (const pods of groups.values()) {
      const ns = pods[0]?.namespace ?? '';
      out.set(ns, [...(out.get(ns) ?? []), pods]);
    }
    return out;
  });
}

const sorted = (labels: Record<string, string>) =>
  Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);

const names = (pods: SimPod[]) =>
  pods
    .slice(0, 3)
    .map((p) => p.name)
    .join(', ') + (pods.length > 3 ? ` and ${pods.length - 3} more` : '');

export function lintWorkloadSplits(ctx: LintContext): void {
  const uneven = unevenWorkloads(ctx);
  if (uneven.size === 0) return;
  /** Reports the first workload of `namespaces` that `selector` splits. */
  const check = (
    namespaces: string[],
    selector: LabelSelector,
    what: string,
    policy: string,
    resource: string,
    at: () => SourceRange | undefined,
  ) => {
    for (const ns of namespaces)
      for (const pods of uneven.get(ns) ?? []) {
        const matched = pods.filter((p) => matchesSelector(selector, p.labels));
        if (matched.length === 0 || matched.length === pods.length) continue;
        const range = at();
        if (!range) return;
        const owner = pods[0] as SimPod;
        ctx.report(
          makeDiagnostic(
            'policy-splits-workload',
            range,
            {
              selector: `${what} (${selectorText(selector)})`,
              policy,
              matched: names(matched),
              unmatched: names(pods.filter((p) => !matched.includes(p))),
              owner: `${owner.workload.kind} ${owner.workload.namespace}/${owner.workload.name}`,
              namespace: owner.namespace,
            },
            resource,
          ),
        );
        return;
      }
  };
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    const object = policy.origin.object;
    const label = `NetworkPolicy ${policy.namespace}/${policy.name}`;
    const res = resourceName({ kind: 'NetworkPolicy', namespace: policy.namespace, name: policy.name });
    const locate = (path: FieldPath) => () => object.locate(path);
    check([policy.namespace], policy.podSelector, 'podSelector', label, res, locate(['spec', 'podSelector']));
    for (const direction of ['ingress', 'egress'] as const)
      for (const rule of policy.rules[direction])
        for (const peer of rule.peers ?? []) {
          if (peer.kind !== 'selector' || !peer.podSelector) continue;
          check(ctx.peerNamespaces(policy, peer), peer.podSelector, 'podSelector', label, res, locate([...peer.path, 'podSelector']));
        }
  }
  for (const policy of ctx.engine.adminPolicies) {
    if (policy.origin.kind !== 'manifest') continue;
    const object = policy.origin.object;
    const label = `${policy.kind} ${policy.name}`;
    const res = resourceName({ kind: policy.kind, name: policy.name });
    const inNamespaces = (sel: LabelSelector) => ctx.namespacesMatching(sel).map((n) => n.name);
    if (policy.subject.pods)
      check(inNamespaces(policy.subject.namespaces), policy.subject.pods, 'subject podSelector', label, res, () =>
        object.locate(['spec', 'subject', 'pods', 'podSelector']),
      );
    for (const direction of ['ingress', 'egress'] as const)
      for (const rule of policy.rules[direction])
        for (const peer of rule.peers) {
          if (peer.kind !== 'pods' || !peer.pods) continue;
          const sel = peer.pods;
          check(inNamespaces(peer.namespaces), sel, 'peer podSelector', label, res, () =>
            object.locate([...peer.path, 'pods', 'podSelector']),
          );
        }
  }
}
