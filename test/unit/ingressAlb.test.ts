// The AWS Load Balancer Controller: an ALB outside the cluster per Ingress or IngressGroup, with
// expectations from its docs (kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/
// ingress/annotations/ and .../guide/ingress/spec/): target-type ip sends to the pod IPs,
// instance (the default) to the Service's NodePort; scheme defaults to internal; group.name
// merges Ingresses in group.order; listen-ports, ssl-redirect, conditions and actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePacket } from '../../src/engine';
import { orderedPaths } from '../../src/engine/ingress/alb';
import { buildTopology } from '../../src/engine/topology/build';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const A = 'alb.ingress.kubernetes.io';
const CLASS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec: {controller: ingress.k8s.aws/alb}`;

const albIngress = (
  name: string,
  ann: Record<string, string>,
  paths: Array<{ path: string; pathType?: string; svc?: string; port?: string }> = [{ path: '/', pathType: 'Prefix' }],
  host: string | undefined = 'shop.example.com',
) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations: {${Object.entries({ scheme: 'internet-facing', ...ann })
    .map(([k, v]) => `"${A}/${k}": '${v}'`)
    .join(', ')}}
spec:
  ingressClassName: alb
  rules:
  - ${host ? `host: ${host}\n    ` : ''}http:
      paths:
${paths.map((p) => `      - {path: "${p.path}", pathType: ${p.pathType ?? 'Prefix'}, backend: {service: {name: ${p.svc ?? 'web'}, port: {${p.port ?? 'number: 80'}}}}}`).join('\n')}`;

