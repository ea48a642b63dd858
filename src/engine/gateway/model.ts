// Everything Gateway API in the simulation: classes and the controllers behind them, Gateways
// with their addresses and data planes, routes with the status their controller would write
// (per parentRef: Accepted and its reason, the listeners attached; per backendRef: ResolvedRefs),
// and ReferenceGrants. Routing a request through a Gateway lives in routing.ts.
import { serviceId, type Cluster, type SimPod } from '../cluster/model';
import { normalizeIP } from '../cluster/ipam';
import type { Labels } from '../cluster/labels';
import type { Diagnostic } from '../diagnostics';
import { attachParent, markListenerConflicts } from './attach';
import { resolveBackendRef } from './backends';
import { certificateProblem } from './certificates';
import { dataPlaneIdentity } from './dataplane';
import { bestMatchingHostname, hostnameMatches } from './hostnames';
import { INSTALLED_CLASSES, dataPlaneKind, isGatewayApi, readGateway, readGatewayClass, readReferenceGrant } from './read';
import { readRoute } from './readRoutes';
import {
  GATEWAY_GROUP,
  ROUTE_KINDS,
  type BackendStatus,
  type Listener,
  type RouteKind,
  type RouteStatus,
  type SimGateway,
  type SimGatewayClass,
  type SimReferenceGrant,
  type SimRoute,
} from './types';

/** A listener's status as the Gateway's controller writes it. */
export interface ListenerStatus {
  attachedRoutes: number;
  supportedKinds: Array<{ group: string; kind: string }>;
  conditions: Array<{ type: string; status: string; reason: string; message: string }>;
  /** The conditions that keep it from working, in words (empty when it is programmed). */
  problems: string[];
}

export class GatewayModel {
  readonly classes: SimGatewayClass[] = [];
  readonly gateways: SimGateway[] = [];
  readonly routes: SimRoute[] = [];
  readonly grants: SimReferenceGrant[] = [];
  /** Listeners that conflict with an earlier one on the same port (they are not programmed). */
  readonly conflicts: Array<{ gateway: SimGateway; listener: Listener; other: Listener }> = [];
  private readonly statuses = new Map<SimRoute, RouteStatus>();

