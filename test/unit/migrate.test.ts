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

describe('migrate: ingress-nginx canaries', () => {
  const p = proveMigration(files('migrate-canary'), 'nginx');

  it('canary-weight becomes weighted backendRefs and canary-by-header(-value) Exact header rules; every probe, with and without the header, lands alike', () => {
    assert.deepEqual(
      p.results.filter((r) => !r.same),
      [],
    );
    assert.equal(land(p, 'http://api.example.com/api/sub')?.old, 'Services shop/api 80%, shop/api-canary 20%');
    assert.equal(land(p, 'http://api.example.com/api/sub')?.new, 'Services shop/api 80%, shop/api-canary 20%');
    assert.equal(land(p, 'http://api.example.com/api [x-canary: yes]')?.new, 'Service shop/api-canary');
    assert.equal(land(p, 'http://api.example.com/api [x-canary: not-yes]')?.new, 'Services shop/api 80%, shop/api-canary 20%');
    // The canary is merged into /api only: /apix and / stay on the main Ingress's own backends.
    assert.equal(land(p, 'http://api.example.com/apix [x-canary: yes]')?.new, 'Service shop/web');
    assert.match(p.migration.yaml, /- name: api\n\s+port: 8080\n\s+weight: 80\n\s+- name: api-canary\n\s+port: 8080\n\s+weight: 20/);
    assert.match(p.migration.yaml, /headers:\n\s+- type: Exact\n\s+name: x-canary\n\s+value: 'yes'/);
  });

  it('a header without a value: "always" picks the canary, "never" the main, anything else the weights of canary-weight-total; a canary in another namespace gets a ReferenceGrant', () => {
    assert.equal(land(p, 'http://beta.example.com/ [x-beta: always]')?.old, 'Service beta/api-next');
    assert.equal(land(p, 'http://beta.example.com/ [x-beta: never]')?.new, 'Service shop/api');
    assert.equal(land(p, 'http://beta.example.com/ [x-beta: sometimes]')?.new, 'Services beta/api-next 25%, shop/api 75%');
    assert.match(p.migration.yaml, /weight: 750\n[\s\S]*namespace: beta\n\s+port: 8080\n\s+weight: 250/);
    const grant = p.migration.documents.find((d) => d['kind'] === 'ReferenceGrant') as { metadata: { namespace: string }; spec: unknown };
    assert.equal(grant.metadata.namespace, 'beta');
    assert.deepEqual(grant.spec, {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service', name: 'api-next' }],
    });
    // No route for the canary Ingresses themselves: ingress-nginx never routes by them alone.
    assert.deepEqual(
      p.migration.documents.filter((d) => d['kind'] === 'HTTPRoute').map((d) => (d['metadata'] as { name: string }).name),
      ['api-api-example-com', 'api-beta-example-com'],
    );
  });

  it('a cookie and a canary path no main Ingress serves are said, not guessed', () => {
    const notes = p.migration.notes.map((n) => `${n.ingress}: ${n.message}`).join('\n');
    assert.match(notes, /shop\/api-canary: canary-by-cookie: an HTTPRoute cannot match a cookie/);
    assert.match(notes, /shop\/api-canary: canary path api\.example\.com\/admin: no main Ingress serves this host and path/);
    assert.equal(land(p, 'http://api.example.com/admin/sub')?.old, 'Service shop/web');
    assert.equal(p.migration.notes.length, 2);
  });

  it('a canary-weight at or past the total sends everything to the canary; 0 leaves only the main backend', () => {
    const text = (w: string) =>
      files('migrate-canary').map((f) =>
        f.path.endsWith('ingress.yaml') ? { ...f, text: f.text.replace('canary-weight: "20"', `canary-weight: "${w}"`) } : f,
      );
    const all = proveMigration(text('100'), 'nginx');
    assert.equal(land(all, 'http://api.example.com/api')?.old, 'Service shop/api-canary');
    assert.equal(land(all, 'http://api.example.com/api')?.same, true);
    const none = proveMigration(text('0'), 'nginx');
    assert.equal(land(none, 'http://api.example.com/api')?.new, 'Service shop/api');
    assert.equal(land(none, 'http://api.example.com/api')?.same, true);
  });

  it('converting one Ingress: its routes and its canaries only, and only the probes it answers', () => {
    const one = proveMigration(files('migrate-canary'), 'nginx', {}, (i) => i.name === 'api');
    assert.deepEqual(
      one.results.filter((r) => !r.same),
      [],
    );
    assert.ok(one.results.some((r) => r.probe === 'http://api.example.com/api [x-canary: yes]'));
    const tricky = proveMigration(
      [...files('migrate-tricky'), ...files('migrate')],
      'nginx',
      {},
      (i) => i.file === 'migrate-tricky/ingress.yaml',
    );
    assert.deepEqual(
      tricky.migration.documents.filter((d) => d['kind'] === 'HTTPRoute').map((d) => (d['metadata'] as { name: string }).name),
      ['api', 'tenants'],
    );
    // shop.example.com belongs to the Ingress left out: none of its probes is this conversion's.
    assert.ok(!tricky.results.some((r) => r.probe.includes('shop.example.com')));
  });
});
