import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { fnv1a } from '../hash';
import { labelsText, mapMatches, type Labels } from './labels';
import { locate, workloadId, type SimNode } from './model';
import type { PodBlueprint } from './workloads';

/** The labels kubelet puts on every node, which nodeSelectors commonly use. */
export function nodeLabels(node: SimNode): Labels {
  return { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...node.labels };
}

export interface Placement {
  blueprint: PodBlueprint;
  node: string | undefined;
}

/**
 * Places pods on nodes deterministically: nodeName and nodeSelector first, then the replicas
 * of each workload spread round-robin from an offset hashed from the workload, so that they
 * land on different nodes (as the default scheduler's topology spreading does) and editing one
 * workload never moves another's pods.
 */
export function schedule(blueprints: PodBlueprint[], nodes: SimNode[], diagnostics: Diagnostic[]): Placement[] {
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const labelsOf = new Map(sorted.map((n) => [n.name, nodeLabels(n)]));
  const reported = new Set<string>();
  const out: Placement[] = [];
  // Workloads share few distinct nodeSelectors; compute each one's eligible nodes once.
  const eligibleBySelector = new Map<string, SimNode[]>();
  const eligibleFor = (selector: Labels): SimNode[] => {
    const key = JSON.stringify(selector);
    let list = eligibleBySelector.get(key);
    if (!list) {
      list = sorted.filter((n) => mapMatches(selector, labelsOf.get(n.name) ?? {}));
      eligibleBySelector.set(key, list);
    }
    return list;
  };
  for (const bp of blueprints) {
    const eligible = eligibleFor(bp.nodeSelector);
    if (bp.perNode) {
      // A DaemonSet pod exists only on the nodes its nodeSelector admits.
      if (eligible.some((n) => n.name === bp.nodeName)) out.push({ blueprint: bp, node: bp.nodeName });
      continue;
    }
    let node: string | undefined;
    if (bp.nodeName !== undefined) {
      node = sorted.some((n) => n.name === bp.nodeName) ? bp.nodeName : undefined;
      if (node === undefined) report(bp, `nodeName ${bp.nodeName}`, ['nodeName']);
    } else if (eligible.length === 0) {
      report(bp, `nodeSelector ${labelsText(bp.nodeSelector)}`, ['nodeSelector']);
    } else {
      const start = fnv1a(workloadId(bp.workload)) % eligible.length;
      node = eligible[(start + bp.replicaIndex) % eligible.length]?.name;
    }
    out.push({ blueprint: bp, node });
  }
  return out;

  function report(bp: PodBlueprint, constraint: string, field: string[]): void {
    const key = workloadId(bp.workload);
    if (reported.has(key)) return;
    reported.add(key);
    const range = locate(bp.origin, [...bp.specPath, ...field]);
    if (range)
      diagnostics.push(
        makeDiagnostic('pod-unschedulable', range, { constraint, workload: key, nodes: sorted.map((n) => n.name).join(', ') || '(none)' }),
      );
  }
}
