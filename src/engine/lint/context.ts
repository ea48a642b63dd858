// What every check module gets: the simulation (cluster, policy engine, DNS, ingress), the file
// texts (for quick fixes that need indentation), and a few shared indexes.
import type { Diagnostic } from '../diagnostics';
import type { DnsZone } from '../dns/zone';
import type { IngressModel } from '../ingress/model';
import type { PolicyEngine, PolicyPeer, SimNetworkPolicy } from '../policy/engine';
import { matchesSelector, selectorKey } from '../cluster/selectorCache';
import { LabelIndex } from '../cluster/labelIndex';
import type { ResolvedReference } from '../dns/references';
import { podId, workloadId, type Cluster, type SimNamespace, type SimPod, type SimService } from '../cluster/model';
import type { FieldPath } from '../source';
import type { LabelSelector } from '../cluster/labels';
import { SourceText } from './yamlEdit';
import { type InputFile } from '../manifests/types';
import { type PolicyEndpoint } from '../policy/types';
import type { IncrementalState } from '../incremental/state';
import { namespaceReps, stableObjects } from '../cluster/stable';

export interface LintInput {
  cluster: Cluster;
  policies: PolicyEngine;
  dns: DnsZone;
  ingress: IngressModel;
  references: ResolvedReference[];
  /** The texts the analysis was given: fixes read indentation from them (no I/O). */
  files: readonly InputFile[];
  /** What the previous analysis remembered, when there was one (incremental/state.ts). */
  incremental?: IncrementalState | undefined;
}

export class LintContext {
  readonly cluster: Cluster;
  readonly engine: PolicyEngine;
  readonly dns: DnsZone;
  readonly ingress: IngressModel;
  readonly references: ResolvedReference[];
  readonly incremental: IncrementalState | undefined;
  private readonly texts = new Map<string, string>();
  private readonly sources = new Map<string, SourceText>();
  /** Claimed field paths (dotted) by policy (`ns/name`). */
  private readonly claimed = new Map<string, string[]>();
  private byNamespace: Map<string, SimPod[]> | undefined;
  private reps: SimPod[] | undefined;
  private repsByNamespace: Map<string, SimPod[]> | undefined;
  private namespaceList: SimNamespace[] | undefined;
  private namespacesByName: Map<string, SimNamespace[]> | undefined;
  private implicitByNamespace: Map<string, SimPod[]> | undefined;
  private readonly endpoints = new WeakMap<SimPod, PolicyEndpoint>();
  private labelKeys: string[] | undefined;
  private readonly memos = new Map<string, unknown>();
  private dnsPods: SimPod[] | undefined;
  private readonly namespacesBySelector = new Map<string, SimNamespace[]>();
  private readonly repsBySelector = new Map<string, Map<string, SimPod[]>>();
  private readonly selectableByNamespace = new Map<string, SelectableReps>();
  private addressed: SimPod[] | undefined;
  /** The cluster's pods by namespace as cluster/stable.ts keeps them, with an incremental state. */
  private readonly stablePods: ReadonlyMap<string, readonly SimPod[]> | undefined;
  /** null until looked up; undefined when there is none. */
  private dnsService: SimService | undefined | null = null;

  constructor(
    input: LintInput,
    readonly diagnostics: Diagnostic[],
  ) {
    this.cluster = input.cluster;
    this.engine = input.policies;
    this.dns = input.dns;
    this.ingress = input.ingress;
    this.references = input.references;
    this.incremental = input.incremental;
    this.stablePods = input.incremental ? stableObjects(input.incremental).podsByNamespace() : undefined;
    for (const f of input.files) this.texts.set(f.path, f.text);
  }

  report(d: Diagnostic): Diagnostic {
    this.diagnostics.push(d);
    return d;
  }

  /** The raw text of a file, as the analysis was given it. */
  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** A file's text with line helpers (built on first use). */
  source(file: string): SourceText | undefined {
    let s = this.sources.get(file);
    if (!s) {
      const text = this.texts.get(file);
      if (text === undefined) return undefined;
      s = new SourceText(file, text);
      this.sources.set(file, s);
    }
    return s;
  }

