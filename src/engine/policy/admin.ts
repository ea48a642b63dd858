// The cluster-wide tiers of the policy layers (design.md "Policy layers"): the admin tier
// (AdminNetworkPolicy, Admin-tier ClusterNetworkPolicy) asked before NetworkPolicy, and the
// baseline tier (BaselineAdminNetworkPolicy, Baseline-tier ClusterNetworkPolicy) asked after it.
// Within a tier, policies go by priority (lower first) and rules in the order written; the first
// rule whose peer and ports match decides: Allow and Deny finally, Pass hands the connection to the
// next layer. A policy affects only the directions it has rules for.
import { matchesSelector } from '../cluster/selectorCache';
import type { Labels } from '../cluster/labels';
import type { Protocol, SimNode, SimPod } from '../cluster/model';
import { ConnSet } from './connset';
import { rangesContain, rangesCover, parseAddress } from './ipRanges';
import type { AdminPeer, AdminPort, AdminRule, SimAdminPolicy } from './adminParse';
import type { Direction } from './parse';
import type { PolicyEndpoint, RuleHit } from './types';

export type Tier = 'admin' | 'baseline';

/** What the tiers need from the engine: which pods policies may select, and namespace labels. */
export interface AdminContext {
  selectable(pod: SimPod): boolean;
  namespaceLabels(namespace: string): Labels;
}

/** The connections one tier decides for one (subject, peer) pair: those it allows, denies, and hands on (Pass). */
export interface TierPartition {
  allow: ConnSet;
  deny: ConnSet;
  pass: ConnSet;
}

type Address = NonNullable<ReturnType<typeof parseAddress>>;
const address = (ip: string | undefined): Address | undefined => (ip === undefined ? undefined : parseAddress(ip));

type Selection = Record<Direction, SimAdminPolicy[]>;
const NONE_SELECTED: Selection = Object.freeze({ ingress: [], egress: [] });

