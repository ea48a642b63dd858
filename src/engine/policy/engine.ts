import type { Diagnostic } from '../diagnostics';
import { FieldReader } from '../manifests/fields';
import { matchesSelector } from '../cluster/selectorCache';
import { rangesContain } from './ipRanges';
import { ConnSet } from './connset';
import { locate, type Cluster, type Protocol, type SimPod } from '../cluster/model';
import { readNetworkPolicy, type Direction, type PolicyPeer, type PolicyPort, type PolicyRule, type SimNetworkPolicy } from './parse';
import { directionReason, verdictReason } from './explain';
import type { DirectionResult, Peer, PolicyEndpoint, Verdict } from './types';
import { type ManifestObject } from '../manifests/types';
import { type Labels } from '../cluster/labels';
import { namespaceOf, isBuiltInGroup, DEFAULT_NAMESPACE } from '../manifests/kinds';

export type { PolicyRef, SimNetworkPolicy, PolicyRule, PolicyPeer, PolicyPort, Direction } from './parse';
export type { Peer, DirectionResult, Verdict, PolicyEndpoint } from './types';

export interface PolicyEngineOptions {
  /**
   * How policies treat hostNetwork pods, which the API leaves to the network plugin. `node` (the
   * default, and what most plugins do): policies never select them, and their traffic is the node's
   * address, matched by ipBlock. `pod`: they are selected and matched like any pod (netpol-analyzer's
   * reading).
   */
  hostNetwork?: 'node' | 'pod';
}

export interface PolicySelection {
  ingress: SimNetworkPolicy[];
  egress: SimNetworkPolicy[];
}

const NO_SELECTION: PolicySelection = Object.freeze({
  ingress: Object.freeze([]) as unknown as SimNetworkPolicy[],
  egress: Object.freeze([]) as unknown as SimNetworkPolicy[],
});
const NO_LABELS: Labels = {};

/**
 * Evaluates the workspace's NetworkPolicies exactly as the API defines them: per-direction
 * isolation, rules ORed across every selecting policy, the source's egress and the
 * destination's ingress both required. Replies of an allowed connection are allowed (policies
 * are stateful), so only the opening direction is ever asked about.
 */
export class PolicyEngine {
  readonly policies: SimNetworkPolicy[] = [];
  readonly hostNetwork: 'node' | 'pod';
  private readonly byNamespace = new Map<string, SimNetworkPolicy[]>();
  private readonly selections = new WeakMap<SimPod, PolicySelection>();
  private readonly selectionsByLabels = new WeakMap<Labels, Map<string, PolicySelection>>();

  constructor(
    readonly cluster: Cluster,
    diagnostics: Diagnostic[],
    options: PolicyEngineOptions = {},
  ) {
    this.hostNetwork = options.hostNetwork ?? 'node';
    for (const o of cluster.objects) {
      // Calico's and other plugins' NetworkPolicy kinds live in their own groups, not this API's.
      if (o.kind !== 'NetworkPolicy' || !isBuiltInGroup(o.apiVersion)) continue;
      const read = readPolicyObject(o);
      for (const d of read.diagnostics) diagnostics.push(d);
      const policy = read.policy;
      if (!policy) continue;
      this.policies.push(policy);
      const list = this.byNamespace.get(policy.namespace) ?? [];
      list.push(policy);
      this.byNamespace.set(policy.namespace, list);
    }
  }

