// "External access not working": what serves the address, whether the Service is exposed (type),
// whether its load balancer has an EXTERNAL-IP or stays <pending>, its endpoints, the NodePort on a
// node IP, and the request itself from a client outside the cluster.
import type { Analysis } from '../analyze';
import { locate, serviceId, type SimService } from '../cluster/model';
import { hostMatches } from '../ingress/model';
import { hostnameMatches } from '../gateway/hostnames';
import { parseTarget } from '../trace/target';
import { ingressWalk, requestStep } from './ingress';
import { existsStep } from './service';
import { endpointsStep, nsArgs, Steps } from './steps';
import type { TroubleshootResult, TroubleshootStep } from './types';

export const EXTERNAL_WALK_TITLE = 'External access not working';

const exposed = (s: SimService) => s.type === 'LoadBalancer' || s.type === 'NodePort' || s.externalIPs.length > 0;

function typeStep(svc: SimService): TroubleshootStep {
  // locate falls back to the nearest field written: spec, when type is left out.
  const range = locate(svc.origin, ['spec', 'type']);
  const step: TroubleshootStep = {
    check: 'Is the Service exposed outside the cluster?',
    kubectl: `kubectl get service ${nsArgs(svc)}`,
    expected: 'TYPE is LoadBalancer or NodePort (or EXTERNAL-IP set by spec.externalIPs)',
    simulated: `TYPE ${svc.type}${svc.externalIPs.length ? `, externalIPs ${svc.externalIPs.join(',')}` : ''}`,
    ok: exposed(svc),
    ...(range ? { range } : {}),
  };
  return step.ok
    ? step
    : {
        ...step,
        fix: `a ${svc.type} Service is reachable only from inside the cluster: set spec.type to LoadBalancer (or NodePort), or route to it from an Ingress or a Gateway`,
      };
}

function nodePortHint(a: Analysis, svc: SimService): string {
  const port = svc.ports.find((p) => p.nodePort !== undefined);
  const node = a.cluster.nodes[0];
  return port && node ? `; meanwhile reach it on a node: curl http://${node.ip}:${port.nodePort}` : '';
}

function externalIpStep(a: Analysis, svc: SimService): TroubleshootStep {
  const ip = svc.loadBalancerIP;
  const step: TroubleshootStep = {
    check: 'Has the load balancer an EXTERNAL-IP?',
    kubectl: `kubectl get service ${nsArgs(svc)} -o wide`,
    expected: `EXTERNAL-IP shows an address; a cloud provider or a load-balancer implementation (MetalLB, kube-vip) assigns it, and without one it stays <pending>`,
    simulated: ip
      ? `${ip} (from loadBalancerPool ${a.cluster.settings.loadBalancerPool}, the simulated load-balancer implementation)`
      : '<pending>',
    ok: ip !== undefined,
  };
  if (ip) return step;
  const range = locate(svc.origin, ['spec', 'type']);
  return {
    ...step,
    fix: `no address is left for it in loadBalancerPool ${a.cluster.settings.loadBalancerPool} (or spec.loadBalancerIP is outside it): widen the pool in kube-netsim.yaml or free an address${nodePortHint(a, svc)}`,
    ...(range ? { range } : {}),
  };
}

/** The address a request from outside goes to, and the command that sends it. */
function entries(a: Analysis, svc: SimService): Array<{ url: string; curl: string }> {
  const out: Array<{ url: string; curl: string }> = [];
  const port = svc.ports[0];
  if (!port) return out;
  const node = a.cluster.nodes[0];
  if (port.nodePort !== undefined && node)
    out.push({ url: `${node.ip}:${port.nodePort}`, curl: `curl -v http://${node.ip}:${port.nodePort}/` });
  const ip = svc.type === 'LoadBalancer' ? svc.loadBalancerIP : svc.externalIPs[0];
  if (ip) out.push({ url: `${ip}:${port.port}`, curl: `curl -v http://${ip}:${port.port}/` });
  return out;
}

