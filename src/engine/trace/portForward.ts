// `kubectl port-forward` traced as it works: kubectl picks one pod (forwardPick.ts), opens a stream
// through the API server (POST pods/NAME/portforward), which hands it to the kubelet on the pod's
// node, whose container runtime dials localhost:PORT inside the pod's network namespace. No Service
// virtual IP, no kube-proxy and no NetworkPolicy take part, which is why it can work where a
// connection from a pod does not: the trace says so, with the same connection traced from a pod.
import type { Analysis } from '../analyze';
import { podId, type Protocol, type SimPod } from '../cluster/model';
import { podDestination } from './context';
import { pickForward } from './forwardPick';
import { parseForwardTarget, type ForwardTarget } from './forwardTarget';
import { tracePacket, type TraceOptions } from './packet';
import type { Hop, PortForwardInfo, TraceResult } from './types';

const BYPASSED = [
  "Service load balancing: kubectl picks one pod itself; no ClusterIP, kube-proxy DNAT or endpoint choice takes part, and the pod's readiness does not matter",
  'NetworkPolicy: the stream reaches the pod from its own loopback (the kubelet dials localhost in its network namespace), which no policy filters',
];

/** `kubectl port-forward -n NS svc/NAME LOCAL:REMOTE`, as a person would type it for this trace. */
function commandFor(t: ForwardTarget, local: number | undefined, remote: number | string): string {
  const ports = local === undefined ? `:${remote}` : local === remote ? `${remote}` : `${local}:${remote}`;
  return `kubectl port-forward -n ${t.namespace} ${t.short}/${t.name} ${ports}`;
}

/**
 * Traces `kubectl port-forward` to a Service, Pod or workload (`svc/NAME[.NS]:PORT`, `pod/NS/NAME:PORT`,
 * `deploy/NS/NAME:PORT`): the pod kubectl chooses and why, the port it dials, and the hops kubectl →
 * API server → kubelet → the pod's loopback. Always returns a result: what kubectl would refuse ends
 * `unresolved`, `unrouted` or `refused` with kubectl's error as the reason.
 */
export function tracePortForward(analysis: Analysis, target: string | ForwardTarget, options: TraceOptions = {}): TraceResult {
  const parsed = typeof target === 'string' ? parseForwardTarget(target) : { ok: true as const, target };
  const text = typeof target === 'string' ? target : target.text;
  const base = {
    source: { kind: 'local' as const, name: 'local', ip: '127.0.0.1', node: undefined },
    target: { text, scheme: undefined, host: text, port: 0, path: '/', literal: false },
    protocol: 'TCP' as Protocol,
    reply: [] as Hop[],
  };
  if (!parsed.ok)
    return {
      ...base,
      verdict: 'unresolved',
      reason: parsed.message,
      destination: null,
      sourceIPAtDestination: null,
      hops: [],
      candidates: [],
    };
  const t = parsed.target;
  const pick = pickForward(analysis.cluster, t);
  const ranked = pick.ranked.map((r) => ({ pod: podId(r.pod), node: r.pod.node ?? null, phase: r.phase, ready: r.ready }));
  const candidates = pick.ranked.map((r, i) => ({
    pod: podId(r.pod),
    ip: r.pod.ip ?? '',
    port: pick.ok ? pick.remotePort : 0,
    node: r.pod.node ?? null,
    weight: pick.ok && i === 0 ? 1 : 0,
    chosen: pick.ok && i === 0,
  }));
  const info: PortForwardInfo = {
    command: commandFor(t, pick.ok ? pick.localPort : t.local, t.remote),
    resource: t.short,
    namespace: t.namespace,
    name: t.name,
    localPort: pick.ok ? pick.localPort : t.local,
    remotePort: pick.ok ? pick.remotePort : undefined,
    pod: pick.ok ? podId(pick.pod) : undefined,
    ranked,
    bypassed: BYPASSED,
    fromPod: undefined,
  };
  base.target = { ...base.target, host: `${t.short}/${t.namespace}/${t.name}`, port: typeof t.remote === 'number' ? t.remote : 0 };
  if (!pick.ok)
    return {
      ...base,
      verdict: pick.verdict,
      reason: `kubectl fails: ${pick.error}`,
      destination: null,
      sourceIPAtDestination: null,
      hops: [],
      candidates,
      portForward: info,
    };
  const pod = pick.pod;
  const node = analysis.cluster.nodes.find((n) => n.name === pod.node);
  const resource = `${t.short}/${t.name} -n ${t.namespace}`;
  const request = `POST /api/v1/namespaces/${pod.namespace}/pods/${pod.name}/portforward?ports=${pick.remotePort}`;
  const declared = pod.containers.some((c) => c.ports.some((p) => p.containerPort === pick.remotePort && p.protocol === 'TCP'));
  const note = [
    pod.hostNetwork
      ? "a hostNetwork pod: its loopback is the node's, so anything listening there on the node answers"
      : "inside the pod's network namespace: the app must listen on 127.0.0.1 or on all addresses (one bound only to the pod IP is not reached)",
    declared || pod.containers.every((c) => c.ports.length === 0)
      ? ''
      : `no container declares ${pick.remotePort}/TCP; if nothing listens there kubectl reports "connection refused"`,
    pod.ready ? '' : 'the pod is not Ready, so no Service sends it traffic; port-forward reaches it anyway',
  ]
    .filter(Boolean)
    .join('; ');
  const hops: Hop[] = [
    {
      kind: 'port-forward',
      stage: 'kubectl',
      node: null,
      resource,
      pod: podId(pod),
      choice: pick.choice,
      port: `${pick.portNote}; listens on localhost:${pick.localPort ?? '<a free port>'}`,
      range: pick.range,
    },
    { kind: 'port-forward', stage: 'api-server', node: null, request },
    {
      kind: 'port-forward',
      stage: 'kubelet',
      node: node?.name ?? pod.node ?? '',
      nodeIP: node?.ip ?? '',
      pod: podId(pod),
      port: pick.remotePort,
      hostNetwork: pod.hostNetwork,
    },
    { kind: 'deliver', node: pod.node ?? null, pod: podId(pod), ip: '127.0.0.1', port: pick.remotePort, note },
  ];
  info.fromPod = fromPod(analysis, t, pick.service, pod, pick.servicePort ?? pick.remotePort, options);
  return {
    ...base,
    verdict: 'delivered',
    reason: `delivered by kubectl port-forward to ${podId(pod)} at 127.0.0.1:${pick.remotePort} (its loopback) on ${pod.node ?? '<none>'}`,
    destination: podDestination(pod, pick.remotePort),
    sourceIPAtDestination: '127.0.0.1',
    hops,
    candidates,
    portForward: info,
  };
}

