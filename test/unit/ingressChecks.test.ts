// Diagnostics that depend on the controller serving an Ingress, each at the field at fault, and
// the hover sentence that names the controller and how it reaches the backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeController } from '../../src/engine/ingress/describe';
import { deployment, service, simulate, stream } from '../traceFixtures';

const cls = (name: string, controller: string) => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${name}}
spec: {controller: ${controller}}`;

const ing = (
  name: string,
  className: string,
  ann: Record<string, string>,
  paths: Array<{ path: string; pathType?: string; svc?: string }> = [{ path: '/' }],
  host = 'shop.example.com',
) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations:
${
  Object.entries(ann)
    .map(([k, v]) => `    ${k}: '${v}'`)
    .join('\n') || '    {}'
}
spec:
  ingressClassName: ${className}
  rules:
  - host: ${host}
    http:
      paths:
${paths.map((p) => `      - path: ${p.path}\n        pathType: ${p.pathType ?? 'Prefix'}\n        backend: {service: {name: ${p.svc ?? 'web'}, port: {number: 80}}}`).join('\n')}`;

const app = stream(deployment('web', { namespace: 'shop' }), service('web', { namespace: 'shop' }));
const classes = stream(
  cls('nginx', 'k8s.io/ingress-nginx'),
  cls('alb', 'ingress.k8s.aws/alb'),
  cls('traefik', 'traefik.io/ingress-controller'),
);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const codes = (a: ReturnType<typeof simulate>, code: string) => a.diagnostics.filter((d) => d.code === code);

test("another controller's annotation on an Ingress does nothing, and is reported at the annotation", () => {
  const text = ing('web', 'traefik', {
    'nginx.ingress.kubernetes.io/rewrite-target': '/',
    'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
  });
  const a = simulate({ 'app.yaml': app, 'classes.yaml': classes, 'ingress.yaml': text });
  const found = codes(a, 'ingress-annotation-foreign');
  assert.equal(found.length, 1, a.diagnostics.map((d) => d.message).join('\n'));
  assert.equal(found[0]?.severity, 'warning');
  assert.equal(found[0]?.range.line, lineOf(text, 'nginx.ingress.kubernetes.io/rewrite-target'));
  assert.match(found[0]?.message ?? '', /annotation of ingress-nginx, but this Ingress's class traefik is served by Traefik/);
});

test('a regex path without use-regex is matched as a plain string by ingress-nginx: reported at the path', () => {
  const text = ing('web', 'nginx', {}, [{ path: '/api/(v1|v2)/.*', pathType: 'ImplementationSpecific' }]);
  const a = simulate({ 'app.yaml': app, 'classes.yaml': classes, 'ingress.yaml': text });
  const found = codes(a, 'ingress-regex-without-use-regex');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.range.line, lineOf(text, '/api/(v1|v2)'));
  const fixed = simulate({
    'app.yaml': app,
    'classes.yaml': classes,
    'ingress.yaml': ing('web', 'nginx', { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, [
      { path: '/api/(v1|v2)/.*', pathType: 'ImplementationSpecific' },
    ]),
  });
  assert.equal(codes(fixed, 'ingress-regex-without-use-regex').length, 0);
  // Another controller reads its own syntax: an ALB pattern is no ingress-nginx regex.
  const alb = simulate({
    'app.yaml': app,
    'classes.yaml': classes,
    'ingress.yaml': ing('web', 'alb', { 'alb.ingress.kubernetes.io/target-type': 'ip' }, [
      { path: '/api/*', pathType: 'ImplementationSpecific' },
    ]),
  });
  assert.equal(codes(alb, 'ingress-regex-without-use-regex').length, 0);
});

test('ALB target-type instance in front of a ClusterIP Service: the controller rejects it (at the backend service name)', () => {
  const text = ing('web', 'alb', {});
  const a = simulate({ 'app.yaml': app, 'classes.yaml': classes, 'ingress.yaml': text });
  const found = codes(a, 'alb-target-type-clusterip');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.severity, 'error');
  assert.equal(found[0]?.range.line, lineOf(text, 'backend:'));
  const ip = simulate({
    'app.yaml': app,
    'classes.yaml': classes,
    'ingress.yaml': ing('web', 'alb', { 'alb.ingress.kubernetes.io/target-type': 'ip' }),
  });
  assert.equal(codes(ip, 'alb-target-type-clusterip').length, 0);
});

