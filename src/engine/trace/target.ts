import { isIP } from '../cluster/ipam';
import type { Target } from './types';

const SCHEME_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, grpc: 80, grpcs: 443, h2c: 80, tls: 443 };

/**
 * Parses TARGET as the CLI and the editor take it: a URL (`http://backend:8080/api`, the
 * scheme's port when none is given), `HOST:PORT`, or `IP:PORT` (`[v6]:PORT` for IPv6).
 */
export function parseTarget(text: string): { ok: true; target: Target } | { ok: false; message: string } {
  const t = text.trim();
  const url = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[^/:?#]*)(?::(\d+))?([^?#]*)(?:\?([^#]*))?/i.exec(t);
  if (url) {
    const scheme = (url[1] as string).toLowerCase();
    const host = (url[2] as string).replace(/^\[|\]$/g, '').toLowerCase();
    const port = url[3] !== undefined ? Number(url[3]) : SCHEME_PORTS[scheme];
    if (port === undefined)
      return { ok: false, message: `${t}: no port, and ${scheme}:// has no well-known one; write ${scheme}://${host}:PORT` };
    if (port < 1 || port > 65535) return { ok: false, message: `${t}: port ${port} is outside 1-65535` };
    if (host === '') return { ok: false, message: `${t}: the URL names no host` };
    const target: Target = { text: t, scheme, host, port, path: url[4] || '/', literal: isIP(host) };
    if (url[5] !== undefined && url[5] !== '') target.query = url[5];
    return { ok: true, target };
  }
  const hp = /^(\[[0-9a-f:.]+\]|[^:/\s]+):(\d+)$/i.exec(t);
  if (hp) {
    const host = (hp[1] as string).replace(/^\[|\]$/g, '').toLowerCase();
    const port = Number(hp[2]);
    if (port < 1 || port > 65535) return { ok: false, message: `${t}: port ${port} is outside 1-65535` };
    return { ok: true, target: { text: t, scheme: undefined, host, port, path: '/', literal: isIP(host) } };
  }
  return { ok: false, message: `${t}: a target is a URL (http://backend:8080/api), HOST:PORT or IP:PORT` };
}
