import { makeDiagnostic, withFix, type Diagnostic, editDistance } from '../diagnostics';
import { substringRange } from '../source';
import type { DnsZone, DnsResult } from './zone';
import { findHostReferences, type HostReference } from './hosts';
import { askerKey, zoneKey, ZoneInputs } from './lookupKeys';
import type { IncrementalState } from '../incremental/state';
import { podId, serviceId, workloadId, type Cluster, type EnvValue, type SimPod, type SimService } from '../cluster/model';

/** A host named in a pod's env/args or a ConfigMap, resolved from where it will be used. */
export interface ResolvedReference {
  ref: HostReference;
  text: EnvValue;
  /** The pod the name is resolved from; undefined for ConfigMaps no pod is known to consume. */
  pod: SimPod | undefined;
  namespace: string;
  dns: DnsResult;
  service: SimService | undefined;
}

/**
 * The hosts a text names, found once per text: a pod template's texts are kept with its read across
 * analyses (workloads.ts), so re-analysis scans only edited workloads' texts. Shared: not mutated.
 */
const hostReferences = new WeakMap<EnvValue, readonly HostReference[]>();

function hostReferencesOf(text: EnvValue): readonly HostReference[] {
  let refs = hostReferences.get(text);
  if (!refs) hostReferences.set(text, (refs = findHostReferences(text.value)));
  return refs;
}

/** Every host reference in the workspace, resolved from one pod of each workload (its replicas behave alike). */
export function resolveReferences(cluster: Cluster, zone: DnsZone, incremental?: IncrementalState): ResolvedReference[] {
  const out: ResolvedReference[] = [];
  const seen = new Set<string>();
  const byId = new Map(cluster.services.map((s) => [serviceId(s), s]));
  // Lookups remembered across analyses under what they read (lookupKeys.ts); results are shared, not mutated.
  const memo = incremental
    ? {
        zone: zoneKey(
          cluster,
          incremental.ids,
          incremental.texts,
          incremental.slot('dns-zone-inputs', () => new ZoneInputs()),
        ),
        ids: incremental.ids,
        table: incremental.memo<DnsResult>('dns-lookups'),
        // A kept pod asks what it asked before: its lookups' keys are kept with it, not spelled out again.
        keys: incremental.slot('dns-lookup-keys', () => new WeakMap<SimPod, { zone: number; keys: string[] }>()),
      }
    : undefined;
  const lookupKey = (host: string, from: SimPod | { namespace: string }) =>
    memo ? `${memo.zone}\u0000${askerKey(from, memo.ids)}\u0000${host}` : '';
  const add = (text: EnvValue, pod: SimPod | undefined, namespace: string, keys: string[] | undefined, at: number): number => {
    for (const ref of hostReferencesOf(text)) {
      const from = pod ?? { namespace };
      let dns: DnsResult;
      if (memo && keys) {
        const key = (keys[at] ??= lookupKey(ref.host, from));
        dns = memo.table.get(key, () => zone.resolve(ref.host, from));
      } else dns = memo ? memo.table.get(lookupKey(ref.host, from), () => zone.resolve(ref.host, from)) : zone.resolve(ref.host, from);
      at++;
      const svcId = dns.answers.find((a) => a.service)?.service;
      out.push({ ref, text, pod, namespace, dns, service: svcId ? byId.get(svcId) : undefined });
    }
    return at;
  };
  // Replicas are consecutive and share their WorkloadRef: the id is looked up once per workload.
  let last: SimPod['workload'] | undefined;
  for (const pod of cluster.pods) {
    if (pod.origin.kind !== 'manifest' || pod.workload === last) continue;
    last = pod.workload;
    const key = workloadId(pod.workload);
    if (seen.has(key)) continue;
    seen.add(key);
    let keys: string[] | undefined;
    if (memo) {
      const kept = memo.keys.get(pod);
      if (kept && kept.zone === memo.zone) keys = kept.keys;
      else memo.keys.set(pod, { zone: memo.zone, keys: (keys = []) });
    }
    let at = 0;
    for (const c of pod.containers) for (const t of c.texts) at = add(t, pod, pod.namespace, keys, at);
  }
  for (const cm of cluster.configMaps) for (const t of cm.texts) add(t, undefined, cm.namespace, undefined, 0);
  return out;
}

