import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './files';
import { COMMANDS } from './commands';
import { version } from '../../package.json';

export function buildProgram(): Command {
  const program = new Command('kube-netsim')
    .description('Simulate a Kubernetes cluster network from manifests: DNS, Services, kube-proxy, NetworkPolicy, Ingress, CNI.')
    .version(version)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) });

  for (const register of COMMANDS) register(program);
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
      // With no command, commander "shows help" on the (silenced) error stream and reports "(outputHelp)": say what is missing instead.
      const message = err.code === 'commander.help' ? `no command given; use one of ${program.commands.map((c) => c.name()).join(', ')} (kube-netsim --help lists them)` : err.message.replace(/^error: /, '');
      process.stderr.write(`kube-netsim: ${message}\n`);
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
