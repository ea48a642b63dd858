// Frame time of panning the topology of a generated 2,000-pod workspace in a real VS Code,
// with the whole cluster in view and zoomed in to a readable scale. Prints both.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateWorkspace, viewFrame, viewOf, waitForActivation } from './topologyHelpers.mjs';

/** Frame intervals (ms) while dragging the drawing across the view. */
async function panFrames(page, frame, view, steps) {
  const box = await view.locator('#scene').boundingBox();
  await frame.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (t) => {
      w.__frames.push(t - last);
      last = t;
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const x0 = box.x + box.width * 0.7;
  const y0 = box.y + box.height * 0.6;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  // Back and forth around the start, so the drawing stays in view the whole time.
  for (let i = 1; i <= steps; i++) await page.mouse.move(x0 - Math.sin(i / 12) * 220, y0 - Math.sin(i / 7) * 90);
  await page.mouse.up();
  const frames = await frame.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__recording = false;
    return w.__frames.slice(2);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return {
    frames: frames.length,
    mean: frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length),
    p50: q(0.5),
    p95: q(0.95),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export default async function large({ openWorkbench, runCommand, openFile, screenshotDir }) {
  const ws = mkdtempSync(path.join(tmpdir(), 'kube-netsim-topo-2000-'));
  generateWorkspace(ws, { pods: 2000 });
  try {
    const { page } = await openWorkbench({ workspace: ws });
    await openFile(page, 'app.yaml');
    await runCommand(page, 'View: Close Primary Side Bar');
    // The extension's status bar item shows the simulated cluster once the first analysis is done.
    const opened = Date.now();
    await waitForActivation(page, 120_000);
    const analysedMs = Date.now() - opened;
    const started = Date.now();
    await runCommand(page, 'Kubernetes Network: Show Topology');
    const view = viewOf(page);
    await view.locator('#scene[data-pods]').waitFor({ state: 'attached', timeout: 120_000 });
    const drawnMs = Date.now() - started;
    const pageMs = await view.locator('#scene').getAttribute('data-draw-ms');
    const pods = view.locator('#scene [data-kind="pod"]');
    const count = await pods.count();
    assert.ok(count >= 2000, `${count} pods drawn`);
    const frame = await viewFrame(page);
    // The view alone, fitted: the whole cluster in view (far out: reduced detail).
    await runCommand(page, 'View: Toggle Maximize Editor Group');
    await page.waitForTimeout(800);
    await view.locator('vscode-button[aria-label^="Fit"]').click();
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(screenshotDir, 'topology-2000-fit.png') });
    const scale = () => frame.evaluate(() => document.querySelector('#scene g.viewport').getAttribute('transform'));
    const kFar = await scale();
    const far = await panFrames(page, frame, view, 150);
    // Zoomed in to a readable scale (about 1:1, all text drawn) with the keyboard: + zooms by 1.4.
    await view.locator('#scene').focus();
    const kFit = await frame.evaluate(() =>
      Number(/scale\(([\d.e-]+)\)/.exec(document.querySelector('#scene g.viewport').getAttribute('transform'))?.[1] ?? 1),
    );
    const presses = Math.max(1, Math.round(Math.log(1 / kFit) / Math.log(1.4)));
    for (let i = 0; i < presses; i++) {
      await page.keyboard.press('+');
      await page.waitForTimeout(300);
    }
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(screenshotDir, 'topology-2000-zoomed.png') });
    const kNear = await scale();
    // Zoomed in, what is far from the view is culled (not displayed), and what is in view is not.
    const culled = Number(await view.locator('#scene').getAttribute('data-culled'));
    const inView = await frame.evaluate(() => {
      const svg = document.querySelector('#scene');
      const r = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('.layer-pods g.obj')].filter((el) => {
        const b = el.getBoundingClientRect();
        return b.width > 0 && b.right > r.left && b.left < r.right && b.bottom > r.top && b.top < r.bottom;
      }).length;
    });
    assert.ok(culled > 0, 'zoomed in, objects far from the view are culled');
    assert.ok(inView > 0, 'the pods in view are drawn');
    const near = await panFrames(page, frame, view, 150);
    const fmt = (r) =>
      `mean ${r.mean.toFixed(1)} ms, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms over ${r.frames} frames`;
    console.log(
      `[topology] ${count} pods: first analysis shown in the status bar ${(analysedMs / 1000).toFixed(1)} s after opening app.yaml`,
    );
    console.log(
      `[topology] ${count} pods: Show Topology to drawing in ${(drawnMs / 1000).toFixed(1)} s (of which the page's layout and drawing ${pageMs} ms)`,
    );
    console.log(`[topology] panning ${count} pods, whole cluster in view (${kFar}): ${fmt(far)}`);
    console.log(
      `[topology] panning ${count} pods, zoomed in (${kNear}): ${fmt(near)}; ${culled} objects and edges culled, ${inView} pods in view`,
    );
    // A generous bound: this guards against the drawing becoming unusable, not against a slow CI box.
    assert.ok(far.p50 < 100 && near.p50 < 100, 'panning stays interactive (median frame under 100 ms)');
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
