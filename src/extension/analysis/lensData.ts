// Runs in the analysis worker (no vscode here): the code lenses of one file, as data the extension
// turns into vscode.CodeLens objects.
import { serviceId, type Analysis, type SourceRange } from '../../engine';
import type { SymbolIndex } from './symbols';
import { gatewayLenses } from './gatewayLenses';

/** Arguments of kubeNetsim.tracePacket when a lens starts it; without them the command asks. */
export interface TraceRequest {
  folder: string;
  from?: string;
  to?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** `NAMESPACE/NAME` of the Gateway to enter by (the CLI's --via). */
  via?: string;
  /** The HTTP method and headers a Gateway route's match asks for (--method, --header). */
  method?: string;
  headers?: Array<{ name: string; value: string }>;
}

export interface LensData {
  range: SourceRange;
  title: string;
  command: 'kubeNetsim.tracePacket' | 'kubeNetsim.showEndpoints' | 'kubeNetsim.showTopology' | 'kubeNetsim.showAttachedRoutes';
  arguments: unknown[];
  tooltip: string;
}

export function lensesFor(analysis: Analysis, index: SymbolIndex, file: string, folder: string): LensData[] {
  const lenses: LensData[] = [];
  const trace = (range: SourceRange, title: string, request: TraceRequest, tooltip: string) =>
    lenses.push({ range, title, command: 'kubeNetsim.tracePacket', arguments: [request], tooltip });
  for (const s of index.inFile(file)) {
    const range = s.range;
    switch (s.kind) {
      case 'reference': {
        const r = s.reference;
        if (!r.pod) break;
        const to = r.ref.explicitPort || r.ref.scheme ? r.ref.text : `${r.ref.host}${r.ref.port ? `:${r.ref.port}` : ''}`;
        trace(
          range,
          `Trace packet to ${r.ref.host}${r.ref.port ? `:${r.ref.port}` : ''}`,
          { folder, from: `${r.pod.workload.namespace}/${r.pod.workload.kind}/${r.pod.workload.name}`, to },
          `Walk a packet from ${r.pod.workload.name} to ${r.ref.text}`,
        );
        break;
      }
      case 'service': {
        const count = new Set(s.service.endpointsByPort.flat().map((e) => e.ip)).size;
        const title =
          s.service.type === 'ExternalName'
            ? `ExternalName → ${s.service.externalName ?? '?'}`
            : `${count} endpoint${count === 1 ? '' : 's'}`;
        lenses.push({
          range,
          title,
          command: 'kubeNetsim.showEndpoints',
          arguments: [{ folder, service: serviceId(s.service) }],
          tooltip: 'Pods behind this Service',
        });
        break;
      }
      case 'servicePort': {
        const p = s.service.ports[s.portIndex];
        if (!p || s.service.type === 'ExternalName') break;
        trace(
          range,
          `Trace packet to ${s.service.name}:${p.port}`,
          { folder, to: `${s.service.name}.${s.service.namespace}:${p.port}`, protocol: p.protocol },
          'Pick a source and walk a packet to this port',
        );
        // kubectl port-forward carries TCP only; it reaches the pod without kube-proxy or NetworkPolicy.
        if (p.protocol === 'TCP') {
          const local = p.port < 1024 ? 8000 + p.port : p.port;
          trace(
            range,
            `Trace packet · Port-forward ${local}:${p.port}`,
            { folder, from: 'local', to: `svc/${s.service.name}.${s.service.namespace}:${p.port}` },
            `Walk kubectl port-forward svc/${s.service.name} ${local}:${p.port} -n ${s.service.namespace}: the API server, the kubelet and one pod, bypassing the Service and NetworkPolicy`,
          );
        }
        break;
      }
      case 'policy': {
        const n = s.isolated.length;
        lenses.push({
          range,
          title: `${n} pod${n === 1 ? '' : 's'} isolated · show allowed connections`,
          command: 'kubeNetsim.showTopology',
          arguments: [{ folder, focus: s.isolated[0] ? `${s.isolated[0].namespace}/${s.isolated[0].name}` : undefined }],
          tooltip: 'Show who may reach these pods, and whom they may reach, in the topology',
        });
        break;
      }
      case 'ingressPath': {
        const rule = s.ingress.rules[s.ruleIndex];
        const p = rule?.paths[s.pathIndex];
        if (!rule || !p) break;
        const host = rule.host ? rule.host.replace(/^\*\./, 'www.') : (analysis.cluster.nodes[0]?.ip ?? 'localhost');
        const tls = s.ingress.tls.some((t) => rule.host !== undefined && t.hosts.includes(rule.host));
        const url = `${tls ? 'https' : 'http'}://${host}${p.path || '/'}`;
        trace(
          range,
          `Trace packet from external to ${url}`,
          { folder, from: 'external', to: url },
          'Walk a request from a client outside the cluster through the ingress controller',
        );
        break;
      }
      default:
        break;
    }
  }
  const here = (origin: { kind: string; object?: { file: string } }) => origin.kind === 'manifest' && origin.object?.file === file;
  lenses.push(...gatewayLenses(analysis, here, folder));
  return lenses;
}
