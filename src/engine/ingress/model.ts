// Ingress as the API defines it: IngressClasses and the controller serving each, host rules
// (exact, or a `*.` wildcard covering one label), paths (Exact, Prefix element by element,
// ImplementationSpecific as Prefix; longest match wins, Exact before Prefix at equal length),
// defaultBackend and TLS. Backends that name no Service or no port are reported at their field.
import { isRecord, resourceName } from '../manifests/fields';
import { makeDiagnostic, cmp, type Diagnostic, editDistance } from '../diagnostics';
import { locate, type Cluster, type ServicePort, type SimPod, type SimService } from '../cluster/model';
import type { FieldPath, SourceRange } from '../source';
import type { Canary, IngressBackend, IngressController, IngressPath, IngressRoute, IngressRule, IngressTls, SimIngress } from './types';
import { hostMatches, pathMatch } from './paths';
import { readIngress } from './read';
import { isIngress, planClasses, requestedClass, type PlannedClass } from './controller';
import { dataPlaneIdentity, profileFor } from './profiles';
import { readCanaries, isCanary } from './canary';
import { firstRegexMatch, regexEnforced } from './nginx';
import { albLoadBalancers, type AlbLoadBalancer } from './alb';
import { type ManifestObject } from '../manifests/types';

export type {
  PathType,
  IngressBackend,
  IngressPath,
  IngressRule,
  IngressTls,
  SimIngress,
  IngressController,
  IngressRoute,
  Canary,
} from './types';
export { hostMatches, pathMatch, albPatternMatches } from './paths';

/** The Service and port a backend names, looked up in the Ingress's namespace. */
export function resolveBackend(
  cluster: Cluster,
  namespace: string,
  backend: IngressBackend,
): { service: SimService | undefined; port: ServicePort | undefined } {
  if (!backend.service) return { service: undefined, port: undefined };
  const ref = backend.service;
  const service = cluster.services.find((s) => s.namespace === namespace && s.name === ref.name);
  const port = service?.ports.find((p) => (typeof ref.port === 'number' ? p.port === ref.port : p.name === ref.port));
  return { service, port };
}

/** Everything Ingress in the simulation: classes, controllers, and routing through them. */
export class IngressModel {
  readonly ingresses: SimIngress[] = [];
  readonly controllers: IngressController[] = [];

  constructor(
    private readonly cluster: Cluster,
    diagnostics: Diagnostic[],
  ) {
    const { classes, implicit } = planClasses(cluster.objects);
    const definedClasses = cluster.objects.filter((o) => o.kind === 'IngressClass');
    for (const c of classes) this.controllers.push(this.controllerFor(c, implicit));
    for (const c of this.controllers) reportGeneric(c, classes, diagnostics);
    const objects = cluster.objects
      .filter(isIngress)
      .sort((a, b) => cmp(`${a.namespace ?? 'default'}/${a.name}`, `${b.namespace ?? 'default'}/${b.name}`));
    for (const o of objects) {
      const ing = readIngress(o, diagnostics);
      const asked = requestedClass(o);
      const defaultClass =
        classes.find((c) => c.isDefault)?.name ??
        (definedClasses.length === 0 ? undefined : definedClasses.find((d) => isDefaultClass(d))?.name);
      ing.className = asked?.name ?? defaultClass;
      const controller = this.controllers.find((c) => c.className === ing.className);
      const at = locate(
        ing.origin,
        asked?.field === 'spec' ? ['spec', 'ingressClassName'] : asked ? ['metadata', 'annotations'] : ['metadata', 'name'],
      );
      const resource = resourceName({ kind: 'Ingress', namespace: ing.namespace, name: ing.name });
      if (controller) {
        controller.ingresses.push(ing);
        if (implicit && at)
          diagnostics.push(
            makeDiagnostic(
              'ingress-controller-implicit',
              at,
              {
                ingress: ing.name,
                className: controller.className,
                controller: `${controller.namespace}/${controller.name}`,
                product: controller.profile.product,
              },
              resource,
            ),
          );
      } else if (at) {
        const known = definedClasses.map((d) => d.name).join(', ') || 'none';
        const why = asked
          ? `names IngressClass ${asked.name}, which the workspace does not define (IngressClasses: ${known})`
          : `names no IngressClass and none is marked default (IngressClasses: ${known})`;
        diagnostics.push(makeDiagnostic('ingress-class-missing', at, { ingress: ing.name, why }, resource));
        ing.className = undefined;
      }
      this.checkBackends(ing, diagnostics);
      this.ingresses.push(ing);
    }
  }

