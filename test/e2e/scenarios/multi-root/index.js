// Extension-host tests on a multi-root workspace (see scenario.json); run by test/e2e/run.mjs.
module.exports = { run: () => require('../../host/index.js').runIn(__dirname) };
