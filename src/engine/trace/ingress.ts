// The ingress controller's part of a trace: TLS termination, host and path routing over the
// Ingresses of its class, and its own connection to one endpoint of the backend Service.
import { fnv1a } from '../hash';
import { categorizeEndpoints, endpointString } from '../dataplane/kubeProxy';
import { resolveBackend, type IngressController, type SimIngress } from '../ingress/model';
import { backendProtocol, NGINX, nginxAnnotations, nginxAnswer, rewritten } from '../ingress/nginx';
import { canaryShares } from '../ingress/canary';
import { locate, serviceId, type SimPod } from '../cluster/model';
import { fail, type Outcome, type Packet, type TraceContext } from './context';
import { toPod } from './legs';
import { leaveCluster } from './edge';
import { round } from './steps';
import type { FieldPath } from '../source';
import type { Target, TraceIngressController } from './types';
import { podById, podByIp } from './lookup';

const where = (ing: SimIngress, path: FieldPath) => locate(ing.origin, path);

/** The controller as the trace JSON names it: class, product, where it runs, how it reaches backends. */
export function controllerInfo(controller: IngressController, reaches: TraceIngressController['reaches']): TraceIngressController {
  const info: TraceIngressController = {
    className: controller.className,
    controller: controller.controller,
    profile: controller.profile.kind,
    dataPlane: `${controller.namespace}/${controller.name}`,
    reaches,
  };
  if (!controller.profile.known)
    info.note = `IngressClass ${controller.className}'s controller ${controller.controller} is not one kube-netsim knows: it is simulated as a generic in-cluster proxy that sends to the backends' pod IPs and reads ImplementationSpecific as Prefix`;
  return info;
}

