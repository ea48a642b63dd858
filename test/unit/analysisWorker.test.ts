// The analysis worker as the extension uses it: a real worker thread (the TypeScript entry, run
// through tsx) behind AnalysisClient. Its answers must equal an in-process analysis of the same
// texts, deltas must be applied, and a dead worker must come back with the texts sent again.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeWorkspace, DEFAULT_LIMITS, defaultSettings, type InputFile } from '../../src/engine';
import { AnalysisClient } from '../../src/extension/analysisClient';
import type { WorkerAnalyzeOptions } from '../../src/extension/analysis/protocol';
import { generateWorkspace } from '../../bench/generate';
import { buildTopology } from '../../src/engine';
import { AnalysisService } from '../../src/extension/analysis/service';
import { encodeMap, mapTopologyOf } from '../../src/shared/topologyWire';

// Loads src/extension/analysis/worker.ts through tsx, as dist/analysisWorker.js is loaded in VS Code.
const WORKER = path.join(__dirname, '..', 'fixtures', 'analysisWorker.cjs');
const logged: string[] = [];
const log = { appendLine: (line: string) => logged.push(line) } as unknown as import('vscode').OutputChannel;
const options = (): WorkerAnalyzeOptions => ({ settings: defaultSettings(), settingsDiagnostics: [], limits: DEFAULT_LIMITS });
const json = (v: unknown) => JSON.stringify(v);

const FRONTEND = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: frontend}
  template:
    metadata:
      labels: {app: frontend}
    spec:
      containers:
        - name: web
          image: web:1
          env:
            - name: BACKEND_URL
              value: http://backend:8080/api
`;
const BACKEND = `apiVersion: v1
kind: Service
metadata:
  name: backend
  namespace: shop
spec:
  selector: {app: backend}
  ports:
    - port: 8080
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
    spec:
      containers:
        - name: api
          image: api:1
          ports:
            - containerPort: 8080
