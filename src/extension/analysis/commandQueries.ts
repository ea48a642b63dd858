// What the commands ask of a folder's simulation (trace, endpoints, kube-proxy rules, matrix,
// compare with HEAD), computed where the simulation lives (the analysis worker) and returned as
// plain data: the extension host only shows it.
import {
  analyzeWorkspace,
  connectivityList,
  diffConnectivity,
  findSource,
  isForwardTarget,
  parseTarget,
  nftablesRules,
  proxyFamilies,
  rulesByNode,
  serviceId,
  tracePacket,
  tracePortForward,
  traceJson,
  type Analysis,
  type ConnectivityDiff,
  type InputFile,
  type Protocol,
  type RulesMode,
  type TraceResult,
} from '../../engine';

export interface PickItem {
  label: string;
  description: string;
}

/** Sources a user can trace from (every workload, an external client, every node) and the known targets. */
export function tracePicks(a: Analysis): { sources: PickItem[]; targets: PickItem[] } {
  const workloads = new Map<string, string>();
  for (const p of a.cluster.pods) {
    if (p.origin.kind !== 'manifest') continue;
    workloads.set(`${p.workload.namespace}/${p.workload.kind}/${p.workload.name}`, `${p.workload.kind} · ${p.ip ?? 'pending'}`);
  }
  const sources: PickItem[] = [...workloads].sort().map(([label, description]) => ({ label, description }));
  sources.push({ label: 'external', description: `a client outside the cluster (${a.cluster.settings.externalClient})` });
  for (const n of a.cluster.nodes) sources.push({ label: `node/${n.name}`, description: n.ip });
  const targets: PickItem[] = [];
  for (const s of a.cluster.services) {
    if (s.origin.kind !== 'manifest') continue;
    for (const p of s.ports)
      targets.push({ label: `${s.name}.${s.namespace}:${p.port}`, description: `Service ${serviceId(s)} ${p.name ?? ''}` });
  }
  for (const ing of a.ingress.ingresses)
    for (const r of ing.rules)
      if (r.host) targets.push({ label: `http://${r.host}/`, description: `Ingress ${ing.namespace}/${ing.name}` });
  return { sources, targets };
}

/** What a trace through a Gateway may add (the CLI's --via, --method, --header). */
export interface HttpTraceOptions {
  via?: string | undefined;
  method?: string | undefined;
  headers?: Array<{ name: string; value: string }> | undefined;
}

/** Only the options that are set, checked as the CLI checks them: a bad value is left out, never thrown. */
export function httpOptions(o: HttpTraceOptions): { via?: string; method?: string; headers?: Array<{ name: string; value: string }> } {
  return {
    ...(typeof o.via === 'string' && /^[^/\s]+\/[^/\s]+$/.test(o.via) ? { via: o.via } : {}),
    ...(typeof o.method === 'string' && /^[A-Za-z]+$/.test(o.method) ? { method: o.method.toUpperCase() } : {}),
    ...(Array.isArray(o.headers)
      ? {
          headers: o.headers
            .filter((h) => typeof h?.name === 'string' && typeof h.value === 'string')
            .map((h) => ({ name: h.name, value: h.value })),
        }
      : {}),
  };
}

/** A packet trace: the result (for the text view) and the contract JSON the command returns. */
export function trace(
  a: Analysis,
  from: string,
  to: string,
  protocol: Protocol,
  options: HttpTraceOptions = {},
): { ok: true; result: TraceResult; json: unknown } | { ok: false; message: string } {
  // `local` is the machine kubectl port-forward runs on: the trace goes through the API server and the kubelet.
  if (from === 'local' || isForwardTarget(to)) {
    if (from !== 'local') return { ok: false, message: `${to} is a port-forward target; trace it from local` };
    const result = tracePortForward(a, to);
    return { ok: true, result: JSON.parse(JSON.stringify(result)) as TraceResult, json: traceJson(result) };
  }
  const source = findSource(a.cluster, from);
  if (!source.ok) return { ok: false, message: source.message };
  const target = parseTarget(to);
  if (!target.ok) return { ok: false, message: target.message };
  const result = tracePacket(a, source.source, target.target, protocol, httpOptions(options));
  // Through JSON: only data crosses to the extension host (verdict reasons are computed on read).
  return { ok: true, result: JSON.parse(JSON.stringify(result)) as TraceResult, json: traceJson(result) };
}