  /** Marks a field of a policy as explained by a more specific check, so the general ones skip it. */
  claim(policy: SimNetworkPolicy, path: FieldPath): void {
    const key = `${policy.namespace}/${policy.name}`;
    const paths = this.claimed.get(key) ?? [];
    paths.push(path.join('.'));
    this.claimed.set(key, paths);
  }

  isClaimed(policy: SimNetworkPolicy, path: FieldPath): boolean {
    if (this.claimed.size === 0) return false;
    // By policy: every peer of every policy asks, and scanning every claim each time grew with the workspace.
    const paths = this.claimed.get(`${policy.namespace}/${policy.name}`);
    if (!paths) return false;
    const full = path.join('.');
    for (const c of paths) if (full === c || full.startsWith(c + '.')) return true;
    return false;
  }

  /** Every pod of a namespace (implicit ones included: selectors see them). */
  podsIn(namespace: string): SimPod[] {
    if (!this.byNamespace) {
      this.byNamespace = new Map();
      for (const p of this.cluster.pods) {
        const list = this.byNamespace.get(p.namespace) ?? [];
        list.push(p);
        this.byNamespace.set(p.namespace, list);
      }
    }
    return this.byNamespace.get(namespace) ?? [];
  }

  /** One pod per workload of the workspace (its replicas behave alike); implicit pods left out. */
  representatives(): SimPod[] {
    if (!this.reps) {
      const seen = new Set<string>();
      this.reps = this.cluster.pods.filter(
        (p) => p.origin.kind === 'manifest' && !seen.has(workloadId(p.workload)) && seen.add(workloadId(p.workload)) !== undefined,
      );
    }
    return this.reps;
  }

