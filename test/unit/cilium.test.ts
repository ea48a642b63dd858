// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy under `cni: cilium` (design.md "Policy
// layers", layer 2). The policies are the examples of Cilium's policy language reference
// (https://docs.cilium.io/en/stable/security/policy/language/), its deny policies page
// (https://docs.cilium.io/en/stable/security/policy/deny/) and its enforcement modes
// (https://docs.cilium.io/en/stable/security/policy/intro/); each expectation is what those pages say.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, expectDiagnostic, lineOf, columnOf, where, workload, yaml } from '../helpers';
import { connectivityList, connText, policyLayer, tracePacket, type Analysis } from '../../src/engine';
import { from } from '../traceFixtures';

const ns = (name: string, labels: Record<string, string> = {}) => yaml`
  apiVersion: v1
  kind: Namespace
  metadata:
    name: ${name}
    labels: {${Object.entries(labels)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}}
`;

const apps = docs(
  workload({ name: 'frontend', labels: { role: 'frontend' }, ports: [{ containerPort: 80 }] }),
  workload({ name: 'backend', labels: { role: 'backend' }, ports: [{ containerPort: 80 }, { containerPort: 8080, name: 'admin' }] }),
  workload({ name: 'other', labels: { role: 'other' }, ports: [{ containerPort: 80 }] }),
);

const podOf = (a: Analysis, name: string, namespace = 'default') => {
  const p = a.cluster.pods.find((x) => x.workload.name === name && x.namespace === namespace);
  assert.ok(p, `no pod of ${namespace}/${name}`);
  return { kind: 'pod' as const, pod: p };
};
const allowed = (a: Analysis, src: string, dst: string, port = 80, protocol: 'TCP' | 'UDP' = 'TCP') =>
  a.policies.verdict(podOf(a, src), podOf(a, dst), port, protocol).allowed;
const toIp = (a: Analysis, src: string, ip: string, port = 80) => a.policies.verdict(podOf(a, src), { kind: 'external', ip }, port, 'TCP');
const cilium = (files: Record<string, string>) => analyze(files, { cni: 'cilium' });

const l3Rule = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: l3-rule
  spec:
    endpointSelector:
      matchLabels:
        role: backend
    ingress:
    - fromEndpoints:
      - matchLabels:
          role: frontend
