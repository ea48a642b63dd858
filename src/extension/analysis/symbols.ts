// Runs in the analysis worker (no vscode here): what sits where in a manifest, for hovers and lenses.
import {
  type Analysis,
  type ResolvedReferenceView,
  type SimIngress,
  type SimNetworkPolicy,
  type ReplicaDecision,
  type SimAdminPolicy,
  type SimPod,
  type SimService,
  type SourceRange,
} from '../../engine';
import { gatewaySymbols } from './gatewaySymbols';
import { describeController } from '../../engine';
import { cniSymbols } from './cniHover';

/** A zero-based editor position, as VS Code sends it. */
export interface Position {
  line: number;
  character: number;
}

/** Whether a 1-based engine range contains a 0-based editor position (ends inclusive, as hovers expect). */
export function rangeContains(r: SourceRange, pos: Position): boolean {
  const start = { line: Math.max(0, r.line - 1), character: Math.max(0, r.column - 1) };
  const end = { line: Math.max(0, r.endLine - 1), character: Math.max(0, r.endColumn - 1) };
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(start, pos) && before(pos, end);
}

/** What sits at a place in a manifest, for hovers and code lenses. */
export type Symbol =
  | { kind: 'reference'; range: SourceRange; reference: ResolvedReferenceView }
  | { kind: 'service'; range: SourceRange; service: SimService }
  | { kind: 'servicePort'; range: SourceRange; service: SimService; portIndex: number }
  | { kind: 'serviceSelector'; range: SourceRange; service: SimService }
  | { kind: 'workload'; range: SourceRange; pods: SimPod[] }
  | { kind: 'autoscaler'; range: SourceRange; decision: ReplicaDecision }
  | { kind: 'containerPort'; range: SourceRange; pod: SimPod; port: number; protocol: string; name: string | undefined }
  | { kind: 'policy'; range: SourceRange; policy: SimNetworkPolicy; isolated: SimPod[] }
  /** A cluster-wide policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) at its name, or one of its rules. */
  | { kind: 'adminPolicy'; range: SourceRange; policy: SimAdminPolicy; subjects: SimPod[] }
  | {
      kind: 'adminRule';
      range: SourceRange;
      policy: SimAdminPolicy;
      direction: 'ingress' | 'egress';
      ruleIndex: number;
      subjects: SimPod[];
    }
  | { kind: 'ingressPath'; range: SourceRange; ingress: SimIngress; ruleIndex: number; pathIndex: number }
  | { kind: 'gateway'; range: SourceRange; lines: string[] }
  /** An Ingress at its name or class: the controller that serves it and how it reaches the backends. */
  | { kind: 'ingress'; range: SourceRange; lines: string[] }

  /** A CNI policy (Cilium's, Calico's) at its name, a selector or a rule. */
  | { kind: 'cniPolicy'; range: SourceRange; lines: string[] };

/**
 * Per-file index of the symbols of one analysis. A file's entries are built the first time it is
 * asked about: locating a field builds its document's position index, so doing it for the whole
 * workspace on every analysis would cost as much as parsing it again.
 */
export class SymbolIndex {
  private readonly byFile = new Map<string, Symbol[]>();

  /** `text` reads the file texts the analysis was given (navigation finds keys beside their values in them). */
  constructor(
    private readonly analysis: Analysis,
    readonly text: (file: string) => string | undefined = () => undefined,
  ) {}

  inFile(file: string): Symbol[] {
    let list = this.byFile.get(file);
    if (!list) {
      list = this.build(file);
      this.byFile.set(file, list);
    }
    return list;
  }

