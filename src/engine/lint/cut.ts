// What a budget cut must not turn into noise: a Service whose pods were left out reads as one
// without endpoints, a policy over them as one that selects nothing. Those diagnostics are
// dropped where pods or endpoints were cut; the one simulation-limit warning says so.
import { parseResource } from '../catalogue';
import type { Diagnostic, DiagnosticCode } from '../diagnostics';
import type { SimulationCut } from '../cluster/model';

/** Codes decided by the pods or endpoints of the object's own namespace. */
const NAMESPACE_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  'policy-selects-nothing',
  'policy-splits-workload',
  'service-no-endpoints',
  'service-target-port-unresolved',
  'service-port-mismatch',
  'external-traffic-local-imbalance',
  // Its message names what routes to the pods, which the lost endpoints change.
  'missing-readiness-probe',
]);

/** Codes that may follow from pods or endpoints of any namespace (a name resolved across namespaces, a peer's pods). */
const CLUSTER_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  'selector-near-miss',
  'policy-peer-or-and',
  'policy-named-port-missing',
  'policy-blocks-dns',
  'policy-dns-rule-matches-nothing',
  'connection-blocked-by-policy',
  'dns-name-unresolved',
  'admin-policy-rule-shadowed',
  'admin-policy-pass-to-baseline',
]);

/** The diagnostics that do not depend on what `cut` left out. */
export function dropCutDependents(diagnostics: Diagnostic[], cut: SimulationCut): Diagnostic[] {
  return diagnostics.filter((d) => {
    if (CLUSTER_CODES.has(d.code)) return false;
    if (!NAMESPACE_CODES.has(d.code)) return true;
    const namespace = parseResource(d.resource)?.namespace;
    // Without a namespace to tell, the diagnostic may be about pods that were cut.
    return namespace !== undefined && !cut.namespaces.has(namespace);
  });
}
