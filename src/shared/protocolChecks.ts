// Structural checks for the messages of src/shared/protocol.ts. A check returns undefined when the
// value fits, else one sentence naming the first field that does not (with its path), so a bad
// message is refused with a reason instead of crashing the drawing code halfway.

/** Returns undefined when `v` fits, else what is wrong at `at`. */
export type Check = (v: unknown, at: string) => string | undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/**
 * A value as an error message may quote it: a short string quoted, anything else by its type.
 * (JSON.stringify of what a page sent threw on a BigInt or a cycle, and copied megabytes into the log.)
 */
export function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : describe(v);
}

export const check = {
  str: ((v, at) => (typeof v === 'string' ? undefined : `${at} must be a string, not ${describe(v)}`)) as Check,
  num: ((v, at) =>
    typeof v === 'number' && Number.isFinite(v) ? undefined : `${at} must be a finite number, not ${describe(v)}`) as Check,
  int: ((v, at) => (typeof v === 'number' && Number.isInteger(v) ? undefined : `${at} must be an integer, not ${describe(v)}`)) as Check,
  bool: ((v, at) => (typeof v === 'boolean' ? undefined : `${at} must be true or false, not ${describe(v)}`)) as Check,
  oneOf:
    (values: readonly string[]): Check =>
    (v, at) =>
      typeof v === 'string' && values.includes(v) ? undefined : `${at} must be one of ${values.join(', ')}, not ${shown(v)}`,
  nullable:
    (c: Check): Check =>
    (v, at) =>
      v === null ? undefined : c(v, at),
  optional:
    (c: Check): Check =>
    (v, at) =>
      v === undefined ? undefined : c(v, at),
  either:
    (...cs: Check[]): Check =>
    (v, at) => {
      const errors = cs.map((c) => c(v, at));
      return errors.some((e) => e === undefined) ? undefined : errors[0];
    },
  arr:
    (c: Check): Check =>
    (v, at) => {
      if (!Array.isArray(v)) return `${at} must be a list, not ${describe(v)}`;
      for (let i = 0; i < v.length; i++) {
        const e = c(v[i], `${at}[${i}]`);
        if (e) return e;
      }
      return undefined;
    },
  /** A string-to-string map (labels). */
  strMap: ((v, at) => {
    if (!isObj(v)) return `${at} must be a mapping, not ${describe(v)}`;
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') return `${at}.${k} must be a string, not ${describe(x)}`;
    return undefined;
  }) as Check,
  obj:
    (shape: Record<string, Check>): Check =>
    (v, at) => {
      if (!isObj(v)) return `${at} must be an object, not ${describe(v)}`;
      for (const [k, c] of Object.entries(shape)) {
        const e = c(v[k], `${at}.${k}`);
        if (e) return e;
      }
      return undefined;
    },
};

const { str, num, int, bool, oneOf, nullable, optional, either, arr, strMap, obj } = check;

export const isSourceRange: Check = obj({ file: str, line: int, column: int, endLine: int, endColumn: int });
const source = optional(isSourceRange);

