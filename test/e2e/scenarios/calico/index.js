// Extension-host tests on examples/calico (see scenario.json); run by test/e2e/run.mjs
// (`node test/e2e/run.mjs --skip-install --skip-ui --only calico` runs this suite alone).
module.exports = { run: () => require('../../host/index.js').runIn(__dirname) };
