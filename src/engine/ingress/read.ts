// Reading an Ingress manifest: rules, paths, backends (v1 and the v1beta1 spellings) and TLS, each
// problem reported at its field.
import { FieldReader, isRecord, scalarText } from '../manifests/fields';
import type { Diagnostic } from '../diagnostics';
import type { FieldPath } from '../source';
import type { ManifestObject } from '../manifests/types';
import type { IngressBackend, IngressPath, PathType, SimIngress } from './types';

function readBackend(r: FieldReader, path: FieldPath): IngressBackend | undefined {
  if (!isRecord(r.raw(path))) return undefined;
  const svcName = r.str([...path, 'service', 'name']);
  if (svcName !== undefined) {
    const number = r.int([...path, 'service', 'port', 'number'], 1, 65535);
    const name = r.str([...path, 'service', 'port', 'name']);
    const portPath =
      number !== undefined
        ? [...path, 'service', 'port', 'number']
        : name !== undefined
          ? [...path, 'service', 'port', 'name']
          : [...path, 'service', 'port'];
    return { service: { name: svcName, port: number ?? name }, path, namePath: [...path, 'service', 'name'], portPath };
  }
  // networking.k8s.io/v1beta1 and extensions/v1beta1 spell it serviceName / servicePort.
  const legacyName = r.str([...path, 'serviceName']);
  if (legacyName !== undefined) {
    return {
      service: { name: legacyName, port: r.intOrName([...path, 'servicePort']) },
      path,
      namePath: [...path, 'serviceName'],
      portPath: [...path, 'servicePort'],
    };
  }
  const res = r.raw([...path, 'resource']);
  if (isRecord(res))
    return {
      resource: `${scalarText(res['apiGroup'] ?? '')}/${scalarText(res['kind'] ?? '')}/${scalarText(res['name'] ?? '')}`,
      path,
      namePath: [...path, 'resource'],
      portPath: [...path, 'resource'],
    };
  r.invalid(path, 'An Ingress backend needs `service` (name and port) or `resource`.');
  return undefined;
}

export function readIngress(o: ManifestObject, diagnostics: Diagnostic[]): SimIngress {
  const r = new FieldReader(o, diagnostics);
  const legacy = o.apiVersion !== 'networking.k8s.io/v1';
  const ing: SimIngress = {
    namespace: o.namespace ?? 'default',
    name: o.name,
    className: undefined,
    rules: [],
    defaultBackend: undefined,
    tls: [],
    origin: { kind: 'manifest', object: o },
  };
  ing.defaultBackend = readBackend(r, ['spec', legacy && r.raw(['spec', 'backend']) !== undefined ? 'backend' : 'defaultBackend']);
  (r.list(['spec', 'rules']) ?? []).forEach((_, i) => {
    const rp = ['spec', 'rules', i];
    const host = r.str([...rp, 'host']);
    if (host !== undefined && host.includes('*') && !/^\*\.[^*]+$/.test(host))
      r.invalid([...rp, 'host'], `host "${host}" is not valid: a wildcard must be the whole first label, as in *.example.com.`);
    const paths: IngressPath[] = [];
    (r.list([...rp, 'http', 'paths']) ?? []).forEach((__, j) => {
      const pp = [...rp, 'http', 'paths', j];
      const typeRaw = r.str([...pp, 'pathType']);
      let pathType: PathType = 'ImplementationSpecific';
      if (typeRaw === 'Exact' || typeRaw === 'Prefix' || typeRaw === 'ImplementationSpecific') pathType = typeRaw;
      else if (typeRaw !== undefined)
        r.invalid([...pp, 'pathType'], `pathType must be Exact, Prefix or ImplementationSpecific, not "${typeRaw}".`);
      else if (!legacy) r.invalid(pp, 'networking.k8s.io/v1 requires `pathType` on every path (Exact, Prefix or ImplementationSpecific).');
      const path = r.str([...pp, 'path']) ?? '/';
      if (pathType !== 'ImplementationSpecific' && !path.startsWith('/'))
        r.invalid([...pp, 'path'], `path "${path}" must be absolute (start with /) for pathType ${pathType}.`);
      const backend = readBackend(r, [...pp, 'backend']);
      if (backend) paths.push({ path, pathType, backend, fieldPath: pp });
    });
    ing.rules.push({ host: host?.toLowerCase(), paths, fieldPath: rp });
  });
  (r.list(['spec', 'tls']) ?? []).forEach((_, i) => {
    const tp = ['spec', 'tls', i];
    const hosts = (r.list([...tp, 'hosts']) ?? []).filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase());
    ing.tls.push({ hosts, secretName: r.str([...tp, 'secretName']), fieldPath: tp });
  });
  return ing;
}
