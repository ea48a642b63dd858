// Routing through a Gateway, traced: match precedence across routes, PathPrefix by path elements,
// 404/500 answers, weighted backendRefs, filters (redirects, rewrites, header modifiers, mirrors),
// gRPC, TLS passthrough, TCP, --via, a Gateway before an Ingress, and NetworkPolicy on the data
// plane's hop to the backend.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, yaml } from '../helpers';
import { findSource, tracePacket, type Analysis, type TraceOptions, type TraceResult } from '../../src/engine';
import { replacePrefix } from '../../src/engine/gateway/filters';
import { BACKEND, CLASS, gateway, route } from '../gatewayFixtures';

function svc(name: string, ns = 'app'): string {
  return BACKEND.split('web').join(name).replace('namespace: app', `namespace: ${ns}`).replace('namespace: app', `namespace: ${ns}`);
}

const LISTENERS =
  '[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}, {name: tcp, port: 9000, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}]';

function world(routes: Record<string, string>, extra: Record<string, string> = {}): Analysis {
  return analyze({ 'c.yaml': CLASS, 'g.yaml': gateway(LISTENERS), 'a.yaml': svc('a'), 'b.yaml': svc('b'), ...routes, ...extra });
}

function send(a: Analysis, to: string, options: TraceOptions = {}, from = 'external'): TraceResult {
  const src = findSource(a.cluster, from);
  assert.ok(src.ok);
  return tracePacket(a, src.source, to, 'TCP', { via: 'infra/gw', ...options });
}

const landed = (t: TraceResult) =>
  t.destination?.kind === 'pod' ? t.destination.service : `${t.verdict} ${t.response?.status ?? ''}`.trim();
const P = '{parentRefs: [{name: gw, namespace: infra}]';