  private controllerFor(c: PlannedClass, implicit: boolean): IngressController {
    const profile = profileFor(c.controller);
    const id = dataPlaneIdentity(c, this.cluster.settings.ingressControllers);
    const base = { className: c.name, controller: c.controller, profile, dataPlane: id, implicit, ingresses: [] };
    // The AWS Load Balancer Controller runs in kube-system; what serves requests is the ALB it provisions.
    if (!id) return { ...base, namespace: 'kube-system', name: 'aws-load-balancer-controller', pods: [], service: undefined };
    const pods = this.cluster.pods.filter(
      (p) => p.namespace === id.namespace && p.workload.name === id.name && p.origin.kind === 'implicit',
    );
    const service = this.cluster.services.find((s) => s.namespace === id.namespace && s.name === id.name && s.origin.kind === 'implicit');
    return { ...base, namespace: id.namespace, name: id.name, pods, service };
  }

  private checkBackends(ing: SimIngress, diagnostics: Diagnostic[]): void {
    const backends = [...(ing.defaultBackend ? [ing.defaultBackend] : []), ...ing.rules.flatMap((r) => r.paths.map((p) => p.backend))];
    const resource = resourceName({ kind: 'Ingress', namespace: ing.namespace, name: ing.name });
    for (const b of backends) {
      if (!b.service) continue;
      const { service, port } = resolveBackend(this.cluster, ing.namespace, b);
      if (!service) {
        const at = locate(ing.origin, b.namePath);
        if (at)
          diagnostics.push(
            makeDiagnostic(
              'ingress-backend-missing',
              at,
              { service: b.service.name, namespace: ing.namespace, hint: this.missingHint(ing.namespace, b.service.name) },
              resource,
            ),
          );
      } else if (!port && b.service.port !== undefined) {
        const at = locate(ing.origin, b.portPath);
        const ports = service.ports.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'no ports';
        if (at)
          diagnostics.push(
            makeDiagnostic(
              'ingress-backend-port-missing',
              at,
              { service: `${ing.namespace}/${service.name}`, port: b.service.port, ports },
              resource,
            ),
          );
      }
    }
  }

  private missingHint(namespace: string, name: string): string {
    const close = this.cluster.services.filter((s) => s.namespace === namespace && editDistance(s.name, name) <= 2).map((s) => s.name);
    if (close.length > 0) return `Did you mean ${close[0]}?`;
    const elsewhere = this.cluster.services.find((s) => s.name === name);
    if (elsewhere)
      return `A Service ${name} exists in namespace ${elsewhere.namespace}, but an Ingress can only send traffic to Services in its own namespace.`;
    return '';
  }

  /** The controller whose pod this is, if it is an ingress controller pod. */
  controllerOfPod(pod: SimPod): IngressController | undefined {
    return this.controllers.find((c) => c.pods.some((p) => p.namespace === pod.namespace && p.name === pod.name));
  }

  /**
   * The controllers a request for `host` is taken to reach: those with a rule naming it (exactly or
   * by wildcard); else those with a rule without a host, which matches every host; else those
   * with a defaultBackend. A host no rule names reaches a controller only if DNS points it there,
   * which is assumed for the last two (a host-less rule is reachable no other way).
   */
  controllersForHost(host: string): IngressController[] {
    const h = host.toLowerCase();
    const named = this.controllers.filter((c) =>
      c.ingresses.some((i) => i.rules.some((r) => r.host !== undefined && hostMatches(r.host, h))),
    );
    // A host some Ingress names goes where that rule is served, or nowhere (its class has no controller).
    if (named.length > 0 || this.ingresses.some((i) => i.rules.some((r) => r.host !== undefined && hostMatches(r.host, h)))) return named;
    const hostless = this.controllers.filter((c) => c.ingresses.some((i) => i.rules.some((r) => r.host === undefined)));
    if (hostless.length > 0) return hostless;
    return this.controllers.filter((c) => c.ingresses.some((i) => i.defaultBackend !== undefined));
  }

