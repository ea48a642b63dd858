// The engine is pure (design.md): no editor, no file system, no processes, no network, no
// process-level I/O, no clocks or randomness. This scans its sources so that a stray import fails
// here rather than in the webview bundle or in a non-deterministic golden.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { code, imports, sources } from '../sourceScan';

const ENGINE = join(__dirname, '..', '..', 'src', 'engine');
const FORBIDDEN_MODULES =
  /^(node:)?(vscode|fs|fs\/promises|child_process|http|https|http2|net|dgram|tls|dns|os|worker_threads|cluster|readline)$/;
const FORBIDDEN_CALLS: Array<[RegExp, string]> = [
  [/\bprocess\s*\.\s*\w+/, 'process.* (stdout, env, exit, cwd...)'],
  [/\bconsole\s*\.\s*\w+/, 'console.* (the engine never prints)'],
  [/\bMath\.random\s*\(|\brandom(Bytes|UUID|Int|Fill)\b|\bgetRandomValues\b/, 'randomness (output must be deterministic)'],
  [/\bDate\.now\s*\(|\bnew Date\s*\(/, 'the clock (output must be deterministic)'],
];

describe('purity of src/engine', () => {
  const files = sources(ENGINE);

  it('has sources to check', () => assert.ok(files.length >= 15, `${files.length} files`));

  it('imports no editor, file-system, process, network or OS module', () => {
    const offences = files.flatMap((f) =>
      imports(code(readFileSync(f, 'utf8')))
        .filter((m) => FORBIDDEN_MODULES.test(m))
        .map((m) => `${relative(ENGINE, f)} imports ${m}`),
    );
    assert.deepEqual(offences, []);
  });

  it('imports nothing from outside the engine but its declared dependencies and I/O-free built-ins', () => {
    // node:crypto is allowed for hashing (kube-proxy chain names); its random functions are not (below).
    const allowed = /^(js-yaml|ipaddr\.js|(node:)?crypto)$/;
    // Relative imports must stay inside src/engine (sub-folders may reach ../ within it).
    const inside = (f: string, m: string) => m.startsWith('.') && !relative(ENGINE, resolve(dirname(f), m)).startsWith('..');
    const offences = files.flatMap((f) =>
      imports(code(readFileSync(f, 'utf8')))
        .filter((m) => !allowed.test(m) && !inside(f, m))
        .map((m) => `${relative(ENGINE, f)} imports ${m}`),
    );
    assert.deepEqual(offences, []);
  });

  it('does no process-level I/O and reads no clock or randomness', () => {
    const offences: string[] = [];
    for (const f of files) {
      const lines = code(readFileSync(f, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const [re, what] of FORBIDDEN_CALLS) if (re.test(line)) offences.push(`${relative(ENGINE, f)}:${i + 1} uses ${what}`);
      });
    }
    assert.deepEqual(offences, []);
  });

  it('the scanner itself catches what it should', () => {
    assert.deepEqual(
      imports(
        "import * as vscode from 'vscode';\nimport { readFileSync } from \"node:fs\";\nconst cp = require('child_process');\nexport { x } from './x';\nawait import('http');\nconst s = `data from ' + x`;",
      ).sort(),
      ['./x', 'child_process', 'http', 'node:fs', 'vscode'],
    );
    assert.equal(code('// process.exit(1)\nconst a = 1; /* console.log */').includes('process'), false);
    assert.ok(FORBIDDEN_CALLS.some(([re]) => re.test('process.stdout.write("x")')));
    assert.equal(code("const url = 'http://backend'; // process.env").includes('http://backend'), true);
  });
});
