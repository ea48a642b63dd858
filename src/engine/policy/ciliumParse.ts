// Reads CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2) into the shape the
// Cilium layer evaluates (cilium.ts), keeping every rule's path for positions. What the Cilium
// agent refuses to import (https://docs.cilium.io/en/stable/security/policy/language/) is reported
// at the field and the policy left out, as the agent leaves it out; what kube-netsim does not
// simulate (host policies, L7 protocols other than HTTP and DNS, ...) is reported at the field.
import { FieldReader, isRecord } from '../manifests/fields';
import { notSimulated, reject, unknown, type ReadCtx } from './ciliumRead';
import { readToPorts } from './ciliumPorts';
export { pathText } from './ciliumRead';
import { readSelector, type LabelSelector } from '../cluster/labels';
import { cidrRange, subtractRanges, rangesCover, type IpRange } from './ipRanges';
import type { FieldPath } from '../source';
import type { Diagnostic } from '../diagnostics';
import type { ManifestObject } from '../manifests/types';
import { namespaceOf, DEFAULT_NAMESPACE } from '../manifests/kinds';
import type { PolicyRef } from './parse';
import {
  CILIUM_ENTITIES,
  CILIUM_KINDS,
  type CiliumEntity,
  type CiliumEntry,
  type CiliumKind,
  type CiliumPeer,
  type CiliumRule,
  type CiliumSection,
  type CiliumSelector,
  type SimCiliumPolicy,
} from './ciliumTypes';
export * from './ciliumTypes';

export function isCiliumKind(o: Pick<ManifestObject, 'apiVersion' | 'kind'>): boolean {
  return (CILIUM_KINDS as readonly string[]).includes(o.kind) && o.apiVersion.startsWith('cilium.io/');
}

const reads = new WeakMap<ManifestObject, { policy: SimCiliumPolicy | undefined; diagnostics: Diagnostic[] }>();

/** Reads one Cilium policy once (a ParseCache keeps unchanged documents' objects across analyses). */
export function readCiliumObject(o: ManifestObject): { policy: SimCiliumPolicy | undefined; diagnostics: readonly Diagnostic[] } {
  let read = reads.get(o);
  if (!read) {
    const diagnostics: Diagnostic[] = [];
    read = { policy: readOnce(o, diagnostics), diagnostics };
    reads.set(o, read);
  }
  return read;
}

const RULE_KEYS = [
  'endpointSelector',
  'nodeSelector',
  'ingress',
  'ingressDeny',
  'egress',
  'egressDeny',
  'labels',
  'description',
  'enableDefaultDeny',
  'log',
];
const L3_KEYS: Record<CiliumSection, string[]> = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'],
  ingressDeny: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'],
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toFQDNs', 'toGroups', 'toNodes'],
  egressDeny: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes'],
};
const OTHER_KEYS: Record<CiliumSection, string[]> = {
  ingress: ['fromRequires', 'toPorts', 'icmps', 'authentication'],
  ingressDeny: ['fromRequires', 'toPorts', 'icmps'],
  egress: ['toRequires', 'toPorts', 'icmps', 'authentication'],
  egressDeny: ['toRequires', 'toPorts', 'icmps'],
};
/** Fields read and reported as not simulated (the rule is evaluated without them, or, for peers, they match nothing). */
const NOT_SIMULATED: Record<string, string> = {
  fromRequires: 'requirements ANDed onto every other rule selecting the pod are not simulated (the rule is read without them)',
  toRequires: 'requirements ANDed onto every other rule selecting the pod are not simulated (the rule is read without them)',
  fromGroups: 'cloud-provider groups are not simulated (this peer matches nothing)',
  toGroups: 'cloud-provider groups are not simulated (this peer matches nothing)',
  fromNodes: 'node selectors (enable-node-selector-labels) are not simulated (this peer matches nothing)',
  toNodes: 'node selectors (enable-node-selector-labels) are not simulated (this peer matches nothing)',
  toServices: 'toServices is not simulated (this peer matches nothing)',
  icmps: 'ICMP is not simulated (kube-netsim traces TCP, UDP and SCTP)',
  authentication: 'mutual authentication is not simulated (the rule is read as if it were met)',
  log: 'policy logging does not change verdicts',
};

