// "Can't reach Service": does it exist, do its selector and the pods' labels match, does it have
// endpoints, does its name resolve from a pod, and does a connection from that pod reach one.
// The steps and their kubectl are the ones the Kubernetes docs' "Debug Services" page takes.
import type { Analysis } from '../analyze';
import { editDistance } from '../diagnostics';
import { locate, serviceId, type SimPod, type SimService } from '../cluster/model';
import { tracePacket } from '../trace/packet';
import { parseTarget } from '../trace/target';
import { clientPod, endpointsStep, execFrom, nearestLabels, nsArgs, selectorArg, Steps, traceStep } from './steps';
import type { TroubleshootResult, TroubleshootStep } from './types';

export const SERVICE_WALK_TITLE = "Can't reach Service";

/** The Service named `NS/NAME` (or `NAME` in default), or the closest names when none is. */
export function findService(a: Analysis, id: string): { svc: SimService } | { near: string[]; namespace: string; name: string } {
  const [namespace, name] = id.includes('/') ? (id.split('/', 2) as [string, string]) : ['default', id];
  const svc = a.cluster.services.find((s) => s.namespace === namespace && s.name === name);
  if (svc) return { svc };
  const near = a.cluster.services
    .filter((s) => s.origin.kind === 'manifest')
    .map((s) => ({ id: serviceId(s), d: s.name === name ? 0 : editDistance(s.name, name) }))
    .filter((s) => s.d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((x, y) => x.d - y.d || (x.id < y.id ? -1 : 1))
    .slice(0, 3)
    .map((s) => s.id);
  return { near, namespace, name };
}

/** The first step of every walk on a Service: that it exists, with its type, address and ports. */
export function existsStep(a: Analysis, id: string): { step: TroubleshootStep; svc?: SimService } {
  const found = findService(a, id);
  if ('svc' in found) {
    const s = found.svc;
    const ports = s.ports.map((p) => `${p.port}/${p.protocol}`).join(',') || '<none>';
    const range = locate(s.origin, ['metadata', 'name']);
    return {
      svc: s,
      step: {
        check: 'Does the Service exist?',
        kubectl: `kubectl get service ${nsArgs(s)}`,
        expected: 'the Service is listed with its TYPE, CLUSTER-IP and PORT(S)',
        simulated: `${s.type} ${s.type === 'ExternalName' ? (s.externalName ?? '') : (s.clusterIP ?? '<none>')} ${ports}`,
        ok: true,
        ...(range ? { range } : {}),
      },
    };
  }
  const elsewhere = found.near.filter((n) => n.endsWith(`/${found.name}`));
  const fix =
    elsewhere.length > 0
      ? `there is a Service ${elsewhere.join(', ')}: a Service is named with its namespace (NAME.NAMESPACE from another namespace); use that one or create ${found.name} in ${found.namespace}`
      : found.near.length > 0
        ? `no Service ${found.namespace}/${found.name}; did you mean ${found.near.join(', ')}?`
        : `no Service ${found.namespace}/${found.name} in the manifests; create it (kubectl expose deployment NAME --port=PORT) or fix the name`;
  return {
    step: {
      check: 'Does the Service exist?',
      kubectl: `kubectl get service ${found.name} -n ${found.namespace}`,
      expected: 'the Service is listed with its TYPE, CLUSTER-IP and PORT(S)',
      simulated: `Error from server (NotFound): services "${found.name}" not found`,
      ok: false,
      fix,
    },
  };
}

/** The selector step: the pods it picks, or the pods nearest to it. */
export function labelsStep(a: Analysis, svc: SimService): TroubleshootStep {
  const selector = svc.selector;
  if (!selector || Object.keys(selector).length === 0)
    return {
      check: "Do the Service's selector and the pods' labels match?",
      kubectl: `kubectl get endpointslices -n ${svc.namespace} -l kubernetes.io/service-name=${svc.name}`,
      expected: 'a Service without a selector has EndpointSlices written for it',
      simulated: 'no selector: its endpoints come from EndpointSlice or Endpoints objects',
      ok: true,
    };
  const pods = a.cluster.pods.filter((p) => p.namespace === svc.namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v));
  const range = locate(svc.origin, ['spec', 'selector']);
  const step: TroubleshootStep = {
    check: "Do the Service's selector and the pods' labels match?",
    kubectl: `kubectl get pods -n ${svc.namespace} -l ${selectorArg(selector)}`,
    expected: 'the pods that should serve the Service are listed',
    simulated: pods.length > 0 ? podList(pods) : 'No resources found',
    ok: pods.length > 0,
    ...(range ? { range } : {}),
  };
  return pods.length > 0 ? step : { ...step, fix: nearestLabels(a, svc.namespace, selector) };
}

