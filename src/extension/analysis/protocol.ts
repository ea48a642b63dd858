// The messages between the extension host's main thread and the analysis worker. The worker keeps
// every folder's manifest texts and latest simulation; the main thread sends only what changed.
import type { ClusterSettings, Diagnostic, InputFile, ParseLimits } from '../../engine';
import type { QueryArgs, QueryName, QueryResult } from './queries';

/** What analyzeWorkspace needs besides the files; the main thread reads it from the editor's settings. */
export interface WorkerAnalyzeOptions {
  settings: ClusterSettings;
  settingsDiagnostics: Diagnostic[];
  limits: ParseLimits;
  kustomizeOverlay?: string;
}

/** Re-simulate a folder after applying changes: `reset` replaces every text (after a worker restart). */
export interface AnalyzeRequest {
  type: 'analyze';
  folder: string;
  reset: boolean;
  changed: InputFile[];
  removed: string[];
  options: WorkerAnalyzeOptions;
}

/** Ask the folder's latest simulation something (a hover, the lenses of a file, ...). */
export interface QueryRequest<N extends QueryName = QueryName> {
  type: 'query';
  folder: string;
  name: N;
  args: QueryArgs<N>;
}

/** Drop a folder's state (the folder was removed from the workspace). */
export interface ForgetRequest {
  type: 'forget';
  folder: string;
}

export type AnalysisRequest = AnalyzeRequest | QueryRequest | ForgetRequest;

/** The size of the simulated cluster, for the status bar. */
export interface ClusterSummary {
  nodes: number;
  pods: number;
  services: number;
  errors: number;
  warnings: number;
  cni: string;
  kubeProxyMode: string;
}

/** What one analysis sends back: every diagnostic (with fixes), a summary, and how long it took in the worker. */
export interface AnalysisReport {
  diagnostics: Diagnostic[];
  summary: ClusterSummary;
  durationMs: number;
}

export type ResultOf<R extends AnalysisRequest> = R extends AnalyzeRequest
  ? AnalysisReport
  : R extends QueryRequest<infer N>
    ? QueryResult<N> | undefined
    : R extends ForgetRequest
      ? null
      : never;

export interface RequestEnvelope {
  id: number;
  request: AnalysisRequest;
}

export type ResponseEnvelope = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
