// ingress-nginx's routing annotations in a trace, with expectations from its docs:
// https://kubernetes.github.io/ingress-nginx/user-guide/ingress-path-matching/ (use-regex, the
// order of regex locations), .../user-guide/nginx-configuration/annotations/ (rewrite-target,
// ssl-redirect, force-ssl-redirect, app-root, canary, backend-protocol) and .../examples/rewrite/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket } from '../../src/engine';
import { traceJson } from '../../src/engine/trace/render';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const N = 'nginx.ingress.kubernetes.io';

const nginxIngress = (
  name: string,
  o: {
    annotations?: Record<string, string>;
    paths: Array<{ path: string; pathType?: string; svc?: string }>;
    host?: string;
    tls?: boolean;
  },
) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations: {${Object.entries(o.annotations ?? {})
    .map(([k, v]) => `"${k.includes('/') ? k : `${N}/${k}`}": "${v}"`)
    .join(', ')}}
spec:
  ingressClassName: nginx
${o.tls ? `  tls: [{hosts: [${o.host ?? 'shop.example.com'}], secretName: shop-tls}]\n` : ''}  rules:
  - host: ${o.host ?? 'shop.example.com'}
    http:
      paths:
${o.paths.map((p) => `      - {path: "${p.path}", pathType: ${p.pathType ?? 'ImplementationSpecific'}, backend: {service: {name: ${p.svc ?? 'web'}, port: {number: 80}}}}`).join('\n')}`;

const apps = stream(...['web', 'api', 'canary'].flatMap((n) => [deployment(n, { namespace: 'shop' }), service(n, { namespace: 'shop' })]));

function trace(ingresses: string[], url: string, headers: Array<{ name: string; value: string }> = []) {
  const a = simulate({ 'apps.yaml': apps, 'ingress.yaml': stream(...ingresses) });
  const r = tracePacket(a, from(a, 'external'), url, 'TCP', { headers });
  const service = r.destination?.kind === 'pod' && 'service' in r.destination ? r.destination.service : undefined;
  return { r, service };
}

test('use-regex: paths are case-insensitive regular expressions anchored at the start; without it the same path is a plain string', () => {
  const paths = [{ path: '/foo/.*', svc: 'api' }];
  assert.equal(
    trace([nginxIngress('re', { annotations: { 'use-regex': 'true' }, paths })], 'http://shop.example.com/FOO/bar').service,
    'shop/api',
  );
  // Without use-regex `/foo/.*` is nginx's `location /foo/.*`: a literal prefix, which /foo/bar is not.
  const plain = trace([nginxIngress('re', { paths })], 'http://shop.example.com/foo/bar');
  assert.equal(plain.r.verdict, 'unrouted');
  assert.match(plain.r.reason, /404/);
});

test('use-regex on one Ingress makes every path of its host a regex, matched longest first', () => {
  // The docs' warning: the regex modifier is enforced on ALL paths for the host, whatever Ingress defines them.
  const a = nginxIngress('a', { annotations: { 'use-regex': 'true' }, paths: [{ path: '/foo/bar/.+', svc: 'api' }] });
  const b = nginxIngress('b', { paths: [{ path: '/foo/bar', pathType: 'Prefix', svc: 'web' }] });
  assert.equal(trace([a, b], 'http://shop.example.com/foo/bar/bar').service, 'shop/api');
  // b's Prefix /foo/bar is now `~* "^/foo/bar"`, so it takes /foo/barbaz too, which Prefix alone would not.
  assert.equal(trace([a, b], 'http://shop.example.com/foo/barbaz').service, 'shop/web');
  assert.equal(trace([b], 'http://shop.example.com/foo/barbaz').r.verdict, 'unrouted');
});

test('rewrite-target with capture groups: /something(/|$)(.*) and /$2 (the rewrite example)', () => {
  const ing = nginxIngress('rw', {
    annotations: { 'use-regex': 'true', 'rewrite-target': '/$2' },
    paths: [{ path: '/something(/|$)(.*)' }],
  });
  for (const [req, got] of [
    ['/something', '/'],
    ['/something/', '/'],
    ['/something/new', '/new'],
  ] as const) {
    const { r, service } = trace([ing], `http://shop.example.com${req}`);
    assert.equal(service, 'shop/web', req);
    assert.equal(r.request?.path, got, req);
  }
  // rewrite-target alone implies regex paths (the docs: it enforces the regex modifier on the host).
  const implied = nginxIngress('rw', { annotations: { 'rewrite-target': '/$2' }, paths: [{ path: '/something(/|$)(.*)' }] });
  assert.equal(trace([implied], 'http://shop.example.com/something/new').r.request?.path, '/new');
});

