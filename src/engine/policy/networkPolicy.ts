// NetworkPolicy (networking.k8s.io/v1) pieces the engine's layer 3 uses: each object read once,
// and how a rule's ports and peers meet a destination.
import type { Diagnostic } from '../diagnostics';
import { FieldReader } from '../manifests/fields';
import type { Protocol } from '../cluster/model';
import { namespaceOf, DEFAULT_NAMESPACE } from '../manifests/kinds';
import { type ManifestObject } from '../manifests/types';
import { ConnSet } from './connset';
import { readNetworkPolicy, type PolicyPeer, type PolicyPort, type SimNetworkPolicy } from './parse';
import type { PolicyEndpoint } from './types';

/**
 * Each NetworkPolicy object read once, with the diagnostics reading it reported (replayed, in order,
 * at every analysis). A ParseCache keeps an unchanged document's ManifestObject across analyses, so
 * re-analysis after an edit reads only the edited policies; an edited document is a new object.
 * What a policy reads to depends on its object alone (its namespace defaults to `default`).
 */
const policyReads = new WeakMap<ManifestObject, { policy: SimNetworkPolicy | undefined; diagnostics: Diagnostic[] }>();

export function readPolicyObject(o: ManifestObject): { policy: SimNetworkPolicy | undefined; diagnostics: readonly Diagnostic[] } {
  let read = policyReads.get(o);
  if (!read) {
    const diagnostics: Diagnostic[] = [];
    const r = new FieldReader(o, diagnostics);
    let policy: SimNetworkPolicy | undefined;
    if (o.apiVersion !== 'networking.k8s.io/v1') {
      r.invalid(
        ['apiVersion'],
        `NetworkPolicy ${o.name} uses apiVersion ${o.apiVersion}, which current API servers no longer serve; use networking.k8s.io/v1 (the fields are the same). It is not simulated.`,
      );
    } else policy = readNetworkPolicy(o, namespaceOf(o) ?? DEFAULT_NAMESPACE, r);
    read = { policy, diagnostics };
    policyReads.set(o, read);
  }
  return read;
}

/**
 * Adds `reason` as an enumerable property computed on first read: verdicts are asked for by the
 * thousand and most reasons are never shown; JSON.stringify and spreads still see it.
 */
export function withReason<T extends object>(value: T, make: () => string): T & { reason: string } {
  let cached: string | undefined;
  Object.defineProperty(value, 'reason', { enumerable: true, configurable: true, get: () => (cached ??= make()) });
  return value as T & { reason: string };
}

/** Whether a peer admits every pod of every namespace (`namespaceSelector: {}` with no or an empty podSelector). */
export function admitsEveryPod(peer: PolicyPeer): boolean {
  if (peer.kind !== 'selector' || !peer.namespaceSelector) return false;
  const everyNs = Object.keys(peer.namespaceSelector.matchLabels).length === 0 && peer.namespaceSelector.matchExpressions.length === 0;
  const everyPod =
    !peer.podSelector || (Object.keys(peer.podSelector.matchLabels).length === 0 && peer.podSelector.matchExpressions.length === 0);
  return everyNs && everyPod;
}

/** The container port numbers a name resolves to on a destination (name and protocol must both match). */
function resolveNamed(name: string, protocol: Protocol, dst: PolicyEndpoint): number[] {
  if (dst.kind !== 'pod') return [];
  const out: number[] = [];
  for (const c of dst.pod.containers) for (const p of c.ports) if (p.name === name && p.protocol === protocol) out.push(p.containerPort);
  return out;
}

export function portConnections(p: PolicyPort, dst: PolicyEndpoint): ConnSet {
  if (p.port === undefined) return ConnSet.protocol(p.protocol);
  if (typeof p.port === 'number') return ConnSet.ports(p.protocol, p.port, p.endPort ?? p.port);
  let out = ConnSet.NONE;
  for (const n of resolveNamed(p.port, p.protocol, dst)) out = out.union(ConnSet.ports(p.protocol, n));
  return out;
}

export function portAdmits(p: PolicyPort, dst: PolicyEndpoint, port: number, protocol: Protocol): boolean {
  if (p.protocol !== protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'number') return port >= p.port && port <= (p.endPort ?? p.port);
  // resolveNamed(...).includes(port), without building the list.
  if (dst.kind !== 'pod') return false;
  for (const c of dst.pod.containers)
    for (const cp of c.ports) if (cp.name === p.port && cp.protocol === protocol && cp.containerPort === port) return true;
  return false;
}
