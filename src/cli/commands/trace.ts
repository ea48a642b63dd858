import { Option, type Command } from 'commander';
import { findSource, parseTarget, tracePacket, traceJson, type Protocol } from '../../engine';
import { addInputOptions, simulate, UsageError } from '../files';
import { traceText } from '../traceFormat';
import { json, print, type CommonOptions } from '../output';

export function registerTrace(program: Command): void {
  addInputOptions(
    program
      .command('trace')
      .description('walk one connection hop by hop: DNS, kube-proxy, NodePort/LoadBalancer, Ingress, NetworkPolicy, CNI, and the reply')
      .argument('<path...>', 'manifest files or folders')
      .requiredOption('--from <source>', 'NAMESPACE/NAME, NAMESPACE/KIND/NAME, external, external:IP or node/NAME')
      .requiredOption('--to <target>', 'a URL (http://backend:8080/api), HOST:PORT or IP:PORT')
      .addOption(new Option('--protocol <protocol>', 'transport protocol').choices(['TCP', 'UDP', 'SCTP']).default('TCP'))
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)'),
  ).action((paths: string[], opts: CommonOptions & { from: string; to: string; protocol: Protocol }) => {
    const target = parseTarget(opts.to);
    if (!target.ok) throw new UsageError(`--to ${target.message}`);
    const a = simulate(paths, opts);
    const found = findSource(a.cluster, opts.from);
    if (!found.ok) throw new UsageError(`--from ${found.message}`);
    const result = tracePacket(a, found.source, target.target, opts.protocol);
    print(opts.format === 'json' ? json(traceJson(result)) : traceText(result));
  });
}
