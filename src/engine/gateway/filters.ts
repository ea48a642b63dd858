// HTTPRoute filters carried out on a request as the spec defines them: RequestRedirect (the
// Location it answers with, 302 by default), URLRewrite (hostname, ReplaceFullPath,
// ReplacePrefixMatch), Request/ResponseHeaderModifier (set, add, remove; names case-insensitive),
// RequestMirror (a copy sent elsewhere, its answer ignored), CORS (a preflight answered, the
// answer's CORS headers), DirectResponse (the Gateway's own answer). Filters the simulation does not carry out are named as such, never guessed.
import { applyCors } from './cors';
import type { GatewayRequest, Header, HeaderModifier, HttpMatch, PathModifier, RouteFilter } from './types';

export type FilterEffect = { filter: RouteFilter; detail: string };

/** The path after ReplacePrefixMatch: the matched prefix replaced, element boundaries kept (the spec's table). */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const p = prefix.replace(/\/+$/, '');
  const rest = path.slice(p.length);
  let out = replacement.replace(/\/+$/, '') + rest;
  if (out === '') out = '/';
  return out.startsWith('/') ? out : `/${out}`;
}

function modifiedPath(path: string, mod: PathModifier | undefined, match: HttpMatch | undefined): string {
  if (!mod) return path;
  if (mod.type === 'ReplaceFullPath') return mod.value;
  return match?.path.type === 'PathPrefix' ? replacePrefix(path, match.path.value, mod.value) : path;
}

/** Applies a header modifier to a header list: set overwrites, add appends (joined with ","), remove deletes. */
export function modifyHeaders(headers: Header[], mod: HeaderModifier): Header[] {
  let out = headers.map((h) => ({ ...h }));
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  for (const s of mod.set) out = [...out.filter((h) => !same(h.name, s.name)), { name: s.name, value: s.value }];
  for (const a of mod.add) {
    const existing = out.filter((h) => same(h.name, a.name));
    if (existing.length === 0) out.push({ name: a.name, value: a.value });
    else {
      const joined = [...existing.map((h) => h.value), a.value].join(',');
      out = [...out.filter((h) => !same(h.name, a.name)), { name: existing[0]?.name ?? a.name, value: joined }];
    }
  }
  for (const r of mod.remove) out = out.filter((h) => !same(h.name, r));
  return out;
}

function modifierText(mod: HeaderModifier): string {
  const parts = [
    ...mod.set.map((s) => `set ${s.name}: ${s.value}`),
    ...mod.add.map((a) => `add ${a.name}: ${a.value}`),
    ...mod.remove.map((r) => `remove ${r}`),
  ];
  return parts.join(', ') || 'no change';
}

const WELL_KNOWN: Record<string, number> = { http: 80, https: 443 };

/** The Location a RequestRedirect answers with, as the spec derives scheme, host, port and path. */
export function redirectLocation(
  f: Extract<RouteFilter, { type: 'RequestRedirect' }>,
  req: GatewayRequest,
  match: HttpMatch | undefined,
): string {
  const scheme = f.scheme ?? req.scheme;
  const host = f.hostname ?? req.host;
  // No port given: the scheme's well-known port when the filter sets a scheme, else the listener's.
  const port = f.port ?? (f.scheme !== undefined ? (WELL_KNOWN[f.scheme] ?? req.port) : req.port);
  const showPort = WELL_KNOWN[scheme] !== port;
  const path = modifiedPath(req.path, f.path, match);
  return `${scheme}://${host}${showPort ? `:${port}` : ''}${path}${req.query ? `?${req.query}` : ''}`;
}

export interface FilterOutcome {
  request: GatewayRequest;
  effects: FilterEffect[];
  /** Set when a RequestRedirect answered. */
  redirect: { status: number; location: string; filter: RouteFilter } | undefined;
  /** Set when a DirectResponse filter answered. */
  direct: { status: number; body: string | undefined; filter: RouteFilter } | undefined;
  /** Set when a CORS filter answered a preflight itself. */
  preflight: { status: number; headers: Header[]; filter: RouteFilter } | undefined;
  responseHeaders: HeaderModifier[];
  mirrors: Array<Extract<RouteFilter, { type: 'RequestMirror' }>>;
}

