// The ingress controller's part of a trace: TLS termination, host and path routing over the
// Ingresses of its class, and its own connection to one endpoint of the backend Service.
import { fnv1a } from '../hash';
import { categorizeEndpoints, endpointString } from '../dataplane/kubeProxy';
import { resolveBackend, type IngressController, type SimIngress } from '../ingress/model';
import { locate, serviceId, type SimPod } from '../cluster/model';
import { fail, type Outcome, type Packet, type TraceContext } from './context';
import { toPod } from './legs';
import { leaveCluster } from './edge';
import { round } from './steps';
import type { FieldPath } from '../source';
import type { Target } from './types';
import { podById, podByIp } from './lookup';

const where = (ing: SimIngress, path: FieldPath) => locate(ing.origin, path);

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
  const tls = target.scheme === 'https' || port === 443;
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
  const match =
    route.via === 'defaultBackend'
      ? 'no rule matches; spec.defaultBackend'
      : `host ${route.rule?.host ?? '(any)'}, path ${route.path?.path} (${route.path?.pathType})`;
  const range = route.path ? where(ing, route.path.fieldPath) : where(ing, route.backend.path);
  const ref = route.backend.service;
  const backendText = ref ? `Service ${ing.namespace}/${ref.name} port ${ref.port ?? '(none)'}` : `resource ${route.backend.resource}`;
  ctx.hops.push({
    kind: 'ingress-controller',
    node,
    controller: controllerId,
    className: controller.className,
    host,
    path: target.path,
    ingress: ingId,
    match,
    backend: backendText,
    range,
  });
  if (!ref)
    return fail('unrouted', `Ingress ${ingId} sends ${host}${target.path} to ${backendText}, not to a Service; the trace cannot follow it`);
  const { service, port: sp } = resolveBackend(ctx.a.cluster, ing.namespace, route.backend);
  if (!service)
    return fail(
      'unrouted',
      `Ingress ${ingId} routes to Service ${ing.namespace}/${ref.name}, which does not exist: the controller answers 503`,
    );
  if (service.type === 'ExternalName' && service.externalName) {
    return leaveCluster(
      ctx,
      { ...pkt, srcIP: pod.ip ?? pkt.srcIP, sender: pod, originalPeer: { kind: 'pod', pod } },
      service.externalName,
      `${service.externalName}:${typeof ref.port === 'number' ? ref.port : 80}`,
    );
  }
  if (!sp)
    return fail(
      'unrouted',
      `Ingress ${ingId} routes to port ${ref.port} of Service ${serviceId(service)}, which has no such port: the controller answers 503`,
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
