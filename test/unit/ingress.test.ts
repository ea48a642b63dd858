import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostMatches, pathMatch } from '../../src/engine/ingress/model';
import { deployment, service, simulate, stream } from '../traceFixtures';

const ingress = (body: string, name = 'web', namespace = 'shop') => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${body
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}`;

const rule = (host: string, svc: string, port: string) => `rules:
- host: ${host}
  http:
    paths:
    - path: /
      pathType: Prefix
      backend:
        service:
          name: ${svc}
          port: {${port}}`;

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('host matching: exact, or a wildcard covering exactly one label', () => {
  assert.equal(hostMatches('foo.bar.com', 'foo.bar.com'), true);
  assert.equal(hostMatches('*.foo.com', 'bar.foo.com'), true);
  assert.equal(hostMatches('*.foo.com', 'baz.bar.foo.com'), false);
  assert.equal(hostMatches('*.foo.com', 'foo.com'), false);
  assert.equal(hostMatches('Foo.Bar.com', 'foo.bar.com'), true);
});

test('path matching: Exact is literal, Prefix is element-wise and ignores trailing slashes, ImplementationSpecific acts as Prefix', () => {
  const m = (path: string, pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific', req: string) =>
    pathMatch({ path, pathType }, req).matches;
  assert.equal(m('/api', 'Prefix', '/api/x'), true);
  assert.equal(m('/api', 'Prefix', '/apix'), false);
  assert.equal(m('/api/', 'Prefix', '/api'), true);
  assert.equal(m('/', 'Prefix', ''), true);
  assert.equal(m('/api', 'Exact', '/api/'), false);
  assert.equal(m('/api', 'ImplementationSpecific', '/api/v1'), true);
  assert.ok(
    pathMatch({ path: '/a/b', pathType: 'Prefix' }, '/a/b/c').length > pathMatch({ path: '/a', pathType: 'Prefix' }, '/a/b/c').length,
  );
});

test('without an IngressClass, an implicit ingress-nginx controller serves the Ingress, with an info diagnostic at its class field', () => {
  const text = ingress(`ingressClassName: nginx\n${rule('shop.example.com', 'web', 'number: 80')}`);
  const a = simulate({
    'app.yaml': stream(deployment('web', { namespace: 'shop' }), service('web', { namespace: 'shop' })),
    'ingress.yaml': text,
  });
  const [controller] = a.ingress.controllers;
  assert.ok(controller);
  assert.equal(controller.implicit, true);
  assert.equal(`${controller.namespace}/${controller.name}`, 'ingress-nginx/ingress-nginx-controller');
  assert.equal(controller.pods.length, 1);
  assert.ok(controller.pods[0]?.ip?.startsWith('10.244.'), 'the controller pod gets a pod IP');
  assert.equal(controller.service?.type, 'LoadBalancer');
  assert.ok(controller.service?.loadBalancerIP?.startsWith('198.51.100.'));
  assert.equal(controller.service?.endpointsByPort[0]?.length, 1, 'the controller Service selects its pod');
  const info = a.diagnostics.filter((d) => d.code === 'ingress-controller-implicit');
  assert.equal(info.length, 1);
  assert.equal(info[0]?.severity, 'info');
  assert.deepEqual([info[0]?.range.file, info[0]?.range.line], ['ingress.yaml', lineOf(text, 'ingressClassName')]);
  // Implicit objects carry no diagnostics of their own.
  assert.ok(a.diagnostics.every((d) => !d.message.includes('ingress-nginx-controller-') || d.code === 'ingress-controller-implicit'));
  const route = a.ingress.route(controller, 'shop.example.com', '/cart');
  assert.ok(route.kind === 'backend' && route.service?.name === 'web' && route.port?.port === 80);
});

test('backend diagnostics point at the Service name or port field', () => {
  const text = ingress(
    `${rule('a.example.com', 'wbe', 'number: 80')}\n- host: b.example.com\n  http:\n    paths:\n    - path: /\n      pathType: Prefix\n      backend:\n        service:\n          name: web\n          port: {name: grpc}`,
  );
  const a = simulate({
    'app.yaml': stream(deployment('web', { namespace: 'shop' }), service('web', { namespace: 'shop' })),
    'ingress.yaml': text,
  });
  const missing = a.diagnostics.find((d) => d.code === 'ingress-backend-missing');
  assert.ok(missing);
  assert.equal(missing.range.line, lineOf(text, 'name: wbe'));
  assert.equal(missing.range.column, (text.split('\n')[missing.range.line - 1]?.indexOf('wbe') as number) + 1);
  assert.match(missing.message, /Did you mean web\?/);
  const port = a.diagnostics.find((d) => d.code === 'ingress-backend-port-missing');
  assert.ok(port);
  assert.equal(port.range.line, lineOf(text, 'name: grpc'));
  assert.match(port.message, /no port grpc \(it exposes 80 \(http\)\)/);
});

test('with IngressClasses defined: an unknown class gets no controller; the default class serves Ingresses naming none; the legacy annotation is honoured', () => {
  const classes = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: public
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: internal}
spec: {controller: example.com/other}`;
  const legacy = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: old
  namespace: shop
  annotations: {kubernetes.io/ingress.class: internal}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}`;
  const a = simulate({
    'app.yaml': stream(deployment('web', { namespace: 'shop' }), service('web', { namespace: 'shop' })),
    'classes.yaml': classes,
    'ingress.yaml': stream(
      ingress(rule('a.example.com', 'web', 'number: 80'), 'plain'),
      ingress(`ingressClassName: nope\n${rule('b.example.com', 'web', 'number: 80')}`, 'lost'),
      legacy,
    ),
  });
  const byName = (n: string) => a.ingress.ingresses.find((i) => i.name === n);
  assert.equal(byName('plain')?.className, 'public');
  assert.equal(byName('old')?.className, 'internal');
  assert.equal(byName('lost')?.className, undefined);
  assert.deepEqual(a.ingress.controllers.map((c) => `${c.className}:${c.namespace}/${c.name}`).sort(), [
    'internal:ingress-system/ingress-internal-controller',
    'public:ingress-nginx/ingress-nginx-public-controller',
  ]);
  assert.equal(a.diagnostics.filter((d) => d.code === 'ingress-class-missing').length, 1);
  assert.equal(a.diagnostics.filter((d) => d.code === 'ingress-controller-implicit').length, 0);
  assert.deepEqual(a.ingress.controllersForHost('b.example.com'), []);
  assert.equal(a.ingress.ingressesForHost('b.example.com')[0]?.name, 'lost');
});

test('exact host rules win over wildcard ones, and a host with rules but no matching path falls to the defaultBackend', () => {
  const text = ingress(`defaultBackend: {service: {name: fallback, port: {number: 80}}}
