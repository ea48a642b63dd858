// Which names a lookup means for the cluster and which for the world outside it. CoreDNS is
// authoritative for the cluster domain (and the reverse zones); every other name it forwards to the
// upstream resolver, whose answer the simulation cannot know. Some names outside the zone are
// still plainly meant for the cluster: `<service>.<namespace>` with a namespace that does not
// exist (`cartservice.defualt`), or an SRV name whose service part is a bare Service name. Their
// search-list expansions are NXDOMAIN in the cluster, and upstream holds no cluster Service, so
// they do not resolve; saying "forwarded, NOERROR" for them is the confident wrong answer.
import { editDistance } from '../diagnostics';

/**
 * Top-level domains a two-label name may plausibly end in: the generic and sponsored ones, the
 * most used of the new gTLDs, and the private-use names corporate resolvers serve. Any two-letter
 * label counts as a country code. A label outside this set is not proven absent from the root
 * zone, so it only makes a name cluster-meant together with other evidence (see below).
 */
const PUBLIC_TLDS = new Set(
  (
    'com net org edu gov mil int info biz name pro mobi asia tel travel jobs aero coop museum cat post xxx arpa ' +
    'app dev ai cloud tech online site xyz top shop store blog page web wiki art live news club space website fun ' +
    'icu vip work link click email solutions services systems network digital agency company global world today ' +
    'life group center media studio design codes host software tools zone run sh academy bank cafe city community ' +
    'consulting events expert finance foundation games guru health legal love market marketing one plus social ' +
    'support team tips training tv video ventures dog io me ly gg fm'
  ).split(' '),
);
/** Names no public resolver answers but a corporate or home resolver may (RFC 6762, 8375, ICANN's .internal). */
const PRIVATE_SUFFIXES = new Set(['local', 'localdomain', 'internal', 'intranet', 'lan', 'home', 'corp', 'private', 'test', 'invalid']);

/** Whether `label` may be a top-level domain an upstream resolver answers for. */
export function plausibleTld(label: string): boolean {
  const l = label.toLowerCase();
  return /^[a-z]{2}$/.test(l) || l.startsWith('xn--') || PUBLIC_TLDS.has(l) || PRIVATE_SUFFIXES.has(l);
}

/** What the cluster knows about names: its zone, namespaces and Service names. */
export interface NameBook {
  zone: string;
  namespaces: ReadonlySet<string>;
  /** Service name → the namespaces that hold a Service of that name. */
  services: ReadonlyMap<string, string[]>;
}

/** An SRV-style name split: `_http._tcp.backend.shop` → port `http`, protocol `tcp`, rest `backend.shop`. */
export function splitSrv(name: string): { port: string; protocol: string; rest: string } | undefined {
  const m = /^_([^.]+)\._(tcp|udp|sctp)\.(.+)$/i.exec(name);
  return m
    ? { port: (m[1] as string).toLowerCase(), protocol: (m[2] as string).toLowerCase(), rest: (m[3] as string).toLowerCase() }
    : undefined;
}

/** Whether CoreDNS answers `name` itself (the cluster zone, the reverse zones), not upstream. */
export function inClusterZone(book: NameBook, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === book.zone || n.endsWith(`.${book.zone}`) || n.endsWith('.in-addr.arpa') || n.endsWith('.ip6.arpa');
}

/** A `<service>.<namespace>` name whose namespace does not exist, with the namespace most likely meant. */
export interface UnknownNamespace {
  service: string;
  namespace: string;
  /** The closest known namespace, preferring those that hold a Service of that name. */
  suggestion: string | undefined;
}

/**
 * The `<service>.<namespace>` reading of a name (also `…svc` and `…svc.<zone>`, and behind an SRV
 * prefix) when its namespace is unknown and the name is meant for the cluster: it ends in the
 * cluster's `svc` or zone, or its last label is no plausible TLD and either its first label is a
 * Service of the cluster or the namespace label is a typo away from a known one.
 */
export function unknownNamespace(book: NameBook, name: string): UnknownNamespace | undefined {
  let n = name.toLowerCase().replace(/\.$/, '');
  n = splitSrv(n)?.rest ?? n;
  const zoneTail = `.svc.${book.zone}`;
  let meant = false;
  if (n.endsWith(zoneTail)) {
    n = n.slice(0, -zoneTail.length);
    meant = true;
  } else if (n.endsWith('.svc')) {
    n = n.slice(0, -'.svc'.length);
    meant = true;
  }
  const labels = n.split('.');
  if (labels.length !== 2) return undefined;
  const [service, namespace] = labels as [string, string];
  if (book.namespaces.has(namespace) || namespace === 'svc' || namespace === 'pod') return undefined;
  if (!meant && plausibleTld(namespace)) return undefined;
  const holders = book.services.get(service) ?? [];
  const close = closest(holders, namespace) ?? closest([...book.namespaces], namespace);
  if (!meant && holders.length === 0 && close === undefined) return undefined;
  return { service, namespace, suggestion: close ?? (holders.length === 1 ? holders[0] : undefined) };
}

/** The name of `pool` fewest edits (at most two) from `name`, the first in order on a tie. */
function closest(pool: string[], name: string): string | undefined {
  let best: { ns: string; d: number } | undefined;
  for (const ns of [...pool].sort()) {
    const d = editDistance(ns, name);
    if (d <= 2 && (!best || d < best.d)) best = { ns, d };
  }
  return best?.ns;
}

/**
 * Whether a name outside the cluster zone is still the cluster's to answer: a single label (after
 * any SRV prefix), a name ending in a namespace, `svc` or `pod`, a `<hostname>.<service>`, or a
 * `<service>.<namespace>` with an unknown namespace. Such a name that matches nothing does not resolve anywhere.
 */
export function meantForCluster(book: NameBook, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (inClusterZone(book, n)) return true;
  const rest = splitSrv(n)?.rest ?? n;
  if (!rest.includes('.')) return true;
  const tld = rest.slice(rest.lastIndexOf('.') + 1);
  if (tld === 'svc' || tld === 'pod' || book.namespaces.has(tld)) return true;
  // `<hostname>.<service>`, the short form of a headless Service's per-pod name (`web-0.nginx`).
  if (rest.split('.').length === 2 && book.services.has(tld) && !plausibleTld(tld)) return true;
  return unknownNamespace(book, n) !== undefined;
}
