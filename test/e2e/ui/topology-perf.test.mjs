// The topology view's performance in a real VS Code, on a generated workspace of 2,000 workloads
// (6,000 pods, each workload calling the next one's Service): the map's first paint after the
// analysis and its frame time while panning, whole map in view and zoomed in to a readable scale;
// then the same pans of the nodes view's 6,000 pods. `npm run bench -- --editor` prints these lines.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateWorkspace, viewFrame, viewOf, waitForActivation } from './topologyHelpers.mjs';

/** Frame intervals (ms) while dragging the drawing (`#scene` or `#map`) across the view. */
async function panFrames(page, frame, view, steps, drawing = '#scene') {
  const box = await view.locator(drawing).boundingBox();
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

const fmt = (r) =>
  `mean ${r.mean.toFixed(1)} ms, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms over ${r.frames} frames`;

/** The scale of a drawing's viewport transform. */
const scaleOf = (frame, drawing) =>
  frame.evaluate(
    (d) => Number(/scale\(([\d.e-]+)\)/.exec(document.querySelector(`${d} g.viewport`).getAttribute('transform'))?.[1] ?? 1),
    drawing,
  );

/** Zooms a drawing to about 1:1 with the keyboard (+ zooms by 1.4). */
async function zoomToReadable(page, frame, view, drawing) {
  await view.locator(drawing).focus();
  const k = await scaleOf(frame, drawing);
  const presses = Math.max(1, Math.round(Math.log(1 / k) / Math.log(1.4)));
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('+');
    await page.waitForTimeout(300);
  }
  await page.waitForTimeout(500);
}

/** Analysing and drawing 6,000 pods twice (map and nodes) takes minutes on a loaded machine. */
export const timeoutMs = 900_000;

