import ipaddr from 'ipaddr.js';
import { parseCidrText } from '../cluster/ipam';

export type Family = 'ipv4' | 'ipv6';

/** An inclusive range of addresses of one family, as numbers, for set arithmetic on ipBlocks. */
export interface IpRange {
  family: Family;
  lo: bigint;
  hi: bigint;
}

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function toBigInt(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let v = 0n;
  for (const b of addr.toByteArray()) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(value: bigint, family: Family): string {
  const bytes: number[] = [];
  for (let i = 0; i < BITS[family] / 8; i++) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** An address as a number; IPv4-mapped IPv6 addresses count as IPv4, as the kernel sees them. */
export function parseAddress(ip: string): { family: Family; value: bigint } | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return { family: addr.kind() === 'ipv4' ? 'ipv4' : 'ipv6', value: toBigInt(addr) };
}

/** The range a CIDR covers (host bits set in the address are ignored, as the API server's parser does). */
export function cidrRange(cidr: string): IpRange | undefined {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = parseCidrText(cidr);
  } catch {
    return undefined;
  }
  const family: Family = parsed[0].kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  const size = 1n << BigInt(BITS[family] - parsed[1]);
  const lo = (toBigInt(parsed[0]) / size) * size;
  return { family, lo, hi: lo + size - 1n };
}

export function fullRange(family: Family): IpRange {
  return { family, lo: 0n, hi: (1n << BigInt(BITS[family])) - 1n };
}

/** `cidr` minus every `except` range: the disjoint ranges an ipBlock admits, in order. */
export function subtractRanges(base: IpRange, holes: IpRange[]): IpRange[] {
  let out: IpRange[] = [base];
  for (const h of holes) {
    if (h.family !== base.family) continue;
    const next: IpRange[] = [];
    for (const r of out) {
      if (h.hi < r.lo || h.lo > r.hi) {
        next.push(r);
        continue;
      }
      if (h.lo > r.lo) next.push({ family: r.family, lo: r.lo, hi: h.lo - 1n });
      if (h.hi < r.hi) next.push({ family: r.family, lo: h.hi + 1n, hi: r.hi });
    }
    out = next;
  }
  return out;
}

export function rangesContain(ranges: readonly IpRange[], ip: string): boolean {
  const a = parseAddress(ip);
  if (!a) return false;
  return ranges.some((r) => r.family === a.family && r.lo <= a.value && a.value <= r.hi);
}

/** Whether `inner` lies wholly inside one of `ranges`. */
export function rangesCover(ranges: readonly IpRange[], inner: IpRange): boolean {
  return ranges.some((r) => r.family === inner.family && r.lo <= inner.lo && inner.hi <= r.hi);
}

/**
 * Cuts the whole address space of a family at every boundary of the given ranges: the result is
 * the coarsest list of disjoint ranges such that each given range is a union of some of them, so
 * every address in one piece is treated alike by every ipBlock.
 */
export function splitAtBoundaries(family: Family, ranges: readonly IpRange[]): IpRange[] {
  const full = fullRange(family);
  const cuts = new Set<bigint>([full.lo]);
  for (const r of ranges) {
    if (r.family !== family) continue;
    cuts.add(r.lo);
    if (r.hi < full.hi) cuts.add(r.hi + 1n);
  }
  const starts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return starts.map((lo, i) => ({ family, lo, hi: i + 1 < starts.length ? (starts[i + 1] as bigint) - 1n : full.hi }));
}

/** `10.0.0.0-10.255.255.255`, the analyser's way of writing a range. */
export function formatRange(r: IpRange): string {
  return `${fromBigInt(r.lo, r.family)}-${fromBigInt(r.hi, r.family)}`;
}

/** The first address of a range, as text (a representative for evaluating it). */
export function rangeStart(r: IpRange): string {
  return fromBigInt(r.lo, r.family);
}
