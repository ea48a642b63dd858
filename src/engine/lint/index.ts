// The checks that catch what people get wrong (issue 11), run after the policy engine on the
// finished simulation. Each module owns one theme; all messages live in diagnostics.ts.
import type { Diagnostic } from '../diagnostics';
import { LintContext, type LintInput } from './context';
import { lintDns } from './dns';
import { lintSelectors } from './selectors';
import { lintPeers } from './peers';
import { lintPolicyPorts } from './policyPorts';
import { lintPolicyScope } from './policyScope';
import { lintPractices } from './practices';
import { lintAdminPolicies } from './adminPolicies';
import { lintWorkloadSplits } from './workloadSplits';

export type { LintInput } from './context';
export { applyEdits } from './yamlEdit';

/** Runs every check on a finished simulation, adding diagnostics (with fixes where the fix is clear). */
export function runLints(input: LintInput, diagnostics: Diagnostic[]): void {
  const ctx = new LintContext(input, diagnostics);
  lintDns(ctx);
  lintSelectors(ctx);
  lintPeers(ctx);
  lintPolicyPorts(ctx);
  lintPolicyScope(ctx);
  lintPractices(ctx);
  lintAdminPolicies(ctx);
  lintWorkloadSplits(ctx);
}
