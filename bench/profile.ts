// `node --import tsx bench/profile.ts NSxAPPS DIR`: writes one generated workspace and the bundled
// CLI into DIR, so a single CLI run can be profiled as users run it, e.g.
//   node --cpu-prof --cpu-prof-dir DIR/prof DIR/cli.js matrix DIR/ws
//   node --heap-prof --heap-prof-dir DIR/prof DIR/cli.js analyze DIR/ws
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { generateWorkspace } from './generate';

const [sizeArg, dirArg] = process.argv.slice(2);
const m = /^(\d+)x(\d+)$/.exec(sizeArg ?? '');
if (!m || !dirArg) {
  console.error('usage: node --import tsx bench/profile.ts NAMESPACESxAPPS DIR (e.g. 800x40 /tmp/prof96k)');
  process.exit(2);
}
const dir = resolve(dirArg);
const workspace = generateWorkspace({ namespaces: Number(m[1]), apps: Number(m[2]) });
for (const f of [...workspace.files, ...(workspace.settings ? [workspace.settings] : [])]) {
  const path = join(dir, 'ws', f.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, f.text);
}
buildSync({
  entryPoints: [join(__dirname, '..', 'src/cli/main.ts')],
  outfile: join(dir, 'cli.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'error',
});
console.log(`${workspace.pods} pods in ${join(dir, 'ws')}; CLI at ${join(dir, 'cli.js')}`);
