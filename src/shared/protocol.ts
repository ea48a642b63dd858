// The one message protocol between the extension and the topology page. Both sides import this
// file; every message is a member of a discriminated union on `type`, and each side validates what
// it receives (the page must never trust a message's shape, the extension must never trust a path
// or an id from the page). Topology and policy shapes are the engine's (src/engine/topology/types.ts).
import type { PolicyLayer, SourceRange, Topology } from '../engine';
import { check, isMapRest, isMatrixView, isPolicyLayer, isTraceView, isViewState, shown, type Check } from './protocolChecks';
import { mapWireCheck, nodesWireCheck, type MapWire, type NodesPart, type NodesWire } from './topologyWire';

export type { Topology, PolicyLayer, SourceRange, MapWire, NodesPart, NodesWire };
export type { MapTopology, MapWorkload, FullTopology } from './topologyWire';
export const VIEW_TYPE = 'kubeNetsim.topology';

export const CNI_PLUGINS = ['calico', 'flannel', 'cilium', 'weave', 'canal'] as const;
export const PROXY_MODES = ['iptables', 'ipvs', 'nftables'] as const;
/** The cluster setting hostNetworkPods: whether policies see hostNetwork pods as their node's address or as pods. */
export const HOST_NETWORK_READINGS = ['node', 'pod'] as const;
export type HostNetworkReading = (typeof HOST_NETWORK_READINGS)[number];
export type CniName = (typeof CNI_PLUGINS)[number];
export type ProxyModeName = (typeof PROXY_MODES)[number];
export const DRAWN_KINDS = [
  'node',
  'pod',
  'service',
  'ingress',
  'external',
  'edge',
  'namespace',
  'workload',
  'gateway',
  'route',
  'matrix-cell',
] as const;
export type DrawnKind = (typeof DRAWN_KINDS)[number];
export type ExportFormat = 'svg' | 'png';
/** The panel's three views (design.md, "Extension contract"): buttons carry these as data-view. */
export const VIEWS = ['map', 'nodes', 'matrix'] as const;
export type ViewName = (typeof VIEWS)[number];

/** One cell of the connectivity matrix: workloads as NAMESPACE/NAME, other peers as `matrix` names them. */
export interface MatrixCell {
  src: string;
  dst: string;
  /** The connection set, as `matrix` prints it (`TCP 8080`, `All Connections`). */
  conn: string;
}

/** The matrix view's data: every allowed workload pair, and the same summed per namespace pair. */
export interface MatrixView {
  cells: MatrixCell[];
  namespaceCells: MatrixCell[];
}
export const TRACE_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type TraceProtocol = (typeof TRACE_PROTOCOLS)[number];

/** One hop of a packet trace as the view shows it. */
export interface TraceHopView {
  step: string;
  /** The Kubernetes node the hop happens on, when it happens on one. */
  node: string | null;
  detail: string;
  /** Ids of the drawn objects the hop involves (pods, Services, nodes, ingresses, `external`), to highlight. */
  objects: string[];
  source?: SourceRange;
}

export interface TraceView {
  /** What was traced, e.g. `shop/frontend → http://backend:8080/api`. */
  title: string;
  verdict: string;
  reason: string;
  hops: TraceHopView[];
}

/** What the page keeps across reloads (vscode.setState) and reports to the extension. */
export interface ViewState {
  /** The workspace folder's URI the view shows. */
  folder: string | null;
  hiddenNamespaces: string[];
  layers: { endpoints: boolean; ingress: boolean; policy: boolean };
  search: string;
  /** The pod or workload the policy layer is drawn for. */
  focus: string | null;
  transform: { x: number; y: number; k: number } | null;
  /** The view shown; the map when absent (a state saved before there were views). */
  view?: ViewName;
}

export const DEFAULT_VIEW_STATE: ViewState = {
  folder: null,
  hiddenNamespaces: [],
  layers: { endpoints: true, ingress: true, policy: true },
  search: '',
  focus: null,
  transform: null,
};

/** Extension → page. */
export type ToPage =
  /**
   * The map's picture of the folder's analysis, in its wire form (topologyWire.ts); `revision`
   * counts the analyses the panel sent. `queryMs`: how long the analysis worker took to build it
   * and hand it over; `sentAt`: Date.now() when it was posted; `openedAt`: Date.now() when the panel
   * was created (Show Topology ran), on the first one only; all for the view's own measurement.
   */
  | {
      type: 'topology';
      folder: string;
      folderName: string;
      revision: number;
      map: MapWire;
      queryMs?: number;
      sentAt?: number;
      openedAt?: number;
    }
  /** The pods and their endpoint edges of that revision, for the nodes view (asked for by `nodesRequest`), in their wire form (topologyWire.ts). */
  | { type: 'nodes'; revision: number; nodes: NodesWire }
  | { type: 'policy'; layer: PolicyLayer | null }
  | { type: 'trace'; trace: TraceView | null }
  /** The picture of `view` (the one shown when absent): the map, the nodes view or the matrix grid. */
  | { type: 'exportRequest'; requestId: number; format: ExportFormat; view?: ViewName }
  | { type: 'matrix'; matrix: MatrixView }
  | { type: 'status'; message: string };

