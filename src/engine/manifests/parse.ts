import { parseEvents, constructFromEvents, EVENT_ID, CORE_SCHEMA, mergeTag, type Event } from 'js-yaml';
import { LineIndex, type FieldPath, type SourceRange } from '../source';
import type { InputFile, ManifestObject, ParsedFile } from './types';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { describe } from './fields';
import { ChunkSpans, compactEvents, type CompactEvents, type SpanIndex } from './spans';
import { helmTemplate, scalarRanges } from './helm';
import { checkAliasExpansion, DEFAULT_LIMITS, type ParseLimits } from './limits';
import { isBuiltInGroup, unknownKindReason } from './kinds';
import { parseLenient, type LenientParse } from './lenient';

export type { InputFile, ManifestObject, ParsedFile } from './types';
export { DEFAULT_LIMITS, type ParseLimits } from './limits';

// kubectl's YAML reader honours merge keys (`<<: *labels`); without them merged labels vanish.
const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

/** Parses one file into Kubernetes objects; never throws: every problem becomes a diagnostic. */
export function parseManifestFile(file: InputFile, limits: ParseLimits = DEFAULT_LIMITS): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const objects: ManifestObject[] = [];
  const skip = skipReason(file, limits);
  if (skip) return { path: file.path, objects, diagnostics: [skip] };
  const text = yamlText(file);
  const lines = new LineIndex(text);
  for (const batch of batches(documentChunks(text))) parseRun(file.path, text, batch, lines, limits, objects, diagnostics);
  return { path: file.path, objects, diagnostics };
}

/** Why a file is not read at all (too large, binary), as its one diagnostic. */
export function skipReason(file: InputFile, limits: ParseLimits): Diagnostic | undefined {
  const head = { file: file.path, line: 1, column: 1, endLine: 1, endColumn: 1 };
  if ((file.bytes ?? file.text.length) > limits.maxFileBytes)
    return makeDiagnostic('file-skipped', head, {
      reason: `it is larger than ${limits.maxFileBytes} bytes (raise the limit to include it: the kubeNetsim.maxFileBytes setting, or --max-file-bytes)`,
    });
  if (file.text.includes('\u0000')) {
    // UTF-16 text read as UTF-8: a BOM (FF FE reads as two replacement characters) or every other character NUL.
    const utf16 = /^(\uFFFD\uFFFD|\uFEFF)?([^\0]\0|\0[^\0]){8}/.test(file.text);
    return makeDiagnostic('file-skipped', head, {
      reason: utf16 ? 'it is UTF-16 text; save it as UTF-8 to have it analysed' : 'it is binary (it contains NUL bytes)',
    });
  }
  return undefined;
}

// A BOM is not YAML content, and editors do not count it in columns: it is dropped. (Blanking it
// to a space indented the first line and made every BOM file a syntax error.)
export function yamlText(file: InputFile): string {
  return file.text.charCodeAt(0) === 0xfeff ? file.text.slice(1) : file.text;
}

/**
 * Parses a batch of consecutive chunks, in one pass when that is the same as one by one. With
 * `marks`, records where each chunk's objects and diagnostics end in the two lists.
 */
export function parseRun(
  path: string,
  text: string,
  batch: Chunk[],
  lines: LineIndex,
  limits: ParseLimits,
  objects: ManifestObject[],
  diagnostics: Diagnostic[],
  marks?: Array<[number, number]>,
): void {
  if (parseBatch(path, text, batch, lines, limits, objects, diagnostics, marks)) return;
  for (const chunk of batch) {
    parseChunk(path, text, chunk, lines, limits, objects, diagnostics);
    marks?.push([objects.length, diagnostics.length]);
  }
}

/**
 * Consecutive chunks parsed in one call, up to about this many characters: one parser call per
 * document cost a set-up each (option objects, a copy of the text; ~50 ms for the 4,000
 * documents of 50x40), while one call per file built event arrays so large that they outlived
 * the young generation and made garbage collection slower than the parse.
 */
const BATCH_CHARS = 32 * 1024;

