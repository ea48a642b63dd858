// Every user error exits 2 with one clear line and no stack trace; an internal error exits 3 with
// one line a bug report can use; hostile input is analysed, not fatal. All through the built bundle.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt, json, ROOT, type Run } from './run';

const SHOP = 'examples/shop';
const HOSTILE = 'test/fixtures/hostile';
const CLI = join(ROOT, 'dist', 'cli.js');
const isRoot = process.getuid?.() === 0;

/** Status 2, nothing on stdout, exactly one `kube-netsim: ` line on stderr matching `message`, no stack. */
function assertUsageError(r: Run, message: RegExp, what: string): void {
  assert.equal(r.status, 2, `${what}: status (stderr ${JSON.stringify(r.stderr)})`);
  assert.equal(r.stdout, '', `${what}: stdout`);
  assert.match(r.stderr, /^kube-netsim: [^\n]+\n$/, `${what}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, message, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |^\s+at /m, `${what}: no stack trace`);
}

/** Runs the bundle with extra node flags (a preload) and environment. */
function node(flags: string[], args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [...flags, CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, KUBE_NETSIM_DEBUG: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: user errors exit 2 with one line', () => {
  let tmp: string;
  before(() => {
    ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'kube-netsim-errors-'));
    mkdirSync(join(tmp, 'empty'));
    mkdirSync(join(tmp, 'no-manifests'));
    writeFileSync(join(tmp, 'no-manifests', 'README.md'), '# not a manifest\n');
    writeFileSync(join(tmp, 'broken-cluster.yaml'), 'cni: calico\nnodes: [\n');
    writeFileSync(join(tmp, 'bad-values.yaml'), 'cni: quantum\n');
  });

  const cases: Array<[string, () => string[], RegExp]> = [
    ['no command', () => [], /no command given; use one of analyze, /],
    ['an unknown command', () => ['frobnicate'], /unknown command 'frobnicate'/],
    ['no PATH', () => ['analyze'], /missing required argument 'path'/],
    ['a missing path', () => ['analyze', 'does/not/exist'], /does\/not\/exist: no such file or folder/],
    ['a missing path among good ones', () => ['matrix', SHOP, 'nope.yaml'], /nope\.yaml: no such file or folder/],
    ['a device', () => ['analyze', '/dev/null'], /\/dev\/null: not a file or folder/],
    ['an unknown flag', () => ['analyze', SHOP, '--bogus'], /unknown option '--bogus'/],
    ['a bad choice', () => ['analyze', SHOP, '--format', 'xml'], /argument 'xml' is invalid\. Allowed choices are text, json, sarif/],
    ['a bad size', () => ['analyze', SHOP, '--max-file-bytes', 'banana'], /argument 'banana' is invalid\. Give a size in bytes/],
    ['a zero size', () => ['rules', SHOP, '--max-file-bytes', '0'], /argument '0' is invalid/],
    ['a missing required option', () => ['trace', SHOP, '--to', 'backend:8080'], /required option '--from <source>' not specified/],
    [
      'an unknown source',
      () => ['trace', SHOP, '--from', 'shop/nobody', '--to', 'backend:8080'],
      /--from shop\/nobody: no workload or pod/,
    ],
    ['an unknown DNS source', () => ['dns', SHOP, '--from', 'nope/nope', 'backend'], /no workload or pod/],
    ['a target that is not one', () => ['trace', SHOP, '--from', 'shop/frontend', '--to', 'backend'], /--to backend: a target is a URL/],
    ['dns without a name', () => ['dns', SHOP, '--from', 'shop/frontend'], /dns needs PATH\.\.\. and a NAME/],
    ['an unknown node', () => ['rules', SHOP, '--node', 'node-9'], /--node node-9: no such node/],
    ['a missing --cluster file', () => ['analyze', SHOP, '--cluster', 'nope.yaml'], /--cluster nope\.yaml: no such file/],
    ['a --cluster folder', () => ['analyze', SHOP, '--cluster', tmp], /--cluster .*: is a folder; name the settings file/],
    [
      'a binary --cluster file',
      () => ['trace', SHOP, '--from', 'shop/frontend', '--to', 'backend:8080', '--cluster', `${HOSTILE}/binary.yaml`],
      /binary\.yaml: not a settings file \(it is binary\)/,
    ],
    [
      'a --cluster file that is not YAML',
      () => ['matrix', SHOP, '--cluster', join(tmp, 'broken-cluster.yaml')],
      /broken-cluster\.yaml: line \d+, column \d+: YAML syntax error/,
    ],
    ['an unreadable file (EIO)', () => ['analyze', '/proc/self/mem'], /\/proc\/self\/mem: cannot read \(EIO\)/],
  ];
  for (const [what, args, message] of cases) {
    it(what, { skip: what.includes('EIO') && process.platform !== 'linux' }, () => assertUsageError(cli(...args()), message, what));
  }

  it('an unreadable file or folder (permissions)', { skip: isRoot ? 'root reads everything' : false }, () => {
    const locked = join(tmp, 'locked.yaml');
    writeFileSync(locked, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n');
    chmodSync(locked, 0o000);
    const dir = join(tmp, 'locked-dir');
    mkdirSync(dir);
    chmodSync(dir, 0o000);
    try {
      assertUsageError(cli('analyze', locked), /locked\.yaml: cannot read \(EACCES\)/, 'file');
      assertUsageError(cli('analyze', tmp), /locked(-dir|\.yaml): cannot read/, 'folder');
    } finally {
      chmodSync(locked, 0o644);
      chmodSync(dir, 0o755);
    }
  });

  it('a --cluster file with bad values is analysed, its values reported as diagnostics (not a usage error)', () => {
    const r = cli('analyze', SHOP, '--cluster', join(tmp, 'bad-values.yaml'), '--format', 'json');
    assert.equal(r.status, 1);
    assert.ok(json<{ diagnostics: Array<{ code: string }> }>(r).diagnostics.some((d) => d.code === 'settings-invalid'));
  });

  it('folders with nothing to analyse are an empty workspace, not an error', () => {
    for (const dir of ['empty', 'no-manifests']) {
      const r = cli('analyze', join(tmp, dir), '--format', 'json');
      assert.equal(r.status, 0, `${dir}: ${r.stderr}`);
      assert.equal(r.stderr, '');
      const out = json<{ pods: Array<{ implicit?: boolean }>; diagnostics: unknown[] }>(r);
      assert.ok(
        out.pods.every((p) => p.implicit),
        'only the implicit CoreDNS pods',
      );
      assert.deepEqual(out.diagnostics, []);
    }
  });
});

describe('cli: hostile input is analysed, never fatal', () => {
  before(() => ensureBuilt());

  it('the hostile corpus: exit 1 (errors found), clean stderr, every broken file reported, the good file simulated', () => {
    const r = cli('analyze', HOSTILE, '--format', 'json', '--max-file-bytes', '64K');
    assert.equal(r.status, 1);
    assert.equal(r.stderr, '');
    const out = json<{
      pods: Array<{ namespace: string }>;
      services: Array<{ namespace: string; name: string; endpoints: unknown[] }>;
      diagnostics: Array<{ code: string; file: string; line: number; column: number }>;
    }>(r);
    const files = new Set(out.diagnostics.map((d) => d.file.replace(`${HOSTILE}/`, '')));
    for (const f of [
      'bad-addresses.yaml',
      'billion-laughs.yaml',
      'binary.yaml',
      'bom.yaml',
      'broken.json',
      'crlf.yaml',
      'deep-nesting.yaml',
      'duplicate-keys.yaml',
      'go-template.yaml',
      'helm-template.yaml',
      'huge.yaml',
      'list-broken.yaml',
      'manifest.json',
      'syntax-error.yaml',
      'unknown-kind.yaml',
      'utf16.yaml',
      'wrong-types.yaml',
    ]) {
      assert.ok(files.has(f), `${f} reported`);
    }
    for (const f of ['ci-workflow.yml', 'docker-compose.yaml', 'client-configs.yaml', 'empty.yaml', 'empty-docs.yaml', 'whitespace.yaml'])
      assert.ok(!files.has(f), `${f} silently ignored`);
    assert.ok(out.diagnostics.some((d) => d.code === 'file-skipped' && d.file.endsWith('huge.yaml') && d.line === 1 && d.column === 1));
    assert.equal(out.pods.filter((p) => p.namespace === 'good').length, 2);
    assert.equal(out.services.find((s) => s.namespace === 'good' && s.name === 'web')?.endpoints.length, 2);
  });

  it('--max-file-bytes: the default (4M) reads huge.yaml; a lower limit skips it with the limit named', () => {
    const diags = (...extra: string[]) =>
      json<{ diagnostics: Array<{ code: string; message: string }> }>(cli('analyze', `${HOSTILE}/huge.yaml`, '--format', 'json', ...extra))
        .diagnostics;
    assert.deepEqual(diags(), []);
    const skipped = diags('--max-file-bytes', '10K');
    assert.deepEqual(
      skipped.map((d) => d.code),
      ['file-skipped'],
    );
    assert.match(skipped[0]?.message ?? '', /larger than 10240 bytes.*--max-file-bytes/);
  });

  it('a reader that stops early (| head) ends the output quietly: no EPIPE trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-netsim-pipe-'));
    try {
      // About a megabyte of JSON: far more than a pipe holds, so the writer meets the closed pipe.
      writeFileSync(
        join(dir, 'big.yaml'),
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: 3000\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec: {containers: [{name: a, image: b}]}\n`,
      );
      const r = spawnSync(
        'bash',
        ['-c', `"${process.execPath}" "${CLI}" analyze "${dir}" --format json | head -c 100 > /dev/null; echo "status \${PIPESTATUS[0]}"`],
        { encoding: 'utf8' },
      );
      assert.equal(r.stderr, '', 'nothing on stderr');
      assert.match(r.stdout, /status 0\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cli: internal errors exit 3 with one line for a bug report', () => {
  let preload: string;
  before(() => {
    ensureBuilt();
    // Stands in for a bug: the first write of the output throws, inside the command.
    preload = join(mkdtempSync(join(tmpdir(), 'kube-netsim-bug-')), 'bug.cjs');
    writeFileSync(
      preload,
      "const w = process.stdout.write.bind(process.stdout);\nlet first = true;\nprocess.stdout.write = (...a) => { if (first) { first = false; throw new TypeError('simulated bug'); } return w(...a); };\n",
    );
  });

  it('names the error, where it happened, the versions and the command, and asks for a report', () => {
    const r = node(['--require', preload], ['analyze', SHOP]);
    assert.equal(r.status, 3);
    assert.match(
      r.stderr,
      /^kube-netsim: internal error: TypeError: simulated bug at bug\.cjs:\d+:\d+ \(kube-netsim \d+\.\d+\.\d+, node v\d+[^,]*, command analyze\)\. This is a bug: please report it with the command line and the manifests that caused it; KUBE_NETSIM_DEBUG=1 prints the stack\.\n$/,
    );
  });

  it('KUBE_NETSIM_DEBUG=1 adds the stack', () => {
    const r = node(['--require', preload], ['analyze', SHOP], { KUBE_NETSIM_DEBUG: '1' });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /internal error: TypeError: simulated bug[^\n]*\nTypeError: simulated bug\n\s+at /);
  });
});
