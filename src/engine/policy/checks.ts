import { makeDiagnostic, type Diagnostic, type RelatedInformation } from '../diagnostics';
import type { ResolvedReference } from '../dns/references';
import { resourceName } from '../manifests/fields';
import { selectorText, type Labels } from '../cluster/labels';
import { matchesSelector } from '../cluster/selectorCache';
import { LabelIndex } from '../cluster/labelIndex';
import { nearMissHint } from '../services/endpoints';
import { cidrContains } from '../cluster/ipam';
import { locate, podId, serviceId, workloadId, type Protocol, type SimPod, type SimService } from '../cluster/model';
import type { PolicyEngine } from './engine';
import { policyRefId, type PolicyRef, type SimNetworkPolicy } from './parse';
import { type Verdict, type DirectionResult } from './types';
import { decidingPolicies } from './explain';
import { copyDiagnostic } from '../incremental/memo';
import { PolicyKeys, type KeptServiceKey } from './verdictKeys';
import type { HostReference } from '../dns/hosts';
import { namespaceReps, stableObjects } from '../cluster/stable';
import type { IncrementalState } from '../incremental/state';

/** The memo of connection-blocked-by-policy per host reference (incremental/state.ts). */
export const BLOCKED_REFERENCES = 'connection-blocked-by-policy';

/** policy-selects-nothing, connection-blocked-by-policy and policy-blocks-dns. */
export function checkPolicies(
  engine: PolicyEngine,
  references: ResolvedReference[],
  diagnostics: Diagnostic[],
  incremental?: IncrementalState,
): void {
  checkSelectsNothing(engine, diagnostics, incremental);
  // Built once, when a check needs it: both look pods up by id.
  let byId: Map<string, SimPod> | undefined;
  const podsById = () => (byId ??= new Map(engine.cluster.pods.map((p) => [podId(p), p])));
  // One set of keys for both checks: they key the same pods and namespaces.
  let keys: PolicyKeys | undefined;
  const policyKeys = (state: IncrementalState) =>
    (keys ??= new PolicyKeys(
      engine,
      state.ids,
      state.texts,
      stableObjects(state),
      state.slot('policy-service-keys', () => new WeakMap<SimService, KeptServiceKey>()),
    ));
  checkBlockedReferences(engine, references, podsById, diagnostics, incremental, policyKeys);
  checkDnsReachable(engine, podsById, diagnostics, incremental, policyKeys);
}

function podsByNamespace(engine: PolicyEngine): Map<string, SimPod[]> {
  const map = new Map<string, SimPod[]>();
  for (const p of engine.cluster.pods) {
    const list = map.get(p.namespace) ?? [];
    list.push(p);
    map.set(p.namespace, list);
  }
  return map;
}

/** Whether a policy selected some pod, and of which list of its namespace's pods (cluster/stable.ts keeps an unchanged list). */
interface KeptSelection {
  pods: readonly SimPod[];
  hostNetwork: PolicyEngine['hostNetwork'];
  selects: boolean;
}

