// The topology's map and matrix views in a real VS Code (code-server + Chromium), on copies of
// examples/shop and examples/gateway, against the built CLI's own answers: workloads and Services
// drawn = analyze JSON, every call edge's data-verdict = what `trace` from that workload says,
// focus on a workload, the matrix's cells = `matrix` output, and a Gateway with its listeners and
// routes (issue 17). Screenshots go to test-results/.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, openTopology, REPO, screenshotMaximised, tracedVerdict, viewName } from './topologyHelpers.mjs';

function analyzeJson(dir) {
  const out = cli('analyze', dir, '--format', 'json');
  assert.ok(out, 'kube-netsim analyze printed nothing');
  return JSON.parse(out);
}

async function shop(page, runCommand, openFile, screenshotDir, ws) {
  const a = analyzeJson(ws);
  const view = await openTopology(page, runCommand, openFile, 'backend.yaml', 'map');
  assert.equal(await view.locator('vscode-button[data-view="map"]').getAttribute('aria-pressed'), 'true', 'the map is the default view');

  // Workloads and Services drawn = the engine's, and namespaces as groups.
  const workloads = [...new Set(a.pods.map((p) => p.workload))].sort();
  const drawn = await view.locator('#map [data-kind="workload"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
  assert.deepEqual(drawn, workloads, 'one element per workload');
  assert.equal(await view.locator('#map [data-kind="service"]').count(), a.services.length, 'drawn Services = engine Services');
  for (const ns of new Set(a.pods.map((p) => p.namespace)))
    assert.equal(await view.locator(`#map [data-kind="namespace"][data-id="${ns}"]`).count(), 1, `namespace ${ns} drawn`);
  assert.equal(await view.locator('#map [data-kind="ingress"][data-id="shop/shop"]').count(), 1);
  // Every pod is there as its workload's replica dot.
  assert.equal(await view.locator('#map [data-kind="workload"][data-id="shop/backend"] [data-kind="pod"]').count(), 3);

  // Each call edge's verdict is what the CLI's trace from that workload says.
  const calls = await view.locator('#map g.edge[data-verdict]').evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('data-id'),
      verdict: e.getAttribute('data-verdict'),
      title: e.querySelector('title').textContent,
    })),
  );
  assert.ok(calls.length >= 3, `calls drawn: ${calls.map((c) => c.id)}`);
  for (const c of calls) {
    assert.match(c.id, /^[^/]+\/[^/]+->[^/]+\/[^/]+$/, 'call ids are NS/NAME->NS/NAME');
    assert.equal(c.verdict, tracedVerdict(ws, c), `${c.id}: as the CLI's trace says`);
  }
  const blocked = calls.find((c) => c.id === 'shop/backend->shop/redis');
  assert.equal(blocked?.verdict, 'blocked', 'policies.yaml lets backend reach postgres only');
  assert.match(blocked.title, /NetworkPolicy shop\/backend/, 'the hover names the blocking policy');
  console.log(
    `[topology-map] shop: ${drawn.length} workloads, ${a.services.length} Services, ${calls.length} calls (${calls.filter((c) => c.verdict === 'blocked').length} blocked)`,
  );
  await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-map-shop.png'));

  // Focus: clicking a workload lights what it calls and lists it with the verdicts; Escape clears.
  await view.locator('#map [data-kind="workload"][data-id="shop/backend"] rect.shape').click();
  await view.locator('#map.focusing').waitFor();
  await view.locator('.focus .focus-list[data-section="calls"] li').first().waitFor();
  const listed = await view
    .locator('.focus .focus-list[data-section="calls"] li')
    .evaluateAll((lis) => lis.map((li) => `${li.dataset.peer} ${li.className}`));
  assert.deepEqual(listed.sort(), ['shop/postgres verdict-allowed', 'shop/redis verdict-blocked']);
  assert.equal(await view.locator('#map [data-kind="service"][data-id="shop/postgres"].lit').count(), 1);
  assert.equal(await view.locator('#map [data-kind="service"][data-id="shop/redis"].lit').count(), 1);
  // Who may reach it: the policy layer from the extension (frontend is allowed in on 8080).
  await view.locator('.focus .focus-list[data-section="may reach it"] li[data-peer="shop/frontend"]').waitFor({ timeout: 30_000 });
  assert.equal(await view.locator('#map .map-policy[data-id="policy:shop/frontend->shop/backend"]').count(), 1);
  assert.ok((await view.locator('#map [data-kind="workload"][data-id="kube-system/coredns"]:not(.lit)').count()) === 1, 'the rest dims');
  await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-map-focus.png'));
  await view.locator('#map').focus();
  await page.keyboard.press('Escape');
  await view.locator('#map.focusing').waitFor({ state: 'detached' });
  assert.ok(await view.locator('.focus').isHidden());

  // Matrix: namespace cells, then shop's workload cells, each equal to `matrix` output.
  const lines = cli('matrix', ws)
    .trim()
    .split('\n')
    .map((l) => /^(.+) => (.+) : (.+)$/.exec(l))
    .filter(Boolean)
    .map(([, src, dst, conn]) => ({ src: viewName(src), dst: viewName(dst), conn }));
  await view.locator('vscode-button[data-view="matrix"]').click();
  const nsCell = view.locator('#matrix [data-kind="matrix-cell"][data-id="shop->shop"]');
  await nsCell.waitFor({ timeout: 30_000 });
  assert.ok(await view.locator('#map').isHidden(), 'only the matrix shows');
  await nsCell.click();
  const inShop = lines.filter((l) => l.src.startsWith('shop/') && l.dst.startsWith('shop/'));
  assert.ok(inShop.length > 0);
  for (const l of inShop)
    assert.equal(
      await view.locator(`#matrix [data-kind="matrix-cell"][data-id="${l.src}->${l.dst}"]`).textContent(),
      l.conn,
      `${l.src} => ${l.dst}`,
    );
  const filled = await view.locator('#matrix [data-kind="matrix-cell"]:not(.none)').count();
  assert.equal(filled, inShop.length, 'no cell allows what matrix does not list');
  await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-matrix.png'));
  await view.locator('vscode-button[data-view="map"]').click();
  await view.locator('#map [data-kind="workload"]').first().waitFor();
}

