// The policy layer of the topology view: for one selected pod or workload, who may reach it and
// whom it may reach, per declared port, with the policies that decided each verdict (of every
// layer: cluster-wide tiers with priority and rule, NetworkPolicy) and the layer that did. The
// verdicts come from the policy engine (analysis.policies); this only asks and reshapes.
import { cmp } from '../diagnostics';
import { podId, type Protocol, type SimPod } from '../cluster/model';
import type { Analysis } from '../analyze';
import { NO_POLICIES, type PolicyOracle, type PolicyRef, type PolicyVerdict } from '../policy/oracle';
import type { RuleHit } from '../policy/types';
import { decidingPolicies } from '../policy/explain';
import type { PolicyEdge, PolicyLayer, PolicyRefView } from './types';

const EXTERNAL = 'external';

function workloadOf(p: SimPod): string {
  return `${p.workload.namespace}/${p.workload.name}`;
}

function refView(r: PolicyRef): PolicyRefView {
  const view: PolicyRefView = { kind: r.kind, namespace: r.namespace, name: r.name };
  if (r.range) view.source = r.range;
  return view;
}

function ruleView(hit: RuleHit, action: string): Pick<PolicyRefView, 'priority' | 'rule' | 'action' | 'tier'> {
  // A CNI layer's default decided (Cilium's default deny, Calico's end of tier) when no rule did.
  const rule =
    hit.ruleIndex < 0 && hit.note !== undefined
      ? hit.tier !== undefined
        ? 'end of tier'
        : 'default deny'
      : (hit.rulePath ?? hit.ruleName ?? `spec.${hit.direction}[${hit.ruleIndex}]`);
  const out: Pick<PolicyRefView, 'priority' | 'rule' | 'action' | 'tier'> = { rule, action };
  if (hit.priority !== undefined) out.priority = hit.priority;
  if (hit.tier !== undefined) out.tier = hit.tier;
  return out;
}

/**
 * The policies behind a verdict, pointing at the rule that decided where there is one: the
 * deciding rule's policy on each side of an allowed connection, or on each side that denies; an
 * admin-tier Pass that handed a side on is listed too (it shaped the verdict).
 */
function deciders(v: PolicyVerdict): PolicyRefView[] {
  const views: PolicyRefView[] = [];
  for (const d of [v.egress, v.ingress]) {
    if (!v.allowed && d.allowed) continue;
    if (d.passedBy) views.push({ ...refView({ ...d.passedBy.policy, range: d.passedBy.range }), ...ruleView(d.passedBy, 'Pass') });
    const range = d.rule?.range ?? d.allowedBy?.range;
    for (const ref of decidingPolicies(d)) {
      const view = refView(range && (d.rule || d.allowedBy) ? { ...ref, range } : ref);
      views.push(d.rule ? { ...view, ...ruleView(d.rule, d.rule.action) } : view);
    }
  }
  const seen = new Set<string>();
  const key = (r: PolicyRefView) => `${r.kind}/${r.namespace}/${r.name}/${r.rule ?? ''}`;
  return views.filter((r) => !seen.has(key(r)) && seen.add(key(r)));
}

const LAYERS: ReadonlyArray<PolicyEdge['layer']> = ['admin', 'cni', 'baseline', 'network'];

/** The layer that decided a verdict: of the denying sides, or of both sides when allowed (the earliest layer first). */
function decidingLayer(v: PolicyVerdict): PolicyEdge['layer'] {
  const sides = [v.egress, v.ingress].filter((d) => v.allowed || !d.allowed);
  const layers = new Set<string>(sides.map((d) => d.decidedBy));
  return LAYERS.find((l) => layers.has(l)) ?? 'none';
}

function declaredPorts(p: SimPod): Array<{ port: number; protocol: Protocol }> {
  const seen = new Set<string>();
  const out: Array<{ port: number; protocol: Protocol }> = [];
  for (const c of p.containers) {
    for (const port of c.ports) {
      const key = `${port.containerPort}/${port.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ port: port.containerPort, protocol: port.protocol });
    }
  }
  return out.sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol));
}

/** The pod a layer is computed for: the pod of that id, else the first pod (by name) of the workload of that id. */
export function representativePod(pods: readonly SimPod[], focus: string): SimPod | undefined {
  const direct = pods.find((p) => podId(p) === focus);
  if (direct) return direct;
  return pods.filter((p) => workloadOf(p) === focus).sort((a, b) => cmp(a.name, b.name))[0];
}

/**
 * The policy layer for `focus` (a pod id or a workload id): every other workload's first pod as a
 * peer, inbound on the focus pod's declared ports and outbound on the peer's, plus the external
 * client inbound. Undefined when `focus` names no pod. Without a policy engine, everything is allowed.
 */
export function policyLayer(analysis: Pick<Analysis, 'cluster'> & { policies?: PolicyOracle }, focus: string): PolicyLayer | undefined {
  const { cluster } = analysis;
  const oracle = analysis.policies ?? NO_POLICIES;
  const pod = representativePod(cluster.pods, focus);
  if (!pod) return undefined;
  const self = podId(pod);
  const selfWorkload = workloadOf(pod);
  const peers = new Map<string, SimPod>();
  for (const p of [...cluster.pods].sort((a, b) => cmp(podId(a), podId(b)))) {
    const w = workloadOf(p);
    if (w !== selfWorkload && !peers.has(w) && p.ip !== undefined) peers.set(w, p);
  }
  const edges: PolicyEdge[] = [];
  const add = (
    direction: 'ingress' | 'egress',
    from: string,
    to: string,
    fromWorkload: string,
    toWorkload: string,
    port: number,
    protocol: Protocol,
    v: PolicyVerdict,
  ) => {
    edges.push({
      id: `${direction}:${from}->${to}:${port}/${protocol}`,
      direction,
      from,
      to,
      fromWorkload,
      toWorkload,
      port,
      protocol,
      allowed: v.allowed,
      policies: deciders(v),
      layer: decidingLayer(v),
      reason: v.reason,
    });
  };
  const inbound = declaredPorts(pod);
  for (const { port, protocol } of inbound) {
    const ip = cluster.settings.externalClient;
    add(
      'ingress',
      EXTERNAL,
      self,
      EXTERNAL,
      selfWorkload,
      port,
      protocol,
      oracle.verdict({ kind: 'external', ip }, { kind: 'pod', pod }, port, protocol),
    );
  }
  for (const [w, peer] of peers) {
    const peerId = podId(peer);
    for (const { port, protocol } of inbound)
      add(
        'ingress',
        peerId,
        self,
        w,
        selfWorkload,
        port,
        protocol,
        oracle.verdict({ kind: 'pod', pod: peer }, { kind: 'pod', pod }, port, protocol),
      );
    for (const { port, protocol } of declaredPorts(peer))
      add(
        'egress',
        self,
        peerId,
        selfWorkload,
        w,
        port,
        protocol,
        oracle.verdict({ kind: 'pod', pod }, { kind: 'pod', pod: peer }, port, protocol),
      );
  }
  edges.sort((a, b) => cmp(a.id, b.id));
  return { focus, pod: self, edges };
}