function checkSelectsNothing(engine: PolicyEngine, diagnostics: Diagnostic[], incremental?: IncrementalState): void {
  const byNs: ReadonlyMap<string, readonly SimPod[]> = incremental ? stableObjects(incremental).podsByNamespace() : podsByNamespace(engine);
  const kept = incremental?.slot('policy-selects', () => new WeakMap<SimNetworkPolicy, KeptSelection>());
  const selectable = new Map<string, LabelIndex<SimPod>>();
  const selects = (policy: SimNetworkPolicy, pods: readonly SimPod[]): boolean => {
    const known = kept?.get(policy);
    if (known && known.pods === pods && known.hostNetwork === engine.hostNetwork) return known.selects;
    let index = selectable.get(policy.namespace);
    if (!index) selectable.set(policy.namespace, (index = new LabelIndex(pods.filter((p) => engine.selectable(p)))));
    const found = index.some(policy.podSelector);
    kept?.set(policy, { pods, hostNetwork: engine.hostNetwork, selects: found });
    return found;
  };
  for (const policy of engine.policies) {
    const pods = byNs.get(policy.namespace) ?? [];
    if (selects(policy, pods)) continue;
    const range = locate(policy.origin, ['spec', 'podSelector']);
    if (!range) continue;
    const hostNet = pods.filter((p) => p.hostNetwork && !engine.selectable(p) && matchesSelector(policy.podSelector, p.labels));
    let hint: string;
    if (hostNet.length > 0) hint = `It matches only hostNetwork pods (${hostNet[0]?.name}), which NetworkPolicy does not select.`;
    else if (pods.length === 0) hint = `There are no pods in namespace ${policy.namespace} in the workspace.`;
    else hint = nearMissHint(policy.podSelector.matchLabels, pods);
    diagnostics.push(
      makeDiagnostic(
        'policy-selects-nothing',
        range,
        { policy: `${policy.namespace}/${policy.name}`, namespace: policy.namespace, selector: selectorText(policy.podSelector), hint },
        resourceName({ kind: 'NetworkPolicy', namespace: policy.namespace, name: policy.name }),
      ),
    );
  }
}

/** The policies that said no in a verdict (the deciding rule's, where a rule decided), as related information pointing at each. */
function deniers(v: Verdict): PolicyRef[] {
  return [v.egress, v.ingress]
    .filter((d) => !d.allowed)
    .flatMap((d) => decidingPolicies(d).map((ref) => (d.rule?.range ? { ...ref, range: d.rule.range } : ref)));
}

function related(refs: PolicyRef[], why: string): RelatedInformation[] {
  const seen = new Set<string>();
  const out: RelatedInformation[] = [];
  for (const ref of refs) {
    const key = `${ref.kind} ${policyRefId(ref)}`;
    if (seen.has(key) || !ref.range) continue;
    seen.add(key);
    out.push({ message: `${key} ${why}`, location: ref.range });
  }
  return out;
}

function workloadLabel(pod: SimPod): string {
  return `${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name}`;
}

interface Target {
  pod: SimPod;
  port: number;
  protocol: Protocol;
}

/** A Service port's endpoints with their pods. Shared: callers must not mutate the list. */
type EndpointPods = (
  svc: SimService,
  portIndex: number,
  podsById: ReadonlyMap<string, SimPod>,
) => ReadonlyArray<{ pod: SimPod | undefined; port: number }>;

/** EndpointPods remembered per Service port: a Service is named by the references of every workload that calls it. */
function endpointPodsCache(): EndpointPods {
  const known = new Map<SimService, Array<Array<{ pod: SimPod | undefined; port: number }>>>();
  return (svc, i, podsById) => {
    let ports = known.get(svc);
    if (!ports) known.set(svc, (ports = []));
    return (ports[i] ??= (svc.endpointsByPort[i] ?? []).map((e) => ({ pod: podsById.get(e.pod), port: e.port })));
  };
}

