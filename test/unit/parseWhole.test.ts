// parseManifestFile parses runs of documents (up to ~32 KB) in one pass when it can and chunk by
// chunk otherwise; both must give the same objects, positions and diagnostics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseByChunks, parseManifestFile } from '../../src/engine/manifests/parse';
import { generateWorkspace } from '../../bench/generate';
import { type ManifestObject, type ParsedFile } from '../../src/engine/manifests/types';

/** Every path of an object's value (capped), to compare positions. */
function paths(
  value: unknown,
  prefix: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  if (out.length > 400) return out;
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function summary(r: ParsedFile): unknown {
  const object = (o: ManifestObject) => ({
    head: [o.file, o.apiVersion, o.kind, o.namespace, o.name],
    raw: JSON.stringify(o.raw),
    at: paths(o.raw).map((p) => [p.join('.'), o.locate(p), o.has(p)]),
    missing: o.locate(['no', 'such', 'field']),
  });
  return { objects: r.objects.map(object), diagnostics: JSON.stringify(r.diagnostics) };
}

const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

const TRICKY: Record<string, string> = {
  plain: `${cm('a')}---\n${cm('b')}`,
  leadingMarker: `---\n${cm('a')}`,
  trailingMarker: `${cm('a')}---\n`,
  emptyDocuments: `---\n---\n${cm('a')}---\n---\n${cm('b')}---\n`,
  commentChunk: `${cm('a')}--- # only a comment\n---\n${cm('b')}`,
  commentOnly: `# nothing\n---\n# still nothing\n`,
  endMarkers: `${cm('a')}...\n---\n${cm('b')}...\n`,
  documentAfterEnd: `${cm('a')}...\n${cm('b')}`,
  directive: `%YAML 1.2\n---\n${cm('a')}`,
  broken: `${cm('a')}---\n${cm('b', 'data: [unclosed\n')}---\n${cm('c')}`,
  duplicateKey: `${cm('a', 'data: {x: 1}\ndata: {y: 2}\n')}---\n${cm('b')}`,
  helm: `${cm('a')}---\n${cm('{{ .Values.name }}')}---\n${cm('c')}`,
  helmQuoted: `${cm('a')}---\n${cm('"{{ .Values.name }}"')}---\n${cm('c')}`,
  goTemplateInString: `${cm('a', 'data:\n  t: "{{ $labels.instance }}"\n')}`,
  blockScalar: `${cm('a', 'data:\n  script: |\n    ---\n    echo hi\n  folded: >-\n    x\n')}---\n${cm('b')}`,
  aliases: `${cm('a', 'data: &d {k: v}\nextra: *d\n')}---\n${cm('b', 'data: *nope\n')}`,
  list: `apiVersion: v1\nkind: List\nitems:\n- ${cm('a').replace(/\n/g, '\n  ')}\n- 3\n`,
  bom: `\uFEFF${cm('a')}---\n${cm('b')}`,
  flow: `{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\n[1, 2]\n---\nscalar\n---\n${cm('b')}`,
  crlf: `${cm('a')}---\r\n${cm('b')}`.replace(/\n/g, '\r\n'),
  markerWithContent: `--- ${'{'}apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n--- |\n  text\n---\n${cm('b')}`,
  noKind: `${cm('a')}---\nmetadata: {name: x}\nkind: 3\n`,
};

const many = Array.from({ length: 240 }, (_, i) => cm(`m${i}`, `data:\n  pad: "${'x'.repeat(400)}"\n  n: "${i}"\n`));
many[97] = cm('broken', 'data: [unclosed\n');
many[150] = cm('"{{ .Values.name }}"');
many[201] = `%YAML 1.2\n`;

describe('manifests: in batches or chunk by chunk, the same result', () => {
  it('many documents over several batches, one broken, one templated, one a stray directive', () => {
    const text = many.join('---\n');
    assert.ok(text.length > 3 * 32 * 1024);
    const r = parseManifestFile({ path: 'f.yaml', text });
    assert.equal(r.objects.length, 237);
    assert.deepEqual(summary(r), summary(parseByChunks({ path: 'f.yaml', text })));
  });

  for (const [name, text] of Object.entries(TRICKY)) {
    it(name, () =>
      assert.deepEqual(summary(parseManifestFile({ path: 'f.yaml', text })), summary(parseByChunks({ path: 'f.yaml', text }))),
    );
  }

  it('the examples and a generated workspace', () => {
    const files: Array<{ path: string; text: string }> = [];
    const walk = (dir: string) => {
      for (const n of readdirSync(dir)) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ya?ml|json)$/.test(n)) files.push({ path: p, text: readFileSync(p, 'utf8') });
      }
    };
    walk(join(__dirname, '..', '..', 'examples'));
    files.push(...generateWorkspace({ namespaces: 2, apps: 3 }).files);
    assert.ok(files.length > 5, `${files.length} files`);
    for (const f of files) assert.deepEqual(summary(parseManifestFile(f)), summary(parseByChunks(f)), f.path);
  });
});