  /** The policies in a namespace, in input order. */
  policiesIn(namespace: string): readonly SimNetworkPolicy[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** Whether policies can select this pod at all (not a hostNetwork pod, unless they are treated as pods). */
  selectable(pod: SimPod): boolean {
    return !pod.hostNetwork || this.hostNetwork === 'pod';
  }

  /** Whether a policy's podSelector selects a pod (same namespace, labels match, pod selectable). */
  selects(policy: SimNetworkPolicy, pod: SimPod): boolean {
    return policy.namespace === pod.namespace && this.selectable(pod) && matchesSelector(policy.podSelector, pod.labels);
  }

  /** The policies that isolate a pod, per direction (empty when none selects it: everything is allowed). */
  policiesSelecting(pod: SimPod): PolicySelection {
    const cached = this.selections.get(pod);
    if (cached) return cached;
    const result = this.selectable(pod) ? this.selectionOf(pod.namespace, pod.labels) : NO_SELECTION;
    this.selections.set(pod, result);
    return result;
  }

  /**
   * The policies selecting a selectable pod with these labels in this namespace. Remembered by the
   * labels object: the replicas of a workload share theirs, so each workload is matched once.
   */
  private selectionOf(namespace: string, labels: Labels): PolicySelection {
    let byNamespace = this.selectionsByLabels.get(labels);
    if (!byNamespace) this.selectionsByLabels.set(labels, (byNamespace = new Map<string, PolicySelection>()));
    let result = byNamespace.get(namespace);
    if (!result) {
      result = NO_SELECTION;
      const candidates = this.byNamespace.get(namespace);
      const selecting = candidates ? candidates.filter((p) => matchesSelector(p.podSelector, labels)) : [];
      if (selecting.length > 0)
        result = { ingress: selecting.filter((p) => p.affects.ingress), egress: selecting.filter((p) => p.affects.egress) };
      byNamespace.set(namespace, result);
    }
    return result;
  }

  /** How policies see a peer: hostNetwork pods are their node's address unless treated as pods. */
  endpointOf(peer: Peer): PolicyEndpoint {
    if (peer.kind === 'external') return { kind: 'ip', ip: peer.ip };
    const pod = peer.pod;
    if (!this.selectable(pod)) return { kind: 'ip', ip: pod.ip, pod };
    return { kind: 'pod', pod, namespace: pod.namespace, labels: pod.labels, namespaceLabels: this.namespaceLabels(pod.namespace) };
  }

  /** A namespace's labels as namespaceSelectors see them (with kubernetes.io/metadata.name). */
  namespaceLabels(namespace: string): Labels {
    return this.cluster.namespaces.get(namespace)?.labels ?? NO_LABELS;
  }

  /** Whether one peer of a rule of `policy` matches an endpoint. */
  peerMatches(policy: SimNetworkPolicy, peer: PolicyPeer, ep: PolicyEndpoint): boolean {
    switch (peer.kind) {
      case 'invalid':
        return false;
      case 'ipBlock':
        return ep.kind === 'ip' && ep.ip !== undefined && rangesContain(peer.ranges, ep.ip);
      case 'selector':
        if (ep.kind !== 'pod') return false;
        if (peer.namespaceSelector ? !matchesSelector(peer.namespaceSelector, ep.namespaceLabels) : ep.namespace !== policy.namespace)
          return false;
        return peer.podSelector === undefined || matchesSelector(peer.podSelector, ep.labels);
    }
  }

  /** The index of the first peer of a rule matching `ep`; -1 for a rule without peers (it admits all); undefined when none does. */
  matchingPeer(policy: SimNetworkPolicy, rule: PolicyRule, ep: PolicyEndpoint): number | undefined {
    if (rule.peers === null) return -1;
    for (const peer of rule.peers) if (this.peerMatches(policy, peer, ep)) return peer.index;
    return undefined;
  }

  /**
   * The connections a rule's ports admit towards `dst`. Named ports resolve against the
   * destination pod's container ports (name and protocol); towards an address they match nothing.
   */
  ruleConnections(rule: PolicyRule, dst: PolicyEndpoint): ConnSet {
    if (rule.ports === null) return ConnSet.ALL;
    let out = ConnSet.NONE;
    for (const p of rule.ports) out = out.union(portConnections(p, dst));
    return out;
  }

  /** Whether a rule's ports admit one port and protocol towards `dst`. */
  portsAdmit(rule: PolicyRule, dst: PolicyEndpoint, port: number, protocol: Protocol): boolean {
    if (rule.ports === null) return true;
    // A loop, not some(closure): this runs for every rule of every verdict.
    for (const p of rule.ports) if (portAdmits(p, dst, port, protocol)) return true;
    return false;
  }

  /** Every connection NetworkPolicy allows from `src` to `dst`, pod by pod (the reference the matrix is checked against). */
  allowedConnections(src: Peer, dst: Peer): ConnSet {
    const s = this.endpointOf(src);
    const d = this.endpointOf(dst);
    return this.directionConnections('egress', s, d, d).intersect(this.directionConnections('ingress', d, s, d));
  }

  /** What the policies isolating `self` for one direction admit from/to `other`; ALL when none isolates it. */
  directionConnections(direction: Direction, self: PolicyEndpoint, other: PolicyEndpoint, dst: PolicyEndpoint): ConnSet {
    if (self.kind !== 'pod') return ConnSet.ALL;
    const policies = this.policiesSelecting(self.pod)[direction];
    if (policies.length === 0) return ConnSet.ALL;
    let out = ConnSet.NONE;
    for (const policy of policies) {
      for (const rule of policy.rules[direction]) {
        if (this.matchingPeer(policy, rule, other) === undefined) continue;
        out = out.union(this.ruleConnections(rule, dst));
        if (out.isAll()) return out;
      }
    }
    return out;
  }

  /** Whether `src` may open a connection to `dst` on `port`/`protocol`, and which objects decided it. */
  verdict(src: Peer, dst: Peer, port: number, protocol: Protocol): Verdict {
    const s = this.endpointOf(src);
    const d = this.endpointOf(dst);
    const egress = this.direction('egress', s, d, d, port, protocol);
    const ingress = this.direction('ingress', d, s, d, port, protocol);
    return withReason({ allowed: egress.allowed && ingress.allowed, egress, ingress }, () => verdictReason(egress, ingress));
  }

  /** verdict(...).allowed without building the explanation (for checks that ask many times). */
  allows(src: Peer, dst: Peer, port: number, protocol: Protocol): boolean {
    const s = this.endpointOf(src);
    const d = this.endpointOf(dst);
    return this.directionAllows('egress', s, d, d, port, protocol) && this.directionAllows('ingress', d, s, d, port, protocol);
  }

  private directionAllows(
    direction: Direction,
    self: PolicyEndpoint,
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): boolean {
    if (self.kind !== 'pod') return true;
    const policies = this.policiesSelecting(self.pod)[direction];
    if (policies.length === 0) return true;
    for (const policy of policies) {
      for (const rule of policy.rules[direction])
        if (this.portsAdmit(rule, dst, port, protocol) && this.matchingPeer(policy, rule, other) !== undefined) return true;
    }
    return false;
  }

  private direction(
    direction: Direction,
    self: PolicyEndpoint,
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): DirectionResult {
    const ctx = { direction, self, other, port, protocol };
    if (self.kind !== 'pod')
      return withReason({ isolated: false, isolatingPolicies: [], allowed: true }, () =>
        directionReason({ ...ctx, outcome: 'not-subject' }),
      );
    const policies = this.policiesSelecting(self.pod)[direction];
    if (policies.length === 0)
      return withReason({ isolated: false, isolatingPolicies: [], allowed: true }, () => directionReason({ ...ctx, outcome: 'open' }));
    const isolatingPolicies = policies.map((p) => p.ref);
    for (const policy of policies) {
      for (const rule of policy.rules[direction]) {
        const peer = this.matchingPeer(policy, rule, other);
        if (peer === undefined || !this.portsAdmit(rule, dst, port, protocol)) continue;
        const peerPath = peer >= 0 ? rule.peers?.[peer]?.path : undefined;
        const allowedBy: NonNullable<DirectionResult['allowedBy']> = {
          policy: policy.ref,
          ruleIndex: rule.index,
          range: locate(policy.origin, peerPath ?? rule.path),
        };
        if (peer >= 0) allowedBy.peerIndex = peer;
        return withReason({ isolated: true, isolatingPolicies, allowed: true, allowedBy }, () =>
          directionReason({ ...ctx, outcome: 'allowed', policies, allowedBy }),
        );
      }
    }
    return withReason({ isolated: true, isolatingPolicies, allowed: false }, () =>
      directionReason({ ...ctx, outcome: 'denied', policies }),
    );
  }

  /**
   * What a pod's ingress admits from a client that could be any pod of any namespace (an ingress
   * controller whose labels are not known): only rules that admit every pod count.
   */
  ingressFromAnyPod(pod: SimPod): ConnSet {
    const policies = this.policiesSelecting(pod).ingress;
    if (policies.length === 0) return ConnSet.ALL;
    const dst = this.endpointOf({ kind: 'pod', pod });
    let out = ConnSet.NONE;
    for (const policy of policies) {
      for (const rule of policy.rules.ingress) {
        if (rule.peers === null || rule.peers.some(admitsEveryPod)) out = out.union(this.ruleConnections(rule, dst));
      }
    }
    return out;
  }
}

/**
 * Each NetworkPolicy object read once, with the diagnostics reading it reported (replayed, in order,
 * at every analysis). A ParseCache keeps an unchanged document's ManifestObject across analyses, so
 * re-analysis after an edit reads only the edited policies; an edited document is a new object.
 * What a policy reads to depends on its object alone (its namespace defaults to `default`).
 */
const policyReads = new WeakMap<ManifestObject, { policy: SimNetworkPolicy | undefined; diagnostics: Diagnostic[] }>();

export function readPolicyObject(o: ManifestObject): { policy: SimNetworkPolicy | undefined; diagnostics: readonly Diagnostic[] } {
  let read = policyReads.get(o);
  if (!read) {
    const diagnostics: Diagnostic[] = [];
    const r = new FieldReader(o, diagnostics);
    let policy: SimNetworkPolicy | undefined;
    if (o.apiVersion !== 'networking.k8s.io/v1') {
      r.invalid(
        ['apiVersion'],
        `NetworkPolicy ${o.name} uses apiVersion ${o.apiVersion}, which current API servers no longer serve; use networking.k8s.io/v1 (the fields are the same). It is not simulated.`,
      );
    } else policy = readNetworkPolicy(o, namespaceOf(o) ?? DEFAULT_NAMESPACE, r);
    read = { policy, diagnostics };
    policyReads.set(o, read);
  }
  return read;
}

/**
 * Adds `reason` as an enumerable property computed on first read: verdicts are asked for by the
 * thousand and most reasons are never shown; JSON.stringify and spreads still see it.
 */
function withReason<T extends object>(value: T, make: () => string): T & { reason: string } {
  let cached: string | undefined;
  Object.defineProperty(value, 'reason', { enumerable: true, configurable: true, get: () => (cached ??= make()) });
  return value as T & { reason: string };
}

function admitsEveryPod(peer: PolicyPeer): boolean {
  if (peer.kind !== 'selector' || !peer.namespaceSelector) return false;
  const everyNs = Object.keys(peer.namespaceSelector.matchLabels).length === 0 && peer.namespaceSelector.matchExpressions.length === 0;
  const everyPod =
    !peer.podSelector || (Object.keys(peer.podSelector.matchLabels).length === 0 && peer.podSelector.matchExpressions.length === 0);
  return everyNs && everyPod;
}

/** The container port numbers a name resolves to on a destination (name and protocol must both match). */
function resolveNamed(name: string, protocol: Protocol, dst: PolicyEndpoint): number[] {
  if (dst.kind !== 'pod') return [];
  const out: number[] = [];
  for (const c of dst.pod.containers) for (const p of c.ports) if (p.name === name && p.protocol === protocol) out.push(p.containerPort);
  return out;
}

function portConnections(p: PolicyPort, dst: PolicyEndpoint): ConnSet {
  if (p.port === undefined) return ConnSet.protocol(p.protocol);
  if (typeof p.port === 'number') return ConnSet.ports(p.protocol, p.port, p.endPort ?? p.port);
  let out = ConnSet.NONE;
  for (const n of resolveNamed(p.port, p.protocol, dst)) out = out.union(ConnSet.ports(p.protocol, n));
  return out;
}

function portAdmits(p: PolicyPort, dst: PolicyEndpoint, port: number, protocol: Protocol): boolean {
  if (p.protocol !== protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'number') return port >= p.port && port <= (p.endPort ?? p.port);
  // resolveNamed(...).includes(port), without building the list.
  if (dst.kind !== 'pod') return false;
  for (const c of dst.pod.containers)
    for (const cp of c.ports) if (cp.name === p.port && cp.protocol === protocol && cp.containerPort === port) return true;
  return false;
}