export function batches<C extends Chunk>(chunks: C[]): C[][] {
  const out: C[][] = [];
  let current: C[] = [];
  let size = 0;
  for (const chunk of chunks) {
    if (current.length > 0 && size + (chunk.end - chunk.start) > BATCH_CHARS) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(chunk);
    size += chunk.end - chunk.start;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The chunk-by-chunk parse alone, which parseManifestFile must always agree with (for tests). */
export function parseByChunks(file: InputFile, limits: ParseLimits = DEFAULT_LIMITS): ParsedFile {
  const objects: ManifestObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const text = yamlText(file);
  const lines = new LineIndex(text);
  for (const chunk of documentChunks(text)) parseChunk(file.path, text, chunk, lines, limits, objects, diagnostics);
  return { path: file.path, objects, diagnostics };
}

/**
 * Parses consecutive chunks in one pass when that gives what parsing them one by one gives: their
 * text parses, and each document lies in a chunk that holds nothing but documents. Otherwise (a
 * broken or templated document, a directive before a marker) returns false having reported
 * nothing, and the chunks are parsed one by one, so one bad document never hides the others.
 */
function parseBatch(
  path: string,
  text: string,
  batch: Chunk[],
  lines: LineIndex,
  limits: ParseLimits,
  objects: ManifestObject[],
  diagnostics: Diagnostic[],
  marks?: Array<[number, number]>,
): boolean {
  const base = (batch[0] as Chunk).start;
  const source = text.slice(base, (batch[batch.length - 1] as Chunk).end);
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(source, { filename: path, maxDepth: limits.maxDepth });
    checkAliasExpansion(events, source, limits);
    values = constructFromEvents(events, { source, filename: path, maxAliases: limits.maxAliases, schema: SCHEMA });
  } catch {
    return false;
  }
  const groups = groupDocuments(
    events,
    values,
    batch.map((c) => ({ start: c.start - base, end: c.end - base })),
  );
  if (!groups) return false;
  // Plain loops: a closure here would keep this call's context, and with it every event object of
  // the batch, alive as long as the objects' locate() (it did: +400 MB on 50x40).
  // One compact array for the batch, each chunk's index reading its range of it.
  const compact = compactEvents(events);
  for (let c = 0; c < groups.length; c++) {
    const g = groups[c] as { from: number; to: number; values: unknown[] };
    const chunk = batch[c] as Chunk;
    const template = helmTemplate(text.slice(chunk.start, chunk.end), scalarRanges(events, g.from, g.to, chunk.start - base));
    if (template) {
      const at = chunk.start + template.index;
      diagnostics.push(makeDiagnostic('helm-template', lines.range(path, at, at + template.length), {}));
    } else {
      const spansOf = lazySpans(compact, source, base, g.from, g.to);
      for (let d = 0; d < g.values.length; d++) collectObjects(path, g.values[d], [], spansOf(d), lines, objects, diagnostics);
    }
    marks?.push([objects.length, diagnostics.length]);
  }
  return true;
}

/**
 * The position index of a chunk's documents, built when a field is first located (most never
 * are), from a compact copy of the events: holding every document's index made GC dominate big
 * workspaces, and parsing again cost as much as the first parse. A function of its own, so that
 * what locate() keeps alive is this and nothing of the parse.
 */
function lazySpans(
  compact: CompactEvents,
  source: string,
  base: number,
  fromEvent?: number,
  toEvent?: number,
): (docIndex: number) => () => SpanIndex {
  let spans: ChunkSpans | undefined;
  return (docIndex) => () => {
    spans ??= new ChunkSpans(compact, source, base, fromEvent, toEvent);
    return spans.document(docIndex) ?? NO_SPANS;
  };
}

/**
 * A batch's documents by chunk: each chunk's events [from, to) and values. Undefined when a
 * document starts outside every chunk or a chunk holds no document (the chunk-by-chunk parse would
 * not see the same documents). Empty documents (no node) go with the document before them.
 */
function groupDocuments(
  events: Event[],
  values: unknown[],
  chunks: Chunk[],
): Array<{ from: number; to: number; values: unknown[] }> | undefined {
  const groups: Array<{ from: number; to: number; values: unknown[] }> = chunks.map(() => ({ from: -1, to: -1, values: [] }));
  let c = -1;
  let doc = -1;
  let depth = 0;
  for (let i = 0; i < events.length; i++) {
    const ev = events[i] as Event;
    if (depth === 0) {
      if (ev.type !== EVENT_ID.DOCUMENT) return undefined;
      doc++;
      const at = nodeStart(events[i + 1]);
      if (at >= 0) {
        while (c + 1 < chunks.length && (chunks[c + 1] as Chunk).start <= at) c++;
        const chunk = chunks[c];
        if (!chunk || at >= chunk.end) return undefined;
      }
      const g = groups[c];
      if (g) {
        if (g.from < 0) g.from = i;
        g.values.push(values[doc]);
      } else if (at >= 0) return undefined;
      depth = 1;
      continue;
    }
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) depth++;
    else if (ev.type === EVENT_ID.POP && --depth === 0) {
      const g = groups[c];
      if (g) g.to = i + 1;
    }
  }
  return groups.every((g) => g.from >= 0 && g.values.length > 0) ? groups : undefined;
}

