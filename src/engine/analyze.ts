import { parseManifestFile, DEFAULT_LIMITS, type ParseLimits } from './manifests/parse';
import { reparseManifestFile, type ChunkParse } from './manifests/reparse';
import { compareDiagnostics, type Diagnostic } from './diagnostics';
import { buildNamespaces, buildNodes, declaresNodes, implicitNamespace, placePods, readConfigMaps } from './cluster/build';
import { defaultClusterSize, nodesAssumed } from './cluster/capacity';
import { expandWorkloads, MAX_SIMULATED_PODS, podBudget } from './cluster/workloads';
import { MAX_SIMULATED_ENDPOINTS } from './services/endpoints';
import { dropCutDependents } from './lint/cut';
import { operatorServices } from './cluster/operators';
import { DEFAULT_NAMESPACE } from './manifests/kinds';
import { compareApplyOrder, resolveDuplicates } from './manifests/duplicates';
import { reportNotSimulated, type NotSimulatedKind } from './manifests/notSimulated';
import { readCniPolicies, type CniPolicies } from './policy/cniPolicies';
import { buildServices } from './services/build';
import { coreDnsBlueprints } from './services/implicit';
import { implicitIngressControllers } from './ingress/controller';
import { DnsZone } from './dns/zone';
import { checkReferences, resolveReferences, type ResolvedReference } from './dns/references';
import { defaultSettings, type ClusterSettings } from './cluster/settings';
import type { Budgets, Cluster, ReplicaDecision, SimNode } from './cluster/model';
import { IngressModel } from './ingress/model';
import { checkIngressControllers } from './ingress/checks';
import { GatewayModel } from './gateway/model';
import { implicitGatewayDataPlanes } from './gateway/dataplane';
import { checkGateways } from './gateway/checks';
import { PolicyEngine } from './policy/engine';
import { cniProfile } from './dataplane/cni';
import { checkPolicies } from './policy/checks';
import { checkCniPolicies } from './policy/cniChecks';
import { runLints } from './lint';
import { applyIgnores } from './lint/suppress';
import { collectInputObjects, type RenderOptions } from './kustomize/inputs';
import { snapshotSettings } from './cluster/snapshot';
import { IncrementalState } from './incremental/state';
import { stableObjects } from './cluster/stable';
import { type InputFile, type ParsedFile, type ManifestObject } from './manifests/types';

/** The result of simulating a workspace: the cluster, its DNS, the host references and every diagnostic. */
export interface Analysis {
  cluster: Cluster;
  dns: DnsZone;
  references: ResolvedReference[];
  /** Ingresses, their classes and controllers, and routing through them. */
  ingress: IngressModel;
  /** Gateway API: classes, Gateways and their data planes, routes with their status, routing through them. */
  gateway: GatewayModel;
  /** NetworkPolicy evaluation: verdicts with the objects that decided them. */
  policies: PolicyEngine;
  /** The CNI's own policies read from the workspace (enforced or not: `policies.cni` is the layer that enforces them). */
  cniPolicies?: CniPolicies;
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
  /** The pod and endpoint budgets (the defaults guard against hostile input; tests lower them). */
  budgets?: Partial<Budgets>;
  /**
   * False builds the simulation only, for callers that print no diagnostics (`kube-netsim
   * matrix`): the checks and lints are skipped, `references` is empty and `diagnostics` holds
   * only what reading the objects reported. At 96,000 pods they are a third of the analysis.
   */
  checks?: boolean;
}

/**
 * Remembers each file's parse by path and text, so an edit re-parses only the edited file, and in
 * it only the edited documents: the others keep their objects (manifests/reparse.ts).
 */
export class ParseCache {
  /** What the latest analysis with this cache remembers for the next one (incremental/state.ts). */
  readonly incremental = new IncrementalState();
  private readonly entries = new Map<
    string,
    { text: string; bytes: number | undefined; limits: string; parsed: ParsedFile; chunks: ChunkParse[] }
  >();

  parse(file: InputFile, limits: ParseLimits): ParsedFile {
    // The limits are part of the key: raising kubeNetsim.maxFileBytes must re-read a file skipped as too large.
    const key = JSON.stringify(limits);
    const hit = this.entries.get(file.path);
    if (hit && hit.text === file.text && hit.bytes === file.bytes && hit.limits === key) return hit.parsed;
    const { parsed, chunks } = reparseManifestFile(file, limits, hit && hit.limits === key ? hit.chunks : undefined);
    this.entries.set(file.path, { text: file.text, bytes: file.bytes, limits: key, parsed, chunks });
    return parsed;
  }

  forget(path: string): void {
    this.entries.delete(path);
  }
}

