import { isRecord, resourceName } from '../manifests/fields';
import { makeDiagnostic, withFix, type Diagnostic, editDistance } from '../diagnostics';
import { labelsText, type Labels } from '../cluster/labels';
import {
  locate,
  podId,
  recordCut,
  serviceId,
  type Endpoint,
  type Protocol,
  type SimPod,
  type SimService,
  type SimulationCut,
} from '../cluster/model';
import { LabelIndex } from '../cluster/labelIndex';
import { checkRecordedSlices, sliceEndpointFacts, slicesByService, targetPod } from './slices';
import { podServes } from '../cluster/served';
import type { FieldPath } from '../source';
import { type ManifestObject } from '../manifests/types';
import type { KeptEndpoints } from './keptEndpoints';

/** Finds the container port a Service's targetPort names on one pod (by name and protocol, as the endpoints controller does). */
export function resolveTargetPort(pod: SimPod, target: number | string, protocol: Protocol): number | undefined {
  if (typeof target === 'number') return target;
  for (const c of pod.containers) for (const p of c.ports) if (p.name === target && p.protocol === protocol) return p.containerPort;
  return undefined;
}

/**
 * Most endpoints one workspace simulates (the implicit Services aside): 40,000 Services selecting the
 * same pods, a 4 MB file, made 30 million endpoints and minutes of work.
 */
export const MAX_SIMULATED_ENDPOINTS = 1_000_000;

/** Fills each Service's endpoints from the pods its selector matches in its namespace. */
export function computeEndpoints(
  services: SimService[],
  pods: SimPod[],
  manualEndpoints: ManifestObject[],
  defaultNamespace: string,
  diagnostics: Diagnostic[],
  /** Custom resources of kinds not modelled, by namespace: an operator may create pods for them. */
  customResources: Map<string, ManifestObject[]> = new Map(),
  /** The endpoint budget; the Services it cuts are recorded in `cut`. */
  limit: number = MAX_SIMULATED_ENDPOINTS,
  cut?: SimulationCut,
  /** The previous analysis's endpoints (keptEndpoints.ts), begun on this analysis's nodes. */
  kept?: KeptEndpoints,
): void {
  const podsByNamespace = kept ? kept.podsByNamespace(pods) : new Map<string, SimPod[]>();
  if (!kept)
    for (const p of pods) {
      const list = podsByNamespace.get(p.namespace) ?? [];
      list.push(p);
      podsByNamespace.set(p.namespace, list);
    }
  // Services find their pods through a label index per namespace: matching 2,000 Services'
  // selectors against every pod of their namespace was most of this function's time. An unchanged
  // namespace's index is the previous analysis's (keptEndpoints.ts).
  const indexes = new Map<string, LabelIndex<SimPod>>();
  const candidates = (namespace: string, selector: Labels): SimPod[] => {
    let index = indexes.get(namespace);
    if (!index) {
      const list = podsByNamespace.get(namespace) ?? [];
      indexes.set(namespace, (index = kept ? kept.index(list) : new LabelIndex(list)));
    }
    return index.matchingMap(selector);
  };
  const manual = manualEndpointIndex(manualEndpoints, defaultNamespace);
  const slices = slicesByService(manualEndpoints, defaultNamespace);
  let budget = limit;
  let overflowReported = false;
  for (const svc of services) {
    if (svc.type === 'ExternalName') continue;
    const budgeted = svc.origin.kind === 'manifest';
    if (budgeted && budget <= 0) {
      if (cut && svc.selector !== null && Object.keys(svc.selector).length > 0) recordCut(cut, 'endpoints', svc.namespace, 1);
      svc.endpointsByPort = svc.ports.map(() => []);
      continue;
    }
    if (svc.selector === null || Object.keys(svc.selector).length === 0) {
      // Without a selector, endpoints come from Endpoints / EndpointSlice objects, as in the cluster.
      const given = manual.get(serviceId(svc)) ?? [];
      svc.endpointsByPort = svc.ports.map((sp) =>
        given.filter((e) => e.portName === (sp.name ?? e.portName) || given.length === 1).map((e) => e.endpoint),
      );
      continue;
    }
    const selector = svc.selector;
    const selected = candidates(svc.namespace, selector);
    // The EndpointSlice controller keeps terminating pods in the slice (ready false, serving by readiness).
    let serving = selected.filter((p) => p.ip !== undefined && (p.ready || svc.publishNotReadyAddresses || p.terminating === true));
    let trimmed = false;
    if (budgeted) {
      const wanted = serving.length * svc.ports.length;
      if (wanted > budget) {
        const fit = Math.floor(budget / Math.max(1, svc.ports.length));
        const at = locate(svc.origin, ['spec', 'selector']);
        if (!overflowReported && at)
          diagnostics.push(
            makeDiagnostic(
              'simulation-limit',
              at,
              {
                workload: `Service ${serviceId(svc)}`,
                wanted,
                simulated: fit * svc.ports.length,
                limit,
                what: 'endpoints',
                hint: 'Fewer Services selecting the same large set of pods would all fit.',
              },
              `Service/${serviceId(svc)}`,
            ),
          );
        overflowReported = true;
        if (cut) recordCut(cut, 'endpoints', svc.namespace, wanted - fit * svc.ports.length);
        serving = [...serving].sort((a, b) => (podId(a) < podId(b) ? -1 : 1)).slice(0, fit);
        trimmed = true;
      }
      budget -= Math.max(1, serving.length * svc.ports.length);
    }
    // Made from the selected pods alone (the budget aside): the same pods give the previous analysis's lists.
    const id = kept && !trimmed ? serviceId(svc) : undefined;
    const same = id !== undefined ? kept?.get(id, svc, selected) : undefined;
    svc.endpointsByPort =
      same ??
      svc.ports.map((sp) => {
        const eps: Endpoint[] = [];
        for (const pod of serving) {
          const port = resolveTargetPort(pod, sp.targetPort, sp.protocol);
          if (port === undefined || pod.ip === undefined) continue;
          const ep: Endpoint = { pod: podId(pod), ip: pod.ip, port, node: pod.node, ready: pod.ready };
          if (pod.terminating) {
            // endpointslice podToEndpoint: serving is the pod's readiness, and ready is never true for a
            // terminating pod unless publishNotReadyAddresses is set.
            ep.serving = pod.ready;
            ep.terminating = true;
            ep.ready = svc.publishNotReadyAddresses;
          }
          if (pod.hostname !== undefined && pod.subdomain === svc.name) ep.hostname = pod.hostname;
          eps.push(ep);
        }
        return eps.sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
      });
    if (id !== undefined) kept?.set(id, svc, selected, svc.endpointsByPort);
    if (svc.origin.kind === 'manifest') {
      checkServiceSelection(svc, selected, podsByNamespace.get(svc.namespace) ?? [], customResources.get(svc.namespace) ?? [], diagnostics);
      const recorded = slices.get(serviceId(svc));
      if (recorded) checkRecordedSlices(svc, recorded, podsByNamespace.get(svc.namespace) ?? [], diagnostics);
    }
  }
}

