import { Command, CommanderError } from 'commander';
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

/**
 * One line for an internal error, with what a bug report needs: versions, the command, and where
 * it happened (the first frame of our own code). The stack itself only with KUBE_NETSIM_DEBUG=1.
 */
export function internalErrorLine(err: unknown, argv: string[]): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const frame = (e.stack ?? '')
    .split('\n')
    .slice(1)
    .map((l) => /\(?([^()\s]+:\d+:\d+)\)?$/.exec(l.trim())?.[1])
    .find((f) => f !== undefined && !f.startsWith('node:'));
  const where = frame ? ` at ${frame.replace(/^.*[\\/]/, '')}` : '';
  const command = argv.find((a) => !a.startsWith('-')) ?? '(none)';
  return `kube-netsim: internal error: ${e.name}: ${e.message.split('\n')[0]}${where} (kube-netsim ${version}, node ${process.version}, command ${command}). This is a bug: please report it with the command line and the manifests that caused it; KUBE_NETSIM_DEBUG=1 prints the stack.\n`;
}

/** Runs the CLI; user errors exit 2 with one line on stderr, never a stack trace. */
export function main(argv: string[]): void {
  // A reader that stops early (`| head`) closes the pipe: that ends the output, it is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`kube-netsim: cannot write the output (${err.code ?? err.message})\n`);
    process.exit(2);
  });
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
      const message =
        err.code === 'commander.help'
          ? `no command given; use one of ${program.commands.map((c) => c.name()).join(', ')} (kube-netsim --help lists them)`
          : err.message.replace(/^error: /, '');
      process.stderr.write(`kube-netsim: ${message}\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`kube-netsim: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return; // the reader went away mid-write
    process.stderr.write(internalErrorLine(err, argv));
    if (process.env['KUBE_NETSIM_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 3;
  }
}

if (require.main === module) main(process.argv.slice(2));
