// Reads the cluster-wide policies of the network-policy API (policy.networking.k8s.io):
// AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1), and ClusterNetworkPolicy
// (v1alpha2, v1beta1) with its Admin and Baseline tiers, into one shape the engine evaluates.
// An object the API server would reject is reported at each field at fault and not simulated:
// it would not exist in a real cluster.
import { FieldReader, isRecord } from '../manifests/fields';
import { EVERYTHING, readSelector, type LabelSelector } from '../cluster/labels';
import { cidrRange, type IpRange } from './ipRanges';
import type { Origin, Protocol } from '../cluster/model';
import type { FieldPath } from '../source';
import { editDistance, makeDiagnostic, type Diagnostic } from '../diagnostics';
import { type ManifestObject } from '../manifests/types';
import type { Direction, PolicyRef } from './parse';
import type { AdminAction } from './types';

export type AdminKind = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';
export const ADMIN_KINDS: readonly AdminKind[] = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'];
const API_VERSIONS: Record<AdminKind, readonly string[]> = {
  AdminNetworkPolicy: ['policy.networking.k8s.io/v1alpha1'],
  BaselineAdminNetworkPolicy: ['policy.networking.k8s.io/v1alpha1'],
  ClusterNetworkPolicy: ['policy.networking.k8s.io/v1alpha2', 'policy.networking.k8s.io/v1beta1'],
};

/** Pods in the namespaces `namespaces` selects, and among them those `pods` selects (undefined: all of them). */
export interface AdminSelection {
  namespaces: LabelSelector;
  pods: LabelSelector | undefined;
}

export type AdminPeer =
  | ({ kind: 'pods'; index: number; path: FieldPath } & AdminSelection)
  | { kind: 'nodes'; index: number; path: FieldPath; nodes: LabelSelector }
  | { kind: 'networks'; index: number; path: FieldPath; cidrs: string[]; ranges: IpRange[] }
  /** ClusterNetworkPolicy's domainNames: not simulated (the addresses a name has outside the cluster are unknown here). */
  | { kind: 'domainNames'; index: number; path: FieldPath; names: string[] };

export type AdminPort =
  | { kind: 'range'; index: number; path: FieldPath; protocol: Protocol; lo: number; hi: number }
  | { kind: 'named'; index: number; path: FieldPath; name: string };

export interface AdminRule {
  index: number;
  path: FieldPath;
  name: string | undefined;
  action: AdminAction;
  peers: AdminPeer[];
  /** Null when the rule names no ports: every port of every protocol. */
  ports: AdminPort[] | null;
}

/** A cluster-wide policy read into the shape the engine evaluates. */
export interface SimAdminPolicy {
  kind: AdminKind;
  /** `admin` is asked before NetworkPolicy, `baseline` after it (and only where no NetworkPolicy isolates the pod). */
  tier: 'admin' | 'baseline';
  name: string;
  /** Lower first; undefined for the BaselineAdminNetworkPolicy, which has none (it is a singleton). */
  priority: number | undefined;
  subject: AdminSelection;
  rules: Record<Direction, AdminRule[]>;
  origin: Origin;
  ref: PolicyRef;
}

const reads = new WeakMap<ManifestObject, { policy: SimAdminPolicy | undefined; diagnostics: Diagnostic[] }>();

export function isAdminKind(kind: string): kind is AdminKind {
  return (ADMIN_KINDS as readonly string[]).includes(kind);
}

/**
 * Reads one cluster-wide policy object once (a ParseCache keeps unchanged documents' objects
 * across analyses); undefined, with diagnostics, when the API server would reject it.
 */
export function readAdminObject(o: ManifestObject): { policy: SimAdminPolicy | undefined; diagnostics: readonly Diagnostic[] } {
  let read = reads.get(o);
  if (!read) {
    const diagnostics: Diagnostic[] = [];
    read = { policy: readOnce(o, diagnostics), diagnostics };
    reads.set(o, read);
  }
  return read;
}

