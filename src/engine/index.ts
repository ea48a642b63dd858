// The engine's public surface: the extension, the CLI and the tests import from here only.
export { analyzeWorkspace, ParseCache, type Analysis, type AnalyzeOptions } from './analyze';
export { parseSettings, defaultSettings, type ClusterSettings } from './settings';
export { CATALOGUE, docsLink, type Fix, type TextEdit, type Diagnostic, type DiagnosticCode, type Severity } from './diagnostics';
export { DEFAULT_LIMITS, type InputFile, type ManifestObject, type ParseLimits } from './manifests';
export type { SourceRange } from './source';
export * from './model';
export type { DnsResult, DnsRecord, RecordType } from './dns';
export type { ResolvedReference as ResolvedReferenceView } from './checks';
export { findHostReferences, type HostReference } from './hosts';
export { findSource, type Source, type SourceLookup } from './sources';
export { selectorMatches, mapMatches, type LabelSelector } from './labels';
export { PolicyEngine, type Peer, type Verdict, type DirectionResult, type PolicyRef, type PolicyEngineOptions, type PolicyEndpoint, type SimNetworkPolicy } from './networkPolicy';
export { ConnSet, type PortRange } from './connset';
export { connectivityList, INGRESS_CONTROLLER, type ConnectivityList, type MatrixEntry, type MatrixOptions } from './matrix';
