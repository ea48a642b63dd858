// ingress-nginx's annotations that change where a request goes, as its annotations and path
// matching docs describe them (kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/
// annotations/ and .../user-guide/ingress-path-matching/):
// - use-regex: "true" makes the paths case-insensitive regular expressions anchored at the start
//   (`location ~* "^PATH"`), for every path of that host across all Ingresses of the class; a
//   rewrite-target on any Ingress of the host enforces the same. nginx takes the first regex that
//   matches, and the controller writes the locations longest path first.
// - rewrite-target: the URI the backend receives, with the location's capture groups ($1, $2 …).
// - ssl-redirect (default true when the Ingress has TLS for the host) and force-ssl-redirect
//   (even without TLS): a plain-HTTP request is answered 308 to https://.
// - app-root: a request for `/` is answered 302 to that path.
// - canary, canary-weight(-total), canary-by-header(-value): read as migrate/canary.ts does.
// - backend-protocol: HTTP (default), HTTPS, GRPC, GRPCS, AJP, FCGI spoken to the backend.
// - service-upstream: "true" sends to the Service's ClusterIP instead of the endpoints.
import { annotations, isCanary } from './canary';
import { hostMatches } from './paths';
import type { IngressPath, SimIngress } from './types';

export const NGINX = 'nginx.ingress.kubernetes.io/';

/** The annotations of ingress-nginx on one Ingress, by name without the prefix. */
export function nginxAnnotations(ing: SimIngress): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations(ing))) if (k.startsWith(NGINX)) out[k.slice(NGINX.length)] = v;
  return out;
}

/** Whether an Ingress makes ingress-nginx read its hosts' paths as regular expressions (use-regex or rewrite-target, not a canary). */
function setsRegex(ing: SimIngress): boolean {
  if (isCanary(ing)) return false;
  const a = nginxAnnotations(ing);
  return a['use-regex'] === 'true' || a['rewrite-target'] !== undefined;
}

/** Whether ingress-nginx reads the paths of `host` as regular expressions: some Ingress of the class with a rule for it sets use-regex or rewrite-target. */
export function regexEnforced(ingresses: readonly SimIngress[], host: string | undefined): SimIngress | undefined {
  return ingresses.find((ing) => setsRegex(ing) && ing.rules.some((r) => r.host === host));
}

/**
 * regexEnforced for many hosts of one class: the hosts (undefined for rules without one) whose
 * paths are read as regular expressions, found in one pass. Asking regexEnforced for every rule
 * of every Ingress read the class's annotations once per pair (800 × 800 at 96,000 pods).
 */
export function regexHosts(ingresses: readonly SimIngress[]): Set<string | undefined> {
  const hosts = new Set<string | undefined>();
  for (const ing of ingresses) if (setsRegex(ing)) for (const r of ing.rules) hosts.add(r.host);
  return hosts;
}

/** A path as ingress-nginx's `location ~* "^PATH"`; undefined when nginx would not compile it. */
export function nginxRegex(path: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${path})`, 'i');
  } catch {
    return undefined;
  }
}

/** The first regex location that matches, in the order the controller writes them (longest path first). */
export function firstRegexMatch<T extends { path: IngressPath }>(candidates: T[], requestPath: string): T | undefined {
  const ordered = candidates.map((c, i) => ({ c, i })).sort((x, y) => y.c.path.path.length - x.c.path.path.length || x.i - y.i);
  return ordered.find(({ c }) => nginxRegex(c.path.path)?.test(requestPath) === true)?.c;
}

/** The URI the backend receives under rewrite-target: the target with the location's captures put in. */
export function rewritten(target: string, locationPath: string, regex: boolean, requestPath: string): string {
  if (!regex) return target;
  const m = nginxRegex(locationPath)?.exec(requestPath);
  if (!m) return target;
  return target.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '');
}

/** What ingress-nginx answers itself for a request routed by `ing`, before any backend: a redirect, or nothing. */
export function nginxAnswer(
  ing: SimIngress,
  req: { scheme: 'http' | 'https'; host: string; path: string; query: string },
): { status: number; location: string; annotation: string } | undefined {
  const a = nginxAnnotations(ing);
  const query = req.query ? `?${req.query}` : '';
  if (req.scheme === 'http') {
    const tls = ing.tls.some((t) => t.hosts.some((h) => hostMatches(h, req.host)));
    const redirect = a['force-ssl-redirect'] === 'true' || (tls && a['ssl-redirect'] !== 'false');
    if (redirect)
      return {
        status: 308,
        location: `https://${req.host}${req.path}${query}`,
        annotation: a['force-ssl-redirect'] === 'true' ? 'force-ssl-redirect' : 'ssl-redirect',
      };
  }
  const root = a['app-root'];
  if (root !== undefined && (req.path === '/' || req.path === ''))
    return { status: 302, location: `${req.scheme}://${req.host}${root}`, annotation: 'app-root' };
  return undefined;
}

/** The protocol ingress-nginx speaks to the backend (backend-protocol), HTTP by default. */
export function backendProtocol(ing: SimIngress): string {
  const p = nginxAnnotations(ing)['backend-protocol']?.toUpperCase();
  return p && ['HTTP', 'HTTPS', 'GRPC', 'GRPCS', 'AJP', 'FCGI'].includes(p) ? p : 'HTTP';
}