describe('gateway routing: precedence', () => {
  const a = world({
    'r1.yaml': route(
      `${P}, hostnames: [shop.example.com], rules: [{matches: [{path: {type: PathPrefix, value: /api}}], backendRefs: [{name: a, port: 80}]}, {matches: [{path: {type: Exact, value: /api/v2}}], backendRefs: [{name: b, port: 80}]}]}`,
      'r1',
    ),
    'r2.yaml': route(
      `${P}, hostnames: ["*.example.com"], rules: [{matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{name: b, port: 80}]}]}`,
      'r2',
    ),
    'r3.yaml': route(
      `${P}, hostnames: [shop.example.com], rules: [{matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-canary, value: "1"}]}, {path: {type: PathPrefix, value: /api}, method: DELETE}], backendRefs: [{name: b, port: 80}]}]}`,
      'r3',
    ),
  });
  const cases: Array<[string, TraceOptions, string]> = [
    ['http://shop.example.com/api/v1', {}, 'app/a'],
    ['http://shop.example.com/api/v2', {}, 'app/b'],
    ['http://shop.example.com/apix', {}, 'app/b'],
    ['http://shop.example.com/api', { headers: [{ name: 'X-Canary', value: '1' }] }, 'app/b'],
    ['http://shop.example.com/api', { method: 'DELETE' }, 'app/b'],
    ['http://other.example.com/api', {}, 'app/b'],
    ['http://a.b.example.com/', {}, 'app/b'],
    ['http://example.com/', {}, 'unrouted 404'],
  ];
  for (const [to, opts, want] of cases)
    it(`${opts.method ?? 'GET'} ${to}${opts.headers ? ' with a header' : ''} lands on ${want}`, () => {
      const t = send(a, to, opts);
      assert.equal(landed(t), want, t.reason);
    });

  it('says why the winning match beat the others', () => {
    const t = send(a, 'http://shop.example.com/api/v2');
    const hop = t.hops.find((h) => h.kind === 'gateway');
    assert.ok(hop && hop.kind === 'gateway');
    assert.equal(hop.route, 'HTTPRoute app/r1');
    assert.match(hop.why, /an Exact path/);
    const hostWin = send(a, 'http://shop.example.com/');
    assert.equal(landed(hostWin), 'app/b', 'only the wildcard route matches /');
  });

  it('breaks ties by the oldest route, then namespace/name', () => {
    const same = (name: string, backend: string, ts?: string) =>
      route(`${P}, rules: [{backendRefs: [{name: ${backend}, port: 80}]}]}`, name).replace(
        `name: ${name},`,
        `name: ${name},${ts ? ` creationTimestamp: "${ts}",` : ''}`,
      );
    const older = world({ 'x.yaml': same('x', 'a', '2024-02-01T00:00:00Z'), 'y.yaml': same('y', 'b', '2024-01-01T00:00:00Z') });
    assert.equal(landed(send(older, 'http://any.test/')), 'app/b');
    const applied = world({ 'x.yaml': same('z', 'a'), 'y.yaml': same('y', 'b') });
    assert.equal(landed(send(applied, 'http://any.test/')), 'app/a', 'x.yaml is applied first');
    const why = send(applied, 'http://any.test/').hops.find((h) => h.kind === 'gateway');
    assert.match(why && why.kind === 'gateway' ? why.why : '', /apply order/);
  });

  // Gateway API site docs, concepts/hostnames.md "Route precedence resolution": routes whose
  // hostnames intersect a listener's to the same name are ranked by their own spec.hostnames.
  it('ranks routes that intersect a listener to the same hostname by their own hostnames, before age', () => {
    const one = (listener: string) =>
      `[{name: http, port: 80, protocol: HTTP, hostname: "${listener}", allowedRoutes: {namespaces: {from: All}}}]`;
    const r = (name: string, host: string, backend: string, ts: string) =>
      route(`${P}, hostnames: ["${host}"], rules: [{backendRefs: [{name: ${backend}, port: 80}]}]}`, name).replace(
        `name: ${name},`,
        `name: ${name}, creationTimestamp: "${ts}",`,
      );
    const build = (listener: string, older: string, newer: string) =>
      analyze({
        'c.yaml': CLASS,
        'g.yaml': gateway(one(listener)),
        'a.yaml': svc('a'),
        'b.yaml': svc('b'),
        'old.yaml': r('old', older, 'a', '2024-01-01T00:00:00Z'),
        'new.yaml': r('new', newer, 'b', '2024-06-01T00:00:00Z'),
      });
    const exact = send(build('abc.example.com', '*.example.com', 'abc.example.com'), 'http://abc.example.com/');
    assert.equal(landed(exact), 'app/b', 'the exact route hostname beats the older wildcard one');
    const hop = exact.hops.find((h) => h.kind === 'gateway');
    assert.match(hop && hop.kind === 'gateway' ? hop.why : '', /more specific route hostname/);
    assert.equal(landed(send(build('*.example.com', '*.com', '*.example.com'), 'http://x.example.com/')), 'app/b');
    assert.equal(
      landed(send(build('*.example.com', '*.example.com', '*.example.com'), 'http://x.example.com/')),
      'app/a',
      'identical hostnames still go to the older route',
    );
  });
});

