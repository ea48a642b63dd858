// The HTTPRoute CORS filter (HTTPCORSFilter, Gateway API v1.3+), as its field documentation
// defines it: which Origins are allowed (`*` in a host matching any number of labels to its left,
// `*` alone any origin, default ports 80/443), the headers a preflight is answered with, the
// headers an actual cross-origin answer gains, and where AllowCredentials forbids `*` (the
// Gateway then echoes the Origin, the requested method or the requested headers instead).
import { headerValue } from './match';
import type { CorsPolicy, GatewayRequest, Header } from './types';

const DEFAULT_PORT: Record<string, string> = { http: '80', https: '443' };

interface Origin {
  scheme: string | undefined;
  host: string;
  port: string | undefined;
}

/** `<scheme>://<host>[:<port>]` split up, lower case; a pattern may leave out the scheme. */
function parseOrigin(text: string): Origin | undefined {
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?([^/:]+)(?::(\d+))?\/?$/i.exec(text.trim());
  if (!m || m[2] === undefined) return undefined;
  const scheme = m[1]?.toLowerCase();
  return { scheme, host: m[2].toLowerCase(), port: m[3] ?? (scheme ? DEFAULT_PORT[scheme] : undefined) };
}

/** Whether an AllowOrigins entry allows the request's Origin. */
export function originAllowed(pattern: string, origin: string): boolean {
  if (pattern.trim() === '*') return true;
  const p = parseOrigin(pattern);
  const o = parseOrigin(origin);
  if (!p || !o) return false;
  if (p.scheme !== undefined && p.scheme !== o.scheme) return false;
  if (p.port !== undefined && p.port !== o.port) return false;
  if (p.host === '*') return true;
  // `*` is greedy to the left: it stands for one or more characters, periods included.
  const re = new RegExp(`^${p.host.split('*').map(escape).join('.+')}$`);
  return re.test(o.host);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type CorsOutcome =
  | { kind: 'none'; detail: string }
  | { kind: 'preflight'; status: number; headers: Header[]; detail: string }
  | { kind: 'actual'; headers: Header[]; detail: string };

/** What a CORS filter does with one request: nothing (no Origin), answer a preflight, or add headers to the answer. */
export function applyCors(policy: CorsPolicy, req: GatewayRequest): CorsOutcome {
  const origin = headerValue(req, 'origin');
  if (origin === undefined)
    return { kind: 'none', detail: 'CORS: the request has no Origin header, so it is not cross-origin; nothing changes' };
  const requestedMethod = headerValue(req, 'access-control-request-method');
  const preflight = req.method === 'OPTIONS' && requestedMethod !== undefined;
  const allowed = policy.allowOrigins.some((p) => originAllowed(p, origin));
  if (!allowed) {
    const why = `CORS: Origin ${origin} is not in allowOrigins (${policy.allowOrigins.join(', ') || 'none'}), so no CORS header is set`;
    return preflight
      ? {
          kind: 'preflight',
          status: 204,
          headers: [],
          detail: `${why}; the Gateway answers the preflight 204 without them (the specification also lets it answer 403), and the browser blocks the cross-origin request`,
        }
      : { kind: 'actual', headers: [], detail: `${why}; the browser keeps the answer from the page` };
  }
  const credentials = policy.allowCredentials;
  // With credentials, `*` may not be sent: the Gateway names the one origin, method or header list asked for.
  const wildcardOrigin = policy.allowOrigins.length === 1 && policy.allowOrigins[0]?.trim() === '*';
  const headers: Header[] = [{ name: 'Access-Control-Allow-Origin', value: wildcardOrigin && !credentials ? '*' : origin }];
  if (credentials) headers.push({ name: 'Access-Control-Allow-Credentials', value: 'true' });
  const list = (values: string[], requested: string | undefined): string | undefined => {
    if (values.length === 0) return undefined;
    if (values.includes('*') && credentials) return requested;
    return values.join(', ');
  };
  if (preflight) {
    const methods = list(policy.allowMethods, requestedMethod);
    if (methods !== undefined) headers.push({ name: 'Access-Control-Allow-Methods', value: methods });
    const allowHeaders = list(policy.allowHeaders, headerValue(req, 'access-control-request-headers'));
    if (allowHeaders !== undefined) headers.push({ name: 'Access-Control-Allow-Headers', value: allowHeaders });
  }
  const expose = policy.exposeHeaders.filter((h) => h !== '*' || !credentials);
  if (expose.length > 0) headers.push({ name: 'Access-Control-Expose-Headers', value: expose.join(', ') });
  if (preflight) {
    headers.push({ name: 'Access-Control-Max-Age', value: String(policy.maxAge) });
    return {
      kind: 'preflight',
      status: 204,
      headers,
      detail: `CORS: the Gateway answers the preflight for ${requestedMethod} from ${origin} itself (204): ${headers.map((h) => `${h.name}: ${h.value}`).join('; ')}`,
    };
  }
  return {
    kind: 'actual',
    headers,
    detail: `CORS: Origin ${origin} is allowed; the answer gains ${headers.map((h) => `${h.name}: ${h.value}`).join('; ')}`,
  };
}
