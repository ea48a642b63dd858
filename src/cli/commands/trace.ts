import { Option, type Command } from 'commander';
import {
  findSource,
  isForwardTarget,
  parseForwardTarget,
  parseTarget,
  tracePacket,
  tracePortForward,
  traceJson,
  type Protocol,
} from '../../engine';
import { addInputOptions, simulate, UsageError } from '../files';
import { traceText } from '../traceFormat';
import { forwardText } from '../forwardFormat';
import { json, print, type CommonOptions } from '../output';

export function registerTrace(program: Command): void {
  addInputOptions(
    program
      .command('trace')
      .description(
        'walk one connection hop by hop: DNS, kube-proxy, NodePort/LoadBalancer, Ingress, Gateway, NetworkPolicy, CNI, and the reply',
      )
      .argument('<path...>', 'manifest files or folders')
      .requiredOption(
        '--from <source>',
        'NAMESPACE/NAME, NAMESPACE/KIND/NAME, external, external:IP, node/NAME, or local (kubectl port-forward)',
      )
      .requiredOption(
        '--to <target>',
        'a URL (http://backend:8080/api), grpc://HOST/SERVICE/METHOD, tls://HOST:PORT, HOST:PORT or IP:PORT; from local: svc/NAME[.NS]:PORT, pod/NS/NAME:PORT or deploy/NS/NAME:PORT',
      )
      .addOption(new Option('--protocol <protocol>', 'transport protocol').choices(['TCP', 'UDP', 'SCTP']).default('TCP'))
      .option('--method <method>', 'HTTP method of the request (default GET; POST for grpc://)')
      .option('--header <header>', "a request header 'NAME: VALUE' (repeatable); 'Host: NAME' sets the Host the routes match", collect, [])
      .option(
        '--response-header <header>',
        "a header 'NAME: VALUE' the backend answers with (repeatable), for response filters",
        collect,
        [],
      )
      .option('--via <gateway>', 'NAMESPACE/NAME of the Gateway to enter by, whatever the host resolves to')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--cluster <file>', 'cluster settings file (default: kube-netsim.yaml at the workspace root)'),
  ).action((paths: string[], opts: TraceCliOptions) => {
    if (opts.from === 'local' || isForwardTarget(opts.to)) return portForward(paths, opts);
    const target = parseTarget(opts.to);
    if (!target.ok) throw new UsageError(`--to ${target.message}`);
    const headers = opts.header.map(parseHeader);
    if (opts.method !== undefined && !/^[A-Za-z]+$/.test(opts.method)) throw new UsageError(`--method ${opts.method}: not an HTTP method`);
    if (opts.via !== undefined && !/^[^/\s]+\/[^/\s]+$/.test(opts.via))
      throw new UsageError(`--via ${opts.via}: a Gateway is NAMESPACE/NAME`);
    const a = simulate(paths, opts);
    const found = findSource(a.cluster, opts.from);
    if (!found.ok) throw new UsageError(`--from ${found.message}`);
    const result = tracePacket(a, found.source, target.target, opts.protocol, {
      headers,
      responseHeaders: opts.responseHeader.map(parseHeader),
      ...(opts.method !== undefined ? { method: opts.method.toUpperCase() } : {}),
      ...(opts.via !== undefined ? { via: opts.via } : {}),
    });
    print(opts.format === 'json' ? json(traceJson(result)) : traceText(result));
  });
}

type TraceCliOptions = CommonOptions & {
  from: string;
  to: string;
  protocol: Protocol;
  method?: string;
  header: string[];
  responseHeader: string[];
  via?: string;
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `NAME: VALUE` as curl's -H takes it. */
export function parseHeader(text: string): { name: string; value: string } {
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(text);
  if (!m) throw new UsageError(`--header ${text}: a header is 'NAME: VALUE'`);
  return { name: m[1] as string, value: (m[2] as string).trim() };
}

/** `--from local --to svc/…`: kubectl port-forward, traced (the protocol is TCP: port-forward carries nothing else). */
function portForward(paths: string[], opts: TraceCliOptions): void {
  if (opts.from !== 'local')
    throw new UsageError(
      `--to ${opts.to} is a port-forward target; trace it with --from local (kubectl port-forward runs on your machine)`,
    );
  const target = parseForwardTarget(opts.to);
  if (!target.ok) throw new UsageError(`--to ${target.message}`);
  if (opts.protocol !== 'TCP') throw new UsageError('--protocol: kubectl port-forward carries TCP only');
  const a = simulate(paths, opts);
  const result = tracePortForward(a, target.target);
  print(opts.format === 'json' ? json(traceJson(result)) : traceText(result) + forwardText(result));
}
