// The layout design.md promises: the engine's stages in folders of their own, no import cycles
// between its modules, small files, and one door (src/engine/index.ts) for every other layer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { code, imports, sources } from '../sourceScan';

const ROOT = join(__dirname, '..', '..');
const ENGINE = join(ROOT, 'src', 'engine');
// In the order data flows (the README's code map): a folder may import only the folders before it.
const STAGES = [
  'manifests',
  'kustomize',
  'cluster',
  'services',
  'dns',
  'ingress',
  'gateway',
  'policy',
  'dataplane',
  'trace',
  'troubleshoot',
  'topology',
  'lint',
  'migrate',
];
const MAX_LINES = 500;
// Folders below every stage, like the shared root files: the catalogue's entries (codes/), and the
// tables an analysis leaves for the next (incremental/), which every stage keys in its own terms.
const SHARED = new Set(['codes', 'incremental']);

/** The engine file a relative specifier names, if any. */
function resolveModule(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const c of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** Module → the engine modules it imports (type-only imports count: a type both sides need belongs to the lower one). */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets = imports(code(readFileSync(f, 'utf8')))
      .map((s) => resolveModule(f, s))
      .filter((t): t is string => t !== undefined && t.startsWith(ENGINE));
    graph.set(f, [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with more than one member (or a self-import): each is an import cycle. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** An engine module's folder (a stage, or a shared folder), or the file itself for the few shared files at the root. */
function unitOf(file: string): string {
  const rel = relative(ENGINE, file);
  return rel.includes(sep) ? rel.split(sep)[0]! : rel;
}

/** Shared units sit below every stage: a root file other than analyze.ts and index.ts, or a SHARED folder. */
const isShared = (unit: string) => unit.endsWith('.ts') || SHARED.has(unit);

describe('layout', () => {
  const engineFiles = sources(ENGINE).filter((f) => f.endsWith('.ts'));
  const graph = importGraph(engineFiles);

  it('src/engine shows its stages as folders and at most six shared files', () => {
    const entries = readdirSync(ENGINE);
    const files = entries.filter((e) => statSync(join(ENGINE, e)).isFile());
    assert.ok(files.length <= 6, `src/engine holds ${files.length} files: ${files.join(', ')}`);
    assert.ok(files.includes('index.ts') && files.includes('analyze.ts'));
    for (const stage of STAGES) assert.ok(entries.includes(stage), `src/engine/${stage}/ is missing`);
  });

  it('has no import cycle between engine modules', () => {
    const found = cycles(graph).map((c) => c.map((f) => relative(ENGINE, f)).join(' ↔ '));
    assert.deepEqual(found, []);
  });

  it('has no import cycle between engine folders', () => {
    const folders = new Map<string, string[]>();
    for (const [from, targets] of graph) {
      const list = folders.get(unitOf(from)) ?? [];
      for (const t of targets) if (unitOf(t) !== unitOf(from)) list.push(unitOf(t));
      folders.set(unitOf(from), list);
    }
    assert.deepEqual(cycles(folders), []);
  });

  it('each folder imports only the folders before it in the order data flows', () => {
    const rank = (unit: string) => STAGES.indexOf(unit);
    // analyze.ts runs every stage and index.ts exports them; the other root files sit below every stage.
    // (trace and topology read the Analysis type from analyze.ts, which never imports them back.)
    const TOP = new Set(['analyze.ts', 'index.ts']);
    const offences: string[] = [];
    for (const [from, targets] of graph)
      for (const t of targets) {
        const [a, b] = [unitOf(from), unitOf(t)];
        if (a === b || TOP.has(a) || TOP.has(b)) continue;
        const wrong = isShared(a) ? !isShared(b) : rank(a) < 0 || (!isShared(b) && !(rank(b) >= 0 && rank(b) < rank(a)));
        if (wrong) offences.push(`${relative(ENGINE, from)} imports ${relative(ENGINE, t)}`);
      }
    assert.deepEqual(offences, []);
  });

  it('keeps every file of src/ and webview/ under 500 lines', () => {
    const long = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'webview'))]
      .map((f) => ({ f: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > MAX_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    assert.deepEqual(long, []);
  });

  it('the extension, the CLI, the shared protocol and the webview reach the engine only through src/engine/index.ts', () => {
    const outside = ['src/extension', 'src/cli', 'src/shared', 'webview'].flatMap((d) => sources(join(ROOT, d)));
    const offences = outside.flatMap((f) =>
      imports(code(readFileSync(f, 'utf8')))
        .map((s) => resolveModule(f, s))
        .filter((t): t is string => t !== undefined && t.startsWith(ENGINE) && t !== join(ENGINE, 'index.ts'))
        .map((t) => `${relative(ROOT, f)} imports ${relative(ROOT, t)}`),
    );
    assert.deepEqual(offences, []);
  });

  it('the cycle finder finds a cycle and passes a chain', () => {
    assert.deepEqual(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
      [['a', 'b', 'c']],
    );
    assert.deepEqual(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
      [],
    );
    assert.deepEqual(cycles(new Map([['a', ['a']]])), [['a']]);
  });
});
