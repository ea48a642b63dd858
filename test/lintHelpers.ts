// Helpers for the lint tests: apply a diagnostic's quick fix to the workspace's texts, analyse the
// result again, and check the before/after verdict the diagnostic states.
import assert from 'node:assert/strict';
import { dump } from 'js-yaml';
import { applyEdits, type Analysis, type Diagnostic, type DiagnosticCode, type Protocol } from '../src/engine';
import { analyze, expectDiagnostic, pod } from './helpers';

export const ns = (name: string, labels: Record<string, string> = {}) =>
  dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(Object.keys(labels).length ? { labels } : {}) } });
export const np = (name: string, namespace: string, spec: object) =>
  dump({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });

/** The workspace after applying fix `index` of `d` (its edits may touch several files). */
export function applyFix(files: Record<string, string>, d: Diagnostic, index = 0): Record<string, string> {
  const fix = d.fixes?.[index];
  assert.ok(fix, `${d.code} at ${d.range.line}:${d.range.column} has no fix ${index}`);
  const out = { ...files };
  for (const file of new Set(fix.edits.map((e) => e.range.file))) {
    const text = out[file];
    assert.ok(text !== undefined, `the fix edits ${file}, which is not in the workspace`);
    out[file] = applyEdits(
      text,
      fix.edits.filter((e) => e.range.file === file),
    );
  }
  return out;
}

const EXAMPLE = /For example, pod (\S+) → pod (\S+) on (TCP|UDP|SCTP) (\d+): (allowed|dropped) now, (allowed|dropped) after the fix\./;

/** The pod pair, port and before/after verdicts a diagnostic's message states. */
export function statedExample(d: Diagnostic): {
  src: string;
  dst: string;
  protocol: Protocol;
  port: number;
  before: boolean;
  after: boolean;
} {
  const m = EXAMPLE.exec(d.message);
  assert.ok(m, `no before/after example in: ${d.message}`);
  return {
    src: m[1] as string,
    dst: m[2] as string,
    protocol: m[3] as Protocol,
    port: Number(m[4]),
    before: m[5] === 'allowed',
    after: m[6] === 'allowed',
  };
}

function allows(a: Analysis, src: string, dst: string, port: number, protocol: Protocol): boolean {
  return a.policies.verdict({ kind: 'pod', pod: pod(a, src) }, { kind: 'pod', pod: pod(a, dst) }, port, protocol).allowed;
}

/**
 * The whole contract of a quick fix: the diagnostic at (file, line, column) has a fix; applying it
 * gives valid YAML that clears the diagnostic there; and the pair the message names has the stated
 * verdict before and after. Returns the fixed workspace and its analysis.
 */
export function expectFixWorks(
  files: Record<string, string>,
  code: DiagnosticCode,
  file: string,
  line: number,
  column: number,
  options: { fix?: number; example?: boolean } = {},
): { files: Record<string, string>; after: Analysis; d: Diagnostic } {
  const before = analyze(files);
  const d = expectDiagnostic(before, code, file, line, column);
  const fixed = applyFix(files, d, options.fix ?? 0);
  const after = analyze(fixed);
  const broken = after.diagnostics.filter((x) => x.code === 'yaml-syntax' || x.code === 'manifest-invalid');
  assert.deepEqual(
    broken.map((x) => `${x.code}@${x.range.line}: ${x.message}`),
    [],
    'the fix must give a valid manifest',
  );
  assert.ok(
    !after.diagnostics.some((x) => x.code === code && x.range.file === file && x.message === d.message),
    `${code} is still reported after the fix:\n${fixed[file]}`,
  );
  if (options.example !== false) {
    const e = statedExample(d);
    assert.equal(allows(before, e.src, e.dst, e.port, e.protocol), e.before, 'the stated verdict before the fix');
    assert.equal(allows(after, e.src, e.dst, e.port, e.protocol), e.after, 'the stated verdict after the fix');
    assert.notEqual(e.before, e.after);
  }
  return { files: fixed, after, d };
}