function readOnce(o: ManifestObject, diagnostics: Diagnostic[]): SimCiliumPolicy | undefined {
  if (!isCiliumKind(o)) return undefined;
  const kind = o.kind as CiliumKind;
  const r = new FieldReader(o, diagnostics);
  if (o.apiVersion !== 'cilium.io/v2') {
    r.invalid(['apiVersion'], `${kind} is served as cilium.io/v2, not ${o.apiVersion}; it is not simulated.`);
    return undefined;
  }
  const namespace = kind === 'CiliumNetworkPolicy' ? (namespaceOf(o) ?? DEFAULT_NAMESPACE) : '';
  const ctx: ReadCtx = { r, kind, namespace, rejected: false, diagnostics };
  const paths: FieldPath[] = [];
  if (r.raw(['spec']) !== undefined && r.raw(['spec']) !== null) paths.push(['spec']);
  (r.list(['specs']) ?? []).forEach((_, i) => paths.push(['specs', i]));
  if (paths.length === 0) {
    r.invalid([], `A ${kind} needs \`spec\` (one rule) or \`specs\` (a list of rules), each with an endpointSelector.`);
    return undefined;
  }
  const top = r.map([]) ?? {};
  for (const key of Object.keys(top))
    if (!['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status'].includes(key)) unknown(ctx, [key], key, ['spec', 'specs']);
  const rules = paths.map((p) => readRule(ctx, p)).filter((x): x is CiliumRule => x !== undefined);
  if (ctx.rejected) {
    r.invalid(['metadata', 'name'], `The Cilium agent refuses to import this ${kind} (see the errors in it), so it enforces none of it.`);
    return undefined;
  }
  const ref: PolicyRef = {
    kind,
    namespace,
    name: o.name,
    get range() {
      return o.locate([...(paths[0] ?? ['spec']), 'endpointSelector']);
    },
  };
  return { kind, namespace, name: o.name, rules, origin: { kind: 'manifest', object: o }, ref };
}

function readRule(ctx: ReadCtx, path: FieldPath): CiliumRule | undefined {
  const { r } = ctx;
  const m = r.map(path);
  if (!m) return undefined;
  for (const key of Object.keys(m)) if (!RULE_KEYS.includes(key)) unknown(ctx, [...path, key], key, RULE_KEYS);
  if (m['log'] !== undefined) notSimulated(ctx, [...path, 'log'], 'log', NOT_SIMULATED['log'] as string);
  const hasEp = m['endpointSelector'] !== undefined && m['endpointSelector'] !== null;
  const hasNode = m['nodeSelector'] !== undefined && m['nodeSelector'] !== null;
  if (hasEp === hasNode) {
    reject(ctx, path, `A Cilium rule needs exactly one of \`endpointSelector\` and \`nodeSelector\`${hasEp ? ', not both' : ''}.`);
    return undefined;
  }
  if (hasNode) {
    // A host policy: it selects nodes (the host firewall), which kube-netsim does not simulate.
    notSimulated(
      ctx,
      [...path, 'nodeSelector'],
      'nodeSelector',
      'host policies (Cilium host firewall) are not simulated: this rule is left out, so traffic of the nodes it selects is not filtered here',
    );
    return undefined;
  }
  const endpointSelector = readCiliumSelector(ctx, [...path, 'endpointSelector'], true);
  if (!endpointSelector) return undefined;
  const sections = {
    ingress: readSection(ctx, path, 'ingress'),
    ingressDeny: readSection(ctx, path, 'ingressDeny'),
    egress: readSection(ctx, path, 'egress'),
    egressDeny: readSection(ctx, path, 'egressDeny'),
  };
  // "If not specified, the default is true for each traffic direction that has rules" (the CRD's enableDefaultDeny).
  const has = (s: CiliumSection) => (r.list([...path, s]) ?? []).length > 0;
  const dd = r.map([...path, 'enableDefaultDeny']);
  const defaultDeny = {
    ingress: (has('ingress') || has('ingressDeny')) && (dd ? r.bool([...path, 'enableDefaultDeny', 'ingress']) !== false : true),
    egress: (has('egress') || has('egressDeny')) && (dd ? r.bool([...path, 'enableDefaultDeny', 'egress']) !== false : true),
  };
  return { path, endpointSelector, defaultDeny, sections };
}

