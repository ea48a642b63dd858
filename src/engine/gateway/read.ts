// GatewayClasses, Gateways (listeners, TLS, allowedRoutes, addresses) and ReferenceGrants read
// from their manifests, with the defaults the API's CRDs apply. Bad fields are reported where
// they are written (manifest-invalid) and read as absent, as the API server would refuse them.
import { FieldReader, isRecord } from '../manifests/fields';
import { readSelector } from '../cluster/labels';
import { DEFAULT_NAMESPACE } from '../manifests/kinds';
import { isIP } from '../cluster/ipam';
import type { Diagnostic } from '../diagnostics';
import type { ManifestObject } from '../manifests/types';
import { hostnameProblem } from './hostnames';
import {
  GATEWAY_GROUP,
  ROUTE_KINDS,
  type DataPlaneKind,
  type Listener,
  type ListenerProtocol,
  type RouteGroupKind,
  type RouteKind,
  type SimGateway,
  type SimGatewayClass,
  type SimReferenceGrant,
} from './types';

/** Whether the object is of the Gateway API group (any served version: v1, v1beta1, v1alpha2, v1alpha3). */
export function isGatewayApi(o: ManifestObject, kind?: string): boolean {
  return o.apiVersion.startsWith(GATEWAY_PREFIX) && (kind === undefined || o.kind === kind);
}

/** Made once: every object of the workspace is asked about, for every kind the model reads. */
const GATEWAY_PREFIX = `${GATEWAY_GROUP}/`;

/** The data plane a controllerName stands for. */
export function dataPlaneKind(controllerName: string): DataPlaneKind {
  if (controllerName.startsWith('gateway.envoyproxy.io/')) return 'envoy-gateway';
  if (controllerName === 'io.cilium/gateway-controller' || controllerName.startsWith('io.cilium/')) return 'cilium';
  if (controllerName.startsWith('istio.io/')) return 'istio';
  if (controllerName.startsWith('gateway.nginx.org/')) return 'nginx-gateway-fabric';
  return 'generic';
}

/** GatewayClasses that controllers install themselves (so workspaces rarely define them), by name. */
export const INSTALLED_CLASSES: Readonly<Record<string, string>> = {
  istio: 'istio.io/gateway-controller',
  cilium: 'io.cilium/gateway-controller',
  nginx: 'gateway.nginx.org/nginx-gateway-controller',
};

export function readGatewayClass(o: ManifestObject, diagnostics: Diagnostic[]): SimGatewayClass {
  const r = new FieldReader(o, diagnostics);
  const controllerName = r.str(['spec', 'controllerName']);
  if (controllerName === undefined)
    r.invalid(['spec'], 'A GatewayClass needs spec.controllerName (the controller that serves its Gateways).');
  const name = controllerName ?? '';
  return { name: o.name, controllerName: name, dataPlane: dataPlaneKind(name), assumed: false, origin: { kind: 'manifest', object: o } };
}

const PROTOCOLS: readonly ListenerProtocol[] = ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'];

/** The route kinds each protocol carries, and those a listener accepts when allowedRoutes.kinds is not set. */
export function kindsFor(protocol: string, tlsMode: 'Terminate' | 'Passthrough' | undefined): RouteKind[] {
  switch (protocol) {
    case 'HTTP':
    case 'HTTPS':
      return ['HTTPRoute', 'GRPCRoute'];
    case 'TLS':
      return tlsMode === 'Terminate' ? ['TLSRoute', 'TCPRoute'] : ['TLSRoute'];
    case 'TCP':
      return ['TCPRoute'];
    case 'UDP':
      return ['UDPRoute'];
    default:
      return [];
  }
}