  /** `make()` once per key and context (for answers that repeated selectors would recompute). */
  memo<T>(key: string, make: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, make());
    return this.memos.get(key) as T;
  }

  /** The simulator's own pods (CoreDNS, ingress controllers) of one namespace. */
  implicitIn(namespace: string): SimPod[] {
    if (!this.implicitByNamespace) {
      this.implicitByNamespace = new Map();
      for (const p of this.cluster.pods) {
        if (p.origin.kind !== 'implicit') continue;
        this.implicitByNamespace.set(p.namespace, [...(this.implicitByNamespace.get(p.namespace) ?? []), p]);
      }
    }
    return this.implicitByNamespace.get(namespace) ?? [];
  }

  /** The namespaces, by name. */
  sortedNamespaces(): SimNamespace[] {
    this.namespaceList ??= [...this.cluster.namespaces.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.namespaceList;
  }

  /** The namespace of that name as a one-item list (empty when the cluster has none), like namespacesMatching gives. */
  namespaceNamed(name: string): SimNamespace[] {
    if (!this.namespacesByName) {
      this.namespacesByName = new Map();
      for (const n of this.sortedNamespaces()) this.namespacesByName.set(n.name, [n]);
    }
    return this.namespacesByName.get(name) ?? [];
  }

  /** The representatives (one pod per workload) of one namespace. */
  repsIn(namespace: string): SimPod[] {
    // From the namespace's kept list of pods (cluster/stable.ts): the same list gives the same representatives, and what is derived from them is kept too.
    if (this.stablePods) {
      const pods = this.stablePods.get(namespace);
      return pods ? namespaceReps(pods) : [];
    }
    if (!this.repsByNamespace) {
      this.repsByNamespace = new Map();
      for (const p of this.representatives()) {
        const list = this.repsByNamespace.get(p.namespace) ?? [];
        list.push(p);
        this.repsByNamespace.set(p.namespace, list);
      }
    }
    return this.repsByNamespace.get(namespace) ?? [];
  }

  /** How policies see a pod, built once per pod (the checks ask for the same pods many times). */
  ep(pod: SimPod): PolicyEndpoint {
    let ep = this.endpoints.get(pod);
    if (!ep) {
      ep = this.engine.endpointOf({ kind: 'pod', pod });
      this.endpoints.set(pod, ep);
    }
    return ep;
  }

  /** Every label key some namespace carries, sorted. */
  namespaceLabelKeys(): string[] {
    this.labelKeys ??= [...new Set(this.sortedNamespaces().flatMap((n) => Object.keys(n.labels)))].sort();
    return this.labelKeys;
  }

  /** The namespaces a namespaceSelector selects, in name order. */
  namespacesMatching(nsSel: LabelSelector): SimNamespace[] {
    const key = selectorKey(nsSel);
    let list = this.namespacesBySelector.get(key);
    if (!list) {
      list = this.sortedNamespaces().filter((n) => matchesSelector(nsSel, n.labels));
      this.namespacesBySelector.set(key, list);
    }
    return list;
  }

  /** The namespaces a selector peer of `policy` covers (its namespaceSelector's, or the policy's own). */
  peerNamespaces(policy: SimNetworkPolicy, peer: Extract<PolicyPeer, { kind: 'selector' }>): string[] {
    const nsSel = peer.namespaceSelector;
    return nsSel ? this.namespacesMatching(nsSel).map((n) => n.name) : [policy.namespace];
  }

  /**
   * The representatives of one namespace a peer's podSelector matches (selectable pods only: peers
   * match pods by labels, hostNetwork ones by address). Remembered by selector shape and namespace:
   * thousands of generated peers repeat a few shapes per namespace. Shared: callers must not mutate it.
   */
  private repsMatching(namespace: string, podSel: LabelSelector | undefined): SimPod[] {
    return this.repsMatchingIn(this.repsByShape(podSel), namespace, podSel);
  }

  /** The remembered answers of one selector shape, by namespace (looked up once per peer, not once per namespace it covers). */
  private repsByShape(podSel: LabelSelector | undefined): Map<string, SimPod[]> {
    const shape = podSel ? selectorKey(podSel) : '*';
    let byNamespace = this.repsBySelector.get(shape);
    if (!byNamespace) this.repsBySelector.set(shape, (byNamespace = new Map<string, SimPod[]>()));
    return byNamespace;
  }

  private repsMatchingIn(byNamespace: Map<string, SimPod[]>, namespace: string, podSel: LabelSelector | undefined): SimPod[] {
    let list = byNamespace.get(namespace);
    if (!list) {
      const entry = this.selectableIndex(namespace);
      if (podSel === undefined) list = entry.all;
      else {
        // By shape with the namespace's (kept) representatives: the answer is kept with them.
        const shape = selectorKey(podSel);
        list = entry.matched.get(shape);
        if (!list) entry.matched.set(shape, (list = entry.index.matching(podSel)));
      }
      byNamespace.set(namespace, list);
    }
    return list;
  }

  /** The representatives of a namespace policies select by labels (not hostNetwork ones), with a label index. */
  private selectableIndex(namespace: string): SelectableReps {
    let entry = this.selectableByNamespace.get(namespace);
    if (!entry) {
      const reps = this.repsIn(namespace);
      const known = this.stablePods ? selectableReps.get(reps) : undefined;
      if (known && known.hostNetwork === this.engine.hostNetwork) entry = known;
      else {
        const all = reps.filter((p) => this.engine.selectable(p));
        entry = { all, index: new LabelIndex(all), matched: new Map<string, SimPod[]>() };
        if (this.stablePods) selectableReps.set(reps, { ...entry, hostNetwork: this.engine.hostNetwork });
      }
      this.selectableByNamespace.set(namespace, entry);
    }
    return entry;
  }

  /** The representatives a policy's podSelector selects (its namespace's, not hostNetwork). Shared: do not mutate. */
  selectedReps(policy: SimNetworkPolicy): SimPod[] {
    return this.repsMatching(policy.namespace, policy.podSelector);
  }

  /** Whether a selector peer matches any pod of the workspace (one per workload) or of the simulator. */
  peerMatchesAny(policy: SimNetworkPolicy, peer: Extract<PolicyPeer, { kind: 'selector' }>): boolean {
    const nsSel = peer.namespaceSelector;
    const byShape = this.repsByShape(peer.podSelector);
    if (!nsSel) return this.matchesIn(byShape, policy.namespace, policy, peer);
    for (const n of this.namespacesMatching(nsSel)) if (this.matchesIn(byShape, n.name, policy, peer)) return true;
    return false;
  }

  private matchesIn(
    byShape: Map<string, SimPod[]>,
    namespace: string,
    policy: SimNetworkPolicy,
    peer: Extract<PolicyPeer, { kind: 'selector' }>,
  ): boolean {
    if (this.repsMatchingIn(byShape, namespace, peer.podSelector).length > 0) return true;
    const implicit = this.implicitIn(namespace);
    for (const p of implicit) if (this.engine.peerMatches(policy, peer, this.ep(p))) return true;
    return false;
  }

  /**
   * The workspace's pods (one per workload) a selector peer of `policy` matches: found through the
   * namespaces it covers, so a check costs the namespace's pods, not the cluster's.
   */
  peerPods(policy: SimNetworkPolicy, peer: PolicyPeer): SimPod[] {
    if (peer.kind === 'invalid') return [];
    if (peer.kind === 'ipBlock') {
      // Only pods seen by address (hostNetwork) can match an ipBlock: few, so listed once.
      this.addressed ??= this.representatives().filter((p) => !this.engine.selectable(p));
      return this.addressed.filter((p) => this.engine.peerMatches(policy, peer, this.ep(p)));
    }
    const byShape = this.repsByShape(peer.podSelector);
    return this.peerNamespaces(policy, peer).flatMap((ns) => this.repsMatchingIn(byShape, ns, peer.podSelector));
  }

  /**
   * The lists peerPods joins for a selector peer, one per namespace it covers (kept across analyses
   * with the namespaces' kept representatives); undefined for an ipBlock peer, whose pods are found by address.
   */
  peerPodLists(policy: SimNetworkPolicy, peer: PolicyPeer): SimPod[][] | undefined {
    if (peer.kind === 'invalid') return [];
    if (peer.kind === 'ipBlock') return undefined;
    const byShape = this.repsByShape(peer.podSelector);
    return this.peerNamespaces(policy, peer).map((ns) => this.repsMatchingIn(byShape, ns, peer.podSelector));
  }

  /** The pods behind cluster DNS (kube-system/kube-dns), the ones a DNS egress rule must admit. */
  coreDnsPods(): SimPod[] {
    if (!this.dnsPods) {
      const svc = this.kubeDns();
      const ids = new Set((svc?.endpointsByPort ?? []).flat().map((e) => e.pod));
      this.dnsPods = this.cluster.pods.filter((p) => ids.has(podId(p)));
    }
    return this.dnsPods;
  }

  /** The kube-system/kube-dns Service (found once: the DNS checks ask for it per egress rule). */
  kubeDns(): SimService | undefined {
    if (this.dnsService === null)
      this.dnsService = this.cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
    return this.dnsService;
  }
}

/** The selectable representatives of a namespace and their label index, by the representatives' list. */
const selectableReps = new WeakMap<SimPod[], SelectableReps & { hostNetwork: PolicyEngine['hostNetwork'] }>();

/** A namespace's selectable representatives, their label index, and what selectors matched of them, by selector shape. */
interface SelectableReps {
  all: SimPod[];
  index: LabelIndex<SimPod>;
  matched: Map<string, SimPod[]>;
}

/** `Deployment shop/web` for messages. */
export function workloadLabel(pod: SimPod): string {
  return `${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name}`;
}

/** The workloads of some pods, for messages: the first three and a count of the rest. */
export function workloadsText(pods: readonly SimPod[]): string {
  const names = [...new Set(pods.map(workloadLabel))];
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
}
