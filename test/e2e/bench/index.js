// Extension-host entry for the editor benchmark (npm run bench -- --editor): runs the *.bench.js
// files of this folder with the same mocha setup as the host tests.
'use strict';
const fs = require('fs');
const path = require('path');

function run() {
  const Mocha = require(require.resolve('mocha', { paths: [__dirname, path.resolve(__dirname, '..', '..', '..')] }));
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 600000 });
  for (const f of fs
    .readdirSync(__dirname)
    .filter((x) => x.endsWith('.bench.js'))
    .sort())
    mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) =>
    mocha.run((failures) => (failures === 0 ? resolve() : reject(new Error(`${failures} bench step(s) failed`)))),
  );
}

module.exports = { run };