/** The pods and ports a reference's connection lands on (after kube-proxy's DNAT for a ClusterIP Service). */
function targetsOf(
  r: ResolvedReference,
  podsById: ReadonlyMap<string, SimPod>,
  settings: { podCIDR: string; serviceCIDR: string },
  endpointPods: EndpointPods,
): { targets: Target[]; service: SimService | undefined } | 'external' | undefined {
  const svc = r.service;
  const port = r.ref.port;
  if (port === undefined) return undefined;
  if (!svc && r.dns.answeredBy === 'hosts') {
    // /etc/hosts (hostAliases) named the address itself: a pod's, or one outside the cluster.
    const ip = r.dns.answers[0]?.value;
    const pod = [...podsById.values()].find((p) => p.ip === ip && !p.hostNetwork);
    if (pod) return { targets: [{ pod, port, protocol: 'TCP' }], service: undefined };
    const inside = (cidrs: string) => ip !== undefined && cidrs.split(',').some((c) => cidrContains(c.trim(), ip));
    return ip && !inside(settings.podCIDR) && !inside(settings.serviceCIDR) ? 'external' : undefined;
  }
  if (!svc) return r.dns.forwarded ? 'external' : undefined;
  if (svc.type === 'ExternalName') return 'external';
  const byPort = (i: number) => endpointPods(svc, i, podsById);
  let endpoints: ReadonlyArray<{ pod: SimPod | undefined; port: number }>;
  let protocol: Protocol = 'TCP';
  if (svc.headless) {
    // No DNAT: the name resolves to the pod addresses and the URL's port is the pod's port.
    const seen = new Set<SimPod | undefined>();
    endpoints = svc.ports
      .flatMap((_, i) => byPort(i))
      .filter((e) => !seen.has(e.pod) && seen.add(e.pod))
      .map((e) => ({ pod: e.pod, port }));
  } else {
    const index = svc.ports.findIndex((p) => p.port === port && p.protocol === 'TCP');
    const i = index >= 0 ? index : svc.ports.findIndex((p) => p.port === port);
    if (i < 0) return undefined; // service-port-mismatch says so
    protocol = svc.ports[i]?.protocol ?? 'TCP';
    endpoints = byPort(i);
  }
  const targets = endpoints
    .filter((e): e is { pod: SimPod; port: number } => e.pod !== undefined)
    .map((e) => ({ pod: e.pod, port: e.port, protocol }));
  return targets.length > 0 ? { targets, service: svc } : undefined;
}

/**
 * The targets policies keep `src` from. Replicas of one workload share one labels object and one
 * list of containers (the template's), so policies treat them alike unless they are seen by
 * address (hostNetwork): asked once per labels object and port, not once per replica. Keyed like
 * the engine's own selection cache, so a pod given labels of its own is asked on its own.
 */
function blockedTargets(engine: PolicyEngine, src: SimPod, targets: Target[]): Target[] {
  const known = new Map<Labels, { containers: SimPod['containers']; port: number; protocol: Protocol; allowed: boolean }>();
  return targets.filter((t) => {
    const byLabels = engine.selectable(t.pod);
    const seen = byLabels ? known.get(t.pod.labels) : undefined;
    if (seen && seen.containers === t.pod.containers && seen.port === t.port && seen.protocol === t.protocol) return !seen.allowed;
    const allowed = engine.allows({ kind: 'pod', pod: src }, { kind: 'pod', pod: t.pod }, t.port, t.protocol);
    if (byLabels) known.set(t.pod.labels, { containers: t.pod.containers, port: t.port, protocol: t.protocol, allowed });
    return !allowed;
  });
}

/** Whether any external address is reachable from `src` on a port: egress only, since the address is not known. */
function externalEgressDenied(engine: PolicyEngine, src: SimPod, port: number): Verdict | undefined {
  const policies = engine.policiesSelecting(src).egress;
  if (policies.length === 0 || !engine.selectable(src)) return undefined;
  // The address is not known: what a cluster-wide rule does with it cannot be said, so say nothing.
  if (engine.tiers.selecting('admin', src).egress.length > 0) return undefined;
  const anyAddress = { kind: 'ip' as const, ip: undefined };
  for (const policy of policies) {
    for (const rule of policy.rules.egress) {
      if (rule.peers !== null && !rule.peers.some((p) => p.kind === 'ipBlock')) continue;
      if (engine.portsAdmit(rule, anyAddress, port, 'TCP')) return undefined;
    }
  }
  // Any address will do for the wording: no rule admits addresses outside the cluster on this port.
  return engine.verdict({ kind: 'pod', pod: src }, { kind: 'external', ip: '0.0.0.0' }, port, 'TCP');
}

