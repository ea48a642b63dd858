import * as vscode from 'vscode';
import { renderHop, type Protocol, type SourceRange, type TraceResult } from '../engine';
import type { PickItem } from './analysis/commandQueries';
import type { Context } from './extension';
import type { CommandSpec } from './commands';
import type { TraceRequest } from './codeLens';
import { showTraceInTopology } from './topologyCommands';
import type { WorkspaceModel } from './workspaceModel';

function modelFor(ctx: Context, folder: string | undefined): WorkspaceModel | undefined {
  return (folder ? ctx.models.get(folder) : undefined) ?? ctx.activeModel();
}

/** Sources a user can trace from: every workload of the manifests, an external client, every node. */
async function pickSource(items: PickItem[]): Promise<string | undefined> {
  return (await vscode.window.showQuickPick(items, { title: 'Trace packet: from where?', placeHolder: 'a workload, external, or a node' }))
    ?.label;
}

/** Targets: every Service port and Ingress host, or anything typed (a URL, HOST:PORT, IP:PORT). */
async function pickTarget(fixed: PickItem[]): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick();
  qp.title = 'Trace packet: to where?';
  qp.placeholder = 'http://backend:8080/api, HOST:PORT or IP:PORT';
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
    for (const c of r.candidates)
      lines.push(`    ${c.chosen ? '*' : ' '} ${c.pod} ${c.ip}:${c.port} on ${c.node ?? '?'} — ${(c.weight * 100).toFixed(1)}%`);
  }
  if (r.sourceIPAtDestination) lines.push('', `The destination sees the source address ${r.sourceIPAtDestination}.`);
  lines.push(...forwardLines(r));
  if (r.reply.length) {
    lines.push('', 'Reply:');
    r.reply.forEach((h) => {
      const x = renderHop(h);
      lines.push(`    ${x.step.padEnd(18)} ${(x.node ?? '').padEnd(8)} ${x.detail}`);
    });
  }
  return lines;
}

/** What a port-forward trace adds: the command, the pod kubectl takes, what it bypasses, and the same connection from a pod. */
function forwardLines(r: TraceResult): string[] {
  const f = r.portForward;
  if (!f) return [];
  const lines = ['', `Port-forward: ${f.command}`];
  if (f.ranked.length > 1) lines.push(`kubectl takes the first pod in its order: ${f.ranked.map((p) => p.pod).join(', ')}`);
  if (r.verdict === 'delivered') lines.push('Not involved:', ...f.bypassed.map((b) => `    ${b}`));
  const p = f.fromPod;
  if (p)
    lines.push(
      p.verdict === 'delivered'
        ? `From a pod: delivered too (${p.source} → ${p.to}).`
        : `From a pod: ${p.verdict.toUpperCase()} (${p.source} → ${p.to}): ${p.reason}`,
    );
  return lines;
}

/** The folder's model once it has been analysed (a command run right after start-up waits for the first analysis). */
async function analysed(ctx: Context, folder: string | undefined): Promise<WorkspaceModel | undefined> {
  const model = modelFor(ctx, folder);
  if (model && !model.report) await model.analyzeNow();
  return model?.report ? model : undefined;
}

export const TRACE_COMMANDS: CommandSpec[] = [
  {
    id: 'kubeNetsim.tracePacket',
    handler: async (ctx: Context, req?: TraceRequest) => {
      const model = await analysed(ctx, req?.folder);
      if (!model) {
        void vscode.window.showWarningMessage('kube-netsim: open a folder with Kubernetes manifests to trace a packet.');
        return undefined;
      }
      const picks = req?.from && req.to ? undefined : await model.query('tracePicks', {});
      const from = req?.from ?? (await pickSource(picks?.sources ?? []));
      if (!from) return undefined;
      const to = req?.to ?? (await pickTarget(picks?.targets ?? []));
      if (!to) return undefined;
      const protocol: Protocol = req?.protocol ?? 'TCP';
      const http = { via: req?.via, method: req?.method, headers: req?.headers };
      const traced = await model.query('trace', { from, to, protocol, http });
      if (!traced) return undefined;
      if (!traced.ok) throw new Error(traced.message);
      traceChannel ??= vscode.window.createOutputChannel('Kubernetes Network: Trace');
      traceChannel.clear();
      for (const line of traceLines(model, traced.result)) traceChannel.appendLine(line);
      traceChannel.show(true);
      // A port-forward passes no drawn hop (API server, kubelet, loopback): the topology has nothing to mark.
      if (from !== 'local') showTraceInTopology(ctx, { folder: model.folder.uri.toString(), from, to, protocol, ...http });
      return traced.json;
    },
  },
  {
    id: 'kubeNetsim.showRules',
    handler: async (ctx: Context, args?: { folder?: string; service?: string; node?: string }) => {
      const model = await analysed(ctx, args?.folder);
      if (!model) return undefined;
      let service = args?.service;
      if (service === undefined) {
        const choices = await model.query('ruleServices', {});
        if (!choices) return undefined;
        const items = [{ label: 'All Services', description: '' }, ...choices.services];
        const picked = await vscode.window.showQuickPick(items, {
          title: `kube-proxy rules (${choices.mode})`,
          placeHolder: 'rules for which Service?',
        });
        if (!picked) return undefined;
        service = picked.label === 'All Services' ? '' : picked.label;
      }
      const rules = await model.query('rules', args?.node ? { service, node: args.node } : { service });
      if (!rules) return undefined;
      const doc = await vscode.workspace.openTextDocument({
        content: rules.text,
        language: rules.mode === 'iptables' ? 'shellscript' : 'plaintext',
      });
      await vscode.window.showTextDocument(doc, { preview: true });
      return rules.text;
    },
  },
  {
    id: 'kubeNetsim.showMatrix',
    handler: async (ctx: Context, args?: { folder?: string }) => {
      const model = await analysed(ctx, args?.folder);
      const text = await model?.query('matrix', {});
      if (!model || text === undefined) return undefined;
      const doc = await vscode.workspace.openTextDocument({
        content: `# Connectivity between the workloads of ${model.folder.name} (allowed pairs; anything not listed is denied)\n${text}\n`,
        language: 'plaintext',
      });
      await vscode.window.showTextDocument(doc, { preview: true });
      return text;
    },
  },
];
