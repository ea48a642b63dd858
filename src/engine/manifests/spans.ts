// The position index behind ManifestObject.locate: the span of every node of a document by its
// path, built from the parser's events the first time a field of the document is located.
import { getScalarValue, EVENT_ID, SCALAR_STYLE, type Event, type ScalarEvent } from 'js-yaml';
import type { FieldPath, NodeSpan } from '../source';

/**
 * A chunk's parse events reduced to what the index needs, three numbers per event, kept with the
 * chunk so that locating a field never parses the text again (re-parsing the documents a run
 * locates cost as much as the first parse). Numbers in a typed array cost the garbage collector
 * nothing to trace, unlike the event objects or a finished index. A batch of documents shares one
 * array (each document's ChunkSpans reads its own range of it): one array per document cost an
 * ArrayBuffer and a typed array object each.
 *
 * Per event: [type | style << 4 | chomping << 8 | fast << 12 | (indent + 1) << 13, a, b], where a
 * and b are start and 0 (collections), valueStart and valueEnd (scalars), anchorStart and
 * anchorEnd (aliases).
 */
export type CompactEvents = Int32Array;

const WIDTH = 3;
/** Indentations beyond this (a line indented by a quarter of a million columns) are kept as this. */
const MAX_INDENT = (1 << 18) - 2;

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
        out[i] = ev.type | (ev.style << 4) | (ev.chomping << 8) | (ev.fast ? 1 << 12 : 0) | ((Math.min(MAX_INDENT, ev.indent) + 1) << 13);
        out[i + 1] = ev.valueStart;
        out[i + 2] = ev.valueEnd;
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
    indent: ((ev[i] ?? 0) >>> 13) - 1,
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

/** Documents of more events than this keep their collections' children lists (a cluster snapshot's List of thousands of items). */
const CACHE_ABOVE = 4096;

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
  /** Per root: whether its document is large enough for its children lists to be kept (see CACHE_ABOVE). */
  private readonly large: boolean[] = [];
  private readonly children = new Map<number, Map<string, Entry> | number[]>();

  /** Where this chunk's events end in `ev` (an index into it). */
  private readonly end: number;

  /** The chunk's events are `ev`'s events [fromEvent, toEvent) (all of them by default). */
  constructor(
    private readonly ev: CompactEvents,
    private readonly source: string,
    private readonly base: number,
    fromEvent = 0,
    toEvent = ev.length / WIDTH,
  ) {
    this.end = toEvent * WIDTH;
    let i = fromEvent * WIDTH;
    while (i < this.end) {
      if (typeAt(ev, i) !== EVENT_ID.DOCUMENT) {
        i += WIDTH;
        continue;
      }
      const root = i + WIDTH;
      const empty = root >= this.end || typeAt(ev, root) === EVENT_ID.POP;
      this.roots.push(empty ? -1 : root);
      i = empty ? root : this.skip(root);
      this.large.push(i - root > CACHE_ABOVE * WIDTH);
    }
  }

  document(docIndex: number): SpanIndex | undefined {
    const root = this.roots[docIndex];
    if (root === undefined) return undefined;
    const walk = this.large[docIndex] === true ? this.walk.bind(this) : this.scan.bind(this);
    return {
      get: (path) => {
        const found = walk(root, path);
        return found && found.depth === path.length ? this.span(found.node, found.key) : undefined;
      },
      nearest: (path) => {
        const found = walk(root, path);
        return found ? this.span(found.node, found.key) : undefined;
      },
    };
  }

  /**
   * walk() for a small document, reading the events along the path each time instead of keeping
   * its collections' children: one document's events are a few hundred, while the kept lists were
   * a Map and an entry object per key of every collection located (6 MB at 6,000 pods).
   */
  private scan(root: number, path: FieldPath): { node: number; key: number | undefined; depth: number } | undefined {
    if (root < 0) return undefined;
    const ev = this.ev;
    let node = root;
    let key: number | undefined;
    let depth = 0;
    for (const segment of path) {
      const t = typeAt(ev, node);
      let found = -1;
      let foundKey: number | undefined;
      if (t === EVENT_ID.SEQUENCE) {
        const name = String(segment);
        if (!INDEX.test(name)) break;
        let n = Number(name);
        for (let j = node + WIDTH; j < this.end && typeAt(ev, j) !== EVENT_ID.POP; j = this.skip(j))
          if (n-- === 0) {
            found = j;
            break;
          }
      } else if (t === EVENT_ID.MAPPING) {
        const name = String(segment);
        for (let j = node + WIDTH; j < this.end && typeAt(ev, j) !== EVENT_ID.POP;) {
          const value = this.skip(j);
          if (value >= this.end || typeAt(ev, value) === EVENT_ID.POP) break;
          // A repeated key is a syntax error, so the first entry of a name is its only one; but
          // aliases and collections as keys all read as '*' and '?', and the last of those counts (as in the kept lists).
          if (this.keyIs(j, name)) {
            found = value;
            foundKey = j;
            if (name !== '*' && name !== '?') break;
          }
          j = this.skip(value);
        }
      }
      if (found < 0) break;
      node = found;
      key = foundKey;
      depth++;
    }
    return { node, key, depth };
  }

  /** Whether the mapping key at `i` names `name` (as keyName would give it), without decoding a plain key. */
  private keyIs(i: number, name: string): boolean {
    const ev = this.ev;
    if (typeAt(ev, i) === EVENT_ID.SCALAR && ((ev[i] ?? 0) & (1 << 12)) !== 0) {
      const start = ev[i + 1] ?? -1;
      const end = ev[i + 2] ?? -1;
      if (start === -1) return name === '';
      return end - start === name.length && this.source.startsWith(name, start);
    }
    return this.keyName(i) === name;
  }

  /** The index just after the node at `i` (after its closing event for a collection). */
  private skip(i: number): number {
    const t = typeAt(this.ev, i);
    if (t !== EVENT_ID.MAPPING && t !== EVENT_ID.SEQUENCE) return i + WIDTH;
    let depth = 0;
    for (let j = i; j < this.end; j += WIDTH) {
      const u = typeAt(this.ev, j);
      if (u === EVENT_ID.MAPPING || u === EVENT_ID.SEQUENCE) depth++;
      else if (u === EVENT_ID.POP && --depth === 0) return j + WIDTH;
    }
    return this.end;
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
      for (let j = i + WIDTH; j < this.end && typeAt(this.ev, j) !== EVENT_ID.POP; j = this.skip(j)) items.push(j);
      list = items;
    } else {
      // A repeated key is a syntax error, so each name has one entry.
      const entries = new Map<string, Entry>();
      for (let j = i + WIDTH; j < this.end && typeAt(this.ev, j) !== EVENT_ID.POP;) {
        const value = this.skip(j);
        if (value >= this.end || typeAt(this.ev, value) === EVENT_ID.POP) break;
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
