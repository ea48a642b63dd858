// Extension-host tests on examples/cilium (see scenario.json); run by test/e2e/run.mjs
// (`node test/e2e/run.mjs --skip-host --skip-ui --only cilium` runs this suite alone).
module.exports = { run: () => require('../../host/index.js').runIn(__dirname) };
