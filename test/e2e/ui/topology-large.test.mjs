// The three views on a workspace of 520 workloads, the size issue 22 asks the map to stay readable
// at: bench/generate.ts's 13 namespaces × 40 apps (Deployments of 3 replicas behind Services,
// default-deny plus per-app policies, an Ingress per namespace, env URLs within and across
// namespaces). What is drawn is checked against the built CLI's answers (workloads, Services,
// namespaces, a sample of call verdicts against `trace`, a namespace's matrix cells against
// `matrix`), and each view is screenshotted whole for the README.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, openTopology, REPO, screenshotMaximised, tracedVerdict, viewName } from './topologyHelpers.mjs';

const SIZE = '13x40';

export default async function topologyLarge({ openWorkbench, runCommand, openFile, screenshotDir }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kube-netsim-large-'));
  try {
    const gen = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'profile.ts'), SIZE, dir], {
      cwd: REPO,
      encoding: 'utf8',
    });
    assert.equal(gen.status, 0, `bench/profile.ts ${SIZE} failed: ${gen.stderr}`);
    const ws = path.join(dir, 'ws');
    const a = JSON.parse(cli('analyze', ws, '--format', 'json'));
    const workloads = [...new Set(a.pods.map((p) => p.workload))].sort();
    assert.ok(workloads.length >= 500, `${workloads.length} workloads generated`);

    const { page } = await openWorkbench({ workspace: ws });
    const view = await openTopology(page, runCommand, openFile, 'manifests.yaml', 'map');
    await view.locator('vscode-button[aria-label^="Fit"]').click();
    await page.waitForTimeout(700);
    // The whole map in view: nothing is culled, so everything drawn can be counted.
    const drawn = await view.locator('#map [data-kind="workload"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    assert.deepEqual(drawn, workloads, 'one element per workload, as the CLI lists them');
    assert.equal(await view.locator('#map [data-kind="service"]').count(), a.services.length, 'drawn Services = the CLI');
    const namespaces = [...new Set([...a.pods, ...a.services].map((o) => o.namespace))].sort();
    const groups = await view
      .locator('#map [data-kind="namespace"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    assert.deepEqual(groups, namespaces, 'a group per namespace with pods or Services');

    // Fitted, the map is far below its drawn size; its namespaces must still be named legibly.
    const titles = await view
      .locator('#map .ns-title text.ns-name')
      .evaluateAll((els) => els.map((e) => ({ text: e.textContent, px: e.getBoundingClientRect().height })));
    // (The simulator's own namespaces hold a Service or two: their groups are too small for that.)
    assert.equal(titles.length, groups.length, 'a title per namespace group');
    const small = titles.filter((t) => t.px < 11 && !t.text.endsWith('(simulator)'));
    assert.deepEqual(small, [], 'every namespace title at least 11 px high on screen with the whole map in view');
    const summaries = new Map(
      await view
        .locator('#map .ns-title')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-namespace'), e.querySelector('.ns-count')?.textContent ?? ''])),
    );
    const calls = await view
      .locator('#map g.edge[data-verdict]')
      .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-id'), verdict: e.getAttribute('data-verdict') })));
    const blocked = calls.filter((c) => c.verdict === 'blocked');
    assert.ok(calls.length >= workloads.length / 2, `${calls.length} calls drawn`);
    // A sample of each verdict against the CLI's trace (a trace per call would be a CLI run each).
    for (const c of [...calls.filter((x) => x.verdict === 'allowed').slice(0, 2), ...blocked.slice(0, 2)]) {
      // A large map makes an edge's hover text when it is first pointed at.
      const title = await view.locator(`#map g.edge[data-id="${c.id}"]`).evaluate((e) => {
        e.dispatchEvent(new PointerEvent('pointerover', { bubbles: true }));
        return e.querySelector('title')?.textContent ?? '';
      });
      assert.equal(c.verdict, tracedVerdict(path.join(dir, 'ws'), { ...c, title }), c.id);
    }
    // Each namespace's summary counts the calls from it that are drawn blocked.
    for (const ns of namespaces) {
      const n = blocked.filter((c) => c.id.startsWith(`${ns}/`)).length;
      const line = summaries.get(ns) ?? '';
      assert.equal(/(\d+) calls? blocked/.exec(line)?.[1] ?? '0', String(n), `${ns}: "${line}"`);
    }
    console.log(
      `[topology-large] ${drawn.length} workloads, ${a.services.length} Services, ${groups.length} namespaces, ${calls.length} calls (${blocked.length} blocked)`,
    );
    await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-large-map.png'));

    await view.locator('vscode-button[data-view="nodes"]').click();
    await view.locator('#scene [data-kind="node"]').first().waitFor({ timeout: 60_000 });
    assert.equal(await view.locator('#scene [data-kind="node"]').count(), a.cluster.nodes.length, 'a node element per node');
    await view.locator('vscode-button[aria-label^="Fit"]').click();
    await page.waitForTimeout(700);
    // Fitted, each node is named legibly, with its pods counted as the CLI places them.
    const nodeTitles = await view.locator('#scene .node-title').evaluateAll((els) =>
      els.map((e) => ({
        name: e.querySelector('.node-name')?.textContent,
        px: e.querySelector('.node-name')?.getBoundingClientRect().height,
        summary: e.querySelector('.node-count')?.textContent,
      })),
    );
    assert.equal(nodeTitles.length, a.cluster.nodes.length, 'a title per node');
    for (const t of nodeTitles) {
      assert.ok(t.px >= 11, `node ${t.name}'s title is ${t.px} px high with the whole cluster in view`);
      const pods = a.pods.filter((p) => p.node === t.name).length;
      assert.match(t.summary ?? '', new RegExp(`^${pods} pods? · `), `node ${t.name}: "${t.summary}"`);
    }
    await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-large-nodes.png'));

    // Matrix: the namespace grid, then one namespace's workloads, cells equal to `matrix` output.
    await view.locator('vscode-button[data-view="matrix"]').click();
    const ns = namespaces.find((n) => n.startsWith('team-'));
    const nsCell = view.locator(`#matrix [data-kind="matrix-cell"][data-id="${ns}->${ns}"]`);
    await nsCell.waitFor({ timeout: 60_000 });
    await screenshotMaximised(page, runCommand, path.join(screenshotDir, 'topology-large-matrix.png'));
    await nsCell.click();
    const inNs = cli('matrix', ws)
      .trim()
      .split('\n')
      .map((l) => /^(.+) => (.+) : (.+)$/.exec(l))
      .filter(Boolean)
      .map(([, src, dst, conn]) => ({ src: viewName(src), dst: viewName(dst), conn }))
      .filter((l) => l.src.startsWith(`${ns}/`) && l.dst.startsWith(`${ns}/`));
    assert.ok(inNs.length > 0, `matrix lists connections within ${ns}`);
    for (const l of inNs.slice(0, 40))
      assert.equal(
        await view.locator(`#matrix [data-kind="matrix-cell"][data-id="${l.src}->${l.dst}"]`).textContent(),
        l.conn,
        `${l.src} => ${l.dst}`,
      );
    assert.equal(
      await view.locator('#matrix [data-kind="matrix-cell"]:not(.none)').count(),
      inNs.length,
      'no cell allows what matrix does not list',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