/** Where a document's first node starts; -1 for an empty document. */
function nodeStart(ev: Event | undefined): number {
  switch (ev?.type) {
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return ev.start;
    case EVENT_ID.SCALAR:
      return ev.valueStart;
    case EVENT_ID.ALIAS:
      return ev.anchorStart;
    default:
      return -1;
  }
}

export interface Chunk {
  start: number;
  end: number;
}

/**
 * Splits a stream at document markers so that one broken or templated document never hides the
 * others. Markers inside block scalars are rare enough in manifests that a line-based split,
 * retried as one piece when it fails, is the honest trade-off.
 */
export function documentChunks(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  const re = /^---(?=[ \t]|\r?$)/gm;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m.index > start || chunks.length > 0) chunks.push({ start, end: m.index });
    start = m.index;
    if (re.lastIndex === m.index) re.lastIndex++;
  }
  chunks.push({ start, end: text.length });
  return chunks.filter((c) => text.slice(c.start, c.end).replace(/^---/, '').trim().length > 0);
}

function parseChunk(
  path: string,
  text: string,
  chunk: Chunk,
  lines: LineIndex,
  limits: ParseLimits,
  objects: ManifestObject[],
  diagnostics: Diagnostic[],
): void {
  // Parse the chunk alone and shift offsets by its start. (Blanking everything before the chunk
  // made each document cost the whole file: a 1.4 MB stream of 5000 documents took minutes.)
  const source = text.slice(chunk.start, chunk.end);
  let parsed: LenientParse | undefined;
  let error: unknown;
  try {
    // What go-yaml reads, js-yaml's strict reading refuses (see lenient.ts); the batch parse above tried that first.
    parsed = parseLenient(source, path, limits, SCHEMA);
  } catch (err) {
    error = err;
  }
  const template = helmTemplate(source, parsed ? scalarRanges(parsed.events, 0, parsed.events.length, 0) : undefined);
  if (template) {
    const at = chunk.start + template.index;
    diagnostics.push(makeDiagnostic('helm-template', lines.range(path, at, at + template.length), {}));
    return;
  }
  if (!parsed) {
    const d = yamlErrorDiagnostic(path, error, lines, chunk.start, source);
    // A data file that does not parse (mongo's JSON lines, a broken values file) is not a manifest:
    // only text that names an apiVersion or a kind is held to be one.
    if (d.code === 'yaml-limit' || looksLikeManifest(source)) diagnostics.push(d);
    return;
  }
  const { events, values } = parsed;
  const spansOf = lazySpans(compactEvents(events), source, chunk.start);
  for (let d = 0; d < values.length; d++) collectObjects(path, values[d], [], spansOf(d), lines, objects, diagnostics);
}

