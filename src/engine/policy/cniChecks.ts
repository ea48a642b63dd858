// Diagnostics for what people get wrong with the CNI's own policies (issue 19), for the policies
// the simulated CNI enforces: toFQDNs without a DNS rule that lets the pod ask for the name.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import type { SimPod } from '../cluster/model';
import type { PolicyEngine } from './engine';
import { CiliumLayer } from './cilium';
import type { CiliumRule, SimCiliumPolicy } from './ciliumParse';

export function checkCniPolicies(engine: PolicyEngine, diagnostics: Diagnostic[]): void {
  const layer = engine.cni;
  if (layer instanceof CiliumLayer) checkCilium(engine, layer, diagnostics);
}

function policyId(p: SimCiliumPolicy): string {
  return p.namespace ? `${p.namespace}/${p.name}` : p.name;
}

function resource(p: SimCiliumPolicy): string {
  return resourceName({ kind: p.kind, namespace: p.namespace || undefined, name: p.name });
}

/** The workspace's pods a rule selects (its endpointSelector), one per workload. */
function selectedBy(engine: PolicyEngine, layer: CiliumLayer, policy: SimCiliumPolicy, rule: CiliumRule): SimPod[] {
  const seen = new Set<string>();
  const out: SimPod[] = [];
  for (const pod of engine.cluster.pods) {
    if (pod.origin.kind !== 'manifest') continue;
    const key = `${pod.workload.namespace}/${pod.workload.kind}/${pod.workload.name}`;
    if (seen.has(key)) continue;
    if (!layer.selection(pod).rules.some((s) => s.policy === policy && s.rule === rule)) continue;
    seen.add(key);
    out.push(pod);
  }
  return out;
}

function checkCilium(engine: PolicyEngine, layer: CiliumLayer, diagnostics: Diagnostic[]): void {
  for (const policy of layer.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    const o = policy.origin.object;
    for (const rule of policy.rules) {
      const fqdns = rule.sections.egress.flatMap((e) => (e.peers ?? []).filter((p) => p.kind === 'fqdn'));
      if (fqdns.length === 0) continue;
      const pods = selectedBy(engine, layer, policy, rule);
      for (const peer of fqdns) {
        if (peer.kind !== 'fqdn') continue;
        const name = peer.matchName ?? (peer.matchPattern === '*' ? 'example.com' : (peer.matchPattern ?? '').replace(/\*/g, 'x'));
        const blind = pods.filter((p) => layer.dnsRuleFor(p, name) === undefined);
        if (blind.length === 0) continue;
        diagnostics.push(
          makeDiagnostic(
            'cilium-fqdn-without-dns-rule',
            o.locate(peer.path),
            {
              fqdn: peer.matchName ?? peer.matchPattern ?? '',
              policy: `${policy.kind} ${policyId(policy)}`,
              pods: workloadsText(blind),
            },
            resource(policy),
          ),
        );
      }
    }
  }
}

/** The workloads of some pods, for messages: the first three and a count of the rest. */
function workloadsText(pods: readonly SimPod[]): string {
  const names = [...new Set(pods.map((p) => `${p.workload.kind} ${p.workload.namespace}/${p.workload.name}`))];
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
}
