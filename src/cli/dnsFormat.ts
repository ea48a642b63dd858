import type { DnsResult } from '../engine';

export function dnsJson(r: DnsResult): object {
  return {
    query: r.query,
    type: r.type,
    rcode: r.rcode,
    answers: r.answers.map((a) => ({ name: a.name, type: a.type, value: a.value })),
    searched: r.searched,
    resolvedName: r.resolvedName ?? null,
    forwarded: r.forwarded,
    explanation: r.explanation,
  };
}

/** dig-like text: the status, the names tried, then the answer section. */
export function dnsText(r: DnsResult, from: string): string {
  const lines = [`;; ${r.query} ${r.type} from ${from}: ${r.rcode}${r.forwarded ? ' (forwarded upstream)' : ''}`, ';; searched:'];
  for (const s of r.searched) lines.push(`;;   ${s}.`);
  lines.push(';; ANSWER SECTION:');
  for (const a of r.answers) lines.push(`${a.name}.\tIN\t${a.type}\t${a.type === 'CNAME' || a.type === 'PTR' ? a.value + '.' : a.value}`);
  lines.push(`;; ${r.explanation}`);
  return lines.join('\n') + '\n';
}
