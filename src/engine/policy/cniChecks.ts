// Diagnostics for what people get wrong with the CNI's own policies (issue 19), for the policies
// the simulated CNI enforces: toFQDNs without a DNS rule that lets the pod ask for the name, an L7
// rule on a port the pods do not serve, a CiliumNetworkPolicy working against a NetworkPolicy of
// the same pods, a Calico selector that matches nothing, a Deny an earlier Allow shadows.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import type { SimPod } from '../cluster/model';
import type { PolicyEngine } from './engine';
import { CiliumLayer } from './cilium';
import { CalicoLayer } from './calico';
import { calicoMatches } from './calicoSelector';
import type { CalicoRule, SimCalicoPolicy } from './calicoParse';
import type { CiliumPort, CiliumRule, SimCiliumPolicy } from './ciliumParse';
import { pathText } from './ciliumRead';

export function checkCniPolicies(engine: PolicyEngine, diagnostics: Diagnostic[]): void {
  const layer = engine.cni;
  if (layer instanceof CiliumLayer) {
    checkCilium(engine, layer, diagnostics);
    checkL7Ports(engine, layer, diagnostics);
    checkAgainstNetworkPolicy(engine, layer, diagnostics);
  }
  if (layer instanceof CalicoLayer) checkCalico(engine, layer, diagnostics);
}

