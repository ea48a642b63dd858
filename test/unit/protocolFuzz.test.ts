// Messages from the topology page are untrusted (a compromised page could send anything that
// structured clone carries): the validator must refuse whatever breaks the contract, naming the
// field, never throw or hang, and let through only what the extension's handler can use. The
// hand-picked cases of the protocol live in topologyView.test.ts; these are properties.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CNI_PLUGINS, DEFAULT_VIEW_STATE, DRAWN_KINDS, PROXY_MODES, parseToExtension, parseToPage } from '../../src/shared/protocol';

const SEED = 4242;
const str = fc.string({ maxLength: 20 });
const int = fc.integer({ min: -5, max: 1_000_000 });

/** A valid message of every kind the page may send, with the paths of its required fields. */
const valid = fc.oneof(
  fc.constant({ type: 'ready' }),
  fc.record({
    type: fc.constant('reveal'),
    target: fc.oneof(
      fc.record({ kind: fc.constantFrom(...DRAWN_KINDS, 'policy'), id: str }),
      fc.record({ kind: fc.constant('hop'), index: int }),
    ),
  }),
  fc.record(
    { type: fc.constant('settings'), cni: fc.constantFrom(...CNI_PLUGINS), kubeProxyMode: fc.constantFrom(...PROXY_MODES) },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('focus'), id: fc.option(str, { nil: null }) }),
  fc.record({ type: fc.constant('export'), format: fc.constantFrom('svg', 'png') }),
  fc.record({ type: fc.constant('exportResponse'), requestId: int, format: fc.constantFrom('svg', 'png'), data: str }),
  fc.record({ type: fc.constant('exportFailed'), requestId: int, message: str }),
  fc.record({
    type: fc.constant('state'),
    state: fc.record({
      folder: fc.option(str, { nil: null }),
      hiddenNamespaces: fc.array(str, { maxLength: 3 }),
      layers: fc.record({ endpoints: fc.boolean(), ingress: fc.boolean(), policy: fc.boolean() }),
      search: str,
      focus: fc.option(str, { nil: null }),
      transform: fc.option(
        fc.record({
          x: fc.double({ noNaN: true, noDefaultInfinity: true }),
          y: fc.double({ noNaN: true, noDefaultInfinity: true }),
          k: fc.double({ min: 0.01, max: 50, noNaN: true }),
        }),
        { nil: null },
      ),
    }),
  }),
);

/** Every path to a leaf or object of a message (not through `type`), to mutate one. */
function paths(v: unknown, at: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null) return [at];
  const out: string[][] = at.length ? [at] : [];
  for (const [k, x] of Object.entries(v)) if (!(at.length === 0 && k === 'type')) out.push(...paths(x, [...at, k]));
  return out;
}

function setAt(v: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(v) as Record<string, unknown>;
  let cur: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[path[path.length - 1] as string] = value;
  return copy;
}

/** Values of the wrong type for some field of the protocol (the test skips a pair where one happens to fit). */
const wrong = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1.5,
  'text',
  true,
  {},
  [[1]],
  new Map([['a', 1]]),
  new Date(0),
);

/** Whether `bad` could be a valid replacement for `before` (same primitive type, or a string for a nullable string). */
function mightFit(before: unknown, bad: unknown, path: string[]): boolean {
  if (typeof bad === 'number') return typeof before === 'number' && Number.isFinite(bad) && path.includes('transform');
  if (typeof bad === 'string' || typeof bad === 'boolean')
    return typeof before === typeof bad || (before === null && typeof bad === 'string');
  return false;
}

