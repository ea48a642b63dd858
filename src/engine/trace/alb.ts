// An AWS ALB's part of a trace: no pod in the cluster handles the request. The load balancer's
// listener takes it (or its security group drops a port no listener opens), its rules pick an
// action (the first that matches), and it opens its own connection: with target-type ip straight
// to a backend pod (the pod sees the ALB's address), with instance to the Service's NodePort on a
// node, where kube-proxy takes over.
import ipaddr from 'ipaddr.js';
import { fnv1a } from '../hash';
import { categorizeEndpoints } from '../dataplane/kubeProxy';
import { locate, podId, serviceId, type SimService } from '../cluster/model';
import { isRecord } from '../manifests/fields';
import { resolveBackend, type IngressController, type SimIngress } from '../ingress/model';
import { ALB, albAnnotations, albRoute, type AlbLoadBalancer, type AlbRule } from '../ingress/alb';
import { fail, type Outcome, type Packet, type TraceContext } from './context';
import { toAddress, toPod } from './legs';
import { controllerInfo } from './ingress';
import { round } from './steps';
import type { Target } from './types';

/** target-type: the Service's annotation wins over the Ingress's; instance by default. */
export function targetType(ing: SimIngress, svc: SimService | undefined): 'ip' | 'instance' {
  const own = svc?.origin.kind === 'manifest' ? svc.origin.object.raw['metadata'] : undefined;
  const ann = isRecord(own) && isRecord(own['annotations']) ? own['annotations'][`${ALB}target-type`] : undefined;
  const v = typeof ann === 'string' ? ann : albAnnotations(ing)['target-type'];
  return v === 'ip' ? 'ip' : 'instance';
}

function isPrivate(ip: string): boolean {
  try {
    const r = ipaddr.process(ip).range();
    return r === 'private' || r === 'loopback' || r === 'uniqueLocal' || r === 'linkLocal';
  } catch {
    return false;
  }
}

