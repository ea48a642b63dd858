// What Cilium's L7 proxies check: an HTTP request against a rule's rules.http (Envoy), and a DNS
// name against toFQDNs and rules.dns selectors (the DNS proxy).
import type { HttpRule } from './ciliumTypes';
import type { HttpRuleRef } from './types';

/**
 * Whether a DNS name matches a toFQDNs or rules.dns selector: matchName exactly (case and a
 * trailing dot aside); matchPattern with `*` standing for any run of characters but a dot, and
 * `*` alone for every name (https://docs.cilium.io/en/stable/security/policy/language/#dns-based).
 */
export function nameMatches(matchName: string | undefined, matchPattern: string | undefined, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (matchName !== undefined) return n === matchName.toLowerCase().replace(/\.$/, '');
  if (matchPattern === undefined) return false;
  const p = matchPattern.toLowerCase().replace(/\.$/, '');
  if (p === '*') return true;
  const re = new RegExp(
    `^${p
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[-a-z0-9_]*')}$`,
  );
  return re.test(n);
}

/** One HTTP request as Cilium's proxy sees it. */
export interface HttpRequest {
  method: string;
  path: string;
  host: string | undefined;
  headers: ReadonlyArray<{ name: string; value: string }>;
}

/**
 * The first HTTP rule that lets a request through, or undefined (the proxy answers 403). A rule
 * matches when each of its fields does: method and path as whole-value regular expressions, host
 * likewise (case-insensitive), each header present (and equal, when a value is given).
 */
export function httpAllows(rules: readonly HttpRuleRef[], req: HttpRequest): HttpRuleRef | undefined {
  return rules.find(({ rule }) => {
    if (rule.method && !rule.method.test(req.method)) return false;
    if (rule.pathRe && !rule.pathRe.test(req.path)) return false;
    if (rule.host && !rule.host.test(req.host ?? '')) return false;
    return rule.headers.every((h) =>
      req.headers.some((x) => x.name.toLowerCase() === h.name.toLowerCase() && (h.value === undefined || x.value === h.value)),
    );
  });
}

/** `GET /public` or `method GET, path /v1/.*, header X-Token` : an HTTP rule in a few words. */
export function httpRuleText(rule: HttpRule): string {
  const parts: string[] = [];
  if (rule.methodText !== undefined) parts.push(`method ${rule.methodText}`);
  if (rule.pathText !== undefined) parts.push(`path ${rule.pathText}`);
  for (const h of rule.headers) parts.push(`header ${h.name}${h.value !== undefined ? `: ${h.value}` : ''}`);
  return parts.length > 0 ? parts.join(', ') : 'any request';
}
