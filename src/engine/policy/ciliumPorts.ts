// Reads the L4 and L7 parts of a Cilium rule: toPorts (ports, ranges, protocol ANY) and their
// rules (HTTP, DNS; other L7 protocols are reported as not simulated).
import { isRecord, scalarText } from '../manifests/fields';
import type { Protocol } from '../cluster/model';
import type { FieldPath } from '../source';
import type { CiliumPort, CiliumPortRule, CiliumSection, DnsRule, HttpRule } from './ciliumTypes';
import { notSimulated, reject, unknown, type ReadCtx } from './ciliumRead';

const PROTOCOLS: Record<string, readonly Protocol[]> = {
  TCP: ['TCP'],
  UDP: ['UDP'],
  SCTP: ['SCTP'],
  ANY: ['TCP', 'UDP', 'SCTP'],
};

export function readToPorts(ctx: ReadCtx, path: FieldPath, deny: boolean, section: CiliumSection): CiliumPortRule[] | null {
  const { r } = ctx;
  const raw = r.raw([...path, 'toPorts']);
  if (raw === undefined || raw === null) return null;
  const list = r.list([...path, 'toPorts']) ?? [];
  const out: CiliumPortRule[] = [];
  list.forEach((entry, i) => {
    const at = [...path, 'toPorts', i];
    if (!isRecord(entry)) return r.invalid(at, 'Each toPorts entry must be a mapping with `ports` (and optional `rules`).');
    const known = deny ? ['ports'] : ['ports', 'rules', 'terminatingTLS', 'originatingTLS', 'serverNames', 'listener'];
    for (const key of Object.keys(entry)) if (!known.includes(key)) unknown(ctx, [...at, key], key, known);
    for (const key of ['terminatingTLS', 'originatingTLS', 'serverNames', 'listener'])
      if (entry[key] !== undefined)
        notSimulated(
          ctx,
          [...at, key],
          key,
          'TLS interception, SNI and Envoy listeners are not simulated (the entry is read without them)',
        );
    const ports: CiliumPort[] = [];
    const portList = r.list([...at, 'ports']);
    if (!portList || portList.length === 0)
      ports.push({ kind: 'range', protocols: PROTOCOLS['ANY'] as Protocol[], lo: 1, hi: 65535, path: at });
    (portList ?? []).forEach((p, j) => {
      const pp = [...at, 'ports', j];
      if (!isRecord(p)) return reject(ctx, pp, 'Each port must be a mapping such as {port: "80", protocol: TCP}.');
      const protoText = p['protocol'] === undefined ? 'ANY' : scalarText(p['protocol']);
      const protocols = PROTOCOLS[protoText];
      if (!protocols) {
        if (['ICMP', 'ICMPV6', 'VRRP', 'IGMP'].includes(protoText))
          return notSimulated(ctx, [...pp, 'protocol'], 'protocol', `${protoText} is not simulated (this port matches nothing)`);
        return reject(ctx, [...pp, 'protocol'], `protocol must be TCP, UDP, SCTP or ANY, not ${JSON.stringify(p['protocol'])}.`);
      }
      const portRaw = p['port'];
      const text = portRaw === undefined || portRaw === null ? '0' : scalarText(portRaw);
      const endPort = r.int([...pp, 'endPort'], 0, 65535);
      if (/^\d+$/.test(text)) {
        const n = Number(text);
        if (n > 65535) return reject(ctx, [...pp, 'port'], `port ${n} is above 65535.`);
        // Port 0 is every port (https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples).
        if (n === 0) return ports.push({ kind: 'range', protocols, lo: 1, hi: 65535, path: pp });
        if (endPort !== undefined && endPort !== 0 && endPort < n)
          return reject(ctx, [...pp, 'endPort'], `endPort ${endPort} is below port ${n}.`);
        return ports.push({ kind: 'range', protocols, lo: n, hi: endPort && endPort > n ? endPort : n, path: pp });
      }
      if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(text))
        return reject(ctx, [...pp, 'port'], `port must be a number or a port name, not ${JSON.stringify(text)}.`);
      ports.push({ kind: 'named', protocols, name: text, path: pp });
    });
    let http: HttpRule[] | undefined;
    let dns: DnsRule[] | undefined;
    const rules = r.map([...at, 'rules']);
    if (rules) {
      for (const key of Object.keys(rules)) {
        if (key === 'http' || key === 'dns') continue;
        if (key === 'kafka' || key === 'l7proto' || key === 'l7')
          notSimulated(
            ctx,
            [...at, 'rules', key],
            `rules.${key}`,
            `L7 ${key === 'kafka' ? 'Kafka' : 'proxy-library'} rules are not simulated: connections on these ports are read as allowed at L4, though the proxy may refuse some requests`,
          );
        else unknown(ctx, [...at, 'rules', key], key, ['http', 'dns', 'kafka', 'l7proto', 'l7']);
      }
      if (rules['http'] !== undefined) http = readHttp(ctx, [...at, 'rules', 'http']);
      if (rules['dns'] !== undefined) {
        if (section !== 'egress') reject(ctx, [...at, 'rules', 'dns'], 'DNS rules are allowed only in egress rules.');
        dns = readDns(ctx, [...at, 'rules', 'dns']);
      }
    }
    out.push({ index: i, path: at, ports, http, dns });
  });
  return out;
}

