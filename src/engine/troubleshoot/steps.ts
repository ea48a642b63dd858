// What the walks share: a step list that stops at the first failure, the nearest labels to a
// selector that matches nothing, the client pod a check runs from, and endpoint checks.
import type { Analysis } from '../analyze';
import { editDistance } from '../diagnostics';
import { labelsText } from '../cluster/labels';
import { locate, podId, serviceId, type SimPod, type SimService } from '../cluster/model';
import { findSource } from '../trace/sources';
import type { SourceRange } from '../source';
import type { TroubleshootStep } from './types';
import { renderHop } from '../trace/render';
import type { TraceResult } from '../trace/types';

/** Collects steps; `add` returns whether the walk goes on (the step passed). */
export class Steps {
  readonly list: TroubleshootStep[] = [];

  add(step: TroubleshootStep): boolean {
    const s: TroubleshootStep = { ...step };
    if (s.ok) delete s.fix;
    if (s.range === undefined) delete s.range;
    this.list.push(s);
    return step.ok;
  }

  get ok(): boolean {
    return this.list.every((s) => s.ok);
  }
}

/** `NAME -n NS` for kubectl. */
export const nsArgs = (o: { namespace: string; name: string }) => `${o.name} -n ${o.namespace}`;

/** The selector as kubectl's -l takes it. */
export const selectorArg = (sel: Readonly<Record<string, string>>) =>
  Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/**
 * The pods closest to matching a selector that matches none: per workload, the labels that differ
 * (fewest first), in the Service's namespace and, when labels match exactly elsewhere, that namespace.
 */
export function nearestLabels(a: Analysis, namespace: string, selector: Readonly<Record<string, string>>): string {
  const byWorkload = new Map<string, SimPod>();
  for (const p of a.cluster.pods)
    if (p.origin.kind === 'manifest')
      byWorkload.set(`${p.workload.namespace}/${p.workload.name}`, byWorkload.get(`${p.workload.namespace}/${p.workload.name}`) ?? p);
  const scored = [...byWorkload.entries()].map(([id, p]) => {
    const diffs = Object.entries(selector)
      .filter(([k, v]) => p.labels[k] !== v)
      .map(([k, v]) => (p.labels[k] === undefined ? `no ${k} label (wants ${k}=${v})` : `${k}=${p.labels[k]} (wants ${k}=${v})`));
    return { id, p, diffs };
  });
  // Among equally many differing labels, the one whose values are closest to the selector's first (a typo).
  const typos = (p: SimPod) =>
    Object.entries(selector).reduce((sum, [k, v]) => sum + (p.labels[k] === undefined ? 100 : editDistance(p.labels[k] ?? '', v)), 0);
  const elsewhere = scored.filter((s) => s.diffs.length === 0 && s.p.namespace !== namespace);
  if (elsewhere.length > 0)
    return `pods of ${elsewhere.map((s) => s.id).join(', ')} carry these labels, but in another namespace: a Service selects pods of its own namespace only; move the Service or the workload`;
  const near = scored
    // Near: shares a label, or carries every key the selector asks for (a value differs, as in a typo).
    .filter(
      (s) =>
        s.p.namespace === namespace &&
        (s.diffs.length < Object.keys(selector).length || Object.keys(selector).every((k) => s.p.labels[k] !== undefined)),
    )
    .sort((x, y) => x.diffs.length - y.diffs.length || typos(x.p) - typos(y.p) || (x.id < y.id ? -1 : 1))
    .slice(0, 3);
  if (near.length > 0)
    return `nearest: ${near.map((s) => `${s.id} has ${s.diffs.join(', ')}`).join('; ')}; make the selector and the pod template's labels agree`;
  const inNs = scored.filter((s) => s.p.namespace === namespace);
  return inNs.length > 0
    ? `no pod in ${namespace} shares a label with it (${inNs
        .slice(0, 3)
        .map((s) => `${s.id}: ${labelsText(s.p.labels)}`)
        .join('; ')}); set the selector to the labels of the pods that serve it`
    : `no workload in namespace ${namespace}; deploy the pods that serve it there`;
}

/**
 * The pod a check from inside the cluster runs from: `--from` when given, else a workload the
 * manifests show calling the Service, else a workload of the same namespace that the Service does
 * not select, else any other workload.
 */