function checkBlockedReferences(
  engine: PolicyEngine,
  references: ResolvedReference[],
  podsById: () => ReadonlyMap<string, SimPod>,
  diagnostics: Diagnostic[],
  incremental: IncrementalState | undefined,
  policyKeys: (state: IncrementalState) => PolicyKeys,
): void {
  if (!engine.hasPolicies) return;
  const representatives = new Map<string, SimPod[]>();
  if (incremental) {
    // From the namespaces' kept lists of pods: an unchanged namespace's representatives are kept with its list.
    for (const [ns, pods] of stableObjects(incremental).podsByNamespace()) {
      const reps = namespaceReps(pods);
      if (reps.length > 0) representatives.set(ns, reps);
    }
  } else {
    const seen = new Set<string>();
    for (const p of engine.cluster.pods) {
      if (p.origin.kind !== 'manifest' || seen.has(workloadId(p.workload))) continue;
      seen.add(workloadId(p.workload));
      const list = representatives.get(p.namespace) ?? [];
      list.push(p);
      representatives.set(p.namespace, list);
    }
  }
  const endpointPods = endpointPodsCache();
  const memo = incremental
    ? {
        keys: policyKeys(incremental),
        table: incremental.memo<Diagnostic | null>(BLOCKED_REFERENCES),
        spelled: incremental.slot('blocked-reference-keys', () => new WeakMap<HostReference, SpelledKey>()),
      }
    : undefined;
  for (const r of references) {
    if (r.text.origin.kind !== 'manifest' || r.dns.rcode === 'NXDOMAIN' || (r.dns.answers.length === 0 && !r.dns.forwarded)) continue;
    const check = () => blockedReference(engine, r, podsById, endpointPods, representatives);
    const key = memo ? blockedReferenceKey(memo.keys, r, representatives, memo.spelled) : undefined;
    const d = key !== undefined && memo ? memo.table.get(key, () => check() ?? null) : check();
    if (d) diagnostics.push(memo ? copyDiagnostic(d) : d);
  }
}

/**
 * What a reference's check reads, spelled out (see verdictKeys.ts): the text, where its
 * name resolved, the pods it is used from, and the Service's endpoints with their pods. Undefined
 * when a read is not spelled out (a name /etc/hosts answers is matched against every pod's address).
 */
function blockedReferenceKey(
  keys: PolicyKeys,
  r: ResolvedReference,
  representatives: ReadonlyMap<string, SimPod[]>,
  spelled: WeakMap<HostReference, SpelledKey>,
): string | undefined {
  if (keys.global === undefined || r.text.origin.kind !== 'manifest') return undefined;
  if (!r.service && r.dns.answeredBy === 'hosts') return undefined;
  const sources = r.pod ? keys.pod(r.pod) : (representatives.get(r.namespace) ?? []).map((p) => keys.pod(p)).join(';');
  // The text and its parsed references are kept with the template read: the same objects as long as
  // the workload is unchanged.
  const parts = [
    keys.global,
    keys.ids.of(r.text),
    keys.ids.of(r.ref),
    r.namespace,
    keys.answer(r.dns),
    r.service ? keys.service(r.service) : '-',
    sources,
  ];
  // The text the previous analysis joined from the same parts: a new one would be hashed again by the memo.
  const known = spelled.get(r.ref);
  if (known && known.parts.length === parts.length && known.parts.every((x, i) => x === parts[i])) return known.key;
  const key = parts.join('\u0000');
  spelled.set(r.ref, { parts, key });
  return key;
}

/** A reference's key and the parts it was joined from. */
interface SpelledKey {
  parts: ReadonlyArray<string | number>;
  key: string;
}

