import { Option, type Command } from 'commander';
import { connectivityList } from '../../engine';
import { addInputOptions, simulate } from '../files';
import { matrixCsv, matrixJson, matrixMarkdown, matrixText } from '../matrixFormat';
import type { CommonOptions } from '../output';

const FORMATS: Record<string, (list: ReturnType<typeof connectivityList>) => string> = {
  text: matrixText,
  json: matrixJson,
  csv: matrixCsv,
  md: matrixMarkdown,
};

export function registerMatrix(program: Command): void {
  addInputOptions(
    program
      .command('matrix')
      .description('list the connections NetworkPolicy allows between the workloads (and outside address ranges), netpol-analyzer style')
      .argument('<path...>', 'manifest files or folders')
      .addOption(new Option('--format <format>', 'output format').choices(Object.keys(FORMATS)).default('text'))
      .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)')
      .option('--ipv6', 'also list IPv6 ranges outside the cluster that rules name (netpol-analyzer lists IPv4 only)'),
  ).action((paths: string[], opts: CommonOptions & { ipv6?: boolean }) => {
    // The matrix prints no diagnostics: the simulation alone, without the checks and lints.
    const a = simulate(paths, opts, { checks: false });
    const format = FORMATS[opts.format] ?? matrixText;
    process.stdout.write(format(connectivityList(a.policies, { gateways: a.gateway, ipv6: opts.ipv6 === true })));
  });
}
