import ipaddr from 'ipaddr.js';
import { fnv1a } from '../hash';

/** Parsed CIDR with its first address as a number, for offset arithmetic. */
export interface Cidr {
  text: string;
  family: 'ipv4' | 'ipv6';
  prefix: number;
  base: bigint;
  size: bigint;
}

function toBigInt(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return addr.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

function fromBigInt(value: bigint, family: 'ipv4' | 'ipv6'): string {
  const bytes: number[] = [];
  const count = family === 'ipv4' ? 4 : 16;
  for (let i = 0; i < count; i++) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * ipaddr.parseCIDR, asking the one family the text can be: ipaddr.js tries IPv6 first and throws
 * to say no, and that throw was most of the cost of reading an IPv4 CIDR. Throws as it does.
 */
export function parseCidrText(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  return text.includes(':') ? ipaddr.IPv6.parseCIDR(text) : ipaddr.IPv4.parseCIDR(text);
}

// Traces ask about the same few CIDRs (nodes' pod CIDRs, Calico blocks) thousands of times: parse each once.
const CACHE_LIMIT = 20_000;
const parsedCidrs = new Map<string, Cidr>();
const parsedRanges = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | null>();
function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

export function parseCidr(text: string): Cidr {
  const hit = parsedCidrs.get(text);
  if (hit) return { ...hit };
  return { ...remember(parsedCidrs, text, parseCidrUncached(text)) };
}

function parseCidrUncached(text: string): Cidr {
  const [addr, prefix] = parseCidrText(text);
  const family = addr.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  const bits = family === 'ipv4' ? 32 : 128;
  const network = family === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  return { text, family, prefix, base: toBigInt(network), size: 1n << BigInt(bits - prefix) };
}

/** The address `offset` places after the start of a CIDR. */
export function addressAt(cidr: Cidr, offset: bigint): string {
  return fromBigInt(cidr.base + offset, cidr.family);
}

/** The n-th subnet of `prefix` bits inside a CIDR (node pod CIDRs are cut this way). */
export function subnetAt(cidr: Cidr, prefix: number, index: number): string {
  const bits = cidr.family === 'ipv4' ? 32 : 128;
  const step = 1n << BigInt(bits - prefix);
  return `${fromBigInt(cidr.base + step * BigInt(index), cidr.family)}/${prefix}`;
}

export function cidrContains(cidr: string, ip: string): boolean {
  let range = parsedRanges.get(cidr);
  if (range === undefined) {
    try {
      range = remember(parsedRanges, cidr, parseCidrText(cidr));
    } catch {
      range = remember(parsedRanges, cidr, null);
    }
  }
  if (range === null) return false;
  try {
    const addr = ipaddr.parse(ip);
    return addr.kind() === range[0].kind() && addr.match(range);
  } catch {
    return false;
  }
}

export function isIP(text: string): boolean {
  // Most texts asked about are host names; rule them out before ipaddr.js (which throws to say no).
  if (!/^[\d.]+$/.test(text) && !text.includes(':')) return false;
  return ipaddr.isValid(text) && (ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text));
}

export function ipFamily(ip: string): 'ipv4' | 'ipv6' {
  // Only valid addresses reach here, and only IPv6 ones contain a colon.
  return ip.includes(':') ? 'ipv6' : 'ipv4';
}

/** Canonical text of an address (so `10.0.0.01`-style spellings compare equal). */
export function normalizeIP(ip: string): string {
  return ipaddr.parse(ip).toString();
}

/**
 * Hands out addresses from a range by hashing a stable key and probing linearly. Unlike
 * sequential allocation, adding or removing one object leaves the others' addresses alone
 * (unless their probe chain crossed the changed slot), which is what "IPs stable under edits" needs.
 */
export class HashAllocator {
  private readonly taken = new Set<bigint>();
  private readonly span: bigint;

  constructor(
    readonly cidr: Cidr,
    /** First usable offset (skips the network address and, for pods, the gateway). */
    private readonly first: bigint,
    /** Last usable offset, inclusive. */
    private readonly last: bigint,
  ) {
    this.span = last >= first ? last - first + 1n : 0n;
  }

  /** Marks an address as used (explicit clusterIPs, reserved service IPs, live pod IPs). */
  reserve(ip: string): boolean {
    if (!cidrContains(this.cidr.text, ip)) return false;
    const offset = toBigInt(ipaddr.parse(ip)) - this.cidr.base;
    if (this.taken.has(offset)) return false;
    this.taken.add(offset);
    return true;
  }

  /** How many addresses are taken (reserved or handed out). */
  get used(): number {
    return this.taken.size;
  }

  /** How many addresses it hands out in all. */
  get capacity(): bigint {
    return this.span;
  }

  isTaken(ip: string): boolean {
    return this.taken.has(toBigInt(ipaddr.parse(ip)) - this.cidr.base);
  }

  allocate(key: string): string | undefined {
    if (this.span === 0n || BigInt(this.taken.size) >= this.span) return undefined;
    const h = (BigInt(fnv1a(key)) << 32n) | BigInt(fnv1a(key, 0x9747b28c));
    let offset = this.first + (h % this.span);
    for (;;) {
      if (!this.taken.has(offset)) {
        this.taken.add(offset);
        return addressAt(this.cidr, offset);
      }
      offset = offset >= this.last ? this.first : offset + 1n;
    }
  }
}

/** Usable pod addresses of a node CIDR: skip the network address, .1 (the bridge/gateway) and broadcast. */
export function podAllocator(cidrText: string): HashAllocator {
  const cidr = parseCidr(cidrText);
  const last = cidr.family === 'ipv4' ? cidr.size - 2n : cidr.size - 1n;
  return new HashAllocator(cidr, 2n, last < 2n ? 1n : last);
}

/**
 * The Calico IPAM block that holds a pod address: Calico's IPAM hands each node /26 blocks (/122 for
 * IPv6) of the pool as its pods need them, and BIRD (or Felix, for VXLAN) routes each block to its
 * node, so the route a packet takes names the block, not the node's whole range. Here a node's blocks
 * are cut from its pod CIDR; one finer than a block is routed whole.
 */
export function calicoBlock(node: { podCIDR: string; podCIDRv6?: string }, ip: string): string {
  const v6 = ip.includes(':');
  const prefix = v6 ? 122 : 26;
  const range = v6 ? node.podCIDRv6 : node.podCIDR;
  if (range === undefined || parseCidr(range).prefix > prefix || !cidrContains(range, ip)) return range ?? ip;
  return `${addressAt(parseCidr(`${ip}/${prefix}`), 0n)}/${prefix}`;
}
