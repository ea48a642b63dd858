import { FieldReader, isRecord } from '../manifests/fields';
import { EVERYTHING, readSelector, type LabelSelector } from '../cluster/labels';
import { cidrRange, subtractRanges, rangesCover, type IpRange } from './ipRanges';
import type { Origin, Protocol } from '../cluster/model';
import type { FieldPath, SourceRange } from '../source';
import { editDistance } from '../diagnostics';
import { type ManifestObject } from '../manifests/types';

/** The policy kinds a verdict can name: NetworkPolicy and the cluster-wide kinds of the network-policy API. */
export type PolicyKind =
  | 'NetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'ClusterNetworkPolicy'
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy'
  | 'CalicoNetworkPolicy'
  | 'GlobalNetworkPolicy';

/** A policy as a verdict names it: which object, and where it is. */
export interface PolicyRef {
  kind: PolicyKind;
  /** The policy's namespace; '' for the cluster-scoped kinds. */
  namespace: string;
  name: string;
  range: SourceRange | undefined;
}

/** `shop/deny-all` for a NetworkPolicy, the bare name for a cluster-scoped policy: unique within its kind. */
export function policyRefId(ref: Pick<PolicyRef, 'namespace' | 'name'>): string {
  return ref.namespace === '' ? ref.name : `${ref.namespace}/${ref.name}`;
}

export interface PolicyPort {
  index: number;
  protocol: Protocol;
  /** A number, a container port name, or undefined for every port of the protocol. */
  port: number | string | undefined;
  endPort: number | undefined;
  path: FieldPath;
}

export type PolicyPeer =
  | {
      kind: 'selector';
      index: number;
      path: FieldPath;
      podSelector: LabelSelector | undefined;
      namespaceSelector: LabelSelector | undefined;
    }
  | { kind: 'ipBlock'; index: number; path: FieldPath; cidr: string; except: string[]; ranges: IpRange[] }
  /** A peer the API server would reject; it admits nothing (dropping it could turn the rule into allow-all). */
  | { kind: 'invalid'; index: number; path: FieldPath };

export interface PolicyRule {
  index: number;
  path: FieldPath;
  /** Null when the rule names no peers (`from`/`to` absent or empty): it admits every peer, pods and addresses alike. */
  peers: PolicyPeer[] | null;
  /** Null when the rule names no ports: every port of every protocol. */
  ports: PolicyPort[] | null;
}

export type Direction = 'ingress' | 'egress';

/** A NetworkPolicy (networking.k8s.io/v1) read into the shape the engine evaluates. */
export interface SimNetworkPolicy {
  namespace: string;
  name: string;
  podSelector: LabelSelector;
  /** Whether the policy isolates the pods it selects for each direction (policyTypes, or its default). */
  affects: Record<Direction, boolean>;
  /** Whether policyTypes was written (it changes what an absent `egress` means). */
  explicitTypes: boolean;
  rules: Record<Direction, PolicyRule[]>;
  origin: Origin;
  ref: PolicyRef;
}

const SPEC_KEYS = ['podSelector', 'policyTypes', 'ingress', 'egress'];
const RULE_KEYS: Record<Direction, string[]> = { ingress: ['from', 'ports'], egress: ['to', 'ports'] };
const PEER_KEYS = ['podSelector', 'namespaceSelector', 'ipBlock'];
const PORT_KEYS = ['protocol', 'port', 'endPort'];
const IPBLOCK_KEYS = ['cidr', 'except'];

