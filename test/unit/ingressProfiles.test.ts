// The ingress controller profiles: each IngressClass's controller runs where and as its standard
// install runs it, reaches the backends as it does, and reads Prefix and ImplementationSpecific
// paths as its documentation says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings, tracePacket } from '../../src/engine';
import { pathMatch } from '../../src/engine/ingress/model';
import { PROFILES, profileFor } from '../../src/engine/ingress/profiles';
import { traceJson } from '../../src/engine/trace/render';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const ingressClass = (name: string, controller: string) => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${name}}
spec:
  controller: ${controller}`;

const ingress = (className: string, paths = [{ path: '/', pathType: 'Prefix' }], name = 'web') => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: shop}
spec:
  ingressClassName: ${className}
  rules:
  - host: shop.example.com
    http:
      paths:
${paths.map((p) => `      - {path: "${p.path}", pathType: ${p.pathType}, backend: {service: {name: web, port: {number: 80}}}}`).join('\n')}`;

const app = stream(deployment('web', { namespace: 'shop' }), service('web', { namespace: 'shop' }));

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

// The installs each profile follows: ingress-nginx's chart and deploy/static manifests, the
// traefik/traefik chart (release traefik, namespace traefik; instance label RELEASE-NAMESPACE;
// entry points web 8000 and websecure 8443), haproxytech's chart as release
// haproxy-kubernetes-ingress in haproxy-controller (values.yaml: containerPort http 8080, https 8443), and Istio's istio-ingressgateway
// (https://istio.io/latest/docs/tasks/traffic-management/ingress/kubernetes-ingress/).
const INSTALLS: Array<{ controller: string; namespace: string; name: string; labels: Record<string, string>; ports: number[] }> = [
  {
    controller: 'k8s.io/ingress-nginx',
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-edge-controller',
    labels: {
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/instance': 'ingress-nginx-edge',
      'app.kubernetes.io/component': 'controller',
    },
    ports: [80, 443],
  },
  {
    controller: 'traefik.io/ingress-controller',
    namespace: 'traefik',
    name: 'traefik-edge',
    labels: { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/instance': 'traefik-edge-traefik' },
    ports: [8000, 8443],
  },
  {
    controller: 'haproxy.org/ingress-controller/edge',
    namespace: 'haproxy-controller',
    name: 'haproxy-kubernetes-ingress-edge',
    labels: { 'app.kubernetes.io/name': 'kubernetes-ingress', 'app.kubernetes.io/instance': 'haproxy-kubernetes-ingress-edge' },
    // The chart's controller.containerPort (it runs unprivileged).
    ports: [8080, 8443],
  },
  {
    controller: 'istio.io/ingress-controller',
    namespace: 'istio-system',
    name: 'istio-ingressgateway',
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    ports: [8080, 8443],
  },
];

for (const install of INSTALLS)
  test(`${install.controller}: the controller's pods run in ${install.namespace} with the labels and ports of its standard install`, () => {
    const a = simulate({ 'app.yaml': app, 'class.yaml': ingressClass('edge', install.controller), 'ingress.yaml': ingress('edge') });
    const [c] = a.ingress.controllers;
    assert.ok(c);
    assert.equal(c.profile.known, true);
    assert.equal(`${c.namespace}/${c.name}`, `${install.namespace}/${install.name}`);
    assert.equal(c.pods.length, 1);
    assert.deepEqual(c.pods[0]?.labels, install.labels);
    assert.deepEqual(
      c.pods[0]?.containers.flatMap((k) => k.ports.map((p) => p.containerPort)),
      install.ports,
    );
    // The LoadBalancer Service's 80 and 443 reach the pod's ports.
    assert.equal(c.service?.type, 'LoadBalancer');
    assert.deepEqual(
      c.service?.endpointsByPort.map((eps) => eps.map((e) => e.port)),
      install.ports.map((p) => [p]),
    );
    const r = tracePacket(a, from(a, 'external'), 'http://shop.example.com/');
    assert.equal(r.verdict, 'delivered', r.reason);
    assert.equal(r.destination?.kind === 'pod' && r.destination.workload, 'shop/web');
    assert.equal(r.ingressController?.profile, c.profile.kind);
    assert.equal(r.ingressController?.dataPlane, `${install.namespace}/${install.name}`);
    assert.equal(r.ingressController?.reaches, 'pods');
    assert.equal(r.ingressController?.note, undefined);
    // The controller itself opens the connection to the backend pod, so the pod sees the controller's pod IP.
    assert.equal(r.sourceIPAtDestination, c.pods[0]?.ip);
  });

test('an unknown controller is simulated generically, and says so: an info at spec.controller, and in the trace', () => {
  const cls = ingressClass('custom', 'example.com/my-proxy');
  const a = simulate({ 'app.yaml': app, 'class.yaml': cls, 'ingress.yaml': ingress('custom') });
  const [c] = a.ingress.controllers;
  assert.equal(c?.profile.kind, 'generic');
  assert.equal(`${c?.namespace}/${c?.name}`, 'ingress-system/ingress-custom-controller');
  const info = a.diagnostics.filter((d) => d.code === 'ingress-controller-generic');
  assert.equal(info.length, 1);
  assert.equal(info[0]?.severity, 'info');
  assert.deepEqual([info[0]?.range.file, info[0]?.range.line], ['class.yaml', lineOf(cls, 'controller:')]);
  assert.match(info[0]?.message ?? '', /example\.com\/my-proxy is not one kube-netsim knows/);
  const r = tracePacket(a, from(a, 'external'), 'http://shop.example.com/');
  assert.equal(r.verdict, 'delivered', r.reason);
  assert.equal(r.ingressController?.profile, 'generic');
  assert.match(r.ingressController?.note ?? '', /simulated as a generic in-cluster proxy/);
  const hop = (traceJson(r) as { hops: Array<{ step: string; detail: string }> }).hops.find((h) => h.step === 'ingress-controller');
  assert.match(hop?.detail ?? '', /kube-netsim does not know this controller/);
  // Known controllers get no such note.
  const known = simulate({
    'app.yaml': app,
    'class.yaml': ingressClass('nginx', 'k8s.io/ingress-nginx'),
    'ingress.yaml': ingress('nginx'),
  });
  assert.equal(known.diagnostics.filter((d) => d.code === 'ingress-controller-generic').length, 0);
});

test('the legacy kubernetes.io/ingress.class annotation names the controller when the workspace defines no IngressClass', () => {
  const legacy = (cls: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {kubernetes.io/ingress.class: ${cls}}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}`;
  const kinds = ['istio', 'traefik', 'haproxy', 'nginx', 'whatever'].map((cls) => {
    const a = simulate({ 'app.yaml': app, 'ingress.yaml': legacy(cls) });
    return `${cls}:${a.ingress.controllers[0]?.profile.kind}`;
  });
  assert.deepEqual(kinds, ['istio:istio', 'traefik:traefik', 'haproxy:haproxy', 'nginx:ingress-nginx', 'whatever:ingress-nginx']);
});

test('a NetworkPolicy admitting istio-system is judged against the Istio gateway pods, not an invented namespace', () => {
  // The backend admits only the Istio ingress gateway (namespace istio-system, istio=ingressgateway).
  const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-gateway, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}
      podSelector: {matchLabels: {istio: ingressgateway}}`;
  const run = (controller: string) => {
    const a = simulate({
      'app.yaml': app,
      'policy.yaml': policy,
      'class.yaml': ingressClass('edge', controller),
      'ingress.yaml': ingress('edge'),
    });
    return tracePacket(a, from(a, 'external'), 'http://shop.example.com/').verdict;
  };
  assert.equal(run('istio.io/ingress-controller'), 'delivered');
  assert.equal(run('k8s.io/ingress-nginx'), 'dropped');
});

test('kube-netsim.yaml ingressControllers: names where a class runs, and NetworkPolicy follows it', () => {
  const { settings, diagnostics } = parseSettings(
    'kube-netsim.yaml',
    'ingressControllers:\n  - {class: edge, namespace: gateways, labels: {app: edge-proxy}}\n  - {class: x}\n  - {class: y, namespace: Bad_NS}\n  - {class: z, labels: {}, colour: red}\n',
  );
  assert.deepEqual(settings.ingressControllers, [{ class: 'edge', namespace: 'gateways', labels: { app: 'edge-proxy' } }]);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.line]),
    [
      ['settings-invalid', 3],
      ['settings-invalid', 4],
      ['settings-invalid', 5],
      ['settings-invalid', 5],
    ],
  );
  const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-edge, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: gateways}}
      podSelector: {matchLabels: {app: edge-proxy}}`;
  const files = {
    'app.yaml': app,
    'policy.yaml': policy,
    'class.yaml': ingressClass('edge', 'k8s.io/ingress-nginx'),
    'ingress.yaml': ingress('edge'),
  };
  const a = simulate(files, { ingressControllers: settings.ingressControllers ?? [] });
  const [c] = a.ingress.controllers;
  assert.equal(c?.namespace, 'gateways');
  assert.deepEqual(c?.pods[0]?.labels, { app: 'edge-proxy' });
  assert.equal(c?.dataPlane?.configured, true);
  assert.equal(tracePacket(a, from(a, 'external'), 'http://shop.example.com/').verdict, 'delivered');
  // Without the setting the chart's labels do not match the policy.
  const b = simulate(files);
  assert.equal(tracePacket(b, from(b, 'external'), 'http://shop.example.com/').verdict, 'dropped');
});

test('path readings per controller: Prefix and ImplementationSpecific as each documents them', () => {
  const m = (kind: keyof typeof PROFILES, path: string, pathType: 'Prefix' | 'ImplementationSpecific' | 'Exact', req: string) =>
    pathMatch({ path, pathType }, req, PROFILES[kind]).matches;
  // Every profile but Traefik reads Prefix element-wise (the API: /foo/bar does not match /foo/barbaz).
  for (const kind of ['ingress-nginx', 'haproxy', 'istio', 'aws-alb', 'generic'] as const)
    assert.equal(m(kind, '/aaa', 'Prefix', '/aaaccc'), false, kind);
  // Traefik's PathPrefix is a string prefix unless strictPrefixMatching is on (traefik/traefik#11200).
  assert.equal(m('traefik', '/aaa', 'Prefix', '/aaaccc'), true);
  // ingress-nginx writes ImplementationSpecific as `location /foo`, nginx's string prefix; HAProxy matches path_beg.
  assert.equal(m('ingress-nginx', '/foo', 'ImplementationSpecific', '/foobar'), true);
  assert.equal(m('haproxy', '/foo', 'ImplementationSpecific', '/foobar'), true);
  // Istio: exact unless the path ends in /* or .* (then a prefix).
  assert.equal(m('istio', '/status', 'ImplementationSpecific', '/status/200'), false);
  assert.equal(m('istio', '/status/*', 'ImplementationSpecific', '/status/200'), true);
  assert.equal(m('istio', '/status.*', 'ImplementationSpecific', '/statusx'), true);
  // ALB path patterns: the whole path, * any characters, ? one.
  assert.equal(m('aws-alb', '/img/*.png', 'ImplementationSpecific', '/img/a/b.png'), true);
  assert.equal(m('aws-alb', '/v?', 'ImplementationSpecific', '/v10'), false);
  // The generic profile reads it as Prefix.
  assert.equal(m('generic', '/foo', 'ImplementationSpecific', '/foobar'), false);
  assert.equal(profileFor('haproxy.org/ingress-controller/haproxy').kind, 'haproxy');
  assert.equal(profileFor('example.com/x').kind, 'generic');
});

test('Traefik: a Prefix path outranks an Exact one of the same path (routers are ordered by rule length)', () => {
  const paths = [
    { path: '/foo', pathType: 'Exact' },
    { path: '/foo', pathType: 'Prefix' },
  ];
  const traefik = simulate({
    'app.yaml': app,
    'class.yaml': ingressClass('t', 'traefik.io/ingress-controller'),
    'ingress.yaml': ingress('t', paths),
  });
  const nginx = simulate({ 'app.yaml': app, 'class.yaml': ingressClass('n', 'k8s.io/ingress-nginx'), 'ingress.yaml': ingress('n', paths) });
  const pick = (a: typeof traefik) => {
    const [c] = a.ingress.controllers;
    const r = c ? a.ingress.route(c, 'shop.example.com', '/foo') : undefined;
    return r?.kind === 'backend' ? r.path?.pathType : undefined;
  };
  assert.equal(pick(traefik), 'Prefix');
  assert.equal(pick(nginx), 'Exact');
});

test('analyze JSON gives each Ingress its controller profile, data plane and how it reaches the backends', async () => {
  const { analysisJson } = await import('../../src/cli/analyzeFormat');
  const a = simulate({
    'app.yaml': app,
    'class.yaml': ingressClass('istio', 'istio.io/ingress-controller'),
    'ingress.yaml': ingress('istio'),
  });
  const json = analysisJson(a) as { ingresses: Array<Record<string, unknown>> };
  assert.deepEqual(
    {
      profile: json.ingresses[0]?.['controllerProfile'],
      dataPlane: json.ingresses[0]?.['dataPlane'],
      reaches: json.ingresses[0]?.['reaches'],
    },
    {
      profile: 'istio',
      dataPlane: {
        namespace: 'istio-system',
        name: 'istio-ingressgateway',
        labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      },
      reaches: 'pods',
    },
  );
});
