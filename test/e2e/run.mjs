#!/usr/bin/env node
// End-to-end tests in a real VS Code (code-server 4.100.3 = VS Code 1.100.3 + Debian Chromium),
// fully offline. Run:  node test/e2e/run.mjs
// Recipe and background: /work/shared/vscode-testing.md. Library: test/e2e/harness.mjs.
//
// What it does
//   1. `bash scripts/install-code-server.sh` (idempotent: Chromium via apt if missing,
//      code-server into .vscode-test/code-server if missing; ~0.5 s when already installed).
//   2. Extension-host suite: loads the extension from source (extensionDevelopmentPath = repo
//      root, so build dist/ first: `npm run build`) on the workspace examples/shop (a temp folder
//      with one YAML file if that is missing) and runs test/e2e/host/index.js, which runs mocha 10
//      over test/e2e/host/*.test.js inside the real extension host.
//   3. UI tests: every test/e2e/ui/*.test.mjs, each against a fresh code-server + Chromium.
//   Prints one final line `N passed, N failed` and exits non-zero on any failure.
//   Screenshots (yours, plus `<file>-failure.png` when a UI test throws) go to test-results/.
//
// Adding an extension-host test: create test/e2e/host/NAME.test.js (CommonJS, mocha BDD
// describe/it or TDD suite/test; timeout 60 s), e.g.
//     const assert = require('assert');
//     const vscode = require('vscode');
//     describe('commands', () => {
//       before(() => vscode.extensions.getExtension('kube-netsim.kube-netsim').activate());
//       it('registers showTopology', async () => {
//         assert.ok((await vscode.commands.getCommands(true)).includes('kubeNetsim.showTopology'));
//       });
//     });
//   Activate explicitly as above: tests can start before the YAML activation event fires.
//
// Adding a UI test: create test/e2e/ui/NAME.test.mjs exporting a default async function; it
// passes by returning and fails by throwing:
//     import path from 'node:path';
//     export default async function ({ openWorkbench, runCommand, openFile, screenshotDir }) {
//       const { page, close } = await openWorkbench();   // workspace + extension preset
//       try {
//         await openFile(page, 'app.yaml');              // Explorer name or relative path
//         await runCommand(page, 'Kubernetes Network: Show Topology');
//         const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
//         await view.locator('[data-kind="service"]').first().waitFor();
//         await page.screenshot({ path: path.join(screenshotDir, 'topology.png') });
//       } finally { await close(); }
//     }
//   openWorkbench(overrides?) accepts { workspace, extensionDevelopmentPath, settings } to
//   override the defaults (settings = extra VS Code user settings). The runner closes every
//   workbench after the test (close() only marks it), screenshotting it first if the test failed.
//
// Options (mainly for testing the harness itself): --extension DIR, --workspace DIR,
// --host-dir DIR (folder with index.js and *.test.js), --ui-dir DIR, --only TEXT, --screenshots DIR,
// --skip-install, --skip-host, --skip-ui (--only also picks scenarios by name). E2E_DEBUG=1 echoes code-server output and all workbench/browser logs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT, openFile, openWorkbench, runCommand, runExtensionHostTests } from './harness.mjs';

const { values: opts } = parseArgs({
  options: {
    extension: { type: 'string', default: REPO_ROOT },
    workspace: { type: 'string' },
    'host-dir': { type: 'string', default: path.join(REPO_ROOT, 'test', 'e2e', 'host') },
    'ui-dir': { type: 'string', default: path.join(REPO_ROOT, 'test', 'e2e', 'ui') },
    'scenario-dir': { type: 'string', default: path.join(REPO_ROOT, 'test', 'e2e', 'scenarios') },
    // Only the UI tests whose file name contains this text (the benchmark runs the frame-time one).
    only: { type: 'string' },
    screenshots: { type: 'string', default: path.join(REPO_ROOT, 'test-results') },
    'skip-install': { type: 'boolean', default: false },
    // While iterating on one part: leave out the main extension-host suite or the UI tests.
    'skip-host': { type: 'boolean', default: false },
    'skip-ui': { type: 'boolean', default: false },
  },
});
const HOST_TIMEOUT_MS = 300_000;
const UI_TIMEOUT_MS = 180_000;

const extensionDevelopmentPath = path.resolve(opts.extension);
const hostDir = path.resolve(opts['host-dir']);
const uiDir = path.resolve(opts['ui-dir']);
const scenarioDir = path.resolve(opts['scenario-dir']);
const screenshotDir = path.resolve(opts.screenshots);
mkdirSync(screenshotDir, { recursive: true });