function checkServiceSelection(
  svc: SimService,
  selected: SimPod[],
  namespacePods: SimPod[],
  customResources: ManifestObject[],
  diagnostics: Diagnostic[],
): void {
  const resource = `Service/${serviceId(svc)}`;
  const at = (path: FieldPath) => locate(svc.origin, path);
  if (selected.length === 0) {
    const range = at(['spec', 'selector']);
    const miss = nearMiss(svc.selector ?? {}, namespacePods);
    const fixAt = miss ? locate(svc.origin, ['spec', 'selector', miss.key]) : undefined;
    const fix = miss && fixAt ? { title: `Select ${miss.key}: ${miss.have}`, edits: [{ range: fixAt, newText: miss.have }] } : undefined;
    // A custom resource beside it may be what the Service is for: its operator (not simulated) may
    // create the pods, so "refused" would be a guess. The one named is the first in input order.
    const cr = customResources[0];
    const more =
      customResources.length > 1 ? ` (and ${customResources.length - 1} more custom resource${customResources.length > 2 ? 's' : ''})` : '';
    const legacy = legacyOperatorLabel(svc.selector ?? {}, namespacePods);
    const outcome = legacy
      ? legacy
      : cr
        ? `Custom resource ${cr.kind} ${svc.namespace}/${cr.name} (${cr.apiVersion}) sits beside it${more}, whose operator may create these pods (kube-netsim does not simulate it); if none does, connections to it will be refused.`
        : '';
    const related = customResources.slice(0, 3).map((o) => ({
      message: `${o.kind} ${svc.namespace}/${o.name}: its operator may create the pods`,
      location: o.locate(['kind']),
    }));
    if (range)
      diagnostics.push(
        withFix(
          makeDiagnostic(
            'service-no-endpoints',
            range,
            {
              service: svc.name,
              namespace: svc.namespace,
              selector: labelsText(svc.selector ?? {}),
              hint: nearMissHint(svc.selector ?? {}, namespacePods),
              outcome,
            },
            resource,
            related,
          ),
          fix,
        ),
      );
    return;
  }
  svc.ports.forEach((sp) => {
    // Located only when reported: building a document's position index is the expensive part.
    if (typeof sp.targetPort === 'string') {
      const target = sp.targetPort;
      if (selected.some((p) => resolveTargetPort(p, target, sp.protocol) !== undefined)) return;
      const range = at([...sp.path, 'targetPort']) ?? at(sp.path);
      if (!range) return;
      const declared = [...new Set(selected.flatMap((p) => p.containers.flatMap((c) => c.ports.map((cp) => cp)))).values()];
      const sameName = declared.find((cp) => cp.name === target);
      const names = [...new Set(declared.map((cp) => cp.name).filter((n): n is string => n !== undefined))];
      const close = names.find((n) => editDistance(n, target) <= 2);
      const reason = sameName
        ? `names a ${sameName.protocol} port of the selected pods, but this Service port is ${sp.protocol}; the protocols must match.`
        : `is not the name of any container port of the pods this Service selects (they name ${names.length ? names.join(', ') : 'no ports'}), so this port has no endpoints and connections to it are refused.`;
      const fix = close && !sameName ? { title: `Use port name "${close}"`, edits: [{ range, newText: close }] } : undefined;
      diagnostics.push(
        withFix(
          makeDiagnostic(
            'service-target-port-unresolved',
            range,
            { targetPort: `"${target}"`, reason, hint: close ? `Did you mean "${close}"?` : '' },
            resource,
          ),
          fix,
        ),
      );
    } else {
      const declared = selected.flatMap((p) => p.containers.flatMap((c) => c.ports));
      if (declared.length === 0 || selected.some((p) => podServes(p, sp.targetPort as number, sp.protocol))) return;
      const range = at([...sp.path, 'targetPort']) ?? at(sp.path);
      if (!range) return;
      const list = [...new Set(declared.map((cp) => `${cp.containerPort}/${cp.protocol}`))].join(', ');
      const d = makeDiagnostic(
        'service-target-port-unresolved',
        range,
        {
          targetPort: sp.targetPort,
          reason: `is not declared by any container of the selected pods (they declare ${list}). Traffic is still sent there; if the app does not listen on ${sp.targetPort}, connections fail. Set targetPort to the port the container serves.`,
        },
        resource,
      );
      d.severity = 'warning';
      diagnostics.push(d);
    }
  });
}

