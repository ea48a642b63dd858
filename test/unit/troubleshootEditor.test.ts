// What the editor offers for troubleshooting (computed in the analysis worker): the port-forward
// lens above a Service port, the hover's "Troubleshoot this Service" link, a port-forward trace
// through the trace query, and the walk as a Markdown checklist with links to the field at fault.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoverAt } from '../../src/extension/analysis/hoverText';
import { lensesFor } from '../../src/extension/analysis/lensData';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { trace, forwardPicks } from '../../src/extension/analysis/commandQueries';
import { runTroubleshoot, troubleshootMarkdown, troubleshootPicks } from '../../src/extension/analysis/troubleshoot';
import { analyze, lineOf } from '../helpers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'troubleshoot');
const POLICY = { 'app.yaml': readFileSync(join(FIXTURE, 'policy', 'app.yaml'), 'utf8') };

describe('troubleshooting in the editor', () => {
  it('puts a port-forward lens beside the trace lens of a TCP Service port', () => {
    const a = analyze(POLICY);
    const lenses = lensesFor(a, new SymbolIndex(a), 'app.yaml', 'file:///ws');
    const forward = lenses.find((l) => l.title.includes('Port-forward'));
    assert.ok(forward, lenses.map((l) => l.title).join(', '));
    assert.equal(forward.title, 'Trace packet · Port-forward 8080:80');
    assert.deepEqual(forward.arguments, [{ folder: 'file:///ws', from: 'local', to: 'svc/api.ts:80' }]);
  });

  it("runs the lens's trace as kubectl port-forward: delivered, while the pod-to-pod connection is dropped", () => {
    const a = analyze(POLICY);
    const r = trace(a, 'local', 'svc/api.ts:80', 'TCP');
    assert.ok(r.ok);
    assert.equal(r.result.verdict, 'delivered');
    assert.equal(r.result.portForward?.fromPod?.verdict, 'dropped');
    assert.deepEqual(
      forwardPicks(a).map((p) => p.label),
      ['svc/api.ts:80'],
    );
    const wrong = trace(a, 'ts/web', 'svc/api.ts:80', 'TCP');
    assert.equal(wrong.ok, false);
  });

  it("links a Service's hover to the troubleshoot command with the Service as its argument", () => {
    const a = analyze(POLICY);
    const text = POLICY['app.yaml'];
    // The Service's metadata line follows its kind line (lineOf is 1-based, positions 0-based).
    const line = lineOf(text, 'kind: Service');
    const character = (text.split('\n')[line] ?? '').indexOf('api') + 1;
    const h = hoverAt(a, new SymbolIndex(a), 'app.yaml', { line, character })?.lines.join('\n') ?? '';
    const m = /\[Troubleshoot this Service\]\(command:kubeNetsim\.troubleshoot\?([^ )]+)/.exec(h);
    assert.ok(m, h);
    assert.deepEqual(JSON.parse(decodeURIComponent(m[1] ?? '')), [{ service: 'ts/api' }]);
  });

  it('writes the walk as a checklist: a mark per step, the command, and a link at the failing field', () => {
    const a = analyze(POLICY);
    const walked = runTroubleshoot(a, { service: 'ts/api' });
    assert.ok(walked.ok);
    const md = troubleshootMarkdown(walked.result, (file, line) => `file:///ws/${file}#L${line}`);
    const marks = md.split('\n').filter((l) => /^- (✅|❌)/.test(l));
    assert.deepEqual(
      marks.map((l) => l.slice(2, 3)),
      ['✅', '✅', '✅', '✅', '❌'],
    );
    assert.match(md, /^# Can't reach Service: ts\/api$/m);
    assert.match(md, /run: `kubectl get endpoints api -n ts`/);
    assert.match(md, /at: \[app\.yaml:40\]\(file:\/\/\/ws\/app\.yaml#L40\)/);
    assert.match(md, /Stopped at step 5/);
  });

  it('escapes manifest text so it cannot become a link or markup in the checklist', () => {
    const md = troubleshootMarkdown(
      { walk: 'external', subject: '[x](command:evil)', title: 'External access not working', ok: true, steps: [] },
      () => undefined,
    );
    assert.ok(!md.includes('](command:evil)'), md);
  });

  it('offers every Service, the exposed ones from outside too, and every Ingress', () => {
    const a = analyze(POLICY);
    assert.deepEqual(
      troubleshootPicks(a).map((p) => p.label),
      ['Service ts/api'],
    );
    const bad = runTroubleshoot(a, { service: 'ts/api', from: 'ts/nope' });
    assert.equal(bad.ok, false);
  });
});
