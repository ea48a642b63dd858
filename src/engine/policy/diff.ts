// The semantic diff of two workspaces: which connections a change opens and which it closes, per
// workload pair and port, in the connectivity list's own terms (`SRC => DST : CONNS`). Address
// ranges outside the cluster are cut differently by each side's ipBlocks, so both sides are cut
// at the union of their boundaries before comparing, and the result is merged back into ranges.
import { ConnSet, PROTOCOLS } from './connset';
import { formatRange, parseAddress, type Family, type IpRange } from './ipRanges';
import type { ConnectivityList, MatrixEntry } from './matrix';

export interface ConnectivityDiff {
  /** Connections the new workspace allows and the old one did not. */
  opened: MatrixEntry[];
  /** Connections the old workspace allowed and the new one does not. */
  closed: MatrixEntry[];
}

const EXTERNAL = '[External]';

/** `a.b.c.d-w.x.y.z[External]` back into a range (undefined for workload names). */
function externalRange(name: string): IpRange | undefined {
  if (!name.endsWith(EXTERNAL)) return undefined;
  const body = name.slice(0, -EXTERNAL.length);
  // IPv6 addresses contain no "-", so the one dash separates the two ends.
  const [lo, hi] = body.split('-');
  const a = lo !== undefined ? parseAddress(lo) : undefined;
  const b = hi !== undefined ? parseAddress(hi) : undefined;
  return a && b && a.family === b.family ? { family: a.family, lo: a.value, hi: b.value } : undefined;
}

/** `a` minus `b`, protocol by protocol. */
export function subtractConns(a: ConnSet, b: ConnSet): ConnSet {
  let out = ConnSet.NONE;
  for (const p of PROTOCOLS) {
    for (const [lo, hi] of a.rangesOf(p)) {
      let start = lo;
      for (const [blo, bhi] of b.rangesOf(p)) {
        if (bhi < start || blo > hi) continue;
        if (blo > start) out = out.union(ConnSet.ports(p, start, blo - 1));
        start = Math.max(start, bhi + 1);
        if (start > hi) break;
      }
      if (start <= hi) out = out.union(ConnSet.ports(p, start, hi));
    }
  }
  return out;
}

type Cuts = Map<Family, bigint[]>;

function cutsOf(lists: ConnectivityList[]): Cuts {
  const sets = new Map<Family, Set<bigint>>();
  for (const l of lists) {
    for (const e of l.entries) {
      for (const name of [e.src, e.dst]) {
        const r = externalRange(name);
        if (!r) continue;
        const set = sets.get(r.family) ?? new Set<bigint>();
        set.add(r.lo);
        set.add(r.hi + 1n);
        sets.set(r.family, set);
      }
    }
  }
  const out: Cuts = new Map();
  for (const [f, s] of sets)
    out.set(
      f,
      [...s].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
    );
  return out;
}

/** A name cut into the atomic ranges of `cuts` (itself when it is not a range). */
function pieces(name: string, cuts: Cuts): string[] {
  const r = externalRange(name);
  if (!r) return [name];
  const points = (cuts.get(r.family) ?? []).filter((c) => c > r.lo && c <= r.hi);
  const out: string[] = [];
  let lo = r.lo;
  for (const c of points) {
    out.push(formatRange({ family: r.family, lo, hi: c - 1n }) + EXTERNAL);
    lo = c;
  }
  out.push(formatRange({ family: r.family, lo, hi: r.hi }) + EXTERNAL);
  return out;
}

const SEP = '\u0000';

function atomic(list: ConnectivityList, cuts: Cuts, http = false): Map<string, ConnSet> {
  const out = new Map<string, ConnSet>();
  for (const e of list.entries) {
    const conn = http ? e.http : e.conn;
    if (!conn) continue;
    for (const s of pieces(e.src, cuts)) {
      for (const d of pieces(e.dst, cuts)) {
        const key = s + SEP + d;
        out.set(key, (out.get(key) ?? ConnSet.NONE).union(conn));
      }
    }
  }
  return out;
}

/** Merges entries whose external ends are adjacent ranges with the same other end and connections. */
function mergeRanges(entries: MatrixEntry[]): MatrixEntry[] {
  const groups = new Map<string, Array<{ entry: MatrixEntry; range: IpRange; side: 'src' | 'dst' }>>();
  const out: MatrixEntry[] = [];
  for (const e of entries) {
    const rs = externalRange(e.src);
    const rd = externalRange(e.dst);
    const side = rs ? 'src' : rd ? 'dst' : undefined;
    const range = rs ?? rd;
    if (!side || !range) {
      out.push(e);
      continue;
    }
    const key = `${side}${SEP}${side === 'src' ? e.dst : e.src}${SEP}${e.conn.toString()}${SEP}${range.family}`;
    groups.set(key, [...(groups.get(key) ?? []), { entry: e, range, side }]);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => (a.range.lo < b.range.lo ? -1 : a.range.lo > b.range.lo ? 1 : 0));
    let cur: { entry: MatrixEntry; range: IpRange; side: 'src' | 'dst' } | undefined;
    const flush = () => {
      if (!cur) return;
      const name = formatRange(cur.range) + EXTERNAL;
      out.push(cur.side === 'src' ? { ...cur.entry, src: name } : { ...cur.entry, dst: name });
    };
    for (const item of list) {
      if (cur && cur.range.hi + 1n === item.range.lo) cur = { ...cur, range: { ...cur.range, hi: item.range.hi } };
      else {
        flush();
        cur = item;
      }
    }
    flush();
  }
  return out.sort((a, b) => cmp(a.src, b.src) || cmp(a.dst, b.dst));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The connections `after` allows that `before` did not (opened), and the reverse (closed). */
export function diffConnectivity(before: ConnectivityList, after: ConnectivityList): ConnectivityDiff {
  const cuts = cutsOf([before, after]);
  const a = atomic(before, cuts);
  const b = atomic(after, cuts);
  // Connections an L7 proxy filters (Cilium's HTTP rules) are allowed for some requests only: a
  // change that adds HTTP rules to an open port closes it to the other requests, and the reverse opens it.
  const ah = atomic(before, cuts, true);
  const bh = atomic(after, cuts, true);
  const opened: MatrixEntry[] = [];
  const closed: MatrixEntry[] = [];
  const entry = (src: string, dst: string, conn: ConnSet, http: ConnSet): MatrixEntry =>
    http.isEmpty() ? { src, dst, conn } : { src, dst, conn, http };
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const [src = '', dst = ''] = key.split(SEP);
    const old = a.get(key) ?? ConnSet.NONE;
    const now = b.get(key) ?? ConnSet.NONE;
    const oldHttp = ah.get(key) ?? ConnSet.NONE;
    const nowHttp = bh.get(key) ?? ConnSet.NONE;
    const more = subtractConns(now, old);
    const unfiltered = subtractConns(oldHttp.intersect(now), nowHttp);
    const less = subtractConns(old, now);
    const filtered = subtractConns(nowHttp.intersect(old), oldHttp);
    if (!more.isEmpty() || !unfiltered.isEmpty()) opened.push(entry(src, dst, more.union(unfiltered), more.intersect(nowHttp)));
    if (!less.isEmpty() || !filtered.isEmpty()) closed.push(entry(src, dst, less.union(filtered), filtered));
  }
  return { opened: mergeRanges(opened), closed: mergeRanges(closed) };
}
