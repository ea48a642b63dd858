// OR versus AND in a rule's peers: `- namespaceSelector` and `- podSelector` as two list items are
// ORed (every pod of those namespaces, or those pods of the policy's namespace), while one item
// with both keys ANDs them. The check reports either form when the other is the likelier intent,
// judged by the simulation: the OR form when it admits pods the AND form would not, the AND form
// when it matches no pod while each half would. Both come with the rewrite to the other form. The
// OR form is still said, at info, when no pod of the workspace tells the readings apart.
import { makeDiagnostic, withFix, type Diagnostic, type Fix } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { selectorText } from '../cluster/labels';
import { matchesSelector } from '../cluster/selectorCache';
import type { Direction, PolicyPeer, PolicyRule, SimNetworkPolicy } from '../policy/engine';
import { beforeAfter, changedPair, engineAfter } from './afterFix';
import type { LintContext } from './context';
import { type ManifestObject } from '../manifests/types';

type SelectorPeer = Extract<PolicyPeer, { kind: 'selector' }>;

const onlyNamespaces = (p: PolicyPeer): p is SelectorPeer =>
  p.kind === 'selector' && p.namespaceSelector !== undefined && p.podSelector === undefined;
const onlyPods = (p: PolicyPeer): p is SelectorPeer =>
  p.kind === 'selector' && p.podSelector !== undefined && p.namespaceSelector === undefined;

export function lintPeers(ctx: LintContext): void {
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    for (const direction of ['ingress', 'egress'] as const) {
      for (const rule of policy.rules[direction]) {
        const peers = rule.peers ?? [];
        for (let i = 0; i + 1 < peers.length; i++) {
          const a = peers[i] as PolicyPeer;
          const b = peers[i + 1] as PolicyPeer;
          if ((onlyNamespaces(a) && onlyPods(b)) || (onlyPods(a) && onlyNamespaces(b))) orPeers(ctx, policy, direction, rule, a, b);
        }
        for (const p of peers)
          if (p.kind === 'selector' && p.namespaceSelector && p.podSelector && !ctx.isClaimed(policy, p.path))
            andPeer(ctx, policy, direction, rule, p);
      }
    }
  }
}

const resource = (p: SimNetworkPolicy) => resourceName({ kind: 'NetworkPolicy', namespace: p.namespace, name: p.name });

/** Two adjacent peers, one namespaceSelector and one podSelector: reported when ANDing them would change a verdict. */
function orPeers(
  ctx: LintContext,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule,
  a: SelectorPeer,
  b: SelectorPeer,
): void {
  if (policy.origin.kind !== 'manifest') return;
  const nsSel = (onlyNamespaces(a) ? a : b).namespaceSelector;
  const podSel = (onlyPods(a) ? a : b).podSelector;
  if (!nsSel || !podSel) return;
  // AND is the likelier intent only when some pod is both (else the author wanted either, and the
  // AND check below would ask to split them again).
  const both = [...ctx.cluster.namespaces.values()]
    .filter((n) => matchesSelector(nsSel, n.labels))
    .some((n) => ctx.repsIn(n.name).some((p) => matchesSelector(podSel, p.labels)));
  const object = policy.origin.object;
  const at = object.locate(b.path);
  const fix = mergeFix(ctx, object, a, b);
  const after = both && fix ? engineAfter(ctx, fix) : undefined;
  const pair = after ? changedPair(ctx, after, policy, direction, rule) : undefined;
  const change = after && pair ? beforeAfter(ctx, after, pair, at) : undefined;
  const params = {
    variant: 'or',
    first: `the namespaceSelector peer (${selectorText(nsSel)})`,
    second: `the podSelector peer (${selectorText(podSel)})`,
    namespace: policy.namespace,
    key: onlyPods(b) ? 'podSelector' : 'namespaceSelector',
    pods: selectorText(podSel),
    namespaces: selectorText(nsSel),
    example:
      change?.sentence ??
      'No pod of the workspace tells the two readings apart (the pods they are meant for may be deployed from elsewhere): check which one you meant.',
  };
  const d = makeDiagnostic('policy-peer-or-and', at, params, resource(policy), change?.related);
  if (change && fix) return void ctx.report(withFix(d, fix));
  // People write the OR form by mistake even when the workspace cannot prove it: said, at info. The
  // merge is offered only where some pod is in both (else the ANDed peer would match nothing here).
  d.severity = 'info';
  ctx.report(both && fix ? withFix(d, fix) : d);
}