function readListener(r: FieldReader, gatewayNamespace: string, i: number): Listener | undefined {
  const lp = ['spec', 'listeners', i];
  if (!isRecord(r.raw(lp))) {
    r.invalid(lp, 'Each listener must be a mapping with name, port and protocol.');
    return undefined;
  }
  const name = r.str([...lp, 'name']);
  const port = r.int([...lp, 'port'], 1, 65535);
  const protocol = r.str([...lp, 'protocol']);
  if (name === undefined) r.invalid(lp, 'A listener needs a `name` (the sectionName routes attach by).');
  if (port === undefined && r.raw([...lp, 'port']) === undefined) r.invalid(lp, 'A listener needs a `port`.');
  if (protocol === undefined && r.raw([...lp, 'protocol']) === undefined)
    r.invalid(lp, 'A listener needs a `protocol` (HTTP, HTTPS, TLS, TCP or UDP).');
  if (name === undefined || port === undefined || protocol === undefined) return undefined;
  let hostname = r.str([...lp, 'hostname']);
  if (hostname !== undefined) {
    const problem = hostnameProblem(hostname);
    if (problem) {
      r.invalid([...lp, 'hostname'], `${problem}; the API server rejects this Gateway.`);
      hostname = undefined;
    } else if (protocol === 'TCP' || protocol === 'UDP') {
      r.invalid(
        [...lp, 'hostname'],
        `A ${protocol} listener cannot have a hostname (it sees no host name to match); the API server rejects it.`,
      );
      hostname = undefined;
    }
  }
  const modeRaw = r.str([...lp, 'tls', 'mode']);
  const hasTls = r.raw([...lp, 'tls']) !== undefined;
  let tlsMode: Listener['tlsMode'] = hasTls || protocol === 'HTTPS' || protocol === 'TLS' ? 'Terminate' : undefined;
  if (modeRaw === 'Passthrough' || modeRaw === 'Terminate') tlsMode = modeRaw;
  else if (modeRaw !== undefined) r.invalid([...lp, 'tls', 'mode'], `tls.mode must be Terminate or Passthrough, not "${modeRaw}".`);
  if (protocol === 'HTTPS' && tlsMode === 'Passthrough')
    r.invalid([...lp, 'tls', 'mode'], 'An HTTPS listener terminates TLS; use protocol TLS for Passthrough.');
  const certificateRefs: Listener['certificateRefs'] = [];
  (r.list([...lp, 'tls', 'certificateRefs']) ?? []).forEach((_, j) => {
    const cp = [...lp, 'tls', 'certificateRefs', j];
    const certName = r.str([...cp, 'name']);
    if (certName !== undefined)
      certificateRefs.push({
        name: certName,
        namespace: r.str([...cp, 'namespace']) ?? gatewayNamespace,
        kind: r.str([...cp, 'kind']) ?? 'Secret',
        group: r.str([...cp, 'group']) ?? '',
      });
  });
  if ((protocol === 'HTTPS' || (protocol === 'TLS' && tlsMode === 'Terminate')) && certificateRefs.length === 0)
    r.invalid(
      hasTls ? [...lp, 'tls'] : lp,
      `A ${protocol} listener that terminates TLS needs tls.certificateRefs (the certificate it presents).`,
    );
  const fromRaw = r.str([...lp, 'allowedRoutes', 'namespaces', 'from']);
  let allowedFrom: Listener['allowedFrom'] = 'Same';
  if (fromRaw === 'Same' || fromRaw === 'All' || fromRaw === 'Selector' || fromRaw === 'None') allowedFrom = fromRaw;
  else if (fromRaw !== undefined)
    r.invalid(
      [...lp, 'allowedRoutes', 'namespaces', 'from'],
      `allowedRoutes.namespaces.from must be All, Same, Selector or None, not "${fromRaw}".`,
    );
  const namespaceSelector = readSelector(r, [...lp, 'allowedRoutes', 'namespaces', 'selector']);
  if (allowedFrom === 'Selector' && !namespaceSelector)
    r.invalid([...lp, 'allowedRoutes', 'namespaces'], 'from: Selector needs a `selector` (the namespaces whose routes may attach).');
  const defaults = kindsFor(protocol, tlsMode);
  const listed = r.list([...lp, 'allowedRoutes', 'kinds']);
  const supportedKinds: RouteKind[] = [];
  const invalidKinds: RouteGroupKind[] = [];
  if (listed) {
    listed.forEach((_, k) => {
      const kp = [...lp, 'allowedRoutes', 'kinds', k];
      const kind = r.str([...kp, 'kind']);
      const group = r.str([...kp, 'group']) ?? GATEWAY_GROUP;
      if (kind === undefined) return;
      const known = group === GATEWAY_GROUP ? ROUTE_KINDS.find((x) => x === kind) : undefined;
      if (known && defaults.includes(known)) {
        if (!supportedKinds.includes(known)) supportedKinds.push(known);
      } else invalidKinds.push({ group, kind });
    });
  } else supportedKinds.push(...defaults);
  const unsupported = PROTOCOLS.some((p) => p === protocol)
    ? undefined
    : `protocol ${protocol} is not one the simulation carries (HTTP, HTTPS, TLS, TCP, UDP)`;
  return {
    name,
    port,
    protocol,
    hostname,
    tlsMode,
    certificateRefs,
    allowedFrom,
    namespaceSelector,
    supportedKinds,
    invalidKinds,
    conflict: undefined,
    unsupported,
    fieldPath: lp,
  };
}

