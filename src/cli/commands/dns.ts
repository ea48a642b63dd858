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
    const result = a.dns.resolve(name, found.source.pod, opts.type);
    print(opts.format === 'json' ? json(dnsJson(result)) : dnsText(result, `${found.source.pod.namespace}/${found.source.pod.name}`));
  });
}
