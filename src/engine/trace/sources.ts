import { podId, type Cluster, type SimNode, type SimPod } from '../cluster/model';
import { WORKLOAD_KINDS } from '../manifests/kinds';
import { OPERATOR_KINDS } from '../cluster/operators';

/** Where a packet or a lookup starts, as the CLI's SOURCE and the editor's "trace from" name it. */
export type Source = { kind: 'pod'; pod: SimPod } | { kind: 'external'; ip: string } | { kind: 'node'; node: SimNode };

export type SourceLookup = { ok: true; source: Source } | { ok: false; message: string };

// Workload kinds, and the custom resources whose operators' pods are simulated (monitoring/Prometheus/k8s).
const KINDS = new Set<string>(['Pod', ...WORKLOAD_KINDS, ...[...OPERATOR_KINDS.keys()].map((k) => k.slice(k.indexOf('/') + 1))]);

/**
 * Parses SOURCE: `NAMESPACE/NAME` (a workload or bare Pod; one of its pods),
 * `NAMESPACE/KIND/NAME`, `external`, `external:IP`, or `node/NAME`.
 */
export function findSource(cluster: Cluster, spec: string): SourceLookup {
  if (spec === 'external') return { ok: true, source: { kind: 'external', ip: cluster.settings.externalClient } };
  if (spec.startsWith('external:')) {
    const ip = spec.slice('external:'.length);
    if (!/^[\d.]+$|^[0-9a-f:]+$/i.test(ip)) return { ok: false, message: `${spec}: not an IP address (use external:203.0.113.5)` };
    return { ok: true, source: { kind: 'external', ip } };
  }
  if (spec.startsWith('node/')) {
    const node = cluster.nodes.find((n) => n.name === spec.slice(5));
    return node
      ? { ok: true, source: { kind: 'node', node } }
      : { ok: false, message: `${spec}: no such node (nodes: ${cluster.nodes.map((n) => n.name).join(', ')})` };
  }
  const parts = spec.split('/');
  let candidates: SimPod[];
  if (parts.length === 2) {
    const [ns, name] = parts as [string, string];
    candidates = cluster.pods.filter((p) => p.namespace === ns && (p.workload.name === name || p.name === name));
    const kinds = new Set(candidates.filter((p) => p.name !== name).map((p) => p.workload.kind));
    if (kinds.size > 1) return { ok: false, message: `${spec} is ambiguous (${[...kinds].sort().join(', ')}); use ${ns}/KIND/${name}` };
    const exact = candidates.find((p) => p.name === name);
    if (exact) candidates = [exact];
    if (candidates.length === 0) candidates = viaReplicaSet(cluster, ns, name);
  } else if (parts.length === 3) {
    const [ns, kind, name] = parts as [string, string, string];
    const k = [...KINDS].find((x) => x.toLowerCase() === kind.toLowerCase()) ?? kind;
    candidates = cluster.pods.filter(
      (p) => p.namespace === ns && ((p.workload.kind === k && p.workload.name === name) || (k === 'Pod' && p.name === name)),
    );
    if (candidates.length === 0 && k === 'Deployment') candidates = viaReplicaSet(cluster, ns, name);
  } else {
    return { ok: false, message: `${spec}: a source is NAMESPACE/NAME, NAMESPACE/KIND/NAME, external, external:IP or node/NAME` };
  }
  const placed = candidates.filter((p) => p.ip !== undefined).sort((a, b) => (podId(a) < podId(b) ? -1 : 1));
  const pod = placed[0] ?? candidates[0];
  if (!pod) return { ok: false, message: `${spec}: no workload or pod of that name in the manifests` };
  return { ok: true, source: { kind: 'pod', pod } };
}

/** A cluster snapshot's pods belong to ReplicaSets named `<deployment>-<pod-template-hash>`; the Deployment's name finds them. */
function viaReplicaSet(cluster: Cluster, ns: string, name: string): SimPod[] {
  return cluster.pods.filter(
    (p) =>
      p.namespace === ns &&
      p.workload.kind === 'ReplicaSet' &&
      p.labels['pod-template-hash'] !== undefined &&
      p.workload.name === `${name}-${p.labels['pod-template-hash']}`,
  );
}