/** Reads one NetworkPolicy, reporting every field the API server would reject (manifest-invalid, at the field). */
export function readNetworkPolicy(o: ManifestObject, namespace: string, r: FieldReader): SimNetworkPolicy {
  const origin: Origin = { kind: 'manifest', object: o };
  const spec = r.map(['spec']);
  if (spec === undefined && r.raw(['spec']) === undefined)
    r.invalid([], 'A NetworkPolicy needs a `spec` with at least `podSelector` ({} selects every pod of the namespace).');
  if (spec) unknownKeys(r, ['spec'], spec, SPEC_KEYS, 'spec');
  const podSelector = readSelector(r, ['spec', 'podSelector']) ?? EVERYTHING;
  const rules: Record<Direction, PolicyRule[]> = { ingress: readRules(r, 'ingress'), egress: readRules(r, 'egress') };

  const typesRaw = r.list(['spec', 'policyTypes']);
  const affects: Record<Direction, boolean> = { ingress: false, egress: false };
  const explicitTypes = typesRaw !== undefined && typesRaw.length > 0;
  if (explicitTypes) {
    typesRaw.forEach((t, i) => {
      if (t === 'Ingress') affects.ingress = true;
      else if (t === 'Egress') affects.egress = true;
      else r.invalid(['spec', 'policyTypes', i], `policyTypes entries must be Ingress or Egress (capitalised), not ${JSON.stringify(t)}.`);
    });
  } else {
    // The API's default: every policy isolates ingress; egress only when it has egress rules.
    affects.ingress = true;
    affects.egress = rules.egress.length > 0;
  }
  // A getter: the position is computed only when a verdict is explained (locating is the costly part).
  const ref: PolicyRef = {
    kind: 'NetworkPolicy',
    namespace,
    name: o.name,
    get range() {
      return o.locate(['spec', 'podSelector']);
    },
  };
  return { namespace, name: o.name, podSelector, affects, explicitTypes, rules, origin, ref };
}

/**
 * One array per distinct rule, peer or port path: every policy's first ingress rule is at
 * ['spec', 'ingress', 0], and each copy of those arrays was kept by its rule, peer and port. Paths
 * are never mutated. Cleared when it grows large, like the selectors' (labels.ts).
 */
const paths = new Map<string, FieldPath>();

function sharedPath(path: FieldPath): FieldPath {
  const key = path.map((p) => (typeof p === 'number' ? `#${p}` : p)).join('\u0000');
  const known = paths.get(key);
  if (known) return known;
  if (paths.size >= 50_000) paths.clear();
  // A copy of its own length: a spread array literal keeps room for 20 elements more.
  const kept = path.slice();
  paths.set(key, kept);
  return kept;
}

function readRules(r: FieldReader, direction: Direction): PolicyRule[] {
  const list = r.list(['spec', direction]) ?? [];
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  const out: PolicyRule[] = [];
  list.forEach((raw, i) => {
    const path = sharedPath(['spec', direction, i]);
    if (raw === null) {
      // `- {}` written as a bare `-`: an empty rule, which admits everything.
      out.push({ index: i, path, peers: null, ports: null });
      return;
    }
    if (!isRecord(raw)) return r.invalid(path, `Each ${direction} rule must be a mapping with \`${peerKey}\` and/or \`ports\`.`);
    unknownKeys(r, path, raw, RULE_KEYS[direction], `${direction} rule`);
    const peersRaw = r.list([...path, peerKey]);
    const portsRaw = r.list([...path, 'ports']);
    const peers = peersRaw && peersRaw.length > 0 ? peersRaw.map((_, pi) => readPeer(r, sharedPath([...path, peerKey, pi]), pi)) : null;
    const ports =
      portsRaw && portsRaw.length > 0
        ? portsRaw
            .map((_, pi) => readPort(r, sharedPath([...path, 'ports', pi]), pi))
            .filter((p): p is PolicyPort => p !== undefined)
            .slice()
        : null;
    // When every port entry is invalid the list is empty: admitting nothing is the safe reading.
    out.push({ index: i, path, peers, ports });
  });
  // Kept as long as the policy: copies of their own length (filter and push leave room for 17).
  return out.slice();
}

