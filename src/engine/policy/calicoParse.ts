// Reads Calico's NetworkPolicy and GlobalNetworkPolicy (projectcalico.org/v3, and the
// crd.projectcalico.org/v1 form `kubectl get -o yaml` shows) into the shape calico.ts evaluates,
// with every rule's path for positions. Fields are those of the reference
// (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy and
// .../globalnetworkpolicy); selectors are parsed by calicoSelector.ts, and a syntax error is
// reported at the character. What is not simulated is reported at the field.
import { FieldReader, isRecord, scalarText } from '../manifests/fields';
import type { Origin, Protocol } from '../cluster/model';
import type { FieldPath, SourceRange } from '../source';
import { editDistance, makeDiagnostic, type Diagnostic } from '../diagnostics';
import type { ManifestObject } from '../manifests/types';
import { namespaceOf, DEFAULT_NAMESPACE } from '../manifests/kinds';
import { cidrRange, type IpRange } from './ipRanges';
import { parseCalicoSelector, type CalicoSelector } from './calicoSelector';
import type { Direction, PolicyRef } from './parse';

export type CalicoKind = 'CalicoNetworkPolicy' | 'GlobalNetworkPolicy';
export type CalicoAction = 'Allow' | 'Deny' | 'Log' | 'Pass';

/** A selector with its text and where it is written (for hovers and the matches-nothing check). */
export interface CalicoSel {
  text: string;
  selector: CalicoSelector;
  path: FieldPath;
}

export type CalicoPort = { kind: 'range'; lo: number; hi: number } | { kind: 'named'; name: string };

export interface CalicoEntity {
  nets: IpRange[] | undefined;
  notNets: IpRange[] | undefined;
  selector: CalicoSel | undefined;
  notSelector: CalicoSel | undefined;
  namespaceSelector: CalicoSel | undefined;
  serviceAccountNames: string[] | undefined;
  serviceAccountSelector: CalicoSel | undefined;
  ports: CalicoPort[] | undefined;
  notPorts: CalicoPort[] | undefined;
  /** A field that makes the entity match nothing here (services, source ports): reported as not simulated. */
  unsimulated: boolean;
}

export interface CalicoRule {
  index: number;
  path: FieldPath;
  action: CalicoAction;
  /** undefined: any protocol. A number or a name other than TCP/UDP/SCTP matches none of the simulated traffic. */
  protocol: Protocol | 'other' | undefined;
  notProtocol: Protocol | 'other' | undefined;
  ipVersion: 4 | 6 | undefined;
  source: CalicoEntity;
  destination: CalicoEntity;
}

export interface SimCalicoPolicy {
  kind: CalicoKind;
  /** '' for GlobalNetworkPolicy. */
  namespace: string;
  name: string;
  tier: string;
  /** Lower first; undefined (unset) comes last. */
  order: number | undefined;
  selector: CalicoSel;
  namespaceSelector: CalicoSel | undefined;
  serviceAccountSelector: CalicoSel | undefined;
  types: Record<Direction, boolean>;
  rules: Record<Direction, CalicoRule[]>;
  origin: Origin;
  ref: PolicyRef;
}

const GROUPS = ['projectcalico.org/v3', 'crd.projectcalico.org/v1'];

export function isCalicoKind(o: Pick<ManifestObject, 'apiVersion' | 'kind'>): boolean {
  return (o.kind === 'NetworkPolicy' || o.kind === 'GlobalNetworkPolicy') && /^(crd\.)?projectcalico\.org\//.test(o.apiVersion);
}

const reads = new WeakMap<ManifestObject, { policy: SimCalicoPolicy | undefined; diagnostics: Diagnostic[] }>();

export function readCalicoObject(o: ManifestObject): { policy: SimCalicoPolicy | undefined; diagnostics: readonly Diagnostic[] } {
  let read = reads.get(o);
  if (!read) {
    const diagnostics: Diagnostic[] = [];
    read = { policy: readOnce(o, diagnostics), diagnostics };
    reads.set(o, read);
  }
  return read;
}

interface Ctx {
  r: FieldReader;
  kind: CalicoKind;
  id: string;
  diagnostics: Diagnostic[];
  rejected: boolean;
}

