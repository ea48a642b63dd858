// Issue 16, item 2: kinds that shape traffic but are not simulated get one kind-not-simulated info
// at their `kind`, and the analysis lists them; other custom resources and built-in kinds do not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_SIMULATED_KINDS } from '../../src/engine/manifests/notSimulated';
import { analyze, docs, expectDiagnostic, lineOf, where, yaml } from '../helpers';

// From Istio's Bookinfo "request routing" task (samples/bookinfo/networking/virtual-service-reviews-v3.yaml).
const reviews = yaml`
  apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata:
    name: reviews
  spec:
    hosts:
    - reviews
    http:
    - route:
      - destination:
          host: reviews
          subset: v3
`;
// From Istio's "mutual TLS migration" task.
const strict = yaml`
  apiVersion: security.istio.io/v1
  kind: PeerAuthentication
  metadata:
    name: default
    namespace: istio-system
  spec:
    mtls:
      mode: STRICT
`;
// From the Gateway API's "HTTP routing" guide: simulated, so no kind-not-simulated.
const route = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: foo-route
  spec:
    parentRefs:
    - name: example-gateway
    hostnames:
    - foo.example.com
    rules:
    - backendRefs:
      - name: foo-svc
        port: 8080
`;
// From the Gateway API's "Backend TLS Policy" guide: not simulated.
const backendTls = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: BackendTLSPolicy
  metadata:
    name: tls-upstream-auth
  spec:
    targetRefs:
    - group: ""
      kind: Service
      name: auth
    validation:
      caCertificateRefs:
      - group: ""
        kind: ConfigMap
        name: auth-cert
      hostname: auth.example.com
`;
// From Traefik's "Kubernetes IngressRoute" reference.
const ingressRoute = yaml`
  apiVersion: traefik.io/v1alpha1
  kind: IngressRoute
  metadata:
    name: myingressroute
  spec:
    entryPoints: [web]
    routes:
    - match: Host(\`example.com\`)
      kind: Rule
      services:
      - name: whoami
        port: 80
`;
// A cert-manager Certificate: a custom resource that does not shape traffic.
const certificate = yaml`
  apiVersion: cert-manager.io/v1
  kind: Certificate
  metadata:
    name: example
  spec:
    secretName: example-tls
    dnsNames: [example.com]
`;