/** The engine's one entry: files in, a queryable simulation out. Pure and deterministic. */
export function analyzeWorkspace(files: InputFile[], options: AnalyzeOptions = {}): Analysis {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const incremental = options.cache?.incremental;
  incremental?.begin();
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
  const budgets = { pods: MAX_SIMULATED_PODS, endpoints: MAX_SIMULATED_ENDPOINTS, ...options.budgets };
  const cluster = buildCluster(objects, snapshotSettings(objects, settings, diagnostics), diagnostics, budgets, incremental);
  if (incremental) stableObjects(incremental).reuse(cluster);
  const notSimulated = reportNotSimulated(cluster.objects, diagnostics);
  const cniPolicies = readCniPolicies(cluster, diagnostics);
  const policies = new PolicyEngine(cluster, diagnostics, {
    hostNetwork: cluster.settings.hostNetworkPods,
    adminPolicies: cniProfile(cluster.settings).adminPolicies,
    cni: cniPolicies.layer,
  });
  const dns = new DnsZone(cluster);
  const ingress = new IngressModel(cluster, diagnostics);
  if (options.checks !== false) checkIngressControllers(ingress, diagnostics);
  const gateway = new GatewayModel(cluster, diagnostics);
  if (options.checks === false) {
    return { cluster, dns, references: [], ingress, gateway, policies, cniPolicies, notSimulated, diagnostics, suppressed: [] };
  }
  checkGateways(gateway, diagnostics);
  const references = resolveReferences(cluster, dns, incremental);
  checkReferences(cluster, references, diagnostics);
  checkPolicies(policies, references, diagnostics, incremental);
  checkCniPolicies(policies, diagnostics);
  runLints({ cluster, policies, dns, ingress, references, files: ordered, incremental }, diagnostics);
  const reported = cluster.cut ? dropCutDependents(diagnostics, cluster.cut) : diagnostics;
  reported.sort(compareDiagnostics);
  const { shown, suppressed } = applyIgnores(dedupe(reported), ordered, settings.ignore ?? [], objects, incremental);
  return { cluster, dns, references, ingress, gateway, policies, cniPolicies, notSimulated, diagnostics: shown, suppressed };
}

/**
 * The cluster the objects make, stage by stage: nodes and namespaces, workloads expanded to pods
 * (with CoreDNS, the ingress controllers and the Gateways' data planes the cluster implies), pods scheduled and addressed,
 * then Services with their addresses and endpoints.
 */
export function buildCluster(
  input: ManifestObject[],
  settings: ClusterSettings,
  diagnostics: Diagnostic[],
  budgets: Budgets = { pods: MAX_SIMULATED_PODS, endpoints: MAX_SIMULATED_ENDPOINTS },
  incremental?: IncrementalState,
): Cluster {
  // Of objects defined more than once only the one applied last exists; every stage sees it alone.
  const objects = resolveDuplicates(input, diagnostics);
  let nodes = buildNodes(objects, settings, diagnostics);
  const namespaces = buildNamespaces(objects, diagnostics);
  const userDns = objects.some((o) => o.kind === 'Service' && o.name === 'kube-dns' && o.namespace === 'kube-system');
  const ingressControllers = implicitIngressControllers(objects, settings.ingressControllers);
  const expand = (on: SimNode[]) => {
    const found: Diagnostic[] = [];
    const replicaDecisions: ReplicaDecision[] = [];
    const names = on.map((n) => n.name);
    const budget = podBudget(budgets.pods);
    const blueprints = expandWorkloads(objects, names, DEFAULT_NAMESPACE, found, replicaDecisions, budget, incremental);
    if (!userDns) blueprints.push(...coreDnsBlueprints());
    blueprints.push(...ingressControllers.blueprints);
    blueprints.push(...implicitGatewayDataPlanes(objects, names).blueprints);
    return { blueprints, found, replicaDecisions, cut: budget.cut };
  };
  let expanded = expand(nodes);
  // A workspace that declares no nodes runs on the default cluster, grown to hold its pods.
  if (!declaresNodes(objects, settings)) {
    const size = defaultClusterSize(expanded.blueprints, nodes.length);
    if (size.nodes > nodes.length) {
      const info = nodesAssumed(size, nodes.length, settings);
      nodes = buildNodes(objects, settings, diagnostics, size.nodes);
      expanded = expand(nodes);
      if (info) diagnostics.push(info);
    }
  }
  const { blueprints, replicaDecisions } = expanded;
  diagnostics.push(...expanded.found);
  const pods = placePods(blueprints, nodes, diagnostics, incremental);
  // The data planes' Services do not depend on the nodes; their pods were expanded with the others.
  const gatewayServices = implicitGatewayDataPlanes(
    objects,
    nodes.map((n) => n.name),
  ).services;
  const extraServices = [...ingressControllers.services, ...gatewayServices, ...operatorServices(objects, DEFAULT_NAMESPACE)];
  const cut = expanded.cut;
  const services = buildServices(
    objects,
    settings,
    nodes,
    pods,
    extraServices,
    diagnostics,
    { limit: budgets.endpoints, cut },
    incremental,
  );
  for (const o of [...pods, ...services]) if (!namespaces.has(o.namespace)) namespaces.set(o.namespace, implicitNamespace(o.namespace));
  const cluster: Cluster = {
    settings,
    nodes,
    namespaces,
    pods,
    services,
    configMaps: readConfigMaps(objects, diagnostics),
    objects,
    replicaDecisions,
  };
  if (cut.namespaces.size > 0) cluster.cut = cut;
  return cluster;
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  // By place and code first, the (long) message compared only among those: most diagnostics are alone at their place.
  const seen = new Map<string, string[]>();
  return list.filter((d) => {
    const key = `${d.range.file}:${d.range.line}:${d.range.column}:${d.code}`;
    const messages = seen.get(key);
    if (!messages) {
      seen.set(key, [d.message]);
      return true;
    }
    if (messages.includes(d.message)) return false;
    messages.push(d.message);
    return true;
  });
}