async function gateway(page, runCommand, openFile, screenshotDir, ws) {
  const a = analyzeJson(ws);
  const view = await openTopology(page, runCommand, openFile, 'gateway.yaml', 'map');
  for (const g of a.gateways) {
    const el = view.locator(`#map [data-kind="gateway"][data-id="${g.namespace}/${g.name}"]`);
    assert.equal(await el.count(), 1, `Gateway ${g.namespace}/${g.name} drawn`);
    const title = await el.locator('title').first().textContent();
    for (const l of g.listeners) assert.ok(title.includes(`${l.name} ${l.protocol}:${l.port}`), `listener ${l.name} in ${title}`);
  }
  assert.equal(await view.locator('#map [data-kind="route"]').count(), a.routes.length, 'one element per route');
  for (const r of a.routes) {
    const id = `${r.namespace}/${r.name}`;
    for (const p of r.parents) {
      const edge = view.locator(`#map g.edge[data-id="listener:${p.gateway}->${id}"]`);
      assert.equal(await edge.count(), p.accepted ? 1 : 0, `${p.gateway} → ${id} drawn only when Accepted (${p.reason})`);
    }
    for (const b of r.backends.filter((x) => x.resolved && !x.mirror))
      assert.equal(await view.locator(`#map g.edge[data-id="route:${id}->${b.service}"]`).count(), 1, `${id} → ${b.service}`);
  }
  assert.equal(await view.locator('#map [data-kind="route"][data-id="store/legacy-shop"].not-accepted').count(), 1);
  console.log(`[topology-map] gateway: ${a.gateways.length} Gateway(s), ${a.routes.length} routes drawn`);
  await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-map-gateway.png'));
}

export default async function topologyMap({ openWorkbench, runCommand, openFile, screenshotDir }) {
  for (const [name, run] of [
    ['shop', shop],
    ['gateway', gateway],
  ]) {
    const ws = mkdtempSync(path.join(tmpdir(), `kube-netsim-map-${name}-`));
    cpSync(path.join(REPO, 'examples', name), ws, { recursive: true });
    try {
      const { page } = await openWorkbench({ workspace: ws });
      await run(page, runCommand, openFile, screenshotDir, ws);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  }
}
