// The Gateway API's diagnostics, each at the field at fault: parentRefs a Gateway does not accept,
// backendRefs that do not resolve, listeners that conflict, Gateways without a class, route
// hostnames no listener serves, rules that can never match. Only manifest objects are reported.
import { editDistance, makeDiagnostic, type Diagnostic, type RelatedInformation } from '../diagnostics';
import { locate, serviceId, type Origin } from '../cluster/model';
import { resourceName } from '../manifests/fields';
import type { FieldPath } from '../source';
import { hostnameIntersection } from './hostnames';
import { describeHttpMatch, candidateName, whyWins } from './match';
import type { GatewayModel } from './model';
import { INSTALLED_CLASSES } from './read';
import { checkGrants } from './grantChecks';
import { shadowedRules } from './shadow';
import type { BackendStatus, Listener, ParentStatus, SimGateway, SimRoute } from './types';

export function routeResource(route: SimRoute): string {
  return resourceName({ kind: route.kind, namespace: route.namespace, name: route.name });
}

export function routeText(route: SimRoute): string {
  return `${route.kind} ${route.namespace}/${route.name}`;
}

function related(origin: Origin | undefined, path: FieldPath, message: string): RelatedInformation[] {
  const at = origin ? locate(origin, path) : undefined;
  return at ? [{ message, location: at }] : [];
}

/** Every Gateway API diagnostic of the model. */
export function checkGateways(model: GatewayModel, diagnostics: Diagnostic[]): void {
  for (const gw of model.gateways) checkGateway(model, gw, diagnostics);
  for (const route of model.routes) {
    const status = model.status(route);
    for (const p of status.parents) checkParent(model, route, p, diagnostics);
    for (const b of status.backends) checkBackend(model, route, b, diagnostics);
    checkHostnames(route, status.parents, diagnostics);
  }
  checkGrants(model, diagnostics);
  for (const s of shadowedRules(model)) {
    const at = locate(s.route.origin, s.rule.matches[0]?.explicit ? [...s.rule.fieldPath, 'matches'] : s.rule.fieldPath);
    if (!at) continue;
    const me = { route: s.route, rule: s.rule, match: s.rule.matches[0], matchIndex: 0, hostname: undefined };
    const why = me.match ? whyWins(s.by, { ...me, match: me.match }, false, 2) : 'it comes first';
    diagnostics.push(
      makeDiagnostic(
        'route-rule-shadowed',
        at,
        {
          rule: `${s.rule.index}${s.rule.name ? ` (${s.rule.name})` : ''}`,
          route: routeText(s.route),
          other: `${candidateName(s.by)} (${describeHttpMatch(s.by.match)})`,
          why,
        },
        routeResource(s.route),
        related(s.by.route.origin, s.by.match.fieldPath, `${candidateName(s.by)} matches first`),
      ),
    );
  }
}

function checkGateway(model: GatewayModel, gw: SimGateway, diagnostics: Diagnostic[]): void {
  const resource = resourceName({ kind: 'Gateway', namespace: gw.namespace, name: gw.name });
  if (!gw.gatewayClass && gw.className !== '') {
    const at = locate(gw.origin, ['spec', 'gatewayClassName']);
    const known = [...new Set([...model.classes.map((c) => c.name), ...Object.keys(INSTALLED_CLASSES)])];
    const close = known.filter((n) => editDistance(n, gw.className) <= 2);
    const routes = model.routes.filter((r) =>
      r.parentRefs.some((p) => p.kind === 'Gateway' && p.namespace === gw.namespace && p.name === gw.name),
    );
    if (at)
      diagnostics.push(
        makeDiagnostic(
          'gatewayclass-missing',
          at,
          {
            gateway: `${gw.namespace}/${gw.name}`,
            className: gw.className,
            routes: routes.length === 1 ? '1 route' : `${routes.length} routes`,
            hint: close.length > 0 ? `Did you mean ${close[0]}?` : '',
          },
          resource,
        ),
      );
  }
  for (const l of gw.listeners) {
    const problem = l.certificateProblem;
    const at = problem && locate(gw.origin, [...l.fieldPath, 'tls', 'certificateRefs']);
    if (!problem || !at) continue;
    const todo =
      problem.reason === 'RefNotPermitted'
        ? "Add a ReferenceGrant in the Secret's namespace from Gateway in " +
          gw.namespace +
          " to that Secret, or use a Secret of the Gateway's namespace."
        : 'Refer to a core Secret of type kubernetes.io/tls that holds tls.crt and tls.key.';
    diagnostics.push(
      makeDiagnostic(
        'gateway-listener-certificate-unresolved',
        at,
        { listener: l.name, reason: problem.reason, why: problem.message, todo },
        resource,
      ),
    );
  }
  for (const c of model.conflicts.filter((x) => x.gateway === gw)) {
    const conflict = c.listener.conflict;
    if (!conflict) continue;
    const hostnameConflict = conflict.reason === 'HostnameConflict';
    const at = locate(gw.origin, [...c.listener.fieldPath, hostnameConflict && c.listener.hostname ? 'hostname' : 'port']);
    if (!at) continue;
    const why = hostnameConflict
      ? `both are ${c.listener.protocol} listeners ${c.listener.hostname ? `for hostname ${c.listener.hostname}` : 'without a hostname'}, so a request cannot tell them apart`
      : `${c.other.protocol} and ${c.listener.protocol} cannot share a port`;
    const todo = hostnameConflict
      ? 'Give it another hostname or port, or merge the two listeners.'
      : `Move it to another port, or use a protocol that can share port ${c.listener.port} with ${c.other.protocol}.`;
    diagnostics.push(
      makeDiagnostic(
        'gateway-listener-conflict',
        at,
        { listener: c.listener.name, other: c.other.name, port: c.listener.port, reason: conflict.reason, why, todo },
        resource,
        related(gw.origin, c.other.fieldPath, `listener ${c.other.name}, which keeps port ${c.other.port}`),
      ),
    );
  }
}

