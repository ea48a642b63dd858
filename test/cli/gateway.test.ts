// The Gateway API through the built CLI, on test/fixtures/gateway: `trace` with --header,
// --method and --via, grpc:// and tls:// targets, the redirected verdict and the response and
// request fields of the JSON, and usage errors for the new options.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt, json } from './run';

const DIR = 'test/fixtures/gateway';

interface TraceJson {
  verdict: string;
  reason: string;
  destination: null | { kind: string; namespace?: string; workload?: string; service?: string };
  hops: Array<{ step: string; detail: string; range?: { file: string; line: number } }>;
  candidates: Array<{ pod: string; weight: number; chosen: boolean; service?: string; status?: number }>;
  response?: { status?: number; location?: string; headers?: Record<string, string>; grpcStatus?: string };
  request?: { method: string; host: string; path: string; headers: Record<string, string>; tls?: string };
}

function trace(...args: string[]): TraceJson {
  const r = cli('trace', DIR, '--from', 'external', ...args, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  return json<TraceJson>(r);
}

describe('cli trace through a Gateway', () => {
  before(() => ensureBuilt());

  it('redirected: a RequestRedirect answers with its status and the full Location, and no pod is reached', () => {
    const t = trace('--to', 'http://www.shop.example/cart?x=1');
    assert.equal(t.verdict, 'redirected');
    assert.deepEqual(t.response, { status: 301, location: 'https://www.shop.example/cart?x=1' });
    assert.equal(t.destination, null);
    assert.deepEqual(
      t.hops.filter((h) => ['gateway', 'filter', 'redirect'].includes(h.step)).map((h) => h.step),
      ['gateway', 'filter', 'redirect'],
    );
  });

  it('delivered: the winning rule, the weighted backendRefs as candidates with their Service, the request as the backend gets it', () => {
    const t = trace('--to', 'https://www.shop.example/api/items', '--method', 'post');
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.equal(t.destination?.service?.startsWith('shop/api'), true);
    const share = (s: string) => t.candidates.filter((c) => c.service === s).reduce((n, c) => n + c.weight, 0);
    assert.equal(share('shop/api'), 0.9);
    assert.equal(share('shop/api-canary'), 0.1);
    assert.equal(t.request?.method, 'POST');
    assert.equal(t.request?.tls, 'terminated');
    assert.equal(t.request?.headers['X-Gateway'], 'public');
    const gw = t.hops.find((h) => h.step === 'gateway');
    assert.match(gw?.detail ?? '', /HTTPRoute shop\/storefront rule 0 \(PathPrefix \/api\)/);
    assert.equal(gw?.range?.file, 'test/fixtures/gateway/routes.yaml');
  });

  it('--header picks the rule with more header matches, and Host sends an address request to the listener it names', () => {
    const canary = trace('--to', 'https://www.shop.example/api', '--header', 'X-Canary: true');
    assert.equal(canary.destination?.service, 'shop/api-canary');
    assert.match(canary.hops.find((h) => h.step === 'gateway')?.detail ?? '', /more header matches/);
    const analysis = json<{ gateways: Array<{ name: string; addresses: string[] }> }>(cli('analyze', DIR, '--format', 'json'));
    const address = analysis.gateways.find((g) => g.name === 'public')?.addresses[0];
    const byAddress = trace('--to', `http://${address}/`, '--header', 'Host: www.shop.example');
    assert.equal(byAddress.verdict, 'redirected');
    assert.equal(byAddress.response?.location, 'https://www.shop.example/');
  });

  it('grpcs:// is matched by GRPCRoute through a ReferenceGrant; a method no rule names would be Unimplemented', () => {
    const t = trace('--to', 'grpcs://grpc.shop.example/shop.Catalog/List');
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.equal(t.destination?.service, 'data/catalog');
    assert.equal(t.request?.method, 'POST');
    const miss = trace('--to', 'grpcs://grpc.shop.example/shop.Orders/List');
    assert.equal(miss.verdict, 'unrouted');
    assert.equal(miss.response?.grpcStatus, 'Unimplemented');
  });

  it('--via enters by the named Gateway whatever the host, and the text output shows the response and the request', () => {
    const t = trace('--to', 'http://anything.shop.example/', '--via', 'infra/public');
    assert.equal(t.verdict, 'redirected');
    const text = cli('trace', DIR, '--from', 'external', '--to', 'https://www.shop.example/api', '--header', 'X-Canary: true');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^service: shop\/api-canary$/m);
    assert.match(text.stdout, /^request at the backend: GET www\.shop\.example\/api \(TLS terminated\)/m);
    const redirect = cli('trace', DIR, '--from', 'external', '--to', 'http://www.shop.example/');
    assert.match(redirect.stdout, /^REDIRECTED: /m);
    assert.match(redirect.stdout, /^response: status 301; Location: https:\/\/www\.shop\.example\/$/m);
  });

  it('rejects a malformed --header, --via or --method with one line and exit 2', () => {
    for (const [args, message] of [
      [['--header', 'no-colon'], /--header no-colon: a header is 'NAME: VALUE'/],
      [['--via', 'public'], /--via public: a Gateway is NAMESPACE\/NAME/],
      [['--method', 'GET /x'], /--method GET \/x: not an HTTP method/],
    ] as const) {
      const r = cli('trace', DIR, '--from', 'external', '--to', 'http://www.shop.example/', ...args);
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr.trim(), message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const unknown = trace('--to', 'http://www.shop.example/', '--via', 'infra/nope');
    assert.equal(unknown.verdict, 'unresolved');
    assert.match(unknown.reason, /no Gateway of that name \(Gateways: infra\/public\)/);
  });
});
