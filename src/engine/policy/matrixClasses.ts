// Equivalence classes of pods for the connectivity matrix: pods that no selector, named port or
// ipBlock tells apart get the same verdicts, so the matrix is computed once per class. Replicas
// of a workload (and pods differing only in labels no policy reads, such as pod-template-hash)
// collapse into one class.
import type { LabelSelector } from '../cluster/labels';
import { matchesSelector, selectorKey } from '../cluster/selectorCache';
import { rangesContain } from './ipRanges';
import { workloadId, type SimPod } from '../cluster/model';
import type { PolicyEngine } from './engine';
import type { PolicyPeer, SimNetworkPolicy } from './parse';
import type { SimAdminPolicy } from './adminParse';
import type { IpRange } from './ipRanges';
import { type PolicyEndpoint } from './types';

export interface PodClass {
  index: number;
  /** Any member: all members are evaluated alike. */
  rep: SimPod;
  ep: PolicyEndpoint;
  namespace: string;
  workloads: string[];
  pods: number;
  /** Per workload of the class, the addresses of the nodes its pods run on (for the pod-to-own-node exception). */
  nodeAddresses: Map<string, Set<string>>;
}

function selectorKeys(s: LabelSelector | undefined, into: Set<string>): void {
  if (!s) return;
  for (const k of Object.keys(s.matchLabels)) into.add(k);
  for (const e of s.matchExpressions) into.add(e.key);
}

/** Every pod label key some pod selector reads; other labels cannot tell pods apart. */
function referencedKeys(policies: readonly SimNetworkPolicy[], admin: readonly SimAdminPolicy[]): string[] {
  const keys = new Set<string>();
  for (const p of policies) {
    selectorKeys(p.podSelector, keys);
    for (const rules of [p.rules.ingress, p.rules.egress])
      for (const r of rules) for (const peer of r.peers ?? []) if (peer.kind === 'selector') selectorKeys(peer.podSelector, keys);
  }
  for (const p of admin) {
    selectorKeys(p.subject.pods, keys);
    for (const rules of [p.rules.ingress, p.rules.egress])
      for (const r of rules) for (const peer of r.peers) if (peer.kind === 'pods') selectorKeys(peer.pods, keys);
  }
  return [...keys].sort();
}

/** The address ranges the cluster-wide policies' networks peers name: they match pod addresses too, so they tell pods apart. */
function networkRanges(admin: readonly SimAdminPolicy[]): IpRange[][] {
  const out: IpRange[][] = [];
  for (const p of admin)
    for (const rules of [p.rules.ingress, p.rules.egress])
      for (const r of rules) for (const peer of r.peers) if (peer.kind === 'networks') out.push(peer.ranges);
  return out;
}

/** Groups the workspace's pods (not the simulator's implicit ones) into classes. */
export function podClasses(engine: PolicyEngine, pods: readonly SimPod[]): PodClass[] {
  const admin = [...engine.tiers.tiers.admin, ...engine.tiers.tiers.baseline];
  const keys = referencedKeys(engine.policies, admin);
  const networks = networkRanges(admin);
  const nodeIps = new Set(engine.cluster.nodes.flatMap((n) => (n.ipv6 ? [n.ip, n.ipv6] : [n.ip])));
  const byKey = new Map<string, PodClass>();
  const classes: PodClass[] = [];
  for (const pod of pods) {
    const labels = keys.map((k) => (Object.prototype.hasOwnProperty.call(pod.labels, k) ? `${k}=${pod.labels[k]}` : '')).join('\u0001');
    const named = pod.containers
      .flatMap((c) => c.ports.filter((p) => p.name !== undefined).map((p) => `${p.name}/${p.protocol}/${p.containerPort}`))
      .sort()
      .join(',');
    // A pod policies do not select is an address (its node's, for hostNetwork pods): the address
    // tells it apart; so does a node's address (a nodes peer matches it), and which networks peers hold it.
    const address = !engine.selectable(pod) || (pod.ip !== undefined && nodeIps.has(pod.ip)) ? `ip:${pod.ip ?? ''}` : '';
    const inNetworks = networks.map((r) => (pod.ip !== undefined && rangesContain(r, pod.ip) ? '1' : '0')).join('');
    const cni = engine.cni ? `\u0000${engine.cni.classKey(pod)}` : '';
    const key = `${pod.namespace}\u0000${labels}\u0000${named}\u0000${address}\u0000${inNetworks}${cni}`;
    let c = byKey.get(key);
    if (!c) {
      c = {
        index: classes.length,
        rep: pod,
        ep: engine.endpointOf({ kind: 'pod', pod }),
        namespace: pod.namespace,
        workloads: [],
        pods: 0,
        nodeAddresses: new Map(),
      };
      byKey.set(key, c);
      classes.push(c);
    }
    c.pods++;
    const w = workloadId(pod.workload);
    let nodes = c.nodeAddresses.get(w);
    if (!nodes) c.nodeAddresses.set(w, (nodes = new Set()));
    for (const a of engine.addressesOf(pod.node)) nodes.add(a);
    if (!c.workloads.includes(w)) c.workloads.push(w);
  }
  return classes;
}

