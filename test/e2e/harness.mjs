// Offline real-VS-Code test harness: code-server (VS Code 1.100.3's workbench and Node extension
// host) served to Debian's Chromium driven by playwright-core. Recipe: /work/shared/vscode-testing.md.
// Install first with `bash scripts/install-code-server.sh` (run.mjs does it for you).
// Every function takes paths as parameters; nothing here is specific to kube-netsim.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VIEWPORT = { width: 1400, height: 900 };
const CODE_SERVER_DIR = process.env.CODE_SERVER_DIR || path.join(REPO_ROOT, '.vscode-test', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const DEBUG = !!process.env.E2E_DEBUG; // E2E_DEBUG=1 echoes code-server's output and every workbench log line

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Process groups still running, killed if this process exits without stopping them. */
const liveGroups = new Set();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => process.exit(130));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function decodeHtmlAttr(s) {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Starts code-server on 127.0.0.1 in its own process group with throwaway user-data and
 * extensions folders (user settings: quiet defaults plus `settings`). Resolves once /healthz answers, with { url, port, authority, stop() }.
 * `authority` is the workbench's remoteAuthority (used in vscode-remote:// URIs).
 */
export async function startCodeServer({ workspace, port, settings = {}, vsix, trust = true, timeoutMs = 60_000 } = {}) {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed at ${CODE_SERVER_ENTRY}; run: bash scripts/install-code-server.sh`);
  }
  port = port || (await freePort());
  const tmp = mkdtempSync(path.join(tmpdir(), 'kube-netsim-cs-'));
  const logFile = path.join(tmp, 'code-server.log');
  const args = [
    CODE_SERVER_ENTRY,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--config',
    path.join(tmp, 'config.yaml'), // never write ~/.config/code-server
    '--user-data-dir',
    path.join(tmp, 'user-data'),
    '--extensions-dir',
    path.join(tmp, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    // `trust: false` opens the workspace in Restricted Mode (workspace trust on, nothing trusted).
    ...(trust ? ['--disable-workspace-trust'] : []),
  ];
  if (vsix) {
    // What users get: the packaged extension installed into this server's extensions folder.
    const install = spawnSync(
      process.execPath,
      [
        CODE_SERVER_ENTRY,
        '--extensions-dir',
        path.join(tmp, 'extensions'),
        '--user-data-dir',
        path.join(tmp, 'user-data'),
        '--install-extension',
        path.resolve(vsix),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, XDG_DATA_HOME: path.join(tmp, 'xdg-data'), XDG_CONFIG_HOME: path.join(tmp, 'xdg-config') },
      },
    );
    if (install.status !== 0) throw new Error(`installing ${vsix} failed: ${install.stderr || install.stdout}`);
  }
  if (workspace) args.push(path.resolve(workspace));
  // Quiet, offline-friendly user settings (code-server keeps them in the user-data-dir).
  mkdirSync(path.join(tmp, 'user-data', 'User'), { recursive: true });
  writeFileSync(
    path.join(tmp, 'user-data', 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'files.autoSave': 'off', // tests edit documents and must leave the files on disk as they were
        'security.workspace.trust.enabled': !trust,
        ...(trust ? {} : { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' }),
        ...settings,
      },
      null,
      2,
    ),
  );
  const child = spawn(process.execPath, args, {
    detached: true, // own process group: stop() kills code-server and all its children
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_DATA_HOME: path.join(tmp, 'xdg-data'), XDG_CONFIG_HOME: path.join(tmp, 'xdg-config') },
  });
  liveGroups.add(child.pid);
  const out = createWriteStream(logFile);
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(out, { end: false });
    if (DEBUG) stream.on('data', (d) => process.stdout.write(`[code-server] ${d}`));
  }
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      liveGroups.delete(child.pid);
      resolve(exited);
    }),
  );

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = sleep(5000).then(() => 'timeout');
      if ((await Promise.race([exitPromise, timer])) === 'timeout') {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await exitPromise;
      }
    }
    // The leader may exit before its children: make sure the whole group is gone.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    liveGroups.delete(child.pid);
    out.end();
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)})`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
      await sleep(100);
    }
    const folderQuery = workspace ? `?folder=${encodeURIComponent(path.resolve(workspace))}` : '';
    const html = await (await fetch(`${url}/${folderQuery}`)).text();
    const m =
      html.match(/id="vscode-workbench-web-configuration"[^>]*data-settings="([^"]*)"/) ||
      html.match(/data-settings="([^"]*)"[^>]*id="vscode-workbench-web-configuration"/);
    if (!m) throw new Error('could not find the workbench configuration in the served page');
    const authority = JSON.parse(decodeHtmlAttr(m[1])).remoteAuthority;
    if (!authority) throw new Error('the workbench configuration has no remoteAuthority');
    return { url, port, authority, pid: child.pid, logFile, stop };
  } catch (err) {
    let log = '';
    try {
      log = readFileSync(logFile, 'utf8');
    } catch {
      /* none */
    }
    await stop();
    err.message += log ? `\n--- code-server output ---\n${log}` : '';
    throw err;
  }
}

/** Debian's Chromium, headless, through playwright-core (never `npx playwright install`). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A new page (own context) with the standard 1400x900 viewport. */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  return context.newPage();
}

function remoteUri(server, p) {
  const abs = path.resolve(p).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://${server.authority}${abs}`;
}