/** What a reveal asks for: a drawn object by kind and id, a hop of the current trace, or a policy edge. */
export type RevealTarget = { kind: DrawnKind; id: string } | { kind: 'hop'; index: number } | { kind: 'policy'; id: string };

/** Page → extension. */
export type ToExtension =
  | { type: 'ready' }
  | { type: 'reveal'; target: RevealTarget }
  | { type: 'settings'; cni?: CniName; kubeProxyMode?: ProxyModeName; hostNetworkPods?: HostNetworkReading }
  | { type: 'focus'; id: string | null }
  /** Trace a connection from a drawn object (pod id, `external`, `node/NAME`) to a URL, HOST:PORT or IP:PORT. */
  | { type: 'traceRequest'; from: string; to: string; protocol?: TraceProtocol }
  | { type: 'export'; format: ExportFormat }
  /** The nodes view opened (or a trace is drawn on it): the extension answers with a `nodes` message for its current revision. */
  | { type: 'nodesRequest'; revision: number }
  /** The matrix view opened: the extension answers with a `matrix` message. */
  | { type: 'matrixRequest' }
  /** Save the connectivity matrix as CSV (the rows `kube-netsim matrix --format csv` prints). */
  | { type: 'exportMatrix' }
  | { type: 'exportResponse'; requestId: number; format: ExportFormat; data: string }
  | { type: 'exportFailed'; requestId: number; message: string }
  | { type: 'state'; state: ViewState };

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

const FORMATS: readonly string[] = ['svg', 'png'];

const toPageChecks: Record<ToPage['type'], Check> = {
  topology: check.obj({
    folder: check.str,
    folderName: check.str,
    revision: check.int,
    map: mapWireCheck(isMapRest),
    queryMs: check.optional(check.int),
    sentAt: check.optional(check.num),
    openedAt: check.optional(check.num),
  }),
  nodes: check.obj({ revision: check.int, nodes: nodesWireCheck }),
  policy: check.obj({ layer: check.nullable(isPolicyLayer) }),
  trace: check.obj({ trace: check.nullable(isTraceView) }),
  exportRequest: check.obj({ requestId: check.int, format: check.oneOf(FORMATS), view: check.optional(check.oneOf(VIEWS)) }),
  status: check.obj({ message: check.str }),
  matrix: check.obj({ matrix: isMatrixView }),
};

const revealTarget: Check = (v, at) => {
  const kind = check.obj({ kind: check.oneOf([...DRAWN_KINDS, 'hop', 'policy']) })(v, at);
  if (kind) return kind;
  const k = (v as { kind: string }).kind;
  return k === 'hop' ? check.obj({ index: check.int })(v, at) : check.obj({ id: check.str })(v, at);
};

const toExtensionChecks: Record<ToExtension['type'], Check> = {
  ready: check.obj({}),
  reveal: check.obj({ target: revealTarget }),
  settings: check.obj({
    cni: check.optional(check.oneOf(CNI_PLUGINS)),
    kubeProxyMode: check.optional(check.oneOf(PROXY_MODES)),
    hostNetworkPods: check.optional(check.oneOf(HOST_NETWORK_READINGS)),
  }),
  focus: check.obj({ id: check.nullable(check.str) }),
  traceRequest: check.obj({ from: check.str, to: check.str, protocol: check.optional(check.oneOf(TRACE_PROTOCOLS)) }),
  export: check.obj({ format: check.oneOf(FORMATS) }),
  nodesRequest: check.obj({ revision: check.int }),
  matrixRequest: check.obj({}),
  exportMatrix: check.obj({}),
  exportResponse: check.obj({ requestId: check.int, format: check.oneOf(FORMATS), data: check.str }),
  exportFailed: check.obj({ requestId: check.int, message: check.str }),
  state: check.obj({ state: isViewState }),
};

function parse<T>(raw: unknown, checks: Record<string, Check>): Parsed<T> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: 'message is not an object' };
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(checks, type))
    return { ok: false, error: `unknown message type ${shown(type)}` };
  const error = (checks[type] as Check)(raw, type);
  return error ? { ok: false, error } : { ok: true, message: raw as T };
}

/** Validates a message the page received; anything malformed is refused with the first problem found. */
export function parseToPage(raw: unknown): Parsed<ToPage> {
  return parse<ToPage>(raw, toPageChecks);
}

/** Validates a message the extension received from the page. */
export function parseToExtension(raw: unknown): Parsed<ToExtension> {
  return parse<ToExtension>(raw, toExtensionChecks);
}