describe('kind-not-simulated', () => {
  it('one info at the kind of each object a mesh, gateway or CNI policy kind; none for other kinds', () => {
    const files = {
      'mesh.yaml': docs(reviews, strict),
      'route.yaml': route,
      'tls.yaml': backendTls,
      'traefik.yaml': ingressRoute,
      'cert.yaml': certificate,
    };
    const a = analyze(files);
    const d = expectDiagnostic(a, 'kind-not-simulated', 'mesh.yaml', lineOf(reviews, 'kind: VirtualService'), 7);
    assert.equal(d.severity, 'info');
    assert.equal(d.resource, 'VirtualService/default/reviews');
    assert.match(d.message, /VirtualService \(networking\.istio\.io\) is Istio's .* kube-netsim does not simulate it/);
    expectDiagnostic(a, 'kind-not-simulated', 'tls.yaml', 2, 7);
    assert.ok(!where(a, 'kind-not-simulated').some((w) => w.startsWith('route.yaml')), 'HTTPRoute is simulated');
    expectDiagnostic(a, 'kind-not-simulated', 'traefik.yaml', 2, 7);
    assert.equal(where(a, 'kind-not-simulated').length, 4);
    assert.ok(!where(a, 'kind-not-simulated').some((w) => w.startsWith('cert.yaml')));
    assert.deepEqual(
      a.notSimulated.map((k) => [k.group, k.kind, k.objects.length]),
      [
        ['networking.istio.io', 'VirtualService', 1],
        ['security.istio.io', 'PeerAuthentication', 1],
        ['gateway.networking.k8s.io', 'BackendTLSPolicy', 1],
        ['traefik.io', 'IngressRoute', 1],
      ],
    );
  });

  it("covers the CNIs' kinds that are not policies, never the Kubernetes NetworkPolicy, the AdminNetworkPolicy API, the simulated Cilium and Calico policies or Gateway API kinds", () => {
    for (const key of [
      'projectcalico.org/GlobalNetworkSet',
      'cilium.io/CiliumCIDRGroup',
      'gateway.networking.k8s.io/BackendTLSPolicy',
      'policy.linkerd.io/Server',
      'projectcontour.io/HTTPProxy',
      'configuration.konghq.com/KongPlugin',
      'consul.hashicorp.com/ServiceIntentions',
    ])
      assert.ok(NOT_SIMULATED_KINDS.has(key), key);
    assert.ok(!NOT_SIMULATED_KINDS.has('networking.k8s.io/NetworkPolicy'));
    assert.ok(!NOT_SIMULATED_KINDS.has('cilium.io/CiliumNetworkPolicy'));
    assert.ok(!NOT_SIMULATED_KINDS.has('cilium.io/CiliumClusterwideNetworkPolicy'));
    for (const group of ['projectcalico.org', 'crd.projectcalico.org'])
      for (const kind of ['NetworkPolicy', 'GlobalNetworkPolicy']) assert.ok(!NOT_SIMULATED_KINDS.has(`${group}/${kind}`), kind);
    for (const kind of ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'ReferenceGrant'])
      assert.ok(!NOT_SIMULATED_KINDS.has(`gateway.networking.k8s.io/${kind}`), kind);
    assert.ok(!NOT_SIMULATED_KINDS.has('policy.networking.k8s.io/AdminNetworkPolicy'));
    assert.ok(!NOT_SIMULATED_KINDS.has('policy.networking.k8s.io/BaselineAdminNetworkPolicy'));
    const calico = yaml`
      apiVersion: projectcalico.org/v3
      kind: NetworkPolicy
      metadata:
        name: allow-tcp-6379
        namespace: production
      spec:
        selector: role == 'database'
        types: [Ingress]
        ingress:
        - action: Allow
          protocol: TCP
          destination:
            ports: [6379]
    `;
    const a = analyze({ 'calico.yaml': calico });
    assert.deepEqual(where(a, 'kind-not-simulated'), []);
    assert.equal(a.policies.policies.filter((p) => p.origin.kind === 'manifest').length, 0);
  });
});

describe('kind-not-simulated: the kinds of 2026 clusters', () => {
  it('an OVN-Kubernetes EgressFirewall, an Antrea policy, an Envoy Gateway SecurityPolicy and an XListenerSet each say what they would change', () => {
    const obj = (apiVersion: string, kind: string, name: string) =>
      `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: shop\nspec: {}\n`;
    const a = analyze({
      'egress.yaml': obj('k8s.ovn.org/v1', 'EgressFirewall', 'default'),
      'antrea.yaml': obj('crd.antrea.io/v1beta1', 'NetworkPolicy', 'deny-db'),
      'eg.yaml': obj('gateway.envoyproxy.io/v1alpha1', 'SecurityPolicy', 'jwt'),
      'ls.yaml': obj('gateway.networking.x-k8s.io/v1alpha1', 'XListenerSet', 'extra'),
    });
    const at = (file: string) => expectDiagnostic(a, 'kind-not-simulated', file, 2, 7).message;
    assert.match(at('egress.yaml'), /EgressFirewall \(k8s\.ovn\.org\) is OVN-Kubernetes's .*which egress connections are allowed/);
    assert.match(at('antrea.yaml'), /NetworkPolicy \(crd\.antrea\.io\) is Antrea's .*allowed, dropped or rejected/);
    assert.match(at('eg.yaml'), /SecurityPolicy \(gateway\.envoyproxy\.io\) is Envoy Gateway's/);
    assert.match(at('ls.yaml'), /XListenerSet \(gateway\.networking\.x-k8s\.io\)/);
    assert.deepEqual(
      a.notSimulated.map((k) => k.product),
      // In the order kubectl apply reads the files.
      ['Antrea', 'Envoy Gateway', 'OVN-Kubernetes', "the Gateway API's experimental channel"],
    );
    // OpenShift Routes are read (the matrix's {ingress-controller} lines), so they are not reported.
    assert.ok(!NOT_SIMULATED_KINDS.has('route.openshift.io/Route'));
  });
});
