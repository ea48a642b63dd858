import ipaddr from 'ipaddr.js';
import { mapMatches } from '../cluster/labels';
import { ipFamily } from '../cluster/ipam';
import { podId, serviceId, type Cluster, type SimPod, type SimService } from '../cluster/model';

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

export type DnsRcode = 'NOERROR' | 'NXDOMAIN';

export interface DnsResult {
  query: string;
  type: RecordType;
  rcode: DnsRcode;
  answers: DnsRecord[];
  /** Every fully qualified name tried, in order, as the pod's resolver would. */
  searched: string[];
  /** The name that answered (after the search list), when one did. */
  resolvedName?: string;
  /** True when the name lies outside the cluster's zone and goes to the upstream resolver. */
  forwarded: boolean;
  /** Why the lookup failed or where it went, in one sentence. */
  explanation: string;
}

/** How a pod resolves names: its search list, ndots and whether cluster DNS serves it. */
export interface ResolverConfig {
  searches: string[];
  ndots: number;
  clusterDns: boolean;
  nameservers: string[];
}

const SCHEMA_VERSION = '1.1.0';

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

/**
 * The records cluster DNS serves, per the Kubernetes DNS specification (schema 1.1.0), built once
 * per simulation and looked up by name.
 */
export class DnsZone {
  readonly zone: string;
  private readonly records = new Map<string, DnsRecord[]>();
  readonly kubeDnsIP: string | undefined;
  private readonly namespaces: Set<string>;

  constructor(private readonly cluster: Cluster) {
    this.zone = cluster.settings.clusterDomain.toLowerCase();
    this.namespaces = new Set([...cluster.namespaces.keys()].map((n) => n.toLowerCase()));
    this.kubeDnsIP = cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns')?.clusterIP;
    this.add({ name: `dns-version.${this.zone}`, type: 'TXT', value: `"${SCHEMA_VERSION}"` });
    for (const svc of cluster.services) this.addService(svc);
    this.podSuffix = `.pod.${this.zone}`;
  }

  /**
   * Pod records (`1-2-3-4.ns.pod.<zone>`) are added when a name in that subdomain is first looked
   * up: few lookups ever ask, and a record per pod was most of building the zone. No other record
   * has a name in it (Service names have `svc` where pod names have `pod`).
   */
  private readonly podSuffix: string;
  private podsAdded = false;

  private addPods(): void {
    this.podsAdded = true;
    for (const pod of this.cluster.pods) {
      if (pod.ip && !pod.hostNetwork)
        this.add({
          name: `${dashed(pod.ip)}.${pod.namespace}.pod.${this.zone}`,
          type: ipFamily(pod.ip) === 'ipv4' ? 'A' : 'AAAA',
          value: pod.ip,
          pod: podId(pod),
        });
    }
  }

  private add(r: DnsRecord): void {
    const key = r.name.toLowerCase();
    const list = this.records.get(key) ?? [];
    list.push(r);
    this.records.set(key, list);
  }

  private addService(svc: SimService): void {
    const id = serviceId(svc);
    const fqdn = `${svc.name}.${svc.namespace}.svc.${this.zone}`;
    if (svc.type === 'ExternalName') {
      if (svc.externalName) this.add({ name: fqdn, type: 'CNAME', value: svc.externalName, service: id });
      return;
    }
    const named = svc.ports.filter((p) => p.name !== undefined);
    if (!svc.headless) {
      for (const ip of svc.clusterIPs) {
        this.add({ name: fqdn, type: ipFamily(ip) === 'ipv4' ? 'A' : 'AAAA', value: ip, service: id });
        this.add({ name: reverseName(ip), type: 'PTR', value: fqdn, service: id });
      }
      for (const p of named)
        this.add({ name: `_${p.name}._${p.protocol.toLowerCase()}.${fqdn}`, type: 'SRV', value: `0 100 ${p.port} ${fqdn}`, service: id });
      return;
    }
    // Headless: one record per ready endpoint address, plus per-hostname records.
    const endpoints = new Map<string, { ip: string; hostname: string | undefined; pod: string }>();
    for (const e of this.headlessAddresses(svc)) if (!endpoints.has(e.ip)) endpoints.set(e.ip, e);
    for (const e of endpoints.values()) {
      const type = ipFamily(e.ip) === 'ipv4' ? 'A' : 'AAAA';
      this.add({ name: fqdn, type, value: e.ip, service: id, pod: e.pod });
      const host = `${e.hostname ?? dashed(e.ip)}.${fqdn}`;
      this.add({ name: host, type, value: e.ip, service: id, pod: e.pod });
      this.add({ name: reverseName(e.ip), type: 'PTR', value: host, service: id, pod: e.pod });
      for (const p of named)
        this.add({
          name: `_${p.name}._${p.protocol.toLowerCase()}.${fqdn}`,
          type: 'SRV',
          value: `0 100 ${p.port} ${host}`,
          service: id,
          pod: e.pod,
        });
    }
  }

