// Cilium's own policies as layer 2 of design.md "Policy layers", under `cni: cilium`. Cilium
// enforces CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and NetworkPolicy together
// (https://docs.cilium.io/en/stable/security/policy/intro/): a pod is in default deny for a
// direction once any rule with a section for it selects it; then what any rule allows passes, and
// a deny rule wins over every allow (https://docs.cilium.io/en/stable/security/policy/deny/). Here:
// a deny rule decides Deny, an allow rule Allow; a pod in default deny that no Cilium rule allows
// goes on to NetworkPolicy when one isolates it (its allows add to Cilium's), else is denied.
import { podServiceAccount as serviceAccount, type Protocol, type SimPod } from '../cluster/model';
import { matchesSelector } from '../cluster/selectorCache';
import type { Labels } from '../cluster/labels';
import { ConnSet } from './connset';
import { parseAddress, rangesContain, rangesCover, type IpRange } from './ipRanges';
import type { CniLayerHost, CniPolicyLayer, CniStage } from './cniLayer';
import { nameMatches } from './ciliumL7';
export { httpAllows, httpRuleText, nameMatches, type HttpRequest } from './ciliumL7';
import type { Direction, PolicyRef } from './parse';
import type { HttpRuleRef, PolicyEndpoint, RuleHit } from './types';
import {
  NAMESPACE_LABEL,
  NAMESPACE_LABELS_PREFIX,
  pathText,
  type CiliumEntity,
  type CiliumEntry,
  type CiliumPeer,
  type CiliumPort,
  type CiliumPortRule,
  type CiliumRule,
  type CiliumSection,
  type CiliumSelector,
  type DnsRule,
  type HttpRule,
  type SimCiliumPolicy,
} from './ciliumParse';

interface Selected {
  policy: SimCiliumPolicy;
  rule: CiliumRule;
}

interface Selection {
  rules: Selected[];
  /** The first rule putting the pod in default deny, per direction. */
  defaultDeny: Record<Direction, Selected | undefined>;
  /** Whether some rule has a section for the direction. */
  any: Record<Direction, boolean>;
}

const NONE_SELECTED: Selection = {
  rules: [],
  defaultDeny: { ingress: undefined, egress: undefined },
  any: { ingress: false, egress: false },
};
const ALLOW: Record<Direction, CiliumSection> = { ingress: 'ingress', egress: 'egress' };
const DENY: Record<Direction, CiliumSection> = { ingress: 'ingressDeny', egress: 'egressDeny' };
export const EBPF = 'Cilium eBPF datapath';
export const PROXY = 'Cilium Envoy proxy (L7)';
export const DNS_PROXY = 'Cilium DNS proxy (L7)';

export class CiliumLayer implements CniPolicyLayer {
  readonly refs: readonly PolicyRef[];
  /** Cilium's policies form one layer, between the admin tier and NetworkPolicy. */
  readonly stages: ReadonlySet<CniStage> = new Set<CniStage>(['main']);
  private readonly selections = new WeakMap<SimPod, Selection>();
  private readonly endpointLabels = new WeakMap<SimPod, Labels>();
  private readonly nodeOf = new Map<string, string>();
  private readonly podIps = new Set<string>();
  private readonly apiServer = new Set<string>();
  private allSelectors: CiliumSelector[] | undefined;

  constructor(
    readonly policies: readonly SimCiliumPolicy[],
    private readonly host: CniLayerHost,
  ) {
    this.refs = policies.map((p) => p.ref);
    const { cluster } = host;
    for (const n of cluster.nodes) {
      this.nodeOf.set(n.ip, n.name);
      if (n.ipv6) this.nodeOf.set(n.ipv6, n.name);
    }
    for (const p of cluster.pods) if (p.ip && !p.hostNetwork) this.podIps.add(p.ip);
    const api = cluster.services.find((s) => s.name === 'kubernetes' && s.namespace === 'default');
    for (const e of api?.endpointsByPort.flat() ?? []) this.apiServer.add(e.ip);
  }

