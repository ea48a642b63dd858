// Ingress as the API defines it: IngressClasses and the controller serving each, host rules
// (exact, or a `*.` wildcard covering one label), paths (Exact, Prefix element by element,
// ImplementationSpecific as Prefix; longest match wins, Exact before Prefix at equal length),
// defaultBackend and TLS. Backends that name no Service or no port are reported at their field.
import { FieldReader, isRecord, resourceName, scalarText } from '../manifests/fields';
import { makeDiagnostic, cmp, type Diagnostic, editDistance } from '../diagnostics';
import { locate, type Cluster, type Origin, type ServicePort, type SimPod, type SimService } from '../cluster/model';
import type { FieldPath, SourceRange } from '../source';
import { isIngress, planClasses, requestedClass, type PlannedClass } from './controller';
import { dataPlaneIdentity, profileFor, type DataPlaneIdentity, type IngressProfile } from './profiles';
import { canaries, isCanary, type Canary } from '../migrate/canary';
import { firstRegexMatch, regexEnforced } from './nginx';
import { albLoadBalancers, type AlbLoadBalancer } from './alb';
import { type ManifestObject } from '../manifests/types';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface IngressBackend {
  /** A Service backend: its name and port (number or name) as written. */
  service?: { name: string; port: number | string | undefined };
  /** A resource backend (apiGroup/kind/name), which no Service-based trace can follow. */
  resource?: string;
  /** Where the backend is written, and where its service name and port are. */
  path: FieldPath;
  namePath: FieldPath;
  portPath: FieldPath;
}

export interface IngressPath {
  path: string;
  pathType: PathType;
  backend: IngressBackend;
  fieldPath: FieldPath;
}

export interface IngressRule {
  host: string | undefined;
  paths: IngressPath[];
  fieldPath: FieldPath;
}

export interface IngressTls {
  hosts: string[];
  secretName: string | undefined;
  fieldPath: FieldPath;
}

export interface SimIngress {
  namespace: string;
  name: string;
  /** The class serving this Ingress (after defaulting); undefined when none does. */
  className: string | undefined;
  rules: IngressRule[];
  defaultBackend: IngressBackend | undefined;
  tls: IngressTls[];
  origin: Origin;
}

export interface IngressController {
  className: string;
  controller: string;
  /** What the controller is (its install, how it reaches backends and reads paths); generic for one kube-netsim does not know. */
  profile: IngressProfile;
  /** Where its pods run; undefined when its data plane is outside the cluster (an ALB). */
  dataPlane: DataPlaneIdentity | undefined;
  /** True when the simulator added the IngressClass too (the workspace defines none). */
  implicit: boolean;
  /** The data plane's namespace and Deployment/Service name (for an ALB: the class's name and the controller's). */
  namespace: string;
  name: string;
  pods: SimPod[];
  service: SimService | undefined;
  ingresses: SimIngress[];
}

/** Where a request ends up inside one controller: a backend, or the controller's own 404. */
export type IngressRoute =
  | {
      kind: 'backend';
      ingress: SimIngress;
      via: 'rule' | 'defaultBackend';
      rule?: IngressRule;
      path?: IngressPath;
      backend: IngressBackend;
      /** The Service and port the backend names, when they exist. */
      service: SimService | undefined;
      port: ServicePort | undefined;
      /** ingress-nginx read the host's paths as regular expressions (use-regex, rewrite-target). */
      regex?: boolean;
      /** The ingress-nginx canary merged into the matched path. */
      canary?: Canary;
    }
  | { kind: 'not-found'; reason: string };

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
    this.canaryMap ??= canaries(this, []);
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

