// Ports in NetworkPolicy rules are the pod's ports, after kube-proxy's DNAT: a rule that names the
// Service's `port` where the pods listen on a different targetPort admits nothing of that Service
// (policy-port-is-service-port), and a named port resolves against the destination pods' container
// ports, by name and protocol (policy-named-port-missing). The destination is the selected pods for
// ingress rules and the peer pods for egress rules.
import { makeDiagnostic, withFix, type Diagnostic, type Fix, editDistance } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { mapMatches } from '../cluster/labels';
import { resolveTargetPort } from '../services/endpoints';
import type { ServicePort, SimPod, SimService } from '../cluster/model';
import type { Direction, PolicyPort, PolicyRule, SimNetworkPolicy } from '../policy/engine';
import type { SourceRange } from '../source';
import { beforeAfter, changedPair, engineAfter } from './afterFix';
import { workloadsText, type LintContext } from './context';
import { oneTypoAway } from './selectors';
import { yamlScalar } from './yamlEdit';

export function lintPolicyPorts(ctx: LintContext): void {
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    for (const direction of ['ingress', 'egress'] as const) {
      if (!policy.affects[direction]) continue;
      for (const rule of policy.rules[direction]) {
        if (!rule.ports) continue;
        const dsts = destinations(ctx, policy, direction, rule);
        if (dsts.length === 0) continue;
        for (const port of rule.ports) {
          if (typeof port.port === 'string') namedPort(ctx, policy, direction, rule, port, port.port, dsts);
          else if (typeof port.port === 'number' && port.endPort === undefined)
            servicePort(ctx, policy, direction, rule, port, port.port, dsts);
        }
      }
    }
  }
}

/** The workspace's pods a rule's ports apply to: the selected pods (ingress) or the peer pods (egress). */
function destinations(ctx: LintContext, policy: SimNetworkPolicy, direction: Direction, rule: PolicyRule): SimPod[] {
  if (direction === 'ingress') return ctx.selectedReps(policy);
  if (rule.peers === null) return ctx.representatives();
  const lists = ctx.incremental ? rule.peers.map((peer) => ctx.peerPodLists(policy, peer)) : [];
  if (!ctx.incremental || lists.some((l) => l === undefined)) return [...new Set(rule.peers.flatMap((peer) => ctx.peerPods(policy, peer)))];
  // The same lists as the previous analysis's (unchanged namespaces): the same pods, without joining them again.
  const parts = (lists as SimPod[][][]).flat();
  const known = keptDestinations.get(rule);
  if (known && known.parts.length === parts.length && known.parts.every((l, i) => l === parts[i])) return known.pods;
  const pods = [...new Set(parts.flat())];
  keptDestinations.set(rule, { parts, pods });
  return pods;
}

/** An egress rule's destinations by the lists they were joined from. Shared: not mutated. */
const keptDestinations = new WeakMap<PolicyRule, { parts: SimPod[][]; pods: SimPod[] }>();

const resource = (p: SimNetworkPolicy) => resourceName({ kind: 'NetworkPolicy', namespace: p.namespace, name: p.name });

/** Runs the fix through the simulation; returns the example sentence and related info when a verdict changes. */
function explain(
  ctx: LintContext,
  fix: Fix,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule,
  at: SourceRange,
): { example: string; related: Diagnostic['related']; ok: boolean } {
  const after = engineAfter(ctx, fix);
  const pair = after ? changedPair(ctx, after, policy, direction, rule, 'after') : undefined;
  const change = after && pair ? beforeAfter(ctx, after, pair, at) : undefined;
  return { example: change?.sentence ?? '', related: change?.related, ok: after !== undefined };
}

