// Generated workspaces for the topology view's UI tests: a large one (N pods in Deployments across
// namespaces and six nodes, a Service per Deployment) and one whose label value is markup; and the
// built CLI's answers the tests hold the view to.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** What the built CLI prints to stdout for these arguments. */
export function cli(...args) {
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return r.stdout;
}

/** `ns/name[Kind]` as the view names a workload. */
export const viewName = (n) => n.replace(/^([^/[{]+\/[^/[]+)\[(?!External)[^\]]+\]$/, '$1');

/** The verdict (`allowed` or `blocked`) `kube-netsim trace` gives a drawn call, from its workload to the URL its hover names. */
export function tracedVerdict(ws, call) {
  const [from] = call.id.split('->');
  const url = /= (\S+)/.exec(call.title)?.[1];
  assert.ok(url, `the call's hover names the URL: ${call.title}`);
  const host = new URL(url.includes('://') ? url : `tcp://${url}`);
  const port = host.port || (host.protocol === 'http:' ? '80' : '');
  const out = cli('trace', ws, '--from', from, '--to', `${host.hostname}:${port}`);
  const verdict = /^(DELIVERED|DROPPED|REFUSED|UNRESOLVED|UNROUTED)/m.exec(out)?.[1];
  assert.ok(verdict, `trace printed a verdict: ${out.slice(0, 300)}`);
  return verdict === 'DELIVERED' ? 'allowed' : 'blocked';
}

function deployment(ns, name, replicas, labels, env = {}) {
  const envLines = Object.entries(env)
    .map(([k, v]) => `            - name: ${k}\n              value: ${JSON.stringify(v)}`)
    .join('\n');
  const l = Object.entries(labels)
    .map(([k, v]) => `        ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
${l}
    spec:
      containers:
        - name: main
          image: example/${name}:1
          ports:
            - name: http
              containerPort: 8080
${envLines ? `          env:\n${envLines}\n` : ''}`;
}

function service(ns, name) {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`;
}

/**
 * Writes app.yaml (and kube-netsim.yaml for large ones) into `dir`: `pods` pods in 8 namespaces
 * of 5 Deployments, or with `workloads`, that many Deployments of 3 replicas in namespaces of 100,
 * each calling the next one's Service by an env URL (so the map has a call per workload), on
 * enough nodes for 110 pods each.
 */
export function generateWorkspace(dir, { pods = 0, workloads = 0, xssLabel } = {}) {
  if (workloads > 0) {
    const docs = [];
    const perNs = 100;
    const namespaces = Math.ceil(workloads / perNs);
    for (let n = 0; n < namespaces; n++) {
      const ns = `team-${String(n).padStart(2, '0')}`;
      docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
      for (let d = 0; d < Math.min(perNs, workloads - n * perNs); d++) {
        const name = `app-${String(d).padStart(3, '0')}`;
        const next = `app-${String((d + 1) % perNs).padStart(3, '0')}`;
        docs.push(deployment(ns, name, 3, { app: name }, { NEXT_URL: `http://${next}:80/` }), service(ns, name));
      }
    }
    // Round-robin scheduling: headroom below kubelet's 110 pods a node.
    const nodes = Math.min(254, Math.ceil((workloads * 3) / 88));
    const list = Array.from(
      { length: nodes },
      (_, i) => `  - {name: node-${i + 1}, ip: 10.0.${Math.floor(i / 200) + 1}.${(i % 200) + 10}, podCIDR: 10.244.${i + 1}.0/24}`,
    ).join('\n');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'kube-netsim.yaml'), `nodes:\n${list}\n`);
    writeFileSync(path.join(dir, 'app.yaml'), docs.join('---\n'));
    return;
  }
  mkdirSync(dir, { recursive: true });
  const docs = [];
  if (xssLabel !== undefined) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: xss\n`);
    docs.push(deployment('xss', 'web', 1, { app: 'web', note: xssLabel }), service('xss', 'web'));
  }
  if (pods > 0) {
    const namespaces = 8;
    const perNs = 5;
    const replicas = Math.ceil(pods / (namespaces * perNs));
    for (let n = 0; n < namespaces; n++) {
      const ns = `team-${n}`;
      docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
      for (let d = 0; d < perNs; d++)
        docs.push(deployment(ns, `svc-${d}`, replicas, { app: `svc-${d}`, tier: d % 2 ? 'api' : 'web' }), service(ns, `svc-${d}`));
    }
    const nodes = Array.from(
      { length: 6 },
      (_, i) => `  - {name: node-${i + 1}, ip: 10.0.1.${10 * (i + 1)}, podCIDR: 10.244.${4 * (i + 1)}.0/22}`,
    ).join('\n');
    writeFileSync(path.join(dir, 'kube-netsim.yaml'), `nodes:\n${nodes}\n`);
  }
  writeFileSync(path.join(dir, 'app.yaml'), docs.join('---\n'));
}

/** The two nested frames of a webview (VS Code's host frame, then the page). */
export const viewOf = (page) => page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');

/**
 * Waits until the extension is active and has analysed the folder (its status bar item counts the
 * pods). The palette lists a development extension's commands only once it is registered, and a
 * palette opened earlier never shows them.
 */
export async function waitForActivation(page, timeout = 60_000) {
  await page
    .locator('.statusbar-item', { hasText: /\d+ pods?/ })
    .first()
    .waitFor({ timeout })
    .catch(() => {});
}

/**
 * Opens a file (which activates the extension), runs Show Topology, and switches to `mode` (the
 * nodes view by default, where pods are drawn; `map` stays on the default view), waiting for the
 * first pod (nodes) or workload (map) drawn.
 */
export async function openTopology(page, runCommand, openFile, fileName, mode = 'nodes') {
  await openFile(page, fileName);
  await waitForActivation(page);
  await runCommand(page, 'View: Close Primary Side Bar'); // room for the editor and the view side by side
  await runCommand(page, 'Kubernetes Network: Show Topology');
  const view = viewOf(page);
  await view.locator('#map [data-kind="workload"]').first().waitFor({ timeout: 60_000 });
  if (mode === 'nodes') {
    await view.locator('vscode-button[data-view="nodes"]').click();
    await view.locator('#scene [data-kind="pod"]').first().waitFor({ timeout: 60_000 });
  }
  return view;
}

/** The page's Frame (to evaluate in), found by its drawing. */
export async function viewFrame(page) {
  for (let i = 0; i < 100; i++) {
    for (const f of page.frames()) {
      if (await f.evaluate(() => !!document.getElementById('scene')).catch(() => false)) return f;
    }
    await page.waitForTimeout(100);
  }
  throw new Error('the topology page frame did not appear');
}

/** Screenshots the view alone (its editor group maximised), then restores the layout. */
export async function screenshotMaximised(page, runCommand, file) {
  await runCommand(page, 'View: Toggle Maximize Editor Group');
  await page.waitForTimeout(800);
  await viewOf(page).locator('vscode-button[aria-label^="Fit"]').click();
  await page.waitForTimeout(700);
  await page.screenshot({ path: file });
  await runCommand(page, 'View: Toggle Maximize Editor Group');
  await page.waitForTimeout(500);
}
