// What policies cover and what enforces them: ipBlocks over the cluster's own ranges (CNI-dependent
// for pods, never for ClusterIPs), policyTypes that drop a direction's rules, pods no policy
// isolates in a namespace that has policies, namespaces without a default-deny, and, with a CNI
// that enforces none (Flannel), every policy. The opinionated infos leave cluster snapshots alone:
// a dump records what runs, it is not a source to edit.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName, isRecord } from '../manifests/fields';
import { isEmptySelector } from '../cluster/labels';
import { cidrRange, rangesCover, type IpRange } from '../policy/ipRanges';
import { cniProfile } from '../dataplane/cni';
import type { SimPod } from '../cluster/model';
import type { SimNetworkPolicy } from '../policy/engine';
import { workloadsText, type LintContext } from './context';
import { isLive } from '../cluster/snapshot';

const resource = (p: SimNetworkPolicy) => resourceName({ kind: 'NetworkPolicy', namespace: p.namespace, name: p.name });

export function lintPolicyScope(ctx: LintContext): void {
  ipBlocks(ctx);
  droppedRules(ctx);
  notEnforced(ctx);
  unprotected(ctx);
  defaultDeny(ctx);
}

const overlaps = (a: IpRange, b: IpRange) => a.family === b.family && a.lo <= b.hi && b.lo <= a.hi;

/** How the selected CNI treats pod addresses in ipBlocks, and what the simulation does. */
function podBehaviour(cni: string): string {
  const how: Record<string, string> = {
    calico: 'Calico matches pod addresses against ipBlocks, so on a real cluster this admits those pods',
    canal: "Canal (Calico's policy) matches pod addresses against ipBlocks, so on a real cluster this admits those pods",
    cilium: 'Cilium matches ipBlocks only against addresses outside the cluster, so pods are not admitted by it',
    weave: 'weave-npc matches ipBlocks against pod addresses too, so on a real cluster this may admit those pods',
    flannel: 'Flannel enforces no NetworkPolicy at all',
  };
  return `Whether pod traffic matches an ipBlock depends on the CNI: ${how[cni] ?? 'it varies by plugin'}; kube-netsim simulates the API's reading for ${cni} (pods match only by podSelector and namespaceSelector).`;
}

function ipBlocks(ctx: LintContext): void {
  const s = ctx.cluster.settings;
  const named = (cidr: string | undefined, what: string) =>
    cidr ? [{ range: cidrRange(cidr), what: `the ${what} CIDR ${cidr}`, pods: what === 'pod' }] : [];
  const cluster = [
    ...named(s.podCIDR, 'pod'),
    ...named(s.podCIDRv6, 'pod'),
    ...named(s.serviceCIDR, 'Service'),
    ...named(s.serviceCIDRv6, 'Service'),
  ].filter((c): c is { range: IpRange; what: string; pods: boolean } => c.range !== undefined);
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    for (const direction of ['ingress', 'egress'] as const) {
      for (const rule of policy.rules[direction]) {
        for (const peer of rule.peers ?? []) {
          if (peer.kind !== 'ipBlock' || ctx.isClaimed(policy, peer.path)) continue;
          const block = cidrRange(peer.cidr);
          const hit = cluster.filter((c) => peer.ranges.some((r) => overlaps(r, c.range)));
          if (!block || hit.length === 0) continue;
          // A block inside the cluster's ranges targets them on purpose (and does not work); a wide
          // block that merely contains them (0.0.0.0/0) is worth knowing about, no more.
          const inside = hit.some((c) => rangesCover([c.range], block));
          const parts: string[] = [];
          if (hit.some((c) => c.pods)) parts.push(podBehaviour(s.cni));
          if (hit.some((c) => !c.pods))
            parts.push(
              `Service ClusterIPs never match: NetworkPolicy sees traffic after kube-proxy's DNAT, addressed to the pods behind the Service.`,
            );
          const todo = inside
            ? 'Select the pods with podSelector and namespaceSelector instead.'
            : `If you mean only addresses outside the cluster, add ${hit.map((c) => c.what.split(' ').pop()).join(' and ')} to except.`;
          const d = makeDiagnostic(
            'ipblock-covers-cluster-cidr',
            policy.origin.object.locate([...peer.path, 'cidr']),
            { cidr: peer.cidr, covers: hit.map((c) => c.what).join(' and '), behaviour: parts.join(' '), todo },
            resource(policy),
          );
          if (!inside) d.severity = 'info';
          ctx.report(d);
        }
      }
    }
  }
}