let passed = 0;
let failed = 0;
const t0 = Date.now();
const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// 1. Install (no-op when already installed).
if (!opts['skip-install']) {
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-code-server.sh')], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('install-code-server.sh failed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

// Workspace: a throwaway copy of examples/shop (tests edit documents and write workspace
// settings; the sample in the repo must stay as it is), or a folder with one manifest.
let workspace = opts.workspace && path.resolve(opts.workspace);
let tempWorkspace = null;
if (!workspace) {
  const sample = path.join(REPO_ROOT, 'examples', 'shop');
  tempWorkspace = mkdtempSync(path.join(tmpdir(), 'kube-netsim-shop-'));
  workspace = path.join(tempWorkspace, 'shop');
  if (existsSync(sample)) cpSync(sample, workspace, { recursive: true });
  else {
    mkdirSync(workspace);
    writeFileSync(
      path.join(workspace, 'app.yaml'),
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: web',
        '  namespace: default',
        'spec:',
        '  selector:',
        '    app: web',
        '  ports:',
        '    - port: 80',
        '      targetPort: 8080',
        '',
      ].join('\n'),
    );
    console.log(`[e2e] examples/shop is missing; using ${workspace}`);
  }
}

try {
  // 2. Extension-host suite.
  const hostTests = existsSync(hostDir) && !opts['skip-host'] ? readdirSync(hostDir).filter((f) => f.endsWith('.test.js')) : [];
  if (hostTests.length === 0) {
    console.log(`[e2e] no extension-host tests (${hostDir}/*.test.js)`);
  } else {
    console.log(`[e2e] extension-host suite: ${hostTests.length} file(s)`);
    const t = Date.now();
    let nPass = null;
    let nFail = null;
    const code = await runExtensionHostTests({
      workspace,
      extensionDevelopmentPath,
      extensionTestsPath: path.join(hostDir, 'index.js'),
      timeoutMs: HOST_TIMEOUT_MS,
      onLog: (line) => {
        const p = line.match(/^\s*(\d+) passing\b/);
        const f = line.match(/^\s*(\d+) failing\b/);
        if (p) nPass = Number(p[1]);
        if (f) nFail = Number(f[1]);
      },
    }).catch((err) => {
      console.error(err);
      return 1;
    });
    passed += nPass ?? 0;
    failed += nFail ?? 0;
    if (code !== 0 && !nFail) failed += 1; // crashed, timed out or failed to load: count it once
    console.log(`[e2e] extension-host suite exit ${code} in ${elapsed(t)}`);
  }

  // 2b. Scenario suites: extension-host tests on a workspace of their own (a multi-root workspace,
  // Restricted Mode, ...). Each test/e2e/scenarios/NAME/ has scenario.json, index.js and *.test.js:
  //   { "base": "examples/shop",        copied first (optional)
  //     "folders": ["alpha", "beta"],   a multi-root workspace of these subfolders of workspace/ (optional)
  //     "trust": false,                 open in Restricted Mode (optional)
  //     "settings": { ... } }           user settings (optional)
  // and its workspace/ folder is copied over the base.
  const scenarios = existsSync(scenarioDir)
    ? readdirSync(scenarioDir)
        .filter((d) => existsSync(path.join(scenarioDir, d, 'scenario.json')) && (!opts.only || d.includes(opts.only)))
        .sort()
    : [];
  for (const name of scenarios) {
    const dir = path.join(scenarioDir, name);
    const spec = JSON.parse(readFileSync(path.join(dir, 'scenario.json'), 'utf8'));
    const root = path.join(mkdtempSync(path.join(tempWorkspace ?? tmpdir(), `scenario-${name}-`)), name);
    mkdirSync(root, { recursive: true });
    if (spec.base) cpSync(path.join(REPO_ROOT, spec.base), root, { recursive: true });
    if (existsSync(path.join(dir, 'workspace'))) cpSync(path.join(dir, 'workspace'), root, { recursive: true });
    let target = root;
    if (Array.isArray(spec.folders)) {
      target = path.join(root, `${name}.code-workspace`);
      writeFileSync(target, JSON.stringify({ folders: spec.folders.map((f) => ({ path: f })) }, null, 2));
    }
    const t = Date.now();
    let nPass = null;
    let nFail = null;
    console.log(`[e2e] scenario ${name}: ${spec.description ?? ''}`);
    const code = await runExtensionHostTests({
      workspace: target,
      extensionDevelopmentPath,
      extensionTestsPath: path.join(dir, 'index.js'),
      settings: spec.settings ?? {},
      trust: spec.trust !== false,
      timeoutMs: HOST_TIMEOUT_MS,
      onLog: (line) => {
        const p = line.match(/^\s*(\d+) passing\b/);
        const f = line.match(/^\s*(\d+) failing\b/);
        if (p) nPass = Number(p[1]);
        if (f) nFail = Number(f[1]);
      },
    }).catch((err) => {
      console.error(err);
      return 1;
    });
    passed += nPass ?? 0;
    failed += nFail ?? 0;
    if (code !== 0 && !nFail) failed += 1;
    console.log(`[e2e] scenario ${name} exit ${code} in ${elapsed(t)}`);
  }

  // 3. UI tests.
  const uiTests =
    existsSync(uiDir) && !opts['skip-ui']
      ? readdirSync(uiDir)
          .filter((f) => f.endsWith('.test.mjs') && (!opts.only || f.includes(opts.only)))
          .sort()
      : [];
  if (uiTests.length === 0) console.log(`[e2e] no UI tests (${uiDir}/*.test.mjs)`);
  for (const file of uiTests) {
    const t = Date.now();
    const opened = [];
    const ctx = {
      // close() is deferred until the test has finished, so a failure screenshot can be taken.
      openWorkbench: async (overrides = {}) => {
        // Each UI test gets its own copy: the extension-host suite and other tests edit files.
        let fresh = workspace;
        if (!opts.workspace && !overrides.workspace && existsSync(path.join(REPO_ROOT, 'examples', 'shop'))) {
          fresh = path.join(mkdtempSync(path.join(tempWorkspace ?? tmpdir(), 'ui-')), 'shop');
          cpSync(path.join(REPO_ROOT, 'examples', 'shop'), fresh, { recursive: true });
        }
        const wb = await openWorkbench({ workspace: fresh, extensionDevelopmentPath, ...overrides });
        opened.push(wb);
        return { ...wb, close: async () => {} };
      },
      runCommand,
      openFile,
      screenshotDir,
    };
    let timer;
    try {
      const mod = await import(pathToFileURL(path.join(uiDir, file)).href);
      if (typeof mod.default !== 'function') throw new Error('no default export function');
      // A test that measures a large workspace may ask for longer (export const timeoutMs).
      const limit = typeof mod.timeoutMs === 'number' ? mod.timeoutMs : UI_TIMEOUT_MS;
      const attempt = () =>
        Promise.race([
          mod.default(ctx),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms`)), limit);
          }),
        ]);
      // A UI test gets one retry: on a loaded 2-core machine the webview's first load sometimes
      // misses a timeout. A second failure fails the run.
      try {
        await attempt();
      } catch (first) {
        clearTimeout(timer);
        // The test file's own line that failed, so a flaky step can be found from the CI log.
        const at =
          String(first && first.stack ? first.stack : '')
            .split('\n')
            .find((l) => l.includes(file)) ?? '';
        console.log(
          `[e2e] ↻ ${file} failed once, retrying: ${String(first && first.message ? first.message : first).split('\n')[0]}${at ? ` (${at.trim()})` : ''}`,
        );
        for (const wb of opened.splice(0)) await wb.close().catch(() => {});
        await attempt();
      }
      passed += 1;
      console.log(`[e2e] ✔ ${file} (${elapsed(t)})`);
    } catch (err) {
      failed += 1;
      console.log(`[e2e] ✖ ${file} (${elapsed(t)})\n${err && err.stack ? err.stack : err}`);
      for (const [i, wb] of opened.entries()) {
        const shot = path.join(screenshotDir, `${file.replace(/\.test\.mjs$/, '')}-failure${i ? `-${i}` : ''}.png`);
        await wb.page.screenshot({ path: shot }).then(
          () => console.log(`[e2e]   screenshot: ${shot}`),
          () => {},
        );
      }
    } finally {
      clearTimeout(timer);
      for (const wb of opened) await wb.close().catch(() => {});
    }
  }
} finally {
  if (tempWorkspace) rmSync(tempWorkspace, { recursive: true, force: true });
}

console.log(`[e2e] total ${elapsed(t0)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
