import { renderHop, renderHops, type RenderedHop, type TraceResult } from '../engine';

function hopLines(hops: RenderedHop[]): string[] {
  const stepWidth = Math.max(4, ...hops.map((h) => h.step.length));
  const nodeWidth = Math.max(4, ...hops.map((h) => (h.node ?? '-').length));
  return hops.map((h, i) => {
    const at = h.range ? `  (${h.range.file}:${h.range.line}:${h.range.column})` : '';
    return `${String(i + 1).padStart(3)}  ${h.step.padEnd(stepWidth)}  ${(h.node ?? '-').padEnd(nodeWidth)}  ${h.detail}${at}`;
  });
}

/** The trace as a person reads it: the hops in order, the verdict, where it landed, the candidates and the way back. */
export function traceText(r: TraceResult): string {
  const src = r.source.ip ? `${r.source.name} (${r.source.ip}${r.source.node ? ` on ${r.source.node}` : ''})` : r.source.name;
  const lines = [`trace ${src} → ${r.target.text} [${r.protocol}]`, ''];
  const hops = renderHops(r);
  lines.push(...hopLines(hops));
  lines.push('', `${r.verdict.toUpperCase()}: ${r.reason}`);
  const d = r.destination;
  if (d?.kind === 'pod')
    lines.push(
      `destination: ${d.namespace}/${d.name} (workload ${d.workload}) ${d.ip.includes(':') ? `[${d.ip}]` : d.ip}:${d.port} on ${d.node ?? '<none>'}`,
    );
  else if (d?.kind === 'external') lines.push(`destination: ${d.host} (outside the cluster)`);
  else if (d?.kind === 'node') lines.push(`destination: the ${d.listener} of ${d.node} ${d.ip}:${d.port}`);
  if (d?.kind === 'pod' && d.service) lines.push(`service: ${d.service}`);
  if (r.sourceIPAtDestination) lines.push(`source IP at destination: ${r.sourceIPAtDestination}`);
  if (r.response) {
    const parts = [
      r.response.status !== undefined ? `status ${r.response.status}` : '',
      r.response.grpcStatus ? `gRPC ${r.response.grpcStatus}` : '',
      r.response.location ? `Location: ${r.response.location}` : '',
      ...Object.entries(r.response.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ].filter(Boolean);
    lines.push(`response: ${parts.join('; ')}`);
  }
  if (r.request) {
    const headers = Object.entries(r.request.headers).map(([k, v]) => `${k}: ${v}`);
    const what = r.request.path ? `${r.request.method} ${r.request.host}${r.request.path}` : `TLS to ${r.request.host}`;
    lines.push(
      `request at the backend: ${what}${r.request.tls ? ` (TLS ${r.request.tls})` : ''}${headers.length ? `; ${headers.join('; ')}` : ''}`,
    );
  }
  if (r.candidates.length > 0) {
    lines.push('candidates:');
    for (const c of r.candidates) {
      const share = `${Math.round(c.weight * 10000) / 100}%`;
      const extra = `${c.service ? `  ${c.service}` : ''}${c.status ? `  answered ${c.status}` : ''}`;
      lines.push(
        `  ${c.chosen ? '*' : ' '} ${c.pod || '(no pod)'}  ${c.ip}${c.port ? `:${c.port}` : ''}  ${c.node ?? '-'}  ${share}${extra}`,
      );
    }
  }
  if (r.reply.length > 0) lines.push('reply:', ...hopLines(r.reply.map(renderHop)));
  const verify = [...new Set(hops.flatMap((h) => h.verify ?? []))];
  if (verify.length > 0) lines.push('verify on a live cluster:', ...verify.map((c) => `  ${c}`));
  return lines.join('\n') + '\n';
}
