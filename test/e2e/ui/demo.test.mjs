// The one-command demo: `node scripts/start.mjs` (what `npm start` runs after building) on a free
// PORT prints the CLI's analysis and then a URL; that URL opens VS Code on examples/shop with the
// extension active (its status bar item counts pods and Services). The process group is killed after.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, launchBrowser, newPage } from '../harness.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function waitForUrl(child, timeoutMs) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d) => {
      out += d;
      const m = out.match(/^(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start.mjs exited (${code}) before printing a URL:\n${out}`));
    });
  });
}

export default async function demo({ screenshotDir }) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(REPO, 'scripts', 'start.mjs')], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port) },
    detached: true, // its own process group: code-server and its children go with it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let browser;
  try {
    const { url, out } = await waitForUrl(child, 120_000);
    assert.match(out, /== kube-netsim analyze examples\/shop/, 'the CLI analysis comes first');
    assert.match(out, /pods, \d+ services; \d+ errors/);
    assert.ok(url.startsWith(`http://127.0.0.1:${port}/`), `served on PORT ${port}: ${url}`);
    browser = await launchBrowser();
    const page = await newPage(browser);
    page.setDefaultTimeout(60_000);
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    // The extension activated on the sample: its status bar item shows the simulated cluster.
    const status = page
      .locator('.statusbar-item')
      .filter({ hasText: /\d+ pods · \d+ svc/ })
      .first();
    await status.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await status.innerText(), /\b[1-9]\d* pods · [1-9]\d* svc/);
    await page.screenshot({ path: path.join(screenshotDir, 'demo.png') });
  } finally {
    if (browser) await browser.close().catch(() => {});
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await new Promise((r) => setTimeout(r, 1500));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
