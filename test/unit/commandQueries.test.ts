// The command answers the analysis worker computes: they must describe the simulation the
// commands show (endpoints, rules of one Service, matrix, trace, what HEAD's texts change).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeWorkspace, type InputFile } from '../../src/engine';
import {
  compareWith,
  endpoints,
  matrix,
  ruleServices,
  rules,
  simulatedFiles,
  trace,
  tracePicks,
} from '../../src/extension/analysis/commandQueries';

const SHOP = path.join(__dirname, '..', '..', 'examples', 'shop');
const files: InputFile[] = readdirSync(SHOP)
  .filter((f) => /\.ya?ml$/.test(f) && f !== 'kube-netsim.yaml')
  .map((f) => ({ path: f, text: readFileSync(path.join(SHOP, f), 'utf8') }));
const a = analyzeWorkspace(files);

describe('command queries', () => {
  it('lists the endpoints of a Service, one row per port and pod', () => {
    const svc = a.cluster.services.find((s) => s.origin.kind === 'manifest' && s.endpointsByPort.flat().length > 0);
    assert.ok(svc);
    const found = endpoints(a, `${svc.namespace}/${svc.name}`);
    assert.equal(found?.rows.length, svc.endpointsByPort.flat().length);
    assert.ok(found?.rows.every((r) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(r.label)));
    assert.equal(endpoints(a, 'shop/no-such-service'), undefined);
  });

  it("keeps only one Service's lines in its kube-proxy rules", () => {
    const { services } = ruleServices(a);
    const first = services[0];
    assert.ok(first);
    const all = rules(a, '', undefined).text;
    const one = rules(a, first.label, undefined).text;
    assert.ok(one.length < all.length);
    assert.ok(one.includes(first.label));
    for (const other of services.slice(1))
      assert.ok(!one.split('\n').some((l) => l.includes(`${other.label}:`)), `${other.label} leaked into ${first.label}'s rules`);
  });

  it('offers every workload, external and the nodes as trace sources, and Service ports as targets', () => {
    const picks = tracePicks(a);
    assert.ok(picks.sources.some((s) => s.label === 'external'));
    assert.equal(picks.sources.filter((s) => s.label.startsWith('node/')).length, a.cluster.nodes.length);
    assert.ok(picks.targets.length > 0);
  });

  it('traces as plain data with the contract JSON, and explains a bad source', () => {
    const from = tracePicks(a).sources[0]?.label ?? '';
    const to = tracePicks(a).targets[0]?.label ?? '';
    const t = trace(a, from, to, 'TCP');
    assert.ok(t.ok);
    if (t.ok) {
      assert.deepEqual(JSON.parse(JSON.stringify(t.result)), t.result, 'only data crosses threads');
      assert.ok(t.result.hops.length > 0);
    }
    const bad = trace(a, 'shop/Deployment/nope', to, 'TCP');
    assert.equal(bad.ok, false);
  });

  it('reports what the working tree opens against older texts', () => {
    assert.equal(matrix(a).length > 0, true);
    assert.match(compareWith(a, files, 'same'), /No change in connectivity\./);
    // Without any policy every pair is open: the current texts close some of them.
    const old = files.filter((f) => !/NetworkPolicy/.test(f.text));
    if (old.length !== files.length) assert.match(compareWith(a, old, 'policies added'), /\d+ opened, [1-9]\d* closed\./);
    assert.deepEqual(simulatedFiles(a), [...simulatedFiles(a)].sort());
  });
});