describe('gateway routing: backends and answers', () => {
  // A Service without a selector gets the endpoints its Endpoints/EndpointSlices list (Kubernetes docs,
  // "Services without selectors"); when the manifests list none, who fills them in later is unknown.
  it('says an empty selector-less Service may get endpoints the manifests do not show', () => {
    const manual = yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: manual, namespace: app}
      spec: {ports: [{port: 80, targetPort: 8080}]}
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: {name: manual, namespace: app}
    `;
    const a = world({ 'r.yaml': route(`${P}, rules: [{backendRefs: [{name: manual, port: 80}]}]}`), 'm.yaml': manual });
    const t = send(a, 'http://h.test/');
    assert.equal(t.verdict, 'refused');
    assert.equal(t.response?.status, 503);
    assert.match(t.reason, /no selector.*not simulated/);
  });

  it('splits traffic by weight, gives weight 0 nothing, and keeps an invalid backend’s share as 500', () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{backendRefs: [{name: a, port: 80, weight: 3}, {name: b, port: 80, weight: 1}, {name: a, port: 80, weight: 0}, {name: gone, port: 80, weight: 1}]}]}`,
      ),
    });
    const t = send(a, 'http://x.test/');
    const share = (s: string) => t.candidates.filter((c) => c.service === s).reduce((n, c) => n + c.weight, 0);
    assert.equal(share('app/a'), 0.6);
    assert.equal(share('app/b'), 0.2);
    assert.equal(share('app/gone'), 0.2);
    assert.equal(t.candidates.find((c) => c.service === 'app/gone')?.status, 500);
    assert.equal(t.candidates.filter((c) => c.chosen).length, 1);
  });

  it('answers 500 when every backend is invalid or the rule has none', () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{matches: [{path: {value: /x}}], backendRefs: [{name: b, namespace: other, port: 80}]}, {matches: [{path: {value: /y}}]}]}`,
      ),
    });
    for (const p of ['/x', '/y']) {
      const t = send(a, `http://h.test${p}`);
      assert.equal(t.verdict, 'unrouted');
      assert.equal(t.response?.status, 500, t.reason);
    }
  });
});

