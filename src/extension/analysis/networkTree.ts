// Runs in the analysis worker (no vscode here): the Kubernetes Network view's tree for one folder,
// as plain data. Namespaces hold their workloads (pods with IP and node), Services (endpoints),
// NetworkPolicies (the pods they isolate), Ingresses (their routes) and the Gateway API objects,
// which kube-netsim reads but does not simulate yet. Every item knows its manifest line and what
// its context actions trace or focus.
import { serviceId, type Analysis, type SimPod, type SourceRange } from '../../engine';
import { indexOf, type Workload } from './declarations';

export type TreeKind = 'namespace' | 'group' | 'workload' | 'pod' | 'service' | 'endpoint' | 'policy' | 'ingress' | 'route' | 'gateway';

export interface TreeNode {
  /** Stable across analyses, so the view keeps what was expanded. */
  id: string;
  kind: TreeKind;
  label: string;
  description?: string;
  tooltip?: string;
  /** The manifest line the item reveals. */
  at?: SourceRange;
  /** "Trace packet from here": a source the trace command accepts (`ns/Kind/name`). */
  traceFrom?: string;
  /** "Trace packet to here": a target (`name.ns:port`). */
  traceTo?: string;
  /** "Show in topology": the topology's id of the object (`ns/name`). */
  focus?: string;
  children?: TreeNode[];
}