/** The external walk for a Service `NS/NAME`, ending with a request to `url` when given. */
function serviceExternalWalk(a: Analysis, id: string, steps: Steps, url?: string): TroubleshootResult | { error: string } {
  const { step, svc } = existsStep(a, id);
  const result = (): TroubleshootResult => ({
    walk: 'external',
    subject: url ?? (svc ? serviceId(svc) : id),
    title: EXTERNAL_WALK_TITLE,
    steps: steps.list,
    ok: steps.ok,
  });
  if (!steps.add(step) || !svc) return result();
  if (!steps.add(typeStep(svc))) return result();
  if (svc.type === 'LoadBalancer' && !steps.add(externalIpStep(a, svc))) return result();
  if (!steps.add(endpointsStep(a, svc))) return result();
  const probes = url ? [{ url, curl: `curl -v ${/^\w+:\/\//.test(url) ? url : `http://${url}/`}` }] : entries(a, svc);
  for (const p of probes) {
    const req = requestStep(a, p.url, p.curl);
    if ('error' in req) return req;
    if (!steps.add(req)) break;
  }
  return result();
}

/** What serves an address from outside: a Service by its load-balancer, external or node IP, or an Ingress by host. */
function servedBy(a: Analysis, host: string, port: number): { service?: SimService; ingress?: string; step: TroubleshootStep } {
  const literal = /^[\d.]+$|:/.test(host);
  const services = a.cluster.services.filter((s) => s.origin.kind === 'manifest');
  const byIp = literal
    ? (services.find((s) => s.type === 'LoadBalancer' && s.loadBalancerIP === host && s.ports.some((p) => p.port === port)) ??
      services.find((s) => s.externalIPs.includes(host) && s.ports.some((p) => p.port === port)) ??
      (a.cluster.nodes.some((n) => n.ip === host) ? services.find((s) => s.ports.some((p) => p.nodePort === port)) : undefined))
    : undefined;
  const ingress = literal
    ? undefined
    : a.ingress.ingresses.find((i) => i.rules.some((r) => r.host !== undefined && hostMatches(r.host, host)));
  const what = byIp ? `Service ${serviceId(byIp)} (${byIp.type})` : ingress ? `Ingress ${ingress.namespace}/${ingress.name}` : 'nothing';
  const step: TroubleshootStep = {
    check: `What serves ${host}:${port} from outside the cluster?`,
    kubectl: literal ? 'kubectl get services -A -o wide' : 'kubectl get ingress -A',
    expected: literal
      ? 'a Service whose EXTERNAL-IP is the address, or a NodePort Service with that port on a node IP'
      : 'an Ingress or a Gateway listener whose HOSTS include the name',
    simulated: what,
    ok: byIp !== undefined || ingress !== undefined,
  };
  if (step.ok) return { ...(byIp ? { service: byIp } : {}), ...(ingress ? { ingress: `${ingress.namespace}/${ingress.name}` } : {}), step };
  const internal = services.find((s) => host === s.name || host.startsWith(`${s.name}.${s.namespace}`));
  const fix = internal
    ? `${host} is a cluster DNS name of Service ${serviceId(internal)}: it resolves only inside the cluster; expose the Service (type LoadBalancer or NodePort) or route a public host to it with an Ingress or Gateway`
    : literal
      ? `no Service has ${host} as its load-balancer or external IP with port ${port}, and no NodePort ${port} is open on a node of that address`
      : `no Ingress rule names the host ${host}; add a rule for it, or check the DNS record points at the ingress controller's address`;
  return { step: { ...step, fix } };
}

/** The walk for a URL (or HOST:PORT) as a client outside the cluster sends it, or for a Service `NS/NAME`. */
export function externalWalk(a: Analysis, what: string): TroubleshootResult | { error: string } {
  const steps = new Steps();
  const looksLikeAddress = /^\w+:\/\//.test(what) || /:\d+$/.test(what);
  if (!looksLikeAddress) return serviceExternalWalk(a, what, steps);
  const target = parseTarget(what);
  if (!target.ok) return { error: target.message };
  // A Gateway listener claims a host before an Ingress does: the request step's trace follows it there.
  const { host, port } = target.target;
  const gateway = a.gateway.gateways.find(
    (g) =>
      g.listeners.some((l) => l.port === port && (l.hostname === undefined || hostnameMatches(l.hostname, host))) &&
      (g.addresses.includes(host) || !/^[\d.]+$|:/.test(host)),
  );
  const served = servedBy(a, host, port);
  if (gateway)
    steps.add({
      check: `What serves ${host}:${port} from outside the cluster?`,
      kubectl: 'kubectl get gateway -A',
      expected: 'a Gateway whose listener accepts the host and port, with an ADDRESS and PROGRAMMED True',
      simulated: `Gateway ${gateway.namespace}/${gateway.name} at ${gateway.addresses.join(', ') || '<no address>'}`,
      ok: true,
    });
  else if (served.ingress) {
    const walk = ingressWalk(a, served.ingress, what);
    if ('error' in walk) return walk;
    return { ...walk, walk: 'external', subject: what, title: EXTERNAL_WALK_TITLE, steps: [served.step, ...walk.steps] };
  }
  if (!gateway && !steps.add(served.step))
    return { walk: 'external', subject: what, title: EXTERNAL_WALK_TITLE, steps: steps.list, ok: false };
  if (served.service && !gateway) return serviceExternalWalk(a, serviceId(served.service), steps, what);
  const req = requestStep(a, what, `curl -v ${what}`);
  if ('error' in req) return req;
  steps.add(req);
  return { walk: 'external', subject: what, title: EXTERNAL_WALK_TITLE, steps: steps.list, ok: steps.ok };
}
