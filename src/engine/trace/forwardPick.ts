// How `kubectl port-forward` picks its pod and port (k8s.io/kubectl pkg/cmd/portforward and
// pkg/polymorphichelpers): a Pod is taken as named; for a Service or workload, kubectl lists the pods
// its selector matches (SelectorsForObject), sorts them with sort.Reverse(podutils.ActivePods) and
// takes the first (GetFirstPod); a Service port is turned into the pod's port as
// translateServicePortToTargetPort does. The pod must be Running.
import { locate, podId, type Cluster, type SimPod, type SimService } from '../cluster/model';
import { mapMatches, readSelector, selectorMatches, selectorText, type LabelSelector } from '../cluster/labels';
import { FieldReader, isRecord } from '../manifests/fields';
import type { SourceRange } from '../source';
import type { TraceVerdict } from './types';
import type { ForwardTarget } from './forwardTarget';

/** A pod as kubectl's sort sees it: what the manifests (or a snapshot's status) tell of it. */
export interface RankedPod {
  pod: SimPod;
  phase: 'Running' | 'Pending' | 'Unknown' | 'Succeeded' | 'Failed';
  ready: boolean;
  readySince: string | undefined;
  restarts: number;
  created: string | undefined;
}

export type ForwardPick =
  | { ok: false; verdict: TraceVerdict; error: string; ranked: RankedPod[]; service: SimService | undefined }
  | {
      ok: true;
      pod: SimPod;
      ranked: RankedPod[];
      service: SimService | undefined;
      /** The port dialled inside the pod, and the local port kubectl listens on (undefined: a free one). */
      remotePort: number;
      localPort: number | undefined;
      /** The Service port the remote port came from (Service targets only). */
      servicePort: number | undefined;
      choice: string;
      portNote: string;
      range: SourceRange | undefined;
    };

function statusOf(pod: SimPod): Record<string, unknown> | undefined {
  // Only a Pod object (written or from a snapshot) carries its own status and timestamps.
  if (pod.origin.kind !== 'manifest' || pod.origin.object.kind !== 'Pod') return undefined;
  const s = pod.origin.object.raw['status'];
  return isRecord(s) ? s : undefined;
}