  private build(file: string): Symbol[] {
    const analysis = this.analysis;
    const out: Symbol[] = [];
    const add = (s: Symbol) => out.push(s);
    const here = (origin: { kind: string; object?: { file: string } }) => origin.kind === 'manifest' && origin.object?.file === file;
    for (const r of analysis.references) {
      if (r.text.origin.kind !== 'manifest' || !here(r.text.origin)) continue;
      add({ kind: 'reference', range: r.text.origin.object.locate(r.text.path), reference: r });
    }
    for (const svc of analysis.cluster.services) {
      if (svc.origin.kind !== 'manifest' || !here(svc.origin)) continue;
      const o = svc.origin.object;
      add({ kind: 'service', range: o.locate(['metadata', 'name']), service: svc });
      if (o.has(['spec', 'selector'])) add({ kind: 'serviceSelector', range: o.locate(['spec', 'selector']), service: svc });
      svc.ports.forEach((p, i) => add({ kind: 'servicePort', range: o.locate(p.path), service: svc, portIndex: i }));
    }
    for (const policy of analysis.policies.policies) {
      if (policy.origin.kind !== 'manifest' || !here(policy.origin)) continue;
      const isolated = analysis.cluster.pods.filter((p) => analysis.policies.selects(policy, p));
      add({ kind: 'policy', range: policy.origin.object.locate(['metadata', 'name']), policy, isolated });
    }
    for (const policy of analysis.policies.adminPolicies) {
      if (policy.origin.kind !== 'manifest' || !here(policy.origin)) continue;
      const o = policy.origin.object;
      const subjects = analysis.cluster.pods.filter((p) => analysis.policies.tiers.subjectSelects(policy, p));
      add({ kind: 'adminPolicy', range: o.locate(['metadata', 'name']), policy, subjects });
      for (const direction of ['ingress', 'egress'] as const)
        policy.rules[direction].forEach((rule, i) =>
          add({ kind: 'adminRule', range: o.locate([...rule.path, 'action']), policy, direction, ruleIndex: i, subjects }),
        );
    }
    for (const ing of analysis.ingress.ingresses) {
      if (ing.origin.kind !== 'manifest' || !here(ing.origin)) continue;
      const o = ing.origin.object;
      const lines = describeController(analysis.ingress, ing);
      if (lines.length > 0) {
        const head = [`**Ingress ${ing.namespace}/${ing.name}**`, '', ...lines];
        add({ kind: 'ingress', range: o.locate(['metadata', 'name']), lines: head });
        if (o.has(['spec', 'ingressClassName'])) add({ kind: 'ingress', range: o.locate(['spec', 'ingressClassName']), lines: head });
      }
      ing.rules.forEach((rule, ri) =>
        rule.paths.forEach((p, pi) =>
          add({ kind: 'ingressPath', range: o.locate([...p.fieldPath, 'path']), ingress: ing, ruleIndex: ri, pathIndex: pi }),
        ),
      );
    }
    for (const decision of analysis.cluster.replicaDecisions) {
      const origin = decision.autoscaler.origin;
      if (origin.kind !== 'manifest' || !here(origin)) continue;
      add({ kind: 'autoscaler', range: origin.object.locate(['metadata', 'name']), decision });
      if (origin.object.has(['spec', 'minReplicas']))
        add({ kind: 'autoscaler', range: origin.object.locate(['spec', 'minReplicas']), decision });
    }
    for (const g of gatewaySymbols(analysis, here)) add({ kind: 'gateway', ...g });
    for (const c of cniSymbols(analysis, here)) add({ kind: 'cniPolicy', ...c });
    const byWorkload = new Map<string, SimPod[]>();
    for (const pod of analysis.cluster.pods) {
      if (pod.origin.kind !== 'manifest' || !here(pod.origin)) continue;
      const key = `${pod.origin.object.kind}|${pod.origin.object.name}|${pod.namespace}`;
      const list = byWorkload.get(key) ?? [];
      list.push(pod);
      byWorkload.set(key, list);
    }
    for (const pods of byWorkload.values()) {
      const first = pods[0];
      if (!first || first.origin.kind !== 'manifest') continue;
      add({ kind: 'workload', range: first.origin.object.locate(['metadata', 'name']), pods });
      // An operator's pods have no container ports written in the custom resource.
      if (first.operator !== undefined) continue;
      for (const c of first.containers)
        for (const p of c.ports)
          add({
            kind: 'containerPort',
            range: first.origin.object.locate([...p.path, 'containerPort']),
            pod: first,
            port: p.containerPort,
            protocol: p.protocol,
            name: p.name,
          });
    }
    return out;
  }

  /** The innermost symbol at a position (the smallest range wins). */
  at(file: string, pos: Position): Symbol | undefined {
    const hits = this.inFile(file).filter((s) => rangeContains(s.range, pos));
    return hits.sort((a, b) => span(a.range) - span(b.range))[0];
  }
}

function span(r: SourceRange): number {
  return (r.endLine - r.line) * 10000 + (r.endColumn - r.column);
}
