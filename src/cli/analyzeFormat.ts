import { docsLink, podId, serviceId, type Analysis, type Diagnostic, type SimPod, type SimService } from '../engine';
import { table } from './table';

/** The JSON the contract promises: pods, services with endpoints, diagnostics (1-based positions). */
export function analysisJson(a: Analysis): object {
  return {
    cluster: {
      cni: a.cluster.settings.cni,
      kubeProxyMode: a.cluster.settings.kubeProxyMode,
      clusterDomain: a.cluster.settings.clusterDomain,
      nodes: a.cluster.nodes.map((n) => ({
        name: n.name,
        ip: n.ip,
        podCIDR: n.podCIDR,
        ...(n.ipv6 ? { ipv6: n.ipv6 } : {}),
        ...(n.podCIDRv6 ? { podCIDRv6: n.podCIDRv6 } : {}),
        labels: n.labels,
      })),
    },
    // Namespaces too, so that the implicit default and kube-system carry implicit: true as the contract says.
    namespaces: [...a.cluster.namespaces.values()]
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .map((n) => ({ name: n.name, labels: n.labels, ...(n.origin.kind === 'implicit' ? { implicit: true } : {}) })),
    pods: a.cluster.pods.map(podJson),
    services: a.cluster.services.map(serviceJson),
    // The workloads whose replicas a HorizontalPodAutoscaler bounds, and why they run what they run.
    autoscaling: a.cluster.replicaDecisions.map((d) => ({
      workload: `${d.workload.namespace}/${d.workload.name}`,
      workloadKind: d.workload.kind,
      declared: d.declared ?? null,
      replicas: d.replicas,
      autoscaler: `${d.autoscaler.namespace}/${d.autoscaler.name}`,
      minReplicas: d.autoscaler.minReplicas,
      maxReplicas: d.autoscaler.maxReplicas ?? null,
      reason: d.reason,
    })),
    // Each Ingress with the controller that serves it and that controller's address (null when none serves it).
    ingresses: a.ingress.ingresses.map((i) => {
      const c = a.ingress.controllers.find((x) => x.className === i.className && x.ingresses.includes(i));
      return {
        namespace: i.namespace,
        name: i.name,
        className: i.className ?? null,
        hosts: [...new Set(i.rules.map((r) => r.host ?? '*'))],
        // An ALB's status shows its DNS name, as kubectl get ingress does.
        address: c?.service?.loadBalancerIP ?? a.ingress.albOf(i)?.hostname ?? null,
        controller: c ? `${c.namespace}/${c.name}` : null,
        // What serves it as it runs: the controller's profile, its pods' namespace and labels, how it reaches the backends.
        controllerProfile: c ? c.profile.kind : null,
        dataPlane: c
          ? c.dataPlane
            ? { namespace: c.dataPlane.namespace, name: c.dataPlane.name, labels: c.dataPlane.labels }
            : null
          : null,
        reaches: c ? (c.profile.reaches === 'pods' ? 'pods' : 'target-type') : null,
      };
    }),
    gateways: gatewaysJson(a),
    routes: routesJson(a),
    diagnostics: a.diagnostics.map(diagnosticJson),
    // How many the user silenced (kube-netsim.yaml ignore:, # kube-netsim: ignore), by code.
    suppressed: { total: a.suppressed.length, byCode: suppressedByCode(a) },
    // Objects whose effect on traffic is left out of every verdict above (service meshes, gateways, CNI policies).
    notSimulated: {
      total: a.notSimulated.reduce((n, k) => n + k.objects.length, 0),
      kinds: a.notSimulated.map((k) => ({ group: k.group, kind: k.kind, product: k.product, count: k.objects.length, objects: k.objects })),
    },
  };
}

/** Gateways as their status shows them: class, addresses, listeners with attachedRoutes. */
function gatewaysJson(a: Analysis): object[] {
  const model = a.gateway;
  return model.gateways.map((g) => ({
    namespace: g.namespace,
    name: g.name,
    class: g.className,
    controller: g.gatewayClass?.controllerName ?? null,
    addresses: g.addresses,
    dataPlane: g.dataPlane
      ? {
          kind: g.dataPlane.kind,
          namespace: g.dataPlane.namespace,
          workload: g.dataPlane.workload.name,
          service: `${g.dataPlane.serviceNamespace}/${g.dataPlane.serviceName}`,
        }
      : null,
    listeners: g.listeners.map((l) => {
      const s = model.listenerStatus(g, l);
      return {
        name: l.name,
        port: l.port,
        protocol: l.protocol,
        hostname: l.hostname ?? null,
        attachedRoutes: s.attachedRoutes,
        supportedKinds: s.supportedKinds.map((k) => k.kind),
        conditions: s.conditions,
      };
    }),
  }));
}