/** connection-blocked-by-policy for one reference, when every pod it is used from is kept from where it lands. */
function blockedReference(
  engine: PolicyEngine,
  r: ResolvedReference,
  podsById: () => ReadonlyMap<string, SimPod>,
  endpointPods: EndpointPods,
  representatives: ReadonlyMap<string, SimPod[]>,
): Diagnostic | undefined {
  if (r.text.origin.kind !== 'manifest') return undefined;
  const where = targetsOf(r, podsById(), engine.cluster.settings, endpointPods);
  if (where === undefined || r.ref.port === undefined) return undefined;
  // A ConfigMap's value is used by pods of its namespace that the model cannot name; report only what fails from every one of them.
  const sources = r.pod ? [r.pod] : (representatives.get(r.namespace) ?? []);
  if (sources.length === 0) return undefined;
  const failures: Array<{ src: SimPod; verdict: Verdict; of: number; blocked: number }> = [];
  for (const src of sources) {
    if (where === 'external') {
      const v = externalEgressDenied(engine, src, r.ref.port);
      if (v) failures.push({ src, verdict: v, of: 1, blocked: 1 });
      continue;
    }
    const blocked = blockedTargets(engine, src, where.targets);
    const t = blocked[0];
    if (t)
      failures.push({
        src,
        verdict: engine.verdict({ kind: 'pod', pod: src }, { kind: 'pod', pod: t.pod }, t.port, t.protocol),
        of: where.targets.length,
        blocked: blocked.length,
      });
  }
  const first = failures[0];
  if (!first || failures.length < sources.length) return undefined;
  const to =
    where === 'external'
      ? `${r.ref.text} (outside the cluster)`
      : !where.service
        ? `${r.ref.text} (pod ${podId(where.targets[0]?.pod ?? { namespace: '?', name: '?' })}, by the pod's /etc/hosts)`
        : `${r.ref.text} (Service ${serviceId(where.service)}, ${first.blocked === first.of ? (first.of === 1 ? 'its endpoint' : `all ${first.of} endpoints`) : `${first.blocked} of ${first.of} endpoints`})`;
  const from = r.pod ? `${workloadLabel(first.src)} (${r.text.label})` : `Pods of namespace ${r.namespace} (${r.text.label})`;
  const reason = `${first.verdict.reason}.${where === 'external' ? ' Add an egress rule with an ipBlock for that address.' : ''}`;
  const resource =
    r.text.origin.kind === 'manifest'
      ? resourceName({ kind: r.text.origin.object.kind, namespace: r.namespace, name: r.text.origin.object.name })
      : undefined;
  // Located only when reported: building a document's position index is the expensive part.
  const range = r.text.origin.object.locate(r.text.path);
  return makeDiagnostic(
    'connection-blocked-by-policy',
    range,
    { from, to, reason },
    resource,
    related(deniers(first.verdict), 'drops this connection'),
  );
}

/** Uses cluster DNS (the kube-dns Service) for its lookups. */
function usesClusterDns(pod: SimPod): boolean {
  return pod.dnsPolicy === 'ClusterFirstWithHostNet' || (pod.dnsPolicy === 'ClusterFirst' && !pod.hostNetwork);
}

/** Where a pod's DNS lookups are dropped: by which policy, on which side, for which protocol (empty when they all get through). */
interface DnsDrop {
  ref: PolicyRef;
  direction: 'egress' | 'ingress';
  protocol: 'UDP' | 'TCP';
}

/** The memo of policy-blocks-dns per workload (incremental/state.ts). */
export const DNS_REACHABLE = 'policy-blocks-dns';

