// Hostnames as the Gateway API matches them: exact names, and wildcards `*.example.com` that
// cover any number of labels before the suffix (unlike Ingress, where a wildcard covers one),
// but never the suffix itself. Listener and route hostnames attach where they intersect.

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a hostname is not one the API accepts (an IP, upper case, a wildcard elsewhere than the first label); undefined when valid. */
export function hostnameProblem(hostname: string): string | undefined {
  if (/^\d+(\.\d+){3}$/.test(hostname) || hostname.includes(':'))
    return `hostname "${hostname}" is an IP address; the Gateway API takes DNS names only`;
  if (!HOSTNAME.test(hostname))
    return `hostname "${hostname}" is not a valid DNS name (lower case, and a wildcard only as the whole first label, as in *.example.com)`;
  return undefined;
}

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/** Whether `host` (a request's name, lower case, no port) matches a Gateway API hostname: exact, or `*.suffix` with at least one label before the suffix. */
export function hostnameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!isWildcard(p)) return p === h;
  const suffix = p.slice(1);
  return h.endsWith(suffix) && h.length > suffix.length;
}

/**
 * The hostname two hostnames have in common (a listener's and a route's), or undefined when
 * they have none: the more specific one of the two when one covers the other.
 */
export function hostnameIntersection(a: string, b: string): string | undefined {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return x;
  if (isWildcard(x) && hostnameMatches(x, isWildcard(y) ? y.slice(2) : y) && (!isWildcard(y) || y.length > x.length)) return y;
  if (isWildcard(y) && hostnameMatches(y, isWildcard(x) ? x.slice(2) : x) && (!isWildcard(x) || x.length > y.length)) return x;
  return undefined;
}

/**
 * How specific a matching hostname is, for precedence across routes: the spec gives precedence
 * to the route with the most characters in a matching non-wildcard hostname, then the most
 * characters in a matching hostname. No hostname at all ranks below every hostname.
 */
export function hostnameSpecificity(hostname: string | undefined): [number, number] {
  if (hostname === undefined) return [-1, -1];
  return [isWildcard(hostname) ? 0 : hostname.length, hostname.length];
}

/** The most specific hostname of the list that matches `host`, if any. */
export function bestMatchingHostname(hostnames: readonly string[], host: string): string | undefined {
  let best: string | undefined;
  for (const h of hostnames) {
    if (!hostnameMatches(h, host)) continue;
    if (best === undefined || compareSpecificity(h, best) > 0) best = h;
  }
  return best;
}

/** Positive when `a` is more specific than `b`. */
export function compareSpecificity(a: string | undefined, b: string | undefined): number {
  const [a1, a2] = hostnameSpecificity(a);
  const [b1, b2] = hostnameSpecificity(b);
  return a1 - b1 || a2 - b2;
}