/** Routes with each parentRef's Accepted condition and each backendRef's resolution, with the API's reasons. */
function routesJson(a: Analysis): object[] {
  return a.gateway.routes.map((r) => {
    const s = a.gateway.status(r);
    return {
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      hostnames: r.hostnames,
      parents: s.parents.map((p) => ({
        gateway: `${p.ref.namespace}/${p.ref.name}`,
        sectionName: p.ref.sectionName ?? null,
        ...(p.ref.port !== undefined ? { port: p.ref.port } : {}),
        accepted: p.accepted,
        reason: p.reason,
        message: p.message,
        listeners: p.listeners.map((l) => l.name),
      })),
      resolvedRefs: { status: s.resolvedRefs, reason: s.refsReason },
      backends: s.backends.map((b) => ({
        service: `${b.ref.namespace}/${b.ref.name}`,
        ...(b.ref.kind !== 'Service' || b.ref.group !== '' ? { kind: `${b.ref.group ? `${b.ref.group}/` : ''}${b.ref.kind}` } : {}),
        port: b.ref.port ?? null,
        weight: b.ref.weight,
        ...(b.rule < 0 ? { mirror: true } : { rule: b.rule }),
        resolved: b.resolved,
        reason: b.reason,
        message: b.message,
      })),
    };
  });
}

function suppressedByCode(a: Analysis): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of [...a.suppressed].sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0))) out[d.code] = (out[d.code] ?? 0) + 1;
  return out;
}

function podJson(p: SimPod): object {
  return {
    namespace: p.namespace,
    name: p.name,
    workload: `${p.workload.namespace}/${p.workload.name}`,
    workloadKind: p.workload.kind,
    node: p.node ?? null,
    ip: p.ip ?? null,
    ...(p.ipv6 ? { ipv6: p.ipv6 } : {}),
    hostNetwork: p.hostNetwork,
    labels: p.labels,
    ...(p.origin.kind === 'implicit' ? { implicit: true } : {}),
  };
}

function serviceJson(s: SimService): object {
  return {
    namespace: s.namespace,
    name: s.name,
    type: s.type,
    clusterIP: s.headless ? 'None' : (s.clusterIP ?? null),
    ...(s.clusterIPs.length > 1 ? { clusterIPs: s.clusterIPs } : {}),
    ...(s.externalName ? { externalName: s.externalName } : {}),
    ...(s.loadBalancerIP ? { loadBalancerIP: s.loadBalancerIP } : {}),
    ports: s.ports.map((p) => ({
      name: p.name ?? null,
      port: p.port,
      targetPort: p.targetPort,
      nodePort: p.nodePort ?? null,
      protocol: p.protocol,
    })),
    endpoints: s.ports.flatMap((_, i) =>
      (s.endpointsByPort[i] ?? []).map((e) => ({ pod: e.pod, ip: e.ip, port: e.port, node: e.node ?? null, ready: e.ready })),
    ),
    ...(s.origin.kind === 'implicit' ? { implicit: true } : {}),
  };
}

export function diagnosticJson(d: Diagnostic): object {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.range.file,
    line: d.range.line,
    column: d.range.column,
    endLine: d.range.endLine,
    endColumn: d.range.endColumn,
    resource: d.resource ?? null,
    docs: docsLink(d.code),
    ...(d.fixes
      ? {
          fixes: d.fixes.map((f) => ({
            title: f.title,
            edits: f.edits.map((e) => ({
              file: e.range.file,
              line: e.range.line,
              column: e.range.column,
              endLine: e.range.endLine,
              endColumn: e.range.endColumn,
              newText: e.newText,
            })),
          })),
        }
      : {}),
    ...(d.related
      ? { related: d.related.map((r) => ({ message: r.message, file: r.location.file, line: r.location.line, column: r.location.column })) }
      : {}),
    ...(d.verify ? { verify: d.verify } : {}),
  };
}

