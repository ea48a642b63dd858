// The analysis state of every workspace folder: texts, parse cache, latest simulation. It runs in the
// worker thread; the extension runs the same class in-process only when no worker can be started.
import { analyzeWorkspace, ParseCache, type Analysis, type AnalyzeOptions, type InputFile } from '../../engine';
import type { AnalysisReport, AnalysisRequest, AnalyzeRequest, ClusterSummary, QueryRequest } from './protocol';
import { QUERIES } from './queries';
import { SymbolIndex } from './symbols';

class FolderState {
  readonly files = new Map<string, InputFile>();
  readonly cache = new ParseCache();
  analysis: Analysis | undefined;
  index: SymbolIndex | undefined;
  /** The options of the latest analysis, for queries that simulate a variant of the folder (Convert to Gateway API). */
  options: AnalyzeOptions = {};
}

/** What a query may re-simulate from: the folder's texts and the options of its latest analysis. */
export interface FolderInputs {
  files: InputFile[];
  options: AnalyzeOptions;
}

export class AnalysisService {
  private readonly folders = new Map<string, FolderState>();

  handle(request: AnalysisRequest): unknown {
    switch (request.type) {
      case 'analyze':
        return this.analyze(request);
      case 'query':
        return this.query(request);
      case 'forget':
        this.folders.delete(request.folder);
        return null;
    }
  }

  /**
   * Builds the topology view's map of a folder's latest simulation ahead of being asked (the worker
   * does it when idle after a folder's first analysis, so Show Topology finds it ready). Returns
   * how long it took, or undefined when there was nothing to build.
   */
  prepareTopology(folder: string): number | undefined {
    const state = this.folders.get(folder);
    if (!state?.analysis || !state.index) return undefined;
    const started = performance.now();
    QUERIES.topologyMap(state.analysis, state.index, {});
    return performance.now() - started;
  }

  /** The latest simulation of a folder, for inspecting the in-process service (tests, debugging). */
  analysisOf(folder: string): Analysis | undefined {
    return this.folders.get(folder)?.analysis;
  }

  private analyze(request: AnalyzeRequest): AnalysisReport {
    let state = this.folders.get(request.folder);
    if (!state || request.reset) {
      state = new FolderState();
      this.folders.set(request.folder, state);
    }
    for (const path of request.removed) {
      state.files.delete(path);
      state.cache.forget(path);
    }
    for (const file of request.changed) state.files.set(file.path, file);
    const started = performance.now();
    const { settings, settingsDiagnostics, limits, kustomizeOverlay } = request.options;
    state.options = {
      settings,
      settingsDiagnostics,
      limits,
      cache: state.cache,
      ...(kustomizeOverlay !== undefined ? { kustomizeOverlay } : {}),
    };
    const analysis = analyzeWorkspace([...state.files.values()], state.options);
    state.analysis = analysis;
    const files = state.files;
    state.index = new SymbolIndex(analysis, (path) => files.get(path)?.text);
    return { diagnostics: analysis.diagnostics, summary: summarize(analysis), durationMs: Math.round(performance.now() - started) };
  }

  private query(request: QueryRequest): unknown {
    const state = this.folders.get(request.folder);
    if (!state?.analysis || !state.index) return undefined;
    const run = QUERIES[request.name] as (a: Analysis, index: SymbolIndex, args: unknown, inputs: FolderInputs) => unknown;
    return run(state.analysis, state.index, request.args, { files: [...state.files.values()], options: state.options });
  }
}

function summarize(a: Analysis): ClusterSummary {
  let errors = 0;
  let warnings = 0;
  for (const d of a.diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return {
    nodes: a.cluster.nodes.length,
    pods: a.cluster.pods.filter((p) => p.origin.kind === 'manifest').length,
    services: a.cluster.services.filter((s) => s.origin.kind === 'manifest').length,
    errors,
    warnings,
    cni: a.cluster.settings.cni,
    kubeProxyMode: a.cluster.settings.kubeProxyMode,
  };
}