/** A Gateway and its listeners (duplicate listener names reported, the later one dropped). */
export function readGateway(o: ManifestObject, diagnostics: Diagnostic[]): SimGateway {
  const r = new FieldReader(o, diagnostics);
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const className = r.str(['spec', 'gatewayClassName']) ?? '';
  if (className === '') r.invalid(['spec'], 'A Gateway needs spec.gatewayClassName (the GatewayClass whose controller programs it).');
  const listeners: Listener[] = [];
  const list = r.list(['spec', 'listeners']);
  if (!list || list.length === 0) r.invalid(['spec'], 'A Gateway needs at least one listener in spec.listeners.');
  (list ?? []).forEach((_, i) => {
    const l = readListener(r, namespace, i);
    if (!l) return;
    if (listeners.some((x) => x.name === l.name)) {
      r.invalid(['spec', 'listeners', i, 'name'], `Listener name ${l.name} is used twice; listener names must be unique within a Gateway.`);
      return;
    }
    listeners.push(l);
  });
  const requestedAddresses: string[] = [];
  (r.list(['spec', 'addresses']) ?? []).forEach((_, i) => {
    const ap = ['spec', 'addresses', i];
    const type = r.str([...ap, 'type']) ?? 'IPAddress';
    const value = r.str([...ap, 'value']);
    if (value === undefined) return;
    if (type === 'IPAddress') {
      if (isIP(value)) requestedAddresses.push(value);
      else r.invalid([...ap, 'value'], `"${value}" is not an IP address (type IPAddress).`);
    }
  });
  return {
    namespace,
    name: o.name,
    className,
    gatewayClass: undefined,
    listeners,
    requestedAddresses,
    addresses: [],
    dataPlane: undefined,
    origin: { kind: 'manifest', object: o },
  };
}

export function readReferenceGrant(o: ManifestObject, diagnostics: Diagnostic[]): SimReferenceGrant {
  const r = new FieldReader(o, diagnostics);
  const grant: SimReferenceGrant = {
    namespace: o.namespace ?? DEFAULT_NAMESPACE,
    name: o.name,
    from: [],
    to: [],
    origin: { kind: 'manifest', object: o },
  };
  (r.list(['spec', 'from']) ?? []).forEach((_, i) => {
    const fp = ['spec', 'from', i];
    const kind = r.str([...fp, 'kind']);
    const namespace = r.str([...fp, 'namespace']);
    if (kind === undefined || namespace === undefined) r.invalid(fp, 'A ReferenceGrant `from` entry needs group, kind and namespace.');
    else grant.from.push({ group: r.str([...fp, 'group']) ?? '', kind, namespace, fieldPath: fp });
  });
  (r.list(['spec', 'to']) ?? []).forEach((_, i) => {
    const tp = ['spec', 'to', i];
    const kind = r.str([...tp, 'kind']);
    if (kind === undefined) r.invalid(tp, 'A ReferenceGrant `to` entry needs group and kind.');
    else grant.to.push({ group: r.str([...tp, 'group']) ?? '', kind, name: r.str([...tp, 'name']), fieldPath: tp });
  });
  return grant;
}
