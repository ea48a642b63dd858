import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { fnv1a } from '../hash';
import { mapMatches, type Labels } from './labels';
import { locate, workloadId, type SimNode } from './model';
import type { PodBlueprint } from './workloads';
import { isLive } from './snapshot';

/** kubelet's default --max-pods: the most pods a node runs (each takes one of its slots, DaemonSet pods too). */
export const MAX_PODS_PER_NODE = 110;

/** The labels kubelet puts on every node, which nodeSelectors commonly use. */
export function nodeLabels(node: SimNode): Labels {
  return { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...node.labels };
}

export interface Placement {
  blueprint: PodBlueprint;
  node: string | undefined;
  /** Why the pod stays Pending (undefined when placed): the scheduler's FailedScheduling message, or why no scheduler runs it. */
  pending?: string;
}

const byName = (a: SimNode, b: SimNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Places pods on nodes deterministically: nodeName and nodeSelector first, then the replicas of
 * each workload spread round-robin from an offset hashed from the workload, so that they land on
 * different nodes (as the default scheduler's topology spreading does) and editing one workload
 * never moves another's pods while nodes have room. A node takes at most its maxPods (kubelet's 110
 * unless the Node says otherwise); DaemonSet pods take their slots first, as they run from the
 * node's start; a pod no node can take stays Pending with the reason the scheduler would give.
 */
export function schedule(blueprints: PodBlueprint[], nodes: SimNode[], diagnostics: Diagnostic[]): Placement[] {
  const sorted = [...nodes].sort(byName);
  const labelsOf = new Map(sorted.map((n) => [n.name, nodeLabels(n)]));
  const used = new Map(sorted.map((n) => [n.name, 0]));
  const capacity = (n: SimNode) => n.maxPods ?? MAX_PODS_PER_NODE;
  const hasRoom = (n: SimNode) => (used.get(n.name) ?? 0) < capacity(n);
  const take = (name: string) => used.set(name, (used.get(name) ?? 0) + 1);
  const reported = new Map<string, { bp: PodBlueprint; field: string[]; constraint: string; reason: string; count: number }>();
  // Workloads share few distinct nodeSelectors; compute each one's eligible nodes once.
  const eligibleBySelector = new Map<string, SimNode[]>();
  // The replicas of a workload share their template's nodeSelector object: looked up by it first, not re-serialised per pod.
  const eligibleByObject = new Map<Labels, SimNode[]>();
  const eligibleFor = (selector: Labels): SimNode[] => {
    const same = eligibleByObject.get(selector);
    if (same) return same;
    const key = JSON.stringify(selector);
    let list = eligibleBySelector.get(key);
    if (!list) {
      list = sorted.filter((n) => mapMatches(selector, labelsOf.get(n.name) ?? {}));
      eligibleBySelector.set(key, list);
    }
    eligibleByObject.set(selector, list);
    return list;
  };
  const nodeNames = new Set(sorted.map((n) => n.name));
  // One hash per workload (its replicas are consecutive blueprints), not one per pod.
  let hashed: { workload: PodBlueprint['workload']; hash: number } | undefined;
  const workloadHash = (bp: PodBlueprint): number => {
    if (hashed?.workload !== bp.workload) hashed = { workload: bp.workload, hash: fnv1a(workloadId(bp.workload)) };
    return hashed.hash;
  };
  const out: Array<Placement | undefined> = new Array<Placement | undefined>(blueprints.length);
  // Blueprints of many shapes (their templates' optional fields): each one's kind of placement is read
  // once, into lists of positions, and not again in every pass.
  const perNode: number[] = [];
  const implicit: number[] = [];
  const others: number[] = [];
  for (let i = 0; i < blueprints.length; i++) {
    const bp = blueprints[i] as PodBlueprint;
    (bp.perNode ? perNode : bp.origin.kind === 'implicit' ? implicit : others).push(i);
  }
  // DaemonSet pods first: they hold their node's slots before the scheduler places the others.
  for (const i of perNode) {
    const bp = blueprints[i] as PodBlueprint;
    // A DaemonSet pod exists only on the nodes its nodeSelector admits.
    const node = eligibleFor(bp.nodeSelector).find((n) => n.name === bp.nodeName);
    if (!node) continue;
    if (hasRoom(node)) {
      take(node.name);
      out[i] = { blueprint: bp, node: node.name };
    } else out[i] = pending(bp, ['replicas'], `node ${node.name} is full (${capacity(node)} pods)`, tooManyPods(1, sorted.length));
  }
  // Then the cluster's own pods (CoreDNS, ingress controllers): system-critical, they run before the workspace's.
  for (const i of implicit) place(blueprints[i] as PodBlueprint, i);
  for (const i of others) place(blueprints[i] as PodBlueprint, i);
  function place(bp: PodBlueprint, i: number): void {
    if (bp.nodeName !== undefined) {
      // No scheduler is involved: the named node's kubelet runs it, or nothing does.
      if (nodeNames.has(bp.nodeName)) {
        take(bp.nodeName);
        out[i] = { blueprint: bp, node: bp.nodeName };
      } else if (bp.origin.kind === 'manifest' && isLive(bp.origin.object))
        // A cluster dump's pod runs on its node; the dump just does not describe that node.
        out[i] = { blueprint: bp, node: undefined };
      else out[i] = pending(bp, ['nodeName'], `nodeName ${bp.nodeName}`, `spec.nodeName names node ${bp.nodeName}, which does not exist`);
      return;
    }
    const eligible = eligibleFor(bp.nodeSelector);
    const mismatched = sorted.length - eligible.length;
    const start = eligible.length ? (workloadHash(bp) + bp.replicaIndex) % eligible.length : 0;
    for (let k = 0; k < eligible.length; k++) {
      const node = eligible[(start + k) % eligible.length];
      if (node && hasRoom(node)) {
        take(node.name);
        out[i] = { blueprint: bp, node: node.name };
        return;
      }
    }
    const selectorText = Object.entries(bp.nodeSelector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const reasons = [
      ...(eligible.length ? [`${eligible.length} Too many pods`] : []),
      ...(mismatched ? [`${mismatched} node(s) didn't match Pod's node affinity/selector`] : []),
    ].sort();
    const constraint = eligible.length
      ? `every node${mismatched ? ` its nodeSelector ${selectorText} admits` : ''} is full (${MAX_PODS_PER_NODE} pods per node unless the Node sets status.allocatable.pods)`
      : `nodeSelector ${selectorText}`;
    out[i] = pending(
      bp,
      eligible.length ? ['replicas'] : ['nodeSelector'],
      constraint,
      `0/${sorted.length} nodes are available: ${reasons.join(', ') || 'no nodes'}.`,
    );
  }
  for (const r of reported.values()) {
    const key = workloadId(r.bp.workload);
    // Too many pods is the replicas' fault (or, for a DaemonSet, the object's); a constraint is its field's.
    const path = r.field[0] === 'replicas' ? ['spec', 'replicas'] : [...r.bp.specPath, ...r.field];
    const has = r.bp.origin.kind === 'manifest' && r.bp.origin.object.has(path);
    const range = locate(r.bp.origin, has ? path : ['metadata', 'name']);
    if (range && r.bp.operator === undefined)
      diagnostics.push(
        makeDiagnostic('pod-unschedulable', range, {
          constraint: r.constraint,
          reason: r.reason,
          count: r.count,
          workload: key,
          nodes: sorted.map((n) => n.name).join(', ') || '(none)',
        }),
      );
  }
  return out.filter((p): p is Placement => p !== undefined);

  function pending(bp: PodBlueprint, field: string[], constraint: string, reason: string): Placement {
    const key = workloadId(bp.workload);
    const known = reported.get(key);
    if (known) known.count++;
    else reported.set(key, { bp, field, constraint, reason, count: 1 });
    return { blueprint: bp, node: undefined, pending: reason };
  }
}

function tooManyPods(n: number, total: number): string {
  return `0/${total} nodes are available: ${n} Too many pods.`;
}
