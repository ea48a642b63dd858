// Calico's own policies as layer 2 of design.md "Policy layers", under `cni: calico` and `canal`.
// Calico asks each tier that has a policy applying to an endpoint, in tier order (calicoTiers.ts);
// within a tier the policies in `order` (lower first, unset last, ties by name), each policy's rules
// in turn: the first Allow or Deny decides, Log goes on, Pass leaves the tier for the next one; a
// tier that applies and decides nothing takes its default action (Deny, or Pass). Kubernetes
// NetworkPolicies sit in the default tier at order 1000
// (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy). Here, in the
// default tier: the Calico policies before order 1000 are asked first; then NetworkPolicy's allows
// (layer 3) pass; then the later Calico policies; then the end of the tier. A Pass out of the
// default tier skips its NetworkPolicies and goes on to the later tiers, the baseline and the
// namespace's profile, which allows.
import { podServiceAccount as serviceAccount, type Protocol, type SimPod } from '../cluster/model';
import type { Labels } from '../cluster/labels';
import { ConnSet } from './connset';
import { parseAddress, rangesContain, rangesCover, type IpRange } from './ipRanges';
import type { CniLayerHost, CniPolicyLayer, CniStage } from './cniLayer';
import { compareTiers, DEFAULT_TIER, type CalicoTier } from './calicoTiers';
import type { Direction, PolicyRef } from './parse';
import type { PolicyEndpoint, RuleHit } from './types';
import { calicoMatches } from './calicoSelector';
import { pathText } from './ciliumRead';
import type { CalicoEntity, CalicoPort, CalicoRule, CalicoSel, SimCalicoPolicy } from './calicoParse';

/** Where Calico puts each Kubernetes NetworkPolicy among its own (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy). */
export const KUBERNETES_ORDER = 1000;
export const FELIX = 'Calico Felix';

type Selection = Record<Direction, SimCalicoPolicy[]>;
const NONE: Selection = { ingress: [], egress: [] };

/** The policies of one tier that apply to a pod, in order. */
interface TierGroup {
  tier: CalicoTier;
  policies: SimCalicoPolicy[];
}

/** What one tier does with a connection: decides it, passes it to the next tier, or (the default tier) hands it to NetworkPolicy. */
type TierOutcome = { decided: RuleHit } | { passed: RuleHit } | { handedToNetworkPolicy: true };

export class CalicoLayer implements CniPolicyLayer {
  readonly refs: readonly PolicyRef[];
  /** In the order Calico applies them. */
  readonly sorted: readonly SimCalicoPolicy[];
  private readonly selections = new WeakMap<SimPod, Selection>();
  private readonly podLabels = new WeakMap<SimPod, Labels>();
  private allSelectors: CalicoSel[] | undefined;
  private allNets: IpRange[][] | undefined;
  private readonly accounts = new Map<string, Labels>();

  readonly stages: ReadonlySet<CniStage>;

  constructor(
    readonly policies: readonly SimCalicoPolicy[],
    readonly tiers: ReadonlyMap<string, CalicoTier>,
    private readonly host: CniLayerHost,
  ) {
    this.refs = policies.map((p) => p.ref);
    this.sorted = [...policies].sort((a, b) => compareTiers(this.tierOf(a), this.tierOf(b)) || comparePolicies(a, b));
    this.stages = new Set(policies.map((p) => this.tierOf(p).stage));
  }

  tierOf(policy: SimCalicoPolicy): CalicoTier {
    return this.tiers.get(policy.tier) ?? DEFAULT_TIER;
  }

  /** The tiers of a stage that apply to the pod (have a policy selecting it), each with its policies in order. */
  private groups(applying: readonly SimCalicoPolicy[], stage: CniStage): TierGroup[] {
    const out: TierGroup[] = [];
    for (const p of applying) {
      const tier = this.tierOf(p);
      if (tier.stage !== stage) continue;
      const last = out[out.length - 1];
      if (last && last.tier === tier) last.policies.push(p);
      else out.push({ tier, policies: [p] });
    }
    return out;
  }

