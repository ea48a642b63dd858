import { Option, type Command } from 'commander';
import { addInputOptions, simulate, type SimulateOptions } from '../files';
import { analysisJson, analysisText } from '../analyzeFormat';
import { analysisSarif } from '../sarif';
import { json, print, type CommonOptions } from '../output';
import type { Severity } from '../../engine';
import { version } from '../../../package.json';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };
export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Whether a diagnostic at or above the --fail-on level exists (exit status 1 for CI). */
export function fails(severities: Severity[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return severities.some((s) => RANK[s] >= RANK[failOn]);
}

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('simulate the manifests and report pods, Services, endpoints and problems (exit 1 on errors, see --fail-on)')
    .argument('<path...>', 'manifest files or folders')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)')
    .addOption(
      new Option('--fail-on <level>', 'exit 1 when a diagnostic at or above this severity exists').choices([...FAIL_ON]).default('error'),
    );
  addRenderOptions(cmd);
  addInputOptions(cmd);
  cmd.action((paths: string[], opts: CommonOptions & SimulateOptions & { failOn: FailOn }) => {
    const a = simulate(paths, opts);
    if (opts.format === 'json') print(json(analysisJson(a)));
    else if (opts.format === 'sarif') print(json(analysisSarif(a, version, process.cwd())));
    else print(analysisText(a));
    if (
      fails(
        a.diagnostics.map((d) => d.severity),
        opts.failOn,
      )
    )
      process.exitCode = 1;
  });
}

/** --kustomize and --helm, shared by every simulating command. */
export function addRenderOptions(cmd: Command): Command {
  return cmd
    .option('--kustomize <dir>', 'render this Kustomize overlay (a folder with kustomization.yaml) and simulate the result')
    .option(
      '--helm',
      'render Helm charts found in PATH with `helm template` (needs helm on PATH); without it charts are reported, not rendered',
    );
}
