// The editor features a user reaches by keyboard, in a real VS Code on the sample workspace:
// F12 from a host in a URL to its Service, Shift+F12 on a Service name, Ctrl+Space in a selector,
// F2 on a label value (a refactor preview) and the Kubernetes Network view in the Explorer.
import assert from 'node:assert/strict';
import path from 'node:path';
import { waitForActivation } from './topologyHelpers.mjs';

/** Puts the cursor at a 1-based line and column with Go to Line (`:line:column` in the quick input). */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page
    .locator('.statusbar-item')
    .filter({ hasText: `Ln ${line}, Col ${column}` })
    .first()
    .waitFor({ timeout: 10_000 });
}

const activeTab = (page) => page.locator('.tabs-container .tab.active').first();

async function expectCursorLine(page, line) {
  await page
    .locator('.statusbar-item')
    .filter({ hasText: new RegExp(`Ln ${line}, Col`) })
    .first()
    .waitFor({ timeout: 15_000 });
}

/** Retries a key until the widget it opens shows (the first press may come before the worker's answer). */
async function pressUntil(page, key, widget, attempts = 3) {
  for (let i = 0; ; i++) {
    await page.keyboard.press(key);
    try {
      await widget.waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch (err) {
      if (i + 1 >= attempts) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

export default async function editorNavigation({ openWorkbench, openFile, screenshotDir }) {
  const { page } = await openWorkbench();
  await openFile(page, 'frontend.yaml');
  await page.locator('.editor-instance .view-lines').filter({ hasText: 'BACKEND_URL' }).waitFor();
  await waitForActivation(page);
  await page
    .locator('.statusbar-item')
    .filter({ hasText: /pods ·/ })
    .first()
    .waitFor({ timeout: 30_000 });

  // F12 on `backend` in `http://backend:8080/api` (frontend.yaml line 25) lands on the Service's name in backend.yaml.
  await page.locator('.editor-instance .view-lines').first().click();
  await goTo(page, 25, 31);
  await page.keyboard.press('F12');
  await activeTab(page).filter({ hasText: 'backend.yaml' }).waitFor({ timeout: 15_000 });
  await expectCursorLine(page, 32);
  await page.screenshot({ path: path.join(screenshotDir, 'definition.png') });

  // Shift+F12 on the Service's name lists the URL in frontend.yaml that reaches it.
  await goTo(page, 32, 11);
  const peek = page.locator('.peekview-widget').first();
  await pressUntil(page, 'Shift+F12', peek);
  await peek.locator('.monaco-list-row').filter({ hasText: 'frontend.yaml' }).first().waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(screenshotDir, 'references.png') });
  await page.keyboard.press('Escape');
  await peek.waitFor({ state: 'hidden', timeout: 10_000 });

  // Ctrl+Space at the end of the Service selector's value offers the label value with its pod count.
  await goTo(page, 36, 17);
  const suggest = page.locator('.suggest-widget').first();
  await pressUntil(page, 'Control+Space', suggest);
  const rows = suggest.locator('.monaco-list-row');
  await rows.first().waitFor({ timeout: 10_000 });
  const items = (await rows.allInnerTexts()).join(' | ');
  assert.match(items, /backend/, `completion items: ${items}`);
  await page.keyboard.press('Escape');

  // F2 on the label value renames it workspace-wide; the edit needs confirmation, so a refactor preview opens.
  await goTo(page, 36, 12);
  const renameBox = page.locator('.rename-box input').first();
  await pressUntil(page, 'F2', renameBox);
  await renameBox.fill('api-server');
  await page.keyboard.press('Enter');
  // The Refactor Preview panel lists each file's edits: the template labels, the selectors and the policies' matchLabels.
  const panel = page.locator('.part.panel').first();
  await panel.locator('.monaco-list-row').filter({ hasText: 'policies.yaml' }).first().waitFor({ timeout: 20_000 });
  const previewText = await panel.innerText();
  assert.match(previewText, /backend\.yaml/, `refactor preview: ${previewText}`);
  assert.match(previewText, /api-server/, `refactor preview: ${previewText}`);
  await page.screenshot({ path: path.join(screenshotDir, 'rename-preview.png') });
  await panel
    .locator('.monaco-button')
    .filter({ hasText: /^Discard$/ })
    .first()
    .click();

  // The Kubernetes Network view in the Explorer shows the sample's namespace and its workloads.
  await page.keyboard.press('Control+Shift+E');
  const header = page.locator('.pane-header').filter({ hasText: 'Kubernetes Network' }).first();
  await header.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const pane = page.locator('.pane').filter({ has: header }).first();
  const shop = pane.locator('.monaco-list-row').filter({ hasText: /^shop/ }).first();
  await shop.waitFor({ state: 'visible', timeout: 20_000 });
  if ((await shop.getAttribute('aria-expanded')) !== 'true') await shop.click();
  assert.match(await shop.innerText(), /7 pods, 4 Services/);
  const workloads = pane
    .locator('.monaco-list-row')
    .filter({ hasText: /^Workloads/ })
    .first();
  await workloads.waitFor({ state: 'visible', timeout: 10_000 });
  if ((await workloads.getAttribute('aria-expanded')) !== 'true') await workloads.click();
  await pane
    .locator('.monaco-list-row')
    .filter({ hasText: /^backend/ })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(screenshotDir, 'network-view.png') });
}