/** One pod per workload of the workspace (not the implicit ones), Running. */
function representatives(engine: PolicyEngine): SimPod[] {
  const seen = new Set<string>();
  return engine.cluster.pods.filter((p) => {
    const key = `${p.workload.namespace}/${p.workload.kind}/${p.workload.name}`;
    if (p.origin.kind !== 'manifest' || p.pending !== undefined || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function serves(pod: SimPod, port: CiliumPort): boolean {
  return pod.containers.some((c) =>
    c.ports.some((cp) =>
      port.kind === 'named'
        ? cp.name === port.name && port.protocols.includes(cp.protocol)
        : cp.containerPort >= port.lo && cp.containerPort <= port.hi && port.protocols.includes(cp.protocol),
    ),
  );
}

/** An L7 (HTTP) rule on ports none of the pods behind it declare: the proxy never sees a request there. */
function checkL7Ports(engine: PolicyEngine, layer: CiliumLayer, diagnostics: Diagnostic[]): void {
  const reps = representatives(engine);
  for (const policy of layer.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    const o = policy.origin.object;
    for (const rule of policy.rules) {
      const subjects = reps.filter((p) => layer.selection(p).rules.some((s) => s.rule === rule));
      for (const entry of [...rule.sections.ingress, ...rule.sections.egress]) {
        // Ingress: the selected pods serve the port; egress: the endpoints the rule names.
        const servers =
          entry.section === 'ingress'
            ? subjects
            : entry.peers?.every((p) => p.kind === 'endpoints')
              ? reps.filter((p) =>
                  entry.peers?.some((peer) => peer.kind === 'endpoints' && layer.selectorMatches(peer.selector, p, layer.labelsOf(p))),
                )
              : [];
        if (servers.length === 0 || servers.some((p) => p.containers.every((c) => c.ports.length === 0))) continue;
        for (const pr of entry.ports ?? []) {
          if (!pr.http) continue;
          for (const port of pr.ports) {
            if (servers.some((p) => serves(p, port))) continue;
            const text = port.kind === 'named' ? port.name : port.lo === port.hi ? `${port.lo}` : `${port.lo}-${port.hi}`;
            const declared = [
              ...new Set(servers.flatMap((p) => p.containers.flatMap((c) => c.ports.map((cp) => `${cp.containerPort}/${cp.protocol}`)))),
            ];
            diagnostics.push(
              makeDiagnostic(
                'cilium-l7-port-not-served',
                o.locate(port.path),
                { port: text, policy: `${policy.kind} ${policyId(policy)}`, pods: workloadsText(servers), declared: declared.join(', ') },
                resource(policy),
              ),
            );
          }
        }
      }
    }
  }
}

/**
 * A CiliumNetworkPolicy and a NetworkPolicy that select the same pods with opposite intent: Cilium
 * enforces them together, so a NetworkPolicy's deny-all does not hold against a Cilium allow, and a
 * Cilium deny wins over a NetworkPolicy allow.
 */
function checkAgainstNetworkPolicy(engine: PolicyEngine, layer: CiliumLayer, diagnostics: Diagnostic[]): void {
  const reps = representatives(engine);
  const reported = new Set<string>();
  for (const pod of reps) {
    const sel = layer.selection(pod);
    if (sel.rules.length === 0) continue;
    const nps = engine.policiesSelecting(pod);
    for (const direction of ['ingress', 'egress'] as const) {
      for (const np of nps[direction]) {
        const denyAll = np.rules[direction].length === 0;
        for (const { policy, rule } of sel.rules) {
          if (policy.origin.kind !== 'manifest') continue;
          const entries = denyAll ? rule.sections[direction] : rule.sections[direction === 'ingress' ? 'ingressDeny' : 'egressDeny'];
          const entry = entries[0];
          if (!entry) continue;
          const key = `${policyId(policy)}|${np.namespace}/${np.name}|${direction}|${denyAll}`;
          if (reported.has(key)) continue;
          reported.add(key);
          const npText = `NetworkPolicy ${np.namespace}/${np.name}`;
          const cnp = `${policy.kind} ${policyId(policy)}`;
          const what = denyAll
            ? `${npText} denies all ${direction} of ${workloadsText([pod])}, but ${cnp} allows some with ${pathText(entry.path)}: Cilium enforces both, and what either allows passes, so the deny-all does not hold`
            : `${cnp} denies ${direction} of ${workloadsText([pod])} with ${pathText(entry.path)}, and ${npText} allows ${direction} for the same pods: Cilium's deny rules win over every allow, so what both name is denied`;
          diagnostics.push(
            makeDiagnostic('cni-policy-conflicts-networkpolicy', policy.origin.object.locate(entry.path), { what }, resource(policy), [
              { message: `${npText} selects the same pods`, location: np.ref.range ?? policy.origin.object.locate(entry.path) },
            ]),
          );
        }
      }
    }
  }
}

function calicoId(p: SimCalicoPolicy): string {
  return `${p.kind === 'CalicoNetworkPolicy' ? 'Calico NetworkPolicy' : 'GlobalNetworkPolicy'} ${p.namespace ? `${p.namespace}/${p.name}` : p.name}`;
}

function calicoResource(p: SimCalicoPolicy): string {
  return resourceName({
    kind: p.kind === 'CalicoNetworkPolicy' ? 'NetworkPolicy' : 'GlobalNetworkPolicy',
    namespace: p.namespace || undefined,
    name: p.name,
  });
}

function checkCalico(engine: PolicyEngine, layer: CalicoLayer, diagnostics: Diagnostic[]): void {
  const reps = representatives(engine);
  for (const policy of layer.sorted) {
    if (policy.origin.kind !== 'manifest') continue;
    const o = policy.origin.object;
    const subjects = reps.filter((p) => layer.appliesTo(policy, p));
    if (subjects.length === 0 && o.has(['spec', 'selector']))
      diagnostics.push(
        makeDiagnostic(
          'calico-selector-matches-nothing',
          o.locate(policy.selector.path),
          {
            selector: policy.selector.text,
            policy: calicoId(policy),
            scope: policy.namespace ? `namespace ${policy.namespace}` : 'the workspace',
          },
          calicoResource(policy),
        ),
      );
    for (const direction of ['ingress', 'egress'] as const) {
      if (!policy.types[direction]) continue;
      for (const rule of policy.rules[direction])
        for (const e of [rule.source, rule.destination]) {
          if (!e.selector || e.unsimulated) continue;
          const sel = e.selector;
          const scope = reps.filter((p) =>
            e.namespaceSelector
              ? calicoMatches(e.namespaceSelector.selector, layer.namespaceLabels(p.namespace))
              : policy.kind === 'GlobalNetworkPolicy' || p.namespace === policy.namespace,
          );
          if (scope.some((p) => !p.hostNetwork && calicoMatches(sel.selector, layer.labelsOf(p)))) continue;
          diagnostics.push(
            makeDiagnostic(
              'calico-selector-matches-nothing',
              o.locate(sel.path),
              {
                selector: sel.text,
                policy: `${calicoId(policy)} (rule ${pathText(rule.path)})`,
                scope: e.namespaceSelector
                  ? `the namespaces ${e.namespaceSelector.text} selects`
                  : policy.namespace
                    ? `namespace ${policy.namespace}`
                    : 'the workspace',
              },
              calicoResource(policy),
            ),
          );
        }
      policy.rules[direction].forEach((rule) => {
        if (rule.action !== 'Deny') return;
        const by = shadowingAllow(engine, layer, policy, rule, direction, subjects, reps);
        if (!by) return;
        diagnostics.push(
          makeDiagnostic(
            'calico-deny-shadowed',
            o.locate([...rule.path, 'action']),
            { rule: pathText(rule.path), policy: calicoId(policy), by },
            calicoResource(policy),
          ),
        );
      });
    }
  }
}

/**
 * The earlier Allow (a policy of lower order, or an earlier rule) that lets through everything a
 * Deny rule matches among the workspace's pods, if one does; the Deny then never decides anything.
 */
function shadowingAllow(
  engine: PolicyEngine,
  layer: CalicoLayer,
  policy: SimCalicoPolicy,
  rule: CalicoRule,
  direction: 'ingress' | 'egress',
  subjects: SimPod[],
  reps: SimPod[],
): string | undefined {
  if (rule.source.nets || rule.destination.nets || subjects.length === 0) return undefined;
  let by: string | undefined;
  let matched = false;
  for (const s of subjects) {
    const self = engine.endpointOf({ kind: 'pod', pod: s });
    if (self.kind !== 'pod') continue;
    const earlier = layer.selection(s)[direction];
    for (const q of reps) {
      if (q === s) continue;
      const other = engine.endpointOf({ kind: 'pod', pod: q });
      const dst = direction === 'ingress' ? self : other;
      if (!layer.endsMatch(policy, rule, direction, self, other)) continue;
      let conns = layer.ruleConnections(rule, dst);
      if (conns.isEmpty()) continue;
      matched = true;
      for (const p of earlier) {
        for (const r of p.rules[direction]) {
          if (p === policy && r === rule) break;
          if (r.action === 'Allow' && layer.endsMatch(p, r, direction, self, other)) {
            const before = conns;
            conns = conns.subtract(layer.ruleConnections(r, dst));
            if (!before.equals(conns))
              by ??= `${calicoId(p)}${p.order !== undefined ? ` (order ${p.order})` : ''} rule ${pathText(r.path)}`;
          } else if (
            r.action !== 'Log' &&
            !(r.action === 'Pass' && p.tier !== policy.tier) &&
            layer.endsMatch(p, r, direction, self, other)
          )
            // A Pass in an earlier tier hands the connection on to the Deny's tier; one in its own tier skips it.
            conns = conns.subtract(layer.ruleConnections(r, dst));
        }
        if (p === policy) break;
      }
      if (!conns.isEmpty()) return undefined;
    }
  }
  return matched ? by : undefined;
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