const podList = (pods: SimPod[]) =>
  pods.length <= 5
    ? pods.map((p) => p.name).join(', ')
    : `${pods
        .slice(0, 5)
        .map((p) => p.name)
        .join(', ')} and ${pods.length - 5} more`;

/** DNS and a connection from a client pod: the name resolves to the ClusterIP and the packet is delivered. */
function fromPodSteps(a: Analysis, svc: SimService, from: string | undefined, steps: Steps): { error: string } | undefined {
  const client = clientPod(a, from, svc, svc.namespace);
  if (client && 'error' in client) return client;
  const port = svc.ports[0];
  if (!client || !port) return undefined;
  const pod = client.pod;
  const name = pod.namespace === svc.namespace ? svc.name : `${svc.name}.${svc.namespace}`;
  const dns = a.dns.resolve(name, pod, 'A');
  const answers = dns.answers.map((r) => r.value).join(', ');
  const dnsOk = dns.rcode === 'NOERROR' && dns.answers.length > 0;
  const go = steps.add({
    check: `Does the name ${name} resolve from ${pod.workload.namespace}/${pod.workload.name}?`,
    kubectl: execFrom(pod, `nslookup ${name}`),
    expected:
      svc.type === 'ExternalName'
        ? `a CNAME to ${svc.externalName ?? 'the external name'}`
        : svc.headless
          ? 'the ready pods’ addresses (a headless Service)'
          : `Address: ${svc.clusterIP ?? 'the ClusterIP'}`,
    simulated: dnsOk
      ? `${dns.resolvedName ?? name}: ${answers}`
      : `${dns.rcode}${dns.searched.length ? ` (tried ${dns.searched.join(', ')})` : ''}`,
    ok: dnsOk,
    ...(dnsOk
      ? {}
      : {
          fix: `the pod's resolver does not find ${name}: check its dnsPolicy and dnsConfig, and that egress to kube-dns (UDP and TCP 53) is allowed`,
        }),
  });
  if (!go || svc.type === 'ExternalName') return undefined;
  const to = `${name}:${port.port}`;
  const target = parseTarget(to);
  if (!target.ok) return { error: target.message };
  const trace = tracePacket(a, { kind: 'pod', pod }, target.target, port.protocol);
  // curl, as the docs' walk does, for TCP (it connects whatever the protocol above); nc for UDP, which curl cannot probe.
  const probe = port.protocol === 'UDP' ? `nc -vzu ${name} ${port.port}` : `curl -v --max-time 5 ${name}:${port.port}`;
  const source = `${pod.workload.namespace}/${pod.workload.name}`;
  steps.add(
    traceStep(
      trace,
      {
        check: `Does a connection from ${source} to ${to} reach a pod?`,
        kubectl: execFrom(pod, probe),
        expected:
          port.protocol === 'UDP'
            ? `${name} (${svc.clusterIP ?? ''}:${port.port}) open`
            : `Connected to ${name} (${svc.clusterIP ?? ''}) port ${port.port}`,
      },
      `kube-netsim trace --from ${source} --to ${to}`,
    ),
  );
  return undefined;
}

/** The whole walk for `NS/NAME`; `from` picks the client pod of the in-cluster checks. */
export function serviceWalk(a: Analysis, id: string, from?: string): TroubleshootResult | { error: string } {
  const steps = new Steps();
  const { step, svc } = existsStep(a, id);
  const result = (): TroubleshootResult => ({
    walk: 'service',
    subject: svc ? serviceId(svc) : id,
    title: SERVICE_WALK_TITLE,
    steps: steps.list,
    ok: steps.ok,
  });
  if (!steps.add(step) || !svc) return result();
  if (svc.type !== 'ExternalName') {
    if (!steps.add(labelsStep(a, svc))) return result();
    if (!steps.add(endpointsStep(a, svc))) return result();
  }
  const failed = fromPodSteps(a, svc, from, steps);
  return failed ?? result();
}