function readBackend(r: FieldReader, path: FieldPath): IngressBackend | undefined {
  if (!isRecord(r.raw(path))) return undefined;
  const svcName = r.str([...path, 'service', 'name']);
  if (svcName !== undefined) {
    const number = r.int([...path, 'service', 'port', 'number'], 1, 65535);
    const name = r.str([...path, 'service', 'port', 'name']);
    const portPath =
      number !== undefined
        ? [...path, 'service', 'port', 'number']
        : name !== undefined
          ? [...path, 'service', 'port', 'name']
          : [...path, 'service', 'port'];
    return { service: { name: svcName, port: number ?? name }, path, namePath: [...path, 'service', 'name'], portPath };
  }
  // networking.k8s.io/v1beta1 and extensions/v1beta1 spell it serviceName / servicePort.
  const legacyName = r.str([...path, 'serviceName']);
  if (legacyName !== undefined) {
    return {
      service: { name: legacyName, port: r.intOrName([...path, 'servicePort']) },
      path,
      namePath: [...path, 'serviceName'],
      portPath: [...path, 'servicePort'],
    };
  }
  const res = r.raw([...path, 'resource']);
  if (isRecord(res))
    return {
      resource: `${scalarText(res['apiGroup'] ?? '')}/${scalarText(res['kind'] ?? '')}/${scalarText(res['name'] ?? '')}`,
      path,
      namePath: [...path, 'resource'],
      portPath: [...path, 'resource'],
    };
  r.invalid(path, 'An Ingress backend needs `service` (name and port) or `resource`.');
  return undefined;
}

function readIngress(o: ManifestObject, diagnostics: Diagnostic[]): SimIngress {
  const r = new FieldReader(o, diagnostics);
  const legacy = o.apiVersion !== 'networking.k8s.io/v1';
  const ing: SimIngress = {
    namespace: o.namespace ?? 'default',
    name: o.name,
    className: undefined,
    rules: [],
    defaultBackend: undefined,
    tls: [],
    origin: { kind: 'manifest', object: o },
  };
  ing.defaultBackend = readBackend(r, ['spec', legacy && r.raw(['spec', 'backend']) !== undefined ? 'backend' : 'defaultBackend']);
  (r.list(['spec', 'rules']) ?? []).forEach((_, i) => {
    const rp = ['spec', 'rules', i];
    const host = r.str([...rp, 'host']);
    if (host !== undefined && host.includes('*') && !/^\*\.[^*]+$/.test(host))
      r.invalid([...rp, 'host'], `host "${host}" is not valid: a wildcard must be the whole first label, as in *.example.com.`);
    const paths: IngressPath[] = [];
    (r.list([...rp, 'http', 'paths']) ?? []).forEach((__, j) => {
      const pp = [...rp, 'http', 'paths', j];
      const typeRaw = r.str([...pp, 'pathType']);
      let pathType: PathType = 'ImplementationSpecific';
      if (typeRaw === 'Exact' || typeRaw === 'Prefix' || typeRaw === 'ImplementationSpecific') pathType = typeRaw;
      else if (typeRaw !== undefined)
        r.invalid([...pp, 'pathType'], `pathType must be Exact, Prefix or ImplementationSpecific, not "${typeRaw}".`);
      else if (!legacy) r.invalid(pp, 'networking.k8s.io/v1 requires `pathType` on every path (Exact, Prefix or ImplementationSpecific).');
      const path = r.str([...pp, 'path']) ?? '/';
      if (pathType !== 'ImplementationSpecific' && !path.startsWith('/'))
        r.invalid([...pp, 'path'], `path "${path}" must be absolute (start with /) for pathType ${pathType}.`);
      const backend = readBackend(r, [...pp, 'backend']);
      if (backend) paths.push({ path, pathType, backend, fieldPath: pp });
    });
    ing.rules.push({ host: host?.toLowerCase(), paths, fieldPath: rp });
  });
  (r.list(['spec', 'tls']) ?? []).forEach((_, i) => {
    const tp = ['spec', 'tls', i];
    const hosts = (r.list([...tp, 'hosts']) ?? []).filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase());
    ing.tls.push({ hosts, secretName: r.str([...tp, 'secretName']), fieldPath: tp });
  });
  return ing;
}