  /** Ingresses (served or not) with a rule naming `host`; else those whose rules include one without a host. */
  ingressesForHost(host: string): SimIngress[] {
    const h = host.toLowerCase();
    const named = this.ingresses.filter((i) => i.rules.some((r) => r.host !== undefined && hostMatches(r.host, h)));
    return named.length > 0 ? named : this.ingresses.filter((i) => i.rules.some((r) => r.host === undefined));
  }

  /** How `host` meets `ing`: the index of the rule naming it, or of its first host-less rule, and which. */
  ruleForHost(ing: SimIngress, host: string): { index: number; hostless: boolean } | undefined {
    const h = host.toLowerCase();
    const named = ing.rules.findIndex((r) => r.host !== undefined && hostMatches(r.host, h));
    if (named >= 0) return { index: named, hostless: false };
    const any = ing.rules.findIndex((r) => r.host === undefined);
    return any >= 0 ? { index: any, hostless: true } : undefined;
  }

  /**
   * Routes a request inside one controller, merging the rules of every Ingress of its class:
   * exact host rules first, then wildcard ones, then rules without a host; the longest matching
   * path of those (Exact before Prefix at equal length); else a defaultBackend; else 404.
   */
  route(controller: IngressController, requestHost: string, requestPath: string): IngressRoute {
    const host = requestHost.toLowerCase().replace(/:\d+$/, '');
    type Hit = { ingress: SimIngress; rule: IngressRule };
    const nginx = controller.profile.kind === 'ingress-nginx';
    // ingress-nginx never routes by a canary Ingress alone: it merges its paths into the main Ingress's.
    const served = nginx ? controller.ingresses.filter((i) => !isCanary(i)) : controller.ingresses;
    const all: Hit[] = served.flatMap((ingress) => ingress.rules.map((rule) => ({ ingress, rule })));
    const exact = all.filter((h) => h.rule.host !== undefined && !h.rule.host.startsWith('*.') && h.rule.host.toLowerCase() === host);
    const wildcard = all.filter((h) => h.rule.host !== undefined && h.rule.host.startsWith('*.') && hostMatches(h.rule.host, host));
    const hostless = all.filter((h) => h.rule.host === undefined);
    const rules = exact.length > 0 ? exact : wildcard.length > 0 ? wildcard : hostless;
    let best: { hit: Hit; path: IngressPath; length: number } | undefined;
    const regex = nginx && rules.length > 0 && regexEnforced(served, rules[0]?.rule.host) !== undefined;
    if (regex) {
      const first = firstRegexMatch(
        rules.flatMap((hit) => hit.rule.paths.map((path) => ({ hit, path }))),
        requestPath || '/',
      );
      if (first) best = { ...first, length: first.path.path.length };
    }
    // Traefik orders its routers by the length of their rule, so PathPrefix(`/a`) outranks Path(`/a`).
    const exactFirst = controller.profile.kind !== 'traefik';
    const wins = (p: IngressPath, other: IngressPath) =>
      exactFirst ? p.pathType === 'Exact' && other.pathType !== 'Exact' : p.pathType !== 'Exact' && other.pathType === 'Exact';
    for (const hit of regex ? [] : rules) {
      for (const p of hit.rule.paths) {
        const m = pathMatch(p, requestPath, controller.profile);
        if (!m.matches) continue;
        const better = !best || m.length > best.length || (m.length === best.length && wins(p, best.path));
        if (better) best = { hit, path: p, length: m.length };
      }
    }
    if (best) {
      return {
        kind: 'backend',
        ingress: best.hit.ingress,
        via: 'rule',
        rule: best.hit.rule,
        path: best.path,
        backend: best.path.backend,
        ...resolveBackend(this.cluster, best.hit.ingress.namespace, best.path.backend),
        ...(regex ? { regex } : {}),
        ...(nginx && this.canaryOf(best.path) ? { canary: this.canaryOf(best.path) } : {}),
      };
    }
    const withDefault = served.find((i) => i.defaultBackend !== undefined);
    if (withDefault?.defaultBackend) {
      return {
        kind: 'backend',
        ingress: withDefault,
        via: 'defaultBackend',
        backend: withDefault.defaultBackend,
        ...resolveBackend(this.cluster, withDefault.namespace, withDefault.defaultBackend),
      };
    }
    const hosts = rules === hostless ? 'no rule without a host' : `the rules for ${host}`;
    return {
      kind: 'not-found',
      reason: `no path of ${hosts} matches ${requestPath || '/'} and no Ingress of class ${controller.className} has a defaultBackend, so the controller answers 404`,
    };
  }

