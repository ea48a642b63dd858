// The Gateway API's code lenses (computed in the analysis worker): "Trace packet from external to
// URL" above each HTTPRoute/GRPCRoute rule's match, whose trace must reach that match's backends,
// and "N routes attached" above each listener, counted as status.listeners[].attachedRoutes is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lensesFor, type LensData } from '../../src/extension/analysis/lensData';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { trace } from '../../src/extension/analysis/commandQueries';
import type { AttachedRoutesRequest } from '../../src/extension/analysis/gatewayLenses';
import type { Analysis } from '../../src/engine';
import { analyze, lineOf, yaml } from '../helpers';

const DIR = join(__dirname, '..', 'fixtures', 'gateway');
const FILES = Object.fromEntries(readdirSync(DIR).map((f) => [f, readFileSync(join(DIR, f), 'utf8')]));

function lenses(a: Analysis, file: string): LensData[] {
  return lensesFor(a, new SymbolIndex(a), file, 'folder');
}

/** Runs a lens's trace as kubeNetsim.tracePacket would, and says where it landed. */
function follow(a: Analysis, lens: LensData): string {
  const req = lens.arguments[0] as { from: string; to: string; via?: string; method?: string; headers?: [] };
  const r = trace(a, req.from, req.to, 'TCP', { via: req.via, method: req.method, headers: req.headers });
  assert.ok(r.ok, JSON.stringify(r));
  const d = r.result.destination;
  return `${r.result.verdict} ${d && 'service' in d ? d.service : ''}`.trim();
}

describe('gateway code lenses', () => {
  const a = analyze(FILES);
  const routes = lenses(a, 'routes.yaml').filter((l) => l.title.startsWith('Trace packet from external'));

  it('one trace lens per rule match, on the match, with the route hostname and the match path, method and headers', () => {
    assert.deepEqual(
      routes.map((l) => `${l.range.line} ${l.title}`),
      [
        `${lineOf(FILES['routes.yaml']!, '- filters:')} Trace packet from external to http://www.shop.example/`,
        `${lineOf(FILES['routes.yaml']!, '- path:')} Trace packet from external to https://www.shop.example/api`,
        `${lineOf(FILES['routes.yaml']!, '- path:', 1)} Trace packet from external to https://www.shop.example/api (x-canary: true)`,
        `${lineOf(FILES['routes.yaml']!, '- backendRefs:')} Trace packet from external to https://www.shop.example/`,
        `${lineOf(FILES['routes.yaml']!, '- method:')} Trace packet from external to grpcs://grpc.shop.example/shop.Catalog/Check`,
      ],
    );
    for (const l of routes) {
      assert.equal(l.command, 'kubeNetsim.tracePacket');
      assert.equal((l.arguments[0] as { via?: string }).via, 'infra/public');
    }
  });

  it('each trace lands where its match sends it: the redirect, the weighted pair, the header match, the catch-all, the gRPC backend', () => {
    assert.deepEqual(
      routes.map((l) => follow(a, l)),
      ['redirected', 'delivered shop/api', 'delivered shop/api-canary', 'delivered shop/web', 'delivered data/catalog'],
    );
  });

  it('"N routes attached" above each listener, singular for one, with the routes it lists and where they are', () => {
    const gw = lenses(a, 'gateway.yaml');
    assert.deepEqual(
      gw.map((l) => `${l.range.line} ${l.title}`),
      [
        `${lineOf(FILES['gateway.yaml']!, '- name: http')} 1 route attached`,
        `${lineOf(FILES['gateway.yaml']!, '- name: https')} 2 routes attached`,
      ],
    );
    const https = gw[1]!.arguments[0] as AttachedRoutesRequest;
    assert.equal(gw[1]!.command, 'kubeNetsim.showAttachedRoutes');
    assert.deepEqual(
      https.routes.map((r) => `${r.label} ${r.range?.file}:${r.range?.line}`),
      [
        `HTTPRoute shop/storefront routes.yaml:${lineOf(FILES['routes.yaml']!, 'name: storefront')}`,
        `GRPCRoute shop/catalog routes.yaml:${lineOf(FILES['routes.yaml']!, 'name: catalog')}`,
      ],
    );
  });

  it('a route without hostnames on a listener without one goes to the Gateway address and the listener port; a method match and a regex path', () => {
    const b = analyze({
      'gw.yaml': yaml`
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          gatewayClassName: eg
          addresses: [{type: IPAddress, value: 203.0.113.7}]
          listeners:
            - {name: alt, port: 8080, protocol: HTTP}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          rules:
            - matches:
                - path: {type: Exact, value: /submit}
                  method: POST
                  queryParams: [{name: v, value: "2"}]
                - path: {type: RegularExpression, value: "/x/[0-9]+"}
              backendRefs: [{name: web, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {selector: {app: web}, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: default, labels: {app: web}}
        spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
      `,
    });
    const ls = lenses(b, 'gw.yaml').filter((l) => / attached$|^Trace packet from external/.test(l.title));
    assert.deepEqual(
      ls.map((l) => l.title),
      ['1 route attached', 'Trace packet from external to http://203.0.113.7:8080/submit?v=2 (POST)'],
    );
    assert.equal(follow(b, ls[1]!), 'delivered default/web');
  });

  it("a route's wildcard hostname on a listener for one name: the URL takes the name both accept", () => {
    const c = analyze({
      'gw.yaml': yaml`
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          gatewayClassName: eg
          listeners:
            - {name: api, port: 80, protocol: HTTP, hostname: api.shop.example}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [other.example, "*.shop.example"]
          rules:
            - backendRefs: [{name: web, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {selector: {app: web}, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: default, labels: {app: web}}
        spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
      `,
    });
    const ls = lenses(c, 'gw.yaml').filter((l) => l.title.startsWith('Trace packet from external'));
    assert.deepEqual(
      ls.map((l) => l.title),
      ['Trace packet from external to http://api.shop.example/'],
    );
    assert.equal(follow(c, ls[0]!), 'delivered default/web');
  });
});