const SPEC_KEYS: Record<CalicoKind, string[]> = {
  CalicoNetworkPolicy: ['order', 'tier', 'selector', 'types', 'ingress', 'egress', 'serviceAccountSelector', 'performanceHints'],
  GlobalNetworkPolicy: [
    'order',
    'tier',
    'selector',
    'namespaceSelector',
    'serviceAccountSelector',
    'types',
    'ingress',
    'egress',
    'doNotTrack',
    'preDNAT',
    'applyOnForward',
    'performanceHints',
  ],
};
const RULE_KEYS = ['action', 'protocol', 'notProtocol', 'icmp', 'notICMP', 'ipVersion', 'source', 'destination', 'http', 'metadata'];
const ENTITY_KEYS = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'ports', 'notPorts', 'serviceAccounts', 'services'];

function readOnce(o: ManifestObject, diagnostics: Diagnostic[]): SimCalicoPolicy | undefined {
  if (!isCalicoKind(o)) return undefined;
  const kind: CalicoKind = o.kind === 'NetworkPolicy' ? 'CalicoNetworkPolicy' : 'GlobalNetworkPolicy';
  const r = new FieldReader(o, diagnostics);
  if (!GROUPS.includes(o.apiVersion)) {
    r.invalid(
      ['apiVersion'],
      `Calico serves ${o.kind} as projectcalico.org/v3 (or crd.projectcalico.org/v1), not ${o.apiVersion}; it is not simulated.`,
    );
    return undefined;
  }
  const namespace = kind === 'CalicoNetworkPolicy' ? (namespaceOf(o) ?? DEFAULT_NAMESPACE) : '';
  const ctx: Ctx = { r, kind, id: namespace ? `${namespace}/${o.name}` : o.name, diagnostics, rejected: false };
  const spec = r.map(['spec']) ?? {};
  for (const key of Object.keys(spec)) if (!SPEC_KEYS[kind].includes(key)) unknown(ctx, ['spec', key], key, SPEC_KEYS[kind]);
  for (const key of ['doNotTrack', 'preDNAT', 'applyOnForward'])
    if (spec[key] === true)
      notSimulated(
        ctx,
        ['spec', key],
        key,
        'host-endpoint policies (untracked, pre-DNAT, forwarded traffic) are not simulated: this policy is left out',
      );
  if (spec['doNotTrack'] === true || spec['preDNAT'] === true) return undefined;
  const orderRaw = r.raw(['spec', 'order']);
  let order: number | undefined;
  if (orderRaw !== undefined && orderRaw !== null) {
    if (typeof orderRaw === 'number' && Number.isFinite(orderRaw)) order = orderRaw;
    else r.invalid(['spec', 'order'], `order must be a number (lower is applied first), not ${JSON.stringify(orderRaw)}.`);
  }
  // Whether the tier exists, and where it falls, is for the workspace's Tier objects to say (cniPolicies.ts).
  const tier = r.str(['spec', 'tier']) ?? 'default';
  const selector = readSel(ctx, ['spec', 'selector']) ?? { text: '', selector: { op: 'all' }, path: ['spec'] };
  const namespaceSelector = kind === 'GlobalNetworkPolicy' ? readSel(ctx, ['spec', 'namespaceSelector']) : undefined;
  const serviceAccountSelector = readSel(ctx, ['spec', 'serviceAccountSelector']);
  const rules = { ingress: readRules(ctx, 'ingress'), egress: readRules(ctx, 'egress') };
  const typesRaw = r.list(['spec', 'types']);
  const types = { ingress: false, egress: false };
  if (typesRaw && typesRaw.length > 0) {
    typesRaw.forEach((t, i) => {
      if (t === 'Ingress') types.ingress = true;
      else if (t === 'Egress') types.egress = true;
      else r.invalid(['spec', 'types', i], `types entries must be Ingress or Egress, not ${JSON.stringify(t)}.`);
    });
  } else {
    // The reference's default: Ingress, plus Egress when the policy has egress rules (Egress alone when it has only those).
    const eg = (r.list(['spec', 'egress']) ?? []).length > 0;
    const ing = (r.list(['spec', 'ingress']) ?? []).length > 0;
    types.ingress = ing || !eg;
    types.egress = eg;
  }
  if (ctx.rejected) {
    r.invalid(['metadata', 'name'], `Calico rejects this ${o.kind} (see the errors in it), so it is not simulated.`);
    return undefined;
  }
  const ref: PolicyRef = {
    kind,
    namespace,
    name: o.name,
    get range() {
      return o.locate(o.has(['spec', 'selector']) ? ['spec', 'selector'] : ['metadata', 'name']);
    },
  };
  return {
    kind,
    namespace,
    name: o.name,
    tier,
    order,
    selector,
    namespaceSelector,
    serviceAccountSelector,
    types,
    rules,
    origin: { kind: 'manifest', object: o },
    ref,
  };
}

