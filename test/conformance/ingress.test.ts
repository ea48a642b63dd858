// Replays every row of ingress-controller-conformance (../shared/conformance/ingress-conformance)
// against the Ingress model: each scenario's Ingress in a fresh namespace, an echo Deployment and
// Service behind every backend it names (as the suite deploys them), and the cluster's controller
// registered as the default IngressClass, as it is in the clusters the suite runs against. Every
// row runs once per controller profile that claims the API's Exact and Prefix semantics
// (ingress-nginx, HAProxy, Istio, the generic one); Traefik's string-prefix PathPrefix and the
// ALB's first-match rules are the documented exceptions, tested in test/unit/ingressProfiles.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { analyzeWorkspace, type Analysis } from '../../src/engine';
import { categorizeEndpoints } from '../../src/engine/dataplane/kubeProxy';

const DIR = join(__dirname, '..', '..', '..', 'shared', 'conformance', 'ingress-conformance');

interface Row {
  file: string;
  scenario: string;
  note: string | null;
  manifests: string[];
  background_steps: string[];
  steps: string[];
  request: { method: string; url: string } | null;
  expect: { status?: number; service?: string; request_path?: string; request_host?: string; tls_hostname?: string };
}

const rows = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Row[];
const NS = 'conformance';

/** The controllers whose profiles read Exact and Prefix as the API does. */
const CONTROLLERS = [
  'k8s.io/ingress-nginx',
  'haproxy.org/ingress-controller/haproxy',
  'istio.io/ingress-controller',
  'example.com/generic',
];

const ingressClass = (controller: string) => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: conformance
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec:
  controller: ${controller}
`;

/** The Ingress of a row: a whole manifest, or just a spec under the name its Background step gives. */
function ingressManifest(row: Row): string {
  const text = row.manifests[0] ?? '';
  if (/^apiVersion:/m.test(text)) return text.replace(/^metadata:\n/m, `metadata:\n  namespace: ${NS}\n`);
  const named = row.background_steps.map((s) => /Ingress resource named "([^"]+)"/.exec(s)?.[1]).find((n) => n !== undefined) ?? 'ingress';
  const spec = text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${named}\n  namespace: ${NS}\nspec:\n${spec}\n`;
}

/** Every Service a backend of the Ingress names. */
function backendNames(manifest: string): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const svc = o['service'] as { name?: unknown } | undefined;
      if (svc && typeof svc.name === 'string') names.add(svc.name);
      Object.values(o).forEach(walk);
    }
  };
  walk(load(manifest));
  return [...names].sort();
}

/** An echo server per backend: port 8080 named http, as the suite's echoserver exposes it. */
function echo(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: echo, image: k8s.gcr.io/ingress-controller-conformance/echoserver, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${NS}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 8080, targetPort: http}]
`;
}

function simulateRow(row: Row, controller: string): { a: Analysis; ingressText: string } {
  const ingressText = ingressManifest(row);
  const scaled = row.background_steps.map((s) => /deployment "([^"]+)".* scaled to (\d+)/.exec(s)).find((m) => m !== null);
  const backends = backendNames(ingressText).map((n) => echo(n, scaled && scaled[1] === n ? Number(scaled[2]) : 1));
  const files = [
    { path: 'ingressclass.yaml', text: ingressClass(controller) },
    { path: 'ingress.yaml', text: ingressText },
    { path: 'backends.yaml', text: backends.join('---\n') },
  ];
  return { a: analyzeWorkspace(files), ingressText };
}

/** `scheme://host/path` split as a client sends it (the host may be empty: `http:///resource`). */
function splitUrl(url: string): { scheme: string; host: string; path: string } {
  const m = /^(\w+):\/\/([^/]*)(\/.*)?$/.exec(url);
  assert.ok(m, `unparsable URL ${url}`);
  return { scheme: m[1] as string, host: m[2] as string, path: m[3] ?? '/' };
}

test('the conformance data has the 30 rows it is known to have', () => {
  assert.equal(rows.length, 30);
});

for (const controllerName of CONTROLLERS)
  rows.forEach((row, i) => {
    const label = `${controllerName} ${String(i).padStart(2, '0')} ${row.file}: ${row.scenario}${row.note ? ` ${row.note}` : ''}${row.request ? ` [${row.request.method} ${row.request.url}]` : ''}`;
    test(label, () => {
      const { a, ingressText } = simulateRow(row, controllerName);
      const model = a.ingress;
      const ingress = model.ingresses[0];
      assert.ok(ingress, 'the Ingress is read');
      assert.deepEqual(
        a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
        [],
      );

      if (row.file === 'ingress_class.feature') {
        // "The Ingress status should not contain the IP address or FQDN": no controller admits it.
        assert.equal(ingress.className, undefined);
        assert.equal(
          model.controllers.some((c) => c.ingresses.includes(ingress)),
          false,
        );
        const d = a.diagnostics.find((x) => x.code === 'ingress-class-missing');
        assert.ok(d, 'ingress-class-missing is reported');
        assert.equal(d.range.line, ingressText.split('\n').findIndex((l) => l.includes('ingressClassName')) + 1);
        return;
      }

      // "The Ingress status shows the IP address or FQDN where it is exposed": a controller serves it.
      const controller = model.controllers.find((c) => c.ingresses.includes(ingress));
      assert.ok(controller, 'a controller serves the Ingress');
      assert.ok(controller.service?.loadBalancerIP, 'the controller is exposed on a load-balancer address');

      if (row.file === 'load_balancing.feature') {
        // 100 requests to http://load-balancing reach 10 different pods: every replica is a candidate with an equal share.
        const route = model.route(controller, 'load-balancing', '/');
        assert.equal(route.kind, 'backend');
        if (route.kind !== 'backend' || !route.service || !route.port) return assert.fail('routed to a Service port');
        const sets = categorizeEndpoints(route.service, route.service.ports.indexOf(route.port), undefined);
        assert.equal(new Set(sets.cluster.map((e) => e.pod)).size, 10);
        return;
      }

      assert.ok(row.request, 'rows other than the class and load-balancing ones send a request');
      const { scheme, host, path } = splitUrl(row.request.url);
      const route = model.route(controller, host, path);
      if (row.expect.status === 404) {
        assert.equal(route.kind, 'not-found', `expected 404, routed to ${route.kind === 'backend' ? route.backend.service?.name : ''}`);
        return;
      }
      assert.equal(row.expect.status, 200);
      assert.equal(route.kind, 'backend');
      if (route.kind !== 'backend') return;
      assert.equal(route.backend.service?.name, row.expect.service);
      assert.ok(route.service && route.port, 'the backend Service and port exist');
      assert.ok(
        (route.service.endpointsByPort[route.service.ports.indexOf(route.port)] ?? []).length > 0,
        'the backend has endpoints, so the answer is 200',
      );
      if (row.expect.request_path !== undefined) assert.equal(path.replace(/^\//, ''), row.expect.request_path);
      if (row.expect.request_host !== undefined) assert.equal(host, row.expect.request_host);
      if (row.expect.tls_hostname !== undefined) {
        assert.equal(scheme, 'https');
        const tls = model.tlsFor(controller, host);
        assert.ok(tls, 'a TLS entry covers the host');
        assert.ok(tls.tls.hosts.includes(row.expect.tls_hostname));
        assert.equal(tls.tls.secretName, 'conformance-tls');
      }
    });
  });
