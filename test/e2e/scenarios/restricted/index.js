// Extension-host tests in Restricted Mode (see scenario.json); run by test/e2e/run.mjs.
module.exports = { run: () => require('../../host/index.js').runIn(__dirname) };