function readOnce(o: ManifestObject, diagnostics: Diagnostic[]): SimAdminPolicy | undefined {
  if (!isAdminKind(o.kind)) return undefined;
  const kind = o.kind;
  const r = new FieldReader(o, diagnostics);
  const versions = API_VERSIONS[kind];
  if (!versions.includes(o.apiVersion)) {
    r.invalid(['apiVersion'], `${kind} is served as ${versions.join(' or ')}, not ${o.apiVersion}; it is not simulated.`);
    return undefined;
  }
  if (kind === 'BaselineAdminNetworkPolicy' && o.name !== 'default') {
    diagnostics.push(makeDiagnostic('baseline-policy-not-default', o.locate(['metadata', 'name']), { name: o.name }, r.resource));
    return undefined;
  }
  const before = diagnostics.length;
  const spec = r.map(['spec']);
  if (!spec) {
    if (r.raw(['spec']) === undefined) r.invalid([], `A ${kind} needs a \`spec\` with a \`subject\`.`);
    return rejected(o, r, kind);
  }
  const cnp = kind === 'ClusterNetworkPolicy';
  unknownKeys(
    r,
    ['spec'],
    spec,
    cnp
      ? ['tier', 'priority', 'subject', 'ingress', 'egress']
      : kind === 'AdminNetworkPolicy'
        ? ['priority', 'subject', 'ingress', 'egress']
        : ['subject', 'ingress', 'egress'],
    kind,
    'spec',
  );
  let tier: 'admin' | 'baseline' = kind === 'BaselineAdminNetworkPolicy' ? 'baseline' : 'admin';
  if (cnp) {
    const t = r.str(['spec', 'tier']);
    if (t === 'Admin' || t === 'Baseline') tier = t === 'Admin' ? 'admin' : 'baseline';
    else
      r.invalid(
        t === undefined ? ['spec'] : ['spec', 'tier'],
        `A ClusterNetworkPolicy needs \`tier\`: Admin or Baseline${t === undefined ? '' : `, not "${t}"`}.`,
      );
  }
  let priority: number | undefined;
  if (kind !== 'BaselineAdminNetworkPolicy') {
    if (r.raw(['spec', 'priority']) === undefined)
      r.invalid(['spec'], `A ${kind} needs \`priority\`, 0 to 1000 (lower is evaluated first).`);
    else priority = r.int(['spec', 'priority'], 0, 1000);
  }
  const subject = readSelection(r, ['spec', 'subject'], 'subject', kind, true);
  const rules: Record<Direction, AdminRule[]> = {
    ingress: readRules(r, kind, 'ingress'),
    egress: readRules(r, kind, 'egress'),
  };
  // Unknown fields are dropped by the API server (kubectl's strict validation refuses them): reported, not fatal.
  if (diagnostics.length - before > (unknownSeen.get(r) ?? 0) || !subject) return rejected(o, r, kind);
  const ref: PolicyRef = {
    kind,
    namespace: '',
    name: o.name,
    get range() {
      return o.locate(['spec', 'subject']);
    },
  };
  return { kind, tier, name: o.name, priority, subject, rules, origin: { kind: 'manifest', object: o }, ref };
}

function rejected(o: ManifestObject, r: FieldReader, kind: AdminKind): undefined {
  r.invalid(['metadata', 'name'], `The API server rejects this ${kind} (see the errors in it), so it is not simulated.`);
  return undefined;
}

/**
 * A subject or a peer that selects pods: `namespaces` (every pod of those namespaces) or `pods`
 * (namespaceSelector AND podSelector); exactly one of them. Undefined when invalid.
 */