  /** The rules selecting a pod (its CiliumNetworkPolicies' in its namespace, and the clusterwide ones). */
  selection(pod: SimPod): Selection {
    let s = this.selections.get(pod);
    if (s) return s;
    s = NONE_SELECTED;
    if (!pod.hostNetwork) {
      const labels = this.labelsOf(pod);
      const rules: Selected[] = [];
      for (const policy of this.policies)
        for (const rule of policy.rules) if (this.selectorMatches(rule.endpointSelector, pod, labels)) rules.push({ policy, rule });
      if (rules.length > 0) {
        const dd = (d: Direction) => rules.find((x) => x.rule.defaultDeny[d]);
        const any = (d: Direction) => rules.some((x) => x.rule.sections[ALLOW[d]].length > 0 || x.rule.sections[DENY[d]].length > 0);
        s = {
          rules,
          defaultDeny: { ingress: dd('ingress'), egress: dd('egress') },
          any: { ingress: any('ingress'), egress: any('egress') },
        };
      }
    }
    this.selections.set(pod, s);
    return s;
  }

  selects(pod: SimPod, direction: Direction): boolean {
    return this.selection(pod).any[direction];
  }

  /**
   * A pod's labels as Cilium's identity carries them: its own, its namespace
   * (`io.kubernetes.pod.namespace`), its service account, the cluster, and its namespace's labels
   * under `io.cilium.k8s.namespace.labels.`.
   */
  labelsOf(pod: SimPod): Labels {
    let l = this.endpointLabels.get(pod);
    if (l) return l;
    const out: Record<string, string> = { ...pod.labels };
    out[NAMESPACE_LABEL] = pod.namespace;
    out['io.cilium.k8s.policy.serviceaccount'] = serviceAccount(pod);
    out['io.cilium.k8s.policy.cluster'] = 'default';
    for (const [k, v] of Object.entries(this.host.namespaceLabels(pod.namespace))) out[`${NAMESPACE_LABELS_PREFIX}${k}`] = v;
    l = out;
    this.endpointLabels.set(pod, l);
    return l;
  }

  selectorMatches(s: CiliumSelector, pod: SimPod, labels: Labels): boolean {
    if (s.foreign) return false;
    if (s.namespace !== undefined && pod.namespace !== s.namespace) return false;
    return matchesSelector(s.selector, labels);
  }

  /** The kind of address an endpoint that is not a selectable pod is, as Cilium's identities tell them apart. */
  private entityMatches(entity: CiliumEntity, self: SimPod, ep: PolicyEndpoint): boolean {
    if (entity === 'all') return true;
    if (ep.kind === 'pod') return entity === 'cluster';
    const family = ep.range ? ep.range.family : ep.ip !== undefined ? parseAddress(ep.ip)?.family : undefined;
    const world = entity === 'world' || (entity === 'world-ipv4' && family === 'ipv4') || (entity === 'world-ipv6' && family === 'ipv6');
    if (ep.range) return world; // the matrix's ranges outside the cluster
    if (ep.ip === undefined) return false;
    const node = this.nodeOf.get(ep.ip);
    if (this.apiServer.has(ep.ip) && entity === 'kube-apiserver') return true;
    if (node !== undefined) {
      if (entity === 'cluster') return true;
      return node === self.node ? entity === 'host' : entity === 'remote-node';
    }
    if (this.podIps.has(ep.ip)) return entity === 'cluster';
    return world;
  }

  /**
   * Traffic from the pod's own node into the pod: Cilium lets it through whatever the policies say
   * (`allow-localhost`, "always" unless the host firewall is on), for the kubelet's probes.
   */
  private fromLocalHost(direction: Direction, self: SimPod, other: PolicyEndpoint): boolean {
    return (
      direction === 'ingress' &&
      other.kind === 'ip' &&
      other.ip !== undefined &&
      self.node !== undefined &&
      this.nodeOf.get(other.ip) === self.node
    );
  }

  /** Whether an address is outside the cluster (CIDR rules match only those: not pods, not nodes). */
  private isWorld(ep: PolicyEndpoint): boolean {
    if (ep.kind === 'pod') return false;
    if (ep.range) return true;
    return ep.ip !== undefined && !this.nodeOf.has(ep.ip) && !this.podIps.has(ep.ip);
  }

