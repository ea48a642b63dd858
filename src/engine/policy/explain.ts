// The sentences a verdict carries. Verdicts are data (layers, policies, rules, peers, positions);
// these few templates turn them into the one-line reasons that hovers, the CLI and traces show.
// Every reason names the layer that decided, the object, its rule and where the rule is written.
import type { Protocol } from '../cluster/model';
import type { SourceRange } from '../source';
import { policyRefId, type Direction, type PolicyKind, type PolicyRef, type SimNetworkPolicy } from './parse';
import { type DirectionResult, type PolicyEndpoint, type RuleHit } from './types';

export type Outcome = 'not-subject' | 'self' | 'open' | 'allowed' | 'denied' | 'node' | 'rule';

export interface ReasonContext {
  direction: Direction;
  self: PolicyEndpoint;
  other: PolicyEndpoint;
  port: number;
  protocol: Protocol;
  outcome: Outcome;
  result: Omit<DirectionResult, 'reason'>;
  /** The NetworkPolicies isolating `self` for this direction. */
  policies: SimNetworkPolicy[];
}

export function rangeText(range: SourceRange | undefined): string {
  return range ? `${range.file}:${range.line}:${range.column}` : 'implicit';
}

/** `NetworkPolicy shop/deny-all (policies.yaml:7:3)`: the object and where it is. */
export function policyText(ref: PolicyRef): string {
  return `${kindText(ref.kind)} ${policyRefId(ref)} (${rangeText(ref.range)})`;
}

/**
 * `AdminNetworkPolicy tenant-isolation (priority 10) rule deny-other-tenants (anp.yaml:12:5)`: the
 * layer's object, its priority, the rule by name (or by position when it has none) and where it is.
 */
export function ruleText(hit: RuleHit): string {
  const tier =
    hit.policy.kind === 'ClusterNetworkPolicy'
      ? `${hit.layer === 'admin' ? 'Admin' : 'Baseline'} tier, `
      : hit.tier !== undefined
        ? `tier ${hit.tier}, `
        : '';
  const word = hit.tier !== undefined ? 'order' : 'priority';
  const priority = hit.priority !== undefined ? ` (${tier}${word} ${hit.priority})` : tier ? ` (${tier.slice(0, -2)})` : '';
  const kind = kindText(hit.policy.kind);
  if (hit.note) return `${kind} ${policyRefId(hit.policy)}${priority} (${rangeText(hit.range)}), which ${hit.note}`;
  const rule = hit.rulePath
    ? `rule ${hit.rulePath}`
    : hit.ruleName
      ? `rule ${hit.ruleName}`
      : `rule spec.${hit.direction}[${hit.ruleIndex}]`;
  return `${kind} ${policyRefId(hit.policy)}${priority} ${rule} (${rangeText(hit.range)})`;
}

/** A policy kind as a sentence names it: Calico's NetworkPolicy is told apart from the Kubernetes one. */
export function kindText(kind: PolicyKind): string {
  return kind === 'CalicoNetworkPolicy' ? 'Calico NetworkPolicy' : kind;
}

/** The policies that decided one direction: the rule's policy, the admitting NetworkPolicy, or every NetworkPolicy isolating a denied side. */
export function decidingPolicies(d: Omit<DirectionResult, 'reason'>): PolicyRef[] {
  switch (d.decidedBy) {
    case 'admin':
    case 'cni':
    case 'baseline':
      return d.rule ? [d.rule.policy] : [];
    case 'network':
      return d.allowed ? (d.allowedBy ? [d.allowedBy.policy] : []) : d.isolatingPolicies;
    default:
      return [];
  }
}

/** The name of the layer that decided, as a sentence says it: `AdminNetworkPolicy`, `NetworkPolicy`, ... */
export function layerText(d: Omit<DirectionResult, 'reason'>): string {
  if (d.rule) return kindText(d.rule.policy.kind);
  return 'NetworkPolicy';
}

export function endpointText(ep: PolicyEndpoint): string {
  if (ep.kind === 'pod') return `pod ${ep.namespace}/${ep.pod.name}`;
  if (ep.pod) return `pod ${ep.pod.namespace}/${ep.pod.name} (hostNetwork, node address ${ep.ip ?? 'unknown'})`;
  return ep.ip ?? 'an unknown address';
}

function listPolicies(policies: SimNetworkPolicy[]): string {
  return policies.map((p) => policyText(p.ref)).join(', ');
}

