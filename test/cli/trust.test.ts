// A green run on a real repository (issue 16, item 8), through the built CLI: --exclude on every
// command, data files that are not manifests, and the ignore rules and comments CI users need.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt, json } from './run';

const TREE = 'test/fixtures/trust/exclude';
const IGNORE = 'test/fixtures/trust/ignore';

interface Output {
  pods: Array<{ namespace: string; workload: string }>;
  diagnostics: Array<{ code: string; file: string; line: number; severity: string }>;
  suppressed: { total: number; byCode: Record<string, number> };
}

const analyze = (...args: string[]) => {
  const r = cli('analyze', ...args, '--format', 'json');
  assert.equal(r.stderr, '');
  return { status: r.status, out: json<Output>(r) };
};
const files = (o: Output) => [...new Set(o.diagnostics.map((d) => d.file))].sort();

describe('cli: --exclude', () => {
  before(ensureBuilt);

  it('without it, the broken generated file and the legacy folder fail the run; the mongo data file never does', () => {
    const { status, out } = analyze(TREE);
    assert.equal(status, 1);
    assert.deepEqual(files(out), [`${TREE}/app/gen/web.generated.yaml`, `${TREE}/legacy/old.yaml`]);
  });

  it('leaves out what gitignore-style patterns match, relative to the PATH', () => {
    const { status, out } = analyze(TREE, '--exclude', 'legacy/', '--exclude', '*.generated.yaml');
    assert.equal(status, 0);
    assert.deepEqual(out.diagnostics, []);
    assert.deepEqual([...new Set(out.pods.filter((p) => p.namespace === 'shop').map((p) => p.workload))], ['shop/web']);
    // A pattern with a slash is anchored to the PATH; one without matches at any depth; `!` re-includes.
    assert.deepEqual(files(analyze(TREE, '--exclude', '/gen').out), files(analyze(TREE).out));
    assert.deepEqual(files(analyze(TREE, '--exclude', 'app/gen').out), [`${TREE}/legacy/old.yaml`]);
    assert.deepEqual(files(analyze(TREE, '--exclude', '*.yaml', '--exclude', '!old.yaml').out), [`${TREE}/legacy/old.yaml`]);
  });

  it('is relative to each PATH, and a file named as a PATH is always read', () => {
    const { out } = analyze(`${TREE}/app`, `${TREE}/legacy`, '--exclude', 'gen/', '--exclude', 'old.yaml');
    assert.deepEqual(out.diagnostics, []);
    assert.deepEqual(files(analyze(`${TREE}/legacy/old.yaml`, '--exclude', 'old.yaml').out), [`${TREE}/legacy/old.yaml`]);
  });

  it('every command takes it', () => {
    const matrix = cli('matrix', TREE, '--exclude', 'legacy/');
    assert.equal(matrix.status, 0, matrix.stderr);
    assert.ok(!matrix.stdout.includes('shop/old'), matrix.stdout);
    assert.ok(cli('matrix', TREE).stdout.includes('shop/old'));
    const trace = cli('trace', TREE, '--exclude', 'legacy', '--from', 'shop/old', '--to', 'web.shop:80');
    assert.equal(trace.status, 2);
    assert.match(trace.stderr, /shop\/old/);
    assert.equal(cli('trace', TREE, '--from', 'shop/old', '--to', 'web.shop:80').status, 0);
    const dns = cli('dns', TREE, '--exclude', 'app/', '--from', 'shop/old', 'web.shop', '--format', 'json');
    assert.equal(dns.status, 0, dns.stderr);
    assert.equal(json<{ rcode: string; answers: unknown[] }>(dns).answers.length, 0);
    assert.equal(json<{ answers: unknown[] }>(cli('dns', TREE, '--from', 'shop/old', 'web.shop', '--format', 'json')).answers.length, 1);
    const rules = cli('rules', TREE, '--exclude', 'app/');
    assert.equal(rules.status, 0, rules.stderr);
    assert.ok(!rules.stdout.includes('shop/web'));
    assert.ok(cli('rules', TREE).stdout.includes('shop/web'));
    const diff = cli('diff', TREE, TREE, '--exclude', 'legacy/', '--format', 'json');
    assert.equal(diff.status, 0, diff.stderr);
  });
});

describe('cli: ignore rules and comments', () => {
  before(ensureBuilt);

  it('turn a failing run green and say how many they silenced', () => {
    // The same manifests without kube-netsim.yaml and without the comments fail.
    const dir = mkdtempSync(join(tmpdir(), 'kube-netsim-ignore-'));
    try {
      writeFileSync(join(dir, 'shop.yaml'), readFileSync(join(IGNORE, 'shop.yaml'), 'utf8').replace(/#.*kube-netsim: ignore.*$/gm, ''));
      const bare = analyze(dir);
      assert.equal(bare.status, 1);
      assert.equal(bare.out.suppressed.total, 0);
      assert.ok(bare.out.diagnostics.length >= 5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const { status, out } = analyze(IGNORE, '--fail-on', 'info');
    assert.equal(status, 0);
    assert.deepEqual(out.diagnostics, []);
    assert.deepEqual(out.suppressed, {
      total: 5,
      byCode: {
        'missing-readiness-probe': 1,
        'selector-mismatch': 1,
        'selector-near-miss': 1,
        'service-no-endpoints': 1,
        'service-target-port-unresolved': 1,
      },
    });
    const text = cli('analyze', IGNORE);
    assert.match(text.stdout, /0 errors, 0 warnings, 0 infos \(5 suppressed by ignore rules or comments\)\n$/);
    const sarif = json<{ runs: Array<{ results: unknown[]; properties: { suppressed: number } }> }>(
      cli('analyze', IGNORE, '--format', 'sarif'),
    );
    assert.deepEqual(sarif.runs[0]?.results, []);
    assert.equal(sarif.runs[0]?.properties.suppressed, 5);
  });

  it('a bad ignore entry is a settings-invalid error like any other setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-netsim-ignore-'));
    try {
      writeFileSync(join(dir, 'kube-netsim.yaml'), 'ignore:\n  - service-no-endpoint\n');
      writeFileSync(
        join(dir, 'svc.yaml'),
        'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {a: b}, ports: [{port: 80}]}\n',
      );
      const { status, out } = analyze(dir);
      assert.equal(status, 1);
      assert.deepEqual(
        out.diagnostics.map((d) => `${d.code}:${d.line}`),
        ['settings-invalid:2', 'service-no-endpoints:4'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
