// "Ingress not working": the Ingress, its class and the controller's pods, the ADDRESS, the rules'
// Services and ports, their endpoints, and a request from outside through the controller.
import type { Analysis } from '../analyze';
import { serviceId, type SimService } from '../cluster/model';
import { hostMatches, ingressRange, resolveBackend, type IngressBackend, type IngressController, type SimIngress } from '../ingress/model';
import { tracePacket } from '../trace/packet';
import { parseTarget } from '../trace/target';
import { endpointsStep, nsArgs, Steps, traceStep } from './steps';
import type { TroubleshootResult, TroubleshootStep } from './types';

export const INGRESS_WALK_TITLE = 'Ingress not working';

function existsStep(a: Analysis, id: string): { step: TroubleshootStep; ing?: SimIngress } {
  const [namespace, name] = id.includes('/') ? (id.split('/', 2) as [string, string]) : ['default', id];
  const ing = a.ingress.ingresses.find((i) => i.namespace === namespace && i.name === name);
  const step: TroubleshootStep = {
    check: 'Does the Ingress exist?',
    kubectl: `kubectl get ingress ${name} -n ${namespace}`,
    expected: 'the Ingress is listed with its CLASS, HOSTS and ADDRESS',
    simulated: ing
      ? `class ${ing.className ?? '<none>'}, hosts ${ing.rules.map((r) => r.host ?? '*').join(',') || '*'}`
      : `Error from server (NotFound): ingresses.networking.k8s.io "${name}" not found`,
    ok: ing !== undefined,
  };
  if (!ing) {
    const others = a.ingress.ingresses.map((i) => `${i.namespace}/${i.name}`);
    return {
      step: { ...step, fix: others.length ? `the manifests define ${others.slice(0, 5).join(', ')}` : 'the manifests define no Ingress' },
    };
  }
  const range = ingressRange(ing, ['metadata', 'name']);
  return { ing, step: range ? { ...step, range } : step };
}

function classStep(a: Analysis, ing: SimIngress): { step: TroubleshootStep; controller?: IngressController } {
  const controller = a.ingress.controllers.find((c) => c.className === ing.className);
  const classes = a.cluster.objects.filter((o) => o.kind === 'IngressClass').map((o) => o.name);
  const step: TroubleshootStep = {
    check: 'Does an IngressClass and its controller serve this Ingress?',
    kubectl: 'kubectl get ingressclass',
    expected: 'the class in spec.ingressClassName is listed (or one is marked default), with its CONTROLLER',
    simulated: controller
      ? `${controller.className}: ${controller.controller}`
      : `no class serves it (IngressClasses: ${classes.join(', ') || 'none'})`,
    ok: controller !== undefined,
  };
  const range = ingressRange(ing, ['spec', 'ingressClassName']) ?? ingressRange(ing, ['metadata', 'name']);
  const withRange = range ? { ...step, range } : step;
  if (controller) return { step: withRange, controller };
  return {
    step: {
      ...withRange,
      fix: `set spec.ingressClassName to ${classes.length ? `one of ${classes.join(', ')}` : 'the class of an installed controller'}, or mark an IngressClass default with the annotation ingressclass.kubernetes.io/is-default-class: "true"`,
    },
  };
}

function controllerPodsStep(c: IngressController): TroubleshootStep {
  const running = c.pods.filter((p) => p.ip && p.node);
  const step: TroubleshootStep = {
    check: `Are the controller's pods running (${c.controller})?`,
    kubectl: `kubectl get pods -n ${c.namespace}`,
    expected: 'the controller pods are Running and READY',
    simulated:
      running.length > 0
        ? `${running.map((p) => `${p.name} on ${p.node}`).join(', ')}${c.implicit ? ' (the manifests do not install the controller: kube-netsim assumes its standard install)' : ''}`
        : 'no controller pod is running',
    ok: running.length > 0,
  };
  return running.length > 0
    ? step
    : { ...step, fix: `install the controller for class ${c.className} (${c.controller}) and check its pods' events` };
}

function addressStep(ing: SimIngress, c: IngressController): TroubleshootStep {
  const address = c.service?.loadBalancerIP ?? c.service?.externalIPs[0];
  const step: TroubleshootStep = {
    check: 'Has the Ingress an ADDRESS?',
    kubectl: `kubectl get ingress ${nsArgs(ing)}`,
    expected: "ADDRESS shows the controller's external address (it stays empty until the controller admits the Ingress)",
    simulated: address ?? '<empty>',
    ok: address !== undefined,
  };
  return address !== undefined
    ? step
    : {
        ...step,
        fix: `the controller's Service ${c.service ? serviceId(c.service) : `in ${c.namespace}`} has no external address; give it type LoadBalancer (with a load-balancer implementation) or reach the controller on its NodePort`,
      };
}