  private peerMatches(peer: CiliumPeer, self: SimPod, ep: PolicyEndpoint): boolean {
    switch (peer.kind) {
      case 'endpoints':
        return ep.kind === 'pod' && this.selectorMatches(peer.selector, ep.pod, this.labelsOf(ep.pod));
      case 'entity':
        return this.entityMatches(peer.entity, self, ep);
      case 'cidr':
        if (!this.isWorld(ep) || ep.kind !== 'ip') return false;
        if (ep.range) return rangesCover(peer.ranges, ep.range);
        return ep.ip !== undefined && rangesContain(peer.ranges, ep.ip);
      case 'fqdn':
        // Cilium learns a name's addresses from the DNS answers its proxy sees: the pod must look
        // the name up through a DNS rule that lets it ask.
        return (
          ep.kind === 'ip' &&
          ep.name !== undefined &&
          nameMatches(peer.matchName, peer.matchPattern, ep.name) &&
          this.dnsRuleFor(self, ep.name) !== undefined
        );
    }
  }

  /** The first rules.dns pattern of a rule selecting the pod (egress, port 53) that lets it ask for `name`, if any. */
  dnsRuleFor(pod: SimPod, name: string): { policy: SimCiliumPolicy; rule: DnsRule } | undefined {
    for (const s of this.selection(pod).rules)
      for (const entry of s.rule.sections.egress)
        for (const pr of entry.ports ?? [])
          if (pr.ports.some((p) => p.kind === 'range' && p.lo <= 53 && p.hi >= 53 && p.protocols.includes('UDP')))
            for (const rule of pr.dns ?? []) if (nameMatches(rule.matchName, rule.matchPattern, name)) return { policy: s.policy, rule };
    return undefined;
  }

  /** The index of the entry's first peer matching `other`; -1 for an entry with only toPorts (every peer); undefined when none. */
  matchingPeer(entry: CiliumEntry, self: SimPod, other: PolicyEndpoint): number | undefined {
    if (entry.peers === null) return entry.ports !== null ? -1 : undefined;
    for (const p of entry.peers) if (this.peerMatches(p, self, other)) return p.index;
    return undefined;
  }

  /** The toPorts entries admitting one port; null when the entry has no toPorts (every port). */
  private portRules(entry: CiliumEntry, dst: PolicyEndpoint, port: number, protocol: Protocol): CiliumPortRule[] | null {
    if (entry.ports === null) return null;
    return entry.ports.filter((pr) => pr.ports.some((p) => portMatches(p, dst, port, protocol)));
  }

  entryConnections(entry: CiliumEntry, dst: PolicyEndpoint, which: 'all' | 'http' | 'plain' = 'all'): ConnSet {
    if (entry.ports === null) return which === 'http' ? ConnSet.NONE : ConnSet.ALL;
    let out = ConnSet.NONE;
    for (const pr of entry.ports) {
      if (which === 'http' && pr.http === undefined) continue;
      if (which === 'plain' && pr.http !== undefined) continue;
      for (const p of pr.ports) out = out.union(portConnections(p, dst));
    }
    return out;
  }

  decide(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): RuleHit | undefined {
    const sel = this.selection(self.pod);
    if (!sel.any[direction] && !sel.defaultDeny[direction]) return undefined;
    if (this.fromLocalHost(direction, self.pod, other)) return undefined;
    for (const s of sel.rules)
      for (const entry of s.rule.sections[DENY[direction]]) {
        const peer = this.matchingPeer(entry, self.pod, other);
        if (peer === undefined) continue;
        const prs = this.portRules(entry, dst, port, protocol);
        if (prs !== null && prs.length === 0) continue;
        return hit(s.policy, direction, entry, 'Deny', peer);
      }
    let first: RuleHit | undefined;
    let plain = false;
    let plainDns = false;
    const http: HttpRuleRef[] = [];
    const dns: NonNullable<RuleHit['dns']> = [];
    for (const s of sel.rules)
      for (const entry of s.rule.sections[ALLOW[direction]]) {
        const peer = this.matchingPeer(entry, self.pod, other);
        if (peer === undefined) continue;
        const prs = this.portRules(entry, dst, port, protocol);
        if (prs !== null && prs.length === 0) continue;
        first ??= hit(s.policy, direction, entry, 'Allow', peer);
        if (prs === null || prs.some((pr) => pr.http === undefined)) plain = true;
        if (prs === null || prs.some((pr) => pr.dns === undefined)) plainDns = true;
        for (const pr of prs ?? []) for (const rule of pr.http ?? []) http.push(httpRef(s.policy, rule));
        for (const pr of prs ?? []) for (const rule of pr.dns ?? []) dns.push(dnsRef(s.policy, rule));
      }
    if (first) {
      // An L4 allow of the same connection (a rule without HTTP rules, or a NetworkPolicy) lets every request through.
      if (!plain && http.length > 0 && !this.networkPolicyAdmits(direction, self, other, dst, port, protocol)) {
        first.http = http;
        first.enforcement = PROXY;
      }
      if (!plainDns && dns.length > 0 && !this.networkPolicyAdmits(direction, self, other, dst, port, protocol)) {
        first.dns = dns;
        first.enforcement = DNS_PROXY;
      }
      if (other.kind === 'ip' && other.name !== undefined && first.peerIndex >= 0) {
        const peer = this.fqdnPeer(first);
        if (peer) first.fqdn = other.name;
      }
      return first;
    }
    const dd = sel.defaultDeny[direction];
    if (dd && !this.host.networkPolicyIsolates(self.pod, direction)) return defaultDenyHit(dd, direction);
    return undefined;
  }

