import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseEvents, getScalarValue, EVENT_ID, SCALAR_STYLE, type Event } from 'js-yaml';
import { ChunkSpans, compactEvents } from '../../src/engine/manifests/spans';
import type { NodeSpan } from '../../src/engine/source';
import { parseManifestFile } from '../../src/engine/manifests/parse';
import { generateWorkspace } from '../../bench/generate';

/**
 * The index as it used to be built: every node of every document, by its joined path, from the
 * event objects. The lazy index must answer exactly as this one did.
 */
function reference(events: Event[], source: string): Array<Map<string, NodeSpan>> {
  type Frame = { isMap: boolean; path: Array<string | number>; next: number; key: { text: string; start: number; end: number } | null };
  const docs: Array<Map<string, NodeSpan>> = [];
  let spans = new Map<string, NodeSpan>();
  const stack: Frame[] = [];
  let skipDepth = 0;
  const place = (start: number, end: number, collection: boolean, keyText: string): Array<string | number> | null => {
    const top = stack[stack.length - 1];
    if (!top) {
      spans.set('', { keyStart: start, keyEnd: start, start, end, collection });
      return [];
    }
    if (!top.isMap) {
      const p = [...top.path, top.next++];
      spans.set(p.join('\u0001'), { keyStart: start, keyEnd: start, start, end, collection });
      return p;
    }
    if (top.key === null) {
      top.key = { text: keyText, start, end };
      return null;
    }
    const p = [...top.path, top.key.text];
    spans.set(p.join('\u0001'), { keyStart: top.key.start, keyEnd: top.key.end, start, end, collection });
    top.key = null;
    return p;
  };
  for (const ev of events) {
    if (ev.type === EVENT_ID.DOCUMENT) {
      spans = new Map();
      docs.push(spans);
      continue;
    }
    if (skipDepth > 0) {
      if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) skipDepth++;
      else if (ev.type === EVENT_ID.POP && --skipDepth === 0) place(0, 0, false, '?');
      continue;
    }
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) {
      const top = stack[stack.length - 1];
      if (top && top.isMap && top.key === null) {
        skipDepth = 1;
        continue;
      }
      stack.push({ isMap: ev.type === EVENT_ID.MAPPING, path: place(ev.start, ev.start, true, '') ?? [], next: 0, key: null });
    } else if (ev.type === EVENT_ID.SCALAR) {
      let start = ev.valueStart;
      if (ev.style === SCALAR_STYLE.LITERAL_BLOCK || ev.style === SCALAR_STYLE.FOLDED_BLOCK)
        while (start < ev.valueEnd && (source[start] === ' ' || source[start] === '\t')) start++;
      place(start, ev.valueEnd, false, getScalarValue(source, ev));
    } else if (ev.type === EVENT_ID.ALIAS) {
      place(Math.max(0, ev.anchorStart - 1), ev.anchorEnd, false, '*');
    } else if (ev.type === EVENT_ID.POP) {
      stack.pop();
    }
  }
  return docs;
}

/** Every path of the reference index answers the same from the lazy one, and a missing child falls back to its parent. */
function assertSame(source: string, base = 0): number {
  const events = parseEvents(source, { filename: 'x.yaml', maxDepth: 100 });
  const want = reference(events, source);
  const chunk = new ChunkSpans(compactEvents(events), source, base);
  let checked = 0;
  want.forEach((spans, d) => {
    const doc = chunk.document(d);
    for (const [key, span] of spans) {
      const path = key === '' ? [] : key.split('\u0001');
      const shifted = {
        ...span,
        keyStart: span.keyStart + base,
        keyEnd: span.keyEnd + base,
        start: span.start + base,
        end: span.end + base,
      };
      assert.deepEqual(doc?.get(path), shifted, `document ${d}, path ${path.join('.')}`);
      assert.deepEqual(doc?.nearest([...path, 'no-such-field', 3]), shifted, `nearest of a missing child of ${path.join('.')}`);
      checked++;
    }
  });
  return checked;
}

