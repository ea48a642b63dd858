// The sentences a verdict carries. Verdicts are data (policies, rules, peers, positions); these
// few templates turn them into the one-line reasons that hovers, the CLI and traces show.
import type { Protocol } from '../cluster/model';
import type { SourceRange } from '../source';
import type { Direction, PolicyRef, SimNetworkPolicy } from './parse';
import { type DirectionResult, type PolicyEndpoint } from './types';

export interface ReasonContext {
  direction: Direction;
  self: PolicyEndpoint;
  other: PolicyEndpoint;
  port: number;
  protocol: Protocol;
  outcome: 'not-subject' | 'open' | 'allowed' | 'denied';
  policies?: SimNetworkPolicy[];
  allowedBy?: DirectionResult['allowedBy'];
}

export function rangeText(range: SourceRange | undefined): string {
  return range ? `${range.file}:${range.line}:${range.column}` : 'implicit';
}

/** `NetworkPolicy shop/deny-all (policies.yaml:7:3)`: the object and where it is. */
export function policyText(ref: PolicyRef): string {
  return `NetworkPolicy ${ref.namespace}/${ref.name} (${rangeText(ref.range)})`;
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
  switch (c.outcome) {
    case 'not-subject':
      if (c.self.kind === 'ip' && c.self.pod)
        return `${self} uses hostNetwork: NetworkPolicy does not select it, so its ${c.direction} is not filtered by policy`;
      return `${self} is outside the cluster; no NetworkPolicy governs its ${c.direction}`;
    case 'open':
      return `no NetworkPolicy selects ${self} for ${c.direction}, so all its ${c.direction} is allowed`;
    case 'allowed': {
      const by = c.allowedBy;
      if (!by) return `${c.direction} ${toFrom} ${other} on ${what} is allowed`;
      const peerKey = c.direction === 'egress' ? 'to' : 'from';
      const at = `spec.${c.direction}[${by.ruleIndex}]${by.peerIndex !== undefined ? `.${peerKey}[${by.peerIndex}]` : ''}`;
      return `${c.direction} of ${self} ${toFrom} ${other} on ${what} is allowed by NetworkPolicy ${by.policy.namespace}/${by.policy.name} ${at} (${rangeText(by.range)})`;
    }
    case 'denied': {
      const policies = c.policies ?? [];
      const them = policies.length === 1 ? 'its rules' : 'their rules';
      return `${self} is isolated for ${c.direction} by ${listPolicies(policies)}, and none of ${them} allows ${what} ${toFrom} ${other}`;
    }
  }
}

/** The verdict in one sentence: what was denied (both sides when both deny), or why it passes. */
export function verdictReason(egress: DirectionResult, ingress: DirectionResult): string {
  if (egress.allowed && ingress.allowed) return `allowed: ${egress.reason}; ${ingress.reason}`;
  const denied = [egress, ingress].filter((d) => !d.allowed).map((d) => d.reason);
  return `dropped by NetworkPolicy: ${denied.join('; ')}`;
}