/** The facts kubectl's ActivePods ordering reads; Running for a scheduled pod the manifests give no phase. */
export function rankFacts(pod: SimPod): RankedPod {
  const status = statusOf(pod);
  const meta = pod.origin.kind === 'manifest' && pod.origin.object.kind === 'Pod' ? pod.origin.object.raw['metadata'] : undefined;
  const phaseRaw = status?.['phase'];
  const phase =
    typeof phaseRaw === 'string' && ['Running', 'Pending', 'Unknown', 'Succeeded', 'Failed'].includes(phaseRaw)
      ? (phaseRaw as RankedPod['phase'])
      : pod.node
        ? 'Running'
        : 'Pending';
  const conditions = Array.isArray(status?.['conditions']) ? (status['conditions'] as unknown[]) : [];
  const readyCond = conditions.find((c) => isRecord(c) && c['type'] === 'Ready' && c['status'] === 'True');
  const readySince =
    isRecord(readyCond) && typeof readyCond['lastTransitionTime'] === 'string' ? readyCond['lastTransitionTime'] : undefined;
  const statuses = Array.isArray(status?.['containerStatuses']) ? (status['containerStatuses'] as unknown[]) : [];
  const restarts = Math.max(0, ...statuses.map((c) => (isRecord(c) && typeof c['restartCount'] === 'number' ? c['restartCount'] : 0)));
  const created = isRecord(meta) && typeof meta['creationTimestamp'] === 'string' ? meta['creationTimestamp'] : undefined;
  return { pod, phase, ready: pod.ready && phase === 'Running', readySince, restarts, created };
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** `afterOrZero`: whether t1 is after t2, a missing time counting as after any other. */
function afterOrZero(t1: string | undefined, t2: string | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return Date.parse(t1) > Date.parse(t2);
}

/** podutils.ActivePods.Less: whether a is "less active" than b (kubectl reverses it, so the most active comes first). */
export function lessActive(a: RankedPod, b: RankedPod): boolean {
  const an = a.pod.node ?? '';
  const bn = b.pod.node ?? '';
  if (an !== bn && (an === '' || bn === '')) return an === '';
  const ap = PHASE_RANK[a.phase] ?? 0;
  const bp = PHASE_RANK[b.phase] ?? 0;
  if (ap !== bp) return ap < bp;
  if (a.ready !== b.ready) return !a.ready;
  if (a.ready && b.ready && a.readySince !== b.readySince) return afterOrZero(a.readySince, b.readySince);
  if (a.restarts !== b.restarts) return a.restarts > b.restarts;
  if (a.created !== b.created) return afterOrZero(a.created, b.created);
  return false;
}

/** The pods as GetFirstPod leaves them: listed by name (the API server's order), then sort.Reverse(ActivePods). */
export function rankPods(pods: SimPod[]): RankedPod[] {
  const listed = pods.map(rankFacts).sort((a, b) => (a.pod.name < b.pod.name ? -1 : a.pod.name > b.pod.name ? 1 : 0));
  // Go's sort.Sort is an insertion sort up to 12 elements, which keeps ties in list order; so is this.
  for (let i = 1; i < listed.length; i++)
    for (let j = i; j > 0 && lessActive(listed[j - 1] as RankedPod, listed[j] as RankedPod); j--)
      [listed[j - 1], listed[j]] = [listed[j] as RankedPod, listed[j - 1] as RankedPod];
  return listed;
}

/** LookupContainerPortNumberByName: the first container port of that name. */
function namedContainerPort(pod: SimPod, name: string): number | undefined {
  for (const c of pod.containers) for (const p of c.ports) if (p.name === name) return p.containerPort;
  return undefined;
}

function workloadSelector(cluster: Cluster, t: ForwardTarget): LabelSelector | undefined | 'missing' {
  const obj = cluster.objects.find((o) => o.kind === t.resource && (o.namespace ?? 'default') === t.namespace && o.name === t.name);
  if (!obj) return 'missing';
  return readSelector(new FieldReader(obj, []), ['spec', 'selector']);
}

const fail = (verdict: TraceVerdict, error: string, ranked: RankedPod[] = [], service?: SimService): ForwardPick => ({
  ok: false,
  verdict,
  error,
  ranked,
  service,
});

/** kubectl's pick of pod and ports for a port-forward target, or the error kubectl would print. */
export function pickForward(cluster: Cluster, t: ForwardTarget): ForwardPick {
  const plural = {
    Service: 'services',
    Pod: 'pods',
    Deployment: 'deployments',
    StatefulSet: 'statefulsets',
    DaemonSet: 'daemonsets',
    ReplicaSet: 'replicasets',
  }[t.resource];
  const notFound = `Error from server (NotFound): ${plural} "${t.name}" not found in namespace ${t.namespace}`;
  let candidates: SimPod[];
  let selected: string;
  let service: SimService | undefined;
  if (t.resource === 'Pod') {
    const pod = cluster.pods.find((p) => p.namespace === t.namespace && p.name === t.name);
    if (!pod) return fail('unresolved', notFound);
    candidates = [pod];
    selected = `pod ${podId(pod)} as named`;
  } else if (t.resource === 'Service') {
    service = cluster.services.find((s) => s.namespace === t.namespace && s.name === t.name);
    if (!service) return fail('unresolved', notFound);
    const sel = service.selector;
    if (!sel || Object.keys(sel).length === 0)
      return fail(
        'unrouted',
        `invalid service '${t.name}': Service is defined without a selector, so kubectl has no pod to forward to`,
        [],
        service,
      );
    candidates = cluster.pods.filter((p) => p.namespace === t.namespace && mapMatches(sel, p.labels));
    selected = `the pods the Service's selector ${Object.entries(sel)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')} matches`;
  } else {
    const sel = workloadSelector(cluster, t);
    if (sel === 'missing') return fail('unresolved', notFound);
    if (!sel) return fail('unrouted', `${t.resource} ${t.namespace}/${t.name} has no spec.selector, so kubectl cannot list its pods`);
    candidates = cluster.pods.filter((p) => p.namespace === t.namespace && selectorMatches(sel, p.labels));
    selected = `the pods the ${t.resource}'s selector ${selectorText(sel)} matches (any pod with those labels, whoever owns it)`;
  }
  const ranked = rankPods(candidates);
  const first = ranked[0];
  if (!first)
    return fail(
      'unrouted',
      `no pod matches ${selected.replace(/^the pods /, '')}: kubectl waits for one (--pod-running-timeout, 1m) and gives up`,
      ranked,
      service,
    );
  const pod = first.pod;
  const choice =
    ranked.length === 1
      ? `${selected}: ${podId(pod)}`
      : `${ranked.length} pods: ${selected}; kubectl sorts them as GetFirstPod does (sort.Reverse(ActivePods): on a node, Running, Ready, ready longest, fewest restarts, oldest; ties in name order) and takes ${podId(pod)}`;
  // translateServicePortToTargetPort / convertPodNamedPortToNumber, and the UDP checks before them.
  let remotePort: number;
  let servicePort: number | undefined;
  let portNote: string;
  let local = t.randomLocal ? undefined : t.local;
  let range: SourceRange | undefined;
  if (service) {
    const byName = typeof t.remote === 'string' ? service.ports.find((p) => p.name === t.remote) : undefined;
    if (typeof t.remote === 'string' && !byName)
      return fail('unresolved', `Service '${t.name}' does not have a named port '${t.remote}'`, ranked, service);
    const number = byName ? byName.port : (t.remote as number);
    const sameNumber = service.ports.filter((p) => p.port === number);
    if (sameNumber.length > 0 && sameNumber.every((p) => p.protocol === 'UDP'))
      return fail('refused', `UDP protocol is not supported for ${t.remote}: kubectl port-forward carries TCP only`, ranked, service);
    servicePort = number;
    if (!t.randomLocal && t.local === undefined) local = number;
    const sp = sameNumber[0];
    range = sp ? locate(service.origin, [...sp.path, 'port']) : locate(service.origin, ['spec', 'ports']);
    if (service.headless) {
      remotePort = number;
      portNote = `a headless Service: kubectl ignores targetPort and dials ${number}`;
    } else if (!sp) {
      return fail('unresolved', `Service ${t.name} does not have a service port ${number}`, ranked, service);
    } else if (typeof sp.targetPort === 'number') {
      remotePort = sp.targetPort;
      portNote = `Service port ${number} → targetPort ${sp.targetPort}`;
      range = locate(service.origin, [...sp.path, 'targetPort']) ?? range;
    } else {
      const n = namedContainerPort(pod, sp.targetPort);
      if (n === undefined) return fail('unresolved', `Pod '${pod.name}' does not have a named port '${sp.targetPort}'`, ranked, service);
      remotePort = n;
      portNote = `Service port ${number} → targetPort ${sp.targetPort}, the pod's port ${n}`;
      range = locate(service.origin, [...sp.path, 'targetPort']) ?? range;
    }
  } else {
    if (typeof t.remote === 'string') {
      const n = namedContainerPort(pod, t.remote);
      if (n === undefined) return fail('unresolved', `Pod '${pod.name}' does not have a named port '${t.remote}'`, ranked);
      remotePort = n;
      if (!t.randomLocal && t.local === undefined) local = n;
      portNote = `port ${t.remote} of the pod is ${n}`;
    } else {
      remotePort = t.remote;
      portNote = `port ${remotePort} of the pod`;
    }
    const ports = pod.containers.flatMap((c) => c.ports).filter((p) => p.containerPort === remotePort);
    if (ports.length > 0 && ports.every((p) => p.protocol === 'UDP'))
      return fail('refused', `UDP protocol is not supported for ${t.remote}: kubectl port-forward carries TCP only`, ranked);
  }
  // Only then does kubectl fetch the pod and refuse one that is not Running (RunPortForwardContext).
  if (first.phase !== 'Running')
    return fail(
      'unrouted',
      `unable to forward port because pod is not running. Current status=${first.phase} (${podId(pod)})`,
      ranked,
      service,
    );
  return { ok: true, pod, ranked, service, remotePort, localPort: local, servicePort, choice, portNote, range };
}
