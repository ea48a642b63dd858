import { Command, CommanderError, Option } from 'commander';
import { analyzeWorkspace, findSource, type Analysis } from '../engine';
import { readInputs, readSettings, UsageError } from './files';
import { analysisJson, analysisSarif, analysisText } from './analyzeFormat';
import { dnsJson, dnsText } from './dnsFormat';
import { version } from '../../package.json';

interface Common {
  cluster?: string;
  format: string;
}

/** Reads the paths and the settings, and runs the simulation: what every command starts with. */
export function simulate(paths: string[], opts: { cluster?: string | undefined }): Analysis {
  const { files, roots } = readInputs(paths);
  const { settings, diagnostics } = readSettings(opts.cluster, roots);
  return analyzeWorkspace(files, { settings, settingsDiagnostics: diagnostics });
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export function buildProgram(): Command {
  const program = new Command('kube-netsim')
    .description('Simulate a Kubernetes cluster network from manifests: DNS, Services, kube-proxy, NetworkPolicy, Ingress, CNI.')
    .version(version)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) });

  program
    .command('analyze')
    .description('simulate the manifests and report pods, Services, endpoints and problems (exit 1 on errors)')
    .argument('<path...>', 'manifest files or folders')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)')
    .action((paths: string[], opts: Common) => {
      const a = simulate(paths, opts);
      if (opts.format === 'json') print(json(analysisJson(a)));
      else if (opts.format === 'sarif') print(json(analysisSarif(a, version)));
      else print(analysisText(a));
      if (a.diagnostics.some((d) => d.severity === 'error')) process.exitCode = 1;
    });

  program
    .command('dns')
    .description('resolve NAME as the source pod would (search list, ndots) and print the records')
    .argument('<args...>', 'PATH... NAME: manifest files or folders, then the name to resolve')
    .requiredOption('--from <source>', 'NAMESPACE/NAME of a workload or pod')
    .addOption(new Option('--type <type>', 'record type').choices(['A', 'AAAA', 'SRV', 'CNAME', 'PTR', 'TXT']).default('A'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--cluster <file>', 'cluster settings file')
    .action((args: string[], opts: Common & { from: string; type: 'A' }) => {
      if (args.length < 2) throw new UsageError('dns needs PATH... and a NAME to resolve (e.g. kube-netsim dns ./k8s --from shop/frontend backend)');
      const name = args[args.length - 1] as string;
      const a = simulate(args.slice(0, -1), opts);
      const found = findSource(a.cluster, opts.from);
      if (!found.ok) throw new UsageError(found.message);
      if (found.source.kind !== 'pod') throw new UsageError(`--from ${opts.from}: DNS is resolved from a pod; name a workload or pod (NAMESPACE/NAME)`);
      const result = a.dns.resolve(name, found.source.pod, opts.type);
      print(opts.format === 'json' ? json(dnsJson(result)) : dnsText(result, `${found.source.pod.namespace}/${found.source.pod.name}`));
    });

  return program;
}

/** Runs the CLI; user errors exit 2 with one line on stderr, never a stack trace. */
export function main(argv: string[]): void {
  const program = buildProgram();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        process.exitCode = 0;
        return;
      }
      process.stderr.write(`kube-netsim: ${err.message.replace(/^error: /, '')}\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`kube-netsim: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`kube-netsim: internal error: ${(err as Error).message}. This is a bug; please report it with the command and the manifests that caused it.\n`);
    if (process.env['KUBE_NETSIM_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 3;
  }
}

if (require.main === module) main(process.argv.slice(2));