function readPeer(r: FieldReader, path: FieldPath, index: number): PolicyPeer {
  const raw = r.raw(path);
  if (!isRecord(raw)) {
    r.invalid(path, 'A peer must be a mapping with podSelector, namespaceSelector and/or ipBlock.');
    return { kind: 'invalid', index, path };
  }
  unknownKeys(r, path, raw, PEER_KEYS, 'peer');
  const has = (k: string) => raw[k] !== undefined && raw[k] !== null;
  if (has('ipBlock')) {
    if (has('podSelector') || has('namespaceSelector')) {
      r.invalid(path, 'A peer with ipBlock cannot also have podSelector or namespaceSelector; split it into two peers.');
      return { kind: 'invalid', index, path };
    }
    return readIpBlock(r, [...path, 'ipBlock'], index) ?? { kind: 'invalid', index, path };
  }
  if (!has('podSelector') && !has('namespaceSelector')) {
    r.invalid(
      path,
      'This peer is empty; the API server rejects it ("must specify a peer"). Use podSelector: {} for every pod of the namespace, or namespaceSelector: {} for every pod of the cluster.',
    );
    return { kind: 'invalid', index, path };
  }
  return {
    kind: 'selector',
    index,
    path,
    podSelector: readSelector(r, [...path, 'podSelector']),
    namespaceSelector: readSelector(r, [...path, 'namespaceSelector']),
  };
}

function readIpBlock(r: FieldReader, path: FieldPath, index: number): PolicyPeer | undefined {
  const block = r.map(path);
  if (!block) return undefined;
  unknownKeys(r, path, block, IPBLOCK_KEYS, 'ipBlock');
  const cidr = r.str([...path, 'cidr']);
  if (cidr === undefined) {
    r.invalid(path, 'An ipBlock needs `cidr` (for example 10.0.0.0/8, or 0.0.0.0/0 for every IPv4 address).');
    return undefined;
  }
  const base = cidrRange(cidr);
  if (!base || !cidr.includes('/')) {
    r.invalid([...path, 'cidr'], `"${cidr}" is not a CIDR; write an address and a prefix length, such as 10.0.0.0/8 or 203.0.113.5/32.`);
    return undefined;
  }
  const except: string[] = [];
  const holes: IpRange[] = [];
  (r.list([...path, 'except']) ?? []).forEach((e, i) => {
    const range = typeof e === 'string' && e.includes('/') ? cidrRange(e) : undefined;
    if (!range || typeof e !== 'string')
      return r.invalid([...path, 'except', i], `except entries must be CIDRs such as 10.1.0.0/16, not ${JSON.stringify(e)}.`);
    if (range.family !== base.family || !rangesCover([base], range) || (range.lo === base.lo && range.hi === base.hi)) {
      r.invalid([...path, 'except', i], `except ${e} must lie strictly inside cidr ${cidr}; the API server rejects it otherwise.`);
    }
    except.push(e);
    holes.push(range);
  });
  return { kind: 'ipBlock', index, path, cidr, except, ranges: subtractRanges(base, holes) };
}

function readPort(r: FieldReader, path: FieldPath, index: number): PolicyPort | undefined {
  const raw = r.raw(path);
  if (raw === null) return { index, protocol: 'TCP', port: undefined, endPort: undefined, path };
  if (!isRecord(raw)) {
    r.invalid(path, 'Each port must be a mapping such as {port: 8080, protocol: TCP}.');
    return undefined;
  }
  unknownKeys(r, path, raw, PORT_KEYS, 'port');
  const protocol = r.protocol([...path, 'protocol']);
  const port = r.intOrName([...path, 'port']);
  if (port === undefined && raw['port'] !== undefined && raw['port'] !== null) return undefined; // reported by intOrName
  const endPort = r.int([...path, 'endPort'], 1, 65535);
  if (endPort !== undefined) {
    if (typeof port !== 'number') {
      r.invalid([...path, 'endPort'], 'endPort needs a numeric `port` to start the range (it cannot follow a named port or stand alone).');
      return undefined;
    }
    if (endPort < port) {
      r.invalid([...path, 'endPort'], `endPort ${endPort} is below port ${port}; the range must run from port up to endPort.`);
      return undefined;
    }
  }
  return { index, protocol, port, endPort, path };
}

/** A misspelt key silently changes a policy's meaning (`form:` reads as "no peers": allow all), so say so. */
function unknownKeys(r: FieldReader, path: FieldPath, raw: Record<string, unknown>, known: string[], what: string): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const close = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
    r.invalid(
      [...path, key],
      `Unknown field \`${key}\` in a NetworkPolicy ${what}${close ? `; did you mean \`${close}\`?` : ` (known: ${known.join(', ')})`}. The API server drops or rejects it, which changes what the policy allows.`,
    );
  }
}
