// The Gateway API model: hostnames, attachment with the status reasons the API defines, backend
// resolution with ReferenceGrants, listener conflicts, addresses and the data plane per controller.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, yaml } from '../helpers';
import { hostnameIntersection, hostnameMatches } from '../../src/engine/gateway/hostnames';
import { findSource, tracePacket, type Analysis } from '../../src/engine';
import { BACKEND, CLASS, gateway, route } from '../gatewayFixtures';

const ALL = '[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]';

function parentOf(a: Analysis, name: string) {
  const r = a.gateway.routes.find((x) => x.name === name);
  assert.ok(r, `route ${name}`);
  return a.gateway.status(r);
}

describe('gateway hostnames', () => {
  it('a listener wildcard matches any number of labels, never the suffix itself', () => {
    assert.ok(hostnameMatches('*.example.com', 'a.example.com'));
    assert.ok(hostnameMatches('*.example.com', 'a.b.example.com'));
    assert.ok(!hostnameMatches('*.example.com', 'example.com'));
    assert.ok(!hostnameMatches('*.example.com', 'aexample.com'));
    assert.ok(hostnameMatches('Foo.Example.com', 'foo.example.com'));
  });
  it('intersects listener and route hostnames, keeping the more specific', () => {
    assert.equal(hostnameIntersection('*.example.com', 'foo.example.com'), 'foo.example.com');
    assert.equal(hostnameIntersection('foo.example.com', '*.example.com'), 'foo.example.com');
    assert.equal(hostnameIntersection('*.com', '*.example.com'), '*.example.com');
    assert.equal(hostnameIntersection('*.example.com', 'example.com'), undefined);
    assert.equal(hostnameIntersection('a.com', 'b.com'), undefined);
  });
});

describe('gateway attachment', () => {
  it('accepts a route on the listener its namespace, kind and hostnames allow', () => {
    const a = analyze({
      'c.yaml': CLASS,
      'g.yaml': gateway(ALL),
      'b.yaml': BACKEND,
      'r.yaml': route('{parentRefs: [{name: gw, namespace: infra}], rules: [{backendRefs: [{name: web, port: 80}]}]}'),
    });
    const s = parentOf(a, 'r');
    assert.deepEqual(
      s.parents.map((p) => [p.accepted, p.reason, p.listeners.map((l) => l.name)]),
      [[true, 'Accepted', ['http']]],
    );
    assert.equal(s.resolvedRefs, true);
    const gw = a.gateway.gateways[0]!;
    assert.equal(a.gateway.attachedRoutes(gw, gw.listeners[0]!), 1);
  });

  it('reports NotAllowedByListeners for a namespace From Same does not admit, and for a kind the listener does not take', () => {
    const a = analyze({
      'c.yaml': CLASS,
      'g.yaml': gateway('[{name: http, port: 80, protocol: HTTP}, {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}]'),
      'r.yaml': route('{parentRefs: [{name: gw, namespace: infra, sectionName: http}]}', 'other-ns'),
      's.yaml': route('{parentRefs: [{name: gw, sectionName: tls}]}', 'wrong-kind', 'infra'),
    });
    assert.equal(parentOf(a, 'other-ns').parents[0]?.reason, 'NotAllowedByListeners');
    assert.match(parentOf(a, 'other-ns').parents[0]?.message ?? '', /namespace infra only/);
    assert.equal(parentOf(a, 'wrong-kind').parents[0]?.reason, 'NotAllowedByListeners');
    assert.match(parentOf(a, 'wrong-kind').parents[0]?.message ?? '', /accepts HTTPRoutes/);
  });

  it('admits namespaces by selector', () => {
    const ns = yaml`
      apiVersion: v1
      kind: Namespace
      metadata: {name: app, labels: {shared: "yes"}}
    `;
    const sel =
      '[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {shared: "yes"}}}}}]';
    const a = analyze({
      'c.yaml': CLASS,
      'n.yaml': ns,
      'g.yaml': gateway(sel),
      'r.yaml': route('{parentRefs: [{name: gw, namespace: infra}]}'),
      's.yaml': route('{parentRefs: [{name: gw, namespace: infra}]}', 'r2', 'other'),
    });
    assert.equal(parentOf(a, 'r').parents[0]?.reason, 'Accepted');
    assert.equal(parentOf(a, 'r2').parents[0]?.reason, 'NotAllowedByListeners');
  });

  it('reports NoMatchingListenerHostname when no hostname intersects, NoMatchingParent for an unknown sectionName or Gateway', () => {
    const a = analyze({
      'c.yaml': CLASS,
      'g.yaml': gateway('[{name: http, port: 80, protocol: HTTP, hostname: "*.example.com", allowedRoutes: {namespaces: {from: All}}}]'),
      'r.yaml': route('{parentRefs: [{name: gw, namespace: infra}], hostnames: [example.com, foo.example.net]}'),
      's.yaml': route('{parentRefs: [{name: gw, namespace: infra, sectionName: https}]}', 'r2'),
      't.yaml': route('{parentRefs: [{name: nope, namespace: infra}]}', 'r3'),
      'u.yaml': route('{parentRefs: [{name: gw, namespace: infra}], hostnames: [a.b.example.com]}', 'r4'),
    });
    assert.equal(parentOf(a, 'r').parents[0]?.reason, 'NoMatchingListenerHostname');
    assert.equal(parentOf(a, 'r2').parents[0]?.reason, 'NoMatchingParent');
    assert.equal(parentOf(a, 'r3').parents[0]?.reason, 'NoMatchingParent');
    assert.equal(parentOf(a, 'r4').parents[0]?.reason, 'Accepted');
  });

  it('leaves a route Pending when its Gateway names a GatewayClass that does not exist', () => {
    const a = analyze({
      'g.yaml': gateway(ALL, 'gw', 'infra', 'missing'),
      'r.yaml': route('{parentRefs: [{name: gw, namespace: infra}]}'),
    });
    assert.equal(parentOf(a, 'r').parents[0]?.reason, 'Pending');
    assert.equal(a.gateway.gateways[0]?.dataPlane, undefined);
    assert.deepEqual(a.gateway.gateways[0]?.addresses, []);
  });
});

