// Runs in the analysis worker (no vscode here): hovers on the cluster-wide policies (AdminNetworkPolicy,
// BaselineAdminNetworkPolicy, ClusterNetworkPolicy) and on hostNetwork pods. They say where a policy
// sits among the layers of design.md "Policy layers", what it selects, and what each rule does with
// the pods of the workspace its peers match, all from the simulation.
import { type AdminPeer, type AdminRule, type Analysis, type SimAdminPolicy, type SimPod } from '../../engine';
import { code } from './markdown';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function workloads(pods: readonly SimPod[], max = 4): string {
  const names = [...new Set(pods.map((p) => `${p.workload.namespace}/${p.workload.name}`))];
  if (names.length === 0) return 'no pod of the workspace';
  return names.slice(0, max).map(code).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');
}

function tierLine(policy: SimAdminPolicy): string {
  const priority = policy.priority !== undefined ? `priority ${policy.priority} (lower is asked first) · ` : '';
  return policy.tier === 'admin'
    ? `${priority}admin tier: asked before NetworkPolicy; the first rule that matches decides, Allow and Deny finally, Pass hands the connection on to NetworkPolicy`
    : `${priority}baseline tier: asked only for pods no NetworkPolicy isolates in that direction; the first rule that matches decides`;
}

function enforcedLine(a: Analysis): string | undefined {
  return a.policies.adminEnforced
    ? undefined
    : `$(warning) The simulated CNI (${code(a.cluster.settings.cni)}) does not implement the cluster-wide policies: this one decides nothing here.`;
}

function portsText(rule: AdminRule): string {
  if (rule.ports === null) return 'every port';
  return rule.ports
    .map((p) => (p.kind === 'named' ? `named port ${code(p.name)}` : `${p.protocol} ${p.lo === p.hi ? p.lo : `${p.lo}-${p.hi}`}`))
    .join(', ');
}

function peerText(peer: AdminPeer): string {
  switch (peer.kind) {
    case 'pods':
      return peer.pods ? 'pods' : 'namespaces';
    case 'networks':
      return `networks ${peer.cidrs.map(code).join(', ')}`;
    case 'nodes':
      return 'nodes';
    case 'domainNames':
      return `domainNames ${peer.names.map(code).join(', ')} (not simulated)`;
  }
}

/** The pods of the workspace a rule's peers match (selectable ones by labels, hostNetwork ones by address). */
function peerPods(a: Analysis, rule: AdminRule): SimPod[] {
  return a.cluster.pods.filter((p) => {
    const ep = a.policies.endpointOf({ kind: 'pod', pod: p });
    return rule.peers.some((peer) => a.policies.tiers.peerMatches(peer, ep));
  });
}

const VERBS = { Allow: 'allowed, finally', Deny: 'denied, finally', Pass: 'passed on to NetworkPolicy (and the baseline tier)' };

function ruleLine(a: Analysis, rule: AdminRule, direction: 'ingress' | 'egress'): string {
  const name = rule.name ?? `spec.${direction}[${rule.index}]`;
  const toFrom = direction === 'ingress' ? 'from' : 'to';
  return `${rule.index + 1}. ${code(name)} **${rule.action}** ${toFrom} ${rule.peers.map(peerText).join(' or ')} on ${portsText(rule)}: matches ${workloads(peerPods(a, rule))}`;
}

export function adminPolicyHover(a: Analysis, policy: SimAdminPolicy, subjects: readonly SimPod[]): string[] {
  const lines = [
    `**${policy.kind} ${code(policy.name)}** selects ${plural(subjects.length, 'pod')}: ${workloads(subjects)}`,
    '',
    tierLine(policy),
  ];
  const warn = enforcedLine(a);
  if (warn) lines.push('', warn);
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = policy.rules[direction];
    if (rules.length === 0) continue;
    lines.push('', `${direction === 'ingress' ? 'Ingress' : 'Egress'} rules, in order:`, ...rules.map((r) => ruleLine(a, r, direction)));
  }
  if (policy.rules.ingress.length === 0 && policy.rules.egress.length === 0)
    lines.push('', 'No rules: it decides nothing (a policy affects only the directions it has rules for).');
  return lines;
}

export function adminRuleHover(
  a: Analysis,
  policy: SimAdminPolicy,
  direction: 'ingress' | 'egress',
  ruleIndex: number,
  subjects: readonly SimPod[],
): string[] {
  const rule = policy.rules[direction][ruleIndex];
  if (!rule) return [];
  const name = rule.name ?? `spec.${direction}[${rule.index}]`;
  const toFrom = direction === 'ingress' ? 'from' : 'to';
  const lines = [
    `**Rule ${code(name)}** of ${policy.kind} ${code(policy.name)}${policy.priority !== undefined ? ` (priority ${policy.priority})` : ''}: **${rule.action}**`,
    '',
    `For ${workloads(subjects)}, ${direction} ${toFrom} ${workloads(peerPods(a, rule))} on ${portsText(rule)} is ${VERBS[rule.action]}, unless an earlier rule (or a policy of a lower priority number) matches first.`,
  ];
  const warn = enforcedLine(a);
  if (warn) lines.push('', warn);
  return lines;
}

/** For hostNetwork pods: how policies see them under the hostNetworkPods setting, and how to switch. */
export function hostNetworkLines(a: Analysis, pods: readonly SimPod[]): string[] {
  if (!pods.some((p) => p.hostNetwork)) return [];
  const asPod = a.policies.hostNetwork === 'pod';
  return [
    '',
    `**hostNetwork**: these pods use their node's address (${pods
      .map((p) => code(p.ip ?? 'pending'))
      .slice(0, 3)
      .join(', ')}).`,
    asPod
      ? "Policies select them and match them by labels like any pod (`hostNetworkPods: pod`, netpol-analyzer's reading)."
      : "Policies do not select them, and see their traffic as their node's address, matched by ipBlock, networks or nodes peers (`hostNetworkPods: node`, what most network plugins do).",
    `The Kubernetes API leaves this to the network plugin; set ${code(`hostNetworkPods: ${asPod ? 'node' : 'pod'}`)} in kube-netsim.yaml (or the ${code('kubeNetsim.hostNetworkPods')} setting, or the topology's "hostNetwork as" control) for the other reading.`,
  ];
}