/** Whether a document's text names an apiVersion or a kind as a key (YAML or JSON), as every manifest does. */
function looksLikeManifest(source: string): boolean {
  return /(?:^|[\s{,])["']?(?:apiVersion|kind)["']?[ \t]*:/.test(source);
}

/** A plain YAML document with positions, for files that are not Kubernetes objects (settings). */
export interface PositionedDocument {
  value: unknown;
  locate(path: FieldPath): SourceRange;
  /** Range of the key of the mapping entry at `path` (for "unknown key" reports); falls back to locate. */
  locateKey(path: FieldPath): SourceRange;
  diagnostics: Diagnostic[];
}

export function parsePositionedDocument(path: string, input: string, limits: ParseLimits = DEFAULT_LIMITS): PositionedDocument {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines = new LineIndex(text);
  try {
    const events = parseEvents(text, { filename: path, maxDepth: limits.maxDepth });
    checkAliasExpansion(events, text, limits);
    const values = constructFromEvents(events, { source: text, filename: path, maxAliases: limits.maxAliases, schema: SCHEMA });
    const spans = new ChunkSpans(compactEvents(events), text, 0).document(0) ?? NO_SPANS;
    const locate = locator(path, [], () => spans, lines);
    const locateKey = (p: FieldPath): SourceRange => {
      const span = spans.get(p);
      return span && span.keyEnd > span.keyStart ? lines.range(path, span.keyStart, span.keyEnd) : locate(p);
    };
    return { value: values[0] ?? null, locate, locateKey, diagnostics: [] };
  } catch (err) {
    const head = () => lines.range(path, 0, 0);
    return { value: null, locate: head, locateKey: head, diagnostics: [yamlErrorDiagnostic(path, err, lines, 0, text)] };
  }
}

const NO_SPANS: SpanIndex = { get: () => undefined, nearest: () => undefined };

function locator(
  file: string,
  prefix: Array<string | number>,
  spansOf: () => SpanIndex,
  lines: LineIndex,
): (path: FieldPath) => SourceRange {
  return (path: FieldPath): SourceRange => {
    // The field, or its nearest ancestor that exists.
    const span = spansOf().nearest(prefix.length > 0 ? [...prefix, ...path] : path);
    if (!span) return lines.range(file, 0, 0);
    // Point at the value of a scalar, at the key of a collection (whose end is not known).
    return span.collection && span.keyEnd > span.keyStart
      ? lines.range(file, span.keyStart, span.keyEnd)
      : lines.range(file, span.start, span.collection ? span.start + 1 : span.end);
  };
}

/** A parse error as a diagnostic; `base` is the offset of the parsed `source` in the file. */
function yamlErrorDiagnostic(path: string, err: unknown, lines: LineIndex, base: number, source: string): Diagnostic {
  const e = err as { reason?: string; message?: string; mark?: { position?: number } };
  let local = typeof e.mark?.position === 'number' ? e.mark.position : 0;
  // An error at the very end (an unclosed bracket) belongs on the document's last line, not on the next one's `---`.
  const end = source.trimEnd().length;
  if (end > 0 && local >= end) local = end - 1;
  const at = base + local;
  const reason = e.reason ?? e.message ?? String(err);
  const code = /depth|alias/i.test(reason) ? 'yaml-limit' : 'yaml-syntax';
  return makeDiagnostic(code, lines.range(path, at, at + 1), { reason });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value with each list copied to an array of its own length. The parser builds lists by
 * pushing, and a pushed array keeps room for 17 elements: a one-port `ports` list held 150 bytes
 * it never used, 13 MB of every 6,000-pod analysis's memory. `copies` keeps an aliased list
 * (`*ports` used twice) one array, as the parser made it.
 */
function withExactLists<T>(value: T, copies: Map<unknown[], unknown[]>): T {
  if (Array.isArray(value)) {
    const known = copies.get(value);
    if (known) return known as T;
    const copy = (value as unknown[]).slice();
    copies.set(value, copy);
    for (let i = 0; i < copy.length; i++) copy[i] = withExactLists(copy[i], copies);
    return copy as T;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const v = record[key];
      if (typeof v === 'object' && v !== null) record[key] = withExactLists(v, copies);
    }
  }
  return value;
}

function collectObjects(
  file: string,
  value: unknown,
  prefix: Array<string | number>,
  spans: () => SpanIndex,
  lines: LineIndex,
  out: ManifestObject[],
  diagnostics: Diagnostic[],
  listType?: { apiVersion: string; kind: string },
): void {
  if (!isRecord(value)) return; // scalars, lists and empty documents are not Kubernetes objects
  // Items of a typed list as the API server returns it (PodList, NamespaceList) carry no kind of their own.
  const untyped = value['apiVersion'] === undefined && value['kind'] === undefined;
  const apiVersion = untyped && listType ? listType.apiVersion : value['apiVersion'];
  const kind = untyped && listType ? listType.kind : value['kind'];
  if (apiVersion === undefined && kind === undefined) return; // compose files, CI workflows: quietly ignored
  const locate = locator(file, prefix, spans, lines);
  const has = (path: FieldPath): boolean => spans().get(prefix.length > 0 ? [...prefix, ...path] : path) !== undefined;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    const field = typeof kind !== 'string' ? 'kind' : 'apiVersion';
    const missing = value[field] === undefined;
    const reason = missing
      ? `This object has no \`${field}\`; add one (e.g. ${field === 'kind' ? 'kind: Deployment' : 'apiVersion: apps/v1'}).`
      : `\`${field}\` must be a string.`;
    diagnostics.push(makeDiagnostic('manifest-invalid', locate(missing ? [] : [field]), { reason }));
    return;
  }
  // `FooList` is a typed list only in the built-in groups: a custom kind may end in List (an AllowList).
  if (kind === 'List' || (kind.endsWith('List') && isBuiltInGroup(apiVersion))) {
    const items = value['items'];
    if (Array.isArray(items)) {
      const itemType = kind === 'List' ? undefined : { apiVersion, kind: kind.slice(0, -'List'.length) };
      items.forEach((item, i) => {
        // kubectl rejects a List whose item is not an object; a silent skip would hide that item's objects.
        if (isRecord(item)) collectObjects(file, item, [...prefix, 'items', i], spans, lines, out, diagnostics, itemType);
        else
          diagnostics.push(
            makeDiagnostic('manifest-invalid', locate(['items', i]), {
              reason: `Each item of a ${kind} must be an object (apiVersion, kind, metadata), not ${describe(item)}.`,
            }),
          );
      });
      return;
    }
    if (kind === 'List') {
      if (items !== undefined && items !== null)
        diagnostics.push(
          makeDiagnostic('manifest-invalid', locate(['items']), { reason: `\`items\` must be a list of objects, not ${describe(items)}.` }),
        );
      return; // an empty List holds nothing to simulate
    }
  }
  const metadataRaw = value['metadata'];
  // Client-side configuration (kubeconfig, kind, kubeadm, skaffold) has apiVersion and kind but no metadata: not a cluster object.
  if (metadataRaw === undefined && (!isBuiltInGroup(apiVersion) || (apiVersion === 'v1' && kind === 'Config'))) return;
  const kindReason = unknownKindReason(apiVersion, kind);
  if (kindReason !== undefined && !untyped) diagnostics.push(makeDiagnostic('manifest-invalid', locate(['kind']), { reason: kindReason }));
  if (metadataRaw !== undefined && metadataRaw !== null && !isRecord(metadataRaw)) {
    diagnostics.push(
      makeDiagnostic('manifest-invalid', locate(['metadata']), {
        reason: `\`metadata\` must be a mapping with at least \`name\`, not ${describe(metadataRaw)}.`,
      }),
    );
    return;
  }
  const metadata = isRecord(metadataRaw) ? metadataRaw : {};
  const name = metadata['name'];
  const generateName = metadata['generateName'];
  const namespace = metadata['namespace'];
  // The API server rejects these; simulating the object under a made-up name or the default namespace would mislead.
  for (const [field, v] of [
    ['name', name],
    ['generateName', generateName],
    ['namespace', namespace],
  ] as const) {
    if (v !== undefined && v !== null && typeof v !== 'string') {
      diagnostics.push(
        makeDiagnostic('manifest-invalid', locate(['metadata', field]), {
          reason: `\`metadata.${field}\` must be a string, not ${describe(v)}.`,
        }),
      );
      return;
    }
  }
  const object: ManifestObject = {
    file,
    apiVersion,
    kind,
    name: typeof name === 'string' ? name : typeof generateName === 'string' ? generateName : '',
    namespace: typeof namespace === 'string' ? namespace : undefined,
    raw: withExactLists(value, new Map()),
    locate,
    has,
  };
  if (object.name === '') {
    // A custom resource without a name is input to a tool (istioctl's IstioOperator), not an
    // object applied to the API server: nothing here simulates it, and nothing is wrong with it.
    if (!isBuiltInGroup(apiVersion)) return;
    diagnostics.push(makeDiagnostic('manifest-invalid', locate(['metadata']), { reason: `${kind} has no metadata.name; add one` }));
    return;
  }
  out.push(object);
}
