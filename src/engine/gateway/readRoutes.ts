// The five route kinds read from their manifests: parentRefs, hostnames, rules with their
// matches, filters and weighted backendRefs, with the defaults the CRDs apply (a rule without
// matches is PathPrefix /, a backendRef is a Service of weight 1 in the route's namespace).
import { FieldReader, isRecord } from '../manifests/fields';
import { DEFAULT_NAMESPACE } from '../manifests/kinds';
import type { Diagnostic } from '../diagnostics';
import type { ManifestObject } from '../manifests/types';
import type { FieldPath } from '../source';
import { hostnameProblem } from './hostnames';
import {
  GATEWAY_GROUP,
  type BackendRef,
  type GrpcMatch,
  type HeaderModifier,
  type HttpMatch,
  type ParentRef,
  type PathModifier,
  type RouteFilter,
  type RouteKind,
  type RouteRule,
  type SimRoute,
  type ValueMatch,
} from './types';

const REDIRECT_CODES = [301, 302, 303, 307, 308];

function readValueMatches(r: FieldReader, path: FieldPath, what: string): ValueMatch[] {
  const out: ValueMatch[] = [];
  (r.list(path) ?? []).forEach((_, i) => {
    const p = [...path, i];
    const name = r.str([...p, 'name']);
    const value = r.str([...p, 'value']);
    const typeRaw = r.str([...p, 'type']);
    const type = typeRaw === 'RegularExpression' ? 'RegularExpression' : 'Exact';
    if (typeRaw !== undefined && typeRaw !== 'Exact' && typeRaw !== 'RegularExpression')
      r.invalid([...p, 'type'], `A ${what} match type must be Exact or RegularExpression, not "${typeRaw}".`);
    if (name === undefined || value === undefined) r.invalid(p, `A ${what} match needs a name and a value.`);
    else out.push({ type, name, value });
  });
  return out;
}

/** The match a rule without `matches` has: PathPrefix /. */
function implicitMatch(rp: FieldPath): HttpMatch {
  return { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [], method: undefined, explicit: false, fieldPath: rp };
}