describe('protocol: messages from the page are validated before use', () => {
  it('every valid message passes', () => {
    fc.assert(
      fc.property(valid, (m) => parseToExtension(m).ok),
      { numRuns: 300, seed: SEED },
    );
  });

  it('a field given a value of the wrong type is refused, and the error names that field', () => {
    fc.assert(
      fc.property(
        valid.filter((m) => paths(m).length > 0).chain((m) => fc.tuple(fc.constant(m), fc.constantFrom(...paths(m)), wrong)),
        ([m, path, bad]) => {
          const leaf = path[path.length - 1];
          const mutated = setAt(m, path, bad);
          const r = parseToExtension(mutated);
          const before = path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], m);
          if (mightFit(before, bad, path)) return true;
          assert.equal(r.ok, false, `${JSON.stringify(path)} = ${String(bad)} was accepted`);
          assert.ok(!r.ok && r.error.includes(String(leaf)), `${r.ok ? '' : r.error} names ${leaf}`);
          return true;
        },
      ),
      { numRuns: 400, seed: SEED },
    );
  });

  it('anything at all (random values, prototype names, cycles) is answered without throwing', () => {
    const hostileType = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'ready ', 'READY', '');
    const anything = fc.oneof(
      fc.anything({ withMap: true, withSet: true, withDate: true, withTypedArray: true, withNullPrototype: true, withBigInt: true }),
      fc.record({ type: hostileType }),
      fc.record({
        type: fc.constantFrom('reveal', 'settings', 'state', 'focus', 'exportResponse'),
        target: fc.anything(),
        state: fc.anything(),
        id: fc.anything(),
        cni: fc.anything(),
      }),
    );
    fc.assert(
      fc.property(anything, (m) => {
        for (const parse of [parseToExtension, parseToPage]) {
          const r = parse(m);
          if (!r.ok) assert.match(r.error, /^[^\n]{1,400}$/, 'one short line');
        }
        return true;
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it('prototype names are not message types', () => {
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      assert.deepEqual(parseToExtension({ type }), { ok: false, error: `unknown message type "${type}"` });
    assert.equal(parseToExtension(JSON.parse('{"__proto__": {"type": "ready"}}')).ok, false, 'an inherited type does not count');
  });

  it('cyclic and huge messages are answered quickly (only the contract is walked)', () => {
    const state: Record<string, unknown> = {
      ...DEFAULT_VIEW_STATE,
      hiddenNamespaces: Array.from({ length: 100_000 }, (_, i) => `ns-${i}`),
    };
    state['self'] = state;
    assert.equal(parseToExtension({ type: 'state', state }).ok, true);
    const deep: Record<string, unknown> = { type: 'focus', id: 'x' };
    let cur = deep;
    for (let i = 0; i < 100_000; i++) cur = cur['extra'] = {};
    assert.equal(parseToExtension(deep).ok, true, 'extra fields are never walked');
  });

  it('what passes is what the handler relies on: strings are strings, indexes integers, enums members', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true }).map((x) => ({ type: 'reveal', target: x })),
        (m) => {
          const r = parseToExtension(m);
          if (!r.ok || r.message.type !== 'reveal') return true;
          const t = r.message.target;
          if (t.kind === 'hop') return Number.isInteger(t.index);
          return (DRAWN_KINDS as readonly string[]).concat('policy').includes(t.kind) && typeof t.id === 'string';
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe('protocol: error messages quote safely', () => {
  it('a BigInt, a cycle or a huge value in an enum field is refused with a short line (JSON.stringify threw or copied it all)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.deepEqual(parseToExtension({ type: 'settings', cni: 10n }), {
      ok: false,
      error: 'settings.cni must be one of calico, flannel, cilium, weave, canal, not bigint',
    });
    assert.deepEqual(parseToExtension({ type: 'settings', cni: cyclic }), {
      ok: false,
      error: 'settings.cni must be one of calico, flannel, cilium, weave, canal, not object',
    });
    assert.deepEqual(parseToExtension({ type: 'export', format: 'x'.repeat(1_000_000) }), {
      ok: false,
      error: `export.format must be one of svg, png, not "${'x'.repeat(40)}…"`,
    });
    assert.deepEqual(parseToExtension({ type: 10n }), { ok: false, error: 'unknown message type bigint' });
    assert.deepEqual(parseToPage({ type: cyclic }), { ok: false, error: 'unknown message type object' });
  });
});
