// A pod's stub resolver, as glibc and musl run it over what kubelet writes: /etc/hosts first
// (hostAliases and the pod's own hostname), then resolv.conf's first nameserver, the name tried
// absolute and with each search domain in the order ndots gives, moving on after NXDOMAIN.
import { ipFamily, isIP } from '../cluster/ipam';
import type { SimPod } from '../cluster/model';
import { inClusterZone, meantForCluster, splitSrv, unknownNamespace, type NameBook } from './names';
import type { DnsRecord, DnsResult, HostsEntry, RecordType, ResolverConfig } from './records';

/** What the resolver needs of the zone: its records and what it knows about names. */
export interface ZoneView {
  readonly zone: string;
  readonly kubeDnsIP: string | undefined;
  readonly book: NameBook;
  lookup(name: string, type: RecordType): { exists: boolean; answers: DnsRecord[] };
  /** The Service a `<name>.<ns>.svc.<zone>` names, with its named ports, for explaining an SRV miss. */
  namedPorts(fqdn: string): { service: string; ports: string[] } | undefined;
}

type From = SimPod | { namespace: string };

/** The resolver a pod gets from its dnsPolicy and dnsConfig (what kubelet writes to resolv.conf). */
export function resolverFor(z: ZoneView, pod: From): ResolverConfig {
  const clusterSearch = [`${pod.namespace}.svc.${z.zone}`, `svc.${z.zone}`, z.zone];
  const base: ResolverConfig = { searches: clusterSearch, ndots: 5, clusterDns: true, nameservers: z.kubeDnsIP ? [z.kubeDnsIP] : [] };
  if (!('dnsPolicy' in pod)) return base;
  let cfg = base;
  const policy = pod.dnsPolicy === 'ClusterFirst' && pod.hostNetwork ? 'Default' : pod.dnsPolicy;
  if (policy === 'Default') cfg = { searches: [], ndots: 1, clusterDns: false, nameservers: ['(node resolv.conf)'] };
  if (policy === 'None') cfg = { searches: [], ndots: 1, clusterDns: false, nameservers: [] };
  if (pod.dnsConfig) {
    const nameservers = policy === 'None' ? pod.dnsConfig.nameservers : [...cfg.nameservers, ...pod.dnsConfig.nameservers];
    const ndotsOpt = pod.dnsConfig.options.find((o) => o.name === 'ndots');
    cfg = {
      searches: [...cfg.searches, ...pod.dnsConfig.searches.filter((s) => !cfg.searches.includes(s))],
      ndots: ndotsOpt?.value !== undefined && /^\d+$/.test(ndotsOpt.value) ? Number(ndotsOpt.value) : cfg.ndots,
      // The resolver asks the first nameserver; the others only when it does not answer at all.
      clusterDns: z.kubeDnsIP !== undefined && nameservers[0] === z.kubeDnsIP,
      nameservers,
    };
  }
  return cfg;
}

/** The pod's /etc/hosts: the loopback names and its own hostname line (kubelet's), then the hostAliases entries. */
export function hostsFile(z: ZoneView, pod: From): HostsEntry[] {
  if (!('dnsPolicy' in pod)) return [];
  // Every /etc/hosts (kubelet's, or a host-network pod's node's) starts with the loopback names.
  const out: HostsEntry[] = [
    { ip: '127.0.0.1', hostnames: ['localhost'], origin: 'kubelet' },
    { ip: '::1', hostnames: ['localhost', 'ip6-localhost', 'ip6-loopback'], origin: 'kubelet' },
  ];
  if (pod.ip && !pod.hostNetwork) {
    const host = (pod.hostname ?? pod.name).slice(0, 63);
    const names = pod.subdomain ? [`${host}.${pod.subdomain}.${pod.namespace}.svc.${z.zone}`, host] : [host];
    out.push({ ip: pod.ip, hostnames: names, origin: 'kubelet' });
  }
  for (const a of pod.hostAliases ?? []) out.push({ ip: a.ip, hostnames: a.hostnames, origin: 'hostAliases' });
  return out;
}

/**
 * Resolves a name as a pod's stub resolver does: /etc/hosts for the name as written; then absolute
 * names once, otherwise the search list before the bare name when it has fewer dots than ndots,
 * after it when it has as many. A name outside the cluster's reach goes to a resolver outside the
 * simulation: its answer is UNKNOWN, never a guessed NOERROR.
 */
