// Runs in the analysis worker (no vscode here): the Gateway API's code lenses. Above each
// HTTPRoute/GRPCRoute rule's match, "Trace packet from external to URL" with the URL a client
// would send to reach that match (the route's hostname, else its listener's; the match's path,
// method and exact header values); above each listener, "N routes attached", as the Gateway's
// status.listeners[].attachedRoutes would say.
import {
  hostnameIntersection,
  type Analysis,
  type GrpcMatch,
  type HttpMatch,
  type Listener,
  type SimGateway,
  type SimRoute,
  type SourceRange,
} from '../../engine';

/** A route the "N routes attached" lens lists, with where it is written. */
export interface AttachedRoute {
  label: string;
  description: string;
  range: SourceRange | undefined;
}

/** Arguments of kubeNetsim.showAttachedRoutes. */
export interface AttachedRoutesRequest {
  folder: string;
  gateway: string;
  listener: string;
  routes: AttachedRoute[];
  /** Why the listener takes no traffic (its Accepted/Programmed/Conflicted conditions), when it does not. */
  problems: string[];
}

export interface GatewayTrace {
  folder: string;
  from: 'external';
  to: string;
  via?: string;
  method?: string;
  headers?: Array<{ name: string; value: string }>;
}

export type GatewayLens =
  | { range: SourceRange; title: string; command: 'kubeNetsim.tracePacket'; arguments: [GatewayTrace]; tooltip: string }
  | { range: SourceRange; title: string; command: 'kubeNetsim.showAttachedRoutes'; arguments: [AttachedRoutesRequest]; tooltip: string };

type Here = (origin: { kind: string; object?: { file: string } }) => boolean;

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443, grpc: 80, grpcs: 443 };

/** A concrete host for a hostname: a wildcard's `*` becomes `www` (any label stands for it). */
function concrete(hostname: string): string {
  return hostname.replace(/^\*\./, 'www.');
}

interface Entry {
  gateway: SimGateway;
  listener: Listener | undefined;
}

/** The Gateway and listener a route's lens traces through: its first accepted parent, else its first parent's Gateway. */
function entryOf(a: Analysis, route: SimRoute): Entry | undefined {
  const parents = a.gateway.status(route).parents;
  const accepted = parents.find((p) => p.accepted && p.gateway && p.listeners.length > 0);
  if (accepted?.gateway) {
    const kinds = route.kind === 'GRPCRoute' ? ['HTTPS', 'HTTP'] : ['HTTP', 'HTTPS'];
    // A route on both a plain and a TLS listener: the plain one, as a curl without -k would start.
    const listener = [...accepted.listeners].sort((x, y) => kinds.indexOf(x.protocol) - kinds.indexOf(y.protocol))[0];
    return { gateway: accepted.gateway, listener };
  }
  const first = parents.find((p) => p.gateway);
  return first?.gateway ? { gateway: first.gateway, listener: undefined } : undefined;
}

function base(route: SimRoute, entry: Entry | undefined, grpc: boolean): string | undefined {
  const listener = entry?.listener;
  // The name both the route and its listener accept (the more specific of the two), as a client must send it.
  const listenerHost = listener?.hostname;
  const shared = route.hostnames
    .map((h) => (listenerHost ? hostnameIntersection(h, listenerHost) : h))
    .find((h): h is string => h !== undefined);
  const host = shared ?? route.hostnames[0] ?? listenerHost ?? entry?.gateway.addresses[0];
  if (!host) return undefined;
  const tls = listener?.protocol === 'HTTPS';
  const scheme = grpc ? (tls ? 'grpcs' : 'grpc') : tls ? 'https' : 'http';
  const port = listener && listener.port !== DEFAULT_PORT[scheme] ? `:${listener.port}` : '';
  return `${scheme}://${concrete(host)}${port}`;
}

/** The URL (and method, headers) that an HTTP match takes; undefined for a regular-expression path. */
function httpTarget(m: HttpMatch): { path: string; method?: string; headers: Array<{ name: string; value: string }> } | undefined {
  if (m.path.type === 'RegularExpression') return undefined;
  const query = m.queryParams.filter((q) => q.type === 'Exact').map((q) => `${encodeURIComponent(q.name)}=${encodeURIComponent(q.value)}`);
  return {
    path: `${m.path.value || '/'}${query.length ? `?${query.join('&')}` : ''}`,
    ...(m.method ? { method: m.method } : {}),
    headers: m.headers.filter((h) => h.type === 'Exact').map((h) => ({ name: h.name, value: h.value })),
  };
}