/** Continues a trace that reached ALB `lb` (its address) from outside the cluster. */
export function albLeg(ctx: TraceContext, pkt: Packet, controller: IngressController, lb: AlbLoadBalancer, target: Target): Outcome {
  const name = `ALB ${lb.hostname}`;
  const https = target.scheme === 'https';
  const port = target.port;
  const host = (ctx.http.headers.find((h) => h.name.toLowerCase() === 'host')?.value ?? target.host).toLowerCase().replace(/:\d+$/, '');
  const first = lb.ingresses[0] as SimIngress;
  const at = (ing: SimIngress, key: string) =>
    locate(ing.origin, ['metadata', 'annotations', `${ALB}${key}`]) ?? locate(ing.origin, ['metadata', 'name']);
  if (lb.scheme === 'internal' && !isPrivate(pkt.srcIP))
    return fail(
      'unrouted',
      `${name} is internal (alb.ingress.kubernetes.io/scheme defaults to internal): its addresses are private to the VPC, so a client at ${pkt.srcIP} cannot reach it; set scheme: internet-facing to expose it`,
    );
  const listener = lb.listeners.find((l) => l.port === port);
  if (!listener) {
    ctx.hops.push({
      kind: 'drop',
      node: null,
      rule: `${name} security group`,
      reason: `no listener on ${port} (listen-ports: ${lb.listeners.map((l) => `${l.protocol}:${l.port}`).join(', ')}); the controller's security group opens only the listener ports`,
      range: at(first, 'listen-ports'),
    });
    return fail('dropped', `${name} has no listener on port ${port}, so its security group drops the connection`);
  }
  ctx.ingressController = controllerInfo(controller, 'ip');
  const hop = (ingress: string | undefined, match: string, backend: string | undefined, range = at(first, 'group.name')) =>
    ctx.hops.push({
      kind: 'ingress-controller',
      node: null,
      controller: name,
      className: controller.className,
      product: controller.profile.product,
      known: true,
      host,
      path: target.path,
      ingress,
      match,
      backend,
      range,
    });
  if (listener.protocol === 'HTTP' && lb.sslRedirect !== undefined) {
    const location = `https://${host}${lb.sslRedirect === 443 ? '' : `:${lb.sslRedirect}`}${target.path || '/'}${target.query ? `?${target.query}` : ''}`;
    hop(undefined, `listener HTTP:${port} redirects every request (ssl-redirect ${lb.sslRedirect})`, undefined, at(first, 'ssl-redirect'));
    ctx.response = { status: 301, location };
    ctx.hops.push({ kind: 'redirect', node: null, status: 301, location, range: at(first, 'ssl-redirect') });
    return fail('redirected', `${name} answers 301 with Location ${location} (ssl-redirect); nothing reaches a pod`);
  }
  const rule = albRoute(lb, {
    host,
    path: target.path || '/',
    method: ctx.http.method ?? 'GET',
    headers: ctx.http.headers,
    query: target.query ?? '',
    sourceIP: pkt.srcIP,
  });
  if (!rule) {
    hop(undefined, `no listener rule matches ${host}${target.path || '/'} and no Ingress of the group has a defaultBackend`, undefined);
    ctx.response = { status: 404 };
    return fail('unrouted', `${name}: no listener rule matches ${host}${target.path || '/'}, so its default action answers 404`);
  }
  const ingId = `${rule.ingress.namespace}/${rule.ingress.name}`;
  const range = rule.path ? locate(rule.ingress.origin, rule.path.fieldPath) : locate(rule.ingress.origin, rule.backend.path);
  const match = ruleText(lb, rule);
  const action = rule.action;
  if (action?.type === 'fixed-response' || action?.type === 'redirect') {
    hop(ingId, match, `action ${rule.backend.service?.name} (${action.type})`, range);
    if (action.type === 'fixed-response') {
      ctx.response = { status: action.status };
      return fail(
        'unrouted',
        `${name} answers ${action.status} itself (fixed-response action ${rule.backend.service?.name} of Ingress ${ingId}); nothing reaches a pod`,
      );
    }
    const location = `${(action.protocol ?? (https ? 'https' : 'http')).toLowerCase()}://${action.host ?? host}${action.port && !['80', '443', '#{port}'].includes(action.port) ? `:${action.port}` : ''}${action.path && action.path !== '/#{path}' ? action.path : target.path || '/'}`;
    ctx.response = { status: action.status, location };
    ctx.hops.push({ kind: 'redirect', node: null, status: action.status, location, range });
    return fail(
      'redirected',
      `${name} answers ${action.status} with Location ${location} (redirect action of Ingress ${ingId}); nothing reaches a pod`,
    );
  }
  // The Service to forward to: the path's own, or one of a forward action's weighted target groups.
  let ref = rule.backend.service;
  if (action?.type === 'forward') {
    const total = action.targets.reduce((s, t) => s + t.weight, 0) || 1;
    let left = ((fnv1a(`${pkt.clientIP}|alb|${host}${target.path}`) % 1_000_000) / 1_000_000) * total;
    const pick = action.targets.find((t) => (left -= t.weight) < 0) ?? action.targets[0];
    if (pick) ref = { name: pick.service, port: pick.port };
  }
  if (!ref) return fail('unrouted', `Ingress ${ingId} names a resource backend, which the AWS Load Balancer Controller does not support`);
  const { service, port: sp } = resolveBackend(ctx.a.cluster, rule.ingress.namespace, { ...rule.backend, service: ref });
  const mode = service ? targetType(rule.ingress, service) : targetType(rule.ingress, undefined);
  ctx.ingressController = controllerInfo(controller, mode);
  ctx.ingressController.dataPlane = `ALB ${lb.hostname} (${lb.scheme})`;
  hop(ingId, match, `Service ${rule.ingress.namespace}/${ref.name} port ${ref.port ?? '(none)'}, target-type ${mode}`, range);
  if (!service || !sp) {
    ctx.response = { status: 503 };
    return fail(
      'unrouted',
      `Ingress ${ingId} routes to Service ${rule.ingress.namespace}/${ref.name} port ${ref.port}, which does not exist: the ALB has no target group and answers 503`,
    );
  }
  ctx.service = serviceId(service);
  const from: Packet = {
    ...pkt,
    srcIP: lb.address,
    srcPort: 'ephemeral',
    at: undefined,
    legStart: 'outside',
    seenAs: { kind: 'external', ip: lb.address },
    originalPeer: { kind: 'external', ip: lb.address },
    sender: undefined,
  };
  if (mode === 'instance') {
    if (sp.nodePort === undefined)
      return fail(
        'unrouted',
        `Ingress ${ingId} uses target-type instance, which needs a NodePort, but Service ${serviceId(service)} is ${service.type}: the controller rejects the Ingress and creates no target group (make the Service NodePort, or use target-type ip)`,
      );
    const nodes = ctx.a.cluster.nodes;
    const node = nodes[fnv1a(`${pkt.clientIP}|alb-node|${serviceId(service)}`) % Math.max(1, nodes.length)];
    if (!node) return fail('unrouted', 'the cluster has no nodes');
    ctx.hops.push({
      kind: 'load-balancer',
      node: null,
      address: `${lb.address}:${port}`,
      service: serviceId(service),
      chosenNode: node.name,
      nodePort: sp.nodePort,
      nodes: nodes.map((n) => ({ node: n.name, weight: round(1 / nodes.length) })),
      externalTrafficPolicy: service.externalTrafficPolicy,
      range: locate(service.origin, ['spec', 'type']),
    });
    // The ALB proxies: kube-proxy on the node sees the ALB's address as the client.
    return toAddress(ctx, from, node.ip, sp.nodePort);
  }
  const eps = categorizeEndpoints(service, service.ports.indexOf(sp), undefined).cluster;
  if (eps.length === 0) {
    ctx.response = { status: 503 };
    return fail('refused', `Service ${serviceId(service)} has no ready endpoints, so the ALB's target group is empty and it answers 503`);
  }
  const chosen = eps[fnv1a(`${pkt.clientIP}|alb-ip|${serviceId(service)}`) % eps.length] as (typeof eps)[number];
  ctx.candidates = eps.map((e) => ({
    pod: e.pod,
    ip: e.ip,
    port: e.port,
    node: e.node ?? null,
    weight: round(1 / eps.length),
    chosen: e === chosen,
    service: serviceId(service),
  }));
  const pod = ctx.a.cluster.pods.find((p) => podId(p) === chosen.pod);
  if (!pod) return fail('unrouted', `the ALB's target ${chosen.ip} is not a pod of this cluster`);
  return toPod(ctx, from, pod, chosen.port, undefined);
}

/** How the winning listener rule was reached, for the hop: its place in the group's order. */
function ruleText(lb: AlbLoadBalancer, rule: AlbRule): string {
  const index = lb.rules.indexOf(rule) + 1;
  const where = rule.path
    ? `host ${rule.rule?.host ?? '(any)'}, path ${rule.path.path} (${rule.path.pathType})`
    : 'defaultBackend (the default action)';
  const conds = rule.conditions.length > 0 ? `, conditions ${rule.conditions.map((c) => c.field).join(', ')}` : '';
  return `listener rule ${index} of ${lb.rules.length} (the first that matches; group ${lb.group ?? '(none)'}): ${where}${conds}`;
}
