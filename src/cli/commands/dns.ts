import { Option, type Command } from 'commander';
import { findSource } from '../../engine';
import { addInputOptions, simulate, UsageError } from '../files';
import { dnsJson, dnsText } from '../dnsFormat';
import { json, print, type CommonOptions } from '../output';

export function registerDns(program: Command): void {
  addInputOptions(
    program
      .command('dns')
      .description('resolve NAME as the source pod would (search list, ndots) and print the records')
      .argument('<args...>', 'PATH... NAME: manifest files or folders, then the name to resolve')
      .requiredOption('--from <source>', 'NAMESPACE/NAME of a workload or pod')
      .addOption(new Option('--type <type>', 'record type').choices(['A', 'AAAA', 'SRV', 'CNAME', 'PTR', 'TXT']).default('A'))
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--cluster <file>', 'cluster settings file'),
  ).action((args: string[], opts: CommonOptions & { from: string; type: 'A' }) => {
    if (args.length < 2)
      throw new UsageError('dns needs PATH... and a NAME to resolve (e.g. kube-netsim dns ./k8s --from shop/frontend backend)');
    const name = args[args.length - 1] as string;
    const a = simulate(args.slice(0, -1), opts);
    const found = findSource(a.cluster, opts.from);
    if (!found.ok) throw new UsageError(found.message);
    if (found.source.kind !== 'pod')
      throw new UsageError(`--from ${opts.from}: DNS is resolved from a pod; name a workload or pod (NAMESPACE/NAME)`);
    const pod = found.source.pod;
    const result = a.dns.resolve(name, pod, opts.type);
    // A Pending pod (every pod of the source is) sends no query: the answer is what it would get once running.
    const pending =
      pod.pending === undefined
        ? undefined
        : `pod ${pod.namespace}/${pod.name} is Pending (${pod.pending}): it sends no query until it runs; this is the answer it would get then`;
    if (opts.format === 'json') print(json({ ...dnsJson(result), ...(pending ? { pending } : {}) }));
    else print(dnsText(result, `${pod.namespace}/${pod.name}`) + (pending ? `;; ${pending}\n` : ''));
  });
}
