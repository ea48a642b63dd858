#!/usr/bin/env node
// `npm start`: the main job. Builds, prints the CLI's analysis of the sample workspace, then
// serves that workspace in a real VS Code (code-server, installed on first use) with the
// extension loaded from this folder, and prints the URL. Ctrl-C stops it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, startCodeServer, workbenchUrl } from '../test/e2e/harness.mjs';

const workspace = path.join(REPO_ROOT, 'examples', 'shop');
const port = Number(process.env.PORT ?? 8080);

const run = (cmd, args) => spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit' }).status;

console.log('== kube-netsim analyze examples/shop');
run(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'analyze', 'examples/shop']);
console.log('\n== kube-netsim dns examples/shop --from shop/frontend backend');
run(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'dns', 'examples/shop', '--from', 'shop/frontend', 'backend']);

if (process.argv.includes('--cli-only')) process.exit(0);
if (run('bash', [path.join(REPO_ROOT, 'scripts', 'install-code-server.sh')]) !== 0) {
  console.error('kube-netsim: could not install code-server (see above); the CLI output above still stands.');
  process.exit(1);
}
const server = await startCodeServer({ workspace, port });
const url = workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: REPO_ROOT });
console.log(`\n== VS Code with kube-netsim on examples/shop:\n${url}\n(Ctrl-C to stop)`);
const stop = () => {
  server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
