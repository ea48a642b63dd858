// What people get wrong with the cluster-wide tiers (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
// ClusterNetworkPolicy), judged by the simulation: two policies of one tier at one priority that
// select the same pods (the API leaves their order undefined), a rule that an earlier one always
// decides first, a Pass that reaches pods no NetworkPolicy isolates (so the baseline decides), and a
// peer kube-netsim does not simulate (domainNames).
import { makeDiagnostic } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { cidrRange, type IpRange } from '../policy/ipRanges';
import { ruleHit, type AdminTiers, type Tier } from '../policy/admin';
import { ruleText } from '../policy/explain';
import type { AdminRule, SimAdminPolicy } from '../policy/adminParse';
import type { Direction } from '../policy/parse';
import type { PolicyEndpoint } from '../policy/types';
import type { SimPod } from '../cluster/model';
import { workloadsText, type LintContext } from './context';

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];
/** Above this many (subject, peer) pairs per rule, the shadowing check looks at one pod per workload. */
const PAIR_BUDGET = 200_000;

export function lintAdminPolicies(ctx: LintContext): void {
  const tiers = ctx.engine.tiers;
  if (tiers.empty) return;
  for (const tier of ['admin', 'baseline'] as const) {
    checkPriorityTies(ctx, tiers, tier);
    for (const policy of tiers.tiers[tier])
      for (const direction of DIRECTIONS)
        for (const rule of policy.rules[direction]) {
          checkDomainNames(ctx, policy, direction, rule);
          const shadowed = checkShadowed(ctx, tiers, tier, policy, direction, rule);
          if (!shadowed && tier === 'admin' && rule.action === 'Pass') checkPassToBaseline(ctx, tiers, policy, direction, rule);
        }
  }
}

const resource = (p: SimAdminPolicy) => resourceName({ kind: p.kind, name: p.name });
const locate = (p: SimAdminPolicy, path: readonly (string | number)[]) =>
  p.origin.kind === 'manifest' ? p.origin.object.locate([...path]) : undefined;
const policyName = (p: SimAdminPolicy) => `${p.kind} ${p.name}`;
const ruleName = (rule: AdminRule, direction: Direction) => rule.name ?? `spec.${direction}[${rule.index}]`;

/** The pods of the workspace a policy's subject selects. */
function subjects(ctx: LintContext, tiers: AdminTiers, policy: SimAdminPolicy, pods: readonly SimPod[]): SimPod[] {
  return pods.filter((p) => tiers.subjectSelects(policy, p));
}

function checkPriorityTies(ctx: LintContext, tiers: AdminTiers, tier: Tier): void {
  const list = tiers.tiers[tier].filter((p) => p.priority !== undefined);
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as SimAdminPolicy;
    for (let j = i + 1; j < list.length; j++) {
      const b = list[j] as SimAdminPolicy;
      if (a.priority !== b.priority) break; // sorted by priority
      for (const direction of DIRECTIONS) {
        if (a.rules[direction].length === 0 || b.rules[direction].length === 0) continue;
        const both = subjects(ctx, tiers, a, ctx.cluster.pods).filter((p) => tiers.subjectSelects(b, p));
        if (both.length === 0) continue;
        const range = locate(b, ['spec', 'priority']);
        if (!range) continue;
        const aRange = locate(a, ['spec', 'priority']);
        ctx.report(
          makeDiagnostic(
            'admin-policy-priority-tie',
            range,
            {
              first: policyName(a),
              second: policyName(b),
              priority: a.priority ?? 0,
              pods: workloadsText(both),
              direction,
              chosen: a.name,
            },
            resource(b),
            aRange ? [{ message: `${policyName(a)} has the same priority ${String(a.priority)}`, location: aRange }] : undefined,
          ),
        );
        break; // once per pair of policies
      }
    }
  }
}

/** The endpoints a rule's peers could match: the workspace's pods, and the address ranges its networks peers name. */
function peerEndpoints(ctx: LintContext, rule: AdminRule, pods: readonly SimPod[]): PolicyEndpoint[] {
  const out: PolicyEndpoint[] = pods.map((p) => ctx.ep(p));
  for (const peer of rule.peers) {
    if (peer.kind === 'networks') for (const range of peer.ranges) out.push({ kind: 'ip', ip: undefined, range });
    if (peer.kind === 'nodes')
      for (const n of ctx.cluster.nodes) {
        const range: IpRange | undefined = cidrRange(`${n.ip}/${n.ip.includes(':') ? 128 : 32}`);
        if (range) out.push({ kind: 'ip', ip: n.ip, range });
      }
  }
  return out;
}

/**
 * A rule is shadowed when, for every subject pod and every endpoint its peers match, the rules
 * before it in the tier (earlier policies, then earlier rules of its own) already decide every
 * connection its ports name. A rule that matches nothing in the workspace is not reported here.
 */
