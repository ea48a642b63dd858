// The vocabulary of a policy verdict, shared by the evaluation, its explanations and every reader
// of a verdict (trace, matrix, hovers): which ends, whether each direction admits, and who decided.
// A direction is decided by the layers of design.md "Policy layers", in order: the cluster-wide
// admin tier (AdminNetworkPolicy, Admin-tier ClusterNetworkPolicy), the CNI's own policies (a seam,
// none simulated yet), NetworkPolicy, then the baseline tier (BaselineAdminNetworkPolicy,
// Baseline-tier ClusterNetworkPolicy).
import type { SimPod } from '../cluster/model';
import type { Labels } from '../cluster/labels';
import type { SourceRange } from '../source';
import type { IpRange } from './ipRanges';
import type { Direction, PolicyRef } from './parse';
import type { DnsRule, HttpRule } from './ciliumTypes';

/** One end of a connection: a pod, or an address outside the cluster. */
/** `name`: the DNS name the pod looked up to reach the address, when it did (Cilium's toFQDNs match by it). */
export type Peer = { kind: 'pod'; pod: SimPod } | { kind: 'external'; ip: string; name?: string };

/** The layers that decide a direction, in the order they are asked. */
export type PolicyLayerName = 'admin' | 'cni' | 'network' | 'baseline';

/** What a cluster-wide rule does with what it matches (ClusterNetworkPolicy's Accept reads as Allow). */
export type AdminAction = 'Allow' | 'Deny' | 'Pass';

/** A rule of a first-match layer (cluster-wide, or the CNI's own) that matched a connection: which policy, which rule, and where it is written. */
export interface RuleHit {
  layer: Exclude<PolicyLayerName, 'network'>;
  policy: PolicyRef;
  /** The policy's priority (lower first); undefined for the BaselineAdminNetworkPolicy, which has none. */
  priority: number | undefined;
  direction: Direction;
  ruleIndex: number;
  /** The rule's `name`, when it has one. */
  ruleName: string | undefined;
  action: AdminAction;
  /** The peer of the rule that matched. */
  peerIndex: number;
  range: SourceRange | undefined;
  /** Where the rule is, as a reason names it (`spec.ingress[0]`), when the layer's rules are not a plain `spec.<direction>` list. */
  rulePath?: string;
  /** Set when no rule decided but the layer's default did (Cilium's default deny, Calico's end of tier): why, in a few words. */
  note?: string;
  /** What enforces the rule, in the plugin's terms (Cilium's eBPF datapath, or its Envoy proxy for L7 rules). */
  enforcement?: string;
  /** Cilium L7: the HTTP rules the proxy checks each request of an allowed connection against (undefined: L4 only). */
  http?: HttpRuleRef[];
  /** Cilium L7 DNS: the rules.dns patterns its DNS proxy checks each query of an allowed connection against. */
  dns?: Array<{ policy: PolicyRef; rule: DnsRule; range: SourceRange | undefined }>;
  /** Cilium toFQDNs: the name the rule matched the address by. */
  fqdn?: string;
  /** Calico: the tier of the policy (`default`). */
  tier?: string;
  /** Calico: a Pass out of the default tier, which skips the Kubernetes NetworkPolicies in it. */
  skipsNetworkPolicy?: boolean;
}

/** One HTTP rule of a Cilium policy, with the policy it belongs to and where it is written. */
export interface HttpRuleRef {
  policy: PolicyRef;
  rule: HttpRule;
  range: SourceRange | undefined;
}

/**
 * Who decided one direction: `not-subject` (an address, or a hostNetwork pod read as its node's,
 * which no policy selects), `self` (a pod reaching itself), `admin`, `cni` or `baseline` (a rule of
 * that layer, in `rule`), `network` (the NetworkPolicies isolating the pod), `node` (NetworkPolicy
 * isolates the pod, but traffic between a pod and its own node is always allowed), `none` (no
 * layer applies: allowed).
 */
export type Decider = 'not-subject' | 'self' | 'admin' | 'cni' | 'network' | 'node' | 'baseline' | 'none';

export interface DirectionResult {
  /** Whether some NetworkPolicy selects the pod for this direction (then NetworkPolicy decides what the admin tier hands on). */
  isolated: boolean;
  isolatingPolicies: PolicyRef[];
  allowed: boolean;
  /** The first NetworkPolicy rule (and peer, when the rule names peers) that admits the connection. */
  allowedBy?: { policy: PolicyRef; ruleIndex: number; peerIndex?: number; range: SourceRange | undefined };
  decidedBy: Decider;
  /** The rule that decided (Allow or Deny), when `decidedBy` is `admin`, `cni` or `baseline`. */
  rule?: RuleHit;
  /** The admin-tier Pass rule that handed the connection to the layers below, when one matched. */
  passedBy?: RuleHit;
  reason: string;
}

/** Whether policy lets a connection through, with the objects that decided it and where they are. */
export interface Verdict {
  allowed: boolean;
  egress: DirectionResult;
  ingress: DirectionResult;
  reason: string;
}

/**
 * How a policy sees one end of a connection: a pod (matched by selectors) or an address (matched by
 * ipBlock and networks). Pod addresses never match a NetworkPolicy ipBlock, as the API reference
 * cautions; a cluster-wide `networks` peer matches them (the API says so). `range` stands for every
 * address of a range outside the cluster (the matrix's rows): a peer matches it when it covers it all.
 */
export type PolicyEndpoint =
  | { kind: 'pod'; pod: SimPod; namespace: string; labels: Labels; namespaceLabels: Labels }
  | { kind: 'ip'; ip: string | undefined; pod?: SimPod; range?: IpRange; name?: string };