const node = obj({ id: str, name: str, ip: str, podCIDR: str, labels: strMap, implicit: bool, source });
const pod = obj({
  id: str,
  namespace: str,
  name: str,
  ip: nullable(str),
  node: nullable(str),
  labels: strMap,
  workload: str,
  workloadKind: str,
  ready: bool,
  hostNetwork: bool,
  ports: arr(obj({ name: nullable(str), port: int, protocol: str })),
  implicit: bool,
  source,
});
const service = obj({
  id: str,
  namespace: str,
  name: str,
  type: oneOf(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
  clusterIP: nullable(str),
  headless: bool,
  externalName: nullable(str),
  loadBalancerIP: nullable(str),
  ports: arr(obj({ name: nullable(str), port: int, protocol: str, targetPort: either(int, str), nodePort: nullable(int) })),
  endpointCount: int,
  implicit: bool,
  source,
});
const route = obj({
  host: nullable(str),
  path: nullable(str),
  pathType: nullable(str),
  service: nullable(str),
  port: nullable(either(int, str)),
  resolved: bool,
  defaultBackend: bool,
  source,
});
const ingress = obj({
  id: str,
  namespace: str,
  name: str,
  className: nullable(str),
  controllerService: nullable(str),
  routes: arr(route),
  source,
});
const external = obj({
  id: str,
  role: oneOf(['client', 'load-balancer', 'node-port']),
  label: str,
  ip: nullable(str),
  port: nullable(int),
  service: nullable(str),
  source,
});
const edge = obj({ id: str, kind: oneOf(['endpoint', 'route', 'external', 'controller']), from: str, to: str, label: str, source });

const callPort = obj({ port: int, verdict: oneOf(['allowed', 'blocked']), outcome: str, reason: str });
const gateway = obj({
  id: str,
  namespace: str,
  name: str,
  className: str,
  addresses: arr(str),
  listeners: arr(obj({ name: str, port: int, protocol: str, hostname: nullable(str), attachedRoutes: int })),
  source,
});
const gatewayRoute = obj({
  id: str,
  kind: str,
  namespace: str,
  name: str,
  hostnames: arr(str),
  parents: arr(obj({ gateway: str, sectionName: nullable(str), accepted: bool, reason: str })),
  backends: arr(obj({ service: str, port: nullable(int), weight: num, resolved: bool, reason: str })),
  source,
});
const mapCounts = obj({ workloads: int, calls: int, blockedCalls: int, gateways: int, routes: int });
const map = obj({
  gateways: arr(gateway),
  routes: arr(gatewayRoute),
  calls: arr(obj({ id: str, from: str, to: str, verdict: oneOf(['allowed', 'blocked']), ports: arr(callPort), via: arr(str), source })),
  edges: arr(obj({ id: str, kind: oneOf(['endpoint', 'route', 'listener']), from: str, to: str, label: str, source })),
  counts: mapCounts,
});
const settings = obj({ cni: str, kubeProxyMode: str, hostNetworkPods: str, clusterDomain: str, externalClient: str });
const namespace = obj({ name: str, implicit: bool, pods: int, services: int });
const counts = obj({ nodes: int, pods: int, services: int, ingresses: int, endpointEdges: int, routes: int });

export const isTopology: Check = obj({
  version: int,
  settings,
  namespaces: arr(namespace),
  nodes: arr(node),
  workloads: arr(
    obj({
      id: str,
      kind: str,
      namespace: str,
      name: str,
      pods: arr(str),
      ready: int,
      ports: arr(obj({ name: nullable(str), port: int, protocol: str })),
      nodes: arr(str),
      implicit: bool,
      source,
    }),
  ),
  pods: arr(pod),
  services: arr(service),
  ingresses: arr(ingress),
  externals: arr(external),
  edges: arr(edge),
  map,
  counts,
});

/** The map's wire form but for its tuples (src/shared/topologyWire.ts): what it sends as the engine's own records. */
export const isMapRest: Check = obj({
  version: int,
  settings,
  namespaces: arr(namespace),
  nodes: arr(node),
  ingresses: arr(ingress),
  externals: arr(external),
  edges: arr(edge),
  map: obj({ gateways: arr(gateway), routes: arr(gatewayRoute), counts: mapCounts }),
  counts,
});

export const isPolicyLayer: Check = obj({
  focus: str,
  pod: str,
  edges: arr(
    obj({
      id: str,
      direction: oneOf(['ingress', 'egress']),
      from: str,
      to: str,
      fromWorkload: str,
      toWorkload: str,
      port: int,
      protocol: str,
      allowed: bool,
      policies: arr(obj({ kind: str, namespace: str, name: str, source })),
      reason: str,
    }),
  ),
});

export const isTraceView: Check = obj({
  title: str,
  verdict: str,
  reason: str,
  hops: arr(obj({ step: str, node: nullable(str), detail: str, objects: arr(str), source })),
});

export const isViewState: Check = obj({
  folder: nullable(str),
  hiddenNamespaces: arr(str),
  layers: obj({ endpoints: bool, ingress: bool, policy: bool }),
  search: str,
  focus: nullable(str),
  transform: nullable(obj({ x: num, y: num, k: num })),
  view: optional(oneOf(['map', 'nodes', 'matrix'])),
});

const matrixCell = obj({ src: str, dst: str, conn: str });
export const isMatrixView: Check = obj({ cells: arr(matrixCell), namespaceCells: arr(matrixCell) });