/** Continues a trace that reached an ingress controller pod on `port` (80 or 443). */
export function ingressLeg(
  ctx: TraceContext,
  pkt: Packet,
  controller: IngressController,
  pod: SimPod,
  port: number,
  target: Target,
): Outcome {
  const model = ctx.a.ingress;
  const node = pod.node ?? null;
  const host = target.host;
  const tls = target.scheme === 'https' || port === controller.dataPlane?.httpsPort;
  ctx.ingressController = controllerInfo(controller, 'pods');
  if (tls) {
    const entry = model.tlsFor(controller, host);
    ctx.hops.push({
      kind: 'tls',
      node,
      host,
      secretName: entry?.tls.secretName,
      ingress: entry ? `${entry.ingress.namespace}/${entry.ingress.name}` : undefined,
      range: entry
        ? (where(entry.ingress, [...entry.tls.fieldPath, 'secretName']) ?? where(entry.ingress, entry.tls.fieldPath))
        : undefined,
    });
  }
  const route = model.route(controller, host, target.path);
  const controllerId = `${controller.namespace}/${controller.name}`;
  ctx.candidates = [];
  if (route.kind === 'not-found') {
    ctx.hops.push({
      kind: 'ingress-controller',
      node,
      controller: controllerId,
      className: controller.className,
      product: controller.profile.product,
      known: controller.profile.known,
      host,
      path: target.path,
      ingress: undefined,
      match: route.reason,
      backend: undefined,
      range: undefined,
    });
    return fail(
      'unrouted',
      `ingress controller ${controllerId} (class ${controller.className}) has nowhere to send ${host}${target.path}: ${route.reason}`,
    );
  }
  const ing = route.ingress;
  const ingId = `${ing.namespace}/${ing.name}`;
  const nginx = controller.profile.kind === 'ingress-nginx';
  const matched = route.path
    ? `path ${route.path.path} (${route.path.pathType}${route.regex ? ', a case-insensitive regular expression: use-regex' : ''})`
    : '';
  const match = route.via === 'defaultBackend' ? 'no rule matches; spec.defaultBackend' : `host ${route.rule?.host ?? '(any)'}, ${matched}`;
  const range = route.path ? where(ing, route.path.fieldPath) : where(ing, route.backend.path);
  const ref = route.backend.service;
  const protocol = nginx ? backendProtocol(ing) : 'HTTP';
  const backendText = ref
    ? `Service ${ing.namespace}/${ref.name} port ${ref.port ?? '(none)'}${protocol !== 'HTTP' ? ` over ${protocol} (backend-protocol)` : ''}`
    : `resource ${route.backend.resource}`;
  ctx.hops.push({
    kind: 'ingress-controller',
    node,
    controller: controllerId,
    className: controller.className,
    product: controller.profile.product,
    known: controller.profile.known,
    host,
    path: target.path,
    ingress: ingId,
    match,
    backend: backendText,
    range,
  });
  // ingress-nginx's own answers: the HTTPS redirect and app-root, before any backend.
  const answer = nginx
    ? nginxAnswer(ing, { scheme: tls ? 'https' : 'http', host, path: target.path || '/', query: target.query ?? '' })
    : undefined;
  if (answer) {
    ctx.response = { status: answer.status, location: answer.location };
    ctx.hops.push({
      kind: 'redirect',
      node,
      status: answer.status,
      location: answer.location,
      range: annotationRange(ing, `${NGINX}${answer.annotation}`) ?? range,
    });
    return fail(
      'redirected',
      `ingress-nginx answers ${answer.status} with Location ${answer.location} (${answer.annotation} on Ingress ${ingId}); nothing reaches a pod`,
    );
  }
  if (!ref)
    return fail('unrouted', `Ingress ${ingId} sends ${host}${target.path} to ${backendText}, not to a Service; the trace cannot follow it`);
  // The canary's share (canary-weight, canary-by-header), then the chosen backend.
  let chosenIng = ing;
  let chosenBackend = route.backend;
  if (route.canary && route.backend.service) {
    const c = route.canary;
    const main = `${ing.namespace}/${route.backend.service.name}`;
    const shares = canaryShares(c, main, ctx.http.headers);
    const total = [...shares.values()].reduce((x, y) => x + y, 0);
    let at = ((fnv1a(`${pkt.clientIP}|canary|${host}${target.path}`) % 1_000_000) / 1_000_000) * total;
    const pick = [...shares.entries()].find(([, w]) => (at -= w) < 0)?.[0] ?? main;
    const text = [...shares.entries()].map(([svc, w]) => `${svc} ${Math.round(w * 1000) / 10}%`).join(', ');
    ctx.hops.push({
      kind: 'filter',
      node,
      filter: 'canary',
      detail: `canary Ingress ${c.ingress.namespace}/${c.ingress.name} shares this path: ${text}; this request goes to ${pick}`,
      range: annotationRange(c.ingress, `${NGINX}canary`),
    });
    if (pick === c.service) {
      const port = typeof c.backendRef['port'] === 'number' ? c.backendRef['port'] : undefined;
      const name = c.service.split('/')[1] ?? '';
      chosenIng = c.ingress;
      chosenBackend = { service: { name, port }, path: [], namePath: [], portPath: [] };
      // A canary by name keeps the port its own path names.
      const own = c.ingress.rules.flatMap((r) => r.paths).find((p) => p.backend.service?.name === name);
      if (own) chosenBackend = own.backend;
    }
  }
  if (nginx) {
    const rewrite = nginxAnnotations(ing)['rewrite-target'];
    if (rewrite !== undefined && route.path) {
      const path = rewritten(rewrite, route.path.path, route.regex === true, target.path || '/');
      ctx.request = { method: ctx.http.method ?? 'GET', host, path: `${path}${target.query ? `?${target.query}` : ''}`, headers: {} };
      ctx.hops.push({
        kind: 'filter',
        node,
        filter: 'rewrite-target',
        detail: `rewrite-target ${rewrite}: the backend receives ${path}`,
        range: annotationRange(ing, `${NGINX}rewrite-target`),
      });
    }
  }
  const svcIng = chosenIng;
  const svcRef = chosenBackend.service ?? ref;
  const { service, port: sp } = resolveBackend(ctx.a.cluster, svcIng.namespace, chosenBackend);
  if (!service)
    return fail(
      'unrouted',
      `Ingress ${svcIng.namespace}/${svcIng.name} routes to Service ${svcIng.namespace}/${svcRef.name}, which does not exist: the controller answers 503`,
    );
  if (service.type === 'ExternalName' && service.externalName) {
    return leaveCluster(
      ctx,
      { ...pkt, srcIP: pod.ip ?? pkt.srcIP, sender: pod, originalPeer: { kind: 'pod', pod } },
      service.externalName,
      `${service.externalName}:${typeof svcRef.port === 'number' ? svcRef.port : 80}`,
    );
  }
  if (!sp)
    return fail(
      'unrouted',
      `Ingress ${svcIng.namespace}/${svcIng.name} routes to port ${svcRef.port} of Service ${serviceId(service)}, which has no such port: the controller answers 503`,
    );
  ctx.service = serviceId(service);
  const eps = categorizeEndpoints(service, service.ports.indexOf(sp), undefined).cluster;
  if (eps.length === 0) {
    ctx.hops.push({
      kind: 'reject',
      node,
      rule: 'ingress controller upstream list is empty',
      reason: `Service ${serviceId(service)} has no ready endpoints; the controller answers 503`,
      range: locate(service.origin, ['spec', 'selector']),
    });
    ctx.candidates = [];
    return fail('refused', `Service ${serviceId(service)} behind Ingress ${ingId} has no ready endpoints, so the controller answers 503`);
  }
  // The controller balances over the endpoints itself (no ClusterIP, no kube-proxy on this hop).
  const chosen = eps[fnv1a(`${pkt.clientIP}|ingress|${serviceId(service)}`) % eps.length] as (typeof eps)[number];
  ctx.candidates = eps.map((e) => ({
    pod: e.pod,
    ip: e.ip,
    port: e.port,
    node: e.node ?? null,
    weight: round(1 / eps.length),
    chosen: e === chosen,
    service: serviceId(service),
  }));
  const target2 = podById(ctx.a.cluster, chosen.pod) ?? podByIp(ctx.a.cluster, chosen.ip);
  const start = ctx.a.cluster.nodes.find((n) => n.name === pod.node);
  const proxied: Packet = {
    srcIP: pod.ip ?? pkt.srcIP,
    srcPort: 'ephemeral',
    clientIP: pkt.clientIP,
    at: start,
    legStart: start && pod.ip ? { node: start, ip: pod.ip, pod } : 'outside',
    sender: pod,
    seenAs: { kind: 'pod', pod },
    snatNode: undefined,
    originalPeer: { kind: 'pod', pod },
  };
  if (!target2) return leaveCluster(ctx, proxied, chosen.ip, endpointString(chosen));
  return toPod(ctx, proxied, target2, chosen.port, undefined);
}

/** The position of one annotation of an Ingress, for the hop that it decided. */
function annotationRange(ing: SimIngress, key: string) {
  return where(ing, ['metadata', 'annotations', key]);
}