export function resolveName(z: ZoneView, name: string, from: From, type: RecordType = 'A'): DnsResult {
  const query = name.trim();
  const bare = query.replace(/\.$/, '');
  const hosts = type === 'A' || type === 'AAAA' ? fromHosts(z, from, bare.toLowerCase(), type) : undefined;
  if (hosts) return { ...hosts, query, type };
  const cfg = sharedResolver(z, from);
  const nameserver = cfg.nameservers[0];
  const candidates: string[] = [];
  if (query.endsWith('.')) candidates.push(bare);
  else {
    const dots = (bare.match(/\./g) ?? []).length;
    const searched = cfg.searches.map((s) => `${bare}.${s}`);
    if (dots >= cfg.ndots) candidates.push(bare, ...searched);
    else candidates.push(...searched, bare);
  }
  const base = { query, type, nameserver, answeredBy: 'cluster' as const, forwarded: false };
  const tried: string[] = [];
  let anyExists = false;
  const outside = cfg.clusterDns ? 'the upstream resolver' : `the pod's nameserver ${nameserver ?? '(none)'}`;
  for (const fqdn of candidates) {
    tried.push(fqdn);
    if (!meantForCluster(z.book, fqdn)) {
      // Someone outside the simulation answers this; what it answers is not known here. Were it
      // NXDOMAIN, the resolver would go on with the rest of the list.
      const rest = candidates.slice(tried.length);
      const via = cfg.clusterDns
        ? `outside ${z.zone}: CoreDNS forwards it to the upstream resolver`
        : `asked of ${outside}, not cluster DNS`;
      return {
        ...base,
        rcode: 'UNKNOWN',
        answers: [],
        searched: tried,
        resolvedName: fqdn,
        forwarded: true,
        answeredBy: 'upstream',
        explanation: `${fqdn} is ${via}; answered upstream, unknown here${rest.length ? ` (should it be NXDOMAIN there, the resolver goes on with ${rest.join(', ')})` : ''}.`,
      };
    }
    if (!cfg.clusterDns) continue;
    const hit = z.lookup(fqdn, type);
    anyExists ||= hit.exists;
    if (hit.answers.length > 0) {
      const answers = [...hit.answers];
      const cname = answers.find((a) => a.type === 'CNAME');
      if (cname && type !== 'CNAME') {
        // ExternalName "1.2.3.4": the CNAME target is a name of digits that no DNS server resolves
        // (the Service API's own warning), so the chain ends in NXDOMAIN and the client gets no address.
        if (isIP(cname.value))
          return {
            ...base,
            rcode: 'NXDOMAIN',
            answers,
            searched: tried,
            resolvedName: fqdn,
            explanation: `${fqdn} is an ExternalName alias for "${cname.value}", which is an IP address written as a name: CoreDNS answers the CNAME, and resolving "${cname.value}." as a DNS name finds nothing (NXDOMAIN), so no address reaches the client. Use a selector-less Service with an EndpointSlice for an IP.`,
          };
        const chained = inClusterZone(z.book, cname.value) ? z.lookup(cname.value, type).answers : [];
        answers.push(...chained);
      }
      // The explanation is written when read: references resolve by the thousand and few are explained.
      return withExplanation({ ...base, rcode: 'NOERROR', answers, searched: tried, resolvedName: fqdn }, () =>
        describeAnswer(fqdn, answers),
      );
    }
  }
  const unknownNs = unknownNamespace(z.book, bare);
  return {
    ...base,
    rcode: anyExists ? 'NOERROR' : 'NXDOMAIN',
    answers: [],
    searched: tried,
    ...(unknownNs ? { unknownNamespace: unknownNs } : {}),
    explanation: `${query}: ${failure(z, cfg, bare, type, tried, anyExists, unknownNs, outside)}.`,
  };
}

function failure(
  z: ZoneView,
  cfg: ResolverConfig,
  bare: string,
  type: RecordType,
  tried: string[],
  anyExists: boolean,
  ns: ReturnType<typeof unknownNamespace>,
  outside: string,
): string {
  if (!cfg.clusterDns)
    return `this pod does not use cluster DNS (it asks ${outside.replace(/^the pod's /, 'its ')}: dnsPolicy Default or None, or hostNetwork without ClusterFirstWithHostNet), and no resolver outside the cluster knows cluster names`;
  if (anyExists) return `the name exists but has no ${type} record`;
  if (ns) {
    const fix = ns.suggestion ? ` (did you mean ${ns.suggestion}? ${ns.service}.${ns.suggestion})` : '';
    const last = tried[tried.length - 1] ?? bare;
    const upstream = inClusterZone(z.book, last)
      ? ''
      : `, and ${last}, asked of the upstream resolver last, names no cluster Service there`;
    return `there is no namespace ${ns.namespace} in the cluster${fix}; every name tried under ${z.zone} is NXDOMAIN${upstream}`;
  }
  const srv = splitSrv(bare);
  if (srv) {
    for (const fqdn of tried) {
      const owner = z.namedPorts(fqdn.replace(/^_[^.]+\._[^.]+\./, ''));
      if (owner)
        return `Service ${owner.service} has no port named ${srv.port} over ${srv.protocol.toUpperCase()} (its named ports: ${owner.ports.join(', ') || 'none'}), so ${fqdn} is NXDOMAIN`;
    }
  }
  return 'no Service, pod or record of that name exists in the cluster';
}

