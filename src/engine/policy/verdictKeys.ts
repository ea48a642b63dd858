// Keys for what policy verdicts read (see incremental/memo.ts). A verdict between two pods is decided by the
// policies of the two pods' namespaces (egress of the source's, ingress of the destination's), the
// cluster-wide tiers, and what those policies see of the two pods: labels, namespace labels,
// addresses, node, container ports (named ports). Nothing else of the cluster enters it, so a
// verdict is a function of the keys below.
import type { Cluster, SimPod, SimService } from '../cluster/model';
import type { StableObjects } from '../cluster/stable';
import type { DnsResult } from '../dns/records';
import type { PolicyEngine } from '../policy/engine';
import type { Identities, Interned } from '../incremental/memo';

/** What a check of a connection reads of a lookup's result, by result (a remembered lookup is the same object). */
const answers = new WeakMap<DnsResult, number>();

export class PolicyKeys {
  private readonly namespaces = new Map<string, string>();
  private readonly services = new WeakMap<SimService, string>();
  /** Everything cluster-wide a verdict reads; undefined when a layer's reads are not spelled out here (nothing is remembered). */
  readonly global: string | undefined;

  constructor(
    private readonly engine: PolicyEngine,
    readonly ids: Identities,
    readonly texts: Interned,
    private readonly stable: StableObjects,
    /** Services' keys kept across analyses (a kept Service is the same object). */
    private readonly kept?: WeakMap<SimService, KeptServiceKey>,
  ) {
    // The CNI's own layer reads more of the pods (service accounts, entities, DNS names): not keyed, so not remembered.
    if (engine.cni && engine.cni.refs.length > 0) return;
    const c: Cluster = engine.cluster;
    // Nodes and pods are the previous analysis's objects when unchanged (cluster/stable.ts): their identities are their contents.
    this.global = String(
      texts.of(
        `${texts.of(JSON.stringify([c.settings, engine.hostNetwork, engine.adminEnforced]))}|${engine.adminPolicies
          .map((p) => ids.of(p))
          .join(',')}|${c.nodes.map((n) => ids.of(n)).join(',')}`,
      ),
    );
  }

  /** Where a name resolved, as a connection to it reads it: the answer, not how it was looked up. */
  answer(dns: DnsResult): number {
    let key = answers.get(dns);
    if (key === undefined) {
      const list = dns.answers.map((a) => `${a.type} ${a.value} ${a.service ?? ''}`).join(',');
      key = this.texts.of(`${dns.rcode} ${dns.forwarded ? 1 : 0} ${dns.answeredBy} ${list}`);
      answers.set(dns, key);
    }
    return key;
  }

  /** What policies see of a pod: the pod (every field of it), and its namespace's labels and policies. */
  pod(p: SimPod): string {
    return `${this.ids.of(p)}n${this.namespace(p.namespace)}`;
  }

  /** A namespace's labels and NetworkPolicies (by identity: a ParseCache keeps unchanged ones). */
  namespace(name: string): number {
    let key = this.namespaces.get(name);
    if (key === undefined) {
      const labels = this.engine.namespaceLabels(name);
      const policies = this.engine
        .policiesIn(name)
        .map((p) => this.ids.of(p))
        .join(',');
      key = String(this.texts.of(`${JSON.stringify(labels)}:${policies}`));
      this.namespaces.set(name, key);
    }
    return Number(key);
  }

  /** A Service as a connection to it lands: the Service (its ports, its endpoints by pod name) and the pods behind it. */
  service(s: SimService): string {
    let key = this.services.get(s);
    if (key === undefined) {
      key = this.keptService(s) ?? this.spellService(s);
      this.services.set(s, key);
    }
    return key;
  }

  /** The previous analysis's key of a kept Service, when the pods behind it are the same objects in namespaces keyed alike. */
  private keptService(s: SimService): string | undefined {
    const k = this.kept?.get(s);
    if (!k) return undefined;
    let i = 0;
    for (const eps of s.endpointsByPort)
      for (const e of eps) {
        const pod = this.stable.pod(e.pod);
        if (pod !== k.pods[i] || (pod !== undefined && this.namespace(pod.namespace) !== k.namespaces[i])) return undefined;
        i++;
      }
    return i === k.pods.length ? k.key : undefined;
  }

  private spellService(s: SimService): string {
    const behind: Array<SimPod | undefined> = [];
    const namespaces: number[] = [];
    const pods = s.endpointsByPort.map((eps) =>
      eps
        .map((e) => {
          const pod = this.stable.pod(e.pod);
          behind.push(pod);
          namespaces.push(pod ? this.namespace(pod.namespace) : 0);
          return pod ? this.pod(pod) : '?';
        })
        .join(';'),
    );
    const key = `${this.ids.of(s)}[${pods.join('/')}]`;
    this.kept?.set(s, { pods: behind, namespaces, key });
    return key;
  }
}

/** A Service's key as an analysis spelled it, with the pods behind it and their namespaces' keys then. */
export interface KeptServiceKey {
  pods: ReadonlyArray<SimPod | undefined>;
  namespaces: readonly number[];
  key: string;
}