test('two ALB Ingresses of one group: a shadowed rule and a disagreeing exclusive annotation are conflicts', () => {
  const first = ing('a', 'alb', {
    'alb.ingress.kubernetes.io/group.name': 'shop',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/scheme': 'internet-facing',
  });
  const second = ing('b', 'alb', {
    'alb.ingress.kubernetes.io/group.name': 'shop',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/scheme': 'internal',
  });
  const text = stream(first, second);
  const a = simulate({ 'app.yaml': app, 'classes.yaml': classes, 'ingress.yaml': text });
  const found = codes(a, 'alb-group-conflict').map((d) => d.message);
  assert.equal(found.length, 2, found.join('\n'));
  assert.ok(found.some((m) => /scheme is "internal" here but "internet-facing" on Ingress shop\/a/.test(m)));
  assert.ok(found.some((m) => /also a rule of Ingress shop\/a, which comes first in group shop.*never matches/.test(m)));
  // Different groups never conflict.
  const apart = simulate({
    'app.yaml': app,
    'classes.yaml': classes,
    'ingress.yaml': stream(first, second.replace("group.name: 'shop'", "group.name: 'other'")),
  });
  assert.equal(codes(apart, 'alb-group-conflict').length, 0);
});

test('the hover names the controller, where it runs and how it reaches the backends', () => {
  const a = simulate({
    'app.yaml': app,
    'classes.yaml': classes,
    'ingress.yaml': stream(
      ing('n', 'nginx', {}),
      ing(
        'alb',
        'alb',
        { 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' },
        [{ path: '/' }],
        'alb.example.com',
      ),
    ),
  });
  const of = (name: string) =>
    describeController(
      a.ingress,
      a.ingress.ingresses.find((i) => i.name === name)!,
    ).join(' ');
  assert.match(
    of('n'),
    /Served by ingress-nginx \(class nginx\), running as ingress-nginx\/ingress-nginx-controller with labels app\.kubernetes\.io\/name=ingress-nginx/,
  );
  assert.match(of('n'), /pod IPs itself/);
  assert.match(of('alb'), /no proxy in the cluster, an ALB outside it \(k8s-.*internet-facing\)/);
  assert.match(of('alb'), /target-type ip: the ALB sends straight to the backend pod IPs/);
});

test('hovering an Ingress name or its ingressClassName in the editor shows the controller sentence', async () => {
  const { hoverAt } = await import('../../src/extension/analysis/hoverText');
  const { SymbolIndex } = await import('../../src/extension/analysis/symbols');
  const text = ing('alb', 'alb', { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' });
  const a = simulate({ 'app.yaml': app, 'classes.yaml': classes, 'ingress.yaml': text });
  const at = (needle: string) => {
    const line = lineOf(text, needle) - 1;
    const character = (text.split('\n')[line] ?? '').indexOf(needle.split(': ')[1] ?? needle) + 1;
    return hoverAt(a, new SymbolIndex(a), 'ingress.yaml', { line, character })?.lines.join('\n') ?? '';
  };
  for (const needle of ['name: alb', 'ingressClassName: alb']) {
    const h = at(needle);
    assert.match(h, /\*\*Ingress shop\/alb\*\*/, needle);
    assert.match(h, /an ALB outside it/, needle);
    assert.match(h, /target-type instance \(the default\): the ALB sends to each backend Service's NodePort/, needle);
  }
});