function droppedRules(ctx: LintContext): void {
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest' || !policy.explicitTypes) continue;
    const o = policy.origin.object;
    for (const direction of ['ingress', 'egress'] as const) {
      if (policy.affects[direction] || policy.rules[direction].length === 0) continue;
      // Read for a report only: most policies name the types their rules need.
      const spec = o.raw['spec'];
      const types = isRecord(spec) && Array.isArray(spec['policyTypes']) ? spec['policyTypes'].map(String).join(', ') : '';
      const Direction = direction === 'ingress' ? 'Ingress' : 'Egress';
      ctx.report(
        makeDiagnostic(
          'policy-type-drops-rules',
          o.locate(['spec', direction]),
          { policy: `${policy.namespace}/${policy.name}`, direction, Direction, types: `[${types}]` },
          resource(policy),
          [{ message: `policyTypes names only ${types}`, location: o.locate(['spec', 'policyTypes']) }],
        ),
      );
    }
  }
}

function notEnforced(ctx: LintContext): void {
  const profile = cniProfile(ctx.cluster.settings);
  if (profile.enforcer) return;
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    const selected = ctx.representatives().filter((p) => ctx.engine.selects(policy, p));
    const effect =
      selected.length > 0
        ? `${workloadsText(selected)} stay${selected.length === 1 ? 's' : ''} open to all traffic`
        : 'it protects nothing';
    ctx.report(
      makeDiagnostic(
        'policy-not-enforced',
        policy.origin.object.locate(['metadata', 'name']),
        { cni: profile.plugin, effect },
        resource(policy),
      ),
    );
  }
}

/** Where a pod's labels are written (the template's, for a workload), for pointing at them. */
function labelsPath(pod: SimPod): ReadonlyArray<string | number> {
  return [...pod.specPath.slice(0, -1), 'metadata', 'labels'];
}

function unprotected(ctx: LintContext): void {
  const e = ctx.engine;
  const namespaces = new Set(e.policies.filter((p) => p.origin.kind === 'manifest').map((p) => p.namespace));
  for (const ns of [...namespaces].sort()) {
    const reps = ctx.repsIn(ns).filter((p) => e.selectable(p));
    const policies = e.policiesIn(ns).filter((p) => p.origin.kind === 'manifest');
    // Policies that select nothing are reported as such; they do not make a namespace "policed".
    if (!reps.some((p) => e.policiesSelecting(p).ingress.length > 0 || e.policiesSelecting(p).egress.length > 0)) continue;
    for (const pod of reps) {
      // A pod the CNI's own policies isolate (Cilium's default deny, a Calico policy) is protected too.
      if (
        e.policiesSelecting(pod).ingress.length > 0 ||
        e.cni?.selects(pod, 'ingress') ||
        pod.origin.kind !== 'manifest' ||
        isLive(pod.origin.object)
      )
        continue;
      const o = pod.origin.object;
      const at = o.has(labelsPath(pod)) ? o.locate(labelsPath(pod)) : o.locate(['metadata', 'name']);
      const names = policies.map((p) => p.name);
      const text = `${names.length === 1 ? 'NetworkPolicy' : 'NetworkPolicies'} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
      ctx.report(
        makeDiagnostic(
          'pod-unprotected',
          at,
          { workload: `${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name}`, namespace: ns, policies: text },
          resourceName({ kind: o.kind, namespace: ns, name: o.name }),
        ),
      );
    }
  }
}

function defaultDeny(ctx: LintContext): void {
  for (const ns of ctx.cluster.namespaces.values()) {
    if (ns.origin.kind !== 'manifest' || isLive(ns.origin.object)) continue;
    const reps = ctx.repsIn(ns.name).filter((p) => ctx.engine.selectable(p));
    if (reps.length === 0) continue;
    if (ctx.engine.policiesIn(ns.name).some((p) => isEmptySelector(p.podSelector) && p.affects.ingress)) continue;
    const open = reps.filter((p) => ctx.engine.policiesSelecting(p).ingress.length === 0);
    const text =
      open.length > 0
        ? `its pods that no policy selects (${workloadsText(open)}) and every pod added later`
        : 'every pod added to it later';
    const d: Diagnostic = makeDiagnostic(
      'namespace-no-default-deny',
      ns.origin.object.locate(['metadata', 'name']),
      { namespace: ns.name, open: text, plural: open.length > 0 ? 'yes' : '' },
      resourceName({ kind: 'Namespace', name: ns.name }),
    );
    ctx.report(d);
  }
}
