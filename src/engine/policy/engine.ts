import type { Diagnostic } from '../diagnostics';
import { matchesSelector } from '../cluster/selectorCache';
import { rangesContain, rangesCover } from './ipRanges';
import { ConnSet } from './connset';
import type { Cluster, Protocol, SimPod } from '../cluster/model';
import { locate } from '../cluster/model';
import type { Direction, PolicyPeer, PolicyRule, SimNetworkPolicy } from './parse';
import { directionReason, verdictReason, type Outcome } from './explain';
import type { DirectionResult, Peer, PolicyEndpoint, RuleHit, Verdict } from './types';
import type { Labels } from '../cluster/labels';
import { AdminTiers } from './admin';
import { isAdminKind, readAdminObject, type SimAdminPolicy } from './adminParse';
import { portAdmits, portConnections, readPolicyObject, withReason } from './networkPolicy';
import type { CniLayerFactory, CniLayerHost, CniPolicyLayer, CniStage } from './cniLayer';
import { isBuiltInGroup } from '../manifests/kinds';
import { ingressFromAnyPod } from './anyClient';

export type { PolicyRef, SimNetworkPolicy, PolicyRule, PolicyPeer, PolicyPort, Direction, PolicyKind } from './parse';
export type { Peer, DirectionResult, Verdict, PolicyEndpoint, RuleHit, Decider } from './types';
export type { SimAdminPolicy, AdminRule, AdminPeer } from './adminParse';
export { readPolicyObject } from './networkPolicy';

export interface PolicyEngineOptions {
  /**
   * How policies treat hostNetwork pods, which the API leaves to the network plugin. `node` (the
   * default, and what most plugins do): policies never select them, and their traffic is the node's
   * address, matched by ipBlock. `pod`: they are selected and matched like any pod (netpol-analyzer's
   * reading). The cluster setting `hostNetworkPods` chooses it.
   */
  hostNetwork?: 'node' | 'pod';
  /**
   * Whether the network plugin implements the cluster-wide policies of the network-policy API
   * (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy). Default true; when false
   * they are read (and reported) but decide nothing.
   */
  adminPolicies?: boolean;
  /** Layer 2, the CNI's own policies (design.md "Policy layers"), built on this engine; none when the CNI enforces none. */
  cni?: CniLayerFactory | undefined;
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
const NO_ADDRESSES: ReadonlySet<string> = new Set();

/**
 * Evaluates the workspace's policies as the APIs define them, layer by layer (design.md "Policy
 * layers"): the admin tier (AdminNetworkPolicy), the CNI's own policies (a seam), NetworkPolicy
 * (per-direction isolation, rules ORed across every selecting policy), then the baseline tier
 * (BaselineAdminNetworkPolicy) where no NetworkPolicy isolates the pod. The source's egress and
 * the destination's ingress must both admit. Replies of an allowed connection are allowed
 * (policies are stateful), so only the opening direction is ever asked about. NetworkPolicy's two
 * exceptions hold: a pod can always reach itself, and traffic between a pod and its own node is
 * always allowed.
 */
export class PolicyEngine implements CniLayerHost {
  readonly policies: SimNetworkPolicy[] = [];
  /** Every cluster-wide policy read, enforced or not (see `adminEnforced`). */
  readonly adminPolicies: SimAdminPolicy[] = [];
  readonly hostNetwork: 'node' | 'pod';
  /** Whether the cluster-wide policies decide anything (the network plugin implements them). */
  readonly adminEnforced: boolean;
  readonly tiers: AdminTiers;
  readonly cni: CniPolicyLayer | undefined;
  private readonly byNamespace = new Map<string, SimNetworkPolicy[]>();
  private readonly selections = new WeakMap<SimPod, PolicySelection>();
  private readonly selectionsByLabels = new WeakMap<Labels, Map<string, PolicySelection>>();
  private readonly nodeAddresses = new Map<string, Set<string>>();
  private readonly hasAdmin: boolean;
  private readonly hasBaseline: boolean;

  constructor(
    readonly cluster: Cluster,
    diagnostics: Diagnostic[],
    options: PolicyEngineOptions = {},
  ) {
    this.hostNetwork = options.hostNetwork ?? 'node';
    this.adminEnforced = options.adminPolicies ?? true;
    for (const o of cluster.objects) {
      // Calico's and other plugins' NetworkPolicy kinds live in their own groups, not this API's.
      const builtInPolicy = o.kind === 'NetworkPolicy' && isBuiltInGroup(o.apiVersion);
      const read = builtInPolicy ? readPolicyObject(o) : isAdminKind(o.kind) ? readAdminObject(o) : undefined;
      if (!read) continue;
      for (const d of read.diagnostics) diagnostics.push(d);
      const policy = read.policy;
      if (!policy) continue;
      if ('tier' in policy) {
        this.adminPolicies.push(policy);
        continue;
      }
      this.policies.push(policy);
      const list = this.byNamespace.get(policy.namespace) ?? [];
      list.push(policy);
      this.byNamespace.set(policy.namespace, list);
    }
    for (const n of cluster.nodes) this.nodeAddresses.set(n.name, new Set(n.ipv6 ? [n.ip, n.ipv6] : [n.ip]));
    this.tiers = new AdminTiers(this.adminEnforced ? this.adminPolicies : [], cluster.nodes, this);
    this.hasAdmin = this.tiers.tiers.admin.length > 0;
    this.hasBaseline = this.tiers.tiers.baseline.length > 0;
    this.cni = options.cni?.(this);
  }

