// Keys for what a DNS lookup reads (see incremental/memo.ts): the zone (every Service's records, the pods'
// addresses for pod A records and /etc/hosts, the namespaces for hints) and the asking pod's
// resolver (namespace, dnsPolicy, dnsConfig, hostAliases, its own name and address). Labels are not
// read, except by a headless Service without ports, whose records come from the pods it selects.
import type { Cluster, SimPod, SimService } from '../cluster/model';
import type { Identities, Interned } from '../incremental/memo';

/**
 * What the zone reads of a Service, by Service object (cluster/stable.ts keeps an unchanged one; one of an
 * edited file is new and equal in these fields when the edit was elsewhere in the file).
 */
const serviceRecords = new WeakMap<SimService, string>();

function recordsOf(s: SimService): string {
  let key = serviceRecords.get(s);
  if (key === undefined) {
    key = JSON.stringify([
      s.namespace,
      s.name,
      s.type,
      s.externalName,
      s.headless,
      s.clusterIP,
      s.clusterIPs,
      s.publishNotReadyAddresses,
      s.selector,
      s.ports.map((p) => [p.name, p.protocol, p.port]),
      s.headless ? s.endpointsByPort.map((eps) => eps.map((e) => [e.ip, e.hostname, e.pod, e.ready])) : 0,
    ]);
    serviceRecords.set(s, key);
  }
  return key;
}

/** The zone's contents as one number: the Services' records, and the pods by what the zone reads of them. */
export function zoneKey(cluster: Cluster, ids: Identities, texts: Interned, previous?: ZoneInputs): number {
  const byLabels = cluster.services.some((s) => s.headless && s.ports.length === 0 && s.selector !== null);
  const settings = JSON.stringify(cluster.settings);
  const namespaces = [...cluster.namespaces.keys()].join(',');
  // Most analyses change nothing the zone reads: compared with the previous one's inputs field by
  // field, without spelling out (and hashing) a text of every pod.
  if (previous?.same(cluster, settings, namespaces, byLabels)) {
    previous.remember(cluster, settings, namespaces, byLabels, previous.key);
    return previous.key;
  }
  let pods = '';
  for (const p of cluster.pods)
    pods += `${p.namespace}/${p.name}=${p.ip},${p.ipv6},${p.hostNetwork ? 1 : 0},${p.ready ? 1 : 0},${p.hostname},${p.subdomain}${byLabels ? `,${ids.of(p.labels)}` : ''};`;
  const key = texts.of(`${settings}|${namespaces}|${cluster.services.map(recordsOf).join(',')}|${pods}`);
  previous?.remember(cluster, settings, namespaces, byLabels, key);
  return key;
}

/** What the previous analysis's zone key was made from (kept in its IncrementalState). */
export class ZoneInputs {
  private pods: readonly SimPod[] = [];
  private services: readonly SimService[] = [];
  private settings = '';
  private namespaces = '';
  private byLabels = false;
  key = 0;

  same(cluster: Cluster, settings: string, namespaces: string, byLabels: boolean): boolean {
    if (this.key === 0 || settings !== this.settings || namespaces !== this.namespaces || byLabels !== this.byLabels) return false;
    const { pods, services } = cluster;
    if (pods.length !== this.pods.length || services.length !== this.services.length) return false;
    for (let i = 0; i < pods.length; i++) {
      const a = pods[i] as SimPod;
      const b = this.pods[i] as SimPod;
      if (a !== b && !(sameRecords(a, b) && (!byLabels || a.labels === b.labels))) return false;
    }
    for (let i = 0; i < services.length; i++) {
      const a = services[i] as SimService;
      const b = this.services[i] as SimService;
      if (a !== b && recordsOf(a) !== recordsOf(b)) return false;
    }
    return true;
  }

  remember(cluster: Cluster, settings: string, namespaces: string, byLabels: boolean, key: number): void {
    this.pods = [...cluster.pods];
    this.services = [...cluster.services];
    this.settings = settings;
    this.namespaces = namespaces;
    this.byLabels = byLabels;
    this.key = key;
  }
}

/** The fields of a pod the zone key spells out (its labels aside). */
function sameRecords(a: SimPod, b: SimPod): boolean {
  return (
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.ip === b.ip &&
    a.ipv6 === b.ipv6 &&
    a.hostNetwork === b.hostNetwork &&
    a.ready === b.ready &&
    a.hostname === b.hostname &&
    a.subdomain === b.subdomain
  );
}

/** What a lookup reads of where it is asked from. */
export function askerKey(from: SimPod | { namespace: string }, ids: Identities): string {
  if (!('name' in from)) return from.namespace;
  const p = from;
  return `${p.namespace}/${p.name}|${p.dnsPolicy}|${p.hostNetwork ? 1 : 0}|${p.ip}|${p.hostname}|${p.subdomain}|${ids.of(p.dnsConfig)}|${ids.of(p.hostAliases)}`;
}
