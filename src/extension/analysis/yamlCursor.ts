// Runs in the analysis worker (no vscode here): where the cursor is in a YAML document being typed,
// as a path of keys and list indexes, for completion. The text is the editor's current one (it may
// be half-written): the token under the cursor is replaced by a marker, the document parsed, and the
// marker found in what it parses to. Block and flow style on the cursor's line are understood.
import { load } from 'js-yaml';
import { isRecord } from '../../engine';
import type { Position } from './symbols';

const MARK = 'kubenetsim0cursor0mark';
/** Documents larger than this get no completion: it would parse a large text on every keystroke. */
const MAX_DOCUMENT_CHARS = 1_000_000;

export interface CursorContext {
  /** From the document's root to the node being typed: keys and list indexes. The last element is the key typed (`key`) or the key or index whose value is typed (`value`). */
  path: Array<string | number>;
  at: 'key' | 'value';
  /** What is typed of the token before the cursor (without its quote). */
  prefix: string;
  /** The token's place on its line (0-based), which a completion replaces. */
  line: number;
  start: number;
  end: number;
  /** The token is inside quotes: the completion must not add any. */
  quoted: boolean;
  /** The cursor sits right after `key:`: a value needs a space before it. */
  needsSpace: boolean;
  /** The document as parsed with the marker in place of the token. */
  doc: Record<string, unknown>;
}

/** Unquoted position of the innermost unclosed `{` or `[` before `end` on a line, and the last `,` after it; -1 when none. */
function flowOpen(line: string, end: number): { open: number; bracket: string; comma: number } {
  const stack: Array<{ at: number; c: string }> = [];
  let comma = -1;
  let quote: string | undefined;
  for (let i = 0; i < end; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) break;
    else if (c === '{' || c === '[') stack.push({ at: i, c });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') comma = i;
  }
  const top = stack[stack.length - 1];
  if (!top) return { open: -1, bracket: '', comma: -1 };
  return { open: top.at, bracket: top.c, comma: comma > top.at ? comma : -1 };
}

/** The first unquoted `:` followed by a space (or the end) in `s`, or -1. */
function colonAt(s: string): number {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ':' && (i + 1 === s.length || s[i + 1] === ' ' || s[i + 1] === '\t')) return i;
  }
  return -1;
}

interface Token {
  at: 'key' | 'value';
  /** Where the token starts on the line (after an opening quote). */
  start: number;
  quoted: boolean;
  needsSpace: boolean;
  /** The line with the token replaced by the marker. */
  patched: (end: number) => string;
}

/** What the cursor is typing on its line: a key or a value, where it starts, and the line with a marker in its place. */
function tokenOf(line: string, ch: number): Token | undefined {
  const before = line.slice(0, ch);
  const flow = flowOpen(line, ch);
  if (flow.open >= 0) {
    const segStart = Math.max(flow.open, flow.comma) + 1;
    const seg = before.slice(segStart);
    const colon = colonAt(seg);
    const lead = /^\s*/.exec(seg)?.[0].length ?? 0;
    if (colon >= 0 || flow.bracket === '[') {
      const vs = colon >= 0 ? segStart + colon + 1 + (/^\s*/.exec(seg.slice(colon + 1))?.[0].length ?? 0) : segStart + lead;
      const quoted = line[vs] === '"' || line[vs] === "'";
      const start = quoted ? vs + 1 : vs;
      return {
        at: 'value',
        start,
        quoted,
        needsSpace: colon >= 0 && vs === segStart + colon + 1,
        patched: (end) =>
          `${line.slice(0, vs)}${colon >= 0 && vs === segStart + colon + 1 ? ' ' : ''}${quoted ? line[vs] : ''}${MARK}${line.slice(end)}`,
      };
    }
    const start = segStart + lead;
    return {
      at: 'key',
      start,
      quoted: false,
      needsSpace: false,
      patched: (end) => `${line.slice(0, start)}${MARK}: null${line.slice(end)}`,
    };
  }
  const m = /^(\s*)((?:-\s+)*)(.*)$/.exec(before);
  if (!m) return undefined;
  const lead = (m[1] ?? '').length + (m[2] ?? '').length;
  const rest = m[3] ?? '';
  if (rest.startsWith('#')) return undefined;
  const colon = colonAt(rest);
  if (colon >= 0) {
    const afterColon = rest.slice(colon + 1);
    const vs = lead + colon + 1 + (/^\s*/.exec(afterColon)?.[0].length ?? 0);
    if (/^[|>]/.test(line.slice(vs))) return undefined; // a block scalar's header
    const quoted = line[vs] === '"' || line[vs] === "'";
    const start = quoted ? vs + 1 : vs;
    const needsSpace = vs === lead + colon + 1;
    return {
      at: 'value',
      start,
      quoted,
      needsSpace,
      // The rest of the line is the rest of the token (or a comment): the marker replaces it all.
      patched: () => `${line.slice(0, vs)}${needsSpace ? ' ' : ''}${quoted ? line[vs] : ''}${MARK}${quoted ? line[vs] : ''}`,
    };
  }
  // `- item` is a scalar list item (args, values); anything else without a colon is a key being typed.
  const quoted = rest.startsWith('"') || rest.startsWith("'");
  if ((m[2] ?? '') !== '')
    return {
      at: 'value',
      start: quoted ? lead + 1 : lead,
      quoted,
      needsSpace: false,
      patched: () => `${line.slice(0, lead)}${quoted ? rest[0] : ''}${MARK}${quoted ? rest[0] : ''}`,
    };
  return { at: 'key', start: quoted ? lead + 1 : lead, quoted, needsSpace: false, patched: () => `${line.slice(0, lead)}${MARK}: null` };
}

