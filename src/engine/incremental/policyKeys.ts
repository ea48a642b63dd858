// Keys for what policy verdicts read (see memo.ts). A verdict between two pods is decided by the
// policies of the two pods' namespaces (egress of the source's, ingress of the destination's), the
// cluster-wide tiers, and what those policies see of the two pods: labels, namespace labels,
// addresses, node, container ports (named ports). Nothing else of the cluster enters it, so a
// verdict is a function of the keys below.
import { podId, type Cluster, type SimPod, type SimService } from '../cluster/model';
import type { PolicyEngine } from '../policy/engine';
import type { Identities, Interned } from './memo';

export class PolicyKeys {
  private readonly pods = new WeakMap<SimPod, number>();
  private readonly namespaces = new Map<string, number>();
  private readonly services = new WeakMap<SimService, number>();
  private podsById: Map<string, SimPod> | undefined;
  /** Everything cluster-wide a verdict reads; undefined when a layer's reads are not spelled out here (nothing is remembered). */
  readonly global: string | undefined;

  constructor(
    private readonly engine: PolicyEngine,
    readonly ids: Identities,
    readonly texts: Interned,
  ) {
    // The CNI's own layer reads more of the pods (service accounts, entities, DNS names): not keyed, so not remembered.
    if (engine.cni && engine.cni.refs.length > 0) return;
    const c: Cluster = engine.cluster;
    this.global = String(
      texts.of(
        JSON.stringify([
          c.settings,
          engine.hostNetwork,
          engine.adminEnforced,
          engine.adminPolicies.map((p) => ids.of(p)),
          c.nodes.map((n) => [n.name, n.ip, n.ipv6, n.labels, n.podCIDR, n.podCIDRv6]),
        ]),
      ),
    );
  }

  /** What policies see of a pod. */
  pod(p: SimPod): number {
    let key = this.pods.get(p);
    if (key === undefined) {
      const ids = this.ids;
      key = this.texts.of(
        `${p.namespace}/${p.name}|${ids.of(p.labels)}|${ids.of(p.containers)}|${p.origin.kind === 'manifest' ? ids.of(p.origin.object) : 'i'}|${p.ip}|${p.ipv6}|${p.node}|${p.hostNetwork ? 1 : 0}|${p.ready ? 1 : 0}|${this.namespace(p.namespace)}`,
      );
      this.pods.set(p, key);
    }
    return key;
  }

  /** A namespace's labels and NetworkPolicies (by identity: a ParseCache keeps unchanged ones). */
  namespace(name: string): number {
    let key = this.namespaces.get(name);
    if (key === undefined) {
      const labels = this.engine.namespaceLabels(name);
      key = this.texts.of(
        `${JSON.stringify(labels)}:${this.engine
          .policiesIn(name)
          .map((p) => this.ids.of(p))
          .join(',')}`,
      );
      this.namespaces.set(name, key);
    }
    return key;
  }

  /** A Service as a connection to it lands: its ports and, per port, its endpoints with their pods. */
  service(s: SimService): number {
    let key = this.services.get(s);
    if (key === undefined) {
      this.podsById ??= new Map(this.engine.cluster.pods.map((p) => [podId(p), p]));
      const byId = this.podsById;
      const endpoints = s.endpointsByPort
        .map((eps) =>
          eps
            .map((e) => {
              const pod = byId.get(e.pod);
              return `${e.port}@${pod ? this.pod(pod) : `?${e.pod}`}`;
            })
            .join(';'),
        )
        .join('/');
      key = this.texts.of(
        `${s.namespace}/${s.name}|${s.type}|${s.headless ? 1 : 0}|${JSON.stringify(s.ports.map((p) => [p.port, p.protocol, p.name]))}|${endpoints}`,
      );
      this.services.set(s, key);
    }
    return key;
  }
}
