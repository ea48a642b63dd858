import { mapMatches } from '../cluster/labels';
import { ipFamily } from '../cluster/ipam';
import { podId, serviceId, type Cluster, type SimPod, type SimService } from '../cluster/model';
import { dashed, reverseName, type DnsRecord, type DnsResult, type HostsEntry, type RecordType, type ResolverConfig } from './records';
import type { NameBook } from './names';
import { hostsFile, resolveName, resolverFor, type ZoneView } from './resolve';

export type { DnsAnsweredBy, DnsRcode, DnsRecord, DnsResult, HostsEntry, RecordType, ResolverConfig } from './records';
export { dashed, reverseName } from './records';

const SCHEMA_VERSION = '1.1.0';

/**
 * The records cluster DNS serves, per the Kubernetes DNS specification (schema 1.1.0), built once
 * per simulation and looked up by name.
 */
export class DnsZone implements ZoneView {
  readonly zone: string;
  private readonly records = new Map<string, DnsRecord[]>();
  readonly kubeDnsIP: string | undefined;
  readonly book: NameBook;

  constructor(private readonly cluster: Cluster) {
    this.zone = cluster.settings.clusterDomain.toLowerCase();
    const services = new Map<string, string[]>();
    for (const s of cluster.services) services.set(s.name.toLowerCase(), [...(services.get(s.name.toLowerCase()) ?? []), s.namespace]);
    this.book = { zone: this.zone, namespaces: new Set([...cluster.namespaces.keys()].map((n) => n.toLowerCase())), services };
    this.kubeDnsIP = cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns')?.clusterIP;
    this.podSuffix = `.pod.${this.zone}`;
  }

  /**
   * Pod records (`1-2-3-4.ns.pod.<zone>`) are added when a name in that subdomain is first looked
   * up: few lookups ever ask, and a record per pod was most of building the zone. No other record
   * has a name in it (Service names have `svc` where pod names have `pod`).
   */
  private readonly podSuffix: string;
  private podsAdded = false;
  private servicesAdded = false;

  /**
   * The Services' records, added on the first lookup: a re-analysis answers its references'
   * lookups from the previous analysis (dns/lookupKeys.ts) and may ask none itself.
   */
  private addServices(): void {
    this.servicesAdded = true;
    this.add({ name: `dns-version.${this.zone}`, type: 'TXT', value: `"${SCHEMA_VERSION}"` });
    for (const svc of this.cluster.services) this.addService(svc);
  }

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
    if (!this.servicesAdded) this.addServices();
    if (!this.podsAdded && key.endsWith(this.podSuffix)) this.addPods();
    const records = this.records.get(key);
    if (!records) return { exists: false, answers: [] };
    const direct = records.filter((r) => r.type === type);
    if (direct.length > 0 || type === 'CNAME') return { exists: true, answers: direct };
    const cname = records.filter((r) => r.type === 'CNAME');
    return { exists: true, answers: cname };
  }

  /** The Service a `<name>.<ns>.svc.<zone>` names and its named ports (`http/TCP`), for explaining an SRV miss. */
  namedPorts(fqdn: string): { service: string; ports: string[] } | undefined {
    const n = fqdn.toLowerCase().replace(/\.$/, '');
    const svc = this.cluster.services.find((s) => `${s.name}.${s.namespace}.svc.${this.zone}`.toLowerCase() === n);
    if (!svc) return undefined;
    return { service: serviceId(svc), ports: svc.ports.filter((p) => p.name !== undefined).map((p) => `${p.name}/${p.protocol}`) };
  }

  /** The resolver a pod gets from its dnsPolicy and dnsConfig (what kubelet writes to resolv.conf). */
  resolverFor(pod: SimPod | { namespace: string }): ResolverConfig {
    // Once per pod and zone: the DNS checks ask for every pod each policy selecting it selects. Shared: not mutated.
    let cfg = this.resolvers.get(pod);
    if (!cfg) this.resolvers.set(pod, (cfg = resolverFor(this, pod)));
    return cfg;
  }

  private readonly resolvers = new WeakMap<object, ResolverConfig>();

  /** The pod's /etc/hosts entries: the loopback names, its hostname line, hostAliases. */
  hostsFor(pod: SimPod | { namespace: string }): HostsEntry[] {
    return hostsFile(this, pod);
  }

  /** Resolves a name as the pod's resolver does (see resolveName). */
  resolve(name: string, from: SimPod | { namespace: string }, type: RecordType = 'A'): DnsResult {
    return resolveName(this, name, from, type);
  }
}
