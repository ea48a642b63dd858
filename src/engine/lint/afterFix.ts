// "What would the fix change?" answered by the simulation itself: the fix's edits are applied to
// the file texts, the edited files re-parsed, and the NetworkPolicies evaluated again. A fix whose
// text does not parse, or that the API server would reject, is not offered; the verdict of one
// concrete pod pair before and after goes into the diagnostic, so the hover can show it.
import type { Diagnostic, Fix, RelatedInformation } from '../diagnostics';
import { parseManifestFile } from '../manifests/parse';
import { readCniPolicies } from '../policy/cniPolicies';
import { PolicyEngine, type Direction, type PolicyRule, type SimNetworkPolicy } from '../policy/engine';
import { podId, type Protocol, type SimPod } from '../cluster/model';
import type { SourceRange } from '../source';
import type { LintContext } from './context';
import { applyEdits } from './yamlEdit';
import { type ManifestObject } from '../manifests/types';

/** The policy engine as it would be with `fix` applied; undefined when the edited text is not a valid policy. */
export function engineAfter(ctx: LintContext, fix: Fix): PolicyEngine | undefined {
  const byFile = new Map<string, Fix['edits']>();
  for (const e of fix.edits) byFile.set(e.range.file, [...(byFile.get(e.range.file) ?? []), e]);
  const replaced = new Map<string, ManifestObject[]>();
  for (const [file, edits] of byFile) {
    const text = ctx.text(file);
    if (text === undefined) return undefined;
    const parsed = parseManifestFile({ path: file, text: applyEdits(text, edits) });
    if (parsed.diagnostics.some((d) => d.severity === 'error' || d.code === 'helm-template')) return undefined;
    replaced.set(file, parsed.objects);
  }
  const objects: ManifestObject[] = [];
  const done = new Set<string>();
  for (const o of ctx.cluster.objects) {
    const r = replaced.get(o.file);
    if (!r) objects.push(o);
    else if (!done.has(o.file)) {
      done.add(o.file);
      objects.push(...r);
    }
  }
  const diagnostics: Diagnostic[] = [];
  const cluster = { ...ctx.cluster, objects };
  // The CNI's own policies decide too (before NetworkPolicy), as in the analysis the fix is checked against.
  const engine = new PolicyEngine(cluster, diagnostics, {
    hostNetwork: ctx.engine.hostNetwork,
    adminPolicies: ctx.engine.adminEnforced,
    cni: readCniPolicies(cluster, []).layer,
  });
  const invalid = (list: Diagnostic[]) =>
    list.filter((d) => d.code === 'manifest-invalid' && replaced.has(d.range.file) && d.resource?.startsWith('NetworkPolicy/')).length;
  return invalid(diagnostics) > invalid(ctx.diagnostics) ? undefined : engine;
}

/** One connection between two pods, for the before/after sentence. */
export interface Pair {
  src: SimPod;
  dst: SimPod;
  port: number;
  protocol: Protocol;
}

export function pairText(p: Pair): string {
  return `pod ${podId(p.src)} → pod ${podId(p.dst)} on ${p.protocol} ${p.port}`;
}

const word = (allowed: boolean) => (allowed ? 'allowed' : 'dropped');

/**
 * The verdict of one pod pair now and after the fix, as a sentence for the message and as related
 * information (the full reasons) at `at`. Undefined when the fix does not change that verdict.
 */
export function beforeAfter(
  ctx: LintContext,
  after: PolicyEngine,
  pair: Pair,
  at: SourceRange,
): { sentence: string; related: RelatedInformation[] } | undefined {
  const src = { kind: 'pod' as const, pod: pair.src };
  const dst = { kind: 'pod' as const, pod: pair.dst };
  const now = ctx.engine.verdict(src, dst, pair.port, pair.protocol);
  const then = after.verdict(src, dst, pair.port, pair.protocol);
  if (now.allowed === then.allowed) return undefined;
  return {
    sentence: `For example, ${pairText(pair)}: ${word(now.allowed)} now, ${word(then.allowed)} after the fix.`,
    related: [
      { message: `Now: ${now.reason}`, location: at },
      { message: `After the fix: ${then.reason}`, location: at },
    ],
  };
}

/** The verdict of one pair now, for diagnostics whose fix is not a policy edit. */
export function nowText(ctx: LintContext, pair: Pair): string {
  const v = ctx.engine.verdict({ kind: 'pod', pod: pair.src }, { kind: 'pod', pod: pair.dst }, pair.port, pair.protocol);
  return `For example, ${pairText(pair)}: ${word(v.allowed)}.`;
}

/** A port and protocol a rule admits towards `dst` (its first port that applies), for examples. */
export function samplePort(rule: PolicyRule | undefined, dst: SimPod): { port: number; protocol: Protocol } {
  for (const p of rule?.ports ?? []) {
    if (typeof p.port === 'number') return { port: p.port, protocol: p.protocol };
    if (p.port === undefined) return { port: firstPort(dst)?.port ?? 80, protocol: p.protocol };
    for (const c of dst.containers)
      for (const cp of c.ports)
        if (cp.name === p.port && cp.protocol === p.protocol) return { port: cp.containerPort, protocol: p.protocol };
  }
  return firstPort(dst) ?? { port: 80, protocol: 'TCP' };
}

function firstPort(pod: SimPod): { port: number; protocol: Protocol } | undefined {
  const p = pod.containers.flatMap((c) => c.ports)[0];
  return p ? { port: p.containerPort, protocol: p.protocol } : undefined;
}

/**
 * A pair of the workspace's pods, one selected by `policy` and one on the other end of `direction`,
 * whose verdict the fix changes (one pod per workload, a bounded search). Ports: the one the rule
 * names after the fix, and (with 'both') the one it names now.
 */
export function changedPair(
  ctx: LintContext,
  after: PolicyEngine,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule | undefined,
  ports: 'after' | 'both' = 'both',
): Pair | undefined {
  const reps = ctx.representatives();
  const edited = after.policies.find((q) => q.namespace === policy.namespace && q.name === policy.name);
  const selected = reps.filter((p) => ctx.engine.selects(policy, p) || (edited !== undefined && after.selects(edited, p)));
  // The fix may change the rule's ports: try the port the rule names before and after it.
  const editedRule = rule ? edited?.rules[direction].find((r) => r.index === rule.index) : undefined;
  let budget = 2000;
  for (const self of selected) {
    for (const other of reps) {
      if (other === self || budget-- <= 0) continue;
      const [src, dst] = direction === 'ingress' ? [other, self] : [self, other];
      const a = { kind: 'pod' as const, pod: src };
      const b = { kind: 'pod' as const, pod: dst };
      const candidates = [samplePort(editedRule ?? rule, dst), ...(ports === 'both' ? [samplePort(rule, dst)] : [])];
      for (const { port, protocol } of candidates) {
        if (ctx.engine.allows(a, b, port, protocol) !== after.allows(a, b, port, protocol)) return { src, dst, port, protocol };
      }
    }
  }
  return undefined;
}