function listenerList(ls: readonly Listener[]): string {
  return ls.map((l) => `${l.name}: ${l.protocol} ${l.port}${l.hostname ? ` ${l.hostname}` : ''}`).join('; ');
}

/** What to do about a parentRef the Gateway does not accept, by reason. */
function acceptTodo(model: GatewayModel, route: SimRoute, p: ParentStatus): string {
  const gw = p.gateway;
  if (!gw) {
    const elsewhere = model.gateways.find((g) => g.name === p.ref.name);
    if (elsewhere)
      return `A Gateway ${p.ref.name} exists in namespace ${elsewhere.namespace}: set the parentRef's namespace to ${elsewhere.namespace} (without one it means the route's own namespace).`;
    const close = model.gateways.filter((g) => g.namespace === p.ref.namespace && editDistance(g.name, p.ref.name) <= 2);
    if (close[0]) return `Did you mean ${close[0].name}?`;
    return 'Define that Gateway (or add its manifest to the input, if it is managed elsewhere), or name one that exists.';
  }
  switch (p.reason) {
    case 'NoMatchingParent':
      return p.message.startsWith('the listeners it names are not programmed')
        ? 'Resolve the listener conflict on the Gateway, or attach to another listener.'
        : 'Name one of its listeners in sectionName (or port), or leave both out to attach to every listener that allows the route.';
    case 'NotAllowedByListeners':
      return p.message.includes('may not attach')
        ? `Let namespace ${route.namespace} in through the listener's allowedRoutes.namespaces (from: All, or a Selector its labels match), or move the route into ${gw.namespace}.`
        : `Attach it to a listener whose protocol carries ${route.kind}s.`;
    case 'NoMatchingListenerHostname':
      return 'Add to spec.hostnames a name the listener accepts (a listener wildcard *.example.com matches any number of labels before .example.com, never example.com itself), or change the listener.';
    default:
      return '';
  }
}

function checkParent(model: GatewayModel, route: SimRoute, p: ParentStatus, diagnostics: Diagnostic[]): void {
  // Not simulated (a Service parent of a mesh route), or no controller to write any status (the class is missing: gatewayclass-missing says so).
  if (p.accepted || p.reason === 'UnsupportedValue' || p.reason === 'Pending') return;
  const field =
    p.reason === 'NoMatchingParent' && p.gateway && p.ref.sectionName !== undefined
      ? 'sectionName'
      : p.reason === 'NoMatchingParent' && p.gateway && p.ref.port !== undefined
        ? 'port'
        : undefined;
  const at = locate(route.origin, field ? [...p.ref.fieldPath, field] : p.ref.fieldPath);
  if (!at) return;
  const gwRelated = p.gateway
    ? related(
        p.gateway.origin,
        ['spec', 'listeners'],
        `the listeners of Gateway ${p.gateway.namespace}/${p.gateway.name}: ${listenerList(p.gateway.listeners)}`,
      )
    : [];
  diagnostics.push(
    makeDiagnostic(
      'route-not-accepted',
      at,
      {
        route: routeText(route),
        gateway: `${p.ref.namespace}/${p.ref.name}`,
        reason: p.reason,
        why: p.message,
        todo: acceptTodo(model, route, p),
      },
      routeResource(route),
      gwRelated,
    ),
  );
}

/** What an unresolved backendRef does to traffic: a mirror is not sent; a rule's backend answers 500 for its share. */
function effect(model: GatewayModel, route: SimRoute, b: BackendStatus): string {
  if (b.rule < 0) return 'the RequestMirror filter sends no copies';
  const rule = model.ruleBackends(route, b.rule);
  const total = rule.reduce((n, x) => n + x.ref.weight, 0);
  if (rule.every((x) => !x.resolved))
    return `no backend of rule ${b.rule} is valid, so the Gateway answers 500 to every request the rule matches`;
  if (b.ref.weight === 0) return 'it has weight 0, so it receives no requests, but the route is not fully resolved';
  return `the Gateway answers 500 to its share of the rule's requests (weight ${b.ref.weight} of ${total})`;
}

