// Re-parsing a file after an edit (manifests/reparse.ts): documents the edit left as they were,
// starting on the same line, keep their objects; everything else is parsed again, and the result
// is what a fresh parse gives, positions and diagnostics included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseManifestFile, DEFAULT_LIMITS } from '../../src/engine/manifests/parse';
import { reparseManifestFile, type ChunkParse } from '../../src/engine/manifests/reparse';
import type { ParsedFile } from '../../src/engine/manifests/types';

const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: ${value}\n`;
const DOCS = [
  cm('a', 'one'),
  cm('b', 'two'),
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata: [unclosed\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: 7\n',
];

/** What a parse gives, positions of every object's fields included. */
function shape(p: ParsedFile) {
  return {
    diagnostics: p.diagnostics.map(
      (d) => `${d.code} ${d.range.line}:${d.range.column}-${d.range.endLine}:${d.range.endColumn} ${d.message}`,
    ),
    objects: p.objects.map((o) => ({
      id: `${o.kind}/${o.namespace ?? ''}/${o.name}`,
      raw: o.raw,
      at: [[], ['metadata', 'name'], ['data', 'key'], ['spec', 'ports', 0, 'port']].map((path) => o.locate(path)),
    })),
  };
}

const reparse = (path: string, text: string, previous?: ChunkParse[]) => reparseManifestFile({ path, text }, DEFAULT_LIMITS, previous);

describe('reparse after an edit', () => {
  it('keeps the objects of unchanged documents and parses the edited one', () => {
    const before = reparse('f.yaml', [cm('a', 'one'), cm('b', 'two'), cm('c', 'three')].join('---\n'));
    const after = reparse('f.yaml', [cm('a', 'one'), cm('b', 'TWO'), cm('c', 'three')].join('---\n'), before.chunks);
    const [a0, b0, c0] = before.parsed.objects;
    const [a1, b1, c1] = after.parsed.objects;
    assert.equal(a1, a0, 'a is unchanged: the same object');
    assert.equal(c1, c0, 'c is unchanged and on the same lines: the same object');
    assert.notEqual(b1, b0);
    assert.equal((b1?.raw as { data: { key: string } }).data.key, 'TWO');
  });

  it('parses a document again when lines above it were added or removed (its positions moved)', () => {
    const before = reparse('f.yaml', [cm('a', 'one'), cm('b', 'two')].join('---\n'));
    const after = reparse('f.yaml', [`${cm('a', 'one')}  more: line\n`, cm('b', 'two')].join('---\n'), before.chunks);
    assert.notEqual(after.parsed.objects[1], before.parsed.objects[1]);
    assert.equal(after.parsed.objects[1]?.locate(['metadata', 'name']).line, 12);
  });

  it('gives what a fresh parse gives after any sequence of edits', () => {
    const doc = fc.constantFrom(...DOCS.keys());
    fc.assert(
      fc.property(
        fc.array(fc.array(doc, { minLength: 0, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (versions, bom) => {
          let chunks: ChunkParse[] | undefined;
          for (const v of versions) {
            const text = `${bom ? '\uFEFF' : ''}${v.map((i) => DOCS[i]).join('---\n')}`;
            const next = reparse('f.yaml', text, chunks);
            assert.deepEqual(shape(next.parsed), shape(parseManifestFile({ path: 'f.yaml', text })));
            chunks = next.chunks;
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