/**
 * The resolver of a pod, shared by the pods that get the cluster's default (ClusterFirst, no
 * dnsConfig, not hostNetwork): theirs depends on the namespace alone, and a new one per lookup
 * was most of what resolving the workspace's references allocated. Read only.
 */
const defaultResolvers = new WeakMap<ZoneView, Map<string, ResolverConfig>>();

function sharedResolver(z: ZoneView, from: From): ResolverConfig {
  if ('dnsPolicy' in from && (from.dnsPolicy !== 'ClusterFirst' || from.hostNetwork || from.dnsConfig)) return resolverFor(z, from);
  let byNamespace = defaultResolvers.get(z);
  if (!byNamespace) defaultResolvers.set(z, (byNamespace = new Map<string, ResolverConfig>()));
  let cfg = byNamespace.get(from.namespace);
  if (!cfg) byNamespace.set(from.namespace, (cfg = resolverFor(z, { namespace: from.namespace })));
  return cfg;
}

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/** Whether some line of the pod's /etc/hosts (hostsFile) names `name`, without writing the file out. */
function inHostsFile(z: ZoneView, from: From, name: string): boolean {
  if (!('dnsPolicy' in from)) return false;
  if (LOOPBACK_NAMES.has(name)) return true;
  if (from.ip && !from.hostNetwork) {
    const host = (from.hostname ?? from.name).slice(0, 63);
    if (host.toLowerCase() === name) return true;
    if (from.subdomain && `${host}.${from.subdomain}.${from.namespace}.svc.${z.zone}`.toLowerCase() === name) return true;
  }
  return (from.hostAliases ?? []).some((a) => a.hostnames.some((h) => h.toLowerCase() === name));
}

/** /etc/hosts answers a name written exactly as one of its hostnames, before any DNS query. */
function fromHosts(z: ZoneView, from: From, name: string, type: 'A' | 'AAAA'): Omit<DnsResult, 'query' | 'type'> | undefined {
  if (!inHostsFile(z, from, name)) return undefined;
  const entries = hostsFile(z, from).filter((e) => e.hostnames.some((h) => h.toLowerCase() === name));
  if (entries.length === 0) return undefined;
  const family = type === 'A' ? 'ipv4' : 'ipv6';
  const answers: DnsRecord[] = entries
    .filter((e) => ipFamily(e.ip) === family)
    .map((e) => ({ name, type, value: e.ip, ...('dnsPolicy' in from ? { pod: `${from.namespace}/${from.name}` } : {}) }));
  if (answers.length === 0) return undefined;
  const origin = entries[0]?.origin === 'hostAliases' ? 'hostAliases' : "the pod's own hostname line";
  return {
    rcode: 'NOERROR',
    answers,
    searched: [name],
    resolvedName: name,
    forwarded: false,
    answeredBy: 'hosts',
    nameserver: undefined,
    explanation: `${name} is in the pod's /etc/hosts (${origin}): ${answers.map((a) => a.value).join(', ')}, answered before any DNS query.`,
  };
}

/** Adds `explanation` as an enumerable property computed on first read (JSON, spreads and structured clones still see it). */
function withExplanation<T extends object>(value: T, make: () => string): T & { explanation: string } {
  let cached: string | undefined;
  Object.defineProperty(value, 'explanation', { enumerable: true, configurable: true, get: () => (cached ??= make()) });
  return value as T & { explanation: string };
}

function describeAnswer(fqdn: string, answers: DnsRecord[]): string {
  const first = answers[0];
  if (!first) return fqdn;
  if (first.type === 'CNAME') return `${fqdn} is an ExternalName alias for ${first.value}.`;
  if (first.service) return `${fqdn} is Service ${first.service}: ${answers.map((a) => a.value).join(', ')}.`;
  return `${fqdn}: ${answers.map((a) => a.value).join(', ')}.`;
}