`;

describe('CiliumNetworkPolicy: L3 endpoint rules (policy language, "Endpoints Based")', () => {
  it('"l3-rule": pods with role=backend accept only pods with role=frontend, and the verdict names the policy and rule', () => {
    const a = cilium({ 'apps.yaml': apps, 'cnp.yaml': l3Rule });
    assert.equal(allowed(a, 'frontend', 'backend'), true);
    assert.equal(allowed(a, 'other', 'backend'), false);
    // The other pods are selected by nothing: they stay open.
    assert.equal(allowed(a, 'backend', 'other'), true);
    const v = a.policies.verdict(podOf(a, 'frontend'), podOf(a, 'backend'), 80, 'TCP');
    assert.equal(v.ingress.decidedBy, 'cni');
    assert.match(v.ingress.reason, /allowed by CiliumNetworkPolicy default\/l3-rule rule spec\.ingress\[0\] \(cnp\.yaml:11:7\)/);
    const d = a.policies.verdict(podOf(a, 'other'), podOf(a, 'backend'), 80, 'TCP');
    assert.match(
      d.reason,
      /dropped by CiliumNetworkPolicy: .*default\/l3-rule \(cnp\.yaml:6:3\), which selects the pod, so it is in default deny for ingress/,
    );
  });

  it('is enforced only under cilium: any other CNI reports policy-not-enforced at the object and leaves it out', () => {
    for (const cni of ['calico', 'flannel', 'weave'] as const) {
      const a = analyze({ 'apps.yaml': apps, 'cnp.yaml': l3Rule }, { cni });
      assert.equal(allowed(a, 'other', 'backend'), true, cni);
      const d = expectDiagnostic(a, 'policy-not-enforced', 'cnp.yaml', lineOf(l3Rule, 'name: l3-rule'), columnOf(l3Rule, 'l3-rule'));
      assert.match(d.message, new RegExp(`CNI, ${cni}, does not implement CiliumNetworkPolicy`));
    }
    assert.deepEqual(where(cilium({ 'apps.yaml': apps, 'cnp.yaml': l3Rule }), 'policy-not-enforced'), []);
  });

  it('a CNP peer selector is limited to the policy namespace unless it names k8s:io.kubernetes.pod.namespace', () => {
    // "k8s-expose-across-namespace": luke of ns2 may reach leia of ns1; a luke of ns1 would match the plain selector only.
    const files = {
      'apps.yaml': docs(
        ns('ns1'),
        ns('ns2'),
        workload({ name: 'leia', namespace: 'ns1', labels: { name: 'leia' }, ports: [{ containerPort: 80 }] }),
        workload({ name: 'luke', namespace: 'ns2', labels: { name: 'luke' }, ports: [{ containerPort: 80 }] }),
        workload({ name: 'luke', namespace: 'ns1', labels: { name: 'luke' }, ports: [{ containerPort: 80 }] }),
      ),
      'cnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: k8s-expose-across-namespace
          namespace: ns1
        spec:
          endpointSelector:
            matchLabels:
              name: leia
          ingress:
          - fromEndpoints:
            - matchLabels:
                k8s:io.kubernetes.pod.namespace: ns2
                name: luke
      `,
    };
    const a = cilium(files);
    const v = (src: string) => a.policies.verdict(podOf(a, 'luke', src), podOf(a, 'leia', 'ns1'), 80, 'TCP').allowed;
    assert.equal(v('ns2'), true);
    assert.equal(v('ns1'), false);
    const plain = cilium({ ...files, 'cnp.yaml': files['cnp.yaml'].replace('k8s:io.kubernetes.pod.namespace: ns2\n', '') });
    const w = (src: string) => plain.policies.verdict(podOf(plain, 'luke', src), podOf(plain, 'leia', 'ns1'), 80, 'TCP').allowed;
    assert.equal(w('ns1'), true);
    assert.equal(w('ns2'), false);
  });

  it('a clusterwide policy selects and admits pods of every namespace; `fromEndpoints: [{}]` is every pod of the cluster', () => {
    // "wildcard-from-endpoints": allow ingress to kube-dns from all Cilium managed endpoints in the cluster.
    const files = {
      'apps.yaml': docs(
        ns('shop'),
        apps,
        workload({ name: 'web', namespace: 'shop', labels: { app: 'web' }, ports: [{ containerPort: 80 }] }),
      ),
      'ccnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata:
          name: wildcard-from-endpoints
        spec:
          endpointSelector:
            matchLabels:
              role: backend
          ingress:
          - fromEndpoints:
            - {}
      `,
    };
    const a = cilium(files);
    assert.equal(a.policies.verdict(podOf(a, 'web', 'shop'), podOf(a, 'backend'), 80, 'TCP').allowed, true);
    assert.equal(allowed(a, 'other', 'backend'), true);
    assert.equal(toIp(a, 'backend', '203.0.113.9').allowed, true); // egress untouched
    const ext = a.policies.verdict({ kind: 'external', ip: '203.0.113.9' }, podOf(a, 'backend'), 80, 'TCP');
    assert.equal(ext.allowed, false, 'an address outside the cluster is not an endpoint');
  });
});

describe('CiliumNetworkPolicy: default deny', () => {
  it('"deny-all-egress": `egress: [{}]` puts the pod in default deny for egress and allows nothing', () => {
    const a = cilium({
      'apps.yaml': apps,
      'cnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: deny-all-egress
        spec:
          endpointSelector:
            matchLabels:
              role: frontend
          egress:
          - {}
      `,
    });
    assert.equal(allowed(a, 'frontend', 'backend'), false);
    assert.equal(toIp(a, 'frontend', '203.0.113.9').allowed, false);
    assert.equal(allowed(a, 'backend', 'frontend'), true, 'ingress is not isolated');
  });

  it('an empty section (`ingress: []`) does not apply ("If omitted or empty, this rule does not apply"), and enableDefaultDeny: false leaves the pod open', () => {
    const policy = (extra: string) => yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: p
      spec:
        endpointSelector:
          matchLabels:
            role: backend
        ${extra}
    `;
    assert.equal(allowed(cilium({ 'apps.yaml': apps, 'cnp.yaml': policy('ingress: []') }), 'other', 'backend'), true);
    const notDefault = policy(
      'enableDefaultDeny:\n          ingress: false\n        ingress:\n        - fromEndpoints:\n          - matchLabels: {role: frontend}',
    );
    assert.equal(allowed(cilium({ 'apps.yaml': apps, 'cnp.yaml': notDefault }), 'other', 'backend'), true);
  });

  it('a CNP and a Kubernetes NetworkPolicy selecting the same pod: what either allows passes (Cilium enforces them together)', () => {
    const np = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: from-other
      spec:
        podSelector:
          matchLabels:
            role: backend
        ingress:
        - from:
          - podSelector:
              matchLabels:
                role: other
    `;
    const a = cilium({ 'apps.yaml': apps, 'cnp.yaml': l3Rule, 'np.yaml': np });
    assert.equal(allowed(a, 'frontend', 'backend'), true);
    assert.equal(allowed(a, 'other', 'backend'), true);
    const v = a.policies.verdict(podOf(a, 'other'), podOf(a, 'backend'), 80, 'TCP');
    assert.equal(v.ingress.decidedBy, 'network');
  });
});

