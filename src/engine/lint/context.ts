// What every check module gets: the simulation (cluster, policy engine, DNS, ingress), the file
// texts (for quick fixes that need indentation), and a few shared indexes.
import type { Diagnostic } from '../diagnostics';
import type { DnsZone } from '../dns';
import type { IngressModel } from '../ingress';
import type { InputFile } from '../manifests';
import type { PolicyEngine, SimNetworkPolicy } from '../networkPolicy';
import type { ResolvedReference } from '../checks';
import { podId, workloadId, type Cluster, type SimPod, type SimService } from '../model';
import type { FieldPath } from '../source';
import { SourceText } from './yamlEdit';

export interface LintInput {
  cluster: Cluster;
  policies: PolicyEngine;
  dns: DnsZone;
  ingress: IngressModel;
  references: ResolvedReference[];
  /** The texts the analysis was given: fixes read indentation from them (no I/O). */
  files: readonly InputFile[];
}

export class LintContext {
  readonly cluster: Cluster;
  readonly engine: PolicyEngine;
  readonly dns: DnsZone;
  readonly ingress: IngressModel;
  readonly references: ResolvedReference[];
  private readonly texts = new Map<string, string>();
  private readonly sources = new Map<string, SourceText>();
  private readonly claimed = new Set<string>();
  private byNamespace: Map<string, SimPod[]> | undefined;
  private reps: SimPod[] | undefined;
  private dnsPods: SimPod[] | undefined;

  constructor(
    input: LintInput,
    readonly diagnostics: Diagnostic[],
  ) {
    this.cluster = input.cluster;
    this.engine = input.policies;
    this.dns = input.dns;
    this.ingress = input.ingress;
    this.references = input.references;
    for (const f of input.files) this.texts.set(f.path, f.text);
  }

  report(d: Diagnostic): Diagnostic {
    this.diagnostics.push(d);
    return d;
  }

  /** The raw text of a file, as the analysis was given it. */
  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** A file's text with line helpers (built on first use). */
  source(file: string): SourceText | undefined {
    let s = this.sources.get(file);
    if (!s) {
      const text = this.texts.get(file);
      if (text === undefined) return undefined;
      s = new SourceText(file, text);
      this.sources.set(file, s);
    }
    return s;
  }

  /** Marks a field of a policy as explained by a more specific check, so the general ones skip it. */
  claim(policy: SimNetworkPolicy, path: FieldPath): void {
    this.claimed.add(`${policy.namespace}/${policy.name}\u0000${path.join('.')}`);
  }

  isClaimed(policy: SimNetworkPolicy, path: FieldPath): boolean {
    const key = `${policy.namespace}/${policy.name}\u0000`;
    const full = path.join('.');
    for (const c of this.claimed) if (c.startsWith(key) && (full === c.slice(key.length) || full.startsWith(c.slice(key.length) + '.'))) return true;
    return false;
  }

  /** Every pod of a namespace (implicit ones included: selectors see them). */
  podsIn(namespace: string): SimPod[] {
    if (!this.byNamespace) {
      this.byNamespace = new Map();
      for (const p of this.cluster.pods) {
        const list = this.byNamespace.get(p.namespace) ?? [];
        list.push(p);
        this.byNamespace.set(p.namespace, list);
      }
    }
    return this.byNamespace.get(namespace) ?? [];
  }

  /** One pod per workload of the workspace (its replicas behave alike); implicit pods left out. */
  representatives(): SimPod[] {
    if (!this.reps) {
      const seen = new Set<string>();
      this.reps = this.cluster.pods.filter((p) => p.origin.kind === 'manifest' && !seen.has(workloadId(p.workload)) && seen.add(workloadId(p.workload)) !== undefined);
    }
    return this.reps;
  }

  /** The pods behind cluster DNS (kube-system/kube-dns), the ones a DNS egress rule must admit. */
  coreDnsPods(): SimPod[] {
    if (!this.dnsPods) {
      const svc = this.kubeDns();
      const ids = new Set((svc?.endpointsByPort ?? []).flat().map((e) => e.pod));
      this.dnsPods = this.cluster.pods.filter((p) => ids.has(podId(p)));
    }
    return this.dnsPods;
  }

  kubeDns(): SimService | undefined {
    return this.cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
  }
}

/** `Deployment shop/web` for messages. */
export function workloadLabel(pod: SimPod): string {
  return `${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name}`;
}

/** The workloads of some pods, for messages: the first three and a count of the rest. */
export function workloadsText(pods: readonly SimPod[]): string {
  const names = [...new Set(pods.map(workloadLabel))];
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
}
