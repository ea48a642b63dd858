import * as vscode from 'vscode';
import { podId, serviceId, type Analysis, type ResolvedReferenceView, type SimPod, type SimService } from '../engine';
import type { Symbol, SymbolIndex } from './symbols';
import { toRange } from './convert';
import type { WorkspaceModel } from './workspaceModel';

/** Inline code that cannot be broken out of by manifest text. */
function code(text: string): string {
  const clean = text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ');
  return '`' + clean + '`';
}

function endpointsLines(svc: SimService, max = 6): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  svc.ports.forEach((p, i) => {
    for (const e of svc.endpointsByPort[i] ?? []) {
      const key = `${e.ip}:${e.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (lines.length < max) lines.push(`- ${code(key)} ${e.pod ? code(e.pod.split('/')[1] ?? e.pod) : ''}${e.node ? ` on ${code(e.node)}` : ''}${e.ready ? '' : ' (not ready)'}`);
    }
  });
  if (seen.size > max) lines.push(`- … and ${seen.size - max} more`);
  return lines;
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
  lines.push(`ClusterIP: ${svc.headless ? 'None: the name resolves to the pod IPs' : code(svc.clusterIPs.join(', ') || '?')}${svc.loadBalancerIP ? ` · load balancer ${code(svc.loadBalancerIP)}` : ''}`);
  const ports = svc.ports.map((p) => `${p.name ? p.name + ' ' : ''}${p.port}/${p.protocol} → ${p.targetPort}${p.nodePort ? ` (NodePort ${p.nodePort})` : ''}`);
  if (ports.length) lines.push(`Ports: ${ports.map(code).join(' · ')}`);
  const eps = endpointsLines(svc);
  lines.push('', eps.length ? `Endpoints (${new Set(svc.endpointsByPort.flat().map((e) => e.ip)).size} pods):` : '**No endpoints**: connections are refused.');
  lines.push(...eps);
  return lines;
}

function referenceHover(a: Analysis, r: ResolvedReferenceView): string[] {
  const from = r.pod ? `pod ${code(podId(r.pod))}` : `namespace ${code(r.namespace)}`;
  const lines = [`**${code(r.ref.host)}** from ${from}`, ''];
  if (r.dns.forwarded) {
    lines.push(`Outside ${code(a.cluster.settings.clusterDomain)}: CoreDNS forwards it upstream (not simulated).`);
    return lines;
  }
  if (r.dns.answers.length === 0) {
    lines.push(`$(error) **Does not resolve** (${r.dns.rcode}). Tried: ${r.dns.searched.map(code).join(', ')}`);
    return lines;
  }
  lines.push(`Resolves as ${code(r.dns.resolvedName ?? r.ref.host)} → ${r.dns.answers.map((x) => code(x.value)).join(', ')}`);
  if (r.service) lines.push('', ...serviceSummary(a, r.service));
  return lines;
}

function podsList(pods: SimPod[], max = 8): string[] {
  const lines = pods.slice(0, max).map((p) => `- ${code(p.name)} ${p.ip ? code(p.ip) : '(pending)'} on ${code(p.node ?? 'no node')}`);
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
      return [`**Port ${code(String(p.port))}/${p.protocol}** of ${code(serviceId(s.service))} → targetPort ${code(String(p.targetPort))}`, '', eps.length ? `${eps.length} endpoints:` : 'No endpoints for this port.', ...eps.slice(0, 6).map((e) => `- ${code(`${e.ip}:${e.port}`)}`)];
    }
    case 'serviceSelector': {
      const pods = a.cluster.pods.filter((p) => s.service.endpointsByPort.flat().some((e) => e.pod === podId(p)));
      return [`**Selects ${pods.length} pod${pods.length === 1 ? '' : 's'}** in ${code(s.service.namespace)}`, '', ...podsList(pods)];
    }
    case 'workload':
      return [`**${s.pods.length} pod${s.pods.length === 1 ? '' : 's'}**`, '', ...podsList(s.pods)];
    case 'containerPort': {
      const targeting = a.cluster.services.filter((svc) => svc.endpointsByPort.some((eps) => eps.some((e) => e.pod === podId(s.pod) && e.port === s.port)));
      return [`**containerPort ${s.port}/${s.protocol}**${s.name ? ` (${code(s.name)})` : ''}`, '', targeting.length ? `Targeted by: ${targeting.map((t) => code(serviceId(t))).join(', ')}` : 'No Service targets this port.'];
    }
  }
}

export class HoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly modelFor: (uri: vscode.Uri) => WorkspaceModel | undefined,
    private readonly indexFor: (model: WorkspaceModel) => SymbolIndex | undefined,
    private readonly log: vscode.OutputChannel,
  ) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    try {
      const model = this.modelFor(doc.uri);
      const analysis = model?.analysis;
      const index = model ? this.indexFor(model) : undefined;
      if (!model || !analysis || !index) return undefined;
      const s = index.at(model.relativePath(doc.uri), pos);
      if (!s) return undefined;
      const md = new vscode.MarkdownString(symbolHover(analysis, s).join('\n'), true);
      md.supportHtml = false;
      return new vscode.Hover(md, toRange(s.range));
    } catch (err) {
      this.log.appendLine(`[hover] ${(err as Error).stack ?? String(err)}`);
      return undefined;
    }
  }
}