describe('gateway routing: filters', () => {
  it('redirects with 302 by default and derives the port as the spec says', () => {
    const redirect = (rr: string) => route(`${P}, rules: [{filters: [{type: RequestRedirect, requestRedirect: ${rr}}]}]}`);
    const cases: Array<[string, string, string, number]> = [
      ['{hostname: example.org}', 'http://h.test/a?q=1', 'http://example.org/a?q=1', 302],
      ['{scheme: https, statusCode: 301}', 'http://h.test/a', 'https://h.test/a', 301],
      ['{port: 8443}', 'http://h.test/a', 'http://h.test:8443/a', 302],
      ['{scheme: https, port: 443}', 'http://h.test/', 'https://h.test/', 302],
      ['{path: {type: ReplaceFullPath, replaceFullPath: /new}}', 'http://h.test/old/x', 'http://h.test/new', 302],
    ];
    for (const [rr, to, location, status] of cases) {
      const t = send(world({ 'r.yaml': redirect(rr) }), to);
      assert.equal(t.verdict, 'redirected', rr);
      assert.deepEqual(t.response, { status, location }, rr);
      assert.ok(t.hops.some((h) => h.kind === 'redirect'));
    }
  });

  it('replaces a prefix match element-wise, as the spec table shows', () => {
    const table: Array<[string, string, string, string]> = [
      ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
      ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
      ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
      ['/foo', '/foo', '/xyz', '/xyz'],
      ['/foo/', '/foo', '/xyz', '/xyz/'],
      ['/foo/bar', '/foo', '', '/bar'],
      ['/foo/', '/foo', '', '/'],
      ['/foo', '/foo', '', '/'],
      ['/foo/', '/foo', '/', '/'],
      ['/foo', '/foo', '/', '/'],
    ];
    for (const [path, prefix, repl, want] of table) assert.equal(replacePrefix(path, prefix, repl), want, `${path} ${prefix} ${repl}`);
  });

  it('rewrites the URL and modifies headers on the way, and sets response headers on the answer', () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{matches: [{path: {value: /api}}], filters: [{type: URLRewrite, urlRewrite: {hostname: internal.test, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v1}}}, {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Set, value: s}], add: [{name: X-Add, value: b}], remove: [X-Gone]}}, {type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: X-Served-By, value: gw}], remove: [Server]}}], backendRefs: [{name: a, port: 80}]}]}`,
      ),
    });
    const t = send(a, 'http://h.test/api/users?page=2', {
      headers: [
        { name: 'x-add', value: 'a' },
        { name: 'X-Gone', value: '1' },
      ],
      responseHeaders: [{ name: 'Server', value: 'echo' }],
    });
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.deepEqual(t.request, {
      method: 'GET',
      host: 'internal.test',
      path: '/v1/users?page=2',
      headers: { 'x-add': 'a,b', 'X-Set': 's' },
    });
    assert.deepEqual(t.response, { headers: { 'X-Served-By': 'gw' } });
    assert.deepEqual(
      t.hops.filter((h) => h.kind === 'filter').map((h) => (h.kind === 'filter' ? h.filter : '')),
      ['URLRewrite', 'RequestHeaderModifier', 'ResponseHeaderModifier'],
    );
  });

  // GEP-4129 (DirectResponse, experimental): the Gateway replies with statusCode (and body.string), asking no backend.
  it('answers a DirectResponse itself with its status, whatever backends other rules have', () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{matches: [{path: {type: Exact, value: /blocked}}], filters: [{type: DirectResponse, directResponse: {statusCode: 403, body: {string: nope}}}]}, {matches: [{path: {type: Exact, value: /empty}}], filters: [{type: DirectResponse, directResponse: {statusCode: 204}}]}, {backendRefs: [{name: a, port: 80}]}]}`,
      ),
    });
    const blocked = send(a, 'http://h.test/blocked');
    assert.notEqual(blocked.verdict, 'delivered');
    assert.equal(blocked.response?.status, 403, blocked.reason);
    assert.ok(blocked.hops.some((h) => h.kind === 'filter' && h.filter === 'DirectResponse' && h.detail.includes('"nope"')));
    assert.equal(send(a, 'http://h.test/empty').response?.status, 204);
    assert.equal(landed(send(a, 'http://h.test/other')), 'app/a');
  });

  it('reports a rule with both a DirectResponse and backendRefs, as the API server would', () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{filters: [{type: DirectResponse, directResponse: {statusCode: 200}}], backendRefs: [{name: a, port: 80}]}]}`,
      ),
    });
    assert.ok(a.diagnostics.some((d) => /DirectResponse filter cannot have backendRefs/.test(d.message)));
  });

  // HTTPBackendRef.filters: filters there run for the requests sent to that backend, after the rule's.
  it("carries out a backendRef's own RequestRedirect instead of delivering", () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{backendRefs: [{name: a, port: 80, filters: [{type: RequestRedirect, requestRedirect: {scheme: https, hostname: moved.test, statusCode: 301}}]}]}]}`,
      ),
    });
    const t = send(a, 'http://h.test/x');
    assert.equal(t.verdict, 'redirected', t.reason);
    assert.deepEqual(t.response, { status: 301, location: 'https://moved.test/x' });
    assert.ok(t.hops.some((h) => h.kind === 'redirect'));
  });

  it('shows a RequestMirror as a hop, its target resolved', () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{filters: [{type: RequestMirror, requestMirror: {backendRef: {name: b, port: 80}}}], backendRefs: [{name: a, port: 80}]}]}`,
      ),
    });
    const t = send(a, 'http://h.test/');
    assert.equal(landed(t), 'app/a');
    assert.ok(t.hops.some((h) => h.kind === 'filter' && h.filter === 'RequestMirror' && h.detail.includes('app/b')));
  });
});

// The CORS filter's field documentation (HTTPCORSFilter, apis/v1/httproute_types.go, Gateway API v1.3+).
describe('gateway routing: the CORS filter', () => {
  const cors = (policy: string, path = '/') =>
    `{matches: [{path: {type: PathPrefix, value: ${path}}}], filters: [{type: CORS, cors: ${policy}}], backendRefs: [{name: a, port: 80}]}`;
  const a = world({
    'r.yaml': route(
      `${P}, rules: [${cors('{allowOrigins: ["https://app.test", "http://*.shop.test:8080"], allowMethods: [GET, DELETE], allowHeaders: [x-token], exposeHeaders: [x-trace], allowCredentials: true}', '/strict')}, ${cors('{allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"]}', '/open')}, ${cors('{allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"], allowCredentials: true, maxAge: 600}', '/creds')}]}`,
    ),
  });
  const preflight = (path: string, origin: string, method: string, headers?: string) =>
    send(a, `http://h.test${path}`, {
      method: 'OPTIONS',
      headers: [
        { name: 'Origin', value: origin },
        { name: 'Access-Control-Request-Method', value: method },
        ...(headers ? [{ name: 'Access-Control-Request-Headers', value: headers }] : []),
      ],
    });
  const lower = (h: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

  it('answers a preflight itself with the configured lists, credentials and the default max age of 5 seconds', () => {
    const t = preflight('/strict', 'https://app.test', 'DELETE', 'x-token');
    assert.notEqual(t.verdict, 'delivered', 'a preflight never reaches the backend');
    assert.equal(t.response?.status, 204, t.reason);
    assert.deepEqual(lower(t.response?.headers), {
      'access-control-allow-origin': 'https://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, DELETE',
      'access-control-allow-headers': 'x-token',
      'access-control-expose-headers': 'x-trace',
      'access-control-max-age': '5',
    });
  });

  it('matches origins by scheme, host (a `*` spans any number of labels to its left) and port (80/443 by default)', () => {
    const allowOrigin = (origin: string) => lower(preflight('/strict', origin, 'GET').response?.headers)['access-control-allow-origin'];
    assert.equal(allowOrigin('https://app.test:443'), 'https://app.test:443', 'https assumes port 443');
    assert.equal(allowOrigin('http://a.b.shop.test:8080'), 'http://a.b.shop.test:8080', '* takes two labels');
    assert.equal(allowOrigin('http://shop.test:8080'), undefined, '* needs at least one label');
    assert.equal(allowOrigin('http://a.shop.test'), undefined, 'port 80 is not 8080');
    assert.equal(allowOrigin('http://app.test'), undefined, 'the scheme differs');
  });

  it('answers a preflight from an origin it does not allow without any CORS header', () => {
    const t = preflight('/strict', 'https://evil.test', 'GET');
    assert.equal(t.response?.status, 204);
    assert.deepEqual(t.response?.headers ?? {}, {});
    assert.ok(t.hops.some((h) => h.kind === 'filter' && h.filter === 'CORS' && /not in allowOrigins/.test(h.detail)));
  });

  it('sends `*` only without credentials; with them it echoes the origin, the method and the headers asked for', () => {
    const open = lower(preflight('/open', 'https://x.test', 'PATCH', 'x-a, x-b').response?.headers);
    assert.equal(open['access-control-allow-origin'], '*');
    assert.equal(open['access-control-allow-methods'], '*');
    assert.equal(open['access-control-allow-headers'], '*');
    assert.equal(open['access-control-allow-credentials'], undefined);
    const creds = lower(preflight('/creds', 'https://x.test', 'PATCH', 'x-a, x-b').response?.headers);
    assert.equal(creds['access-control-allow-origin'], 'https://x.test');
    assert.equal(creds['access-control-allow-methods'], 'PATCH');
    assert.equal(creds['access-control-allow-headers'], 'x-a, x-b');
    assert.equal(creds['access-control-allow-credentials'], 'true');
    assert.equal(creds['access-control-max-age'], '600');
  });

  it('forwards the actual request and adds the CORS headers to the answer, not the preflight-only ones', () => {
    const t = send(a, 'http://h.test/strict', { headers: [{ name: 'Origin', value: 'https://app.test' }] });
    assert.equal(landed(t), 'app/a', t.reason);
    assert.deepEqual(lower(t.response?.headers), {
      'access-control-allow-origin': 'https://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-trace',
    });
    const plain = send(a, 'http://h.test/strict');
    assert.equal(landed(plain), 'app/a');
    assert.equal(plain.response?.headers, undefined, 'no Origin, no CORS headers');
  });
});