rules:
- host: "*.example.com"
  http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}]}
- host: api.example.com
  http: {paths: [{path: /v1, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}`);
  const apps = ['wild', 'api', 'fallback'].flatMap((n) => [deployment(n, { namespace: 'shop' }), service(n, { namespace: 'shop' })]);
  const a = simulate({ 'app.yaml': stream(...apps), 'ingress.yaml': text });
  const c = a.ingress.controllers[0];
  assert.ok(c);
  const svc = (host: string, path: string) => {
    const r = a.ingress.route(c, host, path);
    return r.kind === 'backend' ? `${r.via}:${r.backend.service?.name}` : r.kind;
  };
  assert.equal(svc('api.example.com', '/v1/users'), 'rule:api');
  assert.equal(svc('api.example.com', '/v2'), 'defaultBackend:fallback');
  assert.equal(svc('www.example.com', '/anything'), 'rule:wild');
  assert.equal(svc('other.org', '/'), 'defaultBackend:fallback');
});

test('pathType is required by networking.k8s.io/v1 and reported where missing', () => {
  const text = ingress(`rules:\n- http:\n    paths:\n    - path: /\n      backend: {service: {name: web, port: {number: 80}}}`);
  const a = simulate({
    'app.yaml': stream(deployment('web', { namespace: 'shop' }), service('web', { namespace: 'shop' })),
    'ingress.yaml': text,
  });
  const d = a.diagnostics.find((x) => x.code === 'manifest-invalid' && /pathType/.test(x.message));
  assert.ok(d);
  assert.equal(d.range.line, lineOf(text, '- path: /'));
});
