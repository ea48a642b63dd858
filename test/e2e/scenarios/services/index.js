// Extension-host tests on its own workspace (see scenario.json); run by test/e2e/run.mjs
// (`node test/e2e/run.mjs --skip-install --skip-ui --only services` runs this suite alone).
module.exports = { run: () => require('../../host/index.js').runIn(__dirname) };