/** Cilium anchors its HTTP regular expressions (Envoy's safe_regex matches the whole value). */
function anchored(ctx: ReadCtx, path: FieldPath, text: string | undefined, flags = ''): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(`^(?:${text})$`, flags);
  } catch (e) {
    reject(ctx, path, `${JSON.stringify(text)} is not a valid regular expression (${(e as Error).message}).`);
    return undefined;
  }
}

function readHttp(ctx: ReadCtx, path: FieldPath): HttpRule[] {
  const { r } = ctx;
  const out: HttpRule[] = [];
  (r.list(path) ?? []).forEach((raw, i) => {
    const at = [...path, i];
    if (raw === null) raw = {};
    if (!isRecord(raw)) return r.invalid(at, 'Each HTTP rule must be a mapping (method, path, host, headers, headerMatches).');
    const known = ['method', 'path', 'host', 'headers', 'headerMatches'];
    for (const key of Object.keys(raw)) if (!known.includes(key)) unknown(ctx, [...at, key], key, known);
    const methodText = r.str([...at, 'method']);
    const pathText = r.str([...at, 'path']);
    const hostText = r.str([...at, 'host']);
    const headers: HttpRule['headers'] = [];
    (r.list([...at, 'headers']) ?? []).forEach((h, j) => {
      if (typeof h !== 'string') return r.invalid([...at, 'headers', j], 'headers entries are strings: `Name` or `Name: value`.');
      const colon = h.indexOf(':');
      headers.push(colon < 0 ? { name: h.trim(), value: undefined } : { name: h.slice(0, colon).trim(), value: h.slice(colon + 1).trim() });
    });
    (r.list([...at, 'headerMatches']) ?? []).forEach((h, j) => {
      const hp = [...at, 'headerMatches', j];
      if (!isRecord(h) || typeof h['name'] !== 'string') return r.invalid(hp, 'headerMatches entries need `name`.');
      if (h['mismatch'] !== undefined || h['secret'] !== undefined) {
        notSimulated(ctx, hp, 'headerMatches', 'mismatch actions and secret values are not simulated (this header is required as written)');
      }
      headers.push({ name: h['name'], value: typeof h['value'] === 'string' ? h['value'] : undefined });
    });
    out.push({
      index: i,
      path: at,
      method: anchored(ctx, [...at, 'method'], methodText),
      methodText,
      pathRe: anchored(ctx, [...at, 'path'], pathText),
      pathText,
      host: anchored(ctx, [...at, 'host'], hostText, 'i'),
      headers,
    });
  });
  return out;
}

function readDns(ctx: ReadCtx, path: FieldPath): DnsRule[] {
  const { r } = ctx;
  const out: DnsRule[] = [];
  (r.list(path) ?? []).forEach((raw, i) => {
    const at = [...path, i];
    if (!isRecord(raw)) return r.invalid(at, 'Each DNS rule must be a mapping with `matchName` or `matchPattern`.');
    const matchName = r.str([...at, 'matchName']);
    const matchPattern = r.str([...at, 'matchPattern']);
    if (matchName === undefined && matchPattern === undefined) return r.invalid(at, 'A DNS rule needs `matchName` or `matchPattern`.');
    out.push({ index: i, path: at, matchName, matchPattern });
  });
  return out;
}