/** `/SERVICE/METHOD` for a gRPC match; a match that leaves one open gets a stand-in name, which it matches. */
function grpcPath(m: GrpcMatch | undefined): { path: string; headers: Array<{ name: string; value: string }> } | undefined {
  if (m?.type === 'RegularExpression') return undefined;
  return {
    path: `/${m?.service ?? 'grpc.health.v1.Health'}/${m?.method ?? 'Check'}`,
    headers: (m?.headers ?? []).filter((h) => h.type === 'Exact').map((h) => ({ name: h.name, value: h.value })),
  };
}

function routeLenses(a: Analysis, route: SimRoute, folder: string): GatewayLens[] {
  if (route.origin.kind !== 'manifest' || (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute')) return [];
  const o = route.origin.object;
  const grpc = route.kind === 'GRPCRoute';
  const entry = entryOf(a, route);
  const root = base(route, entry, grpc);
  if (!root) return [];
  const via = entry ? `${entry.gateway.namespace}/${entry.gateway.name}` : undefined;
  const out: GatewayLens[] = [];
  for (const rule of route.rules) {
    const matches: Array<{ at: SourceRange; m: HttpMatch | GrpcMatch | undefined }> = grpc
      ? rule.grpcMatches.length
        ? rule.grpcMatches.map((m) => ({ at: o.locate(m.fieldPath), m }))
        : [{ at: o.locate(rule.fieldPath), m: undefined }]
      : rule.matches.map((m) => ({ at: o.locate(m.explicit ? m.fieldPath : rule.fieldPath), m }));
    for (const { at, m } of matches) {
      const t = grpc ? grpcPath(m as GrpcMatch | undefined) : m ? httpTarget(m as HttpMatch) : undefined;
      if (!t) continue;
      const url = `${root}${t.path}`;
      const method = 'method' in t && typeof t.method === 'string' ? t.method : undefined;
      const extras = [...(method ? [method] : []), ...t.headers.map((h) => `${h.name}: ${h.value}`)];
      out.push({
        range: at,
        title: `Trace packet from external to ${url}${extras.length ? ` (${extras.join(', ')})` : ''}`,
        command: 'kubeNetsim.tracePacket',
        arguments: [
          {
            folder,
            from: 'external',
            to: url,
            ...(via ? { via } : {}),
            ...(method ? { method } : {}),
            ...(t.headers.length ? { headers: t.headers } : {}),
          },
        ],
        tooltip: `Walk a request from a client outside the cluster through Gateway ${via ?? '?'} to this match`,
      });
    }
  }
  return out;
}

function listenerLenses(a: Analysis, gw: SimGateway, folder: string): GatewayLens[] {
  if (gw.origin.kind !== 'manifest') return [];
  const o = gw.origin.object;
  return gw.listeners.map((l) => {
    const status = a.gateway.listenerStatus(gw, l);
    const n = status.attachedRoutes;
    const routes = a.gateway.routesOn(gw, l).map((r) => ({
      label: `${r.kind} ${r.namespace}/${r.name}`,
      description: r.hostnames.join(', '),
      range: r.origin.kind === 'manifest' ? r.origin.object.locate(['metadata', 'name']) : undefined,
    }));
    return {
      range: o.locate([...l.fieldPath, 'name']),
      title: `${n} route${n === 1 ? '' : 's'} attached`,
      command: 'kubeNetsim.showAttachedRoutes' as const,
      arguments: [{ folder, gateway: `${gw.namespace}/${gw.name}`, listener: l.name, routes, problems: status.problems }] as [
        AttachedRoutesRequest,
      ],
      tooltip: `The routes attached to listener ${l.name} (${l.protocol} ${l.port}), as status.listeners[].attachedRoutes counts them`,
    };
  });
}

export function gatewayLenses(a: Analysis, here: Here, folder: string): GatewayLens[] {
  const out: GatewayLens[] = [];
  for (const gw of a.gateway.gateways) if (here(gw.origin)) out.push(...listenerLenses(a, gw, folder));
  for (const route of a.gateway.routes) if (here(route.origin)) out.push(...routeLenses(a, route, folder));
  return out;
}
