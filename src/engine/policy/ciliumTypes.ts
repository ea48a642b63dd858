// The shape Cilium policies are read into (ciliumParse.ts) and evaluated in (cilium.ts).
import type { LabelSelector } from '../cluster/labels';
import type { IpRange } from './ipRanges';
import type { Origin, Protocol } from '../cluster/model';
import type { FieldPath } from '../source';
import type { Direction, PolicyRef } from './parse';

export type CiliumKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
export const CILIUM_KINDS: readonly CiliumKind[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** The four rule sections of a Cilium rule. */
export type CiliumSection = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/** The entities Cilium names (https://docs.cilium.io/en/stable/security/policy/language/#entities-based). */
export const CILIUM_ENTITIES = [
  'all',
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'host',
  'remote-node',
  'kube-apiserver',
  'health',
  'init',
  'ingress',
  'unmanaged',
] as const;
export type CiliumEntity = (typeof CILIUM_ENTITIES)[number];

/**
 * An endpoint selector as Cilium reads it: keys with the `k8s:` or `any:` source (or none) match a
 * pod's labels; a key of another source (`reserved:`, `cidr:`) matches no pod here. `namespace` is
 * the namespace Cilium adds to a CiliumNetworkPolicy's peer selector that names none; undefined when
 * the selector names `io.kubernetes.pod.namespace` or namespace labels, or in a clusterwide policy.
 */
export interface CiliumSelector {
  selector: LabelSelector;
  foreign: boolean;
  namespace: string | undefined;
}

export type CiliumPeer =
  | { kind: 'endpoints'; index: number; path: FieldPath; selector: CiliumSelector }
  | { kind: 'entity'; index: number; path: FieldPath; entity: CiliumEntity }
  | { kind: 'cidr'; index: number; path: FieldPath; cidr: string; ranges: IpRange[] }
  /** toFQDNs: the addresses of the names the pod looked up (resolved by the layer). */
  | { kind: 'fqdn'; index: number; path: FieldPath; matchName: string | undefined; matchPattern: string | undefined };

/** One port (or range, or every port) of a toPorts entry, of one or more protocols (ANY is TCP, UDP and SCTP). */
export type CiliumPort =
  | { kind: 'range'; protocols: readonly Protocol[]; lo: number; hi: number; path: FieldPath }
  | { kind: 'named'; protocols: readonly Protocol[]; name: string; path: FieldPath };

export interface HttpRule {
  index: number;
  path: FieldPath;
  /** Extended POSIX regular expressions, matched against the whole method or path (Cilium anchors them). */
  method: RegExp | undefined;
  methodText: string | undefined;
  pathRe: RegExp | undefined;
  pathText: string | undefined;
  host: RegExp | undefined;
  /** `Name` (present) or `Name: value` (equal), from `headers`, and `headerMatches` without `mismatch`. */
  headers: Array<{ name: string; value: string | undefined }>;
}

export interface DnsRule {
  index: number;
  path: FieldPath;
  matchName: string | undefined;
  matchPattern: string | undefined;
}

export interface CiliumPortRule {
  index: number;
  path: FieldPath;
  ports: CiliumPort[];
  /** rules.http: undefined when the entry has none (L4 only). */
  http: HttpRule[] | undefined;
  dns: DnsRule[] | undefined;
}

export interface CiliumEntry {
  index: number;
  section: CiliumSection;
  path: FieldPath;
  /** Null when the entry names no L3 peer: with toPorts it matches every peer, without it nothing. */
  peers: CiliumPeer[] | null;
  /** Null when the entry has no toPorts: every port of every protocol. */
  ports: CiliumPortRule[] | null;
}

export interface CiliumRule {
  /** Where the rule is: ['spec'] or ['specs', i]. */
  path: FieldPath;
  endpointSelector: CiliumSelector;
  defaultDeny: Record<Direction, boolean>;
  sections: Record<CiliumSection, CiliumEntry[]>;
}

export interface SimCiliumPolicy {
  kind: CiliumKind;
  /** '' for the clusterwide kind. */
  namespace: string;
  name: string;
  rules: CiliumRule[];
  origin: Origin;
  ref: PolicyRef;
}
