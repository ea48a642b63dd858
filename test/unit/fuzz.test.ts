// Fuzzing the engine (fast-check): mutated fixtures and random structured manifests (generators in
// test/fuzzArbitraries.ts) go through analyzeWorkspace and every query on the result (trace, matrix,
// DNS, topology, kube-proxy rules, policy layer). Properties: nothing throws; the same input gives
// the same bytes (fresh, and through a parse cache warmed on other text); and the output stays
// bounded (counted: its size grows at most linearly with the input, plus the pod budget).
// A generous wall-clock bound per input (20 s, against ~50 ms typical) backs the count up: it only
// catches a hang, never a slow machine. FUZZ_RUNS and FUZZ_SEED override the defaults.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeWorkspace, ParseCache, type InputFile } from '../../src/engine';
import {
  dualStackWorkspace,
  exercise,
  mutatedWorkspace,
  outputBound,
  SEEDS,
  settingsWorkspace,
  size,
  structuredWorkspace,
} from '../fuzzArbitraries';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 120);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261125);
const HANG_MS = 20_000;

/** The property: no throw, identical bytes fresh and through a cache warmed on other text, bounded output. */
function check(files: InputFile[]): void {
  const started = Date.now();
  const fresh = exercise(files);
  const cache = new ParseCache();
  exercise(
    files.map((f) => ({ path: f.path, text: `${f.text}\n# warm the cache with other text` })),
    cache,
  );
  assert.equal(exercise(files, cache), fresh, 'same input, same bytes (fresh and through the parse cache)');
  assert.ok(fresh.length <= outputBound(files), `output ${fresh.length} chars for ${size(files)} chars of input`);
  assert.ok(Date.now() - started < HANG_MS, `a hang: ${Date.now() - started} ms`);
}

describe('fuzz: the engine never throws, is deterministic and stays bounded', () => {
  it('the seeds exercise the queries (traces, DNS, matrix are not empty)', () => {
    const shop = SEEDS.filter((f) => f.path.startsWith('examples/shop/'));
    const out = JSON.parse(exercise(shop)) as { traces: Array<{ verdict: string }>; analysis: { pods: unknown[] } };
    assert.ok(SEEDS.length >= 20, `${SEEDS.length} seed files`);
    assert.ok(out.analysis.pods.length > 5);
    assert.ok(new Set(out.traces.map((t) => t.verdict)).size >= 3, 'traces reach several verdicts');
  });

  it('mutated fixtures', () => {
    fc.assert(fc.property(mutatedWorkspace, check), { numRuns: RUNS, seed: SEED, includeErrorInReport: true });
  });

  it('random structured manifests (any field any JSON value), as YAML and JSON', () => {
    fc.assert(fc.property(structuredWorkspace, check), { numRuns: RUNS, seed: SEED + 1, includeErrorInReport: true });
  });

  it('hostile cluster settings (tiny, full or inverted ranges, dual-stack, duplicate nodes) with the sample', () => {
    fc.assert(fc.property(settingsWorkspace, check), { numRuns: Math.ceil(RUNS / 3), seed: SEED + 2, includeErrorInReport: true });
  });

  it('dual-stack inputs (Service families and addresses, IPv6 EndpointSlices) in every kube-proxy mode', () => {
    fc.assert(fc.property(dualStackWorkspace, check), { numRuns: Math.ceil(RUNS / 3), seed: SEED + 3, includeErrorInReport: true });
  });

  it('dual-stack inputs do reach the IPv6 paths: some give IPv6 Services, ip6 tables and IPv6 traces', () => {
    const samples = fc.sample(dualStackWorkspace, { numRuns: 30, seed: SEED + 3 });
    const outs = samples.map((files) => exercise(files));
    assert.ok(outs.filter((o) => /table ip6 kube-proxy|ip6tables-save|KUBE-6-/.test(o)).length > 10, 'IPv6 rules in most samples');
    assert.ok(
      outs.some((o) => /"sourceIPAtDestination":"fd00:10:244:/.test(o)),
      'some trace delivers over IPv6',
    );
    // ...routed by the nodes' IPv6 addresses and pod ranges, never an IPv4 next hop for an IPv6 packet.
    assert.ok(
      outs.some((o) => /"detail":"fd00:10:244:[0-9a-f:]+\/\d+ (via fd00:[0-9a-f:]+ dev|dev cni0|dev weave)/.test(o)),
      'some IPv6 trace routes by IPv6',
    );
    for (const o of outs) assert.doesNotMatch(o, /"detail":"fd00:[0-9a-f:]+\/\d+ via 10\./, 'an IPv6 route via an IPv4 next hop');
  });

  it('mutations do reach the engine: most mutated inputs still parse into objects', () => {
    // Guards against a mutator that only ever produces garbage (which would make the suite vacuous).
    const samples = fc.sample(mutatedWorkspace, { numRuns: 60, seed: SEED });
    const withObjects = samples.filter((files) => analyzeWorkspace(files).cluster.objects.length > 0).length;
    assert.ok(withObjects > 30, `${withObjects} of 60 mutated workspaces still hold objects`);
  });
});