function byName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  const x = `${a.namespace}/${a.name}`;
  const y = `${b.namespace}/${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Tables in the spirit of `kubectl get -o wide`, then the problems, compiler style. */
export function analysisText(a: Analysis): string {
  const out: string[] = [];
  const pods = a.cluster.pods.filter((p) => p.origin.kind === 'manifest').sort((x, y) => byName(x, y));
  out.push(
    table(
      ['NAMESPACE', 'NAME', 'IP', 'NODE', 'WORKLOAD'],
      pods.map((p) => [p.namespace, p.name, p.ip ?? '<pending>', p.node ?? '<none>', `${p.workload.kind}/${p.workload.name}`]),
    ),
  );
  out.push('');
  const svcs = a.cluster.services.filter((s) => s.origin.kind === 'manifest').sort((x, y) => byName(x, y));
  out.push(
    table(
      ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
      svcs.map((s) => [
        s.namespace,
        s.name,
        s.type,
        s.headless ? 'None' : (s.clusterIP ?? '<none>'),
        s.type === 'ExternalName' ? (s.externalName ?? '<none>') : (s.loadBalancerIP ?? '<none>'),
        s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>',
      ]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['NAMESPACE', 'NAME', 'ENDPOINTS'],
      svcs
        .filter((s) => s.type !== 'ExternalName')
        .map((s) => {
          const eps = [...new Set(s.endpointsByPort.flat().map((e) => `${e.ip}:${e.port}`))];
          return [
            s.namespace,
            s.name,
            eps.length ? (eps.length > 4 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',')) : '<none>',
          ];
        }),
    ),
  );
  out.push('');
  for (const d of a.cluster.replicaDecisions)
    out.push(
      `${d.workload.kind} ${d.workload.namespace}/${d.workload.name} runs ${d.replicas} replica${d.replicas === 1 ? '' : 's'}: ${d.reason}`,
    );
  if (a.cluster.replicaDecisions.length > 0) out.push('');
  const ingresses = ingressRows(a);
  if (ingresses.length > 0) out.push(table(['NAMESPACE', 'NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'CONTROLLER'], ingresses), '');
  out.push(...gatewayTables(a));
  for (const d of a.diagnostics) {
    out.push(`${d.range.file}:${d.range.line}:${d.range.column}: ${d.severity} [${d.code}] ${d.message}`);
    for (const c of d.verify ?? []) out.push(`    verify: ${c}`);
  }
  const count = (s: string) => a.diagnostics.filter((d) => d.severity === s).length;
  const silenced = a.suppressed.length > 0 ? ` (${a.suppressed.length} suppressed by ignore rules or comments)` : '';
  const left = a.notSimulated.reduce((n, k) => n + k.objects.length, 0);
  if (left > 0) {
    const kinds = a.notSimulated.map((k) => `${k.objects.length} ${k.kind}.${k.group}`).join(', ');
    out.push(
      `Not simulated: ${left} object${left === 1 ? '' : 's'} that shape traffic (${kinds}); the verdicts above leave out what they do.`,
    );
  }
  out.push(
    `${pods.length} pods, ${svcs.length} services${gatewayCounts(a)}; ${count('error')} errors, ${count('warning')} warnings, ${count('info')} infos${silenced}`,
  );
  return out.join('\n') + '\n';
}

/** One row per Ingress as `kubectl get ingress` prints it, with the address of the controller that serves it. */
function ingressRows(a: Analysis): string[][] {
  return a.ingress.ingresses.map((i) => {
    const c = a.ingress.controllers.find((x) => x.className === i.className && x.ingresses.includes(i));
    const hosts = [...new Set(i.rules.map((r) => r.host ?? '*'))].join(',') || '*';
    const address = c?.service?.loadBalancerIP ?? a.ingress.albOf(i)?.hostname ?? '<none>';
    const controller = c ? `${c.namespace}/${c.name}${c.implicit ? ' (assumed)' : ''}` : '<none: no controller serves its class>';
    return [i.namespace, i.name, i.className ?? '<none>', hosts, address, i.tls.length > 0 ? '80, 443' : '80', controller];
  });
}

/** `kubectl get gateway` and `kubectl get httproute,...` as tables, when the input has any. */
function gatewayTables(a: Analysis): string[] {
  const model = a.gateway;
  const out: string[] = [];
  if (model.gateways.length > 0) {
    out.push(
      table(
        ['NAMESPACE', 'GATEWAY', 'CLASS', 'ADDRESS', 'LISTENERS (ATTACHED ROUTES)'],
        model.gateways.map((g) => [
          g.namespace,
          g.name,
          g.className || '<none>',
          g.addresses.join(',') || '<none>',
          g.listeners
            .map((l) => `${l.name} ${l.protocol}/${l.port}${l.hostname ? ` ${l.hostname}` : ''} (${model.attachedRoutes(g, l)})`)
            .join(', ') || '<none>',
        ]),
      ),
      '',
    );
  }
  if (model.routes.length > 0) {
    out.push(
      table(
        ['NAMESPACE', 'ROUTE', 'HOSTNAMES', 'PARENTS', 'BACKENDS'],
        model.routes.map((r) => {
          const s = model.status(r);
          return [
            r.namespace,
            `${r.kind}/${r.name}`,
            r.hostnames.join(',') || '*',
            s.parents
              .map((p) => `${p.ref.namespace}/${p.ref.name}${p.ref.sectionName ? `/${p.ref.sectionName}` : ''} ${p.reason}`)
              .join(', ') || '<none>',
            [
              ...new Set(
                s.backends
                  .filter((b) => b.rule >= 0)
                  .map((b) => `${b.ref.namespace}/${b.ref.name}:${b.ref.port ?? '?'}${b.resolved ? '' : ` ${b.reason}`}`),
              ),
            ].join(', ') || '<none>',
          ];
        }),
      ),
      '',
    );
  }
  return out;
}

function gatewayCounts(a: Analysis): string {
  const g = a.gateway.gateways.length;
  const r = a.gateway.routes.length;
  if (g === 0 && r === 0) return '';
  return `, ${g} gateway${g === 1 ? '' : 's'}, ${r} route${r === 1 ? '' : 's'}`;
}

export { podId, serviceId };
