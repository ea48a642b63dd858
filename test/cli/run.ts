// Runs the built CLI (`node dist/cli.js`) as users and CI do. The bundle is built once per test
// run: test files run in parallel processes, so the first one builds under a lock and the others
// reuse the bundle (the marker names the test runner's pid).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const LOCK = join(DIST, '.test-build.lock');
const MARKER = join(DIST, '.test-build.run');

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function ensureBuilt(): void {
  mkdirSync(DIST, { recursive: true });
  const run = String(process.ppid);
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left behind by a killed run is stale after two minutes.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 120_000) rmdirSync(LOCK);
      pause(100);
    }
  }
  try {
    const built = existsSync(MARKER) && readFileSync(MARKER, 'utf8') === run && existsSync(join(DIST, 'cli.js'));
    if (!built) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
      writeFileSync(MARKER, run);
    }
  } finally {
    rmdirSync(LOCK);
  }
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kube-netsim ARGS...` from the repository root, as `node dist/cli.js`. */
export function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [join(DIST, 'cli.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, KUBE_NETSIM_DEBUG: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function json<T = Record<string, unknown>>(r: Run): T {
  return JSON.parse(r.stdout) as T;
}
