// Three separate bundles: the extension (Node, vscode external), the CLI (Node, with a shebang)
// and the topology webview (browser). The engine is bundled into the first two.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const builds = [
  build({
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
  }),
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    banner: { js: '#!/usr/bin/env node' },
  }),
];
if (existsSync('webview/main.ts')) {
  builds.push(
    build({
      ...common,
      entryPoints: ['webview/main.ts'],
      outfile: 'dist/webview.js',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    }),
  );
}
if (existsSync('src/extension/analysis/worker.ts')) {
  builds.push(
    build({
      ...common,
      entryPoints: ['src/extension/analysis/worker.ts'],
      outfile: 'dist/analysisWorker.js',
      platform: 'node',
      format: 'cjs',
      target: 'node18',
    }),
  );
}
await Promise.all(builds);
