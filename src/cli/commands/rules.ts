import { Option, type Command } from 'commander';
import { rulesByNode, type RulesMode } from '../../engine';
import { addInputOptions, simulate, UsageError } from '../files';
import { print } from '../output';

export function registerRules(program: Command): void {
  addInputOptions(
    program
      .command('rules')
      .description(
        'print what kube-proxy programs on each node: iptables-save form, ipvsadm -Ln with its ipset/iptables glue, or nft list ruleset',
      )
      .argument('<path...>', 'manifest files or folders')
      .addOption(new Option('--mode <mode>', 'kube-proxy mode (default: the cluster setting)').choices(['iptables', 'ipvs', 'nftables']))
      .option('--node <name>', 'only this node')
      .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)'),
  ).action((paths: string[], opts: { mode?: RulesMode; node?: string; cluster?: string; maxFileBytes?: number }) => {
    const a = simulate(paths, opts);
    const { settings, nodes } = a.cluster;
    if (opts.node !== undefined && !nodes.some((n) => n.name === opts.node)) {
      throw new UsageError(`--node ${opts.node}: no such node (nodes: ${nodes.map((n) => n.name).join(', ')})`);
    }
    const mode: RulesMode = opts.mode ?? settings.kubeProxyMode;
    const out: string[] = [];
    if (settings.cni === 'cilium')
      out.push(
        '# cni cilium replaces kube-proxy with eBPF (socket-level load balancing); these are the rules kube-proxy would program without it',
        '',
      );
    for (const group of rulesByNode(a.cluster, mode, opts.node)) {
      out.push(`# kube-proxy (${mode} mode) on ${group.nodes.join(', ')}`, group.text);
    }
    print(out.join('\n'));
  });
}