function readSelection(r: FieldReader, path: FieldPath, what: string, kind: AdminKind, required: boolean): AdminSelection | undefined {
  const raw = r.raw(path);
  if (raw === undefined || raw === null) {
    if (required) r.invalid(path.slice(0, -1), `A ${kind} needs a \`${what}\` with \`namespaces\` or \`pods\`.`);
    return undefined;
  }
  const m = r.map(path);
  if (!m) return undefined;
  unknownKeys(r, path, m, ['namespaces', 'pods'], kind, what);
  const set = ['namespaces', 'pods'].filter((k) => m[k] !== undefined && m[k] !== null);
  if (set.length !== 1) {
    r.invalid(path, `Exactly one of \`namespaces\` and \`pods\` must be set in a ${what}${set.length ? ', not both' : ''}.`);
    return undefined;
  }
  if (set[0] === 'namespaces') return { namespaces: readSelector(r, [...path, 'namespaces']) ?? EVERYTHING, pods: undefined };
  const pods = r.map([...path, 'pods']);
  if (!pods) return undefined;
  unknownKeys(r, [...path, 'pods'], pods, ['namespaceSelector', 'podSelector'], kind, 'pods');
  // An absent selector reads as the empty one, which selects everything (as the API's Go types decode it).
  return {
    namespaces: readSelector(r, [...path, 'pods', 'namespaceSelector']) ?? EVERYTHING,
    pods: readSelector(r, [...path, 'pods', 'podSelector']) ?? EVERYTHING,
  };
}

const ACTIONS: Record<AdminKind, readonly string[]> = {
  AdminNetworkPolicy: ['Allow', 'Deny', 'Pass'],
  BaselineAdminNetworkPolicy: ['Allow', 'Deny'],
  ClusterNetworkPolicy: ['Accept', 'Deny', 'Pass'],
};

function readRules(r: FieldReader, kind: AdminKind, direction: Direction): AdminRule[] {
  const list = r.list(['spec', direction]) ?? [];
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  const portKey = kind === 'ClusterNetworkPolicy' ? 'protocols' : 'ports';
  const out: AdminRule[] = [];
  list.forEach((raw, i) => {
    const path = ['spec', direction, i];
    if (!isRecord(raw)) return r.invalid(path, `Each ${direction} rule must be a mapping with \`action\` and \`${peerKey}\`.`);
    unknownKeys(r, path, raw, ['name', 'action', peerKey, portKey], kind, `${direction} rule`);
    const name = r.str([...path, 'name']);
    if (name !== undefined && name.length > 100)
      r.invalid([...path, 'name'], `A rule name has at most 100 characters (this one has ${name.length}).`);
    const actionRaw = r.str([...path, 'action']);
    const actions = ACTIONS[kind];
    let action: AdminAction | undefined;
    if (actionRaw !== undefined && actions.includes(actionRaw)) action = actionRaw === 'Accept' ? 'Allow' : (actionRaw as AdminAction);
    else
      r.invalid(
        actionRaw === undefined ? path : [...path, 'action'],
        `A ${kind} rule's \`action\` must be ${actions.join(', ')}${actionRaw === undefined ? '' : `, not "${actionRaw}"`}.`,
      );
    const peersRaw = r.list([...path, peerKey]);
    if (!peersRaw || peersRaw.length === 0)
      r.invalid(peersRaw ? [...path, peerKey] : path, `A ${kind} ${direction} rule needs \`${peerKey}\` with at least one peer.`);
    const peers = (peersRaw ?? [])
      .map((_, pi) => readPeer(r, kind, direction, [...path, peerKey, pi], pi))
      .filter((p): p is AdminPeer => p !== undefined);
    const ports = readPorts(r, kind, [...path, portKey]);
    if (action) out.push({ index: i, path, name, action, peers, ports });
  });
  return out;
}

