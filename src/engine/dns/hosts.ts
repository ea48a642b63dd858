import { isIP } from '../cluster/ipam';

/** A host (and maybe a port) named inside a text such as an env value or a URL. */
export interface HostReference {
  host: string;
  /** The explicit port, or the scheme's well-known port; undefined when neither is known. */
  port: number | undefined;
  explicitPort: boolean;
  scheme: string | undefined;
  /** Offset of the host inside the text. */
  index: number;
  /** The whole reference as written (`http://backend:8080/api`, `redis:6379`). */
  text: string;
}

const SCHEME_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  grpc: 80,
  grpcs: 443,
  redis: 6379,
  rediss: 6379,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mongodb: 27017,
  amqp: 5672,
  amqps: 5671,
  nats: 4222,
  kafka: 9092,
  memcached: 11211,
  ftp: 21,
  ldap: 389,
  ldaps: 636,
  smtp: 25,
};

const URL_RE = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^@/\s'"]*@)?(\[[0-9a-f:]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::(\d{1,5}))?/gi;
// `host:port` items, alone or in a comma/space separated list (Kafka bootstrap servers, Redis sentinels).
const HOSTPORT_RE = /(?:^|[\s,;=])([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*):(\d{1,5})(?=$|[\s,;/])/gi;
const LOCAL = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', '0.0.0.0']);

/** Hosts a text names: URLs and `host:port` items. Loopback and literal IPs are left out (they are not DNS names). */
export function findHostReferences(text: string): HostReference[] {
  if (text.length > 4096) return []; // certificates and scripts, not connection strings
  const refs: HostReference[] = [];
  const taken: Array<[number, number]> = [];
  for (const m of text.matchAll(URL_RE)) {
    const scheme = (m[1] ?? '').toLowerCase();
    const host = m[2] ?? '';
    const hostIndex = (m.index ?? 0) + m[0].lastIndexOf(host, m[0].length - (m[3] ? m[3].length + 1 : 0));
    taken.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
    if (skipHost(host)) continue;
    const explicit = m[3] !== undefined;
    refs.push({
      host: host.toLowerCase(),
      port: explicit ? Number(m[3]) : SCHEME_PORTS[scheme],
      explicitPort: explicit,
      scheme,
      index: hostIndex,
      text: m[0],
    });
  }
  for (const m of text.matchAll(HOSTPORT_RE)) {
    const host = m[1] ?? '';
    const index = (m.index ?? 0) + m[0].indexOf(host);
    if (taken.some(([a, b]) => index >= a && index < b)) continue;
    if (skipHost(host) || /^\d+$/.test(host)) continue;
    const port = Number(m[2]);
    if (port < 1 || port > 65535) continue;
    refs.push({ host: host.toLowerCase(), port, explicitPort: true, scheme: undefined, index, text: `${host}:${m[2]}` });
  }
  return refs.sort((a, b) => a.index - b.index);
}

function skipHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return LOCAL.has(h) || isIP(h) || h.startsWith('127.') || h.endsWith('.example') || h.includes('_');
}
