// The topology's matrix view: the connectivity list (what `kube-netsim matrix` prints), with
// workloads named as the view names them (NAMESPACE/NAME), and each namespace pair's connections
// summed; and the same list as CSV for the view's export. Built once per simulation.
import { connectivityList, type Analysis, type ConnSet, type ConnectivityList } from '../../engine';
import type { MatrixCell, MatrixView } from '../../shared/protocol';

const lists = new WeakMap<Analysis, ConnectivityList>();
function listOf(a: Analysis): ConnectivityList {
  let l = lists.get(a);
  if (!l) {
    l = connectivityList(a.policies, { gateways: a.gateway });
    lists.set(a, l);
  }
  return l;
}

/** `ns/name[Kind]` → `ns/name`; other peers (address ranges, `{ingress-controller}`, `{gateway/…}`) as they are. */
export function viewName(matrixName: string): string {
  const m = /^([^/[{]+\/[^/[]+)\[[^\]]+\]$/.exec(matrixName);
  return m && !matrixName.endsWith('[External]') ? (m[1] as string) : matrixName;
}

/** The namespace of a workload's view name; a peer outside the namespaces keeps its own name. */
function groupOf(name: string): string {
  return /^[^/[{]+\/[^/[]+$/.test(name) ? (name.split('/')[0] as string) : name;
}

export function matrixView(a: Analysis): MatrixView {
  const cells: MatrixCell[] = [];
  const byNs = new Map<string, { src: string; dst: string; conn: ConnSet }>();
  for (const e of listOf(a).entries) {
    const src = viewName(e.src);
    const dst = viewName(e.dst);
    cells.push({ src, dst, conn: e.conn.toString() });
    const key = `${groupOf(src)}->${groupOf(dst)}`;
    const cur = byNs.get(key);
    byNs.set(key, { src: groupOf(src), dst: groupOf(dst), conn: cur ? cur.conn.union(e.conn) : e.conn });
  }
  const namespaceCells = [...byNs.values()].map((c) => ({ src: c.src, dst: c.dst, conn: c.conn.toString() }));
  return { cells, namespaceCells };
}

/** RFC 4180: a field with a comma or quote is quoted (CONNS such as `TCP 80,UDP 53` have commas). */
function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows `kube-netsim matrix --format csv` prints. */
export function matrixCsv(a: Analysis): string {
  return ['src,dst,conn', ...listOf(a).entries.map((e) => [e.src, e.dst, e.conn.toString()].map(csvField).join(','))].join('\n') + '\n';
}
