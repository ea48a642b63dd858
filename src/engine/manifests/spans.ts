// The position index behind ManifestObject.locate: the span of every node of a document by its
// path, built from the parser's events the first time a field of the document is located.
import { getScalarValue, EVENT_ID, SCALAR_STYLE, type Event, type ScalarEvent } from 'js-yaml';
import type { FieldPath, NodeSpan } from '../source';

/**
 * A chunk's parse events reduced to what the index needs, four numbers per event, kept with the
 * chunk so that locating a field never parses the text again (re-parsing the documents a run
 * locates cost as much as the first parse). Numbers in a typed array cost the garbage collector
 * nothing to trace, unlike the event objects or a finished index.
 *
 * Per event: [type | style << 4 | chomping << 8 | fast << 12, a, b, indent], where a and b are
 * start and 0 (collections), valueStart and valueEnd (scalars), anchorStart and anchorEnd (aliases).
 */
export type CompactEvents = Int32Array;

const WIDTH = 4;

/** The events [from, to) in compact form (a whole file's events hold every chunk's). */
export function compactEvents(events: readonly Event[], from = 0, to = events.length): CompactEvents {
  const out = new Int32Array((to - from) * WIDTH);
  let i = 0;
  for (let e = from; e < to; e++) {
    const ev = events[e] as Event;
    switch (ev.type) {
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        out[i] = ev.type;
        out[i + 1] = ev.start;
        break;
      case EVENT_ID.SCALAR:
        out[i] = ev.type | (ev.style << 4) | (ev.chomping << 8) | (ev.fast ? 1 << 12 : 0);
        out[i + 1] = ev.valueStart;
        out[i + 2] = ev.valueEnd;
        out[i + 3] = ev.indent;
        break;
      case EVENT_ID.ALIAS:
        out[i] = ev.type;
        out[i + 1] = ev.anchorStart;
        out[i + 2] = ev.anchorEnd;
        break;
      default:
        out[i] = ev.type;
    }
    i += WIDTH;
  }
  return out;
}

/** The decoded text of the scalar at `i` (only mapping keys are ever decoded). */
function scalarText(source: string, ev: CompactEvents, i: number): string {
  const head = ev[i] ?? 0;
  const valueStart = ev[i + 1] ?? -1;
  const valueEnd = ev[i + 2] ?? -1;
  if (valueStart === -1) return '';
  if (head & (1 << 12)) return source.slice(valueStart, valueEnd);
  const scalar = {
    type: EVENT_ID.SCALAR,
    valueStart,
    valueEnd,
    anchorStart: -1,
    anchorEnd: -1,
    tagStart: -1,
    tagEnd: -1,
    style: (head >> 4) & 15,
    chomping: (head >> 8) & 15,
    indent: ev[i + 3] ?? -1,
    fast: false,
  };
  return getScalarValue(source, scalar as ScalarEvent);
}

/** Where one document's nodes are, by path. */
export interface SpanIndex {
  /** The node at exactly `path`. */
  get(path: FieldPath): NodeSpan | undefined;
  /** The deepest node along `path` (the node itself when it exists); undefined only for an empty document. */
  nearest(path: FieldPath): NodeSpan | undefined;
}

const typeAt = (ev: CompactEvents, i: number) => (ev[i] ?? 0) & 15;

/** A mapping entry: the event of its key and of its value. */
interface Entry {
  key: number;
  value: number;
}

const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * The documents of a chunk as span indexes that are built lazily along the paths asked for: a
 * collection's children are listed the first time a path goes through it, so locating one field
 * of a document costs a walk of the levels above it, not an index of every node (which cost a
 * map entry and a joined path string per node, for documents whose one or two fields are ever located).
 */
export class ChunkSpans {
  /** The event of each document's root node (-1 for an empty document). */
  private readonly roots: number[] = [];
  private readonly children = new Map<number, Map<string, Entry> | number[]>();

  constructor(
    private readonly ev: CompactEvents,
    private readonly source: string,
    private readonly base: number,
  ) {
    let i = 0;
    while (i < ev.length) {
      if (typeAt(ev, i) !== EVENT_ID.DOCUMENT) {
        i += WIDTH;
        continue;
      }
      const root = i + WIDTH;
      const empty = root >= ev.length || typeAt(ev, root) === EVENT_ID.POP;
      this.roots.push(empty ? -1 : root);
      i = empty ? root : this.skip(root);
    }
  }

  document(docIndex: number): SpanIndex | undefined {
    const root = this.roots[docIndex];
    if (root === undefined) return undefined;
    return {
      get: (path) => {
        const found = this.walk(root, path);
        return found && found.depth === path.length ? this.span(found.node, found.key) : undefined;
      },
      nearest: (path) => {
        const found = this.walk(root, path);
        return found ? this.span(found.node, found.key) : undefined;
      },
    };
  }