function unknown(ctx: Ctx, path: FieldPath, key: string, known: string[]): void {
  const close = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  ctx.r.invalid(
    path,
    `Unknown field \`${key}\` in a Calico ${ctx.kind === 'GlobalNetworkPolicy' ? 'GlobalNetworkPolicy' : 'NetworkPolicy'}${close ? `; did you mean \`${close}\`?` : ` (known: ${known.join(', ')})`}. Calico rejects it.`,
  );
  ctx.rejected = true;
}

function notSimulated(ctx: Ctx, path: FieldPath, field: string, why: string): void {
  ctx.diagnostics.push(
    makeDiagnostic(
      'cni-policy-field-not-simulated',
      ctx.r.object.locate(path),
      { field, kind: ctx.kind === 'CalicoNetworkPolicy' ? 'Calico NetworkPolicy' : 'GlobalNetworkPolicy', policy: ctx.id, why },
      ctx.r.resource,
    ),
  );
}

/** Where the character at `offset` of a selector written at `at` is: after the quote when the value is quoted on one line. */
export function selectorCharRange(o: ManifestObject, path: FieldPath, text: string, offset: number): SourceRange {
  const at = o.locate(path);
  if (at.line !== at.endLine) return at;
  const width = at.endColumn - at.column;
  const quoted = width === text.length + 2 ? 1 : width === text.length ? 0 : undefined;
  if (quoted === undefined) return at;
  const column = at.column + quoted + Math.min(offset, text.length);
  return { ...at, column, endColumn: Math.min(at.endColumn, column + 1) };
}

function readSel(ctx: Ctx, path: FieldPath): CalicoSel | undefined {
  const text = ctx.r.str(path);
  if (text === undefined) return undefined;
  const p = parseCalicoSelector(text);
  if (!p.ok) {
    ctx.diagnostics.push(
      makeDiagnostic(
        'calico-selector-syntax',
        selectorCharRange(ctx.r.object, path, text, p.offset),
        { selector: text, message: p.message, column: p.offset + 1 },
        ctx.r.resource,
      ),
    );
    ctx.rejected = true;
    return undefined;
  }
  return { text, selector: p.selector, path };
}

const ACTIONS: readonly CalicoAction[] = ['Allow', 'Deny', 'Log', 'Pass'];

function readRules(ctx: Ctx, direction: Direction): CalicoRule[] {
  const { r } = ctx;
  const out: CalicoRule[] = [];
  (r.list(['spec', direction]) ?? []).forEach((raw, i) => {
    const path = ['spec', direction, i];
    if (!isRecord(raw)) return r.invalid(path, `Each ${direction} rule must be a mapping with \`action\`.`);
    for (const key of Object.keys(raw)) if (!RULE_KEYS.includes(key)) unknown(ctx, [...path, key], key, RULE_KEYS);
    const action = r.str([...path, 'action']);
    if (!action || !(ACTIONS as readonly string[]).includes(action)) {
      r.invalid(
        action ? [...path, 'action'] : path,
        `A rule's \`action\` must be Allow, Deny, Log or Pass${action ? `, not "${action}"` : ''}.`,
      );
      ctx.rejected = true;
      return;
    }
    if (raw['http'] !== undefined)
      notSimulated(
        ctx,
        [...path, 'http'],
        'http',
        "application-layer matches need Calico's application layer policy; the rule is read without them",
      );
    for (const key of ['icmp', 'notICMP'])
      if (raw[key] !== undefined) notSimulated(ctx, [...path, key], key, 'ICMP is not simulated (kube-netsim traces TCP, UDP and SCTP)');
    const protocol = readProtocol(ctx, [...path, 'protocol']);
    const notProtocol = readProtocol(ctx, [...path, 'notProtocol']);
    const ipv = r.raw([...path, 'ipVersion']);
    const ipVersion = ipv === 4 || ipv === 6 ? ipv : undefined;
    if (ipv !== undefined && ipVersion === undefined) r.invalid([...path, 'ipVersion'], 'ipVersion must be 4 or 6.');
    const source = readEntity(ctx, [...path, 'source'], 'source', protocol);
    const destination = readEntity(ctx, [...path, 'destination'], 'destination', protocol);
    out.push({ index: i, path, action: action as CalicoAction, protocol, notProtocol, ipVersion, source, destination });
  });
  return out;
}

