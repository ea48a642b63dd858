import { parseManifestFile, DEFAULT_LIMITS, type ParseLimits } from './manifests/parse';
import { compareDiagnostics, type Diagnostic } from './diagnostics';
import { buildNamespaces, buildNodes, implicitNamespace, placePods, readConfigMaps } from './cluster/build';
import { expandWorkloads } from './cluster/workloads';
import { DEFAULT_NAMESPACE } from './manifests/kinds';
import { compareApplyOrder, resolveDuplicates } from './manifests/duplicates';
import { reportNotSimulated, type NotSimulatedKind } from './manifests/notSimulated';
import { buildServices } from './services/build';
import { coreDnsBlueprints } from './services/implicit';
import { implicitIngressControllers } from './ingress/controller';
import { DnsZone } from './dns/zone';
import { checkReferences, resolveReferences, type ResolvedReference } from './dns/references';
import { defaultSettings, type ClusterSettings } from './cluster/settings';
import type { Cluster } from './cluster/model';
import { IngressModel } from './ingress/model';
import { PolicyEngine } from './policy/engine';
import { cniProfile } from './dataplane/cni';
import { checkPolicies } from './policy/checks';
import { runLints } from './lint';
import { applyIgnores } from './lint/suppress';
import { collectInputObjects, type RenderOptions } from './kustomize/inputs';
import { snapshotSettings } from './cluster/snapshot';
import { type InputFile, type ParsedFile, type ManifestObject } from './manifests/types';

/** The result of simulating a workspace: the cluster, its DNS, the host references and every diagnostic. */
export interface Analysis {
  cluster: Cluster;
  dns: DnsZone;
  references: ResolvedReference[];
  /** Ingresses, their classes and controllers, and routing through them. */
  ingress: IngressModel;
  /** NetworkPolicy evaluation: verdicts with the objects that decided them. */
  policies: PolicyEngine;
  /** Objects of kinds that shape traffic but are not simulated, by kind (each also has a kind-not-simulated info). */
  notSimulated: NotSimulatedKind[];
  /** What is wrong, less what the user silenced. */
  diagnostics: Diagnostic[];
  /** Diagnostics silenced by kube-netsim.yaml's `ignore:` or `# kube-netsim: ignore` comments (never shown, never failing a run). */
  suppressed: Diagnostic[];
}

export interface AnalyzeOptions extends RenderOptions {
  settings?: ClusterSettings;
  /** Diagnostics about the settings themselves (from parseSettings), reported with the rest. */
  settingsDiagnostics?: Diagnostic[];
  limits?: ParseLimits;
  /** Reuses the parse of files whose text has not changed (the extension keeps one across edits). */
  cache?: ParseCache;
}

/** Remembers each file's parse by path and text, so an edit re-parses only the edited document's file. */
export class ParseCache {
  private readonly entries = new Map<string, { text: string; bytes: number | undefined; limits: string; parsed: ParsedFile }>();

  parse(file: InputFile, limits: ParseLimits): ParsedFile {
    // The limits are part of the key: raising kubeNetsim.maxFileBytes must re-read a file skipped as too large.
    const key = JSON.stringify(limits);
    const hit = this.entries.get(file.path);
    if (hit && hit.text === file.text && hit.bytes === file.bytes && hit.limits === key) return hit.parsed;
    const parsed = parseManifestFile(file, limits);
    this.entries.set(file.path, { text: file.text, bytes: file.bytes, limits: key, parsed });
    return parsed;
  }

  forget(path: string): void {
    this.entries.delete(path);
  }
}

/** The engine's one entry: files in, a queryable simulation out. Pure and deterministic. */
export function analyzeWorkspace(files: InputFile[], options: AnalyzeOptions = {}): Analysis {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const settings = options.settings ?? defaultSettings();
  const diagnostics: Diagnostic[] = [...(options.settingsDiagnostics ?? [])];
  // In the order `kubectl apply -f` reads them: which duplicate wins, and which of two conflicting requests comes second.
  const ordered = [...files].sort((a, b) => compareApplyOrder(a.path, b.path));
  const parse = (f: InputFile) => (options.cache ? options.cache.parse(f, limits) : parseManifestFile(f, limits));
  // Kustomize overlays and Helm charts are rendered (or reported) before anything is simulated.
  const inputs = collectInputObjects(ordered, parse, options);
  const objects: ManifestObject[] = inputs.objects;
  diagnostics.push(...inputs.diagnostics);
  // A cluster snapshot's live addresses decide the ranges the defaults would otherwise set.
  const cluster = buildCluster(objects, snapshotSettings(objects, settings, diagnostics), diagnostics);
  const notSimulated = reportNotSimulated(cluster.objects, diagnostics);
  const policies = new PolicyEngine(cluster, diagnostics, {
    hostNetwork: cluster.settings.hostNetworkPods,
    adminPolicies: cniProfile(cluster.settings).adminPolicies,
  });
  const dns = new DnsZone(cluster);
  const ingress = new IngressModel(cluster, diagnostics);
  const references = resolveReferences(cluster, dns);
  checkReferences(cluster, references, diagnostics);
  checkPolicies(policies, references, diagnostics);
  runLints({ cluster, policies, dns, ingress, references, files: ordered }, diagnostics);
  diagnostics.sort(compareDiagnostics);
  const { shown, suppressed } = applyIgnores(dedupe(diagnostics), ordered, settings.ignore ?? [], objects);
  return { cluster, dns, references, ingress, policies, notSimulated, diagnostics: shown, suppressed };
}

/**
 * The cluster the objects make, stage by stage: nodes and namespaces, workloads expanded to pods
 * (with CoreDNS and the ingress controllers the cluster implies), pods scheduled and addressed,
 * then Services with their addresses and endpoints.
 */
export function buildCluster(input: ManifestObject[], settings: ClusterSettings, diagnostics: Diagnostic[]): Cluster {
  // Of objects defined more than once only the one applied last exists; every stage sees it alone.
  const objects = resolveDuplicates(input, diagnostics);
  const nodes = buildNodes(objects, settings, diagnostics);
  const namespaces = buildNamespaces(objects, diagnostics);
  const userDns = objects.some((o) => o.kind === 'Service' && o.name === 'kube-dns' && o.namespace === 'kube-system');
  const blueprints = expandWorkloads(
    objects,
    nodes.map((n) => n.name),
    DEFAULT_NAMESPACE,
    diagnostics,
  );
  if (!userDns) blueprints.push(...coreDnsBlueprints());
  const ingressControllers = implicitIngressControllers(objects);
  blueprints.push(...ingressControllers.blueprints);
  const pods = placePods(blueprints, nodes, diagnostics);
  const services = buildServices(objects, settings, nodes, pods, ingressControllers.services, diagnostics);
  for (const o of [...pods, ...services]) if (!namespaces.has(o.namespace)) namespaces.set(o.namespace, implicitNamespace(o.namespace));
  return { settings, nodes, namespaces, pods, services, configMaps: readConfigMaps(objects, diagnostics), objects };
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.range.file}:${d.range.line}:${d.range.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
