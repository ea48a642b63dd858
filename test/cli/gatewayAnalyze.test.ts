// The Gateway API in analyze, matrix and diff through the built CLI: the Gateways and routes
// tables and the summary count in the text, `gateways` and `routes` in the JSON with the status
// reasons a controller writes, the diagnostics with their kubectl checks, and the
// `{gateway/NS/NAME}` lines of matrix and diff.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt, json } from './run';

const OK = 'test/fixtures/gateway';
const BROKEN = 'test/fixtures/gateway-checks';

interface AnalysisJson {
  gateways: Array<{
    namespace: string;
    name: string;
    class: string;
    addresses: string[];
    listeners: Array<{ name: string; port: number; protocol: string; hostname: string | null; attachedRoutes: number }>;
  }>;
  routes: Array<{
    kind: string;
    namespace: string;
    name: string;
    hostnames: string[];
    parents: Array<{ gateway: string; sectionName: string | null; accepted: boolean; reason: string }>;
    backends: Array<{ service: string; port: number | null; weight: number; resolved: boolean; reason: string }>;
  }>;
  diagnostics: Array<{ code: string; line: number }>;
}

describe('cli analyze, matrix and diff with Gateways', () => {
  before(() => ensureBuilt());

  it('text: a Gateways table with attached routes per listener, a routes table, and the counts in the summary', () => {
    const r = cli('analyze', OK);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^NAMESPACE +GATEWAY +CLASS +ADDRESS +LISTENERS \(ATTACHED ROUTES\)$/m);
    assert.match(
      r.stdout,
      /^infra +public +eg +198\.51\.100\.\d+ +http HTTP\/80 \*\.shop\.example \(1\), https HTTPS\/443 \*\.shop\.example \(2\)$/m,
    );
    assert.match(r.stdout, /^shop +HTTPRoute\/storefront +www\.shop\.example +infra\/public\/https Accepted +shop\/api:8080, /m);
    assert.match(r.stdout, /^6 pods, 4 services, 1 gateway, 3 routes; 0 errors/m);
  });

  it('json: gateways and routes as the contract shapes them, with the reasons of the status conditions', () => {
    const a = json<AnalysisJson>(cli('analyze', BROKEN, '--format', 'json'));
    assert.deepEqual(
      a.gateways.map((g) => [
        g.namespace,
        g.name,
        g.class,
        g.listeners.map((l) => [l.name, l.port, l.protocol, l.hostname, l.attachedRoutes]),
      ]),
      [
        ['infra', 'edge', 'eg', [['http', 80, 'HTTP', '*.example.com', 0]]],
        ['infra', 'internal', 'envoy', [['http', 8080, 'HTTP', null, 0]]],
      ],
    );
    const route = a.routes[0];
    assert.deepEqual(
      route?.parents.map((p) => [p.gateway, p.sectionName, p.accepted, p.reason]),
      [['infra/edge', 'https', false, 'NoMatchingParent']],
    );
    assert.deepEqual(
      route?.backends.map((b) => [b.service, b.port, b.weight, b.resolved, b.reason]),
      [['web/web', 80, 1, false, 'RefNotPermitted']],
    );
    assert.deepEqual(
      a.diagnostics.filter((d) => /^(route|gateway)/.test(d.code)).map((d) => `${d.code}:${d.line}`),
      ['route-not-accepted:34', 'route-backend-not-permitted:40', 'gatewayclass-missing:61'],
    );
  });

  it('text: the diagnostics with the kubectl command that shows the route status, and exit 1 for the errors', () => {
    const r = cli('analyze', BROKEN);
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /error \[route-not-accepted\] HTTPRoute shop\/shop is not accepted by Gateway infra\/edge: Accepted False, reason NoMatchingParent/,
    );
    assert.match(r.stdout, /verify: kubectl get httproute shop -n shop -o yaml/);
    assert.match(r.stdout, /warning \[gatewayclass-missing\] Gateway infra\/internal names GatewayClass envoy/);
  });

  it('matrix and diff: {gateway/NS/NAME} lines for what the routes expose, closed when a route goes', () => {
    const m = cli('matrix', OK);
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stdout, /^\{gateway\/infra\/public\} => shop\/web\[Deployment\] : TCP 8080$/m);
    const dir = mkdtempSync(join(tmpdir(), 'kns-gw-'));
    try {
      cpSync(OK, dir, { recursive: true });
      const routes = readFileSync(join(dir, 'routes.yaml'), 'utf8');
      writeFileSync(
        join(dir, 'routes.yaml'),
        routes.replace(/\n---\napiVersion: gateway\.networking\.k8s\.io\/v1\nkind: GRPCRoute[\s\S]*?(?=\n---\n|$)/, ''),
      );
      const d = cli('diff', OK, dir);
      assert.equal(d.status, 0, d.stderr);
      assert.match(d.stdout, /^- \{gateway\/infra\/public\} => data\/catalog\[Deployment\] : TCP 9090$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