// What the trace leaves out must say so (design.md: never a confident wrong verdict): HTTPRoute rule
// timeouts, retry and sessionPersistence (GEP-1742, GEP-1731, GEP-1619), a RequestMirror's sampled
// percentage (GEP-3171) and BackendTLSPolicy (GEP-1897).
describe('gateway routing: what is not simulated is named in the trace', () => {
  const notes = (t: TraceResult) => t.hops.flatMap((h) => (h.kind === 'filter' ? [`${h.filter}: ${h.detail}`] : []));

  it("names a rule's timeouts, retry and sessionPersistence as not simulated, and still routes", () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{backendRefs: [{name: a, port: 80}], timeouts: {request: 10s, backendRequest: 2s}, retry: {attempts: 3}, sessionPersistence: {sessionName: sticky, type: Cookie}}]}`,
      ),
    });
    const t = send(a, 'http://h.test/');
    assert.equal(landed(t), 'app/a', t.reason);
    const n = notes(t);
    assert.ok(
      n.some((x) => /^timeouts: .*request 10s, backendRequest 2s.*not simulated.*504/.test(x)),
      n.join('\n'),
    );
    assert.ok(
      n.some((x) => /^retry: .*attempts 3.*not simulated/.test(x)),
      n.join('\n'),
    );
    assert.ok(
      n.some((x) => /^sessionPersistence: .*Cookie sticky.*not simulated/.test(x)),
      n.join('\n'),
    );
    const plain = send(world({ 'r.yaml': route(`${P}, rules: [{backendRefs: [{name: a, port: 80}]}]}`) }), 'http://h.test/');
    assert.deepEqual(notes(plain), [], 'a rule without them gets no such note');
  });

  it('says a mirror of less than 100% may or may not copy this request', () => {
    const mirror = (m: string) =>
      world({
        'r.yaml': route(
          `${P}, rules: [{filters: [{type: RequestMirror, requestMirror: {backendRef: {name: b, port: 80}${m}}}], backendRefs: [{name: a, port: 80}]}]}`,
        ),
      });
    const some = notes(send(mirror(', fraction: {numerator: 1, denominator: 4}'), 'http://h.test/')).join('\n');
    assert.match(some, /25% of requests are copied to Service app\/b port 80/);
    assert.match(some, /may or may not be copied/);
    const all = notes(send(mirror(''), 'http://h.test/')).join('\n');
    assert.match(all, /100% of requests are copied/);
    assert.doesNotMatch(all, /may or may not/);
  });

  it('names a BackendTLSPolicy on the chosen Service as not simulated', () => {
    const policy = yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: BackendTLSPolicy
      metadata: {name: tls-to-a, namespace: app}
      spec:
        targetRefs: [{group: "", kind: Service, name: a}]
        validation: {hostname: a.internal, wellKnownCACertificates: System}
    `;
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{matches: [{path: {value: /b}}], backendRefs: [{name: b, port: 80}]}, {backendRefs: [{name: a, port: 80}]}]}`,
      ),
      'p.yaml': policy,
    });
    const t = send(a, 'http://h.test/');
    assert.equal(landed(t), 'app/a');
    assert.ok(
      notes(t).some((x) => /^BackendTLSPolicy: BackendTLSPolicy app\/tls-to-a .*hostname a\.internal.*not simulated/.test(x)),
      notes(t).join('\n'),
    );
    assert.deepEqual(notes(send(a, 'http://h.test/b')), [], 'Service app/b has no policy');
  });
});

describe('gateway routing: gRPC, TLS, TCP and the way in', () => {
  it('matches gRPC calls by service and method, and answers Unimplemented otherwise', () => {
    const a = world({
      'r.yaml': route(
        `${P}, rules: [{matches: [{method: {service: pkg.Svc, method: Get}}], backendRefs: [{name: a, port: 80}]}]}`,
        'g',
        'app',
        'GRPCRoute',
      ),
    });
    assert.equal(landed(send(a, 'grpc://h.test/pkg.Svc/Get')), 'app/a');
    const t = send(a, 'grpc://h.test/pkg.Svc/Put');
    assert.equal(t.verdict, 'unrouted');
    assert.equal(t.response?.grpcStatus, 'Unimplemented');
  });

  it('passes TLS through by SNI, and routes TCP by the listener port', () => {
    const a = world({
      't.yaml': route(`${P}, hostnames: [secure.test], rules: [{backendRefs: [{name: a, port: 80}]}]}`, 't', 'app', 'TLSRoute'),
      'p.yaml': route(`${P}, rules: [{backendRefs: [{name: b, port: 80}]}]}`, 'p', 'app', 'TCPRoute'),
    });
    const tls = send(a, 'tls://secure.test:443');
    assert.equal(landed(tls), 'app/a');
    assert.equal(tls.request?.tls, 'passthrough');
    assert.ok(tls.hops.some((h) => h.kind === 'tls' && h.gateway?.mode === 'passthrough'));
    assert.equal(send(a, 'tls://other.test:443').verdict, 'refused');
    assert.equal(landed(send(a, 'h.test:9000')), 'app/b');
  });

  it('sends a host to the Gateway that serves it before an Ingress that names it too, and says so', () => {
    const ing = yaml`
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {name: old, namespace: app}
      spec: {rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}]}}]}
    `;
    const a = world(
      { 'r.yaml': route(`${P}, hostnames: [shop.example.com], rules: [{backendRefs: [{name: a, port: 80}]}]}`) },
      { 'i.yaml': ing },
    );
    const t = send(a, 'http://shop.example.com/', { via: undefined });
    assert.equal(landed(t), 'app/a', t.reason);
    const dns = t.hops.find((h) => h.kind === 'dns');
    assert.match(dns && dns.kind === 'dns' ? dns.meaning : '', /Gateway infra\/gw .*Ingress app\/old names it too/);
  });

  it('applies NetworkPolicy to the data plane’s connection to the backend', () => {
    const deny = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: only-frontend, namespace: app}
      spec: {podSelector: {matchLabels: {app: a}}, ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]}
    `;
    const a = world({ 'r.yaml': route(`${P}, rules: [{backendRefs: [{name: a, port: 80}]}]}`) }, { 'np.yaml': deny });
    const t = send(a, 'http://h.test/');
    assert.equal(t.verdict, 'dropped', t.reason);
    const drop = t.hops.find((h) => h.kind === 'policy' && !h.result.allowed);
    assert.ok(drop && drop.kind === 'policy' && drop.subject.startsWith('app/a-') && drop.peer.startsWith('envoy-gateway-system/'));
  });

  it('reaches the Gateway from a pod through its address, and answers 421 for a Host the SNI listener does not serve', () => {
    const a = analyze({
      'c.yaml': CLASS,
      'g.yaml': gateway(
        '[{name: one, port: 443, protocol: HTTPS, hostname: one.test, tls: {certificateRefs: [{name: c}]}, allowedRoutes: {namespaces: {from: All}}}, {name: two, port: 443, protocol: HTTPS, hostname: two.test, tls: {certificateRefs: [{name: c}]}, allowedRoutes: {namespaces: {from: All}}}]',
      ),
      'a.yaml': svc('a'),
      'r.yaml': route(`${P}, rules: [{backendRefs: [{name: a, port: 80}]}]}`),
    });
    const ok = send(a, 'https://one.test/', {}, 'app/a');
    assert.equal(landed(ok), 'app/a', ok.reason);
    assert.equal(ok.request?.tls, 'terminated');
    const mis = send(a, 'https://one.test/', { headers: [{ name: 'Host', value: 'two.test' }] });
    assert.equal(mis.response?.status, 421, mis.reason);
  });
});
