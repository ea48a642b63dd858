// `npm run bench`: times the engine on generated workspaces of growing size and prints one table
// row per size. Each column is a Measurement in MEASUREMENTS; add one there to extend the table.
// Options: --sizes 5x10,50x40 (namespaces x apps), --runs N (timed runs per measurement; median;
// sizes of more than 20,000 pods are timed once).
import { loadAll } from 'js-yaml';
import {
  analyzeWorkspace,
  connectivityList,
  parseSettings,
  PolicyEngine,
  ParseCache,
  type AnalyzeOptions,
  type Analysis,
  type InputFile,
} from '../src/engine';
import { generateWorkspace, type GeneratedWorkspace, type WorkspaceSize } from './generate';
import { cliWorkspace, type CliRun } from './cli';

export interface BenchContext {
  size: Required<Pick<WorkspaceSize, 'namespaces' | 'apps'>>;
  workspace: GeneratedWorkspace;
  runs: number;
  /** One analysis of the workspace, for measurements that start from it. */
  analysis: Analysis;
  /** Values of the measurements already taken for this size, by name. */
  results: Map<string, number>;
  /** The options every in-process analysis gets: the workspace's kube-netsim.yaml, if it has one. */
  options: AnalyzeOptions;
  /** The CLI run on the workspace written to disk, once per command. */
  cli: (command: 'analyze' | 'matrix') => CliRun;
}

export interface Measurement {
  name: string;
  /** Formats the value for the table (times in ms, ratios with an ×). */
  format: (value: number) => string;
  measure: (ctx: BenchContext) => number;
}

/** Median wall time of `runs` calls, in milliseconds. */
export function medianMs(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const count = (v: number) => String(v);

export const MEASUREMENTS: Measurement[] = [
  { name: 'objects', format: count, measure: (c) => c.workspace.objects },
  { name: 'pods', format: count, measure: (c) => c.workspace.pods },
  // The workspace's pods the analysis simulated (the budget would cut the rest, with a simulation-limit warning).
  { name: 'pods simulated', format: count, measure: (c) => c.analysis.cluster.pods.filter((p) => p.origin.kind === 'manifest').length },
  { name: 'policies', format: count, measure: (c) => c.workspace.policies },
  { name: 'analyze (cold)', format: ms, measure: (c) => medianMs(c.runs, () => analyzeWorkspace(c.workspace.files, c.options)) },
  { name: 'js-yaml parse', format: ms, measure: (c) => medianMs(c.runs, () => c.workspace.files.forEach((f) => loadAll(f.text))) },
  {
    name: 'analyze / parse',
    format: (v) => `${v.toFixed(1)}×`,
    measure: (c) => (c.results.get('analyze (cold)') ?? 0) / Math.max(1e-9, c.results.get('js-yaml parse') ?? 1),
  },
  // A fresh engine each run, so the per-pod selection cache of one run does not speed up the next.
  { name: 'matrix', format: ms, measure: (c) => medianMs(c.runs, () => connectivityList(new PolicyEngine(c.analysis.cluster, []))) },
  { name: 'pod classes', format: count, measure: (c) => connectivityList(c.analysis.policies).stats.classes },
  { name: 'matrix lines', format: count, measure: (c) => connectivityList(c.analysis.policies).entries.length },
];

/**
 * The workspace with one document changed: a label value in the pod template of the first
 * Deployment (the first file holding one: the first file is the nodes', which has none, so editing
 * it left every file as it was and timed a re-analysis of nothing).
 */
function editedOnce(files: InputFile[], round: number): InputFile[] {
  const at = files.findIndex((f) => /\n\s+tier: /.test(f.text));
  return files.map((f, i) =>
    i !== at
      ? f
      : {
          path: f.path,
          text: f.text.replace(
            /(\n\s+tier: )(\S+)/,
            (_m, head: string, value: string) => `${head}${value.replace(/-edit\d+$/, '')}-edit${round}`,
          ),
        },
  );
}

/**
 * Re-analysis after a one-document edit, as the extension does it: the same ParseCache across
 * edits, so unchanged files' parses and what the previous analysis remembered (src/engine/incremental)
 * are reused. Also records the median CPU time of the runs, the figure that holds on a loaded machine.
 */
function reanalyzeMs(c: BenchContext): number {
  const cache = new ParseCache();
  analyzeWorkspace(c.workspace.files, { ...c.options, cache });
  let round = 0;
  const cpu: number[] = [];
  const wall = medianMs(c.runs, () => {
    const before = process.cpuUsage();
    analyzeWorkspace(editedOnce(c.workspace.files, ++round), { ...c.options, cache });
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  });
  cpu.sort((a, b) => a - b);
  c.results.set('re-analyze CPU', cpu[Math.floor(cpu.length / 2)] ?? 0);
  return wall;
}

MEASUREMENTS.splice(
  MEASUREMENTS.findIndex((m) => m.name === 'matrix'),
  0,
  { name: 're-analyze 1 edit', format: ms, measure: reanalyzeMs },
  { name: 're-analyze CPU', format: ms, measure: (c) => c.results.get('re-analyze CPU') ?? 0 },
);
const mb = (v: number) => `${v.toFixed(0)} MB`;
// The goals are the CLI's: one process per command, as CI runs it, so each figure is that process's own peak.
const cliRuns = new WeakMap<BenchContext, Map<string, CliRun>>();
const cliRun = (c: BenchContext, command: 'analyze' | 'matrix'): CliRun => {
  const runs = cliRuns.get(c) ?? new Map<string, CliRun>();
  cliRuns.set(c, runs);
  const known = runs.get(command);
  if (known) return known;
  const r = c.cli(command);
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`kube-netsim ${command} exited with ${r.exitCode}`);
  runs.set(command, r);
  return r;
};
MEASUREMENTS.push(
  { name: 'CLI analyze', format: ms, measure: (c) => cliRun(c, 'analyze').ms },
  { name: 'CLI analyze RSS', format: mb, measure: (c) => cliRun(c, 'analyze').rssMB },
  { name: 'CLI matrix', format: ms, measure: (c) => cliRun(c, 'matrix').ms },
  { name: 'CLI matrix RSS', format: mb, measure: (c) => cliRun(c, 'matrix').rssMB },
);