/**
 * Merges peer `b` into peer `a` by turning b's "-" into a space: valid when both are block
 * mappings on consecutive items whose keys start at the same column.
 */
function mergeFix(ctx: LintContext, object: ManifestObject, a: PolicyPeer, b: PolicyPeer): Fix | undefined {
  const src = ctx.source(object.file);
  if (!src) return undefined;
  const at = object.locate(a.path);
  const bt = object.locate(b.path);
  const dashA = src.dashColumn(at.line, at.column);
  const dashB = src.dashColumn(bt.line, bt.column);
  if (dashA === undefined || dashB === undefined || dashA !== dashB || at.column !== bt.column || bt.line <= at.line) return undefined;
  return { title: 'Merge into one peer (AND: both selectors must match)', edits: [src.replace(bt.line, dashB, dashB + 1, ' ')] };
}

/** One peer with both selectors that matches no pod, while each selector alone would. */
function andPeer(ctx: LintContext, policy: SimNetworkPolicy, direction: Direction, rule: PolicyRule, peer: SelectorPeer): void {
  if (policy.origin.kind !== 'manifest' || !peer.namespaceSelector || !peer.podSelector) return;
  const nsSel = peer.namespaceSelector;
  const podSel = peer.podSelector;
  if (ctx.peerMatchesAny(policy, peer)) return;
  const nsPods = [...ctx.cluster.namespaces.values()].some((n) => matchesSelector(nsSel, n.labels) && ctx.repsIn(n.name).length > 0);
  const ownPods = ctx.repsIn(policy.namespace).some((p) => matchesSelector(podSel, p.labels));
  if (!nsPods || !ownPods) return;
  const object = policy.origin.object;
  const nsAt = object.locate([...peer.path, 'namespaceSelector']);
  const podAt = object.locate([...peer.path, 'podSelector']);
  const second = podAt.line > nsAt.line || (podAt.line === nsAt.line && podAt.column > nsAt.column) ? 'podSelector' : 'namespaceSelector';
  const at = second === 'podSelector' ? podAt : nsAt;
  const fix = splitFix(ctx, object, peer, at.line, at.column);
  const after = fix ? engineAfter(ctx, fix) : undefined;
  const pair = after ? changedPair(ctx, after, policy, direction, rule) : undefined;
  const change = after && pair ? beforeAfter(ctx, after, pair, at) : undefined;
  const params = {
    variant: 'and',
    namespace: policy.namespace,
    key: second,
    pods: selectorText(podSel),
    namespaces: selectorText(nsSel),
    example: change?.sentence ?? '',
  };
  const related: Diagnostic['related'] = change?.related;
  ctx.report(withFix(makeDiagnostic('policy-peer-or-and', at, params, resource(policy), related), change ? fix : undefined));
}

/** Splits a peer before its second key by writing "- " in the two spaces before it. */
function splitFix(ctx: LintContext, object: ManifestObject, peer: PolicyPeer, line: number, column: number): Fix | undefined {
  const src = ctx.source(object.file);
  const first = object.locate(peer.path);
  if (!src || column < 3 || line <= first.line || !src.startsLine(line, column)) return undefined;
  const dash = src.dashColumn(first.line, first.column);
  if (dash !== column - 2 || first.column !== column) return undefined;
  return { title: 'Split into two peers (OR: either selector admits)', edits: [src.replace(line, column - 2, column, '- ')] };
}