describe('CiliumNetworkPolicy: entities, CIDR and ports', () => {
  it('"from-world-to-role-public": fromEntities world admits addresses outside the cluster, not pods', () => {
    const a = cilium({
      'apps.yaml': apps,
      'cnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: from-world-to-role-public
        spec:
          endpointSelector:
            matchLabels:
              role: backend
          ingress:
          - fromEntities:
            - world
      `,
    });
    assert.equal(a.policies.verdict({ kind: 'external', ip: '198.51.100.7' }, podOf(a, 'backend'), 80, 'TCP').allowed, true);
    assert.equal(allowed(a, 'frontend', 'backend'), false);
  });

  it('"dev-to-host" and "to-dev-from-nodes-in-cluster": host is the pod\'s own node, remote-node the others', () => {
    const a = cilium({
      'apps.yaml': apps,
      'cnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: dev-to-host
        spec:
          endpointSelector:
            matchLabels:
              role: frontend
          egress:
          - toEntities:
            - host
      `,
    });
    const fe = podOf(a, 'frontend').pod;
    const own = a.cluster.nodes.find((n) => n.name === fe.node);
    const other = a.cluster.nodes.find((n) => n.name !== fe.node);
    assert.ok(own && other);
    assert.equal(toIp(a, 'frontend', own.ip).allowed, true);
    assert.equal(toIp(a, 'frontend', other.ip).allowed, false);
    assert.equal(allowed(a, 'frontend', 'backend'), false);
  });

  it('"cidr-rule": toCIDR and toCIDRSet with except; CIDR rules never match pods', () => {
    const a = cilium({
      'apps.yaml': apps,
      'cnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: cidr-rule
        spec:
          endpointSelector:
            matchLabels:
              role: frontend
          egress:
          - toCIDR:
            - 20.1.1.1/32
          - toCIDRSet:
            - cidr: 10.0.0.0/8
              except:
              - 10.96.0.0/12
      `,
    });
    assert.equal(toIp(a, 'frontend', '20.1.1.1').allowed, true);
    assert.equal(toIp(a, 'frontend', '20.1.1.2').allowed, false);
    assert.equal(toIp(a, 'frontend', '10.1.2.3').allowed, true);
    assert.equal(toIp(a, 'frontend', '10.100.0.1').allowed, false, 'inside the except');
    assert.equal(allowed(a, 'frontend', 'backend'), false, 'the pod network is inside 10.0.0.0/8, but CIDR rules do not match pods');
    // The matrix cuts the outside at the rule's boundaries.
    const lines = connectivityList(a.policies)
      .entries.filter((e) => e.src === 'default/frontend[Deployment]')
      .map((e) => `${e.dst} : ${connText(e)}`);
    assert.ok(lines.includes('20.1.1.1-20.1.1.1[External] : All Connections'), lines.join('\n'));
    assert.ok(lines.includes('10.0.0.0-10.95.255.255[External] : All Connections'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('10.96.0.0')), lines.join('\n'));
  });

  it('"l4-rule", port ranges and protocol ANY: toPorts alone admits every peer on those ports', () => {
    const policy = (ports: string) => yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l4-rule
      spec:
        endpointSelector:
          matchLabels:
            role: backend
        ingress:
        - toPorts:
          - ports:
            ${ports}
    `;
    const tcp80 = cilium({ 'apps.yaml': apps, 'cnp.yaml': policy('- port: "80"\n              protocol: TCP') });
    assert.equal(allowed(tcp80, 'other', 'backend', 80), true);
    assert.equal(allowed(tcp80, 'other', 'backend', 8080), false);
    assert.equal(allowed(tcp80, 'other', 'backend', 80, 'UDP'), false);
    const range = cilium({
      'apps.yaml': apps,
      'cnp.yaml': policy('- port: "80"\n              endPort: 444\n              protocol: TCP'),
    });
    assert.equal(allowed(range, 'other', 'backend', 443), true);
    assert.equal(allowed(range, 'other', 'backend', 445), false);
    const any = cilium({ 'apps.yaml': apps, 'cnp.yaml': policy('- port: "80"') });
    assert.equal(allowed(any, 'other', 'backend', 80, 'UDP'), true, 'protocol defaults to ANY');
    const named = cilium({ 'apps.yaml': apps, 'cnp.yaml': policy('- port: admin\n              protocol: TCP') });
    assert.equal(allowed(named, 'other', 'backend', 8080), true);
    assert.equal(allowed(named, 'other', 'backend', 80), false);
  });
});

describe('Cilium deny policies: ingressDeny and egressDeny take precedence over allows', () => {
  it('"external-lockdown": deny from world wins over allow from all', () => {
    const a = cilium({
      'apps.yaml': apps,
      'cnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: external-lockdown
        spec:
          endpointSelector: {}
          ingressDeny:
          - fromEntities:
            - world
          ingress:
          - fromEntities:
            - all
      `,
    });
    assert.equal(allowed(a, 'frontend', 'backend'), true);
    const v = a.policies.verdict({ kind: 'external', ip: '198.51.100.7' }, podOf(a, 'backend'), 80, 'TCP');
    assert.equal(v.allowed, false);
    assert.match(v.reason, /denied by CiliumNetworkPolicy default\/external-lockdown rule spec\.ingressDeny\[0\]/);
  });

  it("a deny on one port leaves the others allowed (the deny page's table: curl server:81 allowed, :80 denied)", () => {
    const a = cilium({
      'apps.yaml': apps,
      'cnp.yaml': yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: deny-80
        spec:
          endpointSelector:
            matchLabels:
              role: backend
          ingress:
          - fromEndpoints:
            - matchLabels:
                role: frontend
          ingressDeny:
          - fromEndpoints:
            - matchLabels:
                role: frontend
            toPorts:
            - ports:
              - port: "80"
                protocol: TCP
      `,
    });
    assert.equal(allowed(a, 'frontend', 'backend', 81), true);
    assert.equal(allowed(a, 'frontend', 'backend', 80), false);
    const row = connectivityList(a.policies).entries.find(
      (e) => e.src === 'default/frontend[Deployment]' && e.dst === 'default/backend[Deployment]',
    );
    assert.equal(row?.conn.toString(), 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535');
  });

  it('a policy the agent refuses (fromEndpoints with fromCIDR in one rule) is reported and enforces nothing', () => {
    const cnp = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: mixed
      spec:
        endpointSelector:
          matchLabels:
            role: backend
        ingress:
        - fromEndpoints:
          - matchLabels:
              role: frontend
          fromCIDR:
          - 10.0.0.0/8
    `;
    const a = cilium({ 'apps.yaml': apps, 'cnp.yaml': cnp });
    const d = expectDiagnostic(a, 'manifest-invalid', 'cnp.yaml', lineOf(cnp, '- fromEndpoints'), columnOf(cnp, 'fromEndpoints'));
    assert.match(d.message, /Combining fromEndpoints and fromCIDR/);
    assert.equal(allowed(a, 'other', 'backend'), true);
  });

  it('host policies (nodeSelector) are reported as not simulated at the field', () => {
    const cnp = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata:
        name: host-fw
      spec:
        nodeSelector: {}
        ingress:
        - fromEntities: [cluster]
    `;
    const a = cilium({ 'apps.yaml': apps, 'ccnp.yaml': cnp });
    expectDiagnostic(a, 'cni-policy-field-not-simulated', 'ccnp.yaml', lineOf(cnp, 'nodeSelector'), columnOf(cnp, 'nodeSelector'));
  });
});

describe('Cilium policies in the trace', () => {
  it('the policy hop names the policy, its rule and the eBPF enforcement point', () => {
    const a = cilium({
      'apps.yaml': docs(
        apps,
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: backend\nspec:\n  selector:\n    role: backend\n  ports:\n  - port: 80\n',
      ),
      'cnp.yaml': l3Rule,
    });
    const ok = tracePacket(a, from(a, 'default/Deployment/frontend'), 'http://backend/');
    assert.equal(ok.verdict, 'delivered');
    const hop = ok.hops.find((h) => h.kind === 'policy' && h.direction === 'ingress');
    assert.ok(hop && hop.kind === 'policy');
    assert.match(hop.enforcer ?? '', /Cilium eBPF/);
    assert.equal(hop.result.rule?.policy.name, 'l3-rule');
    assert.equal(hop.result.rule?.rulePath, 'spec.ingress[0]');
    const no = tracePacket(a, from(a, 'default/Deployment/other'), 'http://backend/');
    assert.equal(no.verdict, 'dropped');
    assert.match(no.reason, /CiliumNetworkPolicy drops it on the way into default\/backend-/);
  });
});

describe('Cilium L7 HTTP rules (policy language, "Layer 7 Examples")', () => {
  // "l7-rule": GET /path1 from anyone, and PUT /path2 only with the header X-My-Header: true.
  const l7Rule = yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata:
      name: l7-rule
    spec:
      endpointSelector:
        matchLabels:
          role: backend
      ingress:
      - toPorts:
        - ports:
          - port: '80'
            protocol: TCP
          rules:
            http:
            - method: GET
              path: "/path1$"
            - method: PUT
              path: "/path2$"
              headers:
              - 'X-My-Header: true'
  `;
  const a = cilium({
    'apps.yaml': docs(
      apps,
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: backend\nspec:\n  selector:\n    role: backend\n  ports:\n  - port: 80\n',
    ),
    'cnp.yaml': l7Rule,
  });
  const trace = (method: string, path: string, headers: Array<{ name: string; value: string }> = []) =>
    tracePacket(a, from(a, 'default/Deployment/other'), `http://backend${path}`, 'TCP', { method, headers });

  it('each request is checked against the rules: method, path and headers must all match one of them', () => {
    assert.equal(trace('GET', '/path1').verdict, 'delivered');
    assert.equal(trace('PUT', '/path2', [{ name: 'X-My-Header', value: 'true' }]).verdict, 'delivered');
    const noHeader = trace('PUT', '/path2');
    assert.equal(noHeader.verdict, 'refused');
    assert.equal(noHeader.response?.status, 403);
    assert.equal(trace('PUT', '/path2', [{ name: 'x-my-header', value: 'false' }]).verdict, 'refused');
    assert.equal(trace('GET', '/path2').verdict, 'refused');
  });

  it('the refusal points at the rules, and the other ports stay closed at L4 (dropped, not refused)', () => {
    const r = trace('DELETE', '/path1');
    const reject = r.hops.find((h) => h.kind === 'reject');
    assert.ok(reject?.range);
    assert.equal(reject.range.file, 'cnp.yaml');
    assert.equal(reject.range.line, lineOf(l7Rule, 'method: GET'));
    assert.equal(tracePacket(a, from(a, 'default/Deployment/other'), 'backend:8080').verdict, 'dropped');
  });

  it('an L4 allow of the same port by another rule lets every request through (the HTTP rules no longer restrict it)', () => {
    const open = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l4
      spec:
        endpointSelector:
          matchLabels:
            role: backend
        ingress:
        - toPorts:
          - ports:
            - port: '80'
    `;
    const b = cilium({ 'apps.yaml': apps, 'cnp.yaml': l7Rule, 'l4.yaml': open });
    const v = b.policies.verdict(podOf(b, 'other'), podOf(b, 'backend'), 80, 'TCP');
    assert.equal(v.ingress.rule?.http, undefined);
    const e = connectivityList(b.policies).entries.find(
      (x) => x.src === 'default/other[Deployment]' && x.dst === 'default/backend[Deployment]',
    );
    assert.ok(e);
    assert.equal(connText(e), 'SCTP 80,TCP 80,UDP 80'); // ANY: TCP, UDP and SCTP
  });
});

describe('Cilium diagnostics', () => {
  it('an HTTP rule on a port the selected pods do not serve is reported at the port', () => {
    const cnp = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l7-wrong-port
      spec:
        endpointSelector:
          matchLabels:
            role: frontend
        ingress:
        - toPorts:
          - ports:
            - port: "8080"
              protocol: TCP
            rules:
              http:
              - method: GET
    `;
    const a = cilium({ 'apps.yaml': apps, 'cnp.yaml': cnp });
    const d = expectDiagnostic(a, 'cilium-l7-port-not-served', 'cnp.yaml', lineOf(cnp, '- port: "8080"'), columnOf(cnp, 'port: "8080"'));
    assert.match(d.message, /on port 8080, but Deployment default\/frontend declare only 80\/TCP/);
    assert.deepEqual(where(cilium({ 'apps.yaml': apps, 'cnp.yaml': cnp.replace('"8080"', '"80"') }), 'cilium-l7-port-not-served'), []);
  });

  it('a CiliumNetworkPolicy allow against a NetworkPolicy deny-all of the same pods is reported (the allow wins under Cilium)', () => {
    const denyAll = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: deny-all
      spec:
        podSelector: {}
        policyTypes: [Ingress]
    `;
    const a = cilium({ 'apps.yaml': apps, 'cnp.yaml': l3Rule, 'np.yaml': denyAll });
    const d = expectDiagnostic(
      a,
      'cni-policy-conflicts-networkpolicy',
      'cnp.yaml',
      lineOf(l3Rule, '- fromEndpoints'),
      columnOf(l3Rule, 'fromEndpoints'),
    );
    assert.match(
      d.message,
      /NetworkPolicy default\/deny-all denies all ingress of Deployment default\/backend, but CiliumNetworkPolicy default\/l3-rule allows some/,
    );
    assert.equal(allowed(a, 'frontend', 'backend'), true);
    assert.equal(allowed(a, 'other', 'backend'), false);
  });
});

describe('Cilium policies in the topology policy layer', () => {
  it('edges decided by a CiliumNetworkPolicy carry layer cni, the policy and its rule (or its default deny)', () => {
    const a = cilium({ 'apps.yaml': apps, 'cnp.yaml': l3Rule });
    const layer = policyLayer(a, 'default/backend');
    assert.ok(layer);
    const inbound = layer.edges.filter((e) => e.direction === 'ingress' && e.port === 80);
    const fe = inbound.find((e) => e.fromWorkload === 'default/frontend');
    const other = inbound.find((e) => e.fromWorkload === 'default/other');
    assert.equal(fe?.layer, 'cni');
    assert.equal(fe?.allowed, true);
    assert.deepEqual(
      fe?.policies.map((p) => `${p.kind} ${p.name} ${p.rule}`),
      ['CiliumNetworkPolicy l3-rule spec.ingress[0]'],
    );
    assert.equal(other?.allowed, false);
    assert.deepEqual(
      other?.policies.map((p) => `${p.kind} ${p.name} ${p.rule} ${p.action}`),
      ['CiliumNetworkPolicy l3-rule default deny Deny'],
    );
  });
});
