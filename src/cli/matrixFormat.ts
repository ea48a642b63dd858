import { connText, type ConnectivityList } from '../engine';

/** netpol-analyzer's text form: one `SRC => DST : CONNS` line per allowed pair; nothing at all when nothing is allowed. */
export function matrixText(list: ConnectivityList): string {
  return list.entries.map((e) => `${e.src} => ${e.dst} : ${connText(e)}\n`).join('');
}

export function matrixJson(list: ConnectivityList): string {
  return (
    JSON.stringify(
      list.entries.map((e) => ({ src: e.src, dst: e.dst, conn: connText(e) })),
      null,
      2,
    ) + '\n'
  );
}

/** RFC 4180: a field with a comma or quote is quoted (CONNS such as `TCP 80,UDP 53` have commas). */
function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function matrixCsv(list: ConnectivityList): string {
  return ['src,dst,conn', ...list.entries.map((e) => [e.src, e.dst, connText(e)].map(csvField).join(','))].join('\n') + '\n';
}

export function matrixMarkdown(list: ConnectivityList): string {
  return (
    ['| src | dst | conn |', '|-----|-----|------|', ...list.entries.map((e) => `| ${e.src} | ${e.dst} | ${connText(e)} |`)].join('\n') +
    '\n'
  );
}
