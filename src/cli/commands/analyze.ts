import { Option, type Command } from 'commander';
import { simulate } from '../files';
import { analysisJson, analysisSarif, analysisText } from '../analyzeFormat';
import { json, print, type CommonOptions } from '../output';
import { version } from '../../../package.json';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('simulate the manifests and report pods, Services, endpoints and problems (exit 1 on errors)')
    .argument('<path...>', 'manifest files or folders')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)')
    .action((paths: string[], opts: CommonOptions) => {
      const a = simulate(paths, opts);
      if (opts.format === 'json') print(json(analysisJson(a)));
      else if (opts.format === 'sarif') print(json(analysisSarif(a, version)));
      else print(analysisText(a));
      if (a.diagnostics.some((d) => d.severity === 'error')) process.exitCode = 1;
    });
}