/** One sentence for one direction of a verdict. */
export function directionReason(c: ReasonContext): string {
  const self = endpointText(c.self);
  const other = endpointText(c.other);
  const toFrom = c.direction === 'egress' ? 'to' : 'from';
  const what = `${c.protocol} ${c.port}`;
  const passed = c.result.passedBy ? `${kindText(c.result.passedBy.policy.kind)} ${passText(c.result.passedBy)} passes it on; ` : '';
  switch (c.outcome) {
    case 'not-subject':
      if (c.self.kind === 'ip' && c.self.pod)
        return `${self} uses hostNetwork: no policy selects it, so its ${c.direction} is not filtered by policy`;
      return `${self} is outside the cluster; no policy governs its ${c.direction}`;
    case 'self':
      return `${self} is reaching itself, which a pod can always do whatever the policies say`;
    case 'rule': {
      const hit = c.result.rule;
      const verb = c.result.allowed ? 'allowed' : 'denied';
      return `${passed}${c.direction} of ${self} ${toFrom} ${other} on ${what} is ${verb} by ${hit ? ruleText(hit) : 'a policy rule'}`;
    }
    case 'open':
      if (c.result.passedBy?.skipsNetworkPolicy)
        return `${passed}it leaves the default tier${c.result.isolated ? `, past the NetworkPolicies there that isolate ${self} (${listPolicies(c.policies)})` : ''}, and no later tier nor baseline rule decides, so the namespace's profile allows it`;
      if (c.result.passedBy?.layer === 'cni')
        return `${passed}no later tier, NetworkPolicy nor baseline rule decides for ${self}'s ${c.direction}, so the namespace's profile allows it`;
      if (c.result.passedBy)
        return `${passed}no NetworkPolicy selects ${self} for ${c.direction} and no baseline rule matches, so it is allowed`;
      return `no policy selects ${self} for ${c.direction} (nor matches this connection), so all its ${c.direction} is allowed`;
    case 'node':
      return `${passed}${self} is isolated for ${c.direction} by ${listPolicies(c.policies)}, but traffic between a pod and its own node (${other}) is always allowed`;
    case 'allowed': {
      const by = c.result.allowedBy;
      if (!by) return `${passed}${c.direction} ${toFrom} ${other} on ${what} is allowed`;
      const peerKey = c.direction === 'egress' ? 'to' : 'from';
      const at = `spec.${c.direction}[${by.ruleIndex}]${by.peerIndex !== undefined ? `.${peerKey}[${by.peerIndex}]` : ''}`;
      return `${passed}${c.direction} of ${self} ${toFrom} ${other} on ${what} is allowed by NetworkPolicy ${by.policy.namespace}/${by.policy.name} ${at} (${rangeText(by.range)})`;
    }
    case 'denied': {
      const them = c.policies.length === 1 ? 'its rules' : 'their rules';
      return `${passed}${self} is isolated for ${c.direction} by ${listPolicies(c.policies)}, and none of ${them} allows ${what} ${toFrom} ${other}`;
    }
  }
}

function passText(hit: RuleHit): string {
  if (hit.tier !== undefined) {
    const order = hit.priority !== undefined ? `, order ${hit.priority}` : '';
    const rule = hit.rulePath ? `rule ${hit.rulePath}` : `(the end of tier ${hit.tier})`;
    return `${policyRefId(hit.policy)} (tier ${hit.tier}${order}) ${rule} (${rangeText(hit.range)})`;
  }
  const priority = hit.priority !== undefined ? ` (priority ${hit.priority})` : '';
  const rule = hit.ruleName ? `rule ${hit.ruleName}` : `rule spec.${hit.direction}[${hit.ruleIndex}]`;
  return `${policyRefId(hit.policy)}${priority} ${rule} (${rangeText(hit.range)})`;
}

/** The verdict in one sentence: what was denied (both sides when both deny), or why it passes. */
export function verdictReason(egress: DirectionResult, ingress: DirectionResult): string {
  if (egress.allowed && ingress.allowed) return `allowed: ${egress.reason}; ${ingress.reason}`;
  const denied = [egress, ingress].filter((d) => !d.allowed);
  const layers = [...new Set(denied.map(layerText))].join(' and ');
  return `dropped by ${layers}: ${denied.map((d) => d.reason).join('; ')}`;
}
