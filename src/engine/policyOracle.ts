// The NetworkPolicy questions a trace asks, in the shape of the policy engine's API
// (src/engine/networkPolicy.ts, `analysis.policies`). Kept as a structural interface so the
// trace can be tested with a small fake and takes the real engine as soon as it exists.
import type { Protocol, SimPod } from './model';
import type { SourceRange } from './source';

export type Peer = { kind: 'pod'; pod: SimPod } | { kind: 'external'; ip: string };

export interface PolicyRef {
  namespace: string;
  name: string;
  range: SourceRange | undefined;
}

export interface DirectionResult {
  isolated: boolean;
  isolatingPolicies: PolicyRef[];
  allowed: boolean;
  allowedBy?: { policy: PolicyRef; ruleIndex: number; peerIndex?: number; range: SourceRange | undefined };
  reason: string;
}

export interface PolicyVerdict {
  allowed: boolean;
  egress: DirectionResult;
  ingress: DirectionResult;
  reason: string;
}

/** What the trace needs from the policy engine: one verdict per (source, destination, port, protocol). */
export interface PolicyOracle {
  verdict(src: Peer, dst: Peer, port: number, protocol: Protocol): PolicyVerdict;
}

const OPEN: DirectionResult = { isolated: false, isolatingPolicies: [], allowed: true, reason: 'no NetworkPolicy selects this pod for this direction' };

/** The oracle of a cluster without NetworkPolicy: every pod is non-isolated, everything is allowed. */
export const NO_POLICIES: PolicyOracle = {
  verdict: () => ({ allowed: true, egress: OPEN, ingress: OPEN, reason: 'no NetworkPolicy applies' }),
};