function checkDnsReachable(
  engine: PolicyEngine,
  byId: () => ReadonlyMap<string, SimPod>,
  diagnostics: Diagnostic[],
  incremental: IncrementalState | undefined,
  policyKeys: (state: IncrementalState) => PolicyKeys,
): void {
  if (!engine.policies.some((p) => p.affects.egress)) return;
  const dnsSvc = engine.cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
  if (!dnsSvc) return;
  const podsById = byId();
  const endpointsOf = (protocol: Protocol) =>
    dnsSvc.ports
      .flatMap((sp, i) => (sp.port === 53 && sp.protocol === protocol ? (dnsSvc.endpointsByPort[i] ?? []) : []))
      .flatMap((e) => {
        const pod = podsById.get(e.pod);
        return pod ? [{ pod, port: e.port }] : [];
      });
  const servers: Record<'UDP' | 'TCP', Array<{ pod: SimPod; port: number }>> = { UDP: endpointsOf('UDP'), TCP: endpointsOf('TCP') };
  if (servers.UDP.length === 0 && servers.TCP.length === 0) return;
  // A workload's drops are a function of what policies see of its pod and of the DNS pods (verdictKeys.ts).
  const keys = incremental ? policyKeys(incremental) : undefined;
  const memo =
    incremental && keys?.global !== undefined
      ? {
          table: incremental.memo<DnsDrop[]>(DNS_REACHABLE),
          prefix: `${keys.global}\u0000${(['UDP', 'TCP'] as const)
            .map((protocol) => servers[protocol].map((s) => `${keys.pod(s.pod)}:${s.port}`).join(','))
            .join('\u0000')}\u0000`,
        }
      : undefined;
  const drops = (pod: SimPod): DnsDrop[] => {
    const out: DnsDrop[] = [];
    if (engine.policiesSelecting(pod).egress.length === 0) return out;
    for (const protocol of ['UDP', 'TCP'] as const) {
      const list = servers[protocol];
      if (list.length === 0) continue;
      if (list.some((s) => engine.allows({ kind: 'pod', pod }, { kind: 'pod', pod: s.pod }, s.port, protocol))) continue;
      const first = list[0] as { pod: SimPod; port: number };
      const v = engine.verdict({ kind: 'pod', pod }, { kind: 'pod', pod: first.pod }, first.port, protocol);
      for (const [direction, result] of [
        ['egress', v.egress],
        ['ingress', v.ingress],
      ] as Array<['egress' | 'ingress', DirectionResult]>) {
        if (result.allowed) continue;
        for (const ref of result.isolatingPolicies) out.push({ ref, direction, protocol });
      }
    }
    return out;
  };
  const affected = new Map<
    string,
    { policy: SimNetworkPolicy | undefined; ref: PolicyRef; direction: 'egress' | 'ingress'; workloads: string[]; protocols: Set<string> }
  >();
  const policyByRef = new Map(engine.policies.map((p) => [p.ref, p]));
  const seen = new Set<string>();
  for (const pod of engine.cluster.pods) {
    if (pod.origin.kind !== 'manifest' || !usesClusterDns(pod) || seen.has(workloadId(pod.workload))) continue;
    seen.add(workloadId(pod.workload));
    const found = memo && keys ? memo.table.get(memo.prefix + keys.pod(pod), () => drops(pod)) : drops(pod);
    for (const { ref, direction, protocol } of found) {
      const key = `${ref.namespace}/${ref.name}`;
      const entry = affected.get(key) ?? { policy: policyByRef.get(ref), ref, direction, workloads: [], protocols: new Set<string>() };
      if (!entry.workloads.includes(workloadLabel(pod))) entry.workloads.push(workloadLabel(pod));
      entry.protocols.add(protocol);
      affected.set(key, entry);
    }
  }
  for (const [key, e] of affected) {
    const policy = e.policy;
    if (!policy || policy.origin.kind !== 'manifest') continue;
    const object = policy.origin.object;
    const path =
      e.direction === 'egress'
        ? object.has(['spec', 'egress'])
          ? ['spec', 'egress']
          : object.has(['spec', 'policyTypes'])
            ? ['spec', 'policyTypes']
            : ['spec', 'podSelector']
        : ['spec', 'podSelector'];
    const shown = e.workloads.slice(0, 3).join(', ') + (e.workloads.length > 3 ? ` and ${e.workloads.length - 3} more` : '');
    const protocols = [...e.protocols]
      .sort((a, b) => (a === 'UDP' ? -1 : b === 'UDP' ? 1 : 0))
      .map((p) => `${p} 53`)
      .join(' and ');
    const consequence = e.protocols.has('UDP')
      ? 'their name lookups fail and every connection by name fails'
      : 'lookups whose answers do not fit in UDP fail';
    diagnostics.push(
      makeDiagnostic(
        'policy-blocks-dns',
        object.locate(path),
        {
          policy: key,
          workloads: shown,
          protocols,
          consequence,
          side: e.direction === 'egress' ? 'it isolates their egress' : "it isolates the DNS pods' ingress",
          dns: serviceId(dnsSvc),
        },
        resourceName({ kind: 'NetworkPolicy', namespace: policy.namespace, name: policy.name }),
      ),
    );
  }
}
