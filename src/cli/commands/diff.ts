import { Option, type Command } from 'commander';
import { connectivityList, diffConnectivity } from '../../engine';
import { addInputOptions, simulate, type SimulateOptions } from '../files';
import { diffJson, diffSarif, diffText } from '../diffFormat';
import { json, print, type CommonOptions } from '../output';
import { version } from '../../../package.json';

export function registerDiff(program: Command): void {
  addInputOptions(
    program
      .command('diff')
      .description(
        'list the connections a change opens and closes between two versions of the manifests, per workload pair and port (matrix format)',
      )
      .argument('<old>', 'the manifests before the change (a file or folder)')
      .argument('<new>', 'the manifests after the change (a file or folder)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
      .option('--cluster <file>', "cluster settings file for both sides (default: kube-netsim.yaml at each side's root)")
      .option('--fail-on-open', 'exit 1 when the change opens a connection (for CI)'),
  ).action((oldPath: string, newPath: string, opts: CommonOptions & SimulateOptions & { failOnOpen?: boolean }) => {
    const before = simulate([oldPath], opts);
    const after = simulate([newPath], opts);
    const d = diffConnectivity(
      connectivityList(before.policies, { gateways: before.gateway }),
      connectivityList(after.policies, { gateways: after.gateway }),
    );
    if (opts.format === 'json') print(json(diffJson(d)));
    else if (opts.format === 'sarif') print(json(diffSarif(d, before, after, version, process.cwd())));
    else print(diffText(d));
    if (opts.failOnOpen && d.opened.length > 0) process.exitCode = 1;
  });
}
