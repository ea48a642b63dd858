// The pod and endpoint budgets on a generated workspace: what a cut leaves out is said once, and
// nothing that depends on it is reported (a Service whose pods were cut read as one without endpoints).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWorkspace, type Analysis, type Diagnostic } from '../../src/engine';
import { generateWorkspace } from '../../bench/generate';

const workspace = generateWorkspace({ namespaces: 12, apps: 10 });
const full = analyzeWorkspace(workspace.files);
const key = (d: Diagnostic) => `${d.range.file}:${d.range.line}:${d.range.column} ${d.code} ${d.message}`;
const userPods = (a: Analysis) => a.cluster.pods.filter((p) => p.origin.kind === 'manifest').length;

/** The diagnostics of `cut` that the whole simulation does not report: each is noise from the cut. */
function falseOnes(cut: Analysis): string[] {
  const whole = new Set(full.diagnostics.map(key));
  return cut.diagnostics.filter((d) => d.code !== 'simulation-limit' && !whole.has(key(d))).map(key);
}

describe('simulation budgets', () => {
  it('the whole workspace fits the default budgets: nothing is cut', () => {
    assert.equal(userPods(full), workspace.pods);
    assert.equal(full.cluster.cut, undefined);
    assert.deepEqual(
      full.diagnostics.filter((d) => d.code === 'simulation-limit'),
      [],
    );
  });

  for (const pods of [1, 150, 301]) {
    it(`a pod budget of ${pods}: one warning with the totals, and no diagnostic that the cut pods would have prevented`, () => {
      const a = analyzeWorkspace(workspace.files, { budgets: { pods } });
      assert.equal(userPods(a), pods);
      const warnings = a.diagnostics.filter((d) => d.code === 'simulation-limit');
      assert.equal(warnings.length, 1, 'said once');
      assert.match(warnings[0]?.message ?? '', new RegExp(`${workspace.pods - pods} pods in all, in namespaces team-\\d{3}`));
      assert.match(warnings[0]?.message ?? '', /are not reported there/);
      assert.equal(a.cluster.cut?.pods, workspace.pods - pods);
      assert.deepEqual(falseOnes(a), []);
      // The namespaces simulated whole keep what they report.
      const kept = full.diagnostics.filter((d) => d.code === 'service-no-endpoints' || d.code === 'policy-selects-nothing');
      const cutNs = a.cluster.cut?.namespaces ?? new Set();
      const whole = kept.filter((d) => !cutNs.has(d.resource?.split('/')[1] ?? ''));
      assert.deepEqual(a.diagnostics.filter((d) => whole.some((w) => key(w) === key(d))).map(key), whole.map(key));
    });
  }

  it('an endpoint budget cut: one warning, and no Service reported for the endpoints it lost', () => {
    const a = analyzeWorkspace(workspace.files, { budgets: { endpoints: 100 } });
    assert.equal(userPods(a), workspace.pods, 'pods are all simulated');
    assert.equal(a.diagnostics.filter((d) => d.code === 'simulation-limit').length, 1);
    assert.ok((a.cluster.cut?.endpoints ?? 0) > 0);
    assert.deepEqual(falseOnes(a), []);
  });
});
