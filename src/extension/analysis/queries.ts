// What the extension may ask a folder's simulation. Each query runs where the simulation lives (the
// analysis worker) and returns plain data: only data crosses between threads.
import { findSource, tracePacket, type Analysis, type InputFile, type Protocol } from '../../engine';
import {
  compareWith,
  endpoints,
  forwardPicks,
  httpOptions,
  matrix,
  ruleServices,
  rules,
  simulatedFiles,
  trace,
  tracePicks,
  type HttpTraceOptions,
} from './commandQueries';
import { runTroubleshoot, troubleshootPicks } from './troubleshoot';
import type { TroubleshootSubject } from '../../engine';
import { buildTopology, policyLayer } from '../../engine';
import type { DrawnKind, TraceView } from '../../shared/protocol';
import { encodeMap, encodeNodes, mapTopologyOf, nodesPartOf, type MapWire } from '../../shared/topologyWire';
import { topologySource } from './topologySource';
import { hoverAt } from './hoverText';
import { traceView } from './topologyTrace';
import { matrixCsv, matrixView } from './matrixView';
import { lensesFor } from './lensData';
import type { Position, SymbolIndex } from './symbols';
import { definitionAt, referencesAt } from './navigation';
import { prepareRename, renameLabel } from './rename';
import { completionsAt } from './completion';
import { networkTree } from './networkTree';
import { convertToGatewayApi, ingressesIn, type ConvertArgs } from './gatewayConvert';
import type { FolderInputs } from './service';

export const QUERIES = {
  hover: (a: Analysis, index: SymbolIndex, args: { file: string; position: Position }) => hoverAt(a, index, args.file, args.position),
  lenses: (a: Analysis, index: SymbolIndex, args: { file: string; folder: string }) => lensesFor(a, index, args.file, args.folder),
  topology: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => buildTopologyOnce(a),
  /** What the view's map is sent: no per-pod data, in its compact wire form (src/shared/topologyWire.ts). */
  topologyMap: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => mapWireOnce(a),
  /** What the nodes view adds: the pods and their endpoint edges, in their compact wire form. */
  topologyNodes: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => encodeNodes(nodesPartOf(buildTopologyOnce(a))),
  /** Where a drawn object is written. */
  topologySource: (a: Analysis, _index: SymbolIndex, args: { kind: DrawnKind; id: string }) =>
    topologySource(buildTopologyOnce(a), args.kind, args.id),
  policyLayer: (a: Analysis, _index: SymbolIndex, args: { focus: string }) => policyLayer(a, args.focus) ?? null,
  /** A trace drawn on the topology: its hops name the drawn objects they touch. */
  topologyTrace: (
    a: Analysis,
    _index: SymbolIndex,
    args: { from: string; to: string; protocol: Protocol; title: string; http?: HttpTraceOptions },
  ): { ok: true; view: TraceView } | { ok: false; message: string } => {
    const found = findSource(a.cluster, args.from);
    if (!found.ok) return { ok: false, message: found.message };
    const traced = tracePacket(a, found.source, args.to, args.protocol, httpOptions(args.http ?? {}));
    return { ok: true, view: traceView(traced, buildTopologyOnce(a), args.title) };
  },
  tracePicks: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => tracePicks(a),
  trace: (a: Analysis, _index: SymbolIndex, args: { from: string; to: string; protocol: Protocol; http?: HttpTraceOptions }) =>
    trace(a, args.from, args.to, args.protocol, args.http ?? {}),
  forwardPicks: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => forwardPicks(a),
  troubleshootPicks: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => troubleshootPicks(a),
  troubleshoot: (a: Analysis, _index: SymbolIndex, args: { subject: TroubleshootSubject }) => runTroubleshoot(a, args.subject),
  endpoints: (a: Analysis, _index: SymbolIndex, args: { service: string }) => endpoints(a, args.service),
  ruleServices: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => ruleServices(a),
  rules: (a: Analysis, _index: SymbolIndex, args: { service: string; node?: string }) => rules(a, args.service, args.node),
  matrix: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => matrix(a),
  /** The topology's matrix view, and its CSV export. */
  matrixView: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => matrixView(a),
  matrixCsv: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => matrixCsv(a),
  simulatedFiles: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => simulatedFiles(a),
  compareWith: (a: Analysis, _index: SymbolIndex, args: { old: InputFile[]; title: string }) => compareWith(a, args.old, args.title),
  // The editor's knowledge of the network (navigation.ts, rename.ts, completion.ts, networkTree.ts).
  definition: (a: Analysis, index: SymbolIndex, args: { file: string; position: Position }) =>
    definitionAt(a, index.text, args.file, args.position) ?? null,
  references: (a: Analysis, index: SymbolIndex, args: { file: string; position: Position; includeDeclaration: boolean }) =>
    referencesAt(a, index.text, args.file, args.position, args.includeDeclaration) ?? null,
  prepareRename: (a: Analysis, _index: SymbolIndex, args: { file: string; position: Position }) =>
    prepareRename(a, args.file, args.position),
  rename: (a: Analysis, index: SymbolIndex, args: { file: string; position: Position; newName: string }) =>
    renameLabel(a, index.text, args.file, args.position, args.newName),
  /** `text` is the editor's current text of the file (completion runs while it is being typed). */
  completion: (a: Analysis, _index: SymbolIndex, args: { text: string; position: Position }) => completionsAt(a, args.text, args.position),
  networkTree: (a: Analysis, _index: SymbolIndex, _args: Record<string, never>) => networkTree(a),
  // Convert to Gateway API (gatewayConvert.ts): re-simulates the folder's texts with the generated routes.
  ingressesIn: (a: Analysis, _index: SymbolIndex, args: { file: string }) => ingressesIn(a, args.file),
  convertToGatewayApi: (a: Analysis, _index: SymbolIndex, args: ConvertArgs, inputs: FolderInputs) => convertToGatewayApi(a, args, inputs),
};

// The view asks for the topology and then for traces on it: build it once per simulation.
const topologies = new WeakMap<Analysis, ReturnType<typeof buildTopology>>();
function buildTopologyOnce(a: Analysis): ReturnType<typeof buildTopology> {
  let t = topologies.get(a);
  if (!t) {
    t = buildTopology(a);
    topologies.set(a, t);
  }
  return t;
}

const mapWires = new WeakMap<Analysis, MapWire>();
function mapWireOnce(a: Analysis): MapWire {
  let w = mapWires.get(a);
  if (!w) {
    w = encodeMap(mapTopologyOf(buildTopologyOnce(a)));
    mapWires.set(a, w);
  }
  return w;
}

export type QueryName = keyof typeof QUERIES;
export type QueryArgs<N extends QueryName> = Parameters<(typeof QUERIES)[N]>[2];
export type QueryResult<N extends QueryName> = ReturnType<(typeof QUERIES)[N]>;
