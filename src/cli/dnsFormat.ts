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
    answeredBy: r.answeredBy,
    nameserver: r.nameserver ?? null,
    explanation: r.explanation,
  };
}

/** dig-like text: the status, the names tried, then the answer section. */
export function dnsText(r: DnsResult, from: string): string {
  const status =
    r.rcode === 'UNKNOWN'
      ? 'UNKNOWN (answered upstream, unknown here)'
      : r.answeredBy === 'hosts'
        ? `${r.rcode} (from /etc/hosts, no DNS query)`
        : r.rcode;
  const lines = [`;; ${r.query} ${r.type} from ${from}: ${status}`, ';; searched:'];
  for (const s of r.searched) lines.push(`;;   ${s}.`);
  lines.push(';; ANSWER SECTION:');
  for (const a of r.answers) lines.push(`${a.name}.\tIN\t${a.type}\t${a.type === 'CNAME' || a.type === 'PTR' ? a.value + '.' : a.value}`);
  lines.push(`;; ${r.explanation}`);
  return lines.join('\n') + '\n';
}