`;

describe('analysis worker', () => {
  const client = new AnalysisClient(WORKER, log, 'worker');
  after(() => client.dispose());
  const files: InputFile[] = [
    { path: 'frontend.yaml', text: FRONTEND },
    { path: 'backend.yaml', text: BACKEND },
  ];

  it('answers an analysis with exactly the diagnostics of an in-process one', async () => {
    const report = await client.request({ type: 'analyze', folder: 'f', reset: true, changed: files, removed: [], options: options() });
    assert.equal(client.mode, 'worker');
    assert.equal(json(report.diagnostics), json(analyzeWorkspace(files).diagnostics));
    assert.equal(report.summary.pods, 5);
    assert.equal(report.summary.services, 1);
  });

  it('applies a changed text and a removal to the texts it kept', async () => {
    // The Service is gone: the frontend's URL no longer resolves.
    const report = await client.request({
      type: 'analyze',
      folder: 'f',
      reset: false,
      changed: [],
      removed: ['backend.yaml'],
      options: options(),
    });
    assert.ok(
      report.diagnostics.some((d) => d.code === 'dns-name-unresolved' && d.range.file === 'frontend.yaml'),
      json(report.diagnostics.map((d) => d.code)),
    );
    const back = await client.request({
      type: 'analyze',
      folder: 'f',
      reset: false,
      changed: [files[1] as InputFile],
      removed: [],
      options: options(),
    });
    assert.equal(json(back.diagnostics), json(analyzeWorkspace(files).diagnostics));
  });

  it('builds the topology map of a folder just opened while idle, and answers the map of the latest simulation', async () => {
    const opened: InputFile[] = [{ path: 'frontend.yaml', text: FRONTEND }];
    await client.request({ type: 'analyze', folder: 'm', reset: true, changed: opened, removed: [], options: options() });
    // Long enough for the worker to have started building it (after PREPARE_AFTER_MS of quiet).
    await new Promise((resolve) => setTimeout(resolve, 400));
    const map = await client.request({ type: 'query', folder: 'm', name: 'topologyMap', args: {} });
    assert.equal(json(map), json(encodeMap(mapTopologyOf(buildTopology(analyzeWorkspace(opened))))));
    // An edit after it: the map answered is the edited simulation's, not the one built ahead.
    const edited: InputFile[] = [...opened, { path: 'backend.yaml', text: BACKEND }];
    await client.request({
      type: 'analyze',
      folder: 'm',
      reset: false,
      changed: [edited[1] as InputFile],
      removed: [],
      options: options(),
    });
    const after = await client.request({ type: 'query', folder: 'm', name: 'topologyMap', args: {} });
    assert.equal(json(after), json(encodeMap(mapTopologyOf(buildTopology(analyzeWorkspace(edited))))));
    assert.ok((after?.workloads.length ?? 0) > (map?.workloads.length ?? 0));
  });

  it('answers hovers and lenses from the latest simulation', async () => {
    const line = FRONTEND.split('\n').findIndex((l) => l.includes('http://backend'));
    const character = (FRONTEND.split('\n')[line] ?? '').indexOf('backend') + 2;
    const hover = await client.request({
      type: 'query',
      folder: 'f',
      name: 'hover',
      args: { file: 'frontend.yaml', position: { line, character } },
    });
    assert.ok(
      hover?.lines.some((l) => l.includes('backend.shop.svc.cluster.local')),
      json(hover),
    );
    const lenses = await client.request({ type: 'query', folder: 'f', name: 'lenses', args: { file: 'backend.yaml', folder: 'f' } });
    assert.ok(
      lenses?.some((l) => l.title === '3 endpoints' && l.command === 'kubeNetsim.showEndpoints'),
      json(lenses?.map((l) => l.title)),
    );
    const unknown = await client.request({ type: 'query', folder: 'nope', name: 'lenses', args: { file: 'backend.yaml', folder: 'nope' } });
    assert.equal(unknown, undefined);
  });

  it('leaves the main thread free while it analyses', async () => {
    const big = generateWorkspace({ namespaces: 10, apps: 20 }).files;
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    await client.request({ type: 'analyze', folder: 'big', reset: true, changed: big, removed: [], options: options() });
    clearInterval(ticker);
    // In-process, request() analyses synchronously and no timer can fire until it returns.
    assert.ok(turns > 0, 'the event loop never turned during the analysis');
  });

  it('comes back after the worker dies, in a new epoch, so the texts are sent again', async () => {
    const epoch = client.epoch;
    const worker = (client as unknown as { worker: import('node:worker_threads').Worker }).worker;
    await worker.terminate();
    await new Promise((r) => setImmediate(r));
    assert.equal(client.epoch, epoch + 1);
    assert.ok(
      logged.some((l) => l.includes('the analysis worker exited')),
      logged.join('\n'),
    );
    // The new worker knows nothing: queries answer nothing until the texts are sent again.
    assert.equal(
      await client.request({ type: 'query', folder: 'f', name: 'lenses', args: { file: 'backend.yaml', folder: 'f' } }),
      undefined,
    );
    const report = await client.request({ type: 'analyze', folder: 'f', reset: true, changed: files, removed: [], options: options() });
    assert.equal(json(report.diagnostics), json(analyzeWorkspace(files).diagnostics));
  });

  it('reports an engine failure as a rejected request, not a dead worker', async () => {
    const epoch = client.epoch;
    const bad = null as unknown as WorkerAnalyzeOptions;
    await assert.rejects(client.request({ type: 'analyze', folder: 'g', reset: true, changed: files, removed: [], options: bad }));
    assert.equal(client.epoch, epoch);
  });
});

describe('analysis worker that hangs', () => {
  it('is stopped after the timeout, and after three failures the client stops analysing rather than hang the host', async () => {
    const client = new AnalysisClient(WORKER, log, 'worker', 20);
    const big = generateWorkspace({ namespaces: 10, apps: 20 }).files;
    const query = () => client.request({ type: 'query', folder: 'big', name: 'lenses', args: { file: 'x.yaml', folder: 'big' } });
    for (let i = 0; i < 3; i++) {
      // A query first: the worker is loaded (ready) before the timed analysis starts.
      assert.equal(await query(), undefined);
      const epoch = client.epoch;
      await assert.rejects(
        client.request({ type: 'analyze', folder: 'big', reset: true, changed: big, removed: [], options: options() }),
        /did not finish an analysis within 20 ms/,
      );
      assert.equal(client.epoch, epoch + 1);
    }
    // It does not fall back to analysing in-process: the same input would hang the extension host.
    assert.equal(client.mode, 'worker');
    await assert.rejects(query(), /stopped analysing/);
    assert.match(client.takeFailureNotice() ?? '', /Reload the window/);
    assert.equal(client.takeFailureNotice(), undefined, 'the user is told once');
    client.dispose();
  });
});

describe('analysis in-process (no worker)', () => {
  it('gives the same answers', async () => {
    const client = new AnalysisClient('unused', log, 'in-process');
    const files: InputFile[] = [{ path: 'frontend.yaml', text: FRONTEND }];
    const report = await client.request({ type: 'analyze', folder: 'f', reset: true, changed: files, removed: [], options: options() });
    assert.equal(client.mode, 'in-process');
    assert.equal(json(report.diagnostics), json(analyzeWorkspace(files).diagnostics));
    assert.ok(client.inProcess?.analysisOf('f'));
  });

  it('falls back to in-process when the worker cannot start', async () => {
    const client = new AnalysisClient(path.join(__dirname, 'no-such-worker.js'), log, 'worker');
    const files: InputFile[] = [{ path: 'frontend.yaml', text: FRONTEND }];
    // A missing file makes the worker fail after it was created: the client restarts, then gives up.
    let report;
    for (let i = 0; i < 6 && !report; i++)
      report = await client
        .request({ type: 'analyze', folder: 'f', reset: true, changed: files, removed: [], options: options() })
        .catch(() => undefined);
    assert.equal(client.mode, 'in-process');
    assert.equal(json(report?.diagnostics), json(analyzeWorkspace(files).diagnostics));
    client.dispose();
  });
});

describe('analysis service: the topology map built ahead', () => {
  it('builds nothing for a folder it has not analysed, and after an analysis the map a query then answers', () => {
    const service = new AnalysisService();
    assert.equal(service.prepareTopology('none'), undefined);
    const files: InputFile[] = [
      { path: 'frontend.yaml', text: FRONTEND },
      { path: 'backend.yaml', text: BACKEND },
    ];
    service.handle({ type: 'analyze', folder: 'p', reset: true, changed: files, removed: [], options: options() });
    assert.equal(typeof service.prepareTopology('p'), 'number');
    const map = service.handle({ type: 'query', folder: 'p', name: 'topologyMap', args: {} });
    assert.equal(json(map), json(encodeMap(mapTopologyOf(buildTopology(analyzeWorkspace(files))))));
    assert.ok(json(map).includes('shop/frontend'));
  });
});
