// The vocabulary of a policy verdict, shared by the evaluation, its explanations and every reader
// of a verdict (trace, matrix, hovers): which ends, whether each direction admits, and who decided.
import type { SimPod } from '../cluster/model';
import type { Labels } from '../cluster/labels';
import type { SourceRange } from '../source';
import type { PolicyRef } from './parse';

/** One end of a connection: a pod, or an address outside the cluster. */
export type Peer = { kind: 'pod'; pod: SimPod } | { kind: 'external'; ip: string };

export interface DirectionResult {
  /** Whether some policy selects the pod for this direction (only then can anything be denied). */
  isolated: boolean;
  isolatingPolicies: PolicyRef[];
  allowed: boolean;
  /** The first rule (and peer, when the rule names peers) that admits the connection. */
  allowedBy?: { policy: PolicyRef; ruleIndex: number; peerIndex?: number; range: SourceRange | undefined };
  reason: string;
}

/** Whether NetworkPolicy lets a connection through, with the objects that decided it and where they are. */
export interface Verdict {
  allowed: boolean;
  egress: DirectionResult;
  ingress: DirectionResult;
  reason: string;
}

/**
 * How a policy sees one end of a connection: a pod (matched by selectors) or an address (matched by
 * ipBlock). Pod addresses are in-cluster and never match an ipBlock, as the API reference cautions.
 */
export type PolicyEndpoint =
  | { kind: 'pod'; pod: SimPod; namespace: string; labels: Labels; namespaceLabels: Labels }
  | { kind: 'ip'; ip: string | undefined; pod?: SimPod };
