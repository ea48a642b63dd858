// The data of cluster DNS: record types, the result of one lookup as a pod's resolver sees it, and
// how a pod resolves (its resolv.conf). The zone (zone.ts) holds the records; resolve.ts walks a
// name through /etc/hosts, the search list and the nameservers.
import ipaddr from 'ipaddr.js';
import type { UnknownNamespace } from './names';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'SRV' | 'PTR' | 'TXT';

export interface DnsRecord {
  name: string;
  type: RecordType;
  /** A/AAAA: the address; CNAME/PTR: the target name; SRV: `priority weight port target`; TXT: the text. */
  value: string;
  /** What the record stands for, so a hover or trace can say "Service backend" rather than an IP. */
  service?: string;
  pod?: string;
}

/**
 * NOERROR and NXDOMAIN are what cluster DNS (or /etc/hosts) answers; UNKNOWN is a name a
 * resolver outside the simulation answers (CoreDNS's upstream, or a pod's own nameservers).
 */
export type DnsRcode = 'NOERROR' | 'NXDOMAIN' | 'UNKNOWN';

/** Who answered: the pod's /etc/hosts (hostAliases, its own hostname), CoreDNS, or a resolver outside the simulation. */
export type DnsAnsweredBy = 'hosts' | 'cluster' | 'upstream';

export interface DnsResult {
  query: string;
  type: RecordType;
  rcode: DnsRcode;
  answers: DnsRecord[];
  /** Every fully qualified name tried, in order, as the pod's resolver would. */
  searched: string[];
  /** The name that answered (after the search list), when one did. */
  resolvedName?: string;
  /** True when the name went to a resolver outside the simulation, which answers it (rcode UNKNOWN). */
  forwarded: boolean;
  answeredBy: DnsAnsweredBy;
  /** The nameserver the pod asked (its resolv.conf's first), or undefined when /etc/hosts answered. */
  nameserver: string | undefined;
  /** A `<service>.<namespace>` whose namespace does not exist, with the likely one. */
  unknownNamespace?: UnknownNamespace;
  /** Why the lookup failed or where it went, in one sentence. */
  explanation: string;
}

/** How a pod resolves names: its search list, ndots and whether cluster DNS serves it. */
export interface ResolverConfig {
  searches: string[];
  ndots: number;
  /** Whether the first nameserver, the one the resolver asks, is cluster DNS. */
  clusterDns: boolean;
  nameservers: string[];
}

/** One line of a pod's /etc/hosts: what kubelet writes from hostAliases and the pod's own name. */
export interface HostsEntry {
  ip: string;
  hostnames: string[];
  /** `hostAliases` when the entry comes from the pod spec, `kubelet` for the pod's own hostname line. */
  origin: 'hostAliases' | 'kubelet';
}

/** Dashed form of an address, the identifier CoreDNS uses for pods and endpoints without a hostname. */
export function dashed(ip: string): string {
  return ipaddr.parse(ip).kind() === 'ipv4' ? ip.replace(/\./g, '-') : ipaddr.parse(ip).toNormalizedString().replace(/:/g, '-');
}

export function reverseName(ip: string): string {
  const addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv4') return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = addr
    .toByteArray()
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  return `${hex.split('').reverse().join('.')}.ip6.arpa`;
}
