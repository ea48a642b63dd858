import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LabelIndex } from '../../src/engine/cluster/labelIndex';
import { selectorMatches, type LabelSelector, type SelectorOperator } from '../../src/engine/cluster/labels';

/** A small deterministic generator, so that a failure is reproducible. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('LabelIndex', () => {
  it('matches exactly what a scan of every item matches, in item order', () => {
    const rnd = random(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const keys = ['app', 'tier', 'env', 'constructor', '__proto__'];
    const values = ['a', 'b', 'c', ''];
    const items = Array.from({ length: 60 }, (_, i) => {
      const labels: Record<string, string> = {};
      for (const k of keys) if (rnd() < 0.6) labels[k] = pick(values);
      return { id: i, labels };
    });
    const index = new LabelIndex(items);
    const ops: SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
    let nonEmpty = 0;
    for (let n = 0; n < 400; n++) {
      const matchLabels: Record<string, string> = {};
      for (const k of keys) if (rnd() < 0.25) matchLabels[k] = pick(values);
      const matchExpressions: LabelSelector['matchExpressions'] = [];
      while (rnd() < 0.4) {
        const operator = pick(ops);
        const count = operator === 'In' || operator === 'NotIn' ? 1 + Math.floor(rnd() * 2) : 0;
        matchExpressions.push({ key: pick(keys), operator, values: Array.from({ length: count }, () => pick(values)) });
      }
      const s: LabelSelector = { matchLabels, matchExpressions };
      const want = items.filter((x) => selectorMatches(s, x.labels));
      assert.deepEqual(index.matching(s), want, JSON.stringify(s));
      assert.equal(index.some(s), want.length > 0);
      if (want.length > 0) nonEmpty++;
    }
    assert.ok(nonEmpty > 50, `${nonEmpty} selectors matched something`);
  });
});
