// Diagnostics that need to know which controller serves an Ingress: another controller's
// annotations (which this one ignores), an ingress-nginx path written as a regular expression
// without use-regex, an ALB target-type instance in front of a ClusterIP Service, and two Ingresses
// of one ALB group whose settings or rules collide.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { locate } from '../cluster/model';
import { resourceName } from '../manifests/fields';
import { annotations } from './canary';
import { KNOWN_ANNOTATION_PREFIXES, PROFILES } from './profiles';
import { regexHosts } from './nginx';
import { albAnnotations } from './alb';
import type { IngressModel } from './model';
import type { SimIngress } from './types';

const resource = (ing: SimIngress) => resourceName({ kind: 'Ingress', namespace: ing.namespace, name: ing.name });
const annotationAt = (ing: SimIngress, key: string) => locate(ing.origin, ['metadata', 'annotations', key]);
// Characters that make a path a regular expression rather than a plain string to nginx's eyes.
const REGEX = /[()[\]*+?^$|\\{}]/;

/** Every diagnostic about an Ingress and the controller that serves it. */
export function checkIngressControllers(model: IngressModel, diagnostics: Diagnostic[]): void {
  for (const c of model.controllers) {
    // The class's regex hosts once, not once per rule of each of its Ingresses.
    const enforced = c.profile.kind === 'ingress-nginx' ? regexHosts(c.ingresses) : undefined;
    for (const ing of c.ingresses) {
      if (ing.origin.kind !== 'manifest') continue;
      if (c.profile.known) foreignAnnotations(ing, c.profile.kind, c.className, diagnostics);
      if (c.profile.known) unsimulatedAnnotations(ing, c.profile.kind, diagnostics);
      if (enforced) regexWithoutUseRegex(ing, enforced, diagnostics);
    }
  }
  for (const lb of model.albs()) {
    for (const p of lb.problems) {
      const at = annotationAt(p.ingress, `alb.ingress.kubernetes.io/${p.annotation}`) ?? locate(p.ingress.origin, ['metadata', 'name']);
      if (at) diagnostics.push(makeDiagnostic('alb-group-conflict', at, { reason: p.message }, resource(p.ingress)));
    }
    // Two Ingresses of one group with the same host, path and path type: the later rule never matches.
    const seen = new Map<string, SimIngress>();
    for (const rule of lb.rules) {
      if (!rule.path) continue;
      const key = `${rule.rule?.host ?? '*'}|${rule.path.pathType}|${rule.path.path}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, rule.ingress);
        continue;
      }
      if (first === rule.ingress) continue;
      const at = locate(rule.ingress.origin, [...rule.path.fieldPath, 'path']);
      if (at)
        diagnostics.push(
          makeDiagnostic(
            'alb-group-conflict',
            at,
            {
              reason: `host ${rule.rule?.host ?? '(any)'} path ${rule.path.path} (${rule.path.pathType}) is also a rule of Ingress ${first.namespace}/${first.name}, which comes first in group ${lb.group ?? lb.key} (group.order, then namespace/name): this rule never matches`,
            },
            resource(rule.ingress),
          ),
        );
    }
    for (const rule of lb.rules) {
      const ref = rule.backend.service;
      if (!ref || ref.port === 'use-annotation') continue;
      const svc = model.serviceOf(rule.ingress.namespace, ref.name);
      if (!svc || svc.type !== 'ClusterIP') continue;
      const own = svc.origin.kind === 'manifest' ? svc.origin.object.raw['metadata'] : undefined;
      const onService =
        typeof own === 'object' && own !== null && typeof (own as Record<string, unknown>)['annotations'] === 'object'
          ? ((own as { annotations: Record<string, unknown> }).annotations['alb.ingress.kubernetes.io/target-type'] ?? undefined)
          : undefined;
      const mode = typeof onService === 'string' ? onService : (albAnnotations(rule.ingress)['target-type'] ?? 'instance');
      if (mode !== 'instance') continue;
      const at = locate(rule.ingress.origin, rule.backend.namePath);
      if (at)
        diagnostics.push(
          makeDiagnostic(
            'alb-target-type-clusterip',
            at,
            { service: `${rule.ingress.namespace}/${ref.name}`, ingress: `${rule.ingress.namespace}/${rule.ingress.name}` },
            resource(rule.ingress),
          ),
        );
    }
  }
}

function foreignAnnotations(ing: SimIngress, kind: string, className: string, diagnostics: Diagnostic[]): void {
  for (const key of Object.keys(annotations(ing))) {
    const owner = KNOWN_ANNOTATION_PREFIXES.find((p) => key.startsWith(p.prefix));
    if (!owner || owner.kind === kind) continue;
    const at = annotationAt(ing, key);
    if (at)
      diagnostics.push(
        makeDiagnostic(
          'ingress-annotation-foreign',
          at,
          { annotation: key, owner: PROFILES[owner.kind].product, className, product: PROFILES[kind as keyof typeof PROFILES].product },
          resource(ing),
        ),
      );
  }
}

/**
 * Each controller's annotations that decide where a request goes or whether it is admitted, and
 * that the simulation does not model: said at the annotation rather than silently left out.
 */
const NOT_SIMULATED: Partial<Record<keyof typeof PROFILES, { prefix: string; names: string[] }>> = {
  'ingress-nginx': {
    prefix: 'nginx.ingress.kubernetes.io/',
    names: [
      'permanent-redirect',
      'temporal-redirect',
      'canary-by-cookie',
      'canary-by-header-pattern',
      'server-snippet',
      'configuration-snippet',
      'whitelist-source-range',
      'allowlist-source-range',
      'denylist-source-range',
      'auth-url',
      'auth-type',
      'default-backend',
      'custom-http-errors',
      'upstream-vhost',
    ],
  },
  traefik: {
    prefix: 'traefik.ingress.kubernetes.io/',
    names: ['router.middlewares', 'router.entrypoints', 'router.priority', 'router.pathmatcher', 'router.tls'],
  },
  haproxy: {
    prefix: 'haproxy.org/',
    names: ['path-rewrite', 'request-redirect', 'ssl-redirect', 'allow-list', 'deny-list', 'route-acl', 'backend-config-snippet'],
  },
  'aws-alb': {
    prefix: 'alb.ingress.kubernetes.io/',
    names: ['auth-type', 'inbound-cidrs', 'wafv2-acl-arn', 'waf-acl-id', 'security-groups', 'shield-advanced-protection'],
  },
};

function unsimulatedAnnotations(ing: SimIngress, kind: keyof typeof PROFILES, diagnostics: Diagnostic[]): void {
  const list = NOT_SIMULATED[kind];
  if (!list) return;
  for (const key of Object.keys(annotations(ing))) {
    if (!key.startsWith(list.prefix) || !list.names.includes(key.slice(list.prefix.length))) continue;
    const at = annotationAt(ing, key);
    if (at)
      diagnostics.push(
        makeDiagnostic('ingress-annotation-not-simulated', at, { annotation: key, product: PROFILES[kind].product }, resource(ing)),
      );
  }
}

function regexWithoutUseRegex(ing: SimIngress, enforced: ReadonlySet<string | undefined>, diagnostics: Diagnostic[]): void {
  for (const rule of ing.rules) {
    if (enforced.has(rule.host)) continue;
    for (const p of rule.paths) {
      if (!REGEX.test(p.path)) continue;
      const at = locate(ing.origin, [...p.fieldPath, 'path']);
      if (at)
        diagnostics.push(makeDiagnostic('ingress-regex-without-use-regex', at, { path: p.path, pathType: p.pathType }, resource(ing)));
    }
  }
}