  /** Whether the peer a hit names is a toFQDNs one. */
  private fqdnPeer(h: RuleHit): boolean {
    const policy = this.policies.find((p) => p.ref === h.policy);
    for (const r of policy?.rules ?? [])
      for (const e of r.sections.egress)
        if (pathText(e.path) === h.rulePath) return e.peers?.find((p) => p.index === h.peerIndex)?.kind === 'fqdn';
    return false;
  }

  private networkPolicyAdmits(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
    port: number,
    protocol: Protocol,
  ): boolean {
    if (!this.host.networkPolicyIsolates(self.pod, direction)) return false;
    return this.host.networkPolicyConnections(direction, self, other, dst).has(protocol, port);
  }

  partition(
    direction: Direction,
    self: PolicyEndpoint & { kind: 'pod' },
    other: PolicyEndpoint,
    dst: PolicyEndpoint,
  ): { allow: ConnSet; deny: ConnSet } {
    const sel = this.selection(self.pod);
    let deny = ConnSet.NONE;
    let allow = ConnSet.NONE;
    if (!sel.any[direction] && !sel.defaultDeny[direction]) return { allow, deny };
    if (this.fromLocalHost(direction, self.pod, other)) return { allow, deny };
    for (const s of sel.rules) {
      for (const entry of s.rule.sections[DENY[direction]])
        if (this.matchingPeer(entry, self.pod, other) !== undefined) deny = deny.union(this.entryConnections(entry, dst));
      for (const entry of s.rule.sections[ALLOW[direction]])
        if (this.matchingPeer(entry, self.pod, other) !== undefined) allow = allow.union(this.entryConnections(entry, dst));
    }
    allow = allow.subtract(deny);
    if (sel.defaultDeny[direction] && !this.host.networkPolicyIsolates(self.pod, direction)) deny = ConnSet.ALL.subtract(allow);
    return { allow, deny };
  }

  l7(direction: Direction, self: PolicyEndpoint & { kind: 'pod' }, other: PolicyEndpoint, dst: PolicyEndpoint): ConnSet {
    const sel = this.selection(self.pod);
    let http = ConnSet.NONE;
    let plain = ConnSet.NONE;
    let deny = ConnSet.NONE;
    for (const s of sel.rules) {
      for (const entry of s.rule.sections[DENY[direction]])
        if (this.matchingPeer(entry, self.pod, other) !== undefined) deny = deny.union(this.entryConnections(entry, dst));
      for (const entry of s.rule.sections[ALLOW[direction]]) {
        if (this.matchingPeer(entry, self.pod, other) === undefined) continue;
        http = http.union(this.entryConnections(entry, dst, 'http'));
        plain = plain.union(this.entryConnections(entry, dst, 'plain'));
      }
    }
    if (http.isEmpty()) return http;
    const np = this.host.networkPolicyIsolates(self.pod, direction)
      ? this.host.networkPolicyConnections(direction, self, other, dst)
      : ConnSet.NONE;
    return http.subtract(plain).subtract(deny).subtract(np);
  }