  /** A pod's labels as Calico's selectors see them: its own, with its namespace, orchestrator and service account. */
  labelsOf(pod: SimPod): Labels {
    let l = this.podLabels.get(pod);
    if (!l) {
      l = {
        ...pod.labels,
        'projectcalico.org/namespace': pod.namespace,
        'projectcalico.org/orchestrator': 'k8s',
        'projectcalico.org/serviceaccount': serviceAccount(pod),
      };
      this.podLabels.set(pod, l);
    }
    return l;
  }

  namespaceLabels(namespace: string): Labels {
    return { ...this.host.namespaceLabels(namespace), 'projectcalico.org/name': namespace };
  }

  /** A pod's service account's labels (the ServiceAccount object's, when the workspace has it), with its name. */
  serviceAccountLabels(pod: SimPod): Labels {
    const name = serviceAccount(pod);
    const key = `${pod.namespace}/${name}`;
    const known = this.accounts.get(key);
    if (known) return known;
    const sa = this.host.cluster.objects.find(
      (o) => o.kind === 'ServiceAccount' && o.name === name && (o.namespace ?? 'default') === pod.namespace,
    );
    const labels =
      sa?.raw['metadata'] && typeof sa.raw['metadata'] === 'object' ? (sa.raw['metadata'] as Record<string, unknown>)['labels'] : undefined;
    const out: Record<string, string> = {};
    if (labels && typeof labels === 'object')
      for (const [k, v] of Object.entries(labels as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
    out['projectcalico.org/name'] = name;
    this.accounts.set(key, out);
    return out;
  }

  /** Whether a policy applies to a pod (its selectors select it). */
  appliesTo(policy: SimCalicoPolicy, pod: SimPod): boolean {
    if (pod.hostNetwork) return false;
    if (policy.kind === 'CalicoNetworkPolicy' && pod.namespace !== policy.namespace) return false;
    if (policy.namespaceSelector && !calicoMatches(policy.namespaceSelector.selector, this.namespaceLabels(pod.namespace))) return false;
    if (!calicoMatches(policy.selector.selector, this.labelsOf(pod))) return false;
    return !policy.serviceAccountSelector || calicoMatches(policy.serviceAccountSelector.selector, this.serviceAccountLabels(pod));
  }

  selection(pod: SimPod): Selection {
    let s = this.selections.get(pod);
    if (s) return s;
    const applies = this.sorted.filter((p) => this.appliesTo(p, pod));
    s = applies.length === 0 ? NONE : { ingress: applies.filter((p) => p.types.ingress), egress: applies.filter((p) => p.types.egress) };
    this.selections.set(pod, s);
    return s;
  }

  selects(pod: SimPod, direction: Direction): boolean {
    return this.selection(pod)[direction].length > 0;
  }

  /** Whether an entity (a rule's source or destination) matches an endpoint, ports aside. */
  entityMatches(policy: SimCalicoPolicy, e: CalicoEntity, ep: PolicyEndpoint): boolean {
    if (e.unsimulated) return false;
    const ip = ep.kind === 'pod' ? ep.pod.ip : ep.ip;
    const inNets = (nets: IpRange[]) =>
      ep.kind === 'ip' && ep.range ? rangesCover(nets, ep.range) : ip !== undefined && rangesContain(nets, ip);
    if (e.nets && !inNets(e.nets)) return false;
    if (e.notNets && inNets(e.notNets)) return false;
    if (!e.selector && !e.notSelector && !e.namespaceSelector && !e.serviceAccountNames && !e.serviceAccountSelector) return true;
    // Selectors match workload endpoints (pods); host endpoints and network sets are not simulated.
    if (ep.kind !== 'pod') return false;
    if (e.namespaceSelector) {
      if (!calicoMatches(e.namespaceSelector.selector, this.namespaceLabels(ep.namespace))) return false;
    } else if (policy.kind === 'CalicoNetworkPolicy' && ep.namespace !== policy.namespace) return false;
    const labels = this.labelsOf(ep.pod);
    if (e.selector && !calicoMatches(e.selector.selector, labels)) return false;
    if (e.notSelector && calicoMatches(e.notSelector.selector, labels)) return false;
    if (e.serviceAccountNames && !e.serviceAccountNames.includes(serviceAccount(ep.pod))) return false;
    return !e.serviceAccountSelector || calicoMatches(e.serviceAccountSelector.selector, this.serviceAccountLabels(ep.pod));
  }

  /** Whether a rule's source and destination match the two ends (ports aside). */
  endsMatch(policy: SimCalicoPolicy, rule: CalicoRule, direction: Direction, self: PolicyEndpoint, other: PolicyEndpoint): boolean {
    const [src, dst] = direction === 'ingress' ? [other, self] : [self, other];
    if (rule.ipVersion !== undefined) {
      const family = other.kind === 'ip' && other.range ? other.range.family : addressFamily(other);
      if (family !== undefined && family !== (rule.ipVersion === 4 ? 'ipv4' : 'ipv6')) return false;
    }
    return this.entityMatches(policy, rule.source, src) && this.entityMatches(policy, rule.destination, dst);
  }

  /** The connections a rule's protocol and destination ports match towards `dst`. */
  ruleConnections(rule: CalicoRule, dst: PolicyEndpoint): ConnSet {
    if (rule.protocol === 'other') return ConnSet.NONE;
    let out = rule.protocol ? ConnSet.protocol(rule.protocol) : ConnSet.ALL;
    if (rule.notProtocol && rule.notProtocol !== 'other') out = out.subtract(ConnSet.protocol(rule.notProtocol));
    const proto = rule.protocol;
    if (proto && rule.destination.ports) out = out.intersect(portSet(rule.destination.ports, proto, dst));
    if (proto && rule.destination.notPorts) out = out.subtract(portSet(rule.destination.notPorts, proto, dst));
    return out;
  }

  private fromLocalHost(direction: Direction, self: SimPod, other: PolicyEndpoint): boolean {
    if (direction !== 'ingress' || other.kind !== 'ip' || other.ip === undefined || self.node === undefined) return false;
    return this.host.cluster.nodes.some((n) => n.name === self.node && (n.ip === other.ip || n.ipv6 === other.ip));
  }

  decide(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
    stage: CniStage = 'main',
  ): RuleHit | undefined {
    const applying = this.selection(self.pod)[direction];
    if (applying.length === 0 || this.fromLocalHost(direction, self.pod, other)) return undefined;
    let passed: RuleHit | undefined;
    for (const group of this.groups(applying, stage)) {
      const outcome =
        group.tier.name === 'default'
          ? this.decideDefaultTier(group.policies, direction, self, other, dst, port, protocol)
          : this.decideTier(group, direction, self, other, dst, port, protocol);
      if ('decided' in outcome) return outcome.decided;
      // Handed to the default tier's NetworkPolicies: the engine asks them next (naming an earlier tier's Pass, if any).
      if ('handedToNetworkPolicy' in outcome) return passed;
      passed = outcome.passed;
    }
    return passed;
  }

  /** A tier other than default: the first matching Allow, Deny or Pass, else the tier's default action. */
  private decideTier(
    group: TierGroup,
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): TierOutcome {
    for (const policy of group.policies)
      for (const rule of policy.rules[direction]) {
        if (!this.ruleConnections(rule, dst).has(protocol, port) || !this.endsMatch(policy, rule, direction, self, other)) continue;
        if (rule.action === 'Log') continue;
        const hit = calicoHit(policy, direction, rule, group.tier);
        return rule.action === 'Pass' ? { passed: hit } : { decided: hit };
      }
    const end = endOfTier(group.policies[0] as SimCalicoPolicy, direction, group.tier);
    return group.tier.defaultAction === 'Pass' ? { passed: end } : { decided: end };
  }

  /** The default tier, where the Kubernetes NetworkPolicies sit at order 1000 among the Calico policies. */
  private decideDefaultTier(
    policies: SimCalicoPolicy[],
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): TierOutcome {
    const np = this.host.networkPolicyIsolates(self.pod, direction);
    let npAsked = false;
    for (const policy of policies) {
      if (!npAsked && np && afterKubernetes(policy)) {
        npAsked = true;
        if (this.host.networkPolicyConnections(direction, self, other, dst).has(protocol, port)) return { handedToNetworkPolicy: true };
      }
      for (const rule of policy.rules[direction]) {
        if (!this.ruleConnections(rule, dst).has(protocol, port) || !this.endsMatch(policy, rule, direction, self, other)) continue;
        if (rule.action === 'Log') continue;
        const hit = calicoHit(policy, direction, rule, DEFAULT_TIER);
        return rule.action === 'Pass' ? { passed: hit } : { decided: hit };
      }
    }
    if (np && !npAsked && this.host.networkPolicyConnections(direction, self, other, dst).has(protocol, port))
      return { handedToNetworkPolicy: true };
    return { decided: endOfTier(policies[0] as SimCalicoPolicy, direction, DEFAULT_TIER) };
  }

  partition(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    stage: CniStage = 'main',
  ): { allow: ConnSet; deny: ConnSet; pass: ConnSet } {
    const applying = this.selection(self.pod)[direction];
    let allow = ConnSet.NONE;
    let deny = ConnSet.NONE;
    if (applying.length === 0 || this.fromLocalHost(direction, self.pod, other)) return { allow, deny, pass: ConnSet.NONE };
    // What enters each tier: everything at first, then what the tier before passed on.
    let remaining = ConnSet.ALL;
    for (const group of this.groups(applying, stage)) {
      let inTier = remaining;
      let passed = ConnSet.NONE;
      let np = group.tier.name === 'default' && this.host.networkPolicyIsolates(self.pod, direction);
      // What NetworkPolicy admits here is handed on to it (neither allowed nor denied by this layer).
      const askNp = () => {
        np = false;
        inTier = inTier.subtract(this.host.networkPolicyConnections(direction, self, other, dst));
      };
      for (const policy of group.policies) {
        if (np && afterKubernetes(policy)) askNp();
        for (const rule of policy.rules[direction]) {
          if (rule.action === 'Log' || !this.endsMatch(policy, rule, direction, self, other)) continue;
          const conns = this.ruleConnections(rule, dst).intersect(inTier);
          if (conns.isEmpty()) continue;
          if (rule.action === 'Deny') deny = deny.union(conns);
          else if (rule.action === 'Pass') passed = passed.union(conns);
          else allow = allow.union(conns);
          inTier = inTier.subtract(conns);
        }
      }
      if (np) askNp();
      if (group.tier.name === 'default') return { allow, deny: deny.union(inTier), pass: passed };
      if (group.tier.defaultAction === 'Pass') passed = passed.union(inTier);
      else deny = deny.union(inTier);
      remaining = passed;
    }
    return { allow, deny, pass: ConnSet.NONE };
  }

  l7(): ConnSet {
    return ConnSet.NONE;
  }

  classKey(pod: SimPod): string {
    if (pod.hostNetwork) return '';
    this.allSelectors ??= this.policies.flatMap((p) => [
      p.selector,
      ...[...p.rules.ingress, ...p.rules.egress].flatMap((r) =>
        [r.source, r.destination].flatMap((e) => [e.selector, e.notSelector, e.serviceAccountSelector].filter((s): s is CalicoSel => !!s)),
      ),
    ]);
    this.allNets ??= this.policies.flatMap((p) =>
      [...p.rules.ingress, ...p.rules.egress].flatMap((r) => [r.source, r.destination].flatMap((e) => [e.nets ?? [], e.notNets ?? []])),
    );
    const labels = this.labelsOf(pod);
    let key = serviceAccount(pod);
    for (const s of this.allSelectors) key += calicoMatches(s.selector, labels) ? '1' : '0';
    for (const n of this.allNets) key += pod.ip !== undefined && rangesContain(n, pod.ip) ? '1' : '0';
    return key;
  }

  externalRanges(direction: Direction): IpRange[] {
    const out: IpRange[] = [];
    for (const p of this.policies)
      for (const r of p.rules[direction]) {
        const e = direction === 'ingress' ? r.source : r.destination;
        out.push(...(e.nets ?? []), ...(e.notNets ?? []));
      }
    return out;
  }
}

/** Calico's order: lower first, unset last, then by name (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy). */
export function comparePolicies(a: SimCalicoPolicy, b: SimCalicoPolicy): number {
  const oa = a.order ?? Infinity;
  const ob = b.order ?? Infinity;
  if (oa !== ob) return oa < ob ? -1 : 1;
  const na = `${a.namespace}/${a.name}`;
  const nb = `${b.namespace}/${b.name}`;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Whether a policy comes after the Kubernetes NetworkPolicies (order 1000; Calico's own first on a tie, as "default." sorts before "knp."). */
function afterKubernetes(p: SimCalicoPolicy): boolean {
  return p.order === undefined || p.order > KUBERNETES_ORDER;
}

function addressFamily(ep: PolicyEndpoint): 'ipv4' | 'ipv6' | undefined {
  const ip = ep.kind === 'pod' ? ep.pod.ip : ep.ip;
  return ip !== undefined ? parseAddress(ip)?.family : undefined;
}

function portSet(ports: CalicoPort[], protocol: Protocol, dst: PolicyEndpoint): ConnSet {
  let out = ConnSet.NONE;
  for (const p of ports) {
    if (p.kind === 'range') out = out.union(ConnSet.ports(protocol, p.lo, p.hi));
    else if (dst.kind === 'pod')
      for (const c of dst.pod.containers)
        for (const cp of c.ports)
          if (cp.name === p.name && cp.protocol === protocol) out = out.union(ConnSet.ports(protocol, cp.containerPort));
  }
  return out;
}

function calicoHit(policy: SimCalicoPolicy, direction: Direction, rule: CalicoRule, tier: CalicoTier): RuleHit {
  const origin = policy.origin;
  const pass = rule.action === 'Pass';
  const leavesDefault = pass && tier.name === 'default';
  return {
    layer: 'cni',
    policy: policy.ref,
    priority: policy.order,
    tier: policy.tier,
    direction,
    ruleIndex: rule.index,
    ruleName: undefined,
    action: rule.action === 'Log' ? 'Pass' : rule.action,
    peerIndex: -1,
    rulePath: pathText(rule.path),
    ...(leavesDefault
      ? {
          skipsNetworkPolicy: true,
          note: `passes it on with rule ${pathText(rule.path)}: it leaves the default tier, so the Kubernetes NetworkPolicies there do not decide`,
        }
      : pass
        ? { note: `passes it on with rule ${pathText(rule.path)} to the next tier` }
        : {}),
    enforcement: FELIX,
    get range() {
      return origin.kind === 'manifest' ? origin.object.locate(rule.path) : undefined;
    },
  };
}

/** A tier that applies to the pod and decided nothing: its default action (the default tier always denies). */
function endOfTier(policy: SimCalicoPolicy, direction: Direction, tier: CalicoTier): RuleHit {
  const origin = tier.origin ?? policy.origin;
  const pass = tier.defaultAction === 'Pass';
  const nothing =
    tier.name === 'default' ? `no rule of the default tier (nor a Kubernetes NetworkPolicy)` : `no rule of the ${tier.name} tier`;
  return {
    layer: 'cni',
    policy: policy.ref,
    priority: policy.order,
    tier: tier.name,
    direction,
    ruleIndex: -1,
    ruleName: undefined,
    action: pass ? 'Pass' : 'Deny',
    peerIndex: -1,
    note: pass
      ? `applies to the pod for ${direction} and ${nothing} matches this, so the tier's defaultAction Pass hands it to the next tier`
      : `applies to the pod for ${direction}, and ${nothing} allows this, so the end of the tier denies it`,
    enforcement: FELIX,
    get range() {
      if (tier.origin?.kind === 'manifest')
        return tier.origin.object.locate(
          tier.origin.object.has(['spec', 'defaultAction']) ? ['spec', 'defaultAction'] : ['metadata', 'name'],
        );
      return origin.kind === 'manifest' ? origin.object.locate(policy.selector.path) : undefined;
    },
  };
}
