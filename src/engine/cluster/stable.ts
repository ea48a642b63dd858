// The simulated objects of one analysis handed to the next when nothing about them changed (see
// incremental/memo.ts). The cluster is rebuilt at every analysis, so its pods, Services, namespaces and nodes
// are new objects even where the edit changed nothing; a pod equal in every field to the previous
// analysis's pod of the same name is replaced by that one. Then an object's identity says "unchanged",
// and a memo key can name it by a number instead of spelling it out. Nothing changes a cluster
// object once buildCluster returns, so an equal object stays equal.
import { podId, serviceId, workloadId, type Cluster, type SimNamespace, type SimNode, type SimPod, type SimService } from './model';
import type { IncrementalState } from '../incremental/state';

/** The objects the previous analysis with this state built. */
export function stableObjects(state: IncrementalState): StableObjects {
  return state.slot('cluster-objects', () => new StableObjects());
}

export class StableObjects {
  private pods = new Map<string, SimPod>();
  private services = new Map<string, SimService>();
  private namespaces = new Map<string, SimNamespace>();
  private nodes = new Map<string, SimNode>();

  /** The current cluster's pod of this name (the first, when two share it). */
  pod(id: string): SimPod | undefined {
    return this.pods.get(id);
  }

  private byNamespace = new Map<string, readonly SimPod[]>();

  /**
   * The current cluster's pods by namespace, in cluster order. A namespace's list is the previous
   * analysis's list object when it holds the same pods in the same order, so what is derived from
   * one namespace's pods can be kept by that list.
   */
  podsByNamespace(): ReadonlyMap<string, readonly SimPod[]> {
    return this.byNamespace;
  }

  /** Puts the previous analysis's objects in place of equal new ones, and remembers this cluster's. */
  reuse(cluster: Cluster): void {
    this.pods = replaceEqual(cluster.pods, this.pods, podId);
    this.byNamespace = groupByNamespace(cluster.pods, this.byNamespace);
    this.services = replaceEqual(cluster.services, this.services, serviceId);
    this.nodes = replaceEqual(cluster.nodes, this.nodes, (n) => n.name);
    const namespaces = [...cluster.namespaces.values()];
    this.namespaces = replaceEqual(namespaces, this.namespaces, (n) => n.name);
    for (const n of namespaces) cluster.namespaces.set(n.name, n);
  }
}

/**
 * Pods by namespace, in order; a namespace's list is `previous`'s list object when it holds the same
 * pods in the same order. Shared: callers must not mutate the lists.
 */
export function groupByNamespace(pods: readonly SimPod[], previous: ReadonlyMap<string, readonly SimPod[]>): Map<string, SimPod[]> {
  const lists = new Map<string, SimPod[]>();
  for (const p of pods) {
    const list = lists.get(p.namespace);
    if (list) list.push(p);
    else lists.set(p.namespace, [p]);
  }
  const out = new Map<string, SimPod[]>();
  for (const [ns, list] of lists) {
    const old = previous.get(ns);
    out.set(ns, old !== undefined && old.length === list.length && old.every((p, i) => p === list[i]) ? (old as SimPod[]) : list);
  }
  return out;
}

function replaceEqual<T extends object>(list: T[], previous: ReadonlyMap<string, T>, id: (o: T) => string): Map<string, T> {
  const next = new Map<string, T>();
  for (let i = 0; i < list.length; i++) {
    const o = list[i] as T;
    const key = id(o);
    const old = previous.get(key);
    const kept = old !== undefined && sameOrigin(old, o) && equal(old, o) ? old : o;
    list[i] = kept;
    // Of two objects of one name (bad input), the first is the one offered to the next analysis.
    if (!next.has(key)) next.set(key, kept);
  }
  return next;
}

/** First the cheap test that fails for every object of an edited file: its parsed object is new. */
function sameOrigin(a: object, b: object): boolean {
  const oa = (a as { origin?: { kind: string; object?: unknown } }).origin;
  const ob = (b as { origin?: { kind: string; object?: unknown } }).origin;
  return oa === ob || (oa !== undefined && ob !== undefined && oa.kind === ob.kind && oa.object === ob.object);
}

/**
 * Whether two values are equal as data. A parsed manifest object (it has `locate`) is equal only
 * to itself: another object with the same fields may sit elsewhere in its file, and every position
 * reported from it would differ. Functions are compared by identity too.
 */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const pa = Object.getPrototypeOf(a) as unknown;
  if (pa !== Object.getPrototypeOf(b) || (pa !== Object.prototype && pa !== null)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  if (typeof ra['locate'] === 'function' || typeof rb['locate'] === 'function') return false;
  // for-in, not Object.keys: this runs for every pod and Service at every analysis, and allocates nothing.
  let keys = 0;
  for (const k in ra) {
    keys++;
    const v = ra[k];
    if (v !== rb[k] && !equal(v, rb[k])) return false;
    if (v === undefined && !Object.prototype.hasOwnProperty.call(rb, k)) return false;
  }
  for (const _ in rb) keys--;
  return keys === 0;
}

/** A namespace's representatives by its list of pods (kept across analyses while the list is). Shared: not mutated. */
const repsOfList = new WeakMap<readonly SimPod[], SimPod[]>();

/**
 * The representatives of one namespace's pods, as the checks pick them for the whole cluster: the
 * first pod of each workload of the workspace, in cluster order (a workload's pods share its namespace).
 */
export function namespaceReps(pods: readonly SimPod[]): SimPod[] {
  let reps = repsOfList.get(pods);
  if (!reps) {
    const seen = new Set<string>();
    reps = pods.filter(
      (p) => p.origin.kind === 'manifest' && !seen.has(workloadId(p.workload)) && seen.add(workloadId(p.workload)) !== undefined,
    );
    repsOfList.set(pods, reps);
  }
  return reps;
}
