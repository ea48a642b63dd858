// Calico's selector language: examples from the NetworkPolicy reference
// (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors), errors at
// the character, and properties: printing and re-parsing gives the same selector, and the
// printed form matches the same labels.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { calicoMatches, parseCalicoSelector, printCalicoSelector, type CalicoSelector } from '../../src/engine/policy/calicoSelector';

const matches = (sel: string, labels: Record<string, string>) => {
  const p = parseCalicoSelector(sel);
  assert.ok(p.ok, `${sel}: ${p.ok ? '' : p.message}`);
  return calicoMatches(p.selector, labels);
};

describe('Calico selectors: the reference examples', () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ["k == 'v'", { k: 'v' }, true],
    ["k == 'v'", { k: 'w' }, false],
    ["k != 'v'", {}, true], // matches when the label is absent
    ["k != 'v'", { k: 'v' }, false],
    ["k in { 'v1', 'v2' }", { k: 'v2' }, true],
    ["k not in { 'v1', 'v2' }", {}, true],
    ["k not in { 'v1', 'v2' }", { k: 'v1' }, false],
    ['has(k)', { k: '' }, true],
    ['!has(k)', { k: 'x' }, false],
    ['all()', {}, true],
    ['', { any: 'thing' }, true],
    ["k contains 's'", { k: 'mississippi' }, true],
    ["k starts with 'mis'", { k: 'mississippi' }, true],
    ["k ends with 'pi'", { k: 'mississippi' }, true],
    ["role == 'frontend' && env != 'prod'", { role: 'frontend', env: 'dev' }, true],
    ["role == 'db' || role == 'cache' && tier == 'be'", { role: 'db' }, true], // && binds tighter
    ["(role == 'db' || role == 'cache') && tier == 'be'", { role: 'db' }, false],
    ["!(role == 'db')", { role: 'web' }, true],
    ['projectcalico.org/namespace == "shop"', { 'projectcalico.org/namespace': 'shop' }, true],
  ];
  for (const [sel, labels, want] of cases)
    it(`${sel || '(empty)'} on ${JSON.stringify(labels)} is ${want}`, () => assert.equal(matches(sel, labels), want));

  it('a syntax error says what was expected, at the character', () => {
    const cases: Array<[string, number, RegExp]> = [
      ["role = 'db'", 5, /unexpected character "="/],
      ['role == db', 8, /expected a quoted string after ==/],
      ["role == 'db", 8, /unterminated string/],
      ["role == 'db' tier == 'x'", 13, /after a complete expression/],
      ["(role == 'db'", 13, /expected "\)" to close the parenthesis/],
      ["k in {'a' 'b'}", 10, /expected "}" to close the set/],
      ['has(k', 5, /to close has\(/],
    ];
    for (const [sel, offset, message] of cases) {
      const p = parseCalicoSelector(sel);
      assert.equal(p.ok, false, sel);
      if (p.ok) continue;
      assert.equal(p.offset, offset, `${sel}: ${p.message}`);
      assert.match(p.message, message, sel);
    }
  });
});

const key = fc.constantFrom('app', 'tier', 'k8s-app', 'projectcalico.org/name');
const value = fc.constantFrom('web', 'db', '', "it's", 'a b');
const leaf: fc.Arbitrary<CalicoSelector> = fc.oneof(
  fc.constant<CalicoSelector>({ op: 'all' }),
  key.map((k): CalicoSelector => ({ op: 'has', key: k })),
  fc.record({
    op: fc.constantFrom('==' as const, '!=' as const, 'contains' as const, 'starts with' as const, 'ends with' as const),
    key,
    value,
  }),
  fc.record({ op: fc.constantFrom('in' as const, 'not in' as const), key, values: fc.array(value, { maxLength: 3 }) }),
);
const selector: fc.Arbitrary<CalicoSelector> = fc.letrec<{ s: CalicoSelector }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('s').map((expr): CalicoSelector => ({ op: '!', expr })),
    fc.record({ op: fc.constantFrom('&&' as const, '||' as const), left: tie('s'), right: tie('s') }),
  ),
})).s;
const labels = fc.dictionary(key, value, { maxKeys: 4 });

describe('Calico selectors (properties)', () => {
  it('printing and re-parsing gives the same selector', () => {
    fc.assert(
      fc.property(selector, (s) => {
        const printed = printCalicoSelector(s);
        const p = parseCalicoSelector(printed);
        assert.ok(p.ok, `${printed}: ${p.ok ? '' : p.message}`);
        assert.deepEqual(p.selector, JSON.parse(JSON.stringify(s)), printed);
      }),
      { numRuns: 400 },
    );
  });

  it('the printed form matches exactly the labels the selector matches; ! negates; && and || are the boolean ones', () => {
    fc.assert(
      fc.property(selector, selector, labels, (a, b, l) => {
        const pa = parseCalicoSelector(printCalicoSelector(a));
        assert.ok(pa.ok);
        assert.equal(calicoMatches(pa.selector, l), calicoMatches(a, l));
        assert.equal(calicoMatches({ op: '!', expr: a }, l), !calicoMatches(a, l));
        assert.equal(calicoMatches({ op: '&&', left: a, right: b }, l), calicoMatches(a, l) && calicoMatches(b, l));
        assert.equal(calicoMatches({ op: '||', left: a, right: b }, l), calicoMatches(a, l) || calicoMatches(b, l));
      }),
      { numRuns: 400 },
    );
  });
});