function checkBackend(model: GatewayModel, route: SimRoute, b: BackendStatus, diagnostics: Diagnostic[]): void {
  if (b.resolved) return;
  const resource = routeResource(route);
  const ref = b.ref;
  const fx = effect(model, route, b);
  if (b.reason === 'RefNotPermitted') {
    const at = locate(route.origin, [...ref.fieldPath, 'namespace']);
    const misplaced = model.grants.find(
      (g) => g.namespace === route.namespace && g.to.some((t) => t.kind === 'Service' && (t.name === undefined || t.name === ref.name)),
    );
    if (at)
      diagnostics.push(
        makeDiagnostic(
          'route-backend-not-permitted',
          at,
          {
            service: `${ref.namespace}/${ref.name}`,
            namespace: ref.namespace,
            name: ref.name,
            kind: route.kind,
            from: route.namespace,
            effect: fx,
            hint: misplaced
              ? `ReferenceGrant ${misplaced.namespace}/${misplaced.name} is in the route's namespace; a ReferenceGrant takes effect only in the namespace of what it lets others refer to.`
              : '',
          },
          resource,
          misplaced ? related(misplaced.origin, ['metadata', 'namespace'], `ReferenceGrant ${misplaced.namespace}/${misplaced.name}`) : [],
        ),
      );
    return;
  }
  if (b.reason === 'InvalidKind' || !b.service) {
    const at = locate(route.origin, [...ref.fieldPath, b.reason === 'InvalidKind' ? 'kind' : 'name']);
    const close = model.cluster.services
      .filter((s) => s.namespace === ref.namespace && editDistance(s.name, ref.name) <= 2 && s.name !== ref.name)
      .map((s) => s.name);
    const elsewhere = model.cluster.services.find((s) => s.name === ref.name && s.namespace !== ref.namespace);
    const hint =
      b.reason === 'InvalidKind'
        ? 'Point it at a Service (group "" and kind Service, the defaults).'
        : close[0]
          ? `Did you mean ${close[0]}?`
          : elsewhere
            ? `A Service ${ref.name} exists in namespace ${elsewhere.namespace}: set the backendRef's namespace (and add a ReferenceGrant there).`
            : '';
    const what =
      b.reason === 'InvalidKind'
        ? `backendRef ${ref.name} is a ${ref.group ? `${ref.group}/` : ''}${ref.kind}, not a Service`
        : `Service ${ref.namespace}/${ref.name} does not exist`;
    if (at)
      diagnostics.push(
        makeDiagnostic('route-backend-missing', at, { what, reason: b.reason, namespace: ref.namespace, effect: fx, hint }, resource),
      );
    return;
  }
  const at = locate(route.origin, ref.port === undefined ? ref.fieldPath : [...ref.fieldPath, 'port']);
  const ports = b.service.ports.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'no ports';
  const problem =
    ref.port === undefined
      ? `backendRef ${ref.name} names no port, which a Service backend needs`
      : `Service ${serviceId(b.service)} has no port ${ref.port}`;
  if (at)
    diagnostics.push(
      makeDiagnostic(
        'route-backend-port-missing',
        at,
        { problem, service: serviceId(b.service), ports, effect: fx },
        resource,
        related(b.service.origin, ['spec', 'ports'], `the ports of Service ${serviceId(b.service)}`),
      ),
    );
}

/** The index in spec.hostnames of a hostname as the model holds it (lower case). */
function hostnameIndex(route: SimRoute, hostname: string): number {
  if (route.origin.kind !== 'manifest') return -1;
  const spec = route.origin.object.raw['spec'];
  const list =
    typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as Record<string, unknown>)['hostnames'] : undefined;
  return Array.isArray(list) ? list.findIndex((h) => typeof h === 'string' && h.toLowerCase() === hostname) : -1;
}

function checkHostnames(route: SimRoute, parents: readonly ParentStatus[], diagnostics: Diagnostic[]): void {
  const listeners = [...new Set(parents.filter((p) => p.accepted).flatMap((p) => p.listeners))];
  if (listeners.length === 0) return;
  for (const h of route.hostnames) {
    if (listeners.some((l) => !l.hostname || hostnameIntersection(l.hostname, h) !== undefined)) continue;
    const i = hostnameIndex(route, h);
    const at = locate(route.origin, i >= 0 ? ['spec', 'hostnames', i] : ['spec', 'hostnames']);
    if (at)
      diagnostics.push(
        makeDiagnostic(
          'route-hostname-unserved',
          at,
          { hostname: h, route: routeText(route), listeners: listenerList(listeners) },
          routeResource(route),
        ),
      );
  }
}
