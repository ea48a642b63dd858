// EndpointSlices as kube-proxy reads them (conditions, zone, hints) and, for a snapshot, the
// recorded slices of a selector Service held against what its selector picks.
import { isRecord } from '../manifests/fields';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { mapMatches } from '../cluster/labels';
import { podId, serviceId, type Endpoint, type SimPod, type SimService } from '../cluster/model';
import { type ManifestObject } from '../manifests/types';

/** EndpointSlices by the Service their kubernetes.io/service-name label names (`ns/name`). */
export function slicesByService(objects: ManifestObject[], defaultNamespace: string): Map<string, ManifestObject[]> {
  const out = new Map<string, ManifestObject[]>();
  for (const o of objects) {
    if (o.kind !== 'EndpointSlice') continue;
    const labels = isRecord(o.raw['metadata']) && isRecord(o.raw['metadata']['labels']) ? o.raw['metadata']['labels'] : {};
    const svc = labels['kubernetes.io/service-name'];
    if (typeof svc !== 'string') continue;
    const key = `${o.namespace ?? defaultNamespace}/${svc}`;
    out.set(key, [...(out.get(key) ?? []), o]);
  }
  return out;
}

/**
 * A snapshot records the EndpointSlices the controller wrote for a selector Service; where they
 * list other addresses (or readiness) than the selector picks from the recorded pods, say so at
 * the slice: the live kube-proxy follows the slice, the simulation the selector.
 */
export function checkRecordedSlices(svc: SimService, slices: ManifestObject[], pods: SimPod[], diagnostics: Diagnostic[]): void {
  const byPod = new Map(pods.map((p) => [podId(p), p]));
  for (const o of slices) {
    const family = o.raw['addressType'] === 'IPv6' ? 'ipv6' : o.raw['addressType'] === 'IPv4' ? 'ipv4' : undefined;
    if (!family) continue;
    const ports = Array.isArray(o.raw['ports']) ? o.raw['ports'].filter(isRecord) : [];
    const eps = Array.isArray(o.raw['endpoints']) ? o.raw['endpoints'].filter(isRecord) : [];
    const recorded = new Map<string, { ready: boolean; pod: string | undefined }>();
    for (const p of ports) {
      const portIndex = svc.ports.findIndex((sp) => (sp.name ?? '') === (typeof p['name'] === 'string' ? p['name'] : ''));
      if (portIndex < 0 || typeof p['port'] !== 'number') continue;
      for (const e of eps)
        for (const ip of Array.isArray(e['addresses']) ? e['addresses'] : [])
          if (typeof ip === 'string')
            recorded.set(`${portIndex}|${ip}:${p['port']}`, {
              ready: !(isRecord(e['conditions']) && e['conditions']['ready'] === false),
              pod: targetPod(e),
            });
    }
    if (ports.length === 0) continue;
    // What the controller would write: every selected pod with an address (not-ready ones with ready: false).
    const picked = new Map<string, { ready: boolean; pod: string }>();
    svc.endpointsByPort.forEach((list, portIndex) => {
      if (!ports.some((p) => (typeof p['name'] === 'string' ? p['name'] : '') === (svc.ports[portIndex]?.name ?? ''))) return;
      for (const e of list) {
        const ip = family === 'ipv6' ? byPod.get(e.pod)?.ipv6 : e.ip.includes(':') ? undefined : e.ip;
        if (ip !== undefined) picked.set(`${portIndex}|${ip}:${e.port}`, { ready: e.ready, pod: e.pod });
      }
    });
    const show = (key: string) => key.slice(key.indexOf('|') + 1);
    const notReadyPod = (pod: string | undefined) => {
      const p = pod !== undefined ? byPod.get(pod) : undefined;
      return p !== undefined && !p.ready && mapMatches(svc.selector ?? {}, p.labels);
    };
    const extra: string[] = [];
    const readiness: string[] = [];
    for (const [k, r] of recorded) {
      const mine = picked.get(k);
      // A selected pod that is not ready is recorded with ready: false, and picks nothing: they agree.
      if (!mine && notReadyPod(r.pod)) {
        if (r.ready) readiness.push(`${show(k)} is ready in the slice, not ready in its pod`);
        continue;
      }
      if (!mine) extra.push(show(k));
      else if (mine.ready !== r.ready)
        readiness.push(`${show(k)} is ${r.ready ? 'ready' : 'not ready'} in the slice, ${mine.ready ? 'ready' : 'not ready'} in its pod`);
    }
    const missing = [...picked.entries()].filter(([k]) => !recorded.has(k)).map(([k, v]) => `${show(k)} (${v.pod})`);
    const differences = [
      extra.length ? `lists ${[...new Set(extra)].join(', ')}, which the selector does not pick` : '',
      missing.length ? `lacks ${[...new Set(missing)].join(', ')}, which the selector picks` : '',
      readiness.length ? [...new Set(readiness)].join('; ') : '',
    ].filter(Boolean);
    if (differences.length === 0) continue;
    const at = o.locate(['endpoints']) ?? o.locate(['metadata', 'name']);
    if (at)
      diagnostics.push(
        makeDiagnostic(
          'endpointslice-disagrees',
          at,
          {
            slice: `${svc.namespace}/${o.name}`,
            service: serviceId(svc),
            namespace: svc.namespace,
            differences: differences.join('; it '),
          },
          `EndpointSlice/${svc.namespace}/${o.name}`,
        ),
      );
  }
}

/**
 * What an EndpointSlice says of one endpoint beyond its address: conditions.serving (nil: as
 * ready) and conditions.terminating (nil: false), its zone, and the topology hints
 * (hints.forZones, hints.forNodes) kube-proxy reads.
 */
export function sliceEndpointFacts(e: Record<string, unknown>): Partial<Endpoint> {
  const out: Partial<Endpoint> = {};
  const c = isRecord(e['conditions']) ? e['conditions'] : {};
  if (typeof c['serving'] === 'boolean') out.serving = c['serving'];
  if (c['terminating'] === true) out.terminating = true;
  if (typeof e['zone'] === 'string' && e['zone'] !== '') out.zone = e['zone'];
  const hints = isRecord(e['hints']) ? e['hints'] : {};
  const names = (list: unknown) =>
    Array.isArray(list) ? list.filter(isRecord).flatMap((h) => (typeof h['name'] === 'string' && h['name'] !== '' ? [h['name']] : [])) : [];
  const zones = names(hints['forZones']);
  const nodes = names(hints['forNodes']);
  if (zones.length > 0) out.zoneHints = zones;
  if (nodes.length > 0) out.nodeHints = nodes;
  return out;
}

export function targetPod(a: Record<string, unknown>): string | undefined {
  const ref = a['targetRef'];
  if (isRecord(ref) && ref['kind'] === 'Pod' && typeof ref['name'] === 'string')
    return `${typeof ref['namespace'] === 'string' ? ref['namespace'] : ''}/${ref['name']}`;
  return undefined;
}