function readPeer(r: FieldReader, kind: AdminKind, direction: Direction, path: FieldPath, index: number): AdminPeer | undefined {
  const raw = r.raw(path);
  if (!isRecord(raw)) {
    r.invalid(path, 'A peer must be a mapping with one of its fields set.');
    return undefined;
  }
  const keys =
    direction === 'ingress'
      ? ['namespaces', 'pods']
      : kind === 'ClusterNetworkPolicy'
        ? ['namespaces', 'pods', 'nodes', 'networks', 'domainNames']
        : ['namespaces', 'pods', 'nodes', 'networks'];
  unknownKeys(r, path, raw, keys, kind, `${direction} peer`);
  const set = keys.filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (set.length !== 1) {
    r.invalid(
      path,
      `Exactly one field must be set in a peer (${keys.join(', ')})${set.length ? `; this one sets ${set.join(' and ')}` : ''}.`,
    );
    return undefined;
  }
  const key = set[0] as string;
  if (key === 'namespaces' || key === 'pods') {
    const s = readSelection(r, path, 'peer', kind, false);
    return s ? { kind: 'pods', index, path, ...s } : undefined;
  }
  if (key === 'nodes') return { kind: 'nodes', index, path, nodes: readSelector(r, [...path, 'nodes']) ?? EVERYTHING };
  const list = r.list([...path, key]) ?? [];
  if (list.length === 0) {
    r.invalid([...path, key], `\`${key}\` needs at least one entry.`);
    return undefined;
  }
  if (key === 'domainNames') return { kind: 'domainNames', index, path, names: list.map((n) => String(n)) };
  const cidrs: string[] = [];
  const ranges: IpRange[] = [];
  list.forEach((c, i) => {
    const range = typeof c === 'string' && c.includes('/') ? cidrRange(c) : undefined;
    if (!range || typeof c !== 'string')
      return r.invalid([...path, key, i], `networks entries must be CIDRs such as 10.0.0.0/8 or fd00::/8, not ${JSON.stringify(c)}.`);
    cidrs.push(c);
    ranges.push(range);
  });
  return { kind: 'networks', index, path, cidrs, ranges };
}

function readPorts(r: FieldReader, kind: AdminKind, path: FieldPath): AdminPort[] | null {
  const raw = r.raw(path);
  if (raw === undefined || raw === null) return null;
  const list = r.list(path);
  if (!list) return [];
  if (list.length === 0)
    r.invalid(path, `\`${String(path[path.length - 1])}\` needs at least one entry when it is given; leave it out to match every port.`);
  const out: AdminPort[] = [];
  list.forEach((_, i) => {
    const p = kind === 'ClusterNetworkPolicy' ? readProtocol(r, [...path, i], i) : readAnpPort(r, kind, [...path, i], i);
    if (p) out.push(p);
  });
  return out;
}

/** AdminNetworkPolicyPort: exactly one of portNumber {protocol, port}, namedPort, portRange {protocol, start, end}. */
function readAnpPort(r: FieldReader, kind: AdminKind, path: FieldPath, index: number): AdminPort | undefined {
  const raw = r.raw(path);
  if (!isRecord(raw)) {
    r.invalid(path, 'Each port must be a mapping with one of portNumber, namedPort or portRange.');
    return undefined;
  }
  const keys = ['portNumber', 'namedPort', 'portRange'];
  unknownKeys(r, path, raw, keys, kind, 'port');
  const set = keys.filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (set.length !== 1) {
    r.invalid(
      path,
      `Exactly one of portNumber, namedPort and portRange must be set in a port${set.length ? `; this one sets ${set.join(' and ')}` : ''}.`,
    );
    return undefined;
  }
  if (set[0] === 'namedPort') {
    const name = r.str([...path, 'namedPort']);
    return name === undefined ? undefined : { kind: 'named', index, path, name };
  }
  if (set[0] === 'portNumber') {
    const at = [...path, 'portNumber'];
    const m = r.map(at);
    if (!m) return undefined;
    unknownKeys(r, at, m, ['protocol', 'port'], kind, 'portNumber');
    const protocol = r.protocol([...at, 'protocol']);
    if (m['port'] === undefined) {
      r.invalid(at, '`portNumber` needs `port` (1-65535).');
      return undefined;
    }
    const port = r.int([...at, 'port'], 1, 65535);
    return port === undefined ? undefined : { kind: 'range', index, path, protocol, lo: port, hi: port };
  }
  const at = [...path, 'portRange'];
  const m = r.map(at);
  if (!m) return undefined;
  unknownKeys(r, at, m, ['protocol', 'start', 'end'], kind, 'portRange');
  return portRange(r, at, index, path, r.protocol([...at, 'protocol']));
}