/** The path of the marker in a parsed value (a key or a value), or undefined. */
function findMark(v: unknown, path: Array<string | number>, depth = 0): { path: Array<string | number>; at: 'key' | 'value' } | undefined {
  if (depth > 100) return undefined;
  if (v === MARK) return { path, at: 'value' };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findMark(v[i], [...path, i], depth + 1);
      if (hit) return hit;
    }
  } else if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === MARK) return { path: [...path, k], at: 'key' };
      const hit = findMark(x, [...path, k], depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

function parse(text: string): unknown {
  try {
    return load(text, { maxAliases: 100, maxDepth: 100 });
  } catch {
    return undefined;
  }
}

/** Where the cursor is in the YAML document of `text` that holds it; undefined where no completion can help (comments, a document that does not parse). */
export function cursorContext(text: string, pos: Position): CursorContext | undefined {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const line = lines[pos.line];
  if (line === undefined || /^(---|\.\.\.)(\s|$)/.test(line)) return undefined;
  let first = pos.line;
  while (first > 0 && !/^(---|\.\.\.)(\s|$)/.test(lines[first - 1] ?? '')) first--;
  let last = pos.line;
  while (last + 1 < lines.length && !/^(---|\.\.\.)(\s|$)/.test(lines[last + 1] ?? '')) last++;
  const ch = Math.min(pos.character, line.length);
  const token = tokenOf(line, ch);
  if (!token) return undefined;
  // The token runs on after the cursor up to a space, a comma, a bracket, a quote or a comment.
  const tail = /^[^\s,{}[\]"'#]*/.exec(line.slice(ch))?.[0].length ?? 0;
  const end = ch + tail;
  const patched = token.patched(end);
  const docLines = lines.slice(first, last + 1);
  const at = pos.line - first;
  if (docLines.reduce((n, l) => n + l.length + 1, 0) > MAX_DOCUMENT_CHARS) return undefined;
  docLines[at] = patched;
  // Lines after the cursor may be half-written too: try the whole document, then the part up to the cursor.
  let doc = parse(docLines.join('\n'));
  let hit = findMark(doc, []);
  if (!hit) {
    doc = parse(docLines.slice(0, at + 1).join('\n'));
    hit = findMark(doc, []);
  }
  if (!hit || !isRecord(doc)) return undefined;
  return {
    path: hit.path,
    at: hit.at,
    prefix: line.slice(token.start, ch),
    line: pos.line,
    start: token.start,
    end,
    quoted: token.quoted,
    needsSpace: token.needsSpace,
    doc,
  };
}

/** Whether a value of the parsed document is the marker (the node being typed). */
export function isMark(v: unknown): boolean {
  return v === MARK;
}

export const CURSOR_MARK = MARK;
