// Runs in the analysis worker (no vscode here): hovers on the CNI's own policies (CiliumNetworkPolicy,
// CiliumClusterwideNetworkPolicy, Calico NetworkPolicy and GlobalNetworkPolicy): where the policy
// sits among the layers of design.md "Policy layers" and whether the simulated CNI enforces it, what
// each selector matches, and what each rule does, with the pods of the workspace.
import {
  CalicoLayer,
  CiliumLayer,
  httpRuleText,
  pathText,
  type Analysis,
  type CalicoEntity,
  type CalicoTier,
  type CiliumEntry,
  type SimCalicoPolicy,
  type SimCiliumPolicy,
  type SimPod,
  type SourceRange,
} from '../../engine';
import { code } from './markdown';

export interface CniSymbol {
  range: SourceRange;
  lines: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function workloads(pods: readonly SimPod[], max = 4): string {
  const names = [...new Set(pods.map((p) => `${p.workload.namespace}/${p.workload.name}`))];
  if (names.length === 0) return 'no pod of the workspace';
  return names.slice(0, max).map(code).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');
}

function workspacePods(a: Analysis): SimPod[] {
  return a.cluster.pods.filter((p) => p.origin.kind === 'manifest');
}

/** The hovers of the CNI policies written in `file`: at each name, selector and rule. */
export function cniSymbols(a: Analysis, here: (origin: { kind: string; object?: { file: string } }) => boolean): CniSymbol[] {
  const read = a.cniPolicies;
  if (!read) return [];
  const out: CniSymbol[] = [];
  const cilium = read.cilium.filter((p) => here(p.origin));
  if (cilium.length > 0) {
    const layer = a.policies.cni instanceof CiliumLayer ? a.policies.cni : new CiliumLayer(read.cilium, a.policies);
    for (const p of cilium) out.push(...ciliumSymbols(a, layer, p));
  }
  const calico = read.calico.filter((p) => here(p.origin));
  const tiers = [...read.calicoTiers.values()].filter((t) => t.origin && here(t.origin));
  if (calico.length > 0 || tiers.length > 0) {
    const layer = a.policies.cni instanceof CalicoLayer ? a.policies.cni : new CalicoLayer(read.calico, read.calicoTiers, a.policies);
    for (const p of calico) out.push(...calicoSymbols(a, layer, p));
    for (const t of tiers) out.push(...tierSymbols(a, layer, t));
  }
  return out;
}

/** Where a Calico tier is asked among the policy layers, in words. */
function tierPlace(t: CalicoTier): string {
  switch (t.stage) {
    case 'beforeAdmin':
      return 'before the AdminNetworkPolicies (their tier is at order 1,000)';
    case 'main':
      return t.name === 'default'
        ? 'after the AdminNetworkPolicies; the Kubernetes NetworkPolicies sit in it at order 1000'
        : 'after the AdminNetworkPolicies (order 1,000), before the default tier (1,000,000) and its Kubernetes NetworkPolicies';
    case 'afterDefault':
      return 'after the default tier and its Kubernetes NetworkPolicies (order 1,000,000), before the BaselineAdminNetworkPolicy (10,000,000): only when the default tier does not decide';
    case 'afterBaseline':
      return 'last, after the BaselineAdminNetworkPolicy (order 10,000,000)';
  }
}

function tierSymbols(a: Analysis, layer: CalicoLayer, t: CalicoTier): CniSymbol[] {
  if (t.origin?.kind !== 'manifest') return [];
  const o = t.origin.object;
  const policies = layer.sorted.filter((p) => p.tier === t.name);
  const names = policies.map((p) => code(p.namespace ? `${p.namespace}/${p.name}` : p.name));
  const subjects = workspacePods(a).filter((pod) => policies.some((p) => layer.appliesTo(p, pod)));
  return [
    {
      range: o.locate(['metadata', 'name']),
      lines: [
        `**Calico Tier ${code(t.name)}** · order ${t.order ?? 'unset (asked last)'} · defaultAction ${code(t.defaultAction)}`,
        '',
        `Asked ${tierPlace(t)}. It applies to ${plural(subjects.length, 'pod')} (${workloads(subjects)}): for them the first Allow or Deny of its ${plural(policies.length, 'policy')} decides, Pass goes to the next tier, and what no rule matches is ${t.defaultAction === 'Deny' ? 'denied at the end of the tier' : 'passed to the next tier'}.`,
        ...(names.length > 0
          ? ['', `Policies in order: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ` and ${names.length - 8} more` : ''}.`]
          : []),
        '',
        enforcedLine(a, false),
      ],
    },
  ];
}

function enforcedLine(a: Analysis, cilium: boolean): string {
  const cni = a.cluster.settings.cni;
  const enforced = cilium ? cni === 'cilium' : cni === 'calico' || cni === 'canal';
  if (enforced)
    return `Layer 2 of the policy layers (after AdminNetworkPolicy, before NetworkPolicy), enforced by ${cilium ? 'Cilium (eBPF, and its proxies for L7 rules)' : 'Calico Felix'} under ${code(`cni: ${cni}`)}.`;
  return `$(warning) The simulated CNI (${code(cni)}) does not enforce it: only ${cilium ? 'Cilium does' : 'Calico and Canal do'}; it decides nothing here.`;
}

function ciliumSymbols(a: Analysis, layer: CiliumLayer, policy: SimCiliumPolicy): CniSymbol[] {
  if (policy.origin.kind !== 'manifest') return [];
  const o = policy.origin.object;
  const pods = workspacePods(a);
  const out: CniSymbol[] = [];
  const id = policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name;
  const subjects = pods.filter((p) => layer.selection(p).rules.some((s) => s.policy === policy));
  const deny = (['ingress', 'egress'] as const).filter((d) => policy.rules.some((r) => r.defaultDeny[d]));
  out.push({
    range: o.locate(['metadata', 'name']),
    lines: [
      `**${policy.kind} ${code(id)}** selects ${plural(subjects.length, 'pod')}: ${workloads(subjects)}`,
      '',
      enforcedLine(a, true),
      ...(deny.length > 0
        ? [
            '',
            `Puts them in default deny for ${deny.join(' and ')}: only what some Cilium or Kubernetes policy allows passes; deny rules win over every allow.`,
          ]
        : []),
    ],
  });
  for (const rule of policy.rules) {
    const selected = pods.filter((p) => layer.selection(p).rules.some((s) => s.rule === rule));
    out.push({
      range: o.locate([...rule.path, 'endpointSelector']),
      lines: [
        `**endpointSelector** of ${policy.kind} ${code(id)} selects ${workloads(selected)}${policy.namespace ? ` (in namespace ${code(policy.namespace)} only)` : ''}.`,
      ],
    });
    for (const entries of Object.values(rule.sections))
      for (const entry of entries) out.push({ range: o.locate(entry.path), lines: ciliumEntryLines(a, layer, policy, entry, selected) });
  }
  return out;
}

function ciliumEntryLines(a: Analysis, layer: CiliumLayer, policy: SimCiliumPolicy, entry: CiliumEntry, subjects: SimPod[]): string[] {
  const deny = entry.section.endsWith('Deny');
  const ingress = entry.section.startsWith('ingress');
  const pods = workspacePods(a);
  const self = subjects[0];
  let peers: string;
  if (entry.peers === null) peers = entry.ports === null ? 'nothing (an empty rule: it only puts the pods in default deny)' : 'every peer';
  else {
    const named = entry.peers.map((p) =>
      p.kind === 'entity'
        ? `entity ${code(p.entity)}`
        : p.kind === 'cidr'
          ? `CIDR ${code(p.cidr)}`
          : p.kind === 'fqdn'
            ? `FQDN ${code(p.matchName ?? p.matchPattern ?? '')}`
            : '',
    );
    const matched = self
      ? pods.filter((q) => {
          const ep = a.policies.endpointOf({ kind: 'pod', pod: q });
          return q !== self && layer.matchingPeer(entry, self, ep) !== undefined;
        })
      : [];
    peers = [
      ...(entry.peers.some((p) => p.kind === 'endpoints') ? [`endpoints ${workloads(matched)}`] : []),
      ...named.filter(Boolean),
    ].join(' or ');
  }
  const ports =
    entry.ports === null
      ? 'every port'
      : entry.ports
          .flatMap((pr) =>
            pr.ports.map(
              (p) =>
                `${p.kind === 'named' ? `port ${code(p.name)}` : p.lo === 1 && p.hi === 65535 ? 'every port' : `port ${p.lo === p.hi ? p.lo : `${p.lo}-${p.hi}`}`} ${p.protocols.length === 3 ? 'ANY' : p.protocols.join('/')}${pr.http ? ` (HTTP rules: ${pr.http.map(httpRuleText).join('; ')})` : ''}${pr.dns ? ` (DNS: ${pr.dns.map((d) => d.matchName ?? d.matchPattern).join(', ')})` : ''}`,
            ),
          )
          .join(', ');
  return [
    `**Rule ${code(pathText(entry.path))}** of ${policy.kind} ${code(policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name)}: **${deny ? 'Deny' : 'Allow'}**`,
    '',
    `For ${workloads(subjects)}, ${ingress ? 'ingress from' : 'egress to'} ${peers} on ${ports} is ${deny ? 'denied, whatever any allow says' : 'allowed'}.`,
  ];
}

function calicoSymbols(a: Analysis, layer: CalicoLayer, policy: SimCalicoPolicy): CniSymbol[] {
  if (policy.origin.kind !== 'manifest') return [];
  const o = policy.origin.object;
  const pods = workspacePods(a);
  const kind = policy.kind === 'CalicoNetworkPolicy' ? 'Calico NetworkPolicy' : 'GlobalNetworkPolicy';
  const id = policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name;
  const subjects = pods.filter((p) => layer.appliesTo(policy, p));
  const position = layer.sorted.indexOf(policy) + 1;
  const types = (['ingress', 'egress'] as const).filter((d) => policy.types[d]).join(' and ');
  const out: CniSymbol[] = [
    {
      range: o.locate(['metadata', 'name']),
      lines: [
        `**${kind} ${code(id)}** applies to ${plural(subjects.length, 'pod')} for ${types || 'nothing'}: ${workloads(subjects)}`,
        '',
        `tier ${code(policy.tier)} · order ${policy.order ?? 'unset (applied last)'} · ${position} of ${layer.sorted.length} Calico policies in the order Calico applies them (tier by tier, then by order); Kubernetes NetworkPolicies sit in the default tier at order 1000.`,
        '',
        `The ${code(policy.tier)} tier (order ${layer.tierOf(policy).order ?? 'unset'}, defaultAction ${code(layer.tierOf(policy).defaultAction)}) is asked ${tierPlace(layer.tierOf(policy))}.`,
        '',
        enforcedLine(a, false),
      ],
    },
  ];
  if (o.has(policy.selector.path) && policy.selector.path.length > 1)
    out.push({
      range: o.locate(policy.selector.path),
      lines: [
        `**selector** ${code(policy.selector.text)} matches ${workloads(subjects)}${policy.namespace ? ` (in namespace ${code(policy.namespace)})` : ''}.`,
      ],
    });
  for (const direction of ['ingress', 'egress'] as const)
    for (const rule of policy.rules[direction]) {
      const self = subjects[0];
      const ends = (e: CalicoEntity) => (e.selector ? `selector ${code(e.selector.text)}` : e.nets ? 'nets' : 'anything');
      const matched = self
        ? pods.filter(
            (q) =>
              q !== self &&
              layer.endsMatch(
                policy,
                rule,
                direction,
                a.policies.endpointOf({ kind: 'pod', pod: self }),
                a.policies.endpointOf({ kind: 'pod', pod: q }),
              ),
          )
        : [];
      out.push({
        range: o.locate([...rule.path, 'action']),
        lines: [
          `**Rule ${code(pathText(rule.path))}** of ${kind} ${code(id)}: **${rule.action}**`,
          '',
          `${direction === 'ingress' ? 'From' : 'To'} ${ends(direction === 'ingress' ? rule.source : rule.destination)}${rule.protocol ? ` on ${rule.protocol}` : ''}: matches ${workloads(matched)}. ${rule.action === 'Log' ? 'Log records it and goes on to the next rule.' : rule.action === 'Pass' ? 'Pass skips the rest of the tier.' : 'The first Allow or Deny that matches decides.'}`,
        ],
      });
      for (const [e, which] of [
        [rule.source, 'source'],
        [rule.destination, 'destination'],
      ] as const)
        if (e.selector)
          out.push({
            range: o.locate(e.selector.path),
            lines: [
              `**${which} selector** ${code(e.selector.text)} of rule ${code(pathText(rule.path))}: ${direction === 'ingress' && which === 'source' ? `matches ${workloads(matched)}` : 'see the rule'}.`,
            ],
          });
    }
  return out;
}
