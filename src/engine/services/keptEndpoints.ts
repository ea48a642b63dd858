// A Service's endpoints as the previous analysis found them, handed to the next when what they were
// made from is the same (see incremental/memo.ts): the pods its selector picked (the same objects, as
// cluster/stable.ts and placePods keep unchanged pods), its ports and what else of it they read, and the
// nodes (the topology stages add zones and hints to the endpoints in place, from the nodes, so the
// same inputs set them again to what they were). Each analysis gets its own lists, of shared endpoints.
import type { Endpoint, ServicePort, SimNode, SimPod, SimService } from '../cluster/model';
import type { IncrementalState } from '../incremental/state';
import { LabelIndex } from '../cluster/labelIndex';
import { groupByNamespace } from '../cluster/stable';

interface Kept {
  selected: readonly SimPod[];
  ports: readonly ServicePort[];
  name: string;
  publishNotReadyAddresses: boolean;
  nodes: string;
  endpointsByPort: Endpoint[][];
}

export class KeptEndpoints {
  private byNamespace = new Map<string, SimPod[]>();
  private readonly indexes = new WeakMap<readonly SimPod[], LabelIndex<SimPod>>();

  /** This analysis's pods by namespace, a namespace's list the previous one's when unchanged (cluster/stable.ts). */
  podsByNamespace(pods: readonly SimPod[]): Map<string, SimPod[]> {
    this.byNamespace = groupByNamespace(pods, this.byNamespace);
    return this.byNamespace;
  }

  /** A label index of one namespace's pods, kept with its list (an index is built per label key as asked). */
  index(pods: SimPod[]): LabelIndex<SimPod> {
    let index = this.indexes.get(pods);
    if (!index) this.indexes.set(pods, (index = new LabelIndex(pods)));
    return index;
  }

  private previous = new Map<string, Kept>();
  private current = new Map<string, Kept>();
  private nodes = '';

  /** Starts an analysis on these nodes: what the previous one kept and did not use is dropped. */
  begin(nodes: readonly SimNode[]): void {
    this.previous = this.current;
    this.current = new Map();
    // Everything of a node the topology stages may read but its object.
    this.nodes = JSON.stringify(nodes.map(({ origin: _origin, ...rest }) => rest));
  }

  /** The endpoints kept for this Service and these selected pods, if every input is the same. */
  get(id: string, svc: SimService, selected: readonly SimPod[]): Endpoint[][] | undefined {
    const k = this.previous.get(id);
    if (
      !k ||
      k.nodes !== this.nodes ||
      k.ports !== svc.ports ||
      k.name !== svc.name ||
      k.publishNotReadyAddresses !== svc.publishNotReadyAddresses ||
      k.selected.length !== selected.length
    )
      return undefined;
    for (let i = 0; i < selected.length; i++) if (k.selected[i] !== selected[i]) return undefined;
    return k.endpointsByPort.map((eps) => [...eps]);
  }

  set(id: string, svc: SimService, selected: readonly SimPod[], endpointsByPort: Endpoint[][]): void {
    this.current.set(id, {
      selected,
      ports: svc.ports,
      name: svc.name,
      publishNotReadyAddresses: svc.publishNotReadyAddresses,
      nodes: this.nodes,
      endpointsByPort: endpointsByPort.map((eps) => [...eps]),
    });
  }
}

export function keptEndpoints(incremental: IncrementalState): KeptEndpoints {
  return incremental.slot('service-endpoints', () => new KeptEndpoints());
}
