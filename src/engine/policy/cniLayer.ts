// The seam for layer 2 of design.md "Policy layers": the network plugin's own policies
// (CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy under cilium; Calico NetworkPolicy and
// GlobalNetworkPolicy under calico and canal). None is simulated yet. An implementation reads its
// kinds, and the policy engine asks it after the admin tier and before NetworkPolicy, for the
// connections the admin tier handed on: a RuleHit with Allow or Deny decides, Pass (or nothing)
// hands the connection to NetworkPolicy. Its hits carry `layer: 'cni'`.
import type { Protocol } from '../cluster/model';
import type { ConnSet } from './connset';
import type { Direction } from './parse';
import type { PolicyEndpoint, RuleHit } from './types';

export interface CniPolicyLayer {
  /** The rule that decides one connection for `self` (the subject pod's side), or undefined to hand it on. */
  decide(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): RuleHit | undefined;
  /** The same for every port at once: what it allows and denies (the rest goes on to NetworkPolicy). */
  partition(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
  ): { allow: ConnSet; deny: ConnSet };
}
