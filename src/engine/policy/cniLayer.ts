// The seam for layer 2 of design.md "Policy layers": the network plugin's own policies
// (CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy under cilium, cilium.ts; Calico
// NetworkPolicy and GlobalNetworkPolicy under calico and canal, calico.ts). The policy engine asks
// the layer after the admin tier and before NetworkPolicy, for the connections the admin tier
// handed on: a RuleHit with Allow or Deny decides, nothing hands the connection to NetworkPolicy.
// Its hits carry `layer: 'cni'`.
import type { Protocol, SimPod } from '../cluster/model';
import type { Cluster } from '../cluster/model';
import type { Labels } from '../cluster/labels';
import type { ConnSet } from './connset';
import type { IpRange } from './ipRanges';
import type { Direction, PolicyRef } from './parse';
import type { PolicyEndpoint, RuleHit } from './types';

/** What a layer may ask of the policy engine: the cluster, and what NetworkPolicy (layer 3) says. */
export interface CniLayerHost {
  readonly cluster: Cluster;
  /** Whether some NetworkPolicy isolates the pod for a direction. */
  networkPolicyIsolates(pod: SimPod, direction: Direction): boolean;
  /** What the NetworkPolicies isolating `self` admit from/to `other` (ALL when none isolates it). */
  networkPolicyConnections(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
  ): ConnSet;
  namespaceLabels(namespace: string): Labels;
}

/**
 * Where among the layers the engine asks the CNI layer. `main`: after the admin tier, before
 * NetworkPolicy (a Pass hit with `skipsNetworkPolicy` goes on past NetworkPolicy, as a Calico Pass
 * out of the default tier does). Calico's tiers also fall before the admin tier (`beforeAdmin`),
 * between NetworkPolicy and the baseline (`afterDefault`, asked only when NetworkPolicy did not
 * decide) and after the baseline (`afterBaseline`), by their order (calicoTiers.ts).
 */
export type CniStage = 'beforeAdmin' | 'main' | 'afterDefault' | 'afterBaseline';

export interface CniPolicyLayer {
  /** The policies the layer enforces, for listings (the matrix's count, hovers). */
  readonly refs: readonly PolicyRef[];
  /** The stages the layer has policies in (the engine asks only those). */
  readonly stages: ReadonlySet<CniStage>;
  /** Whether some rule of the layer selects the pod for a direction (then the matrix asks the layer pair by pair). */
  selects(pod: SimPod, direction: Direction): boolean;
  /**
   * The rule that decides one connection for `self` (the subject pod's side) at a stage: Allow or
   * Deny decides; a Pass hit, or undefined, hands it on (the Pass is named in the explanation).
   */
  decide(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
    stage: CniStage,
  ): RuleHit | undefined;
  /**
   * The same for every port at once: what it allows and denies, and (at `main`) what it passes on
   * past NetworkPolicy; the rest goes on to the next layer.
   */
  partition(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    stage: CniStage,
  ): { allow: ConnSet; deny: ConnSet; pass?: ConnSet };
  /** Of what the layer allows, the connections an L7 proxy checks request by request (Cilium's HTTP rules). */
  l7(direction: Direction, self: PolicyEndpoint & { kind: 'pod' }, other: PolicyEndpoint, dst: PolicyEndpoint): ConnSet;
  /** What tells pods apart for the layer (which of its selectors match a pod), for the matrix's pod classes. */
  classKey(pod: SimPod): string;
  /** The address ranges the layer's rules name, for the matrix to cut the outside at. */
  externalRanges(direction: Direction): IpRange[];
}

export type CniLayerFactory = (host: CniLayerHost) => CniPolicyLayer;
