// Where a drawn object of the topology is written, for the view's "Show in manifest": looked up in
// the worker's topology (the extension host keeps no copy of its pods and endpoint edges).
import type { SourceRange, Topology } from '../../engine';
import type { DrawnKind } from '../../shared/protocol';

export function topologySource(t: Topology | undefined, kind: DrawnKind, id: string): { source: SourceRange | undefined; what: string } {
  switch (kind) {
    case 'node':
      return { source: t?.nodes.find((x) => x.id === id)?.source, what: `node ${id}` };
    case 'pod':
      return { source: t?.pods.find((x) => x.id === id)?.source, what: `pod ${id}` };
    case 'service':
      return { source: t?.services.find((x) => x.id === id)?.source, what: `Service ${id}` };
    case 'ingress':
      return { source: t?.ingresses.find((x) => x.id === id)?.source, what: `Ingress ${id}` };
    case 'external':
      return { source: t?.externals.find((x) => x.id === id)?.source, what: id };
    case 'edge': {
      const edge = t?.edges.find((x) => x.id === id) ?? t?.map.calls.find((x) => x.id === id) ?? t?.map.edges.find((x) => x.id === id);
      return { source: edge?.source, what: `edge ${id}` };
    }
    case 'workload':
      return { source: t?.workloads.find((x) => x.id === id)?.source, what: `workload ${id}` };
    case 'gateway':
      return { source: t?.map.gateways.find((x) => x.id === id)?.source, what: `Gateway ${id}` };
    case 'route':
      return { source: t?.map.routes.find((x) => x.id === id)?.source, what: `route ${id}` };
    case 'namespace':
    case 'matrix-cell':
      return { source: undefined, what: kind === 'namespace' ? `namespace ${id}` : `matrix cell ${id}` };
  }
}
