import type { Protocol } from '../cluster/model';

/** An inclusive range of ports, `[lo, hi]`, within 1-65535. */
export type PortRange = readonly [number, number];

export const PROTOCOLS: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

type Ranges = Readonly<Record<Protocol, readonly PortRange[]>>;

const FULL: readonly PortRange[] = [[MIN_PORT, MAX_PORT]];
const NONE: readonly PortRange[] = [];

/**
 * A set of connections: ports per protocol, kept as sorted disjoint ranges so that "all ports"
 * and "1-79,81-65535" cost the same as one port. Immutable; every operation returns a new set.
 * This is what makes the matrix independent of how many ports a rule spans ("port classes").
 */
export class ConnSet {
  private constructor(private readonly ranges: Ranges) {}

  static readonly NONE = new ConnSet({ SCTP: NONE, TCP: NONE, UDP: NONE });
  static readonly ALL = new ConnSet({ SCTP: FULL, TCP: FULL, UDP: FULL });

  /** Ports `lo`..`hi` of one protocol (`hi` defaults to `lo`). */
  static ports(protocol: Protocol, lo: number, hi = lo): ConnSet {
    const a = Math.max(MIN_PORT, lo);
    const b = Math.min(MAX_PORT, hi);
    if (a > b) return ConnSet.NONE;
    return new ConnSet({ ...ConnSet.NONE.ranges, [protocol]: [[a, b]] });
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): ConnSet {
    return ConnSet.ports(protocol, MIN_PORT, MAX_PORT);
  }

  rangesOf(protocol: Protocol): readonly PortRange[] {
    return this.ranges[protocol];
  }

  isEmpty(): boolean {
    return this.ranges.SCTP.length === 0 && this.ranges.TCP.length === 0 && this.ranges.UDP.length === 0;
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => isFull(this.ranges[p]));
  }

  has(protocol: Protocol, port: number): boolean {
    for (const [lo, hi] of this.ranges[protocol]) {
      if (port < lo) return false;
      if (port <= hi) return true;
    }
    return false;
  }

  union(other: ConnSet): ConnSet {
    if (other === this || other.isEmpty() || this.isAll()) return this;
    if (this.isEmpty() || other.isAll()) return other;
    return new ConnSet({
      SCTP: unionRanges(this.ranges.SCTP, other.ranges.SCTP),
      TCP: unionRanges(this.ranges.TCP, other.ranges.TCP),
      UDP: unionRanges(this.ranges.UDP, other.ranges.UDP),
    });
  }

  intersect(other: ConnSet): ConnSet {
    if (other === this || other.isAll() || this.isEmpty()) return this;
    if (this.isAll() || other.isEmpty()) return other;
    return new ConnSet({
      SCTP: intersectRanges(this.ranges.SCTP, other.ranges.SCTP),
      TCP: intersectRanges(this.ranges.TCP, other.ranges.TCP),
      UDP: intersectRanges(this.ranges.UDP, other.ranges.UDP),
    });
  }

  /** The connections of this set that `other` does not hold. */
  subtract(other: ConnSet): ConnSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    if (other.isAll()) return ConnSet.NONE;
    return new ConnSet({
      SCTP: intersectRanges(this.ranges.SCTP, complementRanges(other.ranges.SCTP)),
      TCP: intersectRanges(this.ranges.TCP, complementRanges(other.ranges.TCP)),
      UDP: intersectRanges(this.ranges.UDP, complementRanges(other.ranges.UDP)),
    });
  }

  equals(other: ConnSet): boolean {
    return PROTOCOLS.every((p) => sameRanges(this.ranges[p], other.ranges[p]));
  }

  /**
   * netpol-analyzer's notation: `All Connections`, or the protocols in alphabetical order, each with
   * its merged port ranges: `SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535`. Empty: `No Connections`.
   */
  toString(): string {
    if (this.isAll()) return 'All Connections';
    if (this.isEmpty()) return 'No Connections';
    const parts: string[] = [];
    for (const p of PROTOCOLS) {
      const r = this.ranges[p];
      if (r.length > 0) parts.push(`${p} ${r.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',')}`);
    }
    return parts.join(',');
  }
}

function isFull(r: readonly PortRange[]): boolean {
  const first = r[0];
  return r.length === 1 && first !== undefined && first[0] === MIN_PORT && first[1] === MAX_PORT;
}

function sameRanges(a: readonly PortRange[], b: readonly PortRange[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as PortRange;
    const y = b[i] as PortRange;
    if (x[0] !== y[0] || x[1] !== y[1]) return false;
  }
  return true;
}

function unionRanges(a: readonly PortRange[], b: readonly PortRange[]): readonly PortRange[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    // Adjacent ranges merge too (80 and 81 print as 80-81), as the analyser's output does.
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The ports of 1-65535 that sorted disjoint ranges leave out. */
function complementRanges(r: readonly PortRange[]): readonly PortRange[] {
  const out: PortRange[] = [];
  let next = MIN_PORT;
  for (const [lo, hi] of r) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_PORT) out.push([next, MAX_PORT]);
  return out;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): readonly PortRange[] {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as PortRange;
    const y = b[j] as PortRange;
    const lo = Math.max(x[0], y[0]);
    const hi = Math.min(x[1], y[1]);
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}
