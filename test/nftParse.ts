// Reads `nft list table` text back into the transaction lines knftables' fake prints
// (`add rule ip kube-proxy CHAIN RULE`, `add element ...`), the form kube-proxy's own tests
// (pkg/proxy/nftables/proxier_test.go) state their expectations in, so those can be compared.

const PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

/** `dstnat - 10` → -110. */
function priorityNumber(text: string): number {
  const m = /^(\w+)(?: ([-+]) (\d+))?$/.exec(text.trim());
  if (!m) return Number(text);
  const base = PRIORITIES[m[1] as string] ?? Number(m[1]);
  return m[2] ? base + (m[2] === '-' ? -1 : 1) * Number(m[3]) : base;
}

/** nft list prints what the transaction wrote in its canonical form: undo the few rewrites kube-proxy's rules go through. */
function ruleAsWritten(rule: string): string {
  return (
    rule
      .replace(/meta mark set meta mark \| 0x0*([0-9a-f]+)/, 'mark set mark or 0x$1')
      .replace(/meta mark set meta mark \^ 0x0*([0-9a-f]+)/, 'mark set mark xor 0x$1')
      .replace(/meta mark & 0x0*([0-9a-f]+) == 0x0+ /, 'mark and 0x$1 == 0 ')
      // knftables.Concat writes a list's commas as words of their own.
      .replace(/\{ ([^}]*) \}/g, (_, body: string) => `{ ${body.replaceAll(', ', ' , ')} }`)
  );
}

function durationSeconds(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+)([dhms])/g))
    total += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's'];
  return total;
}

/** The transaction lines of every table in `text`, in order. */
export function nftTransaction(text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  let table = '';
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    const t = /^table (ip6?) (\S+) \{$/.exec(line);
    if (t) {
      table = `${t[1]} ${t[2]}`;
      const comment = /^comment "(.*)"$/.exec((lines[i + 1] ?? '').trim());
      out.push(`add table ${table}${comment ? ` { comment "${comment[1]}" ; }` : ''}`);
      continue;
    }
    const s = /^(set|map) (\S+) \{$/.exec(line);
    if (s) {
      const props: string[] = [];
      const elements: string[] = [];
      for (i++; i < lines.length && (lines[i] as string).trim() !== '}'; i++) {
        const p = (lines[i] as string).trim();
        if (p.startsWith('elements = {')) {
          let body = p.slice('elements = {'.length);
          while (!body.trimEnd().endsWith('}')) body += ' ' + (lines[++i] as string).trim();
          for (const e of body.trim().replace(/\}$/, '').split(/,\s*/)) if (e.trim()) elements.push(e.trim());
        } else if (p.startsWith('timeout ')) props.push(`timeout ${durationSeconds(p.slice(8))}s`);
        else props.push(p);
      }
      out.push(`add ${s[1]} ${table} ${s[2]} { ${props.join(' ; ')} ; }`);
      for (const e of elements) out.push(`add element ${table} ${s[2]} { ${e} }`);
      continue;
    }
    const c = /^chain (\S+) \{$/.exec(line);
    if (c) {
      const name = c[1] as string;
      const rules: string[] = [];
      let head = '';
      for (i++; i < lines.length && (lines[i] as string).trim() !== '}'; i++) {
        const r = (lines[i] as string).trim();
        const base = /^type (\w+) hook (\w+) priority (.+); policy accept;$/.exec(r);
        if (base) head = ` { type ${base[1]} hook ${base[2]} priority ${priorityNumber(base[3] as string)} ; }`;
        else if (r.startsWith('comment ')) head = ` { ${r} ; }`;
        else if (r) rules.push(`add rule ${table} ${name} ${ruleAsWritten(r)}`);
      }
      out.push(`add chain ${table} ${name}${head}`, ...rules);
    }
  }
  return out;
}
