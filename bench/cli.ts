// The CLI's own figures for the bench: wall time and peak RSS of one `kube-netsim analyze` and one
// `kube-netsim matrix` process on the generated workspace written to disk. The CLI is bundled as
// `npm run build` bundles it, so the process measured is the one users run (no tsx in it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import type { GeneratedWorkspace } from './generate';

const REPO = join(__dirname, '..');

export interface CliRun {
  ms: number;
  rssMB: number;
  exitCode: number | null;
}

/** A workspace on disk and the bundled CLI beside it; `close` removes both. */
export function cliWorkspace(workspace: GeneratedWorkspace): { run: (command: string) => CliRun; close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kube-netsim-bench-cli-'));
  const root = join(dir, 'ws');
  for (const f of [...workspace.files, ...(workspace.settings ? [workspace.settings] : [])]) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.text);
  }
  const cli = join(dir, 'cli.js');
  buildSync({
    entryPoints: [join(REPO, 'src/cli/main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  });
  // Preloaded into the CLI process: writes its peak RSS where the bench reads it (node gives no child rusage).
  const probe = join(dir, 'rss.cjs');
  const rssFile = join(dir, 'rss.txt');
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const run = (command: string): CliRun => {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--require', probe, cli, command, root], {
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 26,
    });
    const ms = performance.now() - t;
    const rssMB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    return { ms, rssMB, exitCode: r.status };
  };
  return { run, close: () => rmSync(dir, { recursive: true, force: true }) };
}