/** Carries out a list of filters in order on the request (a rule's, then a backendRef's own). */
export function applyFilters(request: GatewayRequest, filters: readonly RouteFilter[], match: HttpMatch | undefined): FilterOutcome {
  let req: GatewayRequest = { ...request, headers: request.headers.map((h) => ({ ...h })) };
  const out: FilterOutcome = {
    request: req,
    effects: [],
    redirect: undefined,
    direct: undefined,
    preflight: undefined,
    responseHeaders: [],
    mirrors: [],
  };
  for (const f of filters) {
    switch (f.type) {
      case 'RequestRedirect': {
        const location = redirectLocation(f, req, match);
        out.redirect = { status: f.statusCode, location, filter: f };
        out.effects.push({ filter: f, detail: `RequestRedirect answers ${f.statusCode} with Location ${location}` });
        break;
      }
      case 'URLRewrite': {
        const path = modifiedPath(req.path, f.path, match);
        const host = f.hostname ?? req.host;
        const changes = [
          f.hostname !== undefined ? `Host ${req.host} → ${host}` : '',
          f.path !== undefined ? `path ${req.path} → ${path} (${f.path.type})` : '',
        ].filter(Boolean);
        req = { ...req, host, path };
        out.effects.push({ filter: f, detail: `URLRewrite: ${changes.join(', ') || 'no change'}` });
        break;
      }
      case 'RequestHeaderModifier':
        req = { ...req, headers: modifyHeaders(req.headers, f.modifier) };
        out.effects.push({ filter: f, detail: `RequestHeaderModifier: ${modifierText(f.modifier)}` });
        break;
      case 'ResponseHeaderModifier':
        out.responseHeaders.push(f.modifier);
        out.effects.push({ filter: f, detail: `ResponseHeaderModifier on the answer: ${modifierText(f.modifier)}` });
        break;
      case 'RequestMirror':
        out.mirrors.push(f);
        out.effects.push({
          filter: f,
          detail: `RequestMirror: ${f.percent}% of requests are copied to Service ${f.backend.namespace}/${f.backend.name}${f.backend.port ? ` port ${f.backend.port}` : ''}; its answers are ignored${f.percent < 100 ? '. Which requests are in that share is a random pick the simulation does not make: this one may or may not be copied' : ''}`,
        });
        break;
      case 'CORS': {
        const c = applyCors(f.cors, req);
        if (c.kind === 'preflight') out.preflight = { status: c.status, headers: c.headers, filter: f };
        else if (c.kind === 'actual' && c.headers.length > 0) out.responseHeaders.push({ set: c.headers, add: [], remove: [] });
        out.effects.push({ filter: f, detail: c.detail });
        break;
      }
      case 'DirectResponse':
        out.direct = { status: f.statusCode, body: f.body, filter: f };
        out.effects.push({
          filter: f,
          detail: `DirectResponse: the Gateway answers ${f.statusCode} itself${f.body !== undefined ? ` with the body ${JSON.stringify(f.body.length > 80 ? `${f.body.slice(0, 80)}…` : f.body)}` : ', with no body'}; no backend is asked`,
        });
        break;
      case 'Unsupported':
        out.effects.push({ filter: f, detail: `filter ${f.name} is not simulated: what it does to the request is left out` });
        break;
    }
    if (out.redirect || out.direct || out.preflight) break;
  }
  out.request = req;
  return out;
}

/** The headers a response carries after ResponseHeaderModifiers, starting from what the backend sent (when known). */
export function responseHeaders(mods: readonly HeaderModifier[], fromBackend: readonly Header[] = []): Header[] {
  let headers: Header[] = fromBackend.map((h) => ({ ...h }));
  for (const m of mods) headers = modifyHeaders(headers, m);
  return headers;
}