export function clientPod(
  a: Analysis,
  from: string | undefined,
  svc: SimService | undefined,
  namespace: string,
): { pod: SimPod } | { error: string } | undefined {
  if (from !== undefined) {
    const found = findSource(a.cluster, from);
    if (!found.ok) return { error: found.message };
    if (found.source.kind !== 'pod') return { error: `${from}: checks from inside the cluster run from a pod; name a workload` };
    return { pod: found.source.pod };
  }
  const placed = a.cluster.pods
    .filter((p) => p.origin.kind === 'manifest' && p.ip && p.node)
    .sort((x, y) => (podId(x) < podId(y) ? -1 : 1));
  const selected = (p: SimPod) => svc !== undefined && svc.endpointsByPort.some((eps) => eps.some((e) => e.pod === podId(p)));
  const caller = svc ? a.references.find((r) => r.pod && r.service && serviceId(r.service) === serviceId(svc))?.pod : undefined;
  const pod = caller ?? placed.find((p) => p.namespace === namespace && !selected(p)) ?? placed.find((p) => !selected(p));
  return pod ? { pod } : undefined;
}

/** `kubectl exec` from a pod, as the docs write it. */
export const execFrom = (pod: SimPod, cmd: string) => `kubectl exec -n ${pod.namespace} ${pod.name} -- ${cmd}`;

/** The endpoints step: every port of the Service has ready endpoints, or which does not and why. */
export function endpointsStep(a: Analysis, svc: SimService): TroubleshootStep {
  const rows = svc.ports.map((p, i) => ({ p, eps: (svc.endpointsByPort[i] ?? []).filter((e) => e.ready || svc.publishNotReadyAddresses) }));
  const simulated = rows
    .map(({ p, eps }) => `${p.name ?? p.port}: ${eps.length ? eps.map((e) => `${e.ip}:${e.port}`).join(', ') : '<none>'}`)
    .join('; ');
  const empty = rows.find((r) => r.eps.length === 0);
  const step: TroubleshootStep = {
    check: `Does the Service ${svc.name} have endpoints?`,
    kubectl: `kubectl get endpoints ${nsArgs(svc)}`,
    expected: 'ENDPOINTS lists a pod IP:port for every Service port',
    simulated,
    ok: empty === undefined,
  };
  if (!empty) return step;
  const selectedPods = svc.selector
    ? a.cluster.pods.filter((p) => p.namespace === svc.namespace && Object.entries(svc.selector ?? {}).every(([k, v]) => p.labels[k] === v))
    : [];
  const tp = empty.p.targetPort;
  let range: SourceRange | undefined;
  let fix: string;
  if (
    typeof tp === 'string' &&
    selectedPods.length > 0 &&
    !selectedPods.some((p) => p.containers.some((c) => c.ports.some((cp) => cp.name === tp)))
  ) {
    const names = [
      ...new Set(
        selectedPods.flatMap((p) =>
          p.containers.flatMap((c) => c.ports.map((cp) => (cp.name ? `${cp.name} (${cp.containerPort})` : `${cp.containerPort}`))),
        ),
      ),
    ];
    fix = `targetPort ${tp} names no port of the selected pods (they declare ${names.join(', ') || 'no ports'}); set targetPort to one of them, or name the container port ${tp}`;
    range = locate(svc.origin, [...empty.p.path, 'targetPort']);
  } else if (!svc.selector) {
    fix = `the Service has no selector, so Kubernetes creates no endpoints for it: add a selector, or an EndpointSlice labelled kubernetes.io/service-name=${svc.name}`;
    range = locate(svc.origin, ['spec']);
  } else {
    fix = 'the selected pods are not ready (a failing readinessProbe) or not running; endpoints list only ready pods';
    range = locate(svc.origin, ['spec', 'selector']);
  }
  return range ? { ...step, fix, range } : { ...step, fix };
}

/**
 * A connection as a step: delivered passes; otherwise the step points at the object of the last hop
 * that names one (the policy that drops it, the Service without endpoints) and says how to see more.
 */
export function traceStep(
  trace: TraceResult,
  step: Pick<TroubleshootStep, 'check' | 'kubectl' | 'expected'>,
  rerun: string,
): TroubleshootStep {
  // A redirect is the edge's own answer (ingress-nginx's 308 to HTTPS, a RequestRedirect): the request got through to it.
  const out: TroubleshootStep = {
    ...step,
    simulated: `${trace.verdict}: ${trace.reason}`,
    ok: trace.verdict === 'delivered' || trace.verdict === 'redirected',
  };
  if (out.ok) return out;
  const at = [...trace.hops]
    .reverse()
    .map((h) => renderHop(h).range)
    .find((r) => r !== undefined);
  const fix = `change what the reason names${at ? ` (${at.file}:${at.line})` : ''} so this ${trace.protocol} connection is let through; ${rerun} walks it hop by hop`;
  return at ? { ...out, fix, range: at } : { ...out, fix };
}
