// analyzeWorkspace({ checks: false }), the simulation without its checks and lints, as `kube-netsim
// matrix` runs it: the model (pods, Services, policies, the connectivity list) must be the one a
// full analysis builds, since the matrix prints from it alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWorkspace, connectivityList, podId, serviceId } from '../../src/engine';
import { generateWorkspace } from '../../bench/generate';

const workspace = generateWorkspace({ namespaces: 6, apps: 8 });
const full = analyzeWorkspace(workspace.files);
const model = analyzeWorkspace(workspace.files, { checks: false });

describe('analyzeWorkspace without checks', () => {
  it('builds the same pods, addresses, Services and endpoints', () => {
    const pods = (a: typeof full) => a.cluster.pods.map((p) => `${podId(p)} ${p.node ?? '-'} ${p.ip ?? '-'}`);
    assert.deepEqual(pods(model), pods(full));
    const services = (a: typeof full) =>
      a.cluster.services.map((s) => `${serviceId(s)} ${s.clusterIP ?? '-'} ${JSON.stringify(s.endpointsByPort)}`);
    assert.deepEqual(services(model), services(full));
    assert.equal(model.policies.policies.length, full.policies.policies.length);
  });

  it('gives the connectivity list a full analysis gives', () => {
    const lines = (a: typeof full) =>
      connectivityList(a.policies, { gateways: a.gateway }).entries.map((e) => `${e.src} ${e.dst} ${e.conn.toString()}`);
    const want = lines(full);
    assert.ok(want.length > 100, `${want.length} lines`);
    assert.deepEqual(lines(model), want);
  });

  it('runs no check or lint: no references resolved, and only diagnostics that a full analysis also reports', () => {
    assert.equal(model.references.length, 0);
    assert.ok(full.references.length > 0);
    const all = new Set(full.diagnostics.map((d) => `${d.range.file}:${d.range.line}:${d.range.column} ${d.code}`));
    for (const d of model.diagnostics) assert.ok(all.has(`${d.range.file}:${d.range.line}:${d.range.column} ${d.code}`), d.code);
    // The generated workspace's lint findings (readiness probes, blocked connections) are not there.
    const codes = new Set(model.diagnostics.map((d) => d.code));
    assert.ok(full.diagnostics.some((d) => d.code === 'connection-blocked-by-policy'));
    assert.equal(codes.has('connection-blocked-by-policy'), false);
  });
});
