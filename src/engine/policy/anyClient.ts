// What a pod's ingress admits from a client that could be any pod of any namespace: an ingress
// controller whose labels are not known (the matrix's {ingress-controller} lines).
import { ConnSet } from './connset';
import type { SimPod } from '../cluster/model';
import type { Labels } from '../cluster/labels';
import type { Peer, PolicyEndpoint } from './types';
import { admitsEveryPod } from './networkPolicy';
import type { AdminTiers } from './admin';
import type { CniPolicyLayer } from './cniLayer';
import type { PolicyRule } from './parse';

/** What of the policy engine this reads (engine.ts implements it). */
export interface AnyClientHost {
  readonly tiers: AdminTiers;
  readonly cni: CniPolicyLayer | undefined;
  endpointOf(peer: Peer): PolicyEndpoint;
  policiesSelecting(pod: SimPod): { ingress: readonly { rules: { ingress: readonly PolicyRule[] } }[] };
  ruleConnections(rule: PolicyRule, dst: PolicyEndpoint): ConnSet;
}

/**
 * What a pod's ingress admits from a client that could be any pod of any namespace (an ingress
 * controller whose labels are not known): only what every possible client is admitted counts.
 * A cluster-wide rule that may match some clients but not others counts as denying, unless it allows.
 */
export function ingressFromAnyPod(engine: AnyClientHost, pod: SimPod): ConnSet {
  const dst = engine.endpointOf({ kind: 'pod', pod });
  if (dst.kind !== 'pod') return ConnSet.ALL;
  let allowed = ConnSet.NONE;
  let handed = ConnSet.ALL;
  if (engine.tiers.tiers.admin.length > 0) {
    const p = anyClient(engine, 'admin', pod, dst);
    allowed = p.allow;
    handed = p.handed;
  }
  if (engine.cni?.selects(pod, 'ingress')) handed = ConnSet.NONE; // not simulated: nothing is promised for every client
  const policies = engine.policiesSelecting(pod).ingress;
  if (policies.length > 0) {
    let np = ConnSet.NONE;
    for (const policy of policies) {
      for (const rule of policy.rules.ingress) {
        if (rule.peers === null || rule.peers.some(admitsEveryPod)) np = np.union(engine.ruleConnections(rule, dst));
      }
    }
    return allowed.union(handed.intersect(np));
  }
  if (engine.tiers.tiers.baseline.length > 0) {
    const p = anyClient(engine, 'baseline', pod, dst);
    return allowed.union(handed.intersect(p.allow.union(p.handed)));
  }
  return allowed.union(handed);
}

/** One tier's rules against an unknown pod client: what it surely allows, and what surely goes on to the next layer. */
function anyClient(
  engine: AnyClientHost,
  tier: 'admin' | 'baseline',
  pod: SimPod,
  dst: PolicyEndpoint,
): { allow: ConnSet; handed: ConnSet } {
  let remaining = ConnSet.ALL;
  let allow = ConnSet.NONE;
  let handed = ConnSet.NONE;
  for (const policy of engine.tiers.selecting(tier, pod).ingress) {
    for (const rule of policy.rules.ingress) {
      const conns = engine.tiers.ruleConnections(rule, dst).intersect(remaining);
      if (conns.isEmpty()) continue;
      const everyPod = rule.peers.some(
        (p) => p.kind === 'pods' && isEverything(p.namespaces) && (p.pods === undefined || isEverything(p.pods)),
      );
      if (!everyPod) {
        // Some clients match and some do not: an Allow leaves the rest to later rules; anything else is not promised.
        if (rule.action !== 'Allow') remaining = remaining.subtract(conns);
        continue;
      }
      if (rule.action === 'Allow') allow = allow.union(conns);
      else if (rule.action === 'Pass') handed = handed.union(conns);
      remaining = remaining.subtract(conns);
    }
  }
  return { allow, handed: handed.union(remaining) };
}

function isEverything(s: { matchLabels: Labels; matchExpressions: unknown[] }): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}