const GATEWAY_KINDS = new Set(['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

function podNode(pod: SimPod, at: SourceRange | undefined): TreeNode {
  const where = pod.ip ? `${pod.ip} on ${pod.node ?? '?'}` : 'Pending (not scheduled)';
  return {
    id: `pod:${pod.namespace}/${pod.name}`,
    kind: 'pod',
    label: pod.name,
    description: where + (pod.ready ? '' : ' · not ready'),
    tooltip: `Pod ${pod.namespace}/${pod.name}\nIP ${pod.ip ?? 'none'}${pod.ipv6 ? `, ${pod.ipv6}` : ''}\nnode ${pod.node ?? 'none'}`,
    ...(at ? { at } : {}),
    traceFrom: `${pod.namespace}/${pod.name}`,
    focus: `${pod.namespace}/${pod.name}`,
  };
}

function workloadNode(w: Workload): TreeNode {
  const at = w.object.locate(['metadata', 'name']);
  return {
    id: `workload:${w.namespace}/${w.kind}/${w.name}`,
    kind: 'workload',
    label: w.name,
    description: `${w.kind} · ${plural(w.pods.length, 'pod')}`,
    tooltip: `${w.kind} ${w.namespace}/${w.name}\nlabels: ${Object.entries(w.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    at,
    traceFrom: `${w.namespace}/${w.kind}/${w.name}`,
    focus: `${w.namespace}/${w.name}`,
    children: w.pods.map((p) => podNode(p, at)),
  };
}

function group(ns: string, name: string, children: TreeNode[]): TreeNode {
  return { id: `group:${ns}/${name}`, kind: 'group', label: name, description: String(children.length), children };
}

/** The tree of one folder's latest simulation: namespaces that hold something from the manifests. */
export function networkTree(a: Analysis): TreeNode[] {
  const index = indexOf(a);
  const byNs = new Map<
    string,
    { workloads: TreeNode[]; services: TreeNode[]; policies: TreeNode[]; ingresses: TreeNode[]; gateways: TreeNode[] }
  >();
  const slot = (ns: string) => {
    let s = byNs.get(ns);
    if (!s) byNs.set(ns, (s = { workloads: [], services: [], policies: [], ingresses: [], gateways: [] }));
    return s;
  };
  for (const w of index.workloads()) slot(w.namespace).workloads.push(workloadNode(w));
  for (const svc of a.cluster.services) {
    if (svc.origin.kind !== 'manifest') continue;
    const at = svc.origin.object.locate(['metadata', 'name']);
    const endpoints = new Map<string, { ip: string; ports: number[]; ready: boolean; node: string | undefined }>();
    for (const list of svc.endpointsByPort)
      for (const e of list) {
        const got = endpoints.get(e.pod);
        if (got) got.ports.push(e.port);
        else endpoints.set(e.pod, { ip: e.ip, ports: [e.port], ready: e.ready, node: e.node });
      }
    const first = svc.ports[0];
    const address = svc.type === 'ExternalName' ? `→ ${svc.externalName ?? '?'}` : svc.headless ? 'headless' : (svc.clusterIP ?? '');
    slot(svc.namespace).services.push({
      id: `service:${serviceId(svc)}`,
      kind: 'service',
      label: svc.name,
      description: `${svc.type} ${address} · ${plural(endpoints.size, 'endpoint')}`,
      tooltip: `Service ${serviceId(svc)}\nports: ${svc.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol} → ${p.targetPort}`).join(', ')}`,
      at,
      ...(first ? { traceTo: `${svc.name}.${svc.namespace}:${first.port}` } : {}),
      focus: serviceId(svc),
      children: [...endpoints].map(([pod, e]) => ({
        id: `endpoint:${serviceId(svc)}/${pod}`,
        kind: 'endpoint' as const,
        label: pod.slice(pod.indexOf('/') + 1),
        description: `${e.ip}:${[...new Set(e.ports)].join(',')}${e.ready ? '' : ' · not ready'}`,
        tooltip: `endpoint ${pod} on ${e.node ?? '?'}`,
        at,
        traceFrom: pod,
        focus: pod,
      })),
    });
  }
  for (const policy of a.policies.policies) {
    if (policy.origin.kind !== 'manifest') continue;
    const isolated = a.cluster.pods.filter((p) => a.policies.selects(policy, p));
    const at = policy.origin.object.locate(['metadata', 'name']);
    const types = [policy.affects.ingress ? 'Ingress' : '', policy.affects.egress ? 'Egress' : ''];
    slot(policy.namespace).policies.push({
      id: `policy:${policy.namespace}/${policy.name}`,
      kind: 'policy',
      label: policy.name,
      description: `isolates ${plural(isolated.length, 'pod')}`,
      tooltip: `NetworkPolicy ${policy.namespace}/${policy.name} (${types.filter(Boolean).join(', ')})`,
      at,
      children: isolated.map((p) => podNode(p, at)),
    });
  }
  for (const ing of a.ingress.ingresses) {
    if (ing.origin.kind !== 'manifest') continue;
    const o = ing.origin.object;
    const routes: TreeNode[] = [];
    ing.rules.forEach((rule, ri) =>
      rule.paths.forEach((p, pi) => {
        const to = p.backend.service ? `${p.backend.service.name}:${p.backend.service.port ?? '?'}` : (p.backend.resource ?? '?');
        routes.push({
          id: `route:${ing.namespace}/${ing.name}#${ri}.${pi}`,
          kind: 'route',
          label: `${rule.host ?? '*'}${p.path}`,
          description: `→ ${to}`,
          at: o.locate([...p.fieldPath, 'path']),
          ...(rule.host ? { traceTo: `http://${rule.host}${p.path}` } : {}),
        });
      }),
    );
    slot(ing.namespace).ingresses.push({
      id: `ingress:${ing.namespace}/${ing.name}`,
      kind: 'ingress',
      label: ing.name,
      description: ing.className ? `class ${ing.className}` : 'no controller',
      at: o.locate(['metadata', 'name']),
      focus: `${ing.namespace}/${ing.name}`,
      children: routes,
    });
  }
  for (const o of a.cluster.objects) {
    if (!GATEWAY_KINDS.has(o.kind)) continue;
    const ns = o.namespace ?? 'default';
    slot(ns).gateways.push({
      id: `gateway:${ns}/${o.kind}/${o.name}`,
      kind: o.kind === 'Gateway' || o.kind === 'GatewayClass' ? 'gateway' : 'route',
      label: o.name,
      description: `${o.kind} · not simulated`,
      tooltip: `${o.kind} ${ns}/${o.name}: kube-netsim reads it but does not simulate Gateway API routing yet`,
      at: o.locate(['metadata', 'name']),
    });
  }
  return [...byNs]
    .sort(([x], [y]) => cmp(x, y))
    .map(([ns, s]) => {
      const decl = a.cluster.namespaces.get(ns);
      const children = [
        ...(s.workloads.length ? [group(ns, 'Workloads', s.workloads)] : []),
        ...(s.services.length ? [group(ns, 'Services', s.services)] : []),
        ...(s.policies.length ? [group(ns, 'Network policies', s.policies)] : []),
        ...(s.ingresses.length ? [group(ns, 'Ingresses', s.ingresses)] : []),
        ...(s.gateways.length ? [group(ns, 'Gateways and routes', s.gateways)] : []),
      ];
      const pods = s.workloads.reduce((n, w) => n + (w.children?.length ?? 0), 0);
      return {
        id: `namespace:${ns}`,
        kind: 'namespace' as const,
        label: ns,
        description: `${plural(pods, 'pod')}, ${plural(s.services.length, 'Service')}`,
        ...(decl?.origin.kind === 'manifest' ? { at: decl.origin.object.locate(['metadata', 'name']) } : {}),
        children,
      };
    });
}