/**
 * The workbench URL that opens `folder` with the extension at `extensionDevelopmentPath` loaded
 * from source and, if given, runs `extensionTestsPath`'s exported run() in the extension host.
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(server, extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server, extensionTestsPath)]);
  const q = [];
  // A `.code-workspace` file opens a multi-root workspace; anything else is one folder.
  if (folder) q.push(`${/\.code-workspace$/.test(folder) ? 'workspace' : 'folder'}=${encodeURIComponent(path.resolve(folder))}`);
  if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.url}/${q.length ? `?${q.join('&')}` : ''}`;
}

/** Workbench log lines that are expected offline and say nothing about the extension. */
const NOISE = [
  /open-vsx\.org/, // extension gallery lookups fail harmlessly without a network
  /^Creating a socket|^Resolv(ing|ed) connection token|^Updating additional builtin extensions cache/,
  /^\[Service Worker\]|^ChatSessionStore:|^Creation of workbench contribution/,
];
/**
 * Runs an extension-host test module (its exported run(), e.g. test/e2e/host/index.js) inside
 * the real VS Code extension host with the extension loaded from source. Prints the host's
 * console to stdout (and to onLog(line, type) if given) and resolves with the exit code the
 * workbench reports (0 = run() resolved; 124 = timed out). Always stops the browser and server.
 */
export async function runExtensionHostTests({
  workspace,
  extensionDevelopmentPath,
  extensionTestsPath,
  settings,
  trust = true,
  timeoutMs = 180_000,
  onLog,
}) {
  let server, browser, timer;
  try {
    server = await startCodeServer({ workspace, settings, trust });
    browser = await launchBrowser();
    const page = await newPage(browser);
    let finish;
    const done = new Promise((resolve) => {
      finish = resolve;
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The extension host's console (mocha's spec output) arrives here as console-style args,
      // mixed with the workbench's own log; drop the workbench's expected offline chatter.
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (!DEBUG && NOISE.some((re) => re.test(line))) return;
      const prefix = type === 'error' ? '[host error] ' : type === 'warn' ? '[host warn] ' : '';
      process.stdout.write(`${prefix}${line}\n`);
      if (onLog) onLog(line, type);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(typeof code === 'number' ? code : 1));
    page.on('pageerror', (e) => {
      if (DEBUG) process.stdout.write(`[page error] ${e.message}\n`);
    });
    timer = setTimeout(() => {
      process.stdout.write(`[harness] extension-host tests timed out after ${timeoutMs} ms\n`);
      finish(124);
    }, timeoutMs);
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath, extensionTestsPath }));
    return await done;
  } finally {
    clearTimeout(timer);
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  }
}

/**
 * Starts code-server and Chromium and opens the workbench on `workspace` with the extension
 * loaded from source. Resolves once `.monaco-workbench` is visible, with
 * { page, server, browser, close() }. Always call close() (in a finally).
 */
export async function openWorkbench({ workspace, extensionDevelopmentPath, settings, vsix, trust = true, timeoutMs = 60_000 }) {
  let server, browser;
  const close = async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  };
  try {
    server = await startCodeServer({ workspace, settings, vsix, trust });
    browser = await launchBrowser();
    const page = await newPage(browser);
    page.setDefaultTimeout(30_000);
    if (DEBUG) page.on('console', (m) => process.stdout.write(`[browser ${m.type()}] ${m.text()}\n`));
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: vsix ? undefined : extensionDevelopmentPath }));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    return { page, server, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Runs a command from the palette by its title as shown there, e.g.
 * 'Kubernetes Network: Show Topology' (or just 'Show Topology').
 */
export async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const row = rows.filter({ hasText: new RegExp(escapeRegExp(title)) }).first();
  await row.waitFor({ state: 'visible' });
  // Make the matching row the focused one, then accept it.
  if (!(await row.evaluate((el) => el.classList.contains('focused')))) {
    const n = await rows.count();
    for (let i = 0; i < n && !(await row.evaluate((el) => el.classList.contains('focused'))); i++) {
      await page.keyboard.press('ArrowDown');
    }
  }
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/**
 * Opens a workspace file in the editor: `name` is a file name in the Explorer's visible tree
 * (e.g. 'app.yaml'), or a workspace-relative path (opened through Quick Open).
 * Resolves when its editor is active and its text is rendered.
 */
export async function openFile(page, name, { timeoutMs = 30_000 } = {}) {
  const base = name.split('/').pop();
  let opened = false;
  if (!name.includes('/')) {
    // The Explorer shows the folder's top level shortly after the workbench appears.
    const item = page.getByRole('treeitem', { name: base, exact: true });
    try {
      await item.first().waitFor({ state: 'visible', timeout: Math.min(10_000, timeoutMs) });
      await item.first().click();
      opened = true;
    } catch {
      /* not in the visible tree: use Quick Open */
    }
  }
  if (!opened) {
    const input = page.locator('.quick-input-widget input');
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: base }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+P');
      await input.waitFor({ state: 'visible' });
      await input.fill(name);
      try {
        await row.waitFor({ state: 'visible', timeout: 10_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err; // the file search may not be ready yet: retry
        await page.keyboard.press('Escape');
      }
    }
    await page.keyboard.press('Enter');
  }
  await page.locator('.tabs-container .tab.active', { hasText: base }).waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.editor-instance .view-lines').first().waitFor({ state: 'visible', timeout: timeoutMs });
}