// From about 100 to about 10,000 objects, then the cluster snapshots' sizes (24,000 and 96,000
// pods); 50 × 40 (6,000 pods) is the size the editor goals are stated for.
export const DEFAULT_SIZES: Array<BenchContext['size']> = [
  { namespaces: 3, apps: 8 },
  { namespaces: 10, apps: 20 },
  { namespaces: 25, apps: 40 },
  { namespaces: 50, apps: 40 },
  { namespaces: 80, apps: 40 },
  { namespaces: 200, apps: 40 },
  { namespaces: 800, apps: 40 },
];
/** Sizes above this many pods are timed once: a median of five 96,000-pod analyses takes minutes. */
const ONE_RUN_ABOVE_PODS = 20_000;

function parseArgs(argv: string[]): { sizes: Array<BenchContext['size']>; runs: number; editor: boolean } {
  let sizes = DEFAULT_SIZES;
  let runs = 5;
  let editor = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--sizes') {
      sizes = (argv[++i] ?? '').split(',').map((s) => {
        const m = /^(\d+)x(\d+)$/.exec(s.trim());
        if (!m) throw new Error(`--sizes takes NAMESPACESxAPPS,... (e.g. 5x10,50x40), not "${s}"`);
        return { namespaces: Number(m[1]), apps: Number(m[2]) };
      });
    } else if (arg === '--runs') runs = Math.max(1, Number(argv[++i]) || 1);
    else if (arg === '--editor') editor = true;
    else throw new Error(`unknown option ${arg}; use --sizes 5x10,50x40, --runs N and --editor`);
  }
  return { sizes, runs, editor };
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const { sizes, runs, editor } = parseArgs(process.argv.slice(2));
  console.log(
    `kube-netsim bench: node ${process.version}, median of ${runs} runs per timing; workspaces from bench/generate.ts (3 replicas per app)\n`,
  );
  const rows: string[][] = [];
  for (const size of sizes) {
    const workspace = generateWorkspace(size);
    const options: AnalyzeOptions = workspace.settings
      ? { settings: parseSettings(workspace.settings.path, workspace.settings.text).settings }
      : {};
    const disk = cliWorkspace(workspace);
    try {
      const ctx: BenchContext = {
        size,
        workspace,
        runs: workspace.pods > ONE_RUN_ABOVE_PODS ? 1 : runs,
        analysis: analyzeWorkspace(workspace.files, options),
        results: new Map(),
        options,
        cli: disk.run,
      };
      const row = [`${size.namespaces} ns × ${size.apps} apps`];
      for (const m of MEASUREMENTS) {
        const value = m.measure(ctx);
        ctx.results.set(m.name, value);
        row.push(m.format(value));
      }
      rows.push(row);
      // Row by row, so a long run shows its progress (the table follows).
      console.log(row.join('  '));
    } finally {
      disk.close();
    }
  }
  printTable(['size', ...MEASUREMENTS.map((m) => m.name)], rows);
  if (editor) {
    const largest = sizes[sizes.length - 1] ?? { namespaces: 50, apps: 40 };
    const { editorBench } = await import('./editor');
    await editorBench(generateWorkspace(largest), `${largest.namespaces} ns × ${largest.apps} apps`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exitCode = 1;
  });
}
