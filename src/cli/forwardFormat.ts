import type { TraceResult } from '../engine';

/** What a port-forward trace adds to the trace text: the command, kubectl's ranking, what it bypasses, the same connection from a pod. */
export function forwardText(r: TraceResult): string {
  const f = r.portForward;
  if (!f) return '';
  const lines = [`port-forward: ${f.command}`];
  if (f.ranked.length > 1) {
    lines.push('pods in the order kubectl sorts them (it takes the first):');
    for (const p of f.ranked)
      lines.push(`  ${p.pod === f.pod ? '*' : ' '} ${p.pod}  ${p.node ?? '-'}  ${p.phase}${p.ready ? ', Ready' : ', not Ready'}`);
  }
  if (r.verdict === 'delivered') lines.push('not involved:', ...f.bypassed.map((b) => `  ${b}`));
  const p = f.fromPod;
  if (p && p.verdict !== 'delivered')
    lines.push(
      `from a pod: ${p.verdict.toUpperCase()} (trace --from ${p.source} --to ${p.to}; ${p.failing} of ${p.checked} workloads fail): ${p.reason}`,
    );
  else if (p) lines.push(`from a pod: delivered too (trace --from ${p.source} --to ${p.to}; ${p.checked} workloads tried)`);
  return lines.join('\n') + '\n';
}