/**
 * An endpoint selector. The subject's (`endpointSelector`) is limited to the policy's namespace in a
 * CiliumNetworkPolicy; a peer's is too, unless it names the namespace (`io.kubernetes.pod.namespace`)
 * or namespace labels (`io.cilium.k8s.namespace.labels.*`), as Cilium's getEndpointSelector adds
 * the namespace only then.
 */
function readCiliumSelector(ctx: ReadCtx, path: FieldPath, subject: boolean): CiliumSelector | undefined {
  const raw = readSelector(ctx.r, path);
  if (!raw) return undefined;
  let foreign = false;
  const strip = (key: string): string => {
    const colon = key.indexOf(':');
    if (colon < 0) return key;
    const source = key.slice(0, colon);
    if (source === 'k8s' || source === 'any') return key.slice(colon + 1);
    foreign = true;
    return key;
  };
  const matchLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.matchLabels)) matchLabels[strip(k)] = v;
  const matchExpressions = raw.matchExpressions.map((e) => ({ ...e, key: strip(e.key) }));
  const selector: LabelSelector = { matchLabels, matchExpressions };
  if (foreign && !subject)
    notSimulated(
      ctx,
      path,
      'endpoint selector',
      'label sources other than k8s: and any: (reserved:, cidr:, ...) are not simulated: this selector matches no pod (use fromEntities/toEntities for reserved identities)',
    );
  const keys = [...Object.keys(matchLabels), ...matchExpressions.map((e) => e.key)];
  const names = keys.some((k) => k === NAMESPACE_LABEL) || (!subject && keys.some((k) => k.startsWith(NAMESPACE_LABELS_PREFIX)));
  const namespace = ctx.kind === 'CiliumNetworkPolicy' && !names ? ctx.namespace : undefined;
  return { selector, foreign, namespace: subject && ctx.kind === 'CiliumNetworkPolicy' ? ctx.namespace : namespace };
}

export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

function readSection(ctx: ReadCtx, rulePath: FieldPath, section: CiliumSection): CiliumEntry[] {
  const { r } = ctx;
  const list = r.list([...rulePath, section]) ?? [];
  const out: CiliumEntry[] = [];
  const deny = section.endsWith('Deny');
  const l3 = L3_KEYS[section];
  const known = [...l3, ...OTHER_KEYS[section]];
  list.forEach((raw, i) => {
    const path = [...rulePath, section, i];
    if (raw === null) raw = {};
    if (!isRecord(raw)) return r.invalid(path, `Each ${section} rule must be a mapping.`);
    for (const key of Object.keys(raw)) if (!known.includes(key)) unknown(ctx, [...path, key], key, known);
    const set = l3.filter((k) => Array.isArray(raw[k]) && (raw[k] as unknown[]).length > 0);
    if (set.length > 1) {
      // Cilium's IngressCommonRule.sanitize: "Combining FromEndpoints and FromCIDR is not supported yet".
      reject(
        ctx,
        path,
        `Combining ${set.join(' and ')} in one rule is not supported: the Cilium agent refuses the policy. Write each in a rule of its own.`,
      );
      return;
    }
    for (const key of Object.keys(raw)) {
      const why = NOT_SIMULATED[key];
      if (why && raw[key] !== undefined && raw[key] !== null) notSimulated(ctx, [...path, key], key, why);
    }
    const peers = set.length === 0 ? null : readPeers(ctx, path, set[0] as string);
    const ports = readToPorts(ctx, path, deny, section);
    out.push({ index: i, section, path, peers, ports });
  });
  return out;
}

