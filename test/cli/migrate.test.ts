// kube-netsim migrate through the built CLI: the generated manifests on stdout or in --out, the
// notes and the probes that land differently on stderr, exit 0 when every probe lands alike and 1
// when one does not.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt } from './run';

describe('cli migrate', () => {
  before(() => ensureBuilt());

  it('writes the Gateway and HTTPRoutes and exits 0 when every probe lands alike', () => {
    const r = cli('migrate', 'test/fixtures/migrate');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kind: Gateway$/m);
    assert.match(r.stdout, /gatewayClassName: nginx/);
    assert.match(r.stdout, /name: shop-https-redirect/);
    assert.match(r.stderr, /^\d+ probes land alike through the Ingresses and the Gateway API routes$/m);
  });

  it('a GatewayClass nothing serves: said, and every probe through the Gateway answers 404', () => {
    const r = cli('migrate', 'test/fixtures/migrate', '--gateway-class', 'eg');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /GatewayClass eg is neither in the input nor one a controller installs/);
    assert.match(r.stderr, /^differs: https:\/\/shop\.example\.com\/api\/: Ingress Service shop\/api; Gateway answer 404$/m);
  });

  it('--out writes the file; a probe that lands differently is on stderr and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kns-migrate-'));
    try {
      const out = join(dir, 'gateway.yaml');
      const r = cli('migrate', 'test/fixtures/migrate-tricky', '--out', out);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.match(readFileSync(out, 'utf8'), /kind: HTTPRoute/);
      assert.match(r.stderr, /^differs: http:\/\/a\.probe\.tenants\.example\.com\/: Ingress unresolved; Gateway Service shop\/web$/m);
      assert.match(r.stderr, /^note: Ingress shop\/tenants: annotation nginx\.ingress\.kubernetes\.io\/proxy-body-size/m);
      assert.match(r.stderr, /^2 of \d+ probes land differently$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ingress-nginx canaries: weighted backendRefs and header rules on stdout, the notes on stderr, exit 0 (examples/gateway too)', () => {
    const r = cli('migrate', 'test/fixtures/migrate-canary');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /weight: 80\n/);
    assert.match(r.stdout, /name: x-canary\n\s+value: 'yes'/);
    assert.match(r.stderr, /^note: Ingress shop\/api-canary: canary-by-cookie: an HTTPRoute cannot match a cookie/m);
    const example = cli('migrate', 'examples/gateway', '--gateway-class', 'eg');
    assert.equal(example.status, 0, example.stderr);
    assert.match(example.stderr, /^\d+ probes land alike through the Ingresses and the Gateway API routes$/m);
  });
});
