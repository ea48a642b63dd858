// Frames of a trace for the README: a "Trace packet" lens on the sample opens the topology view and
// animates the hops; a screenshot every 350 ms while data-trace-step moves goes to
// test-results/trace-frames/ (scripts/readme-media.sh turns them into media/screenshots/trace.gif).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export default async function traceFrames({ openWorkbench, openFile, screenshotDir }) {
  const dir = path.join(screenshotDir, 'trace-frames');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { page } = await openWorkbench();
  await openFile(page, 'frontend.yaml');
  const lens = page.locator('.codelens-decoration a').filter({ hasText: 'Trace packet to backend:8080' }).first();
  await lens.waitFor({ state: 'visible', timeout: 30_000 });
  await lens.click();
  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  await view.locator('ol li').first().waitFor({ state: 'visible', timeout: 30_000 });
  const steps = new Set();
  for (let i = 0; i < 16; i++) {
    const step = await view
      .locator('[data-trace-step]')
      .first()
      .getAttribute('data-trace-step', { timeout: 2000 })
      .catch(() => null);
    if (step) steps.add(step);
    await page.screenshot({ path: path.join(dir, `frame-${String(i).padStart(2, '0')}.png`) });
    await page.waitForTimeout(350);
  }
  assert.ok(steps.size >= 1, 'the trace marks its current hop');
  console.log(`[trace-frames] 16 frames, hops seen: ${[...steps].join(', ')}`);
}
