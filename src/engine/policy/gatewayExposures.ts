// What each Gateway exposes, for the connectivity list's `{gateway/NAMESPACE/NAME}` lines: every
// (pod, port) its attached routes forward to (resolved backendRefs with a weight, and mirror
// targets; rules that only redirect forward nothing), through the Services' endpoints, with the
// Gateway's data-plane pods as the source NetworkPolicy judges.
import type { Protocol, SimPod } from '../cluster/model';
import type { GatewayModel } from '../gateway/model';
import type { SimGateway } from '../gateway/types';

export interface GatewayExposure {
  gateway: SimGateway;
  /** The data-plane pods whose connections NetworkPolicy judges (empty when the Gateway has none). */
  dataPlane: SimPod[];
  pod: SimPod;
  port: number;
  protocol: Protocol;
}

/** `{gateway/NAMESPACE/NAME}`, the connectivity list's name for a Gateway. */
export function gatewayEntryName(gw: { namespace: string; name: string }): string {
  return `{gateway/${gw.namespace}/${gw.name}}`;
}

export function gatewayExposures(model: GatewayModel): GatewayExposure[] {
  const out: GatewayExposure[] = [];
  const pods = new Map(model.cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  for (const gw of model.gateways) {
    if (!gw.dataPlane) continue;
    const seen = new Set<string>();
    const routes = new Set(gw.listeners.flatMap((l) => model.routesOn(gw, l)));
    for (const route of routes) {
      const backends = model.status(route).backends.filter((b) => {
        if (!b.resolved) return false;
        if (b.rule < 0) return true;
        const rule = route.rules[b.rule];
        return b.ref.weight > 0 && !(rule?.filters ?? []).some((f) => f.type === 'RequestRedirect');
      });
      for (const b of backends) {
        const svc = b.service;
        const index = svc && b.port ? svc.ports.indexOf(b.port) : -1;
        if (!svc || !b.port || index < 0) continue;
        for (const ep of svc.endpointsByPort[index] ?? []) {
          const pod = pods.get(ep.pod);
          const key = `${ep.pod}/${ep.port}/${b.port.protocol}`;
          if (!pod || pod.origin.kind !== 'manifest' || seen.has(key)) continue;
          seen.add(key);
          out.push({ gateway: gw, dataPlane: gw.dataPlane.pods, pod, port: ep.port, protocol: b.port.protocol });
        }
      }
    }
  }
  return out;
}
