// What a user gets: the packaged .vsix installed into a real VS Code (code-server) on a copy of
// the sample workspace. Checks the Problems panel, a hover's text, and a "Trace packet" lens that
// opens the hop-by-hop trace in the topology view. Screenshots go to test-results/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function packageVsix(dir) {
  const out = path.join(dir, 'kube-netsim.vsix');
  const r = spawnSync(
    process.execPath,
    [
      path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '-o',
      out,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `vsce package failed: ${r.stderr || r.stdout}`);
  // The analysis worker is a file of its own: without it the installed extension would analyse on the host.
  const files = spawnSync(process.execPath, [path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], {
    cwd: REPO,
    encoding: 'utf8',
  }).stdout.split('\n');
  for (const f of ['dist/extension.js', 'dist/analysisWorker.js', 'dist/webview.js']) assert.ok(files.includes(f), `${f} is not packaged`);
  return out;
}

export default async function installedExtension({ openWorkbench, openFile, screenshotDir }) {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kube-netsim-vsix-'));
  try {
    const vsix = packageVsix(tmp);
    const ws = path.join(tmp, 'shop');
    cpSync(path.join(REPO, 'examples', 'shop'), ws, { recursive: true });
    const { page } = await openWorkbench({ workspace: ws, vsix });
    await openFile(page, 'frontend.yaml');
    await page.locator('.editor-instance .view-lines').filter({ hasText: 'BACKEND_URL' }).waitFor();

    // The Problems panel lists the unresolvable host with its code.
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-tl-contents').filter({ hasText: 'catalog does not resolve' }).first();
    await problem.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await problem.innerText(), /dns-name-unresolved/);
    await page.screenshot({ path: path.join(screenshotDir, 'problems.png') });

    // Hovering the host in the URL explains where it goes.
    const token = page
      .locator('.view-line span')
      .filter({ hasText: /^http:\/\/backend:8080\/api$|backend/ })
      .first();
    // Hover once the analysis is shown (status bar), and again if the first hover came too early.
    await page
      .locator('.statusbar-item')
      .filter({ hasText: /pods ·/ })
      .first()
      .waitFor({ timeout: 30_000 });
    const hover = page.locator('.monaco-hover:visible').first();
    for (let attempt = 0; ; attempt++) {
      await token.hover();
      try {
        await hover.waitFor({ state: 'visible', timeout: 8_000 });
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
        await page.mouse.move(700, 880);
      }
    }
    const hoverText = await hover.innerText();
    assert.match(hoverText, /backend\.shop\.svc\.cluster\.local/);
    assert.match(hoverText, /Endpoints \(3 pods\)/);
    await page.screenshot({ path: path.join(screenshotDir, 'hover.png') });
    // Move away so the hover closes and does not cover the lens above the line.
    await page.keyboard.press('Escape');
    await page.mouse.move(700, 880);
    await page
      .locator('.monaco-hover:visible')
      .waitFor({ state: 'hidden', timeout: 10_000 })
      .catch(() => undefined);

    // Clicking the lens opens the trace in the topology view, one list item per hop.
    const lens = page.locator('.codelens-decoration a').filter({ hasText: 'Trace packet to backend:8080' }).first();
    await lens.waitFor({ state: 'visible', timeout: 15_000 });
    await lens.click({ timeout: 15_000 }).catch(() => lens.click({ force: true }));
    const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    const steps = view.locator('ol li');
    await steps.first().waitFor({ state: 'visible', timeout: 30_000 });
    const texts = await steps.allInnerTexts();
    assert.ok(texts.length >= 4, `hops: ${texts.join(' | ')}`);
    assert.ok(texts.some((t) => /dnat/i.test(t)) && texts.some((t) => /deliver/i.test(t)), `hops: ${texts.join(' | ')}`);
    await view.locator('[data-trace-step]').first().waitFor({ state: 'attached', timeout: 15_000 });
    await page.screenshot({ path: path.join(screenshotDir, 'trace-lens.png') });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
