// Extension-host tests on examples/gateway (see scenario.json); run by test/e2e/run.mjs
// (`node test/e2e/run.mjs --skip-host --skip-ui --only gateway` runs this suite alone).
module.exports = { run: () => require('../../host/index.js').runIn(__dirname) };