function namedPort(
  ctx: LintContext,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule,
  port: PolicyPort,
  name: string,
  dsts: SimPod[],
): void {
  if (policy.origin.kind !== 'manifest') return;
  if (dsts.some((p) => p.containers.some((c) => c.ports.some((cp) => cp.name === name && cp.protocol === port.protocol)))) return;
  const declared = dsts.flatMap((p) => p.containers.flatMap((c) => c.ports));
  const who =
    direction === 'ingress'
      ? `the pods this policy selects (${workloadsText(dsts)})`
      : `the pods this rule's peers match (${workloadsText(dsts)})`;
  const other = declared.find((cp) => cp.name === name);
  const names = [
    ...new Set(declared.filter((cp) => cp.name !== undefined && cp.protocol === port.protocol).map((cp) => cp.name as string)),
  ].sort();
  const reason = other
    ? `is declared by ${who} as ${other.protocol}, not ${port.protocol}`
    : `is not the name of a ${port.protocol} container port of ${who}; they name ${names.length ? names.join(', ') : 'none'}`;
  const close = other ? undefined : (names.find((n) => oneTypoAway(name, n)) ?? names.find((n) => editDistance(n, name) <= 2));
  const object = policy.origin.object;
  const at = object.locate([...port.path, 'port']);
  const fix: Fix | undefined = close
    ? { title: `Use port name "${close}"`, edits: [{ range: at, newText: yamlScalar(close) }] }
    : undefined;
  const why = fix ? explain(ctx, fix, policy, direction, rule, at) : undefined;
  const params = {
    port: name,
    protocol: port.protocol,
    reason,
    hint: close ? `Did you mean "${close}"?` : other ? `Set protocol: ${other.protocol} here.` : '',
    example: why?.example ?? '',
    namespace: dsts[0]?.namespace ?? policy.namespace,
  };
  ctx.report(withFix(makeDiagnostic('policy-named-port-missing', at, params, resource(policy), why?.related), why?.ok ? fix : undefined));
}

/** A numeric port that is some destination Service's `port` rather than its pods' targetPort. */
function servicePort(
  ctx: LintContext,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule,
  port: PolicyPort,
  value: number,
  dsts: SimPod[],
): void {
  if (policy.origin.kind !== 'manifest') return;
  const listens = (p: SimPod, n: number) =>
    p.containers.some((c) => c.ports.some((cp) => cp.containerPort === n && cp.protocol === port.protocol));
  if (dsts.some((p) => listens(p, value))) return;
  for (const { svc, sp } of servicesOnPort(ctx).get(`${value}/${port.protocol}`) ?? []) {
    if (sp.targetPort === value) continue;
    const behind = dsts.filter((p) => p.namespace === svc.namespace && mapMatches(svc.selector as Record<string, string>, p.labels));
    const targets = [
      ...new Set(
        behind.map((p) => resolveTargetPort(p, sp.targetPort, sp.protocol)).filter((n): n is number => n !== undefined && n !== value),
      ),
    ];
    const target = targets[0];
    if (target === undefined) continue;
    // Another entry of the rule may already admit the targetPort: then this one is only redundant.
    if (behind.every((p) => ctx.engine.portsAdmit(rule, ctx.engine.endpointOf({ kind: 'pod', pod: p }), target, port.protocol))) continue;
    report(ctx, policy, direction, rule, port, value, svc, sp.targetPort, target, behind);
    return;
  }
}

/** The workspace's Services with a selector, by `port/protocol` of their ports. */
function servicesOnPort(ctx: LintContext): Map<string, Array<{ svc: SimService; sp: ServicePort }>> {
  return ctx.memo('services-by-port', () => {
    const out = new Map<string, Array<{ svc: SimService; sp: ServicePort }>>();
    for (const svc of ctx.cluster.services) {
      if (svc.origin.kind !== 'manifest' || !svc.selector || Object.keys(svc.selector).length === 0) continue;
      for (const sp of svc.ports) {
        const key = `${sp.port}/${sp.protocol}`;
        const list = out.get(key);
        if (list) list.push({ svc, sp });
        else out.set(key, [{ svc, sp }]);
      }
    }
    return out;
  });
}

function report(
  ctx: LintContext,
  policy: SimNetworkPolicy,
  direction: Direction,
  rule: PolicyRule,
  port: PolicyPort,
  value: number,
  svc: SimService,
  written: number | string,
  target: number,
  behind: SimPod[],
): void {
  if (policy.origin.kind !== 'manifest') return;
  const at = policy.origin.object.locate([...port.path, 'port']);
  const fix: Fix = {
    title: `Use the targetPort ${written}${typeof written === 'string' ? ` (${target})` : ''}`,
    edits: [{ range: at, newText: typeof written === 'number' ? String(written) : yamlScalar(written) }],
  };
  const why = explain(ctx, fix, policy, direction, rule, at);
  const params = {
    port: value,
    service: `${svc.namespace}/${svc.name}`,
    target: typeof written === 'string' ? `${target} ("${written}")` : `${target}`,
    pods: `its pods (${workloadsText(behind)})`,
    example: why.example,
  };
  ctx.report(withFix(makeDiagnostic('policy-port-is-service-port', at, params, resource(policy), why.related), why.ok ? fix : undefined));
}