function readProtocol(ctx: Ctx, path: FieldPath): Protocol | 'other' | undefined {
  const raw = ctx.r.raw(path);
  if (raw === undefined || raw === null) return undefined;
  const text = scalarText(raw).toUpperCase();
  if (text === 'TCP' || text === 'UDP' || text === 'SCTP') return text;
  if (text === '6') return 'TCP';
  if (text === '17') return 'UDP';
  if (text === '132') return 'SCTP';
  return 'other';
}

function readNets(ctx: Ctx, path: FieldPath): IpRange[] | undefined {
  const list = ctx.r.list(path);
  if (!list) return undefined;
  const out: IpRange[] = [];
  list.forEach((c, i) => {
    const range = typeof c === 'string' ? cidrRange(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`) : undefined;
    if (!range) {
      ctx.r.invalid([...path, i], `nets entries must be CIDRs such as 10.0.0.0/8, not ${JSON.stringify(c)}.`);
      ctx.rejected = true;
      return;
    }
    out.push(range);
  });
  return out;
}

function readPorts(ctx: Ctx, path: FieldPath, protocol: Protocol | 'other' | undefined): CalicoPort[] | undefined {
  const list = ctx.r.list(path);
  if (!list) return undefined;
  if (protocol === undefined || protocol === 'other') {
    ctx.r.invalid(path, 'Ports need `protocol` TCP, UDP or SCTP in the rule; Calico rejects ports without it.');
    ctx.rejected = true;
  }
  const out: CalicoPort[] = [];
  list.forEach((p, i) => {
    if (typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 65535) return out.push({ kind: 'range', lo: p, hi: p });
    const text = typeof p === 'string' ? p : '';
    const range = /^(\d+):(\d+)$/.exec(text);
    if (range) {
      const lo = Number(range[1]);
      const hi = Number(range[2]);
      if (lo <= hi && hi <= 65535) return out.push({ kind: 'range', lo, hi });
    } else if (/^\d+$/.test(text) && Number(text) <= 65535) return out.push({ kind: 'range', lo: Number(text), hi: Number(text) });
    else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(text)) return out.push({ kind: 'named', name: text });
    ctx.r.invalid([...path, i], `A port is a number, a range "80:90" or a port name, not ${JSON.stringify(p)}.`);
    ctx.rejected = true;
  });
  return out;
}

function readEntity(ctx: Ctx, path: FieldPath, which: 'source' | 'destination', protocol: Protocol | 'other' | undefined): CalicoEntity {
  const { r } = ctx;
  const raw = r.map(path) ?? {};
  for (const key of Object.keys(raw)) if (!ENTITY_KEYS.includes(key)) unknown(ctx, [...path, key], key, ENTITY_KEYS);
  let unsimulated = false;
  if (raw['services'] !== undefined) {
    notSimulated(ctx, [...path, 'services'], 'services', 'Service matches are not simulated (this rule matches nothing)');
    unsimulated = true;
  }
  const ports = readPorts(ctx, [...path, 'ports'], protocol);
  const notPorts = readPorts(ctx, [...path, 'notPorts'], protocol);
  if (which === 'source' && (ports || notPorts)) {
    notSimulated(
      ctx,
      [...path, ports ? 'ports' : 'notPorts'],
      `source.${ports ? 'ports' : 'notPorts'}`,
      "a connection's source port is ephemeral and not simulated (this rule matches nothing)",
    );
    unsimulated = true;
  }
  const sa = r.map([...path, 'serviceAccounts']);
  const serviceAccountNames = sa ? (r.list([...path, 'serviceAccounts', 'names']) ?? []).map((n) => scalarText(n)) : undefined;
  return {
    nets: readNets(ctx, [...path, 'nets']),
    notNets: readNets(ctx, [...path, 'notNets']),
    selector: readSel(ctx, [...path, 'selector']),
    notSelector: readSel(ctx, [...path, 'notSelector']),
    namespaceSelector: readSel(ctx, [...path, 'namespaceSelector']),
    serviceAccountNames: serviceAccountNames && serviceAccountNames.length > 0 ? serviceAccountNames : undefined,
    serviceAccountSelector: sa ? readSel(ctx, [...path, 'serviceAccounts', 'selector']) : undefined,
    ports,
    notPorts,
    unsimulated,
  };
}
