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
export function zoneKey(cluster: Cluster, ids: Identities, texts: Interned): number {
  const byLabels = cluster.services.some((s) => s.headless && s.ports.length === 0 && s.selector !== null);
  let pods = '';
  for (const p of cluster.pods)
    pods += `${p.namespace}/${p.name}=${p.ip},${p.ipv6},${p.hostNetwork ? 1 : 0},${p.ready ? 1 : 0},${p.hostname},${p.subdomain}${byLabels ? `,${ids.of(p.labels)}` : ''};`;
  return texts.of(
    `${JSON.stringify(cluster.settings)}|${[...cluster.namespaces.keys()].join(',')}|${cluster.services.map(recordsOf).join(',')}|${pods}`,
  );
}

/** What a lookup reads of where it is asked from. */
export function askerKey(from: SimPod | { namespace: string }, ids: Identities): string {
  if (!('name' in from)) return from.namespace;
  const p = from;
  return `${p.namespace}/${p.name}|${p.dnsPolicy}|${p.hostNetwork ? 1 : 0}|${p.ip}|${p.hostname}|${p.subdomain}|${ids.of(p.dnsConfig)}|${ids.of(p.hostAliases)}`;
}