describe('spans: the lazy position index', () => {
  it('answers like a full index for block, quoted, folded, flow and empty values', () => {
    const checked = assertSame(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: "a b", labels: {x: y}}',
        'data:',
        '  plain: value',
        "  'single': 'it''s'",
        '  "dou\\tble": "a\\nb"',
        '  literal: |',
        '    line one',
        '      indented',
        '  folded: >-',
        '    folded text',
        '  empty:',
        '  list:',
        '  - a',
        '  - [b, {c: d}]',
        '  - - nested',
        '  "0": numeric key',
        '',
      ].join('\n'),
    );
    assert.ok(checked > 15);
  });

  it('points aliases where they are used, and names alias and collection keys * and ?', () => {
    assertSame(
      'a: &anchor {x: 1}\nb: *anchor\nc: [*anchor, &s 2]\n*s : alias key\n? [complex, key]\n: complex value\n? {m: 1}\n: second\nd: after\n',
    );
  });

  it('indexes each document of a chunk, empty ones included, with the chunk offset added', () => {
    assertSame('a: 1\n---\n---\n- x\n- y: [1, 2]\n---\nscalar\n', 17);
  });

  it('reads numbered segments of sequences only as canonical indexes', () => {
    const source = 'items:\n- a\n- b\n';
    const doc = new ChunkSpans(compactEvents(parseEvents(source, { filename: 'x', maxDepth: 100 })), source, 0).document(0);
    assert.equal(doc?.get(['items', 1])?.start, 13);
    assert.equal(doc?.get(['items', '1'])?.start, 13);
    assert.equal(doc?.get(['items', '01']), undefined);
    assert.equal(doc?.get(['items', 2]), undefined);
    assert.equal(doc?.nearest(['items', 2])?.start, 7);
  });

  it('answers like a full index for the examples and a generated workspace', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const n of readdirSync(dir)) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(n)) files.push(readFileSync(p, 'utf8'));
      }
    };
    walk(join(__dirname, '..', '..', 'examples'));
    files.push(...generateWorkspace({ namespaces: 2, apps: 3 }).files.map((f) => f.text));
    let checked = 0;
    for (const text of files) {
      try {
        parseEvents(text, { filename: 'x', maxDepth: 100 });
      } catch {
        continue; // broken examples are there for the diagnostics
      }
      checked += assertSame(text);
    }
    assert.ok(checked > 1000, `${checked} nodes checked`);
  });

  it('answers the same for a document large enough to keep its collections (a snapshot List) as for small ones', () => {
    // Small documents are read along the path each time, large ones keep their children lists: both must agree with the full index.
    const items = Array.from(
      { length: 600 },
      (_, i) =>
        `- apiVersion: v1\n  kind: Pod\n  metadata: {name: "p-${i}", labels: {app: a${i % 7}}}\n  spec:\n    containers: [{name: c, image: i}]`,
    );
    const checked = assertSame(`apiVersion: v1\nitems:\n${items.join('\n')}\nkind: List\nmetadata: {resourceVersion: ""}\n`);
    assert.ok(checked > 6000, `${checked} nodes checked`);
  });

  it('locates fields of parsed objects without parsing the text again', () => {
    const o = parseManifestFile({
      path: 'f.yaml',
      text: 'x: 1\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n',
    }).objects[0];
    assert.deepEqual(o?.locate(['spec', 'ports', 0, 'port']), { file: 'f.yaml', line: 9, column: 11, endLine: 9, endColumn: 13 });
    assert.deepEqual(o?.locate(['spec', 'ports', 0, 'targetPort']), { file: 'f.yaml', line: 9, column: 5, endLine: 9, endColumn: 6 });
    assert.equal(o?.has(['spec', 'ports', 0, 'port']), true);
    assert.equal(o?.has(['spec', 'selector']), false);
  });
});
