// The engine's public surface: the extension, the CLI and the tests import from here only.
export { analyzeWorkspace, ParseCache, type Analysis, type AnalyzeOptions } from './analyze';
export { parseSettings, defaultSettings, type ClusterSettings } from './cluster/settings';
export { CATALOGUE, docsLink } from './catalogue';
export type { Fix, TextEdit, Diagnostic, DiagnosticCode, Severity } from './diagnostics';
export { indexFiles, kustomizeMissing, kustomizeDirs } from './kustomize/paths';
export { summarizeSnapshot, isLive } from './cluster/snapshot';
export type { RenderOptions } from './kustomize/inputs';
export { DEFAULT_LIMITS, type InputFile, type ManifestObject, type ParseLimits } from './manifests/parse';
export type { SourceRange } from './source';
export * from './cluster/model';
export type { DnsResult, DnsRecord, RecordType } from './dns/zone';
export type { ResolvedReference as ResolvedReferenceView } from './dns/references';
export { findHostReferences, type HostReference } from './dns/hosts';
export { findSource, type Source, type SourceLookup } from './trace/sources';
export { selectorMatches, mapMatches, type LabelSelector } from './cluster/labels';
export {
  PolicyEngine,
  type Peer,
  type Verdict,
  type DirectionResult,
  type PolicyRef,
  type PolicyEngineOptions,
  type PolicyEndpoint,
  type SimNetworkPolicy,
  type SimAdminPolicy,
  type AdminRule,
  type AdminPeer,
} from './policy/engine';
export { ConnSet, type PortRange } from './policy/connset';
export {
  connectivityList,
  connText,
  INGRESS_CONTROLLER,
  type ConnectivityList,
  type MatrixEntry,
  type MatrixOptions,
} from './policy/matrix';
export { diffConnectivity, subtractConns, type ConnectivityDiff } from './policy/diff';
export { applyEdits } from './lint';
export { tracePacket, traceVerdict, type TraceOptions, type TraceEnd } from './trace/packet';
export { parseTarget } from './trace/target';
export { tracePortForward } from './trace/portForward';
export { isForwardTarget, parseForwardTarget, type ForwardTarget } from './trace/forwardTarget';
export { renderHop, renderHops, traceJson, type RenderedHop } from './trace/render';
export type { TraceResult, TraceVerdict, Hop, HopKind, Destination, TraceCandidate, Target, PortForwardInfo } from './trace/types';
export type { PolicyOracle } from './policy/oracle';
export { rulesByNode, iptablesRules, ipvsRules, proxyFamilies, type NodeRules, type RulesMode } from './dataplane/rules';
export { nftablesRules, nftablesTable, renderNftTable } from './dataplane/nftables';
export { dataplaneOf, type ServiceDataplane } from './dataplane/kubeProxy';
export { cniProfile, type CniProfile } from './dataplane/cni';
export type { IngressModel, IngressController, SimIngress, IngressRoute } from './ingress/model';
export { describeController } from './ingress/describe';
export { buildTopology, policyLayer } from './topology/build';
export type * from './topology/types';
export { proveMigration, type MigrationProof, type ProbeResult } from './migrate/prove';
export { migrateIngresses, type Migration, type MigrationNote } from './migrate/translate';
export type { GrpcMatch, HttpMatch, Listener, SimGateway, SimRoute } from './gateway/types';
export { hostnameIntersection } from './gateway/hostnames';
export { isRecord } from './manifests/fields';
export { namespaceOf, TEMPLATE_PATH } from './manifests/kinds';
export { NAMESPACE_NAME_LABEL } from './cluster/build';
export { substringRange, type FieldPath } from './source';
export { SourceText, yamlScalar } from './lint/yamlEdit';
export { troubleshoot, type TroubleshootSubject, type TroubleshootResult, type TroubleshootStep } from './troubleshoot';
export { CiliumLayer, httpRuleText } from './policy/cilium';
export { CalicoLayer } from './policy/calico';
export type { SimCiliumPolicy, CiliumEntry, CiliumPeer, CiliumPortRule } from './policy/ciliumParse';
export type { SimCalicoPolicy, CalicoRule, CalicoEntity } from './policy/calicoParse';
export type { CalicoTier } from './policy/calicoTiers';
export type { CniPolicies } from './policy/cniPolicies';
export { pathText } from './policy/ciliumRead';