/** A Service's endpoints, one row per port and endpoint. */
export function endpoints(a: Analysis, service: string): { service: string; rows: PickItem[] } | undefined {
  const svc = a.cluster.services.find((s) => serviceId(s) === service);
  if (!svc) return undefined;
  const rows = svc.ports.flatMap((p, i) =>
    (svc.endpointsByPort[i] ?? []).map((e) => ({
      label: `${e.ip}:${e.port}`,
      description: `${p.name ?? p.port}  ${e.pod}  ${e.node ?? ''}`.trim(),
    })),
  );
  return { service: serviceId(svc), rows };
}

export function kubeProxyMode(a: Analysis): RulesMode {
  return a.cluster.settings.kubeProxyMode;
}

/** The Services one can ask the rules of. */
export function ruleServices(a: Analysis): { mode: RulesMode; services: PickItem[] } {
  return {
    mode: kubeProxyMode(a),
    services: a.cluster.services
      .filter((s) => s.origin.kind === 'manifest')
      .map((s) => ({ label: serviceId(s), description: s.clusterIP ?? '' })),
  };
}

/** kube-proxy's rules per node, for every Service or only the lines of one (kube-proxy comments each rule with it). */
export function rules(a: Analysis, service: string, node: string | undefined): { mode: RulesMode; text: string } {
  const mode = kubeProxyMode(a);
  const svc = service ? a.cluster.services.find((s) => serviceId(s) === service) : undefined;
  if (mode === 'nftables') {
    // nft tables nest, so a Service's part is cut by block: its own chains and sets, its map elements.
    const nodes = a.cluster.nodes.filter((n) => node === undefined || n.name === node);
    return {
      mode,
      text: nodes
        .map((n) => `# kube-proxy (nftables mode) on ${n.name}\n${nftablesRules(a.cluster, n.name, proxyFamilies(a.cluster), svc)}`)
        .join('\n'),
    };
  }
  const groups = rulesByNode(a.cluster, mode, node);
  const keep = (line: string) =>
    !svc ||
    line.startsWith('*') ||
    line.startsWith('COMMIT') ||
    line.startsWith(':KUBE-SERVICES') ||
    line.includes(`${svc.namespace}/${svc.name}`) ||
    (svc.clusterIP !== undefined && line.includes(svc.clusterIP));
  return {
    mode,
    text: groups
      .map((g) => `# kube-proxy (${mode} mode) on ${g.nodes.join(', ')}\n${g.text.split('\n').filter(keep).join('\n')}`)
      .join('\n\n'),
  };
}

/** The allowed workload pairs, one line each in the CLI's format. */
export function matrix(a: Analysis): string {
  return connectivityList(a.policies, { gateways: a.gateway })
    .entries.map((e) => `${e.src} => ${e.dst} : ${e.conn.toString()}`)
    .join('\n');
}

/** The files the simulation read (objects and diagnostics), for reading their HEAD versions. */
export function simulatedFiles(a: Analysis): string[] {
  return [...new Set([...a.cluster.objects.map((o) => o.file), ...a.diagnostics.map((d) => d.range.file)])].sort();
}

/** The connections a change opens and closes, one `+`/`-` line each in the matrix's format. */
export function diffReport(d: ConnectivityDiff, title: string): string {
  const lines = [title, ''];
  lines.push(...d.opened.map((e) => `+ ${e.src} => ${e.dst} : ${e.conn.toString()}`));
  lines.push(...d.closed.map((e) => `- ${e.src} => ${e.dst} : ${e.conn.toString()}`));
  lines.push(
    d.opened.length + d.closed.length === 0 ? 'No change in connectivity.' : `${d.opened.length} opened, ${d.closed.length} closed.`,
  );
  return lines.join('\n') + '\n';
}

/** Simulates `old` (the last commit's texts) with the same settings and reports what the current texts open and close. */
export function compareWith(a: Analysis, old: InputFile[], title: string): string {
  const before = analyzeWorkspace(old, { settings: a.cluster.settings });
  return diffReport(
    diffConnectivity(
      connectivityList(before.policies, { gateways: before.gateway }),
      connectivityList(a.policies, { gateways: a.gateway }),
    ),
    title,
  );
}

/** What a port-forward can name: every port of every Service of the manifests, as kubectl writes it. */
export function forwardPicks(a: Analysis): PickItem[] {
  return a.cluster.services
    .filter((s) => s.origin.kind === 'manifest' && s.type !== 'ExternalName')
    .flatMap((s) =>
      s.ports
        .filter((p) => p.protocol === 'TCP')
        .map((p) => ({ label: `svc/${s.name}.${s.namespace}:${p.port}`, description: `Service ${serviceId(s)} ${p.name ?? ''}`.trim() })),
    );
}