  /** A Service of the cluster by namespace and name. */
  serviceOf(namespace: string, name: string): SimService | undefined {
    return this.cluster.services.find((s) => s.namespace === namespace && s.name === name);
  }

  private albList: AlbLoadBalancer[] | undefined;

  /** The ALBs the AWS Load Balancer Controller provisions: one per IngressGroup, or per Ingress in none. */
  albs(): AlbLoadBalancer[] {
    this.albList ??= this.controllers
      .filter((c) => c.profile.kind === 'aws-alb')
      .flatMap((c) => albLoadBalancers(this.cluster, c.ingresses));
    return this.albList;
  }

  /** The ALB with this address, and the controller (class) whose Ingresses it serves. */
  albByAddress(ip: string): { lb: AlbLoadBalancer; controller: IngressController } | undefined {
    const lb = this.albs().find((l) => l.address === ip);
    const controller = lb ? this.controllers.find((c) => c.ingresses.includes(lb.ingresses[0] as SimIngress)) : undefined;
    return lb && controller ? { lb, controller } : undefined;
  }

  /** The ALB serving one Ingress. */
  albOf(ing: SimIngress): AlbLoadBalancer | undefined {
    return this.albs().find((l) => l.ingresses.includes(ing));
  }

  private canaryMap: Map<IngressPath, Canary> | undefined;

  /** The ingress-nginx canary merged into a main Ingress path, as the controller merges them. */
  canaryOf(path: IngressPath): Canary | undefined {
    this.canaryMap ??= readCanaries(this.ingresses, []);
    return this.canaryMap.get(path);
  }

  /** The TLS entry (and its Ingress) that covers `host` in this controller's class, if any. */
  tlsFor(controller: IngressController, host: string): { ingress: SimIngress; tls: IngressTls } | undefined {
    const h = host.toLowerCase();
    for (const ingress of controller.ingresses) {
      for (const tls of ingress.tls) if (tls.hosts.some((t) => hostMatches(t, h))) return { ingress, tls };
    }
    return undefined;
  }
}

/** An info at the IngressClass's spec.controller when no profile knows the controller. */
function reportGeneric(c: IngressController, classes: PlannedClass[], diagnostics: Diagnostic[]): void {
  if (c.profile.known) return;
  const o = classes.find((p) => p.name === c.className)?.object;
  const at = o?.locate(['spec', 'controller']) ?? o?.locate(['metadata', 'name']);
  if (!o || !at) return;
  const labels = Object.entries(c.dataPlane?.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  diagnostics.push(
    makeDiagnostic(
      'ingress-controller-generic',
      at,
      {
        className: c.className,
        controller: c.controller,
        known: KNOWN_CONTROLLERS,
        namespace: c.dataPlane?.namespace ?? c.namespace,
        labels,
      },
      resourceName({ kind: 'IngressClass', name: c.className }),
    ),
  );
}

const KNOWN_CONTROLLERS =
  'k8s.io/ingress-nginx, traefik.io/ingress-controller, haproxy.org/ingress-controller, ingress.k8s.aws/alb, istio.io/ingress-controller';

function isDefaultClass(o: ManifestObject): boolean {
  const meta = o.raw['metadata'];
  const ann = isRecord(meta) ? meta['annotations'] : undefined;
  return isRecord(ann) && ann['ingressclass.kubernetes.io/is-default-class'] === 'true';
}

/** The position of a field of a manifest-backed object, for editors to reveal. */
export function ingressRange(ing: SimIngress, path: FieldPath): SourceRange | undefined {
  return locate(ing.origin, path);
}
