// Extension-host test entry: VS Code require()s this file inside the real extension host and
// awaits run(). It runs mocha 10 (CommonJS; mocha 11+ is ESM-first and cannot be required here)
// over every *.test.js file in this folder. Both BDD (describe/it) and TDD (suite/test) globals
// are available. Start each suite with
//   await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
// because tests can start before the extension's activation event has fired.
// Driven by test/e2e/run.mjs (see there); the `vscode` module is available to the tests.
'use strict';
const fs = require('fs');
const path = require('path');

function loadMocha() {
  // This file lives inside the repo, so plain resolution finds <repo>/node_modules/mocha.
  // Fall back to the extension development path (the repo root) and the cwd.
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const resolved = require.resolve('mocha', { paths: [__dirname, repoRoot, process.cwd()] });
  return require(resolved);
}

/** Runs mocha over every *.test.js of `dir` (a scenario's folder reuses this runner). */
function runIn(dir) {
  const Mocha = loadMocha();
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60000 });
  Mocha.interfaces.tdd(mocha.suite); // also expose suite()/test()/suiteSetup()...
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      console.log(`No *.test.js files in ${dir}`);
      resolve();
      return;
    }
    try {
      mocha.run((failures) => {
        if (failures === 0) resolve();
        else reject(new Error(`${failures} extension-host test(s) failed`));
      });
    } catch (err) {
      reject(err);
    }
  });
}

function run() {
  return runIn(__dirname);
}

module.exports = { run, runIn };