function checkShadowed(
  ctx: LintContext,
  tiers: AdminTiers,
  tier: Tier,
  policy: SimAdminPolicy,
  direction: Direction,
  rule: AdminRule,
): boolean {
  let pods: readonly SimPod[] = ctx.cluster.pods;
  let subs = subjects(ctx, tiers, policy, pods);
  if (subs.length * pods.length > PAIR_BUDGET) {
    pods = ctx.representatives();
    subs = subjects(ctx, tiers, policy, pods);
  }
  const endpoints = peerEndpoints(ctx, rule, pods);
  const by = new Map<string, string>();
  let matchesSomething = false;
  for (const s of subs) {
    const self = ctx.ep(s);
    const before: Array<{ policy: SimAdminPolicy; rule: AdminRule }> = [];
    for (const p of tiers.selecting(tier, s)[direction]) {
      if (p === policy) {
        for (const r of p.rules[direction]) {
          if (r === rule) break;
          before.push({ policy: p, rule: r });
        }
        break;
      }
      for (const r of p.rules[direction]) before.push({ policy: p, rule: r });
    }
    for (const e of endpoints) {
      if (tiers.matchingPeer(rule, e) < 0) continue;
      const dst = direction === 'egress' ? e : self;
      let conns = tiers.ruleConnections(rule, dst);
      if (conns.isEmpty()) continue;
      matchesSomething = true;
      for (const b of before) {
        const peer = tiers.matchingPeer(b.rule, e);
        if (peer < 0) continue;
        const taken = tiers.ruleConnections(b.rule, dst).intersect(conns);
        if (taken.isEmpty()) continue;
        const hit = ruleHit(tier, b.policy, direction, b.rule, peer);
        by.set(`${b.policy.kind}/${b.policy.name}/${b.rule.index}`, ruleText(hit));
        conns = conns.subtract(taken);
        if (conns.isEmpty()) break;
      }
      if (!conns.isEmpty()) return false;
    }
  }
  if (!matchesSomething) return false;
  const range = locate(policy, rule.path);
  if (!range) return false;
  const names = [...by.values()];
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  ctx.report(
    makeDiagnostic(
      'admin-policy-rule-shadowed',
      range,
      {
        rule: ruleName(rule, direction),
        policy: policyName(policy),
        what: `${direction} of ${workloadsText(subs)} ${peerKey} the peers it names`,
        by: names.slice(0, 2).join(' and ') + (names.length > 2 ? ` and ${names.length - 2} more rules` : ''),
      },
      resource(policy),
    ),
  );
  return true;
}

function checkPassToBaseline(ctx: LintContext, tiers: AdminTiers, policy: SimAdminPolicy, direction: Direction, rule: AdminRule): void {
  const open = subjects(ctx, tiers, policy, ctx.representatives()).filter((p) => ctx.engine.policiesSelecting(p)[direction].length === 0);
  if (open.length === 0) return;
  const range = locate(policy, [...rule.path, 'action']);
  if (!range) return;
  const namespaces = [...new Set(open.map((p) => p.namespace))].sort();
  const baseline = open.filter((p) => tiers.selecting('baseline', p)[direction].length > 0);
  const decider =
    baseline.length === open.length
      ? 'the baseline tier decides (its rules, then the default allow)'
      : baseline.length > 0
        ? `the baseline tier decides for ${workloadsText(baseline)} and the rest is allowed (no baseline rule selects it)`
        : 'the connection is allowed: no baseline policy selects them either';
  ctx.report(
    makeDiagnostic(
      'admin-policy-pass-to-baseline',
      range,
      {
        rule: ruleName(rule, direction),
        policy: policyName(policy),
        direction,
        pods: workloadsText(open),
        them: open.length === 1 ? 'it' : 'them',
        decider,
        namespaces: namespaces.join(', '),
        namespace: namespaces[0] ?? '',
      },
      resource(policy),
    ),
  );
}

function checkDomainNames(ctx: LintContext, policy: SimAdminPolicy, direction: Direction, rule: AdminRule): void {
  for (const peer of rule.peers) {
    if (peer.kind !== 'domainNames') continue;
    const range = locate(policy, [...peer.path, 'domainNames']);
    if (!range) continue;
    ctx.report(
      makeDiagnostic(
        'admin-policy-peer-not-simulated',
        range,
        {
          policy: `${policyName(policy)} rule ${ruleName(rule, direction)}`,
          what: `domainNames ${peer.names.join(', ')}`,
          action: rule.action === 'Allow' ? 'allow' : rule.action === 'Deny' ? 'deny' : 'pass on',
        },
        resource(policy),
      ),
    );
  }
}
