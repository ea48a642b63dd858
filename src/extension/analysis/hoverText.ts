// Runs in the analysis worker (no vscode here): the Markdown lines a hover shows for what sits at a position.
import { podId, serviceId, type Analysis, type ResolvedReferenceView, type SimPod, type SimService, type SourceRange } from '../../engine';
import { rangeContains, type Position, type Symbol, type SymbolIndex } from './symbols';
import { code } from './markdown';
import { adminPolicyHover, adminRuleHover, hostNetworkLines } from './adminHover';

function endpointsLines(svc: SimService, max = 6): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  svc.ports.forEach((p, i) => {
    for (const e of svc.endpointsByPort[i] ?? []) {
      const key = `${e.ip}:${e.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (lines.length < max)
        lines.push(
          `- ${code(key)} ${e.pod ? code(e.pod.split('/')[1] ?? e.pod) : ''}${e.node ? ` on ${code(e.node)}` : ''}${e.zone ? ` (zone ${code(e.zone)})` : ''}${e.ready ? '' : e.terminating ? ((e.serving ?? false) ? ' (terminating, still serving)' : ' (terminating)') : ' (not ready)'}`,
        );
    }
  });
  if (seen.size > max) lines.push(`- … and ${seen.size - max} more`);
  return lines;
}

/** How kube-proxy treats the Service's traffic, where a field changes it (one line each). */
function trafficLines(a: Analysis, svc: SimService): string[] {
  const out: string[] = [];
  const mode = a.cluster.settings.cni === 'cilium' ? 'Cilium eBPF' : `kube-proxy ${a.cluster.settings.kubeProxyMode}`;
  const hints = svc.topologyModeAuto ? svc.topologyHints : undefined;
  if (svc.topologyModeAuto && hints)
    out.push(
      hints.enabled
        ? `Topology Aware Routing (${code(svc.topologyModeAuto.annotation)}): the EndpointSlice controller hints endpoints by zone in proportion to allocatable CPU: ${hints.zones.map((z) => `${code(z.zone)} ${Math.round(z.cpuRatio * 100)}% → ${z.hinted} endpoint${z.hinted === 1 ? '' : 's'}`).join(', ')}${hints.cpuAssumed ? ' (no node gives its allocatable CPU, so every node counts alike)' : ''}; ${mode} keeps the client zone's.${svc.trafficDistribution ? ` It takes precedence over ${code(`trafficDistribution: ${svc.trafficDistribution}`)}.` : ''}`
        : `Topology Aware Routing (${code(svc.topologyModeAuto.annotation)}): no hints, the controller's safeguards removed them: ${hints.reason}; ${mode} sends to every zone.`,
    );
  else if (svc.trafficDistribution)
    out.push(
      `Traffic distribution ${code(svc.trafficDistribution)}: ${mode} keeps the endpoints hinted for the client node's ${svc.trafficDistribution === 'PreferSameNode' ? 'node (else zone)' : 'zone'} (${code('topology.kubernetes.io/zone')}), and all of them when a ready endpoint has no hint or none is hinted there.`,
    );
  if (svc.internalTrafficPolicy === 'Local')
    out.push(
      `${code('internalTrafficPolicy: Local')}: pods reach only endpoints on their own node; on a node without one the packet is dropped.`,
    );
  if (svc.externalTrafficPolicy === 'Local' && (svc.type === 'LoadBalancer' || svc.type === 'NodePort'))
    out.push(
      `${code('externalTrafficPolicy: Local')}: the client IP is kept; nodes without an endpoint drop outside traffic${svc.healthCheckNodePort !== undefined ? `, and fail the load balancer's health check on ${code(`healthCheckNodePort ${svc.healthCheckNodePort}`)}` : ''}.`,
    );
  if (svc.loadBalancerSourceRanges?.length)
    out.push(
      `Load balancer admits only ${svc.loadBalancerSourceRanges.map(code).join(', ')} (loadBalancerSourceRanges); other clients are dropped.`,
    );
  if (svc.sessionAffinity === 'ClientIP')
    out.push(
      `${code('sessionAffinity: ClientIP')}: a client sticks to its endpoint for ${svc.sessionAffinityTimeoutSeconds}s after its last connection.`,
    );
  return out;
}

function serviceSummary(a: Analysis, svc: SimService): string[] {
  const zone = a.cluster.settings.clusterDomain;
  const fqdn = `${svc.name}.${svc.namespace}.svc.${zone}`;
  const lines = [`**Service ${code(serviceId(svc))}** · ${svc.type}${svc.headless ? ' (headless)' : ''}`, ''];
  if (svc.type === 'ExternalName') {
    lines.push(`DNS: ${code(fqdn)} is a CNAME for ${code(svc.externalName ?? '?')}`);
    return lines;
  }
  lines.push(`DNS: ${code(svc.name)} (same namespace) · ${code(`${svc.name}.${svc.namespace}`)} · ${code(fqdn)}`);
  lines.push(
    `ClusterIP: ${svc.headless ? 'None: the name resolves to the pod IPs' : code(svc.clusterIPs.join(', ') || '?')}${svc.loadBalancerIP ? ` · load balancer ${code(svc.loadBalancerIP)}` : ''}`,
  );
  const ports = svc.ports.map(
    (p) => `${p.name ? p.name + ' ' : ''}${p.port}/${p.protocol} → ${p.targetPort}${p.nodePort ? ` (NodePort ${p.nodePort})` : ''}`,
  );
  if (ports.length) lines.push(`Ports: ${ports.map(code).join(' · ')}`);
  lines.push(...trafficLines(a, svc));
  const eps = endpointsLines(svc);
  lines.push(
    '',
    eps.length
      ? `Endpoints (${new Set(svc.endpointsByPort.flat().map((e) => e.ip)).size} pods):`
      : '**No endpoints**: connections are refused.',
  );
  lines.push(...eps);
  if (svc.origin.kind === 'manifest') {
    const args = encodeURIComponent(JSON.stringify([{ service: serviceId(svc) }]));
    lines.push(
      '',
      `[Troubleshoot this Service](command:kubeNetsim.troubleshoot?${args} "Walk the checks: exists, labels, endpoints, DNS, connection")`,
    );
  }
  return lines;
}

function referenceHover(a: Analysis, r: ResolvedReferenceView): string[] {
  const from = r.pod ? `pod ${code(podId(r.pod))}` : `namespace ${code(r.namespace)}`;
  const lines = [`**${code(r.ref.host)}** from ${from}`, ''];
  if (r.dns.forwarded) {
    lines.push(`$(question) **Answered upstream, unknown here.** ${r.dns.explanation}`);
    return lines;
  }
  if (r.dns.answers.length === 0) {
    lines.push(`$(error) **Does not resolve** (${r.dns.rcode}). Tried: ${r.dns.searched.map(code).join(', ')}`);
    const ns = r.dns.unknownNamespace;
    if (ns)
      lines.push(
        '',
        `No namespace ${code(ns.namespace)} in the cluster${ns.suggestion ? `: did you mean ${code(`${ns.service}.${ns.suggestion}`)}?` : '.'}`,
      );
    return lines;
  }
  if (r.dns.answeredBy === 'hosts')
    lines.push(
      `From the pod's ${code('/etc/hosts')} (hostAliases), before any DNS query: ${r.dns.answers.map((x) => code(x.value)).join(', ')}`,
    );
  else lines.push(`Resolves as ${code(r.dns.resolvedName ?? r.ref.host)} → ${r.dns.answers.map((x) => code(x.value)).join(', ')}`);
  if (r.service) lines.push('', ...serviceSummary(a, r.service));
  const verdict = policyLine(a, r);
  if (verdict) lines.push('', verdict);
  return lines;
}

/** Whether NetworkPolicy lets the referring pod reach the name's first endpoint on the port. */
function policyLine(a: Analysis, r: ResolvedReferenceView): string | undefined {
  if (!r.pod || !r.service || r.ref.port === undefined) return undefined;
  const i = r.service.ports.findIndex((p) => p.port === r.ref.port);
  const ep = (r.service.endpointsByPort[i] ?? [])[0];
  const dst = ep ? a.cluster.pods.find((p) => podId(p) === ep.pod) : undefined;
  if (!ep || !dst) return undefined;
  const v = a.policies.verdict({ kind: 'pod', pod: r.pod }, { kind: 'pod', pod: dst }, ep.port, r.service.ports[i]?.protocol ?? 'TCP');
  return v.allowed ? `$(pass) Policy: allowed — ${v.reason}` : `$(error) **Policy: dropped** — ${v.reason}`;
}

function podsList(pods: SimPod[], max = 8): string[] {
  const lines = pods
    .slice(0, max)
    .map((p) =>
      p.pending !== undefined
        ? `- ${code(p.name)} **Pending**: ${p.pending}`
        : `- ${code(p.name)} ${p.ip ? code(p.ip) : '(no address)'} on ${code(p.node ?? 'a node the input does not describe')}`,
    );
  const pending = pods.filter((p) => p.pending !== undefined).length;
  if (pending > 0 && pods.length > max) lines.push(`- ${pending} of the ${pods.length} are Pending`);
  if (pods.length > max) lines.push(`- … and ${pods.length - max} more`);
  return lines;
}

export function symbolHover(a: Analysis, s: Symbol): string[] {
  switch (s.kind) {
    case 'reference':
      return referenceHover(a, s.reference);
    case 'service':
      return serviceSummary(a, s.service);
    case 'servicePort': {
      const p = s.service.ports[s.portIndex];
      if (!p) return [];
      const eps = s.service.endpointsByPort[s.portIndex] ?? [];
      return [
        `**Port ${code(String(p.port))}/${p.protocol}** of ${code(serviceId(s.service))} → targetPort ${code(String(p.targetPort))}`,
        '',
        eps.length ? `${eps.length} endpoints:` : 'No endpoints for this port.',
        ...eps.slice(0, 6).map((e) => `- ${code(`${e.ip}:${e.port}`)}`),
      ];
    }
    case 'serviceSelector': {
      const pods = a.cluster.pods.filter((p) => s.service.endpointsByPort.flat().some((e) => e.pod === podId(p)));
      return [`**Selects ${pods.length} pod${pods.length === 1 ? '' : 's'}** in ${code(s.service.namespace)}`, '', ...podsList(pods)];
    }
    case 'workload': {
      const first = s.pods[0];
      // Why the count is what it is, when an autoscaler bounds it (spec.replicas alone would mislead).
      const scaled = first
        ? a.cluster.replicaDecisions.find(
            (d) =>
              d.workload.namespace === first.namespace &&
              d.workload.kind === first.workload.kind &&
              d.workload.name === first.workload.name,
          )
        : undefined;
      return [
        `**${s.pods.length} pod${s.pods.length === 1 ? '' : 's'}**`,
        ...(scaled ? ['', scaled.reason] : []),
        '',
        ...podsList(s.pods),
        ...hostNetworkLines(a, s.pods),
      ];
    }
    case 'autoscaler': {
      const d = s.decision;
      const pods = a.cluster.pods.filter(
        (p) => p.namespace === d.workload.namespace && p.workload.kind === d.workload.kind && p.workload.name === d.workload.name,
      );
      return [
        `**${d.workload.kind} ${code(`${d.workload.namespace}/${d.workload.name}`)} runs ${d.replicas} pod${d.replicas === 1 ? '' : 's'}**`,
        '',
        d.reason,
        '',
        ...podsList(pods),
      ];
    }
    case 'adminPolicy':
      return adminPolicyHover(a, s.policy, s.subjects);
    case 'adminRule':
      return adminRuleHover(a, s.policy, s.direction, s.ruleIndex, s.subjects);
    case 'policy': {
      const p = s.policy;
      const dirs = (['ingress', 'egress'] as const).filter((d) => p.affects[d]);
      const lines = [
        `**NetworkPolicy ${code(`${p.namespace}/${p.name}`)}** isolates ${s.isolated.length} pod${s.isolated.length === 1 ? '' : 's'} for ${dirs.join(' and ') || 'nothing'}`,
        '',
      ];
      lines.push(...podsList(s.isolated));
      for (const d of dirs) {
        const rules = p.rules[d];
        lines.push(
          '',
          rules.length
            ? `${d === 'ingress' ? 'Admits from' : 'Allows to'}: ${rules.length} rule${rules.length === 1 ? '' : 's'}`
            : `${d === 'ingress' ? 'Admits no ingress' : 'Allows no egress'} (deny all, unless another policy allows)`,
        );
      }
      return lines;
    }
    case 'gateway':
    case 'ingress':
    case 'cniPolicy':
      return [...s.lines];
    case 'ingressPath': {
      const rule = s.ingress.rules[s.ruleIndex];
      const p = rule?.paths[s.pathIndex];
      if (!rule || !p) return [];
      const host = rule.host ?? '*';
      const svc = p.backend.service ? `${p.backend.service.name}:${String(p.backend.service.port ?? '?')}` : (p.backend.resource ?? '?');
      const base = p.path.replace(/\/$/, '');
      const matches = p.pathType === 'Exact' ? [p.path] : [p.path || '/', `${base}/anything`];
      const misses = p.pathType === 'Exact' ? [`${p.path}/`, `${base}x`] : base ? [`${base}x`, `${base.slice(0, -1) || '/x'}`] : [];
      const lines = [`**${code(host + (p.path || '/'))}** (${p.pathType}) → Service ${code(svc)}`, ''];
      lines.push(`Matches: ${matches.map((m) => code(`${host}${m}`)).join(', ')}`);
      if (misses.length) lines.push(`Does not match: ${misses.map((m) => code(`${host}${m}`)).join(', ')}`);
      return lines;
    }
    case 'containerPort': {
      const targeting = a.cluster.services.filter((svc) =>
        svc.endpointsByPort.some((eps) => eps.some((e) => e.pod === podId(s.pod) && e.port === s.port)),
      );
      return [
        `**containerPort ${s.port}/${s.protocol}**${s.name ? ` (${code(s.name)})` : ''}`,
        '',
        targeting.length ? `Targeted by: ${targeting.map((t) => code(serviceId(t))).join(', ')}` : 'No Service targets this port.',
      ];
    }
  }
}

/** A hover's Markdown lines and the range it covers (the symbol's), or undefined when nothing is there. */
export function hoverAt(
  a: Analysis,
  index: SymbolIndex,
  file: string,
  pos: Position,
): { lines: string[]; range: SourceRange | undefined } | undefined {
  const s = index.at(file, pos);
  // The diagnostics' own text is shown by VS Code; add how to check each on a live cluster.
  const verify = [
    ...new Set(
      a.diagnostics.filter((d) => d.verify && d.range.file === file && rangeContains(d.range, pos)).flatMap((d) => d.verify ?? []),
    ),
  ];
  if (!s && verify.length === 0) return undefined;
  const lines = s ? symbolHover(a, s) : [];
  if (verify.length > 0) lines.push(...(lines.length ? [''] : []), '**Verify on a live cluster:**', ...verify.map((c) => `- ${code(c)}`));
  return { lines, range: s?.range };
}