  /** The index just after the node at `i` (after its closing event for a collection). */
  private skip(i: number): number {
    const t = typeAt(this.ev, i);
    if (t !== EVENT_ID.MAPPING && t !== EVENT_ID.SEQUENCE) return i + WIDTH;
    let depth = 0;
    for (let j = i; j < this.ev.length; j += WIDTH) {
      const u = typeAt(this.ev, j);
      if (u === EVENT_ID.MAPPING || u === EVENT_ID.SEQUENCE) depth++;
      else if (u === EVENT_ID.POP && --depth === 0) return j + WIDTH;
    }
    return this.ev.length;
  }

  /** Follows `path` from the root as far as it exists. */
  private walk(root: number, path: FieldPath): { node: number; key: number | undefined; depth: number } | undefined {
    if (root < 0) return undefined;
    let node = root;
    let key: number | undefined;
    let depth = 0;
    for (const segment of path) {
      const list = this.childrenOf(node);
      if (!list) break;
      const name = String(segment);
      if (Array.isArray(list)) {
        const item = INDEX.test(name) ? list[Number(name)] : undefined;
        if (item === undefined) break;
        node = item;
        key = undefined;
      } else {
        const entry = list.get(name);
        if (!entry) break;
        node = entry.value;
        key = entry.key;
      }
      depth++;
    }
    return { node, key, depth };
  }

  private childrenOf(i: number): Map<string, Entry> | number[] | undefined {
    const t = typeAt(this.ev, i);
    if (t !== EVENT_ID.MAPPING && t !== EVENT_ID.SEQUENCE) return undefined;
    let list = this.children.get(i);
    if (list) return list;
    if (t === EVENT_ID.SEQUENCE) {
      const items: number[] = [];
      for (let j = i + WIDTH; j < this.ev.length && typeAt(this.ev, j) !== EVENT_ID.POP; j = this.skip(j)) items.push(j);
      list = items;
    } else {
      // A repeated key is a syntax error, so each name has one entry.
      const entries = new Map<string, Entry>();
      for (let j = i + WIDTH; j < this.ev.length && typeAt(this.ev, j) !== EVENT_ID.POP;) {
        const value = this.skip(j);
        if (value >= this.ev.length || typeAt(this.ev, value) === EVENT_ID.POP) break;
        entries.set(this.keyName(j), { key: j, value });
        j = this.skip(value);
      }
      list = entries;
    }
    this.children.set(i, list);
    return list;
  }

  /** What a node names as a mapping key: a scalar's text; '*' for an alias, '?' for a collection (never a Kubernetes field). */
  private keyName(i: number): string {
    const t = typeAt(this.ev, i);
    if (t === EVENT_ID.SCALAR) return scalarText(this.source, this.ev, i);
    return t === EVENT_ID.ALIAS ? '*' : '?';
  }

  /** Where the node at `i` is: [start, end) of its value (a collection's start only). */
  private place(i: number): [number, number] {
    const ev = this.ev;
    switch (typeAt(ev, i)) {
      case EVENT_ID.SCALAR: {
        const style = ((ev[i] ?? 0) >> 4) & 15;
        const valueEnd = ev[i + 2] ?? 0;
        // A block scalar's value starts on the line after `|`/`>`; point at its text, not at the indentation.
        let start = ev[i + 1] ?? 0;
        if (style === SCALAR_STYLE.LITERAL_BLOCK || style === SCALAR_STYLE.FOLDED_BLOCK)
          while (start < valueEnd && (this.source[start] === ' ' || this.source[start] === '\t')) start++;
        return [this.base + start, this.base + valueEnd];
      }
      case EVENT_ID.ALIAS:
        // Aliases are pointed at where they are used, which is what a user wants to see.
        return [this.base + Math.max(0, (ev[i + 1] ?? 0) - 1), this.base + (ev[i + 2] ?? 0)];
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        return [this.base + (ev[i + 1] ?? 0), this.base + (ev[i + 1] ?? 0)];
      default:
        // A collection used as a mapping key: no position of its own.
        return [this.base, this.base];
    }
  }

  private span(node: number, key: number | undefined): NodeSpan {
    const [start, end] = this.place(node);
    const t = typeAt(this.ev, node);
    const collection = t === EVENT_ID.MAPPING || t === EVENT_ID.SEQUENCE;
    if (key === undefined) return { keyStart: start, keyEnd: start, start, end, collection };
    const keyType = typeAt(this.ev, key);
    const [keyStart, keyEnd] = keyType === EVENT_ID.MAPPING || keyType === EVENT_ID.SEQUENCE ? [this.base, this.base] : this.place(key);
    return { keyStart, keyEnd, start, end, collection };
  }
}