/** Every Service backend of the Ingress, with what it resolves to. */
function backends(a: Analysis, ing: SimIngress): Array<{ b: IngressBackend; svc?: SimService; portOk: boolean }> {
  const all = [...(ing.defaultBackend ? [ing.defaultBackend] : []), ...ing.rules.flatMap((r) => r.paths.map((p) => p.backend))];
  return all
    .filter((b) => b.service)
    .map((b) => {
      const { service, port } = resolveBackend(a.cluster, ing.namespace, b);
      return { b, ...(service ? { svc: service } : {}), portOk: port !== undefined || b.service?.port === undefined };
    });
}

function backendsStep(a: Analysis, ing: SimIngress): TroubleshootStep {
  const rows = backends(a, ing);
  const bad = rows.find((r) => !r.svc || !r.portOk);
  const step: TroubleshootStep = {
    check: "Do the rules' backends name existing Services and ports?",
    kubectl: `kubectl describe ingress ${nsArgs(ing)}`,
    expected: 'every backend lists SERVICE:PORT with pod addresses, none says "<error: services ... not found>"',
    simulated:
      rows
        .map((r) => `${r.b.service?.name}:${r.b.service?.port ?? '?'}${!r.svc ? ' (not found)' : !r.portOk ? ' (no such port)' : ''}`)
        .join(', ') || 'no Service backends',
    ok: bad === undefined,
  };
  if (!bad) return step;
  const range = ingressRange(ing, bad.svc ? bad.b.portPath : bad.b.namePath);
  const fix = !bad.svc
    ? `no Service ${ing.namespace}/${bad.b.service?.name}: an Ingress backend names a Service of the Ingress's own namespace; create it or fix the name`
    : `Service ${serviceId(bad.svc)} has no port ${bad.b.service?.port} (it has ${bad.svc.ports.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ')}); name one of them`;
  return { ...step, fix, ...(range ? { range } : {}) };
}

/** The URL of each rule path (at most ten), as a client outside the cluster asks it. */
function probeUrls(ing: SimIngress, address: string | undefined): string[] {
  const urls = ing.rules.flatMap((rule) =>
    rule.paths.map((p) => {
      const host = rule.host?.replace(/^\*\./, 'www.');
      const tls = host !== undefined && ing.tls.some((t) => t.hosts.some((h) => hostMatches(h, host)));
      return host ? `${tls ? 'https' : 'http'}://${host}${p.path || '/'}` : address ? `http://${address}${p.path || '/'}` : undefined;
    }),
  );
  if (urls.length === 0 && ing.defaultBackend && address) urls.push(`http://${address}/`);
  return [...new Set(urls.filter((u): u is string => u !== undefined))].slice(0, 10);
}

/** A request from outside: delivered to a pod, or the reason it is not. */
export function requestStep(a: Analysis, url: string, curl: string): TroubleshootStep | { error: string } {
  const target = parseTarget(url);
  if (!target.ok) return { error: target.message };
  const trace = tracePacket(a, { kind: 'external', ip: a.cluster.settings.externalClient }, target.target, 'TCP');
  return traceStep(
    trace,
    { check: `Does a request from outside to ${url} reach a pod?`, kubectl: curl, expected: 'the backend answers' },
    `kube-netsim trace --from external --to ${url}`,
  );
}

/** The whole walk for the Ingress `NS/NAME`. */
export function ingressWalk(a: Analysis, id: string, url?: string): TroubleshootResult | { error: string } {
  const steps = new Steps();
  const first = existsStep(a, id);
  const result = (): TroubleshootResult => ({
    walk: 'ingress',
    subject: first.ing ? `${first.ing.namespace}/${first.ing.name}` : id,
    title: INGRESS_WALK_TITLE,
    steps: steps.list,
    ok: steps.ok,
  });
  const ing = first.ing;
  if (!steps.add(first.step) || !ing) return result();
  const { step, controller } = classStep(a, ing);
  if (!steps.add(step) || !controller) return result();
  if (!steps.add(controllerPodsStep(controller))) return result();
  if (!steps.add(addressStep(ing, controller))) return result();
  if (!steps.add(backendsStep(a, ing))) return result();
  for (const r of backends(a, ing)) if (r.svc && !steps.add(endpointsStep(a, r.svc))) return result();
  const address = controller.service?.loadBalancerIP;
  for (const probe of url ? [url] : probeUrls(ing, address)) {
    const m = /^(\w+):\/\/([^/:]+)(:\d+)?(.*)$/.exec(probe);
    const [scheme, host, port, path] = [m?.[1] ?? 'http', m?.[2] ?? '', m?.[3] ?? '', m?.[4] || '/'];
    // curl --resolve sends the name (Host and SNI) to the controller's address, as DNS would once it points there.
    const curl =
      address === undefined || host === address
        ? `curl -v ${probe}`
        : `curl -v --resolve ${host}:${port.slice(1) || (scheme === 'https' ? 443 : 80)}:${address} ${scheme}://${host}${port}${path}`;
    const req = requestStep(a, probe, curl);
    if ('error' in req) return req;
    if (!steps.add(req)) break;
  }
  return result();
}