  classKey(pod: SimPod): string {
    if (pod.hostNetwork) return '';
    const labels = this.labelsOf(pod);
    this.allSelectors ??= this.policies.flatMap((p) =>
      p.rules.flatMap((r) => [
        r.endpointSelector,
        ...Object.values(r.sections).flatMap((entries) =>
          entries.flatMap((e) => (e.peers ?? []).flatMap((peer) => (peer.kind === 'endpoints' ? [peer.selector] : []))),
        ),
      ]),
    );
    let key = '';
    for (const s of this.allSelectors) key += this.selectorMatches(s, pod, labels) ? '1' : '0';
    return key;
  }

  externalRanges(direction: Direction): IpRange[] {
    const out: IpRange[] = [];
    for (const p of this.policies)
      for (const r of p.rules)
        for (const section of [ALLOW[direction], DENY[direction]])
          for (const e of r.sections[section]) for (const peer of e.peers ?? []) if (peer.kind === 'cidr') out.push(...peer.ranges);
    return out;
  }
}

function portMatches(p: CiliumPort, dst: PolicyEndpoint, port: number, protocol: Protocol): boolean {
  if (!p.protocols.includes(protocol)) return false;
  if (p.kind === 'range') return port >= p.lo && port <= p.hi;
  if (dst.kind !== 'pod') return false;
  for (const c of dst.pod.containers)
    for (const cp of c.ports) if (cp.name === p.name && cp.protocol === protocol && cp.containerPort === port) return true;
  return false;
}

function portConnections(p: CiliumPort, dst: PolicyEndpoint): ConnSet {
  let out = ConnSet.NONE;
  if (p.kind === 'range') {
    for (const proto of p.protocols) out = out.union(ConnSet.ports(proto, p.lo, p.hi));
    return out;
  }
  if (dst.kind !== 'pod') return out;
  for (const c of dst.pod.containers)
    for (const cp of c.ports)
      if (cp.name === p.name && p.protocols.includes(cp.protocol)) out = out.union(ConnSet.ports(cp.protocol, cp.containerPort));
  return out;
}

function hit(policy: SimCiliumPolicy, direction: Direction, entry: CiliumEntry, action: 'Allow' | 'Deny', peerIndex: number): RuleHit {
  const origin = policy.origin;
  const peer = peerIndex >= 0 ? entry.peers?.find((p) => p.index === peerIndex) : undefined;
  const path = peer?.path ?? entry.path;
  return {
    layer: 'cni',
    policy: policy.ref,
    priority: undefined,
    direction,
    ruleIndex: entry.index,
    ruleName: undefined,
    action,
    peerIndex,
    rulePath: pathText(entry.path),
    enforcement: EBPF,
    get range() {
      return origin.kind === 'manifest' ? origin.object.locate(path) : undefined;
    },
  };
}

function defaultDenyHit(s: Selected, direction: Direction): RuleHit {
  const origin = s.policy.origin;
  const path = [...s.rule.path, 'endpointSelector'];
  return {
    layer: 'cni',
    policy: s.policy.ref,
    priority: undefined,
    direction,
    ruleIndex: -1,
    ruleName: undefined,
    action: 'Deny',
    peerIndex: -1,
    rulePath: pathText(s.rule.path),
    note: `selects the pod, so it is in default deny for ${direction}, and no Cilium or Kubernetes policy rule allows this`,
    enforcement: EBPF,
    get range() {
      return origin.kind === 'manifest' ? origin.object.locate(path) : undefined;
    },
  };
}

function dnsRef(policy: SimCiliumPolicy, rule: DnsRule): NonNullable<RuleHit['dns']>[number] {
  const origin = policy.origin;
  return {
    policy: policy.ref,
    rule,
    get range() {
      return origin.kind === 'manifest' ? origin.object.locate(rule.path) : undefined;
    },
  };
}

function httpRef(policy: SimCiliumPolicy, rule: HttpRule): HttpRuleRef {
  const origin = policy.origin;
  return {
    policy: policy.ref,
    rule,
    get range() {
      return origin.kind === 'manifest' ? origin.object.locate(rule.path) : undefined;
    },
  };
}
