import * as vscode from 'vscode';
import { connectivityList, findSource, parseTarget, renderHop, rulesByNode, serviceId, tracePacket, traceJson, type Analysis, type Protocol, type SourceRange, type TraceResult } from '../engine';
import type { Context } from './extension';
import type { CommandSpec } from './commands';
import type { TraceRequest } from './codeLens';
import { showTraceInTopology } from './topologyCommands';
import type { WorkspaceModel } from './workspaceModel';

function modelFor(ctx: Context, folder: string | undefined): WorkspaceModel | undefined {
  return (folder ? ctx.models.get(folder) : undefined) ?? ctx.activeModel();
}

/** Sources a user can trace from: every workload of the manifests, an external client, every node. */
async function pickSource(a: Analysis): Promise<string | undefined> {
  const workloads = new Map<string, string>();
  for (const p of a.cluster.pods) {
    if (p.origin.kind !== 'manifest') continue;
    workloads.set(`${p.workload.namespace}/${p.workload.kind}/${p.workload.name}`, `${p.workload.kind} · ${p.ip ?? 'pending'}`);
  }
  const items: vscode.QuickPickItem[] = [...workloads].sort().map(([label, description]) => ({ label, description }));
  items.push({ label: 'external', description: `a client outside the cluster (${a.cluster.settings.externalClient})` });
  for (const n of a.cluster.nodes) items.push({ label: `node/${n.name}`, description: n.ip });
  return (await vscode.window.showQuickPick(items, { title: 'Trace packet: from where?', placeHolder: 'a workload, external, or a node' }))?.label;
}

/** Targets: every Service port and Ingress host, or anything typed (a URL, HOST:PORT, IP:PORT). */
async function pickTarget(a: Analysis): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick();
  qp.title = 'Trace packet: to where?';
  qp.placeholder = 'http://backend:8080/api, HOST:PORT or IP:PORT';
  const fixed: vscode.QuickPickItem[] = [];
  for (const s of a.cluster.services) {
    if (s.origin.kind !== 'manifest') continue;
    for (const p of s.ports) fixed.push({ label: `${s.name}.${s.namespace}:${p.port}`, description: `Service ${serviceId(s)} ${p.name ?? ''}` });
  }
  for (const ing of a.ingress.ingresses) for (const r of ing.rules) if (r.host) fixed.push({ label: `http://${r.host}/`, description: `Ingress ${ing.namespace}/${ing.name}` });
  qp.items = fixed;
  qp.onDidChangeValue((v) => {
    qp.items = v && !fixed.some((i) => i.label === v) ? [{ label: v, description: 'as typed' }, ...fixed] : fixed;
  });
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.label ?? qp.value);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

let traceChannel: vscode.OutputChannel | undefined;

function where(model: WorkspaceModel, range: SourceRange | undefined): string {
  if (!range) return '';
  const uri = model.uriOf(range.file);
  // Output channels link `path:line:column`, so every hop leads to its manifest line.
  return `  (${uri ? uri.fsPath : range.file}:${range.line}:${range.column})`;
}

/** The trace as text: verdict, hops in order with their manifest lines, candidates, the reply. */
export function traceLines(model: WorkspaceModel, r: TraceResult): string[] {
  const lines = [`${r.source.name} → ${r.target.text} (${r.protocol}): ${r.verdict.toUpperCase()} — ${r.reason}`, ''];
  r.hops.forEach((h, i) => {
    const x = renderHop(h);
    lines.push(`${String(i + 1).padStart(2)}. ${x.step.padEnd(18)} ${(x.node ?? '').padEnd(8)} ${x.detail}${where(model, x.range)}`);
  });
  if (r.candidates.length > 1) {
    lines.push('', 'Candidates:');
    for (const c of r.candidates) lines.push(`    ${c.chosen ? '*' : ' '} ${c.pod} ${c.ip}:${c.port} on ${c.node ?? '?'} — ${(c.weight * 100).toFixed(1)}%`);
  }
  if (r.sourceIPAtDestination) lines.push('', `The destination sees the source address ${r.sourceIPAtDestination}.`);
  if (r.reply.length) {
    lines.push('', 'Reply:');
    r.reply.forEach((h) => {
      const x = renderHop(h);
      lines.push(`    ${x.step.padEnd(18)} ${(x.node ?? '').padEnd(8)} ${x.detail}`);
    });
  }
  return lines;
}