test('ssl-redirect: a TLS host answers plain HTTP with 308 to https; ssl-redirect "false" turns it off; force-ssl-redirect needs no TLS', () => {
  const tls = trace([nginxIngress('t', { tls: true, paths: [{ path: '/', pathType: 'Prefix' }] })], 'http://shop.example.com/cart?x=1');
  assert.equal(tls.r.verdict, 'redirected');
  assert.deepEqual(tls.r.response, { status: 308, location: 'https://shop.example.com/cart?x=1' });
  assert.equal(
    trace([nginxIngress('t', { tls: true, paths: [{ path: '/', pathType: 'Prefix' }] })], 'https://shop.example.com/cart').service,
    'shop/web',
  );
  const off = trace(
    [nginxIngress('t', { tls: true, annotations: { 'ssl-redirect': 'false' }, paths: [{ path: '/', pathType: 'Prefix' }] })],
    'http://shop.example.com/',
  );
  assert.equal(off.r.verdict, 'delivered');
  const forced = trace(
    [nginxIngress('t', { annotations: { 'force-ssl-redirect': 'true' }, paths: [{ path: '/', pathType: 'Prefix' }] })],
    'http://shop.example.com/a',
  );
  assert.deepEqual(forced.r.response, { status: 308, location: 'https://shop.example.com/a' });
  const hop = (traceJson(forced.r) as { hops: Array<{ step: string }> }).hops.map((h) => h.step);
  assert.ok(hop.includes('redirect'), hop.join(','));
});

test('app-root: a request for / is answered 302 to the application root (the app-root example)', () => {
  const ing = nginxIngress('root', { annotations: { 'app-root': '/app1' }, paths: [{ path: '/', pathType: 'Prefix' }] });
  const r = trace([ing], 'http://shop.example.com/').r;
  assert.equal(r.verdict, 'redirected');
  assert.deepEqual(r.response, { status: 302, location: 'http://shop.example.com/app1' });
  assert.equal(trace([ing], 'http://shop.example.com/app1').service, 'shop/web');
});

test('canary: canary-weight 100 sends every request to the canary; canary-by-header "always"/"never" and a header value decide first', () => {
  const main = nginxIngress('main', { paths: [{ path: '/', pathType: 'Prefix', svc: 'web' }] });
  const canary = (ann: Record<string, string>) =>
    nginxIngress('canary', { annotations: { canary: 'true', ...ann }, paths: [{ path: '/', pathType: 'Prefix', svc: 'canary' }] });
  assert.equal(trace([main, canary({ 'canary-weight': '100' })], 'http://shop.example.com/').service, 'shop/canary');
  assert.equal(trace([main, canary({ 'canary-weight': '0' })], 'http://shop.example.com/').service, 'shop/web');
  const byHeader = canary({ 'canary-by-header': 'X-Canary' });
  assert.equal(trace([main, byHeader], 'http://shop.example.com/', [{ name: 'X-Canary', value: 'always' }]).service, 'shop/canary');
  assert.equal(trace([main, byHeader], 'http://shop.example.com/', [{ name: 'X-Canary', value: 'never' }]).service, 'shop/web');
  const byValue = canary({ 'canary-by-header': 'X-Env', 'canary-by-header-value': 'staging', 'canary-weight': '0' });
  assert.equal(trace([main, byValue], 'http://shop.example.com/', [{ name: 'X-Env', value: 'staging' }]).service, 'shop/canary');
  assert.equal(trace([main, byValue], 'http://shop.example.com/', [{ name: 'X-Env', value: 'prod' }]).service, 'shop/web');
  // A canary Ingress never routes by itself: without its main Ingress the host has nothing to serve it.
  assert.equal(trace([canary({ 'canary-weight': '100' })], 'http://shop.example.com/').r.verdict, 'unrouted');
});

test('backend-protocol: the controller speaks the named protocol to the backend, and the hop says so', () => {
  const ing = nginxIngress('tls-backend', { annotations: { 'backend-protocol': 'HTTPS' }, paths: [{ path: '/', pathType: 'Prefix' }] });
  const { r } = trace([ing], 'http://shop.example.com/');
  const hop = (traceJson(r) as { hops: Array<{ step: string; detail: string }> }).hops.find((h) => h.step === 'ingress-controller');
  assert.match(hop?.detail ?? '', /over HTTPS \(backend-protocol\)/);
});