describe('gateway backends', () => {
  const refs = (a: Analysis) => parentOf(a, 'r').backends.map((b) => [b.ref.name, b.resolved, b.reason]);

  it('needs a ReferenceGrant in the target namespace for a cross-namespace Service', () => {
    const r = route('{parentRefs: [{name: gw}], rules: [{backendRefs: [{name: web, namespace: app, port: 80}]}]}', 'r', 'infra');
    const grant = yaml`
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: ReferenceGrant
      metadata: {name: allow, namespace: app}
      spec:
        from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]
        to: [{group: "", kind: Service}]
    `;
    assert.deepEqual(refs(analyze({ 'c.yaml': CLASS, 'g.yaml': gateway(ALL), 'b.yaml': BACKEND, 'r.yaml': r })), [
      ['web', false, 'RefNotPermitted'],
    ]);
    const ok = analyze({ 'c.yaml': CLASS, 'g.yaml': gateway(ALL), 'b.yaml': BACKEND, 'r.yaml': r, 'rg.yaml': grant });
    assert.deepEqual(refs(ok), [['web', true, 'ResolvedRefs']]);
    assert.equal(parentOf(ok, 'r').backends[0]?.grant?.name, 'allow');
  });

  it('reports BackendNotFound for a missing Service or port and InvalidKind for another kind', () => {
    const r = route(
      '{parentRefs: [{name: gw, namespace: infra}], rules: [{backendRefs: [{name: nope, port: 80}, {name: web, port: 81}, {name: web, kind: Backend, group: gateway.envoyproxy.io}]}]}',
    );
    assert.deepEqual(refs(analyze({ 'c.yaml': CLASS, 'g.yaml': gateway(ALL), 'b.yaml': BACKEND, 'r.yaml': r })), [
      ['nope', false, 'BackendNotFound'],
      ['web', false, 'BackendNotFound'],
      ['web', false, 'InvalidKind'],
    ]);
  });
});

