// The Gateway API's diagnostics, each at the field at fault with the status reason a controller
// would write: route-not-accepted, route-backend-not-permitted, route-backend-missing,
// route-backend-port-missing, gateway-listener-conflict, gateway-listener-certificate-unresolved,
// gatewayclass-missing, and the checks
// route-hostname-unserved, referencegrant-unused and route-rule-shadowed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, columnOf, expectDiagnostic, expectNoDiagnostic, lineOf, where, yaml } from '../helpers';
import { BACKEND, CLASS } from '../gatewayFixtures';

const GW = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata:
    name: gw
    namespace: infra
  spec:
    gatewayClassName: eg
    listeners:
    - name: http
      port: 80
      protocol: HTTP
      hostname: "*.example.com"
      allowedRoutes:
        namespaces:
          from: All
`;

function httpRoute(body: string, name = 'r', ns = 'app'): string {
  return `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n${body}`;
}

const base = (routes: string, extra: Record<string, string> = {}) =>
  analyze({ 'class.yaml': CLASS, 'gw.yaml': GW, 'app.yaml': BACKEND, 'route.yaml': routes, ...extra });

describe('route-not-accepted', () => {
  it('at the parentRef, with the reason and the listeners of the Gateway', () => {
    const r = httpRoute(
      `  parentRefs:\n  - name: gw\n    namespace: infra\n    sectionName: https\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n`,
    );
    const a = base(r);
    const d = expectDiagnostic(a, 'route-not-accepted', 'route.yaml', lineOf(r, 'sectionName'), columnOf(r, 'https'));
    assert.match(d.message, /Accepted False, reason NoMatchingParent/);
    assert.match(d.message, /no listener with sectionName https/);
    assert.equal(d.resource, 'HTTPRoute/app/r');
    assert.ok(d.verify?.includes('kubectl get httproute r -n app -o yaml'), d.verify?.join('; '));
    assert.ok(d.verify?.includes('kubectl get gateway gw -n infra -o yaml'), d.verify?.join('; '));
    assert.equal(d.related?.[0]?.location.file, 'gw.yaml');
  });

  it('a Gateway in another namespace: says where it is (a parentRef without namespace means the route’s own)', () => {
    const r = httpRoute(`  parentRefs:\n  - name: gw\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n`);
    const d = expectDiagnostic(base(r), 'route-not-accepted', 'route.yaml', lineOf(r, '- name: gw'), 5);
    assert.match(d.message, /reason NoMatchingParent/);
    assert.match(d.message, /exists in namespace infra/);
  });

  it('NotAllowedByListeners for a namespace the listener does not let in; NoMatchingListenerHostname for disjoint hostnames', () => {
    const same = GW.replace('from: All', 'from: Same');
    const r = httpRoute(`  parentRefs:\n  - name: gw\n    namespace: infra\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n`);
    const a = base(r, { 'gw.yaml': same });
    assert.match(expectDiagnostic(a, 'route-not-accepted', 'route.yaml', 8, 5).message, /NotAllowedByListeners.*allowedRoutes\.namespaces/);
    const h = httpRoute(
      `  parentRefs:\n  - name: gw\n    namespace: infra\n  hostnames:\n  - shop.example.org\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n`,
    );
    const b = base(h);
    assert.match(expectDiagnostic(b, 'route-not-accepted', 'route.yaml', 8, 5).message, /NoMatchingListenerHostname/);
    // Not also route-hostname-unserved: the route is not attached anywhere.
    expectNoDiagnostic(b, 'route-hostname-unserved');
  });

  it('none for an accepted route, nor for a Service parent (a mesh route, not simulated)', () => {
    const ok = httpRoute(
      `  parentRefs:\n  - name: gw\n    namespace: infra\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n`,
    );
    const a = base(ok);
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity !== 'info' && d.code.startsWith('route')),
      [],
    );
    const mesh = httpRoute(
      `  parentRefs:\n  - group: ""\n    kind: Service\n    name: web\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n`,
    );
    expectNoDiagnostic(base(mesh), 'route-not-accepted');
  });
});

describe('backendRef diagnostics', () => {
  const parent = `  parentRefs:\n  - name: gw\n    namespace: infra\n`;

  it('route-backend-not-permitted at the namespace of a cross-namespace backendRef; a ReferenceGrant in the target namespace clears it', () => {
    const r = httpRoute(`${parent}  rules:\n  - backendRefs:\n    - name: web\n      namespace: app\n      port: 80\n`, 'r', 'team');
    const a = base(r);
    const d = expectDiagnostic(a, 'route-backend-not-permitted', 'route.yaml', lineOf(r, 'namespace: app'), 18);
    assert.match(d.message, /RefNotPermitted/);
    assert.match(d.message, /answers 500 to every request the rule matches/);
    assert.match(d.message, /Add a ReferenceGrant in app from HTTPRoute in team to Service web/);
    const grant = yaml`
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: ReferenceGrant
      metadata:
        name: team-to-web
        namespace: app
      spec:
        from:
        - group: gateway.networking.k8s.io
          kind: HTTPRoute
          namespace: team
        to:
        - group: ""
          kind: Service
    `;
    const b = base(r, { 'grant.yaml': grant });
    expectNoDiagnostic(b, 'route-backend-not-permitted');
    expectNoDiagnostic(b, 'referencegrant-unused');
  });

  it('a ReferenceGrant in the route’s namespace is named as misplaced, and is itself referencegrant-unused at its namespace', () => {
    const r = httpRoute(`${parent}  rules:\n  - backendRefs:\n    - name: web\n      namespace: app\n      port: 80\n`, 'r', 'team');
    const grant = yaml`
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: ReferenceGrant
      metadata:
        name: misplaced
        namespace: team
      spec:
        from:
        - group: gateway.networking.k8s.io
          kind: HTTPRoute
          namespace: team
        to:
        - group: ""
          kind: Service
    `;
    const a = base(r, { 'grant.yaml': grant });
    const d = expectDiagnostic(a, 'route-backend-not-permitted', 'route.yaml', lineOf(r, 'namespace: app'), 18);
    assert.match(d.message, /ReferenceGrant team\/misplaced is in the route's namespace/);
    const u = expectDiagnostic(a, 'referencegrant-unused', 'grant.yaml', lineOf(grant, 'namespace: team'), 14);
    assert.match(u.message, /Move it to namespace app/);
  });

  it('route-backend-missing at the name, with a close name; at the kind for a kind that is not a Service', () => {
    const r = httpRoute(`${parent}  rules:\n  - backendRefs:\n    - name: webb\n      port: 80\n`);
    const d = expectDiagnostic(base(r), 'route-backend-missing', 'route.yaml', lineOf(r, 'name: webb'), 13);
    assert.match(d.message, /Service app\/webb does not exist \(ResolvedRefs False, BackendNotFound\)/);
    assert.match(d.message, /Did you mean web\?/);
    const k = httpRoute(`${parent}  rules:\n  - backendRefs:\n    - name: web\n      kind: Pod\n      port: 80\n`);
    const e = expectDiagnostic(base(k), 'route-backend-missing', 'route.yaml', lineOf(k, 'kind: Pod'), 13);
    assert.match(e.message, /InvalidKind/);
  });

  it('route-backend-port-missing at the port; a weighted split says the share that answers 500', () => {
    const r = httpRoute(
      `${parent}  rules:\n  - backendRefs:\n    - name: web\n      port: 8080\n      weight: 1\n    - name: web\n      port: 80\n      weight: 3\n`,
    );
    const d = expectDiagnostic(base(r), 'route-backend-port-missing', 'route.yaml', lineOf(r, 'port: 8080'), 13);
    assert.match(d.message, /Service app\/web has no port 8080 \(Service app\/web exposes 80\)/);
    assert.match(d.message, /weight 1 of 4/);
  });
});

describe('Gateway diagnostics', () => {
  it('gateway-listener-conflict at the later listener; gatewayclass-missing at gatewayClassName with a close name', () => {
    const g = yaml`
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata:
        name: gw
        namespace: infra
      spec:
        gatewayClassName: eg
        listeners:
        - name: a
          port: 80
          protocol: HTTP
        - name: b
          port: 80
          protocol: HTTP
        - name: c
          port: 80
          protocol: TCP
    `;
    const a = analyze({ 'class.yaml': CLASS, 'gw.yaml': g });
    const d = expectDiagnostic(a, 'gateway-listener-conflict', 'gw.yaml', lineOf(g, 'port: 80', 1), 11);
    assert.match(d.message, /Listener b conflicts with listener a on port 80 \(Conflicted True, HostnameConflict\)/);
    const c = expectDiagnostic(a, 'gateway-listener-conflict', 'gw.yaml', lineOf(g, 'port: 80', 2), 11);
    assert.match(c.message, /ProtocolConflict/);
    const missing = analyze({ 'class.yaml': CLASS, 'gw.yaml': g.replace('gatewayClassName: eg', 'gatewayClassName: egg') });
    const m = expectDiagnostic(missing, 'gatewayclass-missing', 'gw.yaml', lineOf(g, 'gatewayClassName'), 21);
    assert.match(m.message, /Did you mean eg\?/);
    // The classes a controller installs itself need no manifest.
    expectNoDiagnostic(analyze({ 'gw.yaml': g.replace('gatewayClassName: eg', 'gatewayClassName: istio') }), 'gatewayclass-missing');
  });
});

describe('gateway-listener-certificate-unresolved', () => {
  // Listener ResolvedRefs reasons RefNotPermitted / InvalidCertificateRef (apis/v1/gateway_types.go).
  const g = yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: gw
      namespace: infra
    spec:
      gatewayClassName: eg
      listeners:
      - name: https
        port: 443
        protocol: HTTPS
        tls:
          certificateRefs:
          - name: cert
            namespace: certs
  `;
  it('at the certificateRefs of a listener whose Secret in another namespace no ReferenceGrant permits', () => {
    const d = expectDiagnostic(
      analyze({ 'class.yaml': CLASS, 'gw.yaml': g }),
      'gateway-listener-certificate-unresolved',
      'gw.yaml',
      lineOf(g, 'certificateRefs'),
      7,
    );
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /Listener https .*ResolvedRefs False, RefNotPermitted .*not programmed/);
  });
  it('not for a Secret of its own namespace that the workspace does not hold', () => {
    expectNoDiagnostic(
      analyze({ 'class.yaml': CLASS, 'gw.yaml': g.replace(/\n\s*namespace: certs/, '') }),
      'gateway-listener-certificate-unresolved',
    );
  });
});

