import type { Command } from 'commander';
import { Option } from 'commander';
import { troubleshoot, type TroubleshootSubject } from '../../engine';
import { addInputOptions, simulate, UsageError } from '../files';
import { stepJson, troubleshootText } from '../troubleshootFormat';
import { json, print, type CommonOptions } from '../output';

type TroubleshootOptions = CommonOptions & { service?: string; ingress?: string; external?: string; from?: string };

export function registerTroubleshoot(program: Command): void {
  addInputOptions(
    program
      .command('troubleshoot')
      .description(
        "walk the checks a person runs on a live cluster (can't reach a Service, external access, an Ingress), each with its kubectl, and stop at the first that fails with the fix",
      )
      .argument('<path...>', 'manifest files or folders')
      .option('--service <service>', "NAMESPACE/NAME: the walk for a Service that can't be reached")
      .option('--ingress <ingress>', 'NAMESPACE/NAME: the walk for an Ingress that does not work')
      .option(
        '--external <url>',
        'a URL or HOST:PORT as a client outside the cluster asks it, or a Service NAMESPACE/NAME: the external access walk',
      )
      .option('--from <source>', 'with --service: the workload whose pod runs the in-cluster checks (default: one that calls the Service)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)'),
  ).action((paths: string[], opts: TroubleshootOptions) => {
    const given = (['service', 'ingress', 'external'] as const).filter((k) => opts[k] !== undefined);
    if (given.length !== 1)
      throw new UsageError(
        `troubleshoot needs exactly one of --service NS/NAME, --ingress NS/NAME or --external URL${given.length > 1 ? ` (got ${given.map((g) => `--${g}`).join(' and ')})` : ''}`,
      );
    if (opts.from !== undefined && opts.service === undefined) throw new UsageError('--from goes with --service');
    const subject: TroubleshootSubject =
      opts.service !== undefined
        ? { service: opts.service, ...(opts.from !== undefined ? { from: opts.from } : {}) }
        : opts.ingress !== undefined
          ? { ingress: opts.ingress }
          : { external: opts.external as string };
    const a = simulate(paths, opts);
    const result = troubleshoot(a, subject);
    if ('error' in result) throw new UsageError(result.error);
    print(opts.format === 'json' ? json(result.steps.map(stepJson)) : troubleshootText(result));
    if (!result.ok) process.exitCode = 1;
  });
}