describe('gateway listeners, addresses and data planes', () => {
  it('marks a later listener on the same port and hostname, or with an incompatible protocol, as conflicted', () => {
    const a = analyze({
      'c.yaml': CLASS,
      'g.yaml': gateway(
        '[{name: a, port: 80, protocol: HTTP}, {name: b, port: 80, protocol: HTTP}, {name: c, port: 80, protocol: TCP}, {name: d, port: 80, protocol: HTTP, hostname: x.com}, {name: e, port: 80, protocol: UDP}]',
      ),
    });
    assert.deepEqual(
      a.gateway.conflicts.map((c) => [c.listener.name, c.listener.conflict?.reason, c.other.name]),
      [
        ['b', 'HostnameConflict', 'a'],
        ['c', 'ProtocolConflict', 'a'],
      ],
    );
  });

  it('gives each Gateway spec.addresses, else the next free address of the pool after the LoadBalancer Services', () => {
    const lb = yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: lb, namespace: app}
      spec: {type: LoadBalancer, loadBalancerIP: 198.51.100.1, selector: {app: web}, ports: [{port: 80}]}
    `;
    const a = analyze({
      'c.yaml': CLASS,
      'g.yaml':
        gateway(ALL, 'a') +
        '---\n' +
        gateway(ALL, 'b') +
        '---\n' +
        gateway(ALL, 'c').replace('gatewayClassName: eg', 'gatewayClassName: eg\n  addresses: [{value: 192.0.2.7}]'),
      'lb.yaml': lb,
    });
    assert.deepEqual(
      a.gateway.gateways.map((g) => [g.name, g.addresses]),
      [
        ['a', ['198.51.100.2']],
        ['b', ['198.51.100.3']],
        ['c', ['192.0.2.7']],
      ],
    );
    assert.equal(a.cluster.services.find((s) => s.name.startsWith('envoy-infra-c-'))?.loadBalancerIP, '192.0.2.7');
  });

  it('deploys the data plane as each controller does', () => {
    const classes = (name: string, controller: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: ${name}}\nspec: {controllerName: ${controller}}\n---\n`;
    const a = analyze({
      'c.yaml': classes('eg', 'gateway.envoyproxy.io/gatewayclass-controller') + classes('acme', 'example.com/acme'),
      'g.yaml': [
        gateway(ALL, 'e', 'infra', 'eg'),
        gateway(ALL, 'i', 'infra', 'istio'),
        gateway(ALL, 'c', 'infra', 'cilium'),
        gateway(ALL, 'n', 'infra', 'nginx'),
        gateway(ALL, 'x', 'infra', 'acme'),
      ].join('---\n'),
    });
    const planes = a.gateway.gateways.map((g) => [
      g.name,
      g.dataPlane?.kind,
      g.dataPlane?.namespace,
      g.dataPlane?.workload.name,
      `${g.dataPlane?.serviceNamespace}/${g.dataPlane?.serviceName}`,
      g.dataPlane?.pods.length,
    ]);
    assert.deepEqual(planes, [
      [
        'e',
        'envoy-gateway',
        'envoy-gateway-system',
        'envoy-infra-e-' + planes[0]?.[3]?.toString().slice(-8),
        `envoy-gateway-system/${planes[0]?.[3]}`,
        1,
      ],
      ['i', 'istio', 'infra', 'i-istio', 'infra/i-istio', 1],
      ['c', 'cilium', 'kube-system', 'cilium-envoy', 'infra/cilium-gateway-c', 3],
      ['n', 'nginx-gateway-fabric', 'infra', 'n-nginx', 'infra/n-nginx', 1],
      ['x', 'generic', 'infra', 'x-acme', 'infra/x-acme', 1],
    ]);
    const pod = a.cluster.pods.find((p) => p.workload.name === 'i-istio');
    assert.equal(pod?.labels['gateway.networking.k8s.io/gateway-name'], 'i');
    assert.equal(pod?.origin.kind, 'implicit');
    assert.ok(a.gateway.classes.find((c) => c.name === 'istio')?.assumed);
  });
});