export const TRACE_COMMANDS: CommandSpec[] = [
  {
    id: 'kubeNetsim.tracePacket',
    handler: async (ctx: Context, req?: TraceRequest) => {
      const model = modelFor(ctx, req?.folder);
      const a = await model?.simulationNow();
      if (!model || !a) {
        void vscode.window.showWarningMessage('kube-netsim: open a folder with Kubernetes manifests to trace a packet.');
        return undefined;
      }
      const from = req?.from ?? (await pickSource(a));
      if (!from) return undefined;
      const to = req?.to ?? (await pickTarget(a));
      if (!to) return undefined;
      const protocol: Protocol = req?.protocol ?? 'TCP';
      const source = findSource(a.cluster, from);
      if (!source.ok) throw new Error(source.message);
      const target = parseTarget(to);
      if (!target.ok) throw new Error(target.message);
      const result = tracePacket(a, source.source, target.target, protocol);
      traceChannel ??= vscode.window.createOutputChannel('Kubernetes Network: Trace');
      traceChannel.clear();
      for (const line of traceLines(model, result)) traceChannel.appendLine(line);
      traceChannel.show(true);
      showTraceInTopology(ctx, { folder: model.folder.uri.toString(), from, to, protocol });
      return traceJson(result);
    },
  },
  {
    id: 'kubeNetsim.showRules',
    handler: async (ctx: Context, args?: { folder?: string; service?: string; node?: string }) => {
      const model = modelFor(ctx, args?.folder);
      const a = await model?.simulationNow();
      if (!model || !a) return undefined;
      const mode = a.cluster.settings.kubeProxyMode === 'ipvs' ? 'ipvs' : 'iptables';
      let service = args?.service;
      if (service === undefined) {
        const items = [{ label: 'All Services', description: '' }, ...a.cluster.services.filter((s) => s.origin.kind === 'manifest').map((s) => ({ label: serviceId(s), description: s.clusterIP ?? '' }))];
        const picked = await vscode.window.showQuickPick(items, { title: `kube-proxy rules (${mode})`, placeHolder: 'rules for which Service?' });
        if (!picked) return undefined;
        service = picked.label === 'All Services' ? '' : picked.label;
      }
      const groups = rulesByNode(a.cluster, mode, args?.node);
      const svc = service ? a.cluster.services.find((s) => serviceId(s) === service) : undefined;
      // For one Service keep the lines that mention it (kube-proxy comments every rule with the service port name).
      const keep = (line: string) => !svc || line.startsWith('*') || line.startsWith('COMMIT') || line.startsWith(':KUBE-SERVICES') || line.includes(`${svc.namespace}/${svc.name}`) || (svc.clusterIP !== undefined && line.includes(svc.clusterIP));
      const text = groups.map((g) => `# kube-proxy (${mode} mode) on ${g.nodes.join(', ')}\n${g.text.split('\n').filter(keep).join('\n')}`).join('\n\n');
      const doc = await vscode.workspace.openTextDocument({ content: text, language: mode === 'iptables' ? 'shellscript' : 'plaintext' });
      await vscode.window.showTextDocument(doc, { preview: true });
      return text;
    },
  },
  {
    id: 'kubeNetsim.showMatrix',
    handler: async (ctx: Context, args?: { folder?: string }) => {
      const model = modelFor(ctx, args?.folder);
      const a = await model?.simulationNow();
      if (!model || !a) return undefined;
      const list = connectivityList(a.policies);
      const text = list.entries.map((e) => `${e.src} => ${e.dst} : ${e.conn.toString()}`).join('\n');
      const doc = await vscode.workspace.openTextDocument({ content: `# Connectivity between the workloads of ${model.folder.name} (allowed pairs; anything not listed is denied)\n${text}\n`, language: 'plaintext' });
      await vscode.window.showTextDocument(doc, { preview: true });
      return text;
    },
  },
];