/** dns-name-unresolved and service-port-mismatch for every reference. */
export function checkReferences(cluster: Cluster, refs: ResolvedReference[], diagnostics: Diagnostic[]): void {
  for (const r of refs) {
    if (r.text.origin.kind !== 'manifest') continue;
    if (r.dns.rcode === 'NXDOMAIN' || (!r.dns.forwarded && r.dns.answers.length === 0)) {
      const from = r.pod ? `pod ${podId(r.pod)}` : `namespace ${r.namespace}`;
      // Located only when reported: building a document's position index is the expensive part.
      const range = r.text.origin.object.locate(r.text.path);
      const d = makeDiagnostic('dns-name-unresolved', range, {
        host: r.ref.host,
        pod: from,
        tried: r.dns.searched.join(', '),
        hint: unresolvedHint(cluster, r),
      });
      const replacement = unresolvedReplacement(cluster, r);
      const hostAt = replacement ? substringRange(range, r.text.value, r.ref.index, r.ref.host.length) : undefined;
      diagnostics.push(
        withFix(d, replacement && hostAt ? { title: `Use ${replacement}`, edits: [{ range: hostAt, newText: replacement }] } : undefined),
      );
      continue;
    }
    const svc = r.service;
    if (!svc || svc.type === 'ExternalName' || svc.headless || r.ref.port === undefined) continue;
    if (!svc.ports.some((p) => p.port === r.ref.port)) {
      const ports = svc.ports.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'no ports';
      const host = r.ref.explicitPort ? `${r.ref.host}:${r.ref.port}` : `${r.ref.host} (${r.ref.scheme} defaults to port ${r.ref.port})`;
      diagnostics.push(
        makeDiagnostic('service-port-mismatch', r.text.origin.object.locate(r.text.path), {
          host,
          service: serviceId(svc),
          port: r.ref.port,
          ports,
        }),
      );
    }
  }
}

/** The name that would resolve instead: the Service qualified with its namespace, or a close name. */
function unresolvedReplacement(cluster: Cluster, r: ResolvedReference): string | undefined {
  const ns = r.dns.unknownNamespace;
  if (ns?.suggestion) {
    // Only the namespace label changes: `_grpc._tcp.cart.defualt.svc` keeps its prefix and suffix.
    const labels = r.ref.host.split('.');
    const at = labels.findIndex((l, i) => l === ns.namespace && labels[i - 1] === ns.service);
    if (at > 0) return [...labels.slice(0, at), ns.suggestion, ...labels.slice(at + 1)].join('.');
  }
  const first = r.ref.host.split('.')[0] ?? r.ref.host;
  if (!r.ref.host.includes('.')) {
    const elsewhere = cluster.services.filter((s) => s.name === first && s.namespace !== r.namespace);
    if (elsewhere.length === 1) return `${first}.${(elsewhere[0] as SimService).namespace}`;
  }
  const close = cluster.services.filter((s) => s.namespace === r.namespace && editDistance(s.name, first) <= 2);
  if (close.length === 1 && !r.ref.host.includes('.')) return (close[0] as SimService).name;
  return undefined;
}

function unresolvedHint(cluster: Cluster, r: ResolvedReference): string {
  const ns = r.dns.unknownNamespace;
  if (ns) {
    const there = cluster.services.filter((s) => s.name === ns.service).map((s) => s.namespace);
    const known = there.length ? ` (Service ${ns.service} is in ${there.join(', ')})` : '';
    return `There is no namespace ${ns.namespace} in the cluster${known}${ns.suggestion ? `; did you mean ${ns.suggestion}? Use ${unresolvedReplacement(cluster, r) ?? `${ns.service}.${ns.suggestion}`}` : ''}. The resolver forwards the bare name upstream, which holds no cluster Service.`;
  }
  const first = r.ref.host.split('.')[0] ?? r.ref.host;
  const elsewhere = cluster.services.filter((s) => s.name === first && s.namespace !== r.namespace);
  if (elsewhere.length > 0 && !r.ref.host.includes('.')) {
    const s = elsewhere[0] as SimService;
    return `Service ${s.name} exists in namespace ${s.namespace}; from namespace ${r.namespace} use ${s.name}.${s.namespace} (or ${s.name}.${s.namespace}.svc.${cluster.settings.clusterDomain}).`;
  }
  const close = cluster.services.filter((s) => s.namespace === r.namespace && editDistance(s.name, first) <= 2).map((s) => s.name);
  if (close.length > 0) return `Did you mean ${close[0]}?`;
  if (r.pod && r.pod.dnsPolicy !== 'ClusterFirst' && r.pod.dnsPolicy !== 'ClusterFirstWithHostNet')
    return `The pod's dnsPolicy is ${r.pod.dnsPolicy}, so it does not use cluster DNS.`;
  if (r.pod && r.pod.hostNetwork && r.pod.dnsPolicy === 'ClusterFirst')
    return 'The pod uses hostNetwork; set dnsPolicy: ClusterFirstWithHostNet to use cluster DNS.';
  return 'Create a Service of that name, or fix the host.';
}
