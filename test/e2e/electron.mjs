#!/usr/bin/env node
// The same extension-host suite in desktop VS Code through @vscode/test-electron, for contributors
// with a network: it DOWNLOADS a VS Code build on first use, which these CI machines cannot do, so
// CI runs the suite through code-server instead (node test/e2e/run.mjs).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './harness.mjs';

let runTests;
try {
  ({ runTests } = await import('@vscode/test-electron'));
} catch {
  console.error('kube-netsim: @vscode/test-electron is not installed; run `npm install` first.');
  process.exit(2);
}
const workspace = path.join(mkdtempSync(path.join(tmpdir(), 'kube-netsim-electron-')), 'shop');
cpSync(path.join(REPO_ROOT, 'examples', 'shop'), workspace, { recursive: true });
await runTests({
  extensionDevelopmentPath: REPO_ROOT,
  extensionTestsPath: path.join(REPO_ROOT, 'test', 'e2e', 'host', 'index.js'),
  launchArgs: [workspace, '--disable-extensions'],
});
