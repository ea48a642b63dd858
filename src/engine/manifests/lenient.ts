// What Kubernetes' own YAML reader accepts and js-yaml does not, read as Kubernetes reads it.
// kubectl and the API machinery read YAML with sigs.k8s.io/yaml over go-yaml (v2, and v3 in
// kustomize), ports of libyaml, which is laxer than the YAML specification where manifests rely
// on it: inside flow collections (`[...]`, `{...}`) and in the continuation lines of quoted
// scalars, indentation is ignored ("In the flow context, indentation is ignored. We make the
// scanner less restrictive than specification requires", libyaml's scanner). So `args: [` with
// its items and `]` back at the key's column, or `podSelector: {` closed by `}` at the key's
// column, are read; js-yaml answers "deficient indentation". They are read here by indenting the
// lines js-yaml finds deficient (whitespace at the start of a line in flow context or of a quoted
// scalar's continuation is never content, so no value changes) and mapping every offset back.
// Not every leniency of go-yaml is one kubectl has: a key repeated in a mapping, which go-yaml's
// non-strict decoding would keep the last of, is rejected by kubectl apply ("mapping key already
// defined"), so it stays a syntax error; tabs as indentation are refused by both.
import { parseEvents, constructFromEvents, EVENT_ID, type Event, type Schema } from 'js-yaml';
import { checkAliasExpansion, type ParseLimits } from './limits';

export interface LenientParse {
  /** The parser's events, offsets in the original text. */
  events: Event[];
  values: unknown[];
}

/** Spaces inserted at `at` (an offset in the original text, a line start). */
interface Insert {
  at: number;
  count: number;
}

/** Re-parses at most this many times to indent deficient lines; a longer run reports the first error. */
const MAX_RETRIES = 512;
/** No line is indented past this column (nesting is capped far below it). */
const MAX_COLUMN = 4096;

/**
 * Parses `source` as go-yaml would; throws what js-yaml throws for anything go-yaml rejects too
 * (with the error's position in the original text).
 */
export function parseLenient(source: string, path: string, limits: ParseLimits, schema: Schema): LenientParse {
  const inserts: Insert[] = [];
  let text = source;
  let events: Event[] | undefined;
  let first: unknown;
  let lastLine = -1;
  let target = 0;
  for (let attempt = 0; !events; attempt++) {
    try {
      events = parseEvents(text, { filename: path, maxDepth: limits.maxDepth });
    } catch (err) {
      first ??= err;
      const at = errorPosition(err);
      if (reasonOf(err) !== 'deficient indentation' || at === undefined || attempt >= MAX_RETRIES) throw relocated(err, inserts, first);
      // The line js-yaml stopped at, in the original text.
      const original = toOriginal(at, inserts);
      const lineStart = source.lastIndexOf('\n', original - 1) + 1;
      const indent = indentation(text, text.lastIndexOf('\n', at - 1) + 1);
      // The indentation js-yaml wants is not in the error: start from the line above's and double it until it suffices.
      target = lineStart === lastLine ? target * 2 + 1 : Math.max(indent + 1, indentation(text, previousLine(text, at)) + 1);
      lastLine = lineStart;
      if (target > MAX_COLUMN) throw first;
      addInsert(inserts, lineStart, target - indent);
      text = applyInserts(source, inserts);
    }
  }
  checkAliasExpansion(events, text, limits);
  let values: unknown[];
  try {
    values = constructFromEvents(events, { source: text, filename: path, maxAliases: limits.maxAliases, schema });
  } catch (err) {
    throw relocated(err, inserts, err);
  }
  for (const ev of events) remap(ev, inserts);
  return { events, values };
}

function reasonOf(err: unknown): string | undefined {
  const reason = (err as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : undefined;
}

function errorPosition(err: unknown): number | undefined {
  const position = (err as { mark?: { position?: unknown } }).mark?.position;
  return typeof position === 'number' ? position : undefined;
}

/** The error to report: a later one with its position moved back to the original text, else the first. */
function relocated(err: unknown, inserts: Insert[], first: unknown): unknown {
  if (inserts.length === 0 || reasonOf(err) === 'deficient indentation') return first;
  const e = err as { mark?: { position?: number } };
  if (e.mark && typeof e.mark.position === 'number') e.mark = { ...e.mark, position: toOriginal(e.mark.position, inserts) };
  return err;
}

/** Columns of leading spaces and tabs of the line starting at `start`. */
function indentation(text: string, start: number): number {
  let i = start;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i - start;
}

/** The start of the nearest line above `at` that holds something other than whitespace. */
function previousLine(text: string, at: number): number {
  let end = text.lastIndexOf('\n', at - 1);
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    if (text.slice(start, end).trim() !== '') return start;
    end = start - 1;
  }
  return 0;
}

function addInsert(inserts: Insert[], at: number, count: number): void {
  const existing = inserts.find((i) => i.at === at);
  if (existing) existing.count += count;
  else {
    inserts.push({ at, count });
    inserts.sort((a, b) => a.at - b.at);
  }
}

function applyInserts(source: string, inserts: Insert[]): string {
  let out = '';
  let from = 0;
  for (const i of inserts) {
    out += source.slice(from, i.at) + ' '.repeat(i.count);
    from = i.at;
  }
  return out + source.slice(from);
}

/** An offset of the indented text in the original one (inserted spaces map to their line's start). */
function toOriginal(offset: number, inserts: Insert[]): number {
  let shift = 0;
  for (const i of inserts) {
    const at = i.at + shift;
    if (offset < at) break;
    if (offset < at + i.count) return i.at;
    shift += i.count;
  }
  return offset - shift;
}

function remap(ev: Event, inserts: Insert[]): void {
  if (inserts.length === 0) return;
  const back = (n: number) => (n < 0 ? n : toOriginal(n, inserts));
  switch (ev.type) {
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      ev.start = back(ev.start);
      ev.anchorStart = back(ev.anchorStart);
      ev.anchorEnd = back(ev.anchorEnd);
      ev.tagStart = back(ev.tagStart);
      ev.tagEnd = back(ev.tagEnd);
      break;
    case EVENT_ID.SCALAR:
      ev.valueStart = back(ev.valueStart);
      ev.valueEnd = back(ev.valueEnd);
      ev.anchorStart = back(ev.anchorStart);
      ev.anchorEnd = back(ev.anchorEnd);
      ev.tagStart = back(ev.tagStart);
      ev.tagEnd = back(ev.tagEnd);
      break;
    case EVENT_ID.ALIAS:
      ev.anchorStart = back(ev.anchorStart);
      ev.anchorEnd = back(ev.anchorEnd);
      break;
    default:
      break;
  }
}
