// What the page holds of the extension's latest analysis: the map's picture (decoded from its wire
// form), and once the nodes view asked for them (nodesRequest), its pods, merged into the whole
// topology. Pods of an older analysis than the one shown are dropped.
import type { FullTopology, MapTopology, NodesPart, ToPage } from '../src/shared/protocol';
import { decodeMap, decodeNodes, withNodes } from '../src/shared/topologyWire';

export class Received {
  map: MapTopology | undefined;
  full: FullTopology | undefined;
  private revision = 0;
  private asked = false;
  private waiting: Array<() => void> = [];

  constructor(private readonly ask: (revision: number) => void) {}

  /** Takes a new analysis; returns why it was refused, if it was. */
  takeMap(m: Extract<ToPage, { type: 'topology' }>): string | undefined {
    let decoded: MapTopology;
    try {
      decoded = decodeMap(m.map);
    } catch (err) {
      return (err as Error).message;
    }
    this.map = decoded;
    this.full = undefined;
    this.revision = m.revision;
    this.asked = false;
    return undefined;
  }

  /** The revision of the analysis shown (0: none yet). */
  get shown(): number {
    return this.map ? this.revision : 0;
  }

  /**
   * Whether a message is the topology shown, again: the extension sends a new panel its first
   * topology as soon as it is built and again when the page says it is ready (whichever reaches a
   * page still loading first); the second is neither checked nor drawn again.
   */
  isRepeat(data: unknown): boolean {
    const peek = data as { type?: unknown; revision?: unknown } | null;
    return peek?.type === 'topology' && this.shown > 0 && peek.revision === this.shown;
  }

  /** Takes the pods of an analysis; false when they are not those of the one shown. */
  takeNodes(m: Extract<ToPage, { type: 'nodes' }>): boolean {
    if (m.revision !== this.revision || !this.map) return false;
    let nodes: NodesPart;
    try {
      nodes = decodeNodes(m.nodes);
    } catch {
      return false;
    }
    this.full = withNodes(this.map, nodes);
    for (const resolve of this.waiting.splice(0)) resolve();
    return true;
  }

  /** Asks for the pods of the analysis shown, once; true when it asked. */
  askNodes(): boolean {
    if (this.asked || !this.map || this.full) return false;
    this.asked = true;
    this.ask(this.revision);
    return true;
  }

  /** Resolves once the pods of the analysis shown are here (asking for them if need be). */
  whenFull(): Promise<void> {
    if (this.full) return Promise.resolve();
    this.askNodes();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The topology the side panel describes: with pods once they are here. */
  get described(): (MapTopology & Partial<Pick<FullTopology, 'pods'>>) | undefined {
    return this.full ?? this.map;
  }
}