/** The label value one small edit away from making a selector match some pod, if there is one. */
export function nearMiss(selector: Labels, pods: SimPod[]): { key: string; want: string; have: string; pod: string } | undefined {
  const keys = Object.keys(selector);
  for (const pod of pods) {
    const misses = keys.filter((k) => pod.labels[k] !== selector[k]);
    if (misses.length !== 1) continue;
    const key = misses[0] as string;
    const have = pod.labels[key];
    if (have !== undefined && editDistance(have, selector[key] as string) <= 2)
      return { key, want: selector[key] as string, have, pod: pod.name };
  }
  return undefined;
}

/** A "did you mean" for a selector that matches nothing: the pod labels one edit away. */
export function nearMissHint(selector: Labels, pods: readonly SimPod[]): string {
  const keys = Object.keys(selector);
  for (const pod of pods) {
    const misses = keys.filter((k) => pod.labels[k] !== selector[k]);
    if (misses.length !== 1) continue;
    const k = misses[0] as string;
    const want = selector[k] as string;
    const have = pod.labels[k];
    if (have !== undefined && editDistance(have, want) <= 2) return `Pod ${pod.name} has ${k}=${have}; did you mean ${k}=${have}?`;
    const similarKey = Object.keys(pod.labels).find((pk) => pk !== k && editDistance(pk, k) <= 2 && pod.labels[pk] === want);
    if (similarKey) return `Pod ${pod.name} has ${similarKey}=${want}; did you mean the key ${similarKey}?`;
  }
  return '';
}