function readPeers(ctx: ReadCtx, path: FieldPath, key: string): CiliumPeer[] {
  const { r } = ctx;
  const list = r.list([...path, key]) ?? [];
  const out: CiliumPeer[] = [];
  list.forEach((raw, i) => {
    const at = [...path, key, i];
    switch (key) {
      case 'fromEndpoints':
      case 'toEndpoints': {
        const selector = raw === null ? undefined : readCiliumSelector(ctx, at, false);
        const s = selector ?? {
          selector: { matchLabels: {}, matchExpressions: [] },
          foreign: false,
          namespace: ctx.kind === 'CiliumNetworkPolicy' ? ctx.namespace : undefined,
        };
        out.push({ kind: 'endpoints', index: i, path: at, selector: s });
        return;
      }
      case 'fromEntities':
      case 'toEntities': {
        if (typeof raw !== 'string' || !(CILIUM_ENTITIES as readonly string[]).includes(raw)) {
          reject(ctx, at, `Unknown entity ${JSON.stringify(raw)}; Cilium's entities are ${CILIUM_ENTITIES.join(', ')}.`);
          return;
        }
        out.push({ kind: 'entity', index: i, path: at, entity: raw as CiliumEntity });
        return;
      }
      case 'fromCIDR':
      case 'toCIDR': {
        const range = typeof raw === 'string' ? cidrOrAddress(raw) : undefined;
        if (!range || typeof raw !== 'string') {
          reject(ctx, at, `${key} entries must be CIDRs such as 10.0.0.0/8 (or single addresses), not ${JSON.stringify(raw)}.`);
          return;
        }
        out.push({ kind: 'cidr', index: i, path: at, cidr: raw, ranges: [range] });
        return;
      }
      case 'fromCIDRSet':
      case 'toCIDRSet': {
        if (!isRecord(raw)) {
          reject(ctx, at, `${key} entries must be mappings with \`cidr\` and optional \`except\`.`);
          return;
        }
        if (raw['cidrGroupRef'] !== undefined || raw['cidrGroupSelector'] !== undefined) {
          notSimulated(ctx, at, 'cidrGroupRef', 'CiliumCIDRGroup references are not simulated (this peer matches nothing)');
          return;
        }
        const cidr = r.str([...at, 'cidr']);
        const base = cidr !== undefined ? cidrRange(cidr) : undefined;
        if (!base || cidr === undefined) {
          reject(ctx, at, `A ${key} entry needs \`cidr\`, a CIDR such as 10.0.0.0/8.`);
          return;
        }
        const holes: IpRange[] = [];
        (r.list([...at, 'except']) ?? []).forEach((e, j) => {
          const h = typeof e === 'string' ? cidrRange(e) : undefined;
          if (!h || !rangesCover([base], h)) {
            reject(ctx, [...at, 'except', j], `except ${JSON.stringify(e)} must be a CIDR inside ${cidr}.`);
            return;
          }
          holes.push(h);
        });
        out.push({ kind: 'cidr', index: i, path: at, cidr, ranges: subtractRanges(base, holes) });
        return;
      }
      case 'toFQDNs': {
        if (!isRecord(raw)) {
          reject(ctx, at, 'toFQDNs entries must be mappings with `matchName` or `matchPattern`.');
          return;
        }
        const matchName = r.str([...at, 'matchName']);
        const matchPattern = r.str([...at, 'matchPattern']);
        if ((matchName === undefined) === (matchPattern === undefined)) {
          reject(ctx, at, 'A toFQDNs entry needs exactly one of `matchName` and `matchPattern`.');
          return;
        }
        out.push({ kind: 'fqdn', index: i, path: at, matchName, matchPattern });
        return;
      }
      default:
        return; // reported as not simulated: matches nothing
    }
  });
  return out;
}

/** fromCIDR takes a CIDR or a bare address (a /32 or /128). */
function cidrOrAddress(text: string): IpRange | undefined {
  if (text.includes('/')) return cidrRange(text);
  return cidrRange(`${text}/${text.includes(':') ? 128 : 32}`);
}
