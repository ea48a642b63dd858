// XSS: a label value that is markup must be drawn as text: no element created from it, no script run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateWorkspace, openTopology } from './topologyHelpers.mjs';

export default async function xss({ openWorkbench, runCommand, openFile }) {
  const ws = mkdtempSync(path.join(tmpdir(), 'kube-netsim-topo-xss-'));
  const payload = '<img src=x onerror=alert(1)>';
  generateWorkspace(ws, { xssLabel: payload });
  try {
    const { page } = await openWorkbench({ workspace: ws });
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // The page's CSP (nonce scripts, no inline styles) must not block anything it does itself.
    const refused = [];
    page.on('console', (m) => {
      if (
        /Content Security Policy/i.test(m.text()) &&
        /webview|vscode-cdn|fake\.html|active-frame/i.test(`${m.location().url} ${m.text()}`)
      )
        refused.push(m.text());
    });
    const view = await openTopology(page, runCommand, openFile, 'app.yaml');
    const pod = view.locator('#scene [data-kind="pod"][data-namespace="xss"]').first();
    assert.ok((await pod.locator('title').textContent()).includes(payload), 'the label value is shown as text in the tooltip');
    await pod.click();
    await view.locator('.details dd', { hasText: payload }).waitFor();
    assert.equal(await view.locator('img').count(), 0, 'no img element was created from the label');
    // A trace whose target is markup: its title and verdict show it as text (another drawing path).
    const target = '<svg onload=alert(2)>:80';
    await view.locator('.trace-form vscode-textfield').click();
    await page.keyboard.type(target);
    await page.keyboard.press('Enter');
    await view.locator('.trace-title', { hasText: target }).waitFor();
    assert.match(
      await view.locator('.trace-verdict').textContent(),
      /^unresolved: <svg onload=alert\(2\)>:80: /,
      'the verdict quotes it as text',
    );
    assert.equal(await view.locator('svg[onload], [onerror]').count(), 0, 'no element was created from the target');
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.deepEqual(refused, [], 'no CSP violations in the view');
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
