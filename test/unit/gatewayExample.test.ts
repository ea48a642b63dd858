// examples/gateway does what its comments say: one diagnostic (the route no listener accepts), the
// redirect, the weighted API and its header-forced canary, the cross-namespace checkout with its
// rewrite, and NetworkPolicy admitting only the Gateway's proxies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSource, proveMigration, tracePacket } from '../../src/engine';
import { analyze, lineOf } from '../helpers';

const DIR = join(__dirname, '..', '..', 'examples', 'gateway');
const FILES = Object.fromEntries(readdirSync(DIR).map((f) => [`examples/gateway/${f}`, readFileSync(join(DIR, f), 'utf8')]));

describe('examples/gateway', () => {
  const a = analyze(FILES);
  const external = findSource(a.cluster, 'external');
  const go = (to: string, headers: Array<{ name: string; value: string }> = []) => {
    assert.ok(external.ok);
    return tracePacket(a, external.source, to, 'TCP', { headers });
  };

  it('reports only the deliberate mistake, at the parentRef of the route no listener accepts', () => {
    const routes = FILES['examples/gateway/routes.yaml']!;
    assert.deepEqual(
      a.diagnostics.map((d) => `${d.severity} ${d.code} ${d.range.file}:${d.range.line}`),
      [`error route-not-accepted examples/gateway/routes.yaml:${lineOf(routes, '- name: public', 3)}`],
    );
    assert.match(a.diagnostics[0]!.message, /NoMatchingListenerHostname/);
  });

  it('routes as its comments say', () => {
    assert.equal(go('http://www.store.example/cart').response?.location, 'https://www.store.example/cart');
    const api = go('https://www.store.example/api/cart');
    assert.equal(api.verdict, 'delivered');
    const shares = new Map<string, number>();
    for (const c of api.candidates) shares.set(c.service ?? '', (shares.get(c.service ?? '') ?? 0) + c.weight);
    assert.deepEqual(
      [...shares].map(([s, w]) => `${s} ${Math.round(w * 100)}`),
      ['store/api 90', 'store/api-canary 10'],
    );
    const canary = go('https://www.store.example/api', [{ name: 'x-canary', value: 'true' }]);
    assert.equal(canary.destination && 'service' in canary.destination ? canary.destination.service : '', 'store/api-canary');
    const checkout = go('https://www.store.example/checkout');
    assert.equal(checkout.verdict, 'delivered');
    assert.equal(checkout.request?.path, '/v1/pay');
    assert.equal(checkout.destination && 'service' in checkout.destination ? checkout.destination.service : '', 'payments/checkout');
  });

  it('its legacy Ingress converts to routes on a Gateway of class eg that route alike (the policy admits both data planes)', () => {
    const p = proveMigration(
      Object.entries(FILES).map(([path, text]) => ({ path, text })),
      'eg',
    );
    assert.ok(p.results.length >= 6, `${p.results.length} probes`);
    assert.deepEqual(
      p.results.filter((r) => !r.same),
      [],
    );
    assert.equal(p.results.find((r) => r.probe === 'http://shop.example.org/api/sub')?.new, 'Service store/api');
    assert.deepEqual(p.migration.notes, []);
  });

  it("admits only the Gateway's proxies: a store pod calling the API directly is dropped", () => {
    const web = findSource(a.cluster, 'store/web');
    assert.ok(web.ok);
    assert.equal(tracePacket(a, web.source, 'http://api.store:8080/').verdict, 'dropped');
  });
});
