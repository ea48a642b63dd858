// The topology view in a real VS Code (code-server + Chromium): opened from the palette on the
// sample workspace, its drawing checked against the engine's numbers (the built CLI's analyze
// JSON), the namespace filter, layers, search, reveal, the policy layer, a trace and a CNI switch.
// Screenshots go to test-results/. The XSS fixture and the 2,000-pod frame time have their own
// files (topology-xss, topology-perf), each with a fresh VS Code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTopology, screenshotMaximised, viewOf } from './topologyHelpers.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function engineNumbers(dir) {
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'analyze', dir, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.ok(r.stdout, `kube-netsim analyze printed nothing: ${r.stderr}`);
  const a = JSON.parse(r.stdout);
  const podIds = a.pods.map((p) => `${p.namespace}/${p.name}`);
  // Endpoints that are no pod (the API server behind `kubernetes`) get no edge.
  const endpointEdges = a.services.reduce((n, s) => n + new Set(s.endpoints.map((e) => e.pod).filter((id) => podIds.includes(id))).size, 0);
  return { pods: a.pods.length, services: a.services.length, endpointEdges, podIds };
}

async function checkbox(view, selector) {
  const box = view.locator(selector);
  await box.click();
  return box;
}

export default async function shop({ openWorkbench, runCommand, openFile, screenshotDir }) {
  // A copy: the CNI switch writes .vscode/settings.json into the workspace.
  const ws = mkdtempSync(path.join(tmpdir(), 'kube-netsim-topo-shop-'));
  cpSync(path.join(REPO, 'examples', 'shop'), ws, { recursive: true });
  try {
    const expected = engineNumbers(ws);
    const { page } = await openWorkbench({ workspace: ws });
    const view = await openTopology(page, runCommand, openFile, 'backend.yaml');

    // What is drawn matches what the engine simulated.
    const pods = view.locator('#scene [data-kind="pod"]');
    assert.equal(await pods.count(), expected.pods, 'drawn pods = engine pods');
    assert.equal(await view.locator('#scene [data-kind="service"]').count(), expected.services, 'drawn Services = engine Services');
    assert.equal(
      await view.locator('#scene g.edge-endpoint[data-kind="edge"]').count(),
      expected.endpointEdges,
      'endpoint edges = (Service, pod) pairs',
    );
    for (const id of expected.podIds.filter((p) => p.startsWith('shop/')))
      assert.equal(await view.locator(`#scene [data-kind="pod"][data-id="${id}"]`).count(), 1, `pod ${id} drawn`);
    assert.equal(await view.locator('#scene [data-kind="pod"][data-id="shop/postgres-0"]').count(), 1);
    assert.equal(await view.locator('#scene [data-kind="ingress"][data-id="shop/shop"]').count(), 1);
    assert.equal(await view.locator('#scene [data-kind="node"]').count(), 3);
    assert.equal(await view.locator('#scene [data-kind="external"][data-id="external"]').count(), 1);
    assert.ok((await view.locator('#scene g.edge-route').count()) === 2, 'two Ingress routes');
    console.log(`[topology] shop: ${expected.pods} pods, ${expected.services} Services, ${expected.endpointEdges} endpoint edges drawn`);
    await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-shop.png'));

    // Keyboard: the drawing is one tab stop; arrows walk the objects in reading order, Enter reveals.
    await view.locator('#scene').focus();
    await page.keyboard.press('Home');
    const focused = () =>
      view
        .locator(':focus')
        .evaluate((el) => `${el.getAttribute('data-kind')} ${el.getAttribute('data-id')} ${el.getAttribute('aria-label')}`);
    assert.match(await focused(), /^external \S+ .+/);
    await page.keyboard.press('End');
    assert.match(await focused(), /^pod \S+\/\S+ pod /, 'End reaches the last pod, with its ARIA label');
    for (let i = 0; i < 30 && !/^pod shop\/redis/.test(await focused()); i++) await page.keyboard.press('ArrowLeft');
    assert.match(await focused(), /^pod shop\/redis/);
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'database.yaml' }).waitFor();

    // Namespace filter: hiding kube-system hides CoreDNS and the edges to it; shop stays.
    const coredns = view.locator('#scene [data-kind="pod"][data-namespace="kube-system"]').first();
    await coredns.waitFor({ state: 'visible' });
    const ks = await checkbox(view, '.legend vscode-checkbox[data-namespace="kube-system"]');
    await coredns.waitFor({ state: 'hidden' });
    assert.ok(await view.locator('#scene [data-kind="pod"][data-id="shop/postgres-0"]').isVisible(), 'shop pods stay visible');
    assert.equal(
      await view.locator('#scene g.edge[data-from="kube-system/kube-dns"]:visible').count(),
      0,
      'edges into hidden pods are hidden',
    );
    await ks.click();
    await coredns.waitFor({ state: 'visible' });

    // Layer toggle: endpoints off and on.
    const endpointEdge = view.locator('#scene g.edge-endpoint[data-from="shop/backend"]').first();
    await endpointEdge.waitFor({ state: 'visible' });
    const ep = await checkbox(view, 'vscode-checkbox[data-layer="endpoints"]');
    await endpointEdge.waitFor({ state: 'hidden' });
    await ep.click();
    await endpointEdge.waitFor({ state: 'visible' });

    // Search marks matches.
    await view.locator('vscode-textfield#search').click();
    await page.keyboard.type('postgres');
    await view.locator('#scene g.obj.match[data-id="shop/postgres-0"]').waitFor();
    assert.match(await view.locator('.status').textContent(), /match/);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');

    // Clicking a pod reveals its manifest line and draws its policy layer (drops dashed).
    await view.locator('#scene [data-kind="pod"][data-id^="shop/backend-"]').first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'backend.yaml' }).waitFor();
    await view.locator('#scene .policy-edge.dropped').first().waitFor();
    const allowed = await view.locator('#scene .policy-edge.allowed').count();
    const dropped = await view.locator('#scene .policy-edge.dropped').count();
    const dash = await view
      .locator('#scene .policy-edge.dropped path')
      .first()
      .evaluate((el) => getComputedStyle(el).strokeDasharray);
    assert.ok(allowed > 0 && dropped > 0, `policy layer has allowed (${allowed}) and dropped (${dropped}) edges`);
    assert.notEqual(dash, 'none', 'dropped policy edges are dashed');
    assert.match(await view.locator('#scene .policy-edge.allowed title').first().textContent(), /NetworkPolicy: /);
    await page.screenshot({ path: path.join(screenshotDir, 'topology-policy.png') });

    // A trace from a frontend pod: one list item per hop, the current one marked.
    await view.locator('vscode-button[aria-label^="Fit"]').click();
    await page.waitForTimeout(500);
    await view.locator('#scene [data-kind="pod"][data-id^="shop/frontend-"]').first().click();
    const target = view.locator('.trace-form vscode-textfield');
    await target.click();
    await page.keyboard.type('http://backend:8080/api');
    await page.keyboard.press('Enter');
    const hops = view.locator('ol.hops > li');
    await hops.first().waitFor();
    await view.locator('ol.hops > li[data-trace-step]').waitFor();
    const calicoSteps = await hops.evaluateAll((lis) => lis.map((li) => li.dataset.step));
    assert.ok(
      calicoSteps.includes('dns') && calicoSteps.includes('dnat') && calicoSteps.includes('deliver'),
      `calico trace steps: ${calicoSteps}`,
    );
    assert.match(await view.locator('.trace-verdict').textContent(), /^delivered/);
    await page.waitForTimeout(2500); // let the animation walk a few hops
    await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-trace.png'));

    // Switching the CNI re-simulates and re-runs the trace: Flannel enforces no NetworkPolicy.
    const calicoText = await hops.evaluateAll((lis) => lis.map((li) => li.textContent).join('\n'));
    assert.doesNotMatch(calicoText, /not enforced/);
    await view.locator('vscode-single-select#cni').click();
    await view.locator('vscode-single-select#cni').getByRole('option', { name: 'flannel', exact: true }).click();
    await view.locator('.status-summary', { hasText: 'flannel' }).waitFor({ timeout: 30_000 });
    await view.locator('ol.hops > li', { hasText: 'not enforced' }).first().waitFor({ timeout: 30_000 });
    const flannelSteps = await hops.evaluateAll((lis) => lis.map((li) => li.dataset.step));
    const flannelText = await hops.evaluateAll((lis) => lis.map((li) => li.textContent).join('\n'));
    console.log(`[topology] trace steps with calico: ${calicoSteps.join(' ')}`);
    console.log(`[topology] trace steps with flannel: ${flannelSteps.join(' ')}`);
    assert.notEqual(flannelText, calicoText, 'the trace changes with the CNI');
    await page.screenshot({ path: path.join(screenshotDir, 'topology-trace-flannel.png') });

    // After a window reload the serializer brings the view back, with its namespace filter.
    await checkbox(view, '.legend vscode-checkbox[data-namespace="kube-system"]');
    await view.locator('#scene [data-kind="pod"][data-namespace="kube-system"]').first().waitFor({ state: 'hidden' });
    await page.waitForTimeout(1000); // let the page save its state
    // The workbench's own reload: it saves the editors' state first (a bare page reload may not).
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor();
    const restored = viewOf(page);
    await restored.locator('#scene [data-kind="pod"][data-id="shop/postgres-0"]').waitFor({ timeout: 60_000 });
    assert.equal(
      await restored.locator('#scene [data-kind="pod"][data-namespace="kube-system"]:visible').count(),
      0,
      'the namespace filter survived the reload',
    );
    assert.equal(await restored.locator('.legend vscode-checkbox[data-namespace="kube-system"]').evaluate((el) => el.checked), false);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
