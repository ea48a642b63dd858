// The policy questions a trace asks. The policy engine (`analysis.policies`) answers them;
// the trace depends only on this structural interface, so tests can hand it a small fake.
import type { Protocol } from '../cluster/model';
import { type DirectionResult, type Peer, type Verdict } from './types';

export type { DirectionResult, Peer, PolicyRef, Verdict as PolicyVerdict } from './engine';

/** What the trace needs from the policy engine: one verdict per (source, destination, port, protocol). */
export interface PolicyOracle {
  verdict(src: Peer, dst: Peer, port: number, protocol: Protocol): Verdict;
}

const OPEN: DirectionResult = {
  isolated: false,
  isolatingPolicies: [],
  allowed: true,
  decidedBy: 'none',
  reason: 'no policy selects this pod for this direction',
};

/** The oracle of a cluster without NetworkPolicy: every pod is non-isolated, everything is allowed. */
export const NO_POLICIES: PolicyOracle = {
  verdict: () => ({ allowed: true, egress: OPEN, ingress: OPEN, reason: 'no policy applies' }),
};