/**
 * Finds the classes a rule peer matches without testing every class: by namespace, then by the
 * rarest `key=value` the peer's podSelector requires. Candidates are confirmed with the engine's
 * own peer matching, so the index can only make the search faster, never different.
 */
export class ClassIndex {
  private readonly byNamespace = new Map<string, number[]>();
  private readonly byLabel = new Map<string, number[]>();
  private readonly addresses: number[] = [];
  private readonly cache = new WeakMap<PolicyPeer, number[]>();
  /**
   * Selector peers' matches by what decides them (peerMatches reads only the two selectors, and the
   * policy's namespace when there is no namespaceSelector): each namespace's copy of a policy that
   * admits every namespace matched all 32,000 classes of a 96,000-pod workspace again.
   */
  private readonly bySelectors = new Map<string, number[]>();
  /** The namespaces each namespaceSelector matches, by its canonical text: thousands of peers share a few selectors. */
  private readonly namespacesOf = new Map<string, string[]>();

  constructor(
    private readonly engine: PolicyEngine,
    private readonly classes: readonly PodClass[],
  ) {
    for (const c of classes) {
      if (c.ep.kind === 'ip') {
        this.addresses.push(c.index);
        continue;
      }
      push(this.byNamespace, c.namespace, c.index);
      for (const [k, v] of Object.entries(c.rep.labels)) push(this.byLabel, `${c.namespace}\u0000${k}\u0000${v}`, c.index);
    }
  }

  private readonly memberships = new WeakMap<readonly number[], Uint8Array>();

  /** A match list as a membership array indexed by class, one per list (lists are shared by the peers that match alike). */
  membership(list: readonly number[]): Uint8Array {
    let out = this.memberships.get(list);
    if (!out) {
      out = new Uint8Array(this.classes.length);
      for (const i of list) out[i] = 1;
      this.memberships.set(list, out);
    }
    return out;
  }

  /** The classes one peer of `policy` matches. */
  match(policy: SimNetworkPolicy, peer: PolicyPeer): number[] {
    const hit = this.cache.get(peer);
    if (hit) return hit;
    let out: number[] = [];
    if (peer.kind === 'ipBlock') {
      out = this.addresses.filter((i) => {
        const ep = this.classes[i]?.ep;
        return ep?.kind === 'ip' && ep.ip !== undefined && rangesContain(peer.ranges, ep.ip);
      });
    } else if (peer.kind === 'selector') {
      const nsSelector = peer.namespaceSelector;
      const key = `${nsSelector ? `s${selectorKey(nsSelector)}` : `n${policy.namespace}`}\u0000${peer.podSelector ? selectorKey(peer.podSelector) : '*'}`;
      const known = this.bySelectors.get(key);
      if (known) {
        this.cache.set(peer, known);
        return known;
      }
      const namespaces = nsSelector ? this.namespacesMatching(nsSelector) : [policy.namespace];
      for (const ns of namespaces) {
        for (const i of this.candidates(ns, peer.podSelector)) {
          const c = this.classes[i];
          if (c && this.engine.peerMatches(policy, peer, c.ep)) out.push(i);
        }
      }
      this.bySelectors.set(key, out);
    }
    this.cache.set(peer, out);
    return out;
  }

  private namespacesMatching(s: LabelSelector): string[] {
    const key = selectorKey(s);
    let out = this.namespacesOf.get(key);
    if (!out) {
      out = [...this.byNamespace.keys()].filter((ns) => matchesSelector(s, this.engine.namespaceLabels(ns)));
      this.namespacesOf.set(key, out);
    }
    return out;
  }

  private candidates(ns: string, s: LabelSelector | undefined): readonly number[] {
    const all = this.byNamespace.get(ns) ?? [];
    if (!s) return all;
    let best: readonly number[] = all;
    for (const [k, v] of Object.entries(s.matchLabels)) {
      const list = this.byLabel.get(`${ns}\u0000${k}\u0000${v}`) ?? [];
      if (list.length < best.length) best = list;
    }
    if (best !== all) return best;
    const inExpr = s.matchExpressions.find((e) => e.operator === 'In');
    if (!inExpr) return all;
    const union = new Set<number>();
    for (const v of inExpr.values) for (const i of this.byLabel.get(`${ns}\u0000${inExpr.key}\u0000${v}`) ?? []) union.add(i);
    return [...union];
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