function readHttpMatches(r: FieldReader, rp: FieldPath): HttpMatch[] {
  const list = r.list([...rp, 'matches']);
  if (!list || list.length === 0) return [implicitMatch(rp)];
  const out: HttpMatch[] = [];
  list.forEach((_, i) => {
    const mp = [...rp, 'matches', i];
    const typeRaw = r.str([...mp, 'path', 'type']);
    let type: HttpMatch['path']['type'] = 'PathPrefix';
    if (typeRaw === 'Exact' || typeRaw === 'PathPrefix' || typeRaw === 'RegularExpression') type = typeRaw;
    else if (typeRaw !== undefined)
      r.invalid([...mp, 'path', 'type'], `path.type must be Exact, PathPrefix or RegularExpression, not "${typeRaw}".`);
    const value = r.str([...mp, 'path', 'value']) ?? '/';
    if (type !== 'RegularExpression' && !value.startsWith('/'))
      r.invalid([...mp, 'path', 'value'], `path "${value}" must start with "/" for ${type}.`);
    else if (type !== 'RegularExpression' && /\/\/|\/\.\.?(\/|$)|[?#]/.test(value))
      r.invalid([...mp, 'path', 'value'], `path "${value}" must not contain "//", "/./", "/../", "?" or "#"; the API server rejects it.`);
    out.push({
      path: { type, value },
      headers: readValueMatches(r, [...mp, 'headers'], 'header'),
      queryParams: readValueMatches(r, [...mp, 'queryParams'], 'query parameter'),
      method: r.str([...mp, 'method']),
      explicit: true,
      fieldPath: mp,
    });
  });
  return out;
}

function readGrpcMatches(r: FieldReader, rp: FieldPath): GrpcMatch[] {
  const list = r.list([...rp, 'matches']);
  if (!list || list.length === 0)
    return [{ type: 'Exact', service: undefined, method: undefined, headers: [], explicit: false, fieldPath: rp }];
  return list.map((_, i) => {
    const mp = [...rp, 'matches', i];
    const typeRaw = r.str([...mp, 'method', 'type']);
    const service = r.str([...mp, 'method', 'service']);
    const method = r.str([...mp, 'method', 'method']);
    if (typeRaw !== undefined && typeRaw !== 'Exact' && typeRaw !== 'RegularExpression')
      r.invalid([...mp, 'method', 'type'], `method.type must be Exact or RegularExpression, not "${typeRaw}".`);
    if (r.raw([...mp, 'method']) !== undefined && service === undefined && method === undefined)
      r.invalid([...mp, 'method'], 'A method match needs a service, a method, or both.');
    return {
      type: typeRaw === 'RegularExpression' ? 'RegularExpression' : 'Exact',
      service,
      method,
      headers: readValueMatches(r, [...mp, 'headers'], 'header'),
      explicit: true,
      fieldPath: mp,
    };
  });
}

function readHeaderModifier(r: FieldReader, path: FieldPath): HeaderModifier {
  const pairs = (key: string) =>
    (r.list([...path, key]) ?? []).flatMap((_, i) => {
      const name = r.str([...path, key, i, 'name']);
      const value = r.str([...path, key, i, 'value']);
      return name !== undefined && value !== undefined ? [{ name, value }] : [];
    });
  const remove = (r.list([...path, 'remove']) ?? []).filter((x): x is string => typeof x === 'string');
  return { set: pairs('set'), add: pairs('add'), remove };
}

function readPathModifier(r: FieldReader, path: FieldPath): PathModifier | undefined {
  if (r.raw(path) === undefined) return undefined;
  const type = r.str([...path, 'type']);
  if (type === 'ReplaceFullPath') return { type, value: r.str([...path, 'replaceFullPath']) ?? '/' };
  if (type === 'ReplacePrefixMatch') return { type, value: r.str([...path, 'replacePrefixMatch']) ?? '' };
  r.invalid([...path, 'type'], `path.type must be ReplaceFullPath or ReplacePrefixMatch, not "${type ?? '(none)'}".`);
  return undefined;
}

/** A backendRef (or a RequestMirror's backendRef): a Service by default, weight 1, in the route's namespace. */
function readBackendRef(r: FieldReader, path: FieldPath, namespace: string, filters: boolean): BackendRef | undefined {
  if (!isRecord(r.raw(path))) return undefined;
  const name = r.str([...path, 'name']);
  if (name === undefined) {
    r.invalid(path, 'A backendRef needs a `name`.');
    return undefined;
  }
  const group = r.str([...path, 'group']) ?? '';
  const kind = r.str([...path, 'kind']) ?? 'Service';
  const port = r.int([...path, 'port'], 1, 65535);
  if (port === undefined && group === '' && kind === 'Service' && r.raw([...path, 'port']) === undefined)
    r.invalid(path, `backendRef ${name} needs a \`port\`: the API requires one for a Service.`);
  return {
    group,
    kind,
    namespace: r.str([...path, 'namespace']) ?? namespace,
    name,
    port,
    weight: r.int([...path, 'weight'], 0, 1000000) ?? 1,
    filters: filters ? readFilters(r, [...path, 'filters'], namespace) : [],
    fieldPath: path,
  };
}

function readFilters(r: FieldReader, path: FieldPath, namespace: string): RouteFilter[] {
  const out: RouteFilter[] = [];
  (r.list(path) ?? []).forEach((_, i) => {
    const fp = [...path, i];
    const type = r.str([...fp, 'type']);
    switch (type) {
      case 'RequestRedirect': {
        const rp = [...fp, 'requestRedirect'];
        const scheme = r.str([...rp, 'scheme']);
        if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
          r.invalid([...rp, 'scheme'], `requestRedirect.scheme must be http or https, not "${scheme}".`);
        let statusCode = r.int([...rp, 'statusCode'], 100, 599) ?? 302;
        if (!REDIRECT_CODES.includes(statusCode)) {
          r.invalid(
            [...rp, 'statusCode'],
            `requestRedirect.statusCode must be 301, 302 (or, where supported, 303, 307, 308), not ${statusCode}.`,
          );
          statusCode = 302;
        }
        out.push({
          type,
          scheme,
          hostname: r.str([...rp, 'hostname']),
          path: readPathModifier(r, [...rp, 'path']),
          port: r.int([...rp, 'port'], 1, 65535),
          statusCode,
          fieldPath: fp,
        });
        break;
      }
      case 'URLRewrite':
        out.push({
          type,
          hostname: r.str([...fp, 'urlRewrite', 'hostname']),
          path: readPathModifier(r, [...fp, 'urlRewrite', 'path']),
          fieldPath: fp,
        });
        break;
      case 'RequestHeaderModifier':
      case 'ResponseHeaderModifier': {
        const key = type === 'RequestHeaderModifier' ? 'requestHeaderModifier' : 'responseHeaderModifier';
        out.push({ type, modifier: readHeaderModifier(r, [...fp, key]), fieldPath: fp });
        break;
      }
      case 'RequestMirror': {
        const backend = readBackendRef(r, [...fp, 'requestMirror', 'backendRef'], namespace, false);
        const numerator = r.int([...fp, 'requestMirror', 'fraction', 'numerator'], 0, 1000000);
        const denominator = r.int([...fp, 'requestMirror', 'fraction', 'denominator'], 1, 1000000) ?? 100;
        const percent =
          r.int([...fp, 'requestMirror', 'percent'], 0, 100) ?? (numerator !== undefined ? (100 * numerator) / denominator : 100);
        if (backend) out.push({ type, backend, percent, fieldPath: fp });
        else r.invalid(fp, 'A RequestMirror filter needs requestMirror.backendRef.');
        break;
      }
      case 'CORS': {
        const cp = [...fp, 'cors'];
        const strings = (key: string) => (r.list([...cp, key]) ?? []).flatMap((_, j) => r.str([...cp, key, j]) ?? []);
        out.push({
          type,
          cors: {
            allowOrigins: strings('allowOrigins'),
            allowCredentials: r.bool([...cp, 'allowCredentials']) ?? false,
            allowMethods: strings('allowMethods'),
            allowHeaders: strings('allowHeaders'),
            exposeHeaders: strings('exposeHeaders'),
            maxAge: r.int([...cp, 'maxAge'], 1, 2147483647) ?? 5,
          },
          fieldPath: fp,
        });
        break;
      }
      case 'DirectResponse': {
        const dp = [...fp, 'directResponse'];
        const statusCode = r.int([...dp, 'statusCode'], 100, 599);
        if (statusCode === undefined) r.invalid(dp, 'A DirectResponse filter needs directResponse.statusCode (100-599).');
        else out.push({ type, statusCode, body: r.str([...dp, 'body', 'string']), fieldPath: fp });
        break;
      }
      case undefined:
        r.invalid(fp, 'A filter needs a `type`.');
        break;
      default:
        out.push({ type: 'Unsupported', name: type, fieldPath: fp });
    }
  });
  return out;
}

/** What a rule's timeouts, retry and sessionPersistence would do, in words: the trace names them as not simulated. */
function unsimulatedFields(r: FieldReader, rp: FieldPath): NonNullable<RouteRule['unsimulated']> {
  const out: NonNullable<RouteRule['unsimulated']> = [];
  const text = (path: FieldPath) => {
    const v = r.raw(path);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  if (r.raw([...rp, 'timeouts']) !== undefined) {
    const parts = [
      text([...rp, 'timeouts', 'request']) && `request ${text([...rp, 'timeouts', 'request'])}`,
      text([...rp, 'timeouts', 'backendRequest']) && `backendRequest ${text([...rp, 'timeouts', 'backendRequest'])}`,
    ].filter(Boolean);
    out.push({
      field: 'timeouts',
      detail: `timeouts (${parts.join(', ') || 'as set'}) are not simulated: the trace does not know how long the backend takes, so it cannot tell whether the Gateway would answer 504 instead`,
      fieldPath: [...rp, 'timeouts'],
    });
  }
  if (r.raw([...rp, 'retry']) !== undefined)
    out.push({
      field: 'retry',
      detail: `retry (${['attempts', 'backoff'].flatMap((k) => (text([...rp, 'retry', k]) ? [`${k} ${text([...rp, 'retry', k])}`] : [])).join(', ') || 'as set'}) is not simulated: the trace follows one attempt`,
      fieldPath: [...rp, 'retry'],
    });
  if (r.raw([...rp, 'sessionPersistence']) !== undefined)
    out.push({
      field: 'sessionPersistence',
      detail: `sessionPersistence (${text([...rp, 'sessionPersistence', 'type']) ?? 'Cookie'}${text([...rp, 'sessionPersistence', 'sessionName']) ? ` ${text([...rp, 'sessionPersistence', 'sessionName'])}` : ''}) is not simulated: which backend a returning client sticks to is left out; the trace picks as for a first request`,
      fieldPath: [...rp, 'sessionPersistence'],
    });
  return out;
}

function readRule(r: FieldReader, kind: RouteKind, namespace: string, i: number): RouteRule {
  const rp = ['spec', 'rules', i];
  const rule: RouteRule = {
    index: i,
    name: r.str([...rp, 'name']),
    matches: kind === 'HTTPRoute' ? readHttpMatches(r, rp) : [],
    grpcMatches: kind === 'GRPCRoute' ? readGrpcMatches(r, rp) : [],
    filters: kind === 'HTTPRoute' || kind === 'GRPCRoute' ? readFilters(r, [...rp, 'filters'], namespace) : [],
    backendRefs: [],
    fieldPath: rp,
  };
  (r.list([...rp, 'backendRefs']) ?? []).forEach((_, j) => {
    const b = readBackendRef(r, [...rp, 'backendRefs', j], namespace, kind === 'HTTPRoute' || kind === 'GRPCRoute');
    if (b) rule.backendRefs.push(b);
  });
  const unsimulated = unsimulatedFields(r, rp);
  if (unsimulated.length > 0) rule.unsimulated = unsimulated;
  const types = rule.filters.map((f) => f.type);
  if (types.includes('DirectResponse') && rule.backendRefs.length > 0)
    r.invalid([...rp, 'backendRefs'], 'A rule with a DirectResponse filter cannot have backendRefs; the API server rejects it.');
  if (types.includes('RequestRedirect') && types.includes('URLRewrite'))
    r.invalid([...rp, 'filters'], 'A rule cannot have both RequestRedirect and URLRewrite; the API server rejects it.');
  const prefixOnly = rule.matches.every((m) => m.path.type === 'PathPrefix');
  rule.filters.forEach((f) => {
    const path = f.type === 'RequestRedirect' || f.type === 'URLRewrite' ? f.path : undefined;
    if (path?.type === 'ReplacePrefixMatch' && !prefixOnly)
      r.invalid(f.fieldPath, 'ReplacePrefixMatch needs every match of its rule to be a PathPrefix match; the API server rejects it.');
  });
  return rule;
}

function readParentRef(r: FieldReader, namespace: string, i: number): ParentRef | undefined {
  const pp = ['spec', 'parentRefs', i];
  const name = r.str([...pp, 'name']);
  if (name === undefined) {
    r.invalid(pp, 'A parentRef needs a `name` (the Gateway to attach to).');
    return undefined;
  }
  return {
    group: r.str([...pp, 'group']) ?? GATEWAY_GROUP,
    kind: r.str([...pp, 'kind']) ?? 'Gateway',
    namespace: r.str([...pp, 'namespace']) ?? namespace,
    name,
    sectionName: r.str([...pp, 'sectionName']),
    port: r.int([...pp, 'port'], 1, 65535),
    fieldPath: pp,
  };
}

/** One route of any kind; `order` is its place in the apply order. */
export function readRoute(o: ManifestObject, kind: RouteKind, order: number, diagnostics: Diagnostic[]): SimRoute {
  const r = new FieldReader(o, diagnostics);
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const hostnames: string[] = [];
  (r.list(['spec', 'hostnames']) ?? []).forEach((h, i) => {
    if (typeof h !== 'string') return r.invalid(['spec', 'hostnames', i], 'A hostname must be a string.');
    if (kind === 'TCPRoute' || kind === 'UDPRoute') return r.invalid(['spec', 'hostnames'], `A ${kind} has no hostnames.`);
    const problem = hostnameProblem(h);
    if (problem) r.invalid(['spec', 'hostnames', i], `${problem}; the API server rejects this ${kind}.`);
    else hostnames.push(h.toLowerCase());
  });
  const parentRefs = (r.list(['spec', 'parentRefs']) ?? []).flatMap((_, i) => readParentRef(r, namespace, i) ?? []);
  const rules = (r.list(['spec', 'rules']) ?? []).map((_, i) => readRule(r, kind, namespace, i));
  if (kind === 'HTTPRoute' && r.raw(['spec', 'rules']) === undefined)
    // The CRD's default: one rule matching PathPrefix / (with no backend, so it answers 500).
    rules.push({
      index: 0,
      name: undefined,
      matches: [implicitMatch(['spec'])],
      grpcMatches: [],
      filters: [],
      backendRefs: [],
      fieldPath: ['spec'],
    });
  const meta = o.raw['metadata'];
  const created = isRecord(meta) && typeof meta['creationTimestamp'] === 'string' ? meta['creationTimestamp'] : undefined;
  return { kind, namespace, name: o.name, hostnames, parentRefs, rules, created, order, origin: { kind: 'manifest', object: o } };
}
