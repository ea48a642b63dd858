// Host and path matching: the API's reading (exact or one-label wildcard hosts; Exact, and Prefix
// element by element), and the controllers' own readings of Prefix and ImplementationSpecific.
import type { IngressProfile } from './profiles';
import type { PathType } from './types';

/** Whether `host` (a request's Host, lower case, no port) matches a rule host: exact, or `*.suffix` covering exactly one label. */
export function hostMatches(ruleHost: string, host: string): boolean {
  const r = ruleHost.toLowerCase();
  if (!r.startsWith('*.')) return r === host;
  const suffix = r.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

function elements(path: string): string[] {
  return path.split('/').filter((e) => e !== '');
}

/** An ALB path pattern: the whole path, `*` standing for any characters and `?` for one (case-sensitive). */
export function albPatternMatches(pattern: string, path: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(path);
}

/**
 * Whether a request path matches one Ingress path, and how long a match it is (for precedence).
 * The API's reading unless a profile says how its controller reads Prefix and ImplementationSpecific.
 */
export function pathMatch(
  p: { path: string; pathType: PathType },
  requestPath: string,
  profile?: Pick<IngressProfile, 'prefix' | 'implementationSpecific'>,
): { matches: boolean; length: number } {
  const req = requestPath === '' ? '/' : requestPath;
  if (p.pathType === 'Exact') return { matches: req === p.path, length: p.path.length };
  const chars = (prefix: string) => ({ matches: req.startsWith(prefix), length: prefix.length });
  if (p.pathType === 'ImplementationSpecific' && profile) {
    switch (profile.implementationSpecific) {
      case 'prefix-chars':
        return chars(p.path);
      case 'istio':
        // Istio: exact, unless the path ends in /* or .* (then a prefix of what precedes the *).
        if (p.path.endsWith('/*')) return chars(p.path.slice(0, -1));
        if (p.path.endsWith('.*')) return chars(p.path.slice(0, -2));
        return { matches: req === p.path, length: p.path.length };
      case 'alb-pattern':
        return { matches: albPatternMatches(p.path, req), length: p.path.length };
      case 'prefix-elements':
        break;
    }
  }
  if (p.pathType === 'Prefix' && profile?.prefix === 'chars') return chars(p.path);
  // Prefix (and ImplementationSpecific, treated as Prefix): element-wise, trailing slashes ignored.
  const want = elements(p.path);
  const have = elements(req);
  const matches = want.length <= have.length && want.every((e, i) => have[i] === e);
  return { matches, length: want.join('/').length + 1 };
}