  /** Whether any policy of any layer can decide something. */
  get hasPolicies(): boolean {
    return this.policies.length > 0 || !this.tiers.empty || (this.cni !== undefined && this.cni.refs.length > 0);
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

  /** The NetworkPolicies that isolate a pod, per direction (empty when none selects it). */
  policiesSelecting(pod: SimPod): PolicySelection {
    const cached = this.selections.get(pod);
    if (cached) return cached;
    const result = this.selectable(pod) ? this.selectionOf(pod.namespace, pod.labels) : NO_SELECTION;
    this.selections.set(pod, result);
    return result;
  }

  /** Whether some layer can restrict a pod's traffic in a direction (a NetworkPolicy isolates it, or a first-match layer selects it). */
  restricts(pod: SimPod, direction: Direction): boolean {
    return this.policiesSelecting(pod)[direction].length > 0 || this.firstMatchLayers(pod, direction);
  }

  /** Whether a first-match layer (a cluster-wide tier, or the CNI's own policies) selects a pod for a direction. */
  firstMatchLayers(pod: SimPod, direction: Direction): boolean {
    if (this.cni?.selects(pod, direction)) return true;
    return (
      (this.hasAdmin && this.tiers.selecting('admin', pod)[direction].length > 0) ||
      (this.hasBaseline && this.tiers.selecting('baseline', pod)[direction].length > 0)
    );
  }

  /** Whether some NetworkPolicy isolates a pod for a direction (for the CNI layer, whose default deny yields to it). */
  networkPolicyIsolates(pod: SimPod, direction: Direction): boolean {
    return this.policiesSelecting(pod)[direction].length > 0;
  }

  /** Of what the layers allow from/to `other`, the connections an L7 proxy checks request by request (Cilium's HTTP rules). */
  l7Connections(direction: Direction, self: PolicyEndpoint, other: PolicyEndpoint, dst: PolicyEndpoint): ConnSet {
    if (self.kind !== 'pod' || !this.cni?.selects(self.pod, direction)) return ConnSet.NONE;
    return this.cni.l7(direction, self, other, dst);
  }

  /** The addresses of a node (where its pods' node-local traffic comes from). */
  addressesOf(node: string | undefined): ReadonlySet<string> {
    return (node !== undefined ? this.nodeAddresses.get(node) : undefined) ?? NO_ADDRESSES;
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
    if (peer.kind === 'external')
      return peer.name !== undefined ? { kind: 'ip', ip: peer.ip, name: peer.name } : { kind: 'ip', ip: peer.ip };
    const pod = peer.pod;
    if (!this.selectable(pod)) return { kind: 'ip', ip: pod.ip, pod };
    return { kind: 'pod', pod, namespace: pod.namespace, labels: pod.labels, namespaceLabels: this.namespaceLabels(pod.namespace) };
  }

  /** A namespace's labels as namespaceSelectors see them (with kubernetes.io/metadata.name). */
  namespaceLabels(namespace: string): Labels {
    return this.cluster.namespaces.get(namespace)?.labels ?? NO_LABELS;
  }

  /**
   * Whether two ends are a pod and its own node (an address of the node the pod runs on: the node
   * itself, or a hostNetwork pod read as its node): NetworkPolicy always allows that traffic.
   */
  nodeLocal(a: PolicyEndpoint, b: PolicyEndpoint): boolean {
    const [pod, ip] = a.kind === 'pod' && b.kind === 'ip' ? [a.pod, b] : b.kind === 'pod' && a.kind === 'ip' ? [b.pod, a] : [];
    if (!pod || !ip || ip.range || ip.ip === undefined || pod.node === undefined) return false;
    return this.nodeAddresses.get(pod.node)?.has(ip.ip) ?? false;
  }

  /** Whether one peer of a rule of `policy` matches an endpoint. */
  peerMatches(policy: SimNetworkPolicy, peer: PolicyPeer, ep: PolicyEndpoint): boolean {
    switch (peer.kind) {
      case 'invalid':
        return false;
      case 'ipBlock':
        if (ep.kind !== 'ip') return false;
        if (ep.range) return rangesCover(peer.ranges, ep.range);
        return ep.ip !== undefined && rangesContain(peer.ranges, ep.ip);
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

  /** Every connection policy allows from `src` to `dst`, pod by pod (the reference the matrix is checked against). */
  allowedConnections(src: Peer, dst: Peer): ConnSet {
    if (isSelf(src, dst)) return ConnSet.ALL;
    const s = this.endpointOf(src);
    const d = this.endpointOf(dst);
    const local = this.nodeLocal(s, d);
    return this.directionConnections('egress', s, d, d, local).intersect(this.directionConnections('ingress', d, s, d, local));
  }

  /** What the NetworkPolicies isolating `self` admit from/to `other` (ALL when none isolates it). */
  networkPolicyConnections(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
  ): ConnSet {
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

  /**
   * What the layers admit from/to `other` for `self`'s side of a connection, port by port; ALL when
   * `self` is not a pod policies select. `local`: the two ends are a pod and its own node.
   */
  directionConnections(direction: Direction, self: PolicyEndpoint, other: PolicyEndpoint, dst: PolicyEndpoint, local = false): ConnSet {
    if (self.kind !== 'pod') return ConnSet.ALL;
    let allowed = ConnSet.NONE;
    let handed = ConnSet.ALL;
    // One layer's say on what is still handed on: its allows are final, its denies too, the rest goes on.
    const apply = (p: { allow: ConnSet; deny: ConnSet }) => {
      allowed = allowed.union(handed.intersect(p.allow));
      handed = handed.subtract(p.allow).subtract(p.deny);
    };
    const cni = this.cni;
    const cniStage = (stage: CniStage) => {
      if (cni?.stages.has(stage)) apply(cni.partition(direction, self, other, dst, stage));
    };
    cniStage('beforeAdmin');
    if (handed.isEmpty()) return allowed;
    if (this.hasAdmin) {
      apply(this.tiers.partition('admin', self.pod, direction, other, dst));
      if (handed.isEmpty()) return allowed;
    }
    // What a Calico Pass carries out of the default tier goes past NetworkPolicy.
    let pastNetworkPolicy = ConnSet.NONE;
    if (cni?.stages.has('main')) {
      const p = cni.partition(direction, self, other, dst, 'main');
      apply(p);
      if (p.pass) {
        pastNetworkPolicy = handed.intersect(p.pass);
        handed = handed.subtract(p.pass);
      }
      if (handed.isEmpty() && pastNetworkPolicy.isEmpty()) return allowed;
    }
    if (this.policiesSelecting(self.pod)[direction].length > 0) {
      allowed = allowed.union(local ? handed : handed.intersect(this.networkPolicyConnections(direction, self, other, dst)));
      handed = pastNetworkPolicy;
    } else handed = handed.union(pastNetworkPolicy);
    if (handed.isEmpty()) return allowed;
    cniStage('afterDefault');
    if (this.hasBaseline) apply(this.tiers.partition('baseline', self.pod, direction, other, dst));
    cniStage('afterBaseline');
    return allowed.union(handed);
  }

  /** Whether `src` may open a connection to `dst` on `port`/`protocol`, and which objects decided it. */
  verdict(src: Peer, dst: Peer, port: number, protocol: Protocol): Verdict {
    const s = this.endpointOf(src);
    const d = this.endpointOf(dst);
    const self = isSelf(src, dst);
    const local = this.nodeLocal(s, d);
    const egress = this.direction('egress', s, d, d, port, protocol, self, local);
    const ingress = this.direction('ingress', d, s, d, port, protocol, self, local);
    return withReason({ allowed: egress.allowed && ingress.allowed, egress, ingress }, () => verdictReason(egress, ingress));
  }

  /** verdict(...).allowed without building the explanation (for checks that ask many times). */
  allows(src: Peer, dst: Peer, port: number, protocol: Protocol): boolean {
    if (isSelf(src, dst)) return true;
    const s = this.endpointOf(src);
    const d = this.endpointOf(dst);
    const local = this.nodeLocal(s, d);
    return (
      this.directionAllows('egress', s, d, d, port, protocol, local) && this.directionAllows('ingress', d, s, d, port, protocol, local)
    );
  }

  private directionAllows(
    direction: Direction,
    self: PolicyEndpoint,
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
    local: boolean,
  ): boolean {
    if (self.kind !== 'pod') return true;
    const cni = this.cni;
    const cniHit = (stage: CniStage) =>
      cni?.stages.has(stage) ? cni.decide(direction, self, other, dst, port, protocol, stage) : undefined;
    let hit = cniHit('beforeAdmin');
    if (hit && hit.action !== 'Pass') return hit.action === 'Allow';
    if (this.hasAdmin) {
      hit = this.tiers.decide('admin', self.pod, direction, other, dst, port, protocol);
      if (hit && hit.action !== 'Pass') return hit.action === 'Allow';
    }
    hit = cniHit('main');
    if (hit && hit.action !== 'Pass') return hit.action === 'Allow';
    const policies = hit?.skipsNetworkPolicy ? [] : this.policiesSelecting(self.pod)[direction];
    if (policies.length > 0) {
      if (local) return true;
      for (const policy of policies) {
        for (const rule of policy.rules[direction])
          if (this.portsAdmit(rule, dst, port, protocol) && this.matchingPeer(policy, rule, other) !== undefined) return true;
      }
      return false;
    }
    hit = cniHit('afterDefault');
    if (hit && hit.action !== 'Pass') return hit.action === 'Allow';
    if (this.hasBaseline) {
      hit = this.tiers.decide('baseline', self.pod, direction, other, dst, port, protocol);
      if (hit && hit.action !== 'Pass') return hit.action === 'Allow';
    }
    hit = cniHit('afterBaseline');
    return !hit || hit.action !== 'Deny';
  }

  private direction(
    direction: Direction,
    self: PolicyEndpoint,
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
    toItself: boolean,
    local: boolean,
  ): DirectionResult {
    const ctx = { direction, self, other, port, protocol };
    const result = (r: Omit<DirectionResult, 'reason'>, outcome: Outcome): DirectionResult =>
      withReason(r, () => directionReason({ ...ctx, outcome, result: r, policies: npPolicies }));
    let npPolicies: SimNetworkPolicy[] = [];
    const open = { isolated: false, isolatingPolicies: [], allowed: true };
    if (self.kind !== 'pod') return result({ ...open, decidedBy: 'not-subject' }, 'not-subject');
    npPolicies = this.policiesSelecting(self.pod)[direction];
    const isolated = npPolicies.length > 0;
    const isolatingPolicies = npPolicies.map((p) => p.ref);
    const base = { isolated, isolatingPolicies };
    if (toItself) return result({ ...base, allowed: true, decidedBy: 'self' }, 'self');
    let passedBy: RuleHit | undefined;
    const passed = () => (passedBy ? { passedBy } : {});
    const cni = this.cni;
    // A CNI stage's hit: a decision returns it; a Pass is remembered for the explanation.
    const cniStage = (stage: CniStage): DirectionResult | undefined => {
      if (!cni?.stages.has(stage)) return undefined;
      const hit = cni.decide(direction, self, other, dst, port, protocol, stage);
      if (hit && hit.action !== 'Pass')
        return result({ ...base, ...passed(), allowed: hit.action === 'Allow', decidedBy: 'cni', rule: hit }, 'rule');
      if (hit) passedBy = hit;
      return undefined;
    };
    const before = cniStage('beforeAdmin');
    if (before) return before;
    if (this.hasAdmin) {
      const hit = this.tiers.decide('admin', self.pod, direction, other, dst, port, protocol);
      if (hit && hit.action !== 'Pass')
        return result({ ...base, ...passed(), allowed: hit.action === 'Allow', decidedBy: 'admin', rule: hit }, 'rule');
      if (hit) passedBy = hit;
    }
    const main = cniStage('main');
    if (main) return main;
    if (isolated && !passedBy?.skipsNetworkPolicy) {
      if (local) return result({ ...base, ...passed(), allowed: true, decidedBy: 'node' }, 'node');
      for (const policy of npPolicies) {
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
          return result({ ...base, ...passed(), allowed: true, allowedBy, decidedBy: 'network' }, 'allowed');
        }
      }
      return result({ ...base, ...passed(), allowed: false, decidedBy: 'network' }, 'denied');
    }
    const afterDefault = cniStage('afterDefault');
    if (afterDefault) return afterDefault;
    if (this.hasBaseline) {
      const hit = this.tiers.decide('baseline', self.pod, direction, other, dst, port, protocol);
      if (hit && hit.action !== 'Pass')
        return result({ ...base, ...passed(), allowed: hit.action === 'Allow', decidedBy: 'baseline', rule: hit }, 'rule');
    }
    const afterBaseline = cniStage('afterBaseline');
    if (afterBaseline) return afterBaseline;
    return result({ ...base, ...passed(), allowed: true, decidedBy: 'none' }, 'open');
  }

  /** What a pod's ingress admits from a client that could be any pod of any namespace (anyClient.ts). */
  ingressFromAnyPod(pod: SimPod): ConnSet {
    return ingressFromAnyPod(this, pod);
  }
}

function isSelf(src: Peer, dst: Peer): boolean {
  return src.kind === 'pod' && dst.kind === 'pod' && src.pod === dst.pod;
}