/**
 * The same connection made the normal way, from each workload of the manifests (one pod each, the
 * target's own pods left out): to the Service's name and port, or to the pod's IP and port. Reports
 * the first that does not get through, with that trace's verdict and reason.
 */
function fromPod(
  a: Analysis,
  t: ForwardTarget,
  service: { namespace: string; name: string } | undefined,
  chosen: SimPod,
  port: number,
  options: TraceOptions,
): PortForwardInfo['fromPod'] {
  const to = service ? `${service.name}.${service.namespace}:${port}` : `${chosen.ip ?? ''}:${port}`;
  const own = (p: SimPod) =>
    p.workload.namespace === chosen.workload.namespace &&
    p.workload.kind === chosen.workload.kind &&
    p.workload.name === chosen.workload.name;
  const byWorkload = new Map<string, SimPod>();
  for (const p of a.cluster.pods) {
    if (p.origin.kind !== 'manifest' || !p.ip || !p.node || own(p)) continue;
    const key = `${p.workload.namespace}/${p.workload.kind}/${p.workload.name}`;
    if (!byWorkload.has(key)) byWorkload.set(key, p);
  }
  // The target's namespace first: the callers a person has in mind.
  const sources = [...byWorkload.entries()]
    .sort(([a1, p1], [a2, p2]) => Number(p2.namespace === t.namespace) - Number(p1.namespace === t.namespace) || (a1 < a2 ? -1 : 1))
    .map(([key, pod]) => ({ key, pod }));
  if (sources.length === 0 || !chosen.ip) return undefined;
  let first: { key: string; result: TraceResult } | undefined;
  let failing = 0;
  for (const s of sources) {
    const result = tracePacket(a, { kind: 'pod', pod: s.pod }, to, 'TCP', options);
    if (result.verdict === 'delivered') continue;
    failing++;
    first ??= { key: s.key, result };
  }
  const shown = first ?? { key: (sources[0] as { key: string }).key, result: undefined };
  return {
    checked: sources.length,
    failing,
    source: shown.key,
    to,
    verdict: first?.result.verdict ?? 'delivered',
    reason: first?.result.reason ?? `delivered from all ${sources.length} workload${sources.length === 1 ? '' : 's'} tried`,
  };
}