// The listener ResolvedRefs reasons for tls.certificateRefs (apis/v1/gateway_types.go): RefNotPermitted
// for a reference into another namespace no ReferenceGrant allows, InvalidCertificateRef for a kind
// that is not a core Secret or a Secret whose data is not a certificate; such a listener is not
// programmed, though routes still attach to it.
describe('gateway listener certificates', () => {
  const https = (ref: string) =>
    gateway(
      `[{name: tls, port: 443, protocol: HTTPS, hostname: shop.test, tls: {certificateRefs: [${ref}]}, allowedRoutes: {namespaces: {from: All}}}]`,
    );
  const secret = (ns: string, data: string) => yaml`
    apiVersion: v1
    kind: Secret
    metadata: {name: cert, namespace: ${ns}}
    type: kubernetes.io/tls
    data: ${data}
  `;
  const grant = yaml`
    apiVersion: gateway.networking.k8s.io/v1beta1
    kind: ReferenceGrant
    metadata: {name: certs, namespace: certs}
    spec: {from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: infra}], to: [{group: "", kind: Secret}]}
  `;
  const status = (files: Record<string, string>) => {
    const a = analyze({ 'c.yaml': CLASS, 'b.yaml': BACKEND, ...files });
    const gw = a.gateway.findGateway('infra', 'gw');
    assert.ok(gw);
    const l = gw.listeners[0];
    assert.ok(l);
    const s = a.gateway.listenerStatus(gw, l);
    const c = (type: string) => s.conditions.find((x) => x.type === type);
    return {
      a,
      s,
      resolved: `${c('ResolvedRefs')?.status} ${c('ResolvedRefs')?.reason}`,
      programmed: `${c('Programmed')?.status} ${c('Programmed')?.reason}`,
    };
  };
  const ok = '{tls.crt: YQ==, tls.key: YQ==}';

  it('resolves a Secret of its own namespace, and one the workspace does not hold (made elsewhere)', () => {
    assert.equal(status({ 'g.yaml': https('{name: cert}'), 's.yaml': secret('infra', ok) }).resolved, 'True ResolvedRefs');
    const absent = status({ 'g.yaml': https('{name: made-by-cert-manager}') });
    assert.equal(absent.resolved, 'True ResolvedRefs');
    assert.equal(absent.programmed, 'True Programmed');
  });

  it('needs a ReferenceGrant for a Secret in another namespace (RefNotPermitted), and is then not programmed', () => {
    const denied = status({ 'g.yaml': https('{name: cert, namespace: certs}'), 's.yaml': secret('certs', ok) });
    assert.equal(denied.resolved, 'False RefNotPermitted');
    assert.equal(denied.programmed, 'False Invalid');
    const allowed = status({ 'g.yaml': https('{name: cert, namespace: certs}'), 's.yaml': secret('certs', ok), 'rg.yaml': grant });
    assert.equal(allowed.resolved, 'True ResolvedRefs');
  });

  it('calls a reference to another kind, or a Secret without tls.crt and tls.key, InvalidCertificateRef', () => {
    assert.equal(status({ 'g.yaml': https('{name: cert, kind: ConfigMap}') }).resolved, 'False InvalidCertificateRef');
    // InvalidCertificateRef is only for references that are allowed: across namespaces, permission comes first.
    assert.equal(status({ 'g.yaml': https('{name: cert, kind: ConfigMap, namespace: certs}') }).resolved, 'False RefNotPermitted');
    assert.equal(
      status({ 'g.yaml': https('{name: cert}'), 's.yaml': secret('infra', '{tls.crt: YQ==}') }).resolved,
      'False InvalidCertificateRef',
    );
  });

  it('still counts the routes attached to such a listener, but a TLS connection to it fails', () => {
    const r = route('{parentRefs: [{name: gw, namespace: infra}], rules: [{backendRefs: [{name: web, port: 80}]}]}');
    const { a, s } = status({ 'g.yaml': https('{name: cert, namespace: certs}'), 'r.yaml': r });
    assert.equal(s.attachedRoutes, 1);
    const src = findSource(a.cluster, 'external');
    assert.ok(src.ok);
    const t = tracePacket(a, src.source, 'https://shop.test/', 'TCP', { via: 'infra/gw' });
    assert.notEqual(t.verdict, 'delivered');
    assert.match(t.reason, /RefNotPermitted/);
  });
});
