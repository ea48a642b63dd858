import type * as vscode from 'vscode';
import { podId, type Analysis, type ResolvedReferenceView, type SimIngress, type SimNetworkPolicy, type SimPod, type SimService, type SourceRange } from '../engine';
import { contains } from './convert';

/** What sits at a place in a manifest, for hovers and code lenses. */
export type Symbol =
  | { kind: 'reference'; range: SourceRange; reference: ResolvedReferenceView }
  | { kind: 'service'; range: SourceRange; service: SimService }
  | { kind: 'servicePort'; range: SourceRange; service: SimService; portIndex: number }
  | { kind: 'serviceSelector'; range: SourceRange; service: SimService }
  | { kind: 'workload'; range: SourceRange; pods: SimPod[] }
  | { kind: 'containerPort'; range: SourceRange; pod: SimPod; port: number; protocol: string; name: string | undefined }
  | { kind: 'policy'; range: SourceRange; policy: SimNetworkPolicy; isolated: SimPod[] }
  | { kind: 'ingressPath'; range: SourceRange; ingress: SimIngress; ruleIndex: number; pathIndex: number };

/** Per-file index of the symbols of one analysis, built once per analysis. */
export class SymbolIndex {
  private readonly byFile = new Map<string, Symbol[]>();

  constructor(analysis: Analysis) {
    const add = (s: Symbol) => {
      const list = this.byFile.get(s.range.file) ?? [];
      list.push(s);
      this.byFile.set(s.range.file, list);
    };
    for (const r of analysis.references) {
      if (r.text.origin.kind !== 'manifest') continue;
      add({ kind: 'reference', range: r.text.origin.object.locate(r.text.path), reference: r });
    }
    for (const svc of analysis.cluster.services) {
      if (svc.origin.kind !== 'manifest') continue;
      const o = svc.origin.object;
      add({ kind: 'service', range: o.locate(['metadata', 'name']), service: svc });
      if (o.has(['spec', 'selector'])) add({ kind: 'serviceSelector', range: o.locate(['spec', 'selector']), service: svc });
      svc.ports.forEach((p, i) => add({ kind: 'servicePort', range: o.locate(p.path), service: svc, portIndex: i }));
    }
    for (const policy of analysis.policies.policies) {
      if (policy.origin.kind !== 'manifest') continue;
      const isolated = analysis.cluster.pods.filter((p) => analysis.policies.selects(policy, p));
      add({ kind: 'policy', range: policy.origin.object.locate(['metadata', 'name']), policy, isolated });
    }
    for (const ing of analysis.ingress.ingresses) {
      if (ing.origin.kind !== 'manifest') continue;
      const o = ing.origin.object;
      ing.rules.forEach((rule, ri) => rule.paths.forEach((p, pi) => add({ kind: 'ingressPath', range: o.locate([...p.fieldPath, 'path']), ingress: ing, ruleIndex: ri, pathIndex: pi })));
    }
    const byWorkload = new Map<string, SimPod[]>();
    for (const pod of analysis.cluster.pods) {
      if (pod.origin.kind !== 'manifest') continue;
      const key = `${pod.origin.object.file}|${pod.origin.object.kind}|${pod.origin.object.name}|${pod.namespace}`;
      const list = byWorkload.get(key) ?? [];
      list.push(pod);
      byWorkload.set(key, list);
    }
    for (const pods of byWorkload.values()) {
      const first = pods[0];
      if (!first || first.origin.kind !== 'manifest') continue;
      add({ kind: 'workload', range: first.origin.object.locate(['metadata', 'name']), pods });
      for (const c of first.containers) for (const p of c.ports) add({ kind: 'containerPort', range: first.origin.object.locate([...p.path, 'containerPort']), pod: first, port: p.containerPort, protocol: p.protocol, name: p.name });
    }
  }

  inFile(file: string): Symbol[] {
    return this.byFile.get(file) ?? [];
  }

  /** The innermost symbol at a position (the smallest range wins). */
  at(file: string, pos: vscode.Position): Symbol | undefined {
    const hits = this.inFile(file).filter((s) => contains(s.range, pos));
    return hits.sort((a, b) => span(a.range) - span(b.range))[0];
  }
}

function span(r: SourceRange): number {
  return (r.endLine - r.line) * 10000 + (r.endColumn - r.column);
}

export { podId };