/** Priority first (the BaselineAdminNetworkPolicy, which has none, after the Baseline-tier ClusterNetworkPolicies), then kind and name, so ties are deterministic. */
function order(a: SimAdminPolicy, b: SimAdminPolicy): number {
  const pa = a.priority ?? 1001;
  const pb = b.priority ?? 1001;
  if (pa !== pb) return pa - pb;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class AdminTiers {
  readonly tiers: Record<Tier, SimAdminPolicy[]>;
  private readonly selections: Record<Tier, WeakMap<SimPod, Selection>> = { admin: new WeakMap(), baseline: new WeakMap() };
  private readonly nodeAddresses: Array<{ labels: Labels; addresses: Address[] }>;

  constructor(
    policies: readonly SimAdminPolicy[],
    nodes: readonly SimNode[],
    private readonly ctx: AdminContext,
  ) {
    this.tiers = {
      admin: policies.filter((p) => p.tier === 'admin').sort(order),
      baseline: policies.filter((p) => p.tier === 'baseline').sort(order),
    };
    this.nodeAddresses = nodes.map((node) => ({
      labels: node.labels,
      addresses: [node.ip, node.ipv6].map(address).filter((a): a is Address => a !== undefined),
    }));
  }

  get empty(): boolean {
    return this.tiers.admin.length === 0 && this.tiers.baseline.length === 0;
  }

  /** Whether a policy's subject selects a pod (hostNetwork pods only when policies treat them as pods). */
  subjectSelects(policy: SimAdminPolicy, pod: SimPod): boolean {
    if (!this.ctx.selectable(pod)) return false;
    const s = policy.subject;
    return (
      matchesSelector(s.namespaces, this.ctx.namespaceLabels(pod.namespace)) &&
      (s.pods === undefined || matchesSelector(s.pods, pod.labels))
    );
  }

  /** The policies of a tier that select a pod and have rules for a direction, in evaluation order. */
  selecting(tier: Tier, pod: SimPod): Selection {
    const cache = this.selections[tier];
    const hit = cache.get(pod);
    if (hit) return hit;
    const list = this.tiers[tier].filter((p) => this.subjectSelects(p, pod));
    const result =
      list.length === 0
        ? NONE_SELECTED
        : { ingress: list.filter((p) => p.rules.ingress.length > 0), egress: list.filter((p) => p.rules.egress.length > 0) };
    cache.set(pod, result);
    return result;
  }

  /** Whether one peer of a rule matches an endpoint. */
  peerMatches(peer: AdminPeer, ep: PolicyEndpoint): boolean {
    switch (peer.kind) {
      case 'pods':
        return (
          ep.kind === 'pod' &&
          matchesSelector(peer.namespaces, ep.namespaceLabels) &&
          (peer.pods === undefined || matchesSelector(peer.pods, ep.labels))
        );
      case 'networks':
        // The API: "cluster-internal traffic will be checked against the rule as well", so pod addresses match too.
        if (ep.kind === 'pod') return ep.pod.ip !== undefined && rangesContain(peer.ranges, ep.pod.ip);
        if (ep.range) return rangesCover(peer.ranges, ep.range);
        return ep.ip !== undefined && rangesContain(peer.ranges, ep.ip);
      case 'nodes':
        return this.isNodeAddress(peer, ep);
      case 'domainNames':
        return false;
    }
  }

  /** A nodes peer matches the addresses of the nodes it selects (a hostNetwork pod has its node's). */
  private isNodeAddress(peer: Extract<AdminPeer, { kind: 'nodes' }>, ep: PolicyEndpoint): boolean {
    let target: Address | undefined;
    if (ep.kind === 'pod') target = address(ep.pod.ip);
    else if (ep.range) target = ep.range.lo === ep.range.hi ? { family: ep.range.family, value: ep.range.lo } : undefined;
    else target = address(ep.ip);
    if (!target) return false;
    const t = target;
    return this.nodeAddresses.some(
      (n) => n.addresses.some((a) => a.family === t.family && a.value === t.value) && matchesSelector(peer.nodes, n.labels),
    );
  }

  /** The index of the first peer of a rule that matches `ep`, or -1. */
  matchingPeer(rule: AdminRule, ep: PolicyEndpoint): number {
    for (const peer of rule.peers) if (this.peerMatches(peer, ep)) return peer.index;
    return -1;
  }

  /** The connections a rule's ports match towards `dst`; named ports resolve against the destination pod (its port's protocol). */
  ruleConnections(rule: AdminRule, dst: PolicyEndpoint): ConnSet {
    if (rule.ports === null) return ConnSet.ALL;
    let out = ConnSet.NONE;
    for (const p of rule.ports) out = out.union(portConnections(p, dst));
    return out;
  }

  /** Whether a rule's ports match one port and protocol towards `dst`. */
  portsMatch(rule: AdminRule, dst: PolicyEndpoint, port: number, protocol: Protocol): boolean {
    if (rule.ports === null) return true;
    for (const p of rule.ports) if (portMatches(p, dst, port, protocol)) return true;
    return false;
  }

  /** The first rule of a tier that matches one connection of `pod` (the subject) with `other`, or undefined when none does. */
  decide(
    tier: Tier,
    pod: SimPod,
    direction: Direction,
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): RuleHit | undefined {
    for (const policy of this.selecting(tier, pod)[direction]) {
      for (const rule of policy.rules[direction]) {
        if (!this.portsMatch(rule, dst, port, protocol)) continue;
        const peer = this.matchingPeer(rule, other);
        if (peer >= 0) return ruleHit(tier, policy, direction, rule, peer);
      }
    }
    return undefined;
  }

  /** What a tier decides, port by port, for `pod` (the subject) and `other`: first match per connection. */
  partition(tier: Tier, pod: SimPod, direction: Direction, other: PolicyEndpoint, dst: PolicyEndpoint): TierPartition {
    let remaining = ConnSet.ALL;
    let allow = ConnSet.NONE;
    let deny = ConnSet.NONE;
    let pass = ConnSet.NONE;
    for (const policy of this.selecting(tier, pod)[direction]) {
      for (const rule of policy.rules[direction]) {
        if (this.matchingPeer(rule, other) < 0) continue;
        const conns = this.ruleConnections(rule, dst).intersect(remaining);
        if (conns.isEmpty()) continue;
        if (rule.action === 'Allow') allow = allow.union(conns);
        else if (rule.action === 'Deny') deny = deny.union(conns);
        else pass = pass.union(conns);
        remaining = remaining.subtract(conns);
        if (remaining.isEmpty()) return { allow, deny, pass };
      }
    }
    return { allow, deny, pass };
  }
}

export function ruleHit(tier: Tier, policy: SimAdminPolicy, direction: Direction, rule: AdminRule, peerIndex: number): RuleHit {
  const origin = policy.origin;
  return {
    layer: tier,
    policy: policy.ref,
    priority: policy.priority,
    direction,
    ruleIndex: rule.index,
    ruleName: rule.name,
    action: rule.action,
    peerIndex,
    // A getter: the position is located only when the hit is shown (locating is the costly part).
    get range() {
      return origin.kind === 'manifest' ? origin.object.locate(rule.path) : undefined;
    },
  };
}

function portConnections(p: AdminPort, dst: PolicyEndpoint): ConnSet {
  if (p.kind === 'range') return ConnSet.ports(p.protocol, p.lo, p.hi);
  // A named port is the destination pod's: its number and its protocol. Addresses have none.
  if (dst.kind !== 'pod') return ConnSet.NONE;
  let out = ConnSet.NONE;
  for (const c of dst.pod.containers)
    for (const cp of c.ports) if (cp.name === p.name) out = out.union(ConnSet.ports(cp.protocol, cp.containerPort));
  return out;
}

function portMatches(p: AdminPort, dst: PolicyEndpoint, port: number, protocol: Protocol): boolean {
  if (p.kind === 'range') return p.protocol === protocol && port >= p.lo && port <= p.hi;
  if (dst.kind !== 'pod') return false;
  for (const c of dst.pod.containers)
    for (const cp of c.ports) if (cp.name === p.name && cp.protocol === protocol && cp.containerPort === port) return true;
  return false;
}