export default async function large({ openWorkbench, runCommand, openFile, screenshotDir }) {
  const ws = mkdtempSync(path.join(tmpdir(), 'kube-netsim-topo-2000-'));
  generateWorkspace(ws, { workloads: 2000 });
  try {
    const { page } = await openWorkbench({ workspace: ws });
    await openFile(page, 'app.yaml');
    await runCommand(page, 'View: Close Primary Side Bar');
    // The extension's status bar item shows the simulated cluster once the first analysis is done.
    const opened = Date.now();
    await waitForActivation(page, 300_000);
    const analysedMs = Date.now() - opened;
    const started = Date.now();
    await runCommand(page, 'Kubernetes Network: Show Topology');
    const view = viewOf(page);
    await view.locator('#map[data-workloads]').waitFor({ state: 'attached', timeout: 300_000 });
    const mapMs = Date.now() - started;
    const mapDrawMs = await view.locator('#map').getAttribute('data-draw-ms');
    const queryMs = await view.locator('#map').getAttribute('data-query-ms');
    const transitMs = await view.locator('#map').getAttribute('data-transit-ms');
    // The page's own timeline (epoch ms): document start, script start, the topology's arrival.
    const [docAt, bootAt, arrivedAt] = ((await view.locator('#map').getAttribute('data-timeline')) ?? '').split(' ').map(Number);
    // When the browser had painted it (the view's own mark), and when the extension ran the command.
    await view.locator('#map[data-painted-at]').waitFor({ state: 'attached', timeout: 60_000 });
    const paintedAt = Number(await view.locator('#map').getAttribute('data-painted-at'));
    const openedAt = Number(await view.locator('#map').getAttribute('data-opened-at'));
    const workloads = Number(await view.locator('#map').getAttribute('data-workloads'));
    const calls = Number(await view.locator('#map').getAttribute('data-calls'));
    assert.ok(workloads >= 2000, `${workloads} workloads drawn`);
    assert.equal(await view.locator('#map g.edge[data-verdict]').count(), calls, 'every call is drawn with its verdict');
    const frame = await viewFrame(page);
    // The view alone, fitted: the whole map in view (far out: reduced detail).
    await runCommand(page, 'View: Toggle Maximize Editor Group');
    await page.waitForTimeout(800);
    await view.locator('vscode-button[aria-label^="Fit"]').click();
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(screenshotDir, 'topology-map-2000-fit.png') });
    const mapFar = await panFrames(page, frame, view, 150, '#map');
    await zoomToReadable(page, frame, view, '#map');
    await page.screenshot({ path: path.join(screenshotDir, 'topology-map-2000-zoomed.png') });
    const mapCulled = Number(await view.locator('#map').getAttribute('data-culled'));
    assert.ok(mapCulled > 0, 'zoomed in, map objects far from the view are culled');
    const mapNear = await panFrames(page, frame, view, 150, '#map');
    console.log(
      `[topology] ${workloads} workloads: first analysis shown in the status bar ${(analysedMs / 1000).toFixed(1)} s after opening app.yaml`,
    );
    console.log(
      `[topology] map of ${workloads} workloads, ${calls} calls: Show Topology to first paint in ${(mapMs / 1000).toFixed(1)} s (of which building the topology in the analysis worker ${queryMs} ms, the message to the page ${transitMs} ms (posted as soon as built, so this includes the page's own start), the page's layout and drawing ${mapDrawMs} ms)`,
    );
    console.log(
      `[topology] map first paint (the page's mark after its first frame): ${paintedAt - started} ms after the Show Topology keystrokes began, ${paintedAt - openedAt} ms after the extension ran the command (the command palette took ${openedAt - started} ms)`,
    );
    console.log(
      `[topology] map first paint timeline: the view's page started ${docAt - started} ms after Show Topology, its script ${bootAt - started} ms, the topology arrived at ${arrivedAt - started} ms`,
    );
    console.log(`[topology] panning the map of ${workloads} workloads, whole map in view: ${fmt(mapFar)}`);
    console.log(`[topology] panning the map of ${workloads} workloads, zoomed in: ${fmt(mapNear)}; ${mapCulled} objects and edges culled`);

    // The nodes view of the same cluster.
    const nodesStarted = Date.now();
    await view.locator('vscode-button[data-view="nodes"]').click();
    await view.locator('#scene[data-pods]').waitFor({ state: 'attached', timeout: 120_000 });
    const drawnMs = Date.now() - nodesStarted;
    await view.locator('#scene[data-painted-at]').waitFor({ state: 'attached', timeout: 60_000 });
    const nodesPaintedMs = Number(await view.locator('#scene').getAttribute('data-painted-at')) - nodesStarted;
    const pageMs = await view.locator('#scene').getAttribute('data-draw-ms');
    const count = await view.locator('#scene [data-kind="pod"]').count();
    assert.ok(count >= 6000, `${count} pods drawn`);
    await view.locator('vscode-button[aria-label^="Fit"]').click();
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(screenshotDir, 'topology-nodes-6000-fit.png') });
    const kFar = await scaleOf(frame, '#scene');
    const far = await panFrames(page, frame, view, 150);
    await zoomToReadable(page, frame, view, '#scene');
    await page.screenshot({ path: path.join(screenshotDir, 'topology-nodes-6000-zoomed.png') });
    const kNear = await scaleOf(frame, '#scene');
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
    console.log(
      `[topology] nodes view of ${count} pods: switched to and drawn in ${(drawnMs / 1000).toFixed(1)} s, painted at ${(nodesPaintedMs / 1000).toFixed(1)} s (of which the page's layout and drawing ${pageMs} ms)`,
    );
    console.log(`[topology] panning ${count} pods, whole cluster in view (${kFar.toFixed(3)}): ${fmt(far)}`);
    console.log(
      `[topology] panning ${count} pods, zoomed in (${kNear.toFixed(3)}): ${fmt(near)}; ${culled} objects and edges culled, ${inView} pods in view`,
    );
    // A generous bound on the map: this guards against it becoming unusable, not against a slow CI box.
    assert.ok(mapFar.p50 < 100 && mapNear.p50 < 100, 'panning the map stays interactive (median frame under 100 ms)');
    // The nodes view of 6,000 pods does not meet the frame goal yet (issue 22): said, not asserted.
    if (far.p95 > 33 || near.p95 > 33)
      console.log('[topology] nodes view of 6,000 pods: above the 33 ms p95 frame goal (issue 22, still open)');
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