  private headlessAddresses(svc: SimService): Array<{ ip: string; hostname: string | undefined; pod: string }> {
    if (svc.ports.length > 0 || svc.selector === null) {
      return svc.endpointsByPort
        .flat()
        .filter((e) => e.ready || svc.publishNotReadyAddresses)
        .map((e) => ({ ip: e.ip, hostname: e.hostname, pod: e.pod }));
    }
    // A headless Service without ports still publishes the addresses of the pods it selects.
    return this.cluster.pods
      .filter(
        (p) =>
          p.namespace === svc.namespace && p.ip && (p.ready || svc.publishNotReadyAddresses) && mapMatches(svc.selector ?? {}, p.labels),
      )
      .map((p) => ({ ip: p.ip as string, hostname: p.subdomain === svc.name ? p.hostname : undefined, pod: podId(p) }));
  }

  /** Exact-name lookup, as CoreDNS answers one query (case-insensitive). */
  lookup(name: string, type: RecordType): { exists: boolean; answers: DnsRecord[] } {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (!this.podsAdded && key.endsWith(this.podSuffix)) this.addPods();
    const records = this.records.get(key);
    if (!records) return { exists: false, answers: [] };
    const direct = records.filter((r) => r.type === type);
    if (direct.length > 0 || type === 'CNAME') return { exists: true, answers: direct };
    const cname = records.filter((r) => r.type === 'CNAME');
    return { exists: true, answers: cname };
  }

  /** Whether a name is the cluster's to answer (CoreDNS is authoritative) rather than upstream's. */
  isClusterName(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    if (!n.includes('.')) return true;
    if (n === this.zone || n.endsWith(`.${this.zone}`) || n.endsWith('.in-addr.arpa') || n.endsWith('.ip6.arpa')) return true;
    const tld = n.slice(n.lastIndexOf('.') + 1);
    return tld === 'svc' || tld === 'pod' || this.namespaces.has(tld);
  }

  /** The resolver a pod gets from its dnsPolicy and dnsConfig (what kubelet writes to resolv.conf). */
  resolverFor(pod: SimPod | { namespace: string }): ResolverConfig {
    const clusterSearch = [`${pod.namespace}.svc.${this.zone}`, `svc.${this.zone}`, this.zone];
    const base: ResolverConfig = {
      searches: clusterSearch,
      ndots: 5,
      clusterDns: true,
      nameservers: this.kubeDnsIP ? [this.kubeDnsIP] : [],
    };
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
        clusterDns: cfg.clusterDns || (this.kubeDnsIP !== undefined && nameservers.includes(this.kubeDnsIP)),
        nameservers,
      };
    }
    return cfg;
  }

  /**
   * Resolves a name as a pod's stub resolver does: absolute names once; otherwise the search
   * list before the bare name when it has fewer dots than ndots, after it when it has as many.
   */
  resolve(name: string, from: SimPod | { namespace: string }, type: RecordType = 'A'): DnsResult {
    const query = name.trim();
    const cfg = this.resolverFor(from);
    const bare = query.replace(/\.$/, '');
    const candidates: string[] = [];
    if (query.endsWith('.')) candidates.push(bare);
    else {
      const dots = (bare.match(/\./g) ?? []).length;
      const searched = cfg.searches.map((s) => `${bare}.${s}`);
      if (dots >= cfg.ndots) candidates.push(bare, ...searched);
      else candidates.push(...searched, bare);
    }
    const tried: string[] = [];
    let anyExists = false;
    for (const fqdn of candidates) {
      tried.push(fqdn);
      if (!this.isClusterName(fqdn)) {
        // Upstream answers this; the simulation cannot know what, and does not pretend to.
        return {
          query,
          type,
          rcode: 'NOERROR',
          answers: [],
          searched: tried,
          resolvedName: fqdn,
          forwarded: true,
          explanation: `${fqdn} is outside ${this.zone}; CoreDNS forwards it to the upstream resolver.`,
        };
      }
      if (!cfg.clusterDns) continue;
      const hit = this.lookup(fqdn, type);
      anyExists ||= hit.exists;
      if (hit.answers.length > 0) {
        const answers = [...hit.answers];
        const cname = answers.find((a) => a.type === 'CNAME');
        if (cname && type !== 'CNAME') {
          const chained = this.isClusterName(cname.value) ? this.lookup(cname.value, type).answers : [];
          answers.push(...chained);
        }
        return {
          query,
          type,
          rcode: 'NOERROR',
          answers,
          searched: tried,
          resolvedName: fqdn,
          forwarded: false,
          explanation: describeAnswer(fqdn, answers),
        };
      }
    }
    const why = !cfg.clusterDns
      ? 'this pod does not use cluster DNS (dnsPolicy Default/None, or hostNetwork without ClusterFirstWithHostNet), so cluster names do not resolve'
      : anyExists
        ? `the name exists but has no ${type} record`
        : `no Service, pod or record of that name exists in the cluster`;
    return {
      query,
      type,
      rcode: anyExists ? 'NOERROR' : 'NXDOMAIN',
      answers: [],
      searched: tried,
      forwarded: false,
      explanation: `${query}: ${why}.`,
    };
  }
}

function describeAnswer(fqdn: string, answers: DnsRecord[]): string {
  const first = answers[0];
  if (!first) return fqdn;
  if (first.type === 'CNAME') return `${fqdn} is an ExternalName alias for ${first.value}.`;
  if (first.service) return `${fqdn} is Service ${first.service}: ${answers.map((a) => a.value).join(', ')}.`;
  return `${fqdn}: ${answers.map((a) => a.value).join(', ')}.`;
}