describe('checks', () => {
  it('route-hostname-unserved at a hostname no attached listener accepts', () => {
    const r = httpRoute(
      `  parentRefs:\n  - name: gw\n    namespace: infra\n  hostnames:\n  - shop.example.com\n  - shop.example.org\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n`,
    );
    const d = expectDiagnostic(base(r), 'route-hostname-unserved', 'route.yaml', lineOf(r, 'shop.example.org'), 5);
    assert.match(d.message, /Hostname shop\.example\.org of HTTPRoute app\/r matches none/);
    expectNoDiagnostic(base(r.replace('  - shop.example.org\n', '')), 'route-hostname-unserved');
  });

  it('referencegrant-unused for a grant no reference needs; the from it lacks when the route is in another namespace', () => {
    const grant = yaml`
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: ReferenceGrant
      metadata:
        name: g
        namespace: app
      spec:
        from:
        - group: gateway.networking.k8s.io
          kind: HTTPRoute
          namespace: other
        to:
        - group: ""
          kind: Service
    `;
    const none = analyze({ 'app.yaml': BACKEND, 'grant.yaml': grant });
    assert.match(
      expectDiagnostic(none, 'referencegrant-unused', 'grant.yaml', lineOf(grant, 'spec:'), 1).message,
      /no HTTPRoutes of other/,
    );
    const r = httpRoute(
      `  parentRefs:\n  - name: gw\n    namespace: infra\n  rules:\n  - backendRefs:\n    - name: web\n      namespace: app\n      port: 80\n`,
      'r',
      'team',
    );
    const a = base(r, { 'grant.yaml': grant });
    const d = expectDiagnostic(a, 'referencegrant-unused', 'grant.yaml', lineOf(grant, 'from:'), 3);
    assert.match(d.message, /Add \{group: gateway\.networking\.k8s\.io, kind: HTTPRoute, namespace: team\} to spec\.from/);
  });

  it('route-rule-shadowed for a rule whose match an earlier rule or an older route has already taken; never for a more specific one', () => {
    const r = httpRoute(
      `  parentRefs:\n  - name: gw\n    namespace: infra\n  rules:\n  - matches:\n    - path: {type: PathPrefix, value: /api}\n    backendRefs:\n    - {name: web, port: 80}\n  - matches:\n    - path: {type: PathPrefix, value: /api}\n    backendRefs:\n    - {name: web, port: 80}\n  - matches:\n    - path: {type: PathPrefix, value: /api/v2}\n    backendRefs:\n    - {name: web, port: 80}\n`,
    );
    const a = base(r);
    const d = expectDiagnostic(a, 'route-rule-shadowed', 'route.yaml', lineOf(r, 'matches:', 1), 5);
    assert.match(d.message, /Rule 1 of HTTPRoute app\/r can never match: HTTPRoute app\/r rule 0 \(PathPrefix \/api\)/);
    assert.equal(where(a, 'route-rule-shadowed').length, 1, 'the /api/v2 rule is more specific and matches');
    // The same match in a second route: the route applied later never gets the requests.
    const second = httpRoute(
      `  parentRefs:\n  - name: gw\n    namespace: infra\n  rules:\n  - matches:\n    - path: {type: PathPrefix, value: /api}\n    backendRefs:\n    - {name: web, port: 80}\n`,
      'later',
    );
    const b = base(r, { 'second.yaml': second });
    const s = expectDiagnostic(b, 'route-rule-shadowed', 'second.yaml', lineOf(second, 'matches:'), 5);
    assert.match(s.message, /HTTPRoute app\/later/);
    // A header match makes it more specific: not shadowed.
    const header = second.replace('value: /api}', 'value: /api}\n      headers: [{name: x-canary, value: "1"}]');
    assert.deepEqual(
      where(base(r, { 'second.yaml': header }), 'route-rule-shadowed').filter((w) => w.startsWith('second.yaml')),
      [],
    );
  });
});