const nodePortService = (name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  type: NodePort
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: http}]`;

function run(
  ingresses: string[],
  url: string,
  o: { nodePort?: boolean; headers?: Array<{ name: string; value: string }>; client?: string } = {},
) {
  const svc = (n: string) => (o.nodePort ? nodePortService(n) : service(n, { namespace: 'shop' }));
  const a = simulate(
    {
      'apps.yaml': stream(...['web', 'api'].flatMap((n) => [deployment(n, { namespace: 'shop' }), svc(n)])),
      'class.yaml': CLASS,
      'ingress.yaml': stream(...ingresses),
    },
    o.client ? { externalClient: o.client } : {},
  );
  const r = tracePacket(a, from(a, 'external'), url, 'TCP', { headers: o.headers ?? [] });
  const svcId = r.destination?.kind === 'pod' && 'service' in r.destination ? r.destination.service : undefined;
  return { a, r, service: svcId };
}

test('no pod in the cluster: the ALB class has no controller pods, and its Ingress gets the ALB DNS name', () => {
  const { a } = run([albIngress('web', { 'target-type': 'ip' })], 'http://shop.example.com/');
  const [c] = a.ingress.controllers;
  assert.equal(c?.profile.kind, 'aws-alb');
  assert.equal(c?.pods.length, 0);
  assert.equal(c?.service, undefined);
  assert.ok(!a.cluster.pods.some((p) => p.namespace === 'ingress-nginx' || p.namespace === 'ingress-system'));
  assert.match(a.ingress.albOf(a.ingress.ingresses[0]!)?.hostname ?? '', /\.elb\.amazonaws\.com$/);
});

test('target-type ip: the load balancer goes straight to a backend pod, which sees the ALB address as the source', () => {
  const { a, r, service } = run([albIngress('web', { 'target-type': 'ip' })], 'http://shop.example.com/');
  assert.equal(r.verdict, 'delivered', r.reason);
  assert.equal(service, 'shop/web');
  const lb = a.ingress.albs()[0];
  assert.equal(r.sourceIPAtDestination, lb?.address);
  assert.ok(!r.hops.some((h) => h.kind === 'load-balancer' || h.kind === 'dnat'), 'no NodePort, no kube-proxy DNAT');
  assert.equal(r.ingressController?.reaches, 'ip');
  assert.match(r.ingressController?.dataPlane ?? '', /^ALB k8s-/);
});

test('target-type instance (the default): through the Service NodePort on a node; a ClusterIP Service is rejected', () => {
  const viaNodePort = run([albIngress('web', {})], 'http://shop.example.com/', { nodePort: true });
  assert.equal(viaNodePort.r.verdict, 'delivered', viaNodePort.r.reason);
  assert.ok(
    viaNodePort.r.hops.some((h) => h.kind === 'load-balancer'),
    'the ALB targets a node on the NodePort',
  );
  assert.equal(viaNodePort.r.ingressController?.reaches, 'instance');
  const clusterIP = run([albIngress('web', {})], 'http://shop.example.com/');
  assert.equal(clusterIP.r.verdict, 'unrouted');
  assert.match(clusterIP.r.reason, /target-type instance, which needs a NodePort.*ClusterIP: the controller rejects/);
});

test('scheme internal (the default): an internet client cannot reach it, a client inside the VPC can', () => {
  const internal = albIngress('web', { scheme: 'internal', 'target-type': 'ip' });
  const outside = run([internal], 'http://shop.example.com/');
  assert.equal(outside.r.verdict, 'unrouted');
  assert.match(outside.r.reason, /internal/);
  assert.equal(run([internal], 'http://shop.example.com/', { client: '10.20.0.5' }).r.verdict, 'delivered');
});

test('group.name merges Ingresses into one ALB; group.order decides which rule comes first (the first match wins)', () => {
  // A host-less catch-all with a lower order is evaluated before the other Ingress's rule.
  const all = albIngress(
    'catch-all',
    { 'group.name': 'shop', 'group.order': '1', 'target-type': 'ip' },
    [{ path: '/', svc: 'web' }],
    undefined,
  );
  const api = albIngress('api', { 'group.name': 'shop', 'group.order': '2', 'target-type': 'ip' }, [{ path: '/api', svc: 'api' }]);
  const first = run([all, api], 'http://shop.example.com/api/x');
  assert.equal(first.a.ingress.albs().length, 1);
  assert.equal(first.service, 'shop/web');
  const reordered = run([all.replace("'1'", "'3'"), api], 'http://shop.example.com/api/x');
  assert.equal(reordered.service, 'shop/api');
  // Without a group each Ingress gets its own ALB.
  const apart = run(
    [
      all.replace(/"alb\.ingress\.kubernetes\.io\/group\.name": 'shop', /, ''),
      api.replace(/"alb\.ingress\.kubernetes\.io\/group\.name": 'shop', /, ''),
    ],
    'http://shop.example.com/',
  );
  assert.equal(apart.a.ingress.albs().length, 2);
});

test('within an Ingress the paths are ordered Exact, then Prefix longest first, then ImplementationSpecific as listed (v2.4.3+)', () => {
  const p = (path: string, pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific') => ({
    path,
    pathType,
    backend: { path: [], namePath: [], portPath: [] },
    fieldPath: [],
  });
  const order = orderedPaths([
    p('/*', 'ImplementationSpecific'),
    p('/a', 'Prefix'),
    p('/a/b', 'Prefix'),
    p('/x', 'Exact'),
    p('/b*', 'ImplementationSpecific'),
  ]);
  assert.deepEqual(
    order.map((x) => x.path),
    ['/x', '/a/b', '/a', '/*', '/b*'],
  );
});

test('listen-ports and ssl-redirect: no listener means the security group drops; HTTP is answered 301 to HTTPS', () => {
  const ing = albIngress('web', { 'target-type': 'ip', 'listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]', 'ssl-redirect': '443' });
  const redirected = run([ing], 'http://shop.example.com/cart');
  assert.equal(redirected.r.verdict, 'redirected');
  assert.deepEqual(redirected.r.response, { status: 301, location: 'https://shop.example.com/cart' });
  assert.equal(run([ing], 'https://shop.example.com/cart').service, 'shop/web');
  const onlyHttp = run([albIngress('web', { 'target-type': 'ip' })], 'http://shop.example.com:8080/');
  assert.equal(onlyHttp.r.verdict, 'dropped');
  assert.match(onlyHttp.r.reason, /no listener on port 8080/);
});

test('conditions.SERVICE: the rule also needs the header; actions.NAME: fixed-response and forward', () => {
  const cond = albIngress(
    'web',
    { 'target-type': 'ip', 'conditions.api': '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Beta","values":["yes"]}}]' },
    [
      { path: '/', svc: 'api' },
      { path: '/', pathType: 'ImplementationSpecific', svc: 'web' },
    ],
  );
  assert.equal(run([cond], 'http://shop.example.com/', { headers: [{ name: 'X-Beta', value: 'yes' }] }).service, 'shop/api');
  assert.equal(
    run(
      [
        cond
          .replace('pathType: ImplementationSpecific', 'pathType: ImplementationSpecific')
          .replace('path: "/", pathType: ImplementationSpecific', 'path: "/*", pathType: ImplementationSpecific'),
      ],
      'http://shop.example.com/',
    ).service,
    'shop/web',
  );
  const fixed = albIngress(
    'web',
    { 'actions.teapot': '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"418"}}' },
    [{ path: '/', svc: 'teapot', port: 'name: use-annotation' }],
  );
  assert.deepEqual(run([fixed], 'http://shop.example.com/').r.response, { status: 418 });
  const forward = albIngress(
    'web',
    {
      'target-type': 'ip',
      'actions.split': '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"api","servicePort":80,"weight":100}]}}',
    },
    [{ path: '/', svc: 'split', port: 'name: use-annotation' }],
  );
  assert.equal(run([forward], 'http://shop.example.com/').service, 'shop/api');
});

test('the topology draws the ALB outside the cluster: an external load balancer between the client and the Ingresses of its group', () => {
  const a = simulate({
    'apps.yaml': stream(...['web', 'api'].flatMap((n) => [deployment(n, { namespace: 'shop' }), nodePortService(n)])),
    'class.yaml': CLASS,
    'ingress.yaml': stream(
      albIngress('one', { 'group.name': 'shop', 'target-type': 'ip' }),
      albIngress('two', { 'group.name': 'shop', 'target-type': 'ip' }, [{ path: '/api', svc: 'api' }]),
      albIngress('alone', {}, [{ path: '/', svc: 'api' }], 'other.example.com'),
    ),
  });
  const t = buildTopology(a);
  const albs = t.externals.filter((x) => x.id.startsWith('alb:'));
  // One ALB per IngressGroup, one for the Ingress without a group.
  assert.equal(albs.length, 2);
  assert.ok(albs.every((x) => x.role === 'load-balancer' && /\.elb\.amazonaws\.com/.test(x.label)));
  const group = t.ingresses.filter((i) => i.name === 'one' || i.name === 'two');
  assert.ok(group.every((i) => i.controller?.runs === 'outside' && i.controller.external === group[0]?.controller?.external));
  const lb = group[0]?.controller?.external ?? '';
  assert.deepEqual(
    t.edges
      .filter((e) => e.from === lb)
      .map((e) => e.to)
      .sort(),
    ['shop/one', 'shop/two'],
  );
  assert.ok(
    t.edges.some((e) => e.kind === 'external' && e.to === lb),
    'the client reaches the ALB',
  );
  // No in-cluster controller Service stands in front of an ALB Ingress.
  assert.ok(t.ingresses.every((i) => i.controllerService === null));
});