function manualEndpointIndex(
  objects: ManifestObject[],
  defaultNamespace: string,
): Map<string, Array<{ portName: string | undefined; endpoint: Endpoint }>> {
  const index = new Map<string, Array<{ portName: string | undefined; endpoint: Endpoint }>>();
  const add = (
    key: string,
    portName: string | undefined,
    ip: string,
    port: number,
    ready: boolean,
    pod?: string,
    hostname?: unknown,
    node?: unknown,
    slice?: Record<string, unknown>,
  ) => {
    const list = index.get(key) ?? [];
    // The node an endpoint runs on (EndpointSlice nodeName, Endpoints nodeName) is what Local traffic policies compare.
    const endpoint: Endpoint = { pod: pod ?? '', ip, port, node: typeof node === 'string' && node !== '' ? node : undefined, ready };
    if (slice) Object.assign(endpoint, sliceEndpointFacts(slice));
    // The endpoint's own hostname field is what DNS names it by (per-hostname records of headless Services).
    if (typeof hostname === 'string' && hostname !== '') endpoint.hostname = hostname;
    list.push({ portName, endpoint });
    index.set(key, list);
  };
  for (const o of objects) {
    const ns = o.namespace ?? defaultNamespace;
    if (o.kind === 'Endpoints') {
      const subsets = o.raw['subsets'];
      if (!Array.isArray(subsets)) continue;
      for (const s of subsets.filter(isRecord)) {
        const ports = Array.isArray(s['ports']) ? s['ports'].filter(isRecord) : [];
        for (const [field, ready] of [
          ['addresses', true],
          ['notReadyAddresses', false],
        ] as const) {
          const addrs = Array.isArray(s[field]) ? (s[field] as unknown[]).filter(isRecord) : [];
          for (const a of addrs)
            for (const p of ports) {
              if (typeof a['ip'] === 'string' && typeof p['port'] === 'number')
                add(
                  `${ns}/${o.name}`,
                  typeof p['name'] === 'string' ? p['name'] : undefined,
                  a['ip'],
                  p['port'],
                  ready,
                  targetPod(a),
                  a['hostname'],
                  a['nodeName'],
                );
            }
        }
      }
    } else if (o.kind === 'EndpointSlice') {
      const labels = isRecord(o.raw['metadata']) && isRecord(o.raw['metadata']['labels']) ? o.raw['metadata']['labels'] : {};
      const svc = labels['kubernetes.io/service-name'];
      if (typeof svc !== 'string') continue;
      // kube-proxy programs IPv4 and IPv6 slices only (an FQDN slice is for other consumers).
      if (o.raw['addressType'] === 'FQDN') continue;
      const ports = Array.isArray(o.raw['ports']) ? o.raw['ports'].filter(isRecord) : [];
      const eps = Array.isArray(o.raw['endpoints']) ? o.raw['endpoints'].filter(isRecord) : [];
      for (const e of eps) {
        // discovery/v1: a nil ready condition reads as ready ("unknown state ... should be interpreted as ready").
        const ready = !(isRecord(e['conditions']) && e['conditions']['ready'] === false);
        const addrs = Array.isArray(e['addresses']) ? e['addresses'] : [];
        for (const ip of addrs)
          for (const p of ports) {
            if (typeof ip === 'string' && typeof p['port'] === 'number')
              add(
                `${ns}/${svc}`,
                typeof p['name'] === 'string' && p['name'] !== '' ? p['name'] : undefined,
                ip,
                p['port'],
                ready,
                targetPod(e),
                e['hostname'],
                e['nodeName'],
                e,
              );
          }
      }
    }
  }
  return index;
}

/** Reports externalTrafficPolicy Local on Services whose endpoints do not cover every node. */
export function checkExternalTrafficPolicy(svc: SimService, nodes: string[], diagnostics: Diagnostic[]): void {
  if (svc.externalTrafficPolicy !== 'Local' || (svc.type !== 'NodePort' && svc.type !== 'LoadBalancer')) return;
  const withEndpoint = new Set(svc.endpointsByPort.flat().map((e) => e.node));
  const without = nodes.filter((n) => !withEndpoint.has(n));
  const range = locate(svc.origin, ['spec', 'externalTrafficPolicy']);
  if (without.length === 0 || !range || withEndpoint.size === 0) return;
  diagnostics.push(
    makeDiagnostic(
      'external-traffic-local-imbalance',
      range,
      { without: without.length, total: nodes.length, nodes: without.join(', '), service: svc.name },
      resourceName({ kind: 'Service', namespace: svc.namespace, name: svc.name }),
    ),
  );
}

/** The `app` label value prometheus-operator set on each kind's pods until v0.52.0. */
const LEGACY_APP: Readonly<Record<string, string>> = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  'thanos-ruler': 'thanos-ruler',
};

/**
 * prometheus-operator set `app: prometheus|alertmanager|thanos-ruler` on its pods until v0.52.0
 * (prometheus-operator#4350 removed it; Helm charts and kube-prometheus selected on it before). A
 * selector that misses the operator's pods by that label alone selects them under an older operator.
 */
function legacyOperatorLabel(selector: Labels, pods: SimPod[]): string | undefined {
  const app = selector['app'];
  if (app === undefined) return undefined;
  const pod = pods.find(
    (p) =>
      p.operator === 'prometheus-operator' &&
      LEGACY_APP[p.labels['app.kubernetes.io/name'] ?? ''] === app &&
      Object.entries(selector).every(([k, v]) => k === 'app' || p.labels[k] === v),
  );
  if (!pod) return undefined;
  return `The pods of ${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name} match all of it but app=${app}, a label prometheus-operator set on them until v0.52.0: under an older operator the Service selects them; from v0.52.0 on, connections to it are refused. Select app.kubernetes.io/name=${app} instead.`;
}
