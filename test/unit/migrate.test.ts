// Ingress → Gateway API (kube-netsim migrate): the translation, and the probe comparison that proves
// it on tricky Ingresses (Exact and Prefix at equal length, /api against /apix, TLS with
// ssl-redirect, a default backend, rewrite-target with a capture group) and says where the two
// cannot mean the same (a one-label wildcard host, an annotation without an equivalent).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { proveMigration } from '../../src/engine';
import { analyze } from '../helpers';

function files(dir: string) {
  const root = join(__dirname, '..', 'fixtures', dir);
  return readdirSync(root).map((f) => ({ path: `${dir}/${f}`, text: readFileSync(join(root, f), 'utf8') }));
}

const land = (p: ReturnType<typeof proveMigration>, probe: string) => p.results.find((r) => r.probe === probe);

describe('migrate: translation and proof', () => {
  it('Exact beats Prefix at equal length, /apix is not /api, TLS hosts redirect HTTP with 308, the default backend catches the rest: every probe alike', () => {
    const p = proveMigration(files('migrate'), 'nginx');
    assert.ok(p.results.length >= 12, `${p.results.length} probes`);
    assert.deepEqual(
      p.results.filter((r) => !r.same),
      [],
    );
    assert.equal(land(p, 'https://shop.example.com/api')?.new, 'Service shop/web');
    assert.equal(land(p, 'https://shop.example.com/api/')?.new, 'Service shop/api');
    assert.equal(land(p, 'https://shop.example.com/apix')?.new, 'Service shop/web');
    assert.equal(land(p, 'http://shop.example.com/api/sub')?.new, 'redirect 308 https://shop.example.com/api/sub');
    assert.equal(land(p, 'http://(address)/zz-probe')?.old, 'Service shop/web');
    assert.deepEqual(p.migration.notes, []);
    // The generated manifests are valid and attach: no error, each route accepted.
    const a = analyze({ ...Object.fromEntries(files('migrate').map((f) => [f.path, f.text])), 'migrated.yaml': p.migration.yaml });
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
    assert.ok(a.gateway.routes.every((r) => a.gateway.status(r).parents.every((s) => s.accepted)));
    assert.deepEqual(
      a.gateway.routes.map((r) => r.name),
      ['shop', 'shop-https-redirect', 'shop-default'],
    );
  });

  it('rewrite-target /$2 after /v1(/|$)(.*) becomes ReplacePrefixMatch; a one-label wildcard host and an annotation without an equivalent are said, and the wildcard probe differs', () => {
    const p = proveMigration(files('migrate-tricky'), 'nginx');
    assert.equal(land(p, 'http://api.example.com/v1/sub')?.old, 'Service shop/api path /sub');
    assert.equal(land(p, 'http://api.example.com/v1/sub')?.same, true);
    assert.equal(land(p, 'http://api.example.com/v1x')?.new, 'answer 404');
    assert.match(p.migration.yaml, /type: ReplacePrefixMatch\n\s+replacePrefixMatch: \//);
    assert.deepEqual(
      p.results.filter((r) => !r.same).map((r) => r.probe),
      ['http://a.probe.tenants.example.com/', 'http://a.probe.tenants.example.com/zz-probe'],
    );
    const notes = p.migration.notes.map((n) => `${n.ingress}: ${n.message}`).join('\n');
    assert.match(notes, /shop\/tenants: annotation nginx\.ingress\.kubernetes\.io\/proxy-body-size: 8m has no translation/);
    assert.match(notes, /shop\/tenants: host \*\.tenants\.example\.com: an Ingress wildcard covers one label/);
  });
});