/** ClusterNetworkPolicyProtocol: exactly one of tcp, udp, sctp ({destinationPort: {number} or {range}}) and destinationNamedPort. */
function readProtocol(r: FieldReader, path: FieldPath, index: number): AdminPort | undefined {
  const raw = r.raw(path);
  if (!isRecord(raw)) {
    r.invalid(path, 'Each protocols entry must be a mapping with one of tcp, udp, sctp or destinationNamedPort.');
    return undefined;
  }
  const keys = ['tcp', 'udp', 'sctp', 'destinationNamedPort'];
  unknownKeys(r, path, raw, keys, 'ClusterNetworkPolicy', 'protocols entry');
  const set = keys.filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (set.length !== 1) {
    r.invalid(
      path,
      `Exactly one of tcp, udp, sctp and destinationNamedPort must be set${set.length ? `; this entry sets ${set.join(' and ')}` : ''}.`,
    );
    return undefined;
  }
  const key = set[0] as string;
  if (key === 'destinationNamedPort') {
    const name = r.str([...path, key]);
    return name === undefined ? undefined : { kind: 'named', index, path, name };
  }
  const protocol = key.toUpperCase() as Protocol;
  const at = [...path, key];
  const m = r.map(at);
  if (!m) return undefined;
  unknownKeys(r, at, m, ['destinationPort'], 'ClusterNetworkPolicy', key);
  const dp = [...at, 'destinationPort'];
  const d = r.map(dp);
  if (!d) {
    if (r.raw(dp) === undefined) r.invalid(at, `\`${key}\` needs a \`destinationPort\` ({number: 80} or {range: {start, end}}).`);
    return undefined;
  }
  unknownKeys(r, dp, d, ['number', 'range'], 'ClusterNetworkPolicy', 'destinationPort');
  const hasNumber = d['number'] !== undefined && d['number'] !== null;
  const hasRange = d['range'] !== undefined && d['range'] !== null;
  if (hasNumber === hasRange) {
    r.invalid(dp, 'Exactly one of `number` and `range` must be set in a destinationPort.');
    return undefined;
  }
  if (hasNumber) {
    const n = r.int([...dp, 'number'], 1, 65535);
    return n === undefined ? undefined : { kind: 'range', index, path, protocol, lo: n, hi: n };
  }
  const rp = [...dp, 'range'];
  if (!r.map(rp)) return undefined;
  return portRange(r, rp, index, path, protocol);
}

function portRange(r: FieldReader, at: FieldPath, index: number, path: FieldPath, protocol: Protocol): AdminPort | undefined {
  if (r.raw([...at, 'start']) === undefined || r.raw([...at, 'end']) === undefined) {
    r.invalid(at, 'A port range needs `start` and `end` (1-65535).');
    return undefined;
  }
  const lo = r.int([...at, 'start'], 1, 65535);
  const hi = r.int([...at, 'end'], 1, 65535);
  if (lo === undefined || hi === undefined) return undefined;
  if (hi < lo) {
    r.invalid([...at, 'end'], `end ${hi} is below start ${lo}; a port range runs from start up to end.`);
    return undefined;
  }
  return { kind: 'range', index, path, protocol, lo, hi };
}

/** How many unknown fields each reader reported (they do not make the API server reject the object). */
const unknownSeen = new WeakMap<FieldReader, number>();

/** A misspelt key changes what a policy matches (a dropped `ports` matches every port), so say so. */
function unknownKeys(r: FieldReader, path: FieldPath, raw: Record<string, unknown>, known: string[], kind: AdminKind, what: string): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const close = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
    unknownSeen.set(r, (unknownSeen.get(r) ?? 0) + 1);
    r.invalid(
      [...path, key],
      `Unknown field \`${key}\` in a ${kind} ${what}${close ? `; did you mean \`${close}\`?` : ` (known: ${known.join(', ')})`}. The API server drops it (kubectl's strict validation refuses the object), which changes what the policy matches; it is simulated without it.`,
    );
  }
}