  constructor(
    readonly cluster: Cluster,
    diagnostics: Diagnostic[],
  ) {
    const seen = new Set<string>();
    // A duplicated object is reported by the manifests stage; only the first one counts here.
    const first = (kind: string, ns: string | undefined, name: string) => {
      const key = `${kind}/${ns ?? ''}/${name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };
    cluster.objects.forEach((o, order) => {
      if (!isGatewayApi(o) || !first(o.kind, o.namespace ?? 'default', o.name)) return;
      if (o.kind === 'GatewayClass') this.classes.push(readGatewayClass(o, diagnostics));
      else if (o.kind === 'Gateway') this.gateways.push(readGateway(o, diagnostics));
      else if (o.kind === 'ReferenceGrant') this.grants.push(readReferenceGrant(o, diagnostics));
      else {
        const kind = ROUTE_KINDS.find((k) => k === o.kind);
        if (kind) this.routes.push(readRoute(o, kind, order, diagnostics));
      }
    });
    for (const gw of this.gateways) this.setUp(gw);
    for (const gw of this.gateways)
      for (const l of gw.listeners) {
        const problem = certificateProblem(gw, l, this.grants, cluster.objects);
        if (problem) l.certificateProblem = problem;
      }
    for (const route of this.routes) this.statuses.set(route, this.resolve(route));
  }

  private setUp(gw: SimGateway): void {
    let cls = this.classes.find((c) => c.name === gw.className);
    const installed = INSTALLED_CLASSES[gw.className];
    if (!cls && installed !== undefined) {
      cls = {
        name: gw.className,
        controllerName: installed,
        dataPlane: dataPlaneKind(installed),
        assumed: true,
        origin: { kind: 'implicit' },
      };
      this.classes.push(cls);
    }
    gw.gatewayClass = cls;
    for (const c of markListenerConflicts(gw)) this.conflicts.push({ gateway: gw, ...c });
    if (!cls || gw.listeners.length === 0) return;
    const id = dataPlaneIdentity(gw, cls.controllerName);
    const service = this.cluster.services.find(
      (s) => s.origin.kind === 'implicit' && s.namespace === id.serviceNamespace && s.name === id.serviceName,
    );
    const pods = this.cluster.pods.filter(
      (p) => p.origin.kind === 'implicit' && p.namespace === id.namespace && p.workload.name === id.workload.name,
    );
    gw.dataPlane = {
      kind: id.kind,
      controllerName: cls.controllerName,
      namespace: id.namespace,
      workload: id.workload,
      labels: id.labels,
      serviceNamespace: id.serviceNamespace,
      serviceName: id.serviceName,
      pods,
      service,
    };
    gw.addresses = gw.requestedAddresses.length > 0 ? [...gw.requestedAddresses] : service?.loadBalancerIP ? [service.loadBalancerIP] : [];
  }

  private resolve(route: SimRoute): RouteStatus {
    const labels = (ns: string): Labels => this.cluster.namespaces.get(ns)?.labels ?? { 'kubernetes.io/metadata.name': ns };
    const parents = route.parentRefs.map((ref) => attachParent(route, ref, this.gateways, labels));
    const backends: BackendStatus[] = [];
    for (const rule of route.rules) {
      for (const ref of rule.backendRefs) {
        backends.push(resolveBackendRef(this.cluster, this.grants, route, ref, rule.index));
        for (const f of ref.filters)
          if (f.type === 'RequestMirror') backends.push(resolveBackendRef(this.cluster, this.grants, route, f.backend, -1));
      }
      for (const f of rule.filters)
        if (f.type === 'RequestMirror') backends.push(resolveBackendRef(this.cluster, this.grants, route, f.backend, -1));
    }
    const bad = backends.find((b) => !b.resolved);
    return { route, parents, backends, resolvedRefs: bad === undefined, refsReason: bad?.reason ?? 'ResolvedRefs' };
  }

  /** The status a route's controller would write. */
  status(route: SimRoute): RouteStatus {
    const s = this.statuses.get(route);
    if (!s) throw new Error(`route ${route.namespace}/${route.name} is not part of this model`);
    return s;
  }

  /** The backendRef statuses of one rule (its own refs, not mirrors), in order. */
  ruleBackends(route: SimRoute, rule: number): BackendStatus[] {
    return this.status(route).backends.filter((b) => b.rule === rule);
  }

  /** The resolution of a RequestMirror's backendRef. */
  mirrorBackend(route: SimRoute, ref: BackendStatus['ref']): BackendStatus | undefined {
    return this.status(route).backends.find((b) => b.rule === -1 && b.ref === ref);
  }

  /** The routes (of one kind, or any) attached to a listener, in the order the model read them. */
  routesOn(gw: SimGateway, listener: Listener, kind?: RouteKind): SimRoute[] {
    return this.routes.filter(
      (r) =>
        (kind === undefined || r.kind === kind) &&
        this.status(r).parents.some((p) => p.accepted && p.gateway === gw && p.listeners.includes(listener)),
    );
  }

  /** What the Gateway's status.listeners[].attachedRoutes would say. */
  attachedRoutes(gw: SimGateway, listener: Listener): number {
    return this.routesOn(gw, listener).length;
  }

  /** What the Gateway's status.listeners[] entry for this listener would say. */
  listenerStatus(gw: SimGateway, l: Listener): ListenerStatus {
    const condition = (type: string, ok: boolean, reason: string, message: string) => ({
      type,
      status: ok ? 'True' : 'False',
      reason,
      message,
    });
    const invalid = l.invalidKinds.map((k) => `${k.group}/${k.kind}`).join(', ');
    const conditions = [
      l.unsupported
        ? condition('Accepted', false, 'UnsupportedProtocol', l.unsupported)
        : condition('Accepted', true, 'Accepted', 'the listener is valid'),
      l.certificateProblem
        ? condition('ResolvedRefs', false, l.certificateProblem.reason, l.certificateProblem.message)
        : invalid
          ? condition('ResolvedRefs', false, 'InvalidRouteKinds', `allowedRoutes.kinds names kinds its protocol cannot carry: ${invalid}`)
          : condition('ResolvedRefs', true, 'ResolvedRefs', 'its references resolve'),
      l.conflict
        ? {
            type: 'Conflicted',
            status: 'True',
            reason: l.conflict.reason,
            message: `conflicts with listener ${l.conflict.with} on port ${l.port}`,
          }
        : { type: 'Conflicted', status: 'False', reason: 'NoConflicts', message: 'no other listener conflicts with it' },
      !gw.dataPlane
        ? condition('Programmed', false, 'Pending', `no controller serves GatewayClass ${gw.className || '(none)'}`)
        : l.conflict || l.unsupported
          ? condition('Programmed', false, 'Invalid', 'the listener is not programmed')
          : l.certificateProblem
            ? condition('Programmed', false, 'Invalid', 'the listener has no certificate it can present')
            : condition('Programmed', true, 'Programmed', 'the data plane serves it'),
    ];
    const problems = conditions
      .filter((c) => (c.type === 'Conflicted' ? c.status === 'True' : c.status === 'False'))
      .map((c) => `${c.type} ${c.status} (${c.reason}): ${c.message}`);
    return {
      attachedRoutes: this.attachedRoutes(gw, l),
      supportedKinds: l.supportedKinds.map((kind) => ({ group: GATEWAY_GROUP, kind })),
      conditions,
      problems,
    };
  }

  findGateway(namespace: string, name: string): SimGateway | undefined {
    return this.gateways.find((g) => g.namespace === namespace && g.name === name);
  }

  /** The Gateway whose address (or data-plane Service's ClusterIP) this is. */
  gatewayByAddress(ip: string): SimGateway | undefined {
    const n = normalizeIP(ip);
    return (
      this.gateways.find((g) => g.addresses.some((a) => normalizeIP(a) === n)) ??
      this.gateways.find((g) => g.dataPlane?.service?.clusterIPs.includes(n))
    );
  }

  /** The Gateway a data-plane Service carries. */
  gatewayOfService(id: string): SimGateway | undefined {
    return this.gateways.find((g) => g.dataPlane?.service && serviceId(g.dataPlane.service) === id);
  }

  /** Whether a pod is part of some Gateway's data plane. */
  isDataPlanePod(pod: SimPod): boolean {
    return this.gateways.some((g) => g.dataPlane?.pods.some((p) => p.namespace === pod.namespace && p.name === pod.name));
  }

  /**
   * The Gateways that serve `host` from outside, with the listener hostname or route hostname that
   * claims it: a listener whose hostname matches, or an attached route naming it.
   */
  gatewaysForHost(host: string): Array<{ gateway: SimGateway; claim: string }> {
    const h = host.toLowerCase();
    const out: Array<{ gateway: SimGateway; claim: string }> = [];
    for (const gw of this.gateways) {
      if (!gw.dataPlane || gw.addresses.length === 0) continue;
      const viaListener = gw.listeners.find((l) => !l.conflict && l.hostname !== undefined && hostnameMatches(l.hostname, h));
      if (viaListener) {
        out.push({ gateway: gw, claim: `listener ${viaListener.name} (hostname ${viaListener.hostname})` });
        continue;
      }
      for (const l of gw.listeners) {
        const route = this.routesOn(gw, l).find((r) => bestMatchingHostname(r.hostnames, h) !== undefined);
        if (route) {
          out.push({ gateway: gw, claim: `${route.kind} ${route.namespace}/${route.name} (hostnames ${route.hostnames.join(', ')})` });
          break;
        }
      }
    }
    return out;
  }
}
