// The cluster-wide tiers (AdminNetworkPolicy, BaselineAdminNetworkPolicy): the order of
// design.md "Policy layers", verdicts that name the layer, policy, priority and rule, and the
// diagnostics for what people get wrong with them. Policies follow the examples of the
// network-policy API's overview (https://network-policy-api.sigs.k8s.io/api-overview/).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, expectDiagnostic, expectNoDiagnostic, lineOf, columnOf, pod, where, workload, yaml } from '../helpers';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectivityList, tracePacket, type Analysis } from '../../src/engine';
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
  ns('monitoring', { tenant: 'ops' }),
  ns('shop', { tenant: 'blue' }),
  ns('bank', { tenant: 'red' }),
  workload({ name: 'prometheus', namespace: 'monitoring', ports: [{ containerPort: 9090 }] }),
  workload({ name: 'web', namespace: 'shop', ports: [{ containerPort: 8080, name: 'http' }] }),
  workload({ name: 'api', namespace: 'bank', ports: [{ containerPort: 8080, name: 'http' }] }),
);

const denyBetweenTenants = yaml`
  apiVersion: policy.networking.k8s.io/v1alpha1
  kind: AdminNetworkPolicy
  metadata:
    name: tenant-isolation
  spec:
    priority: 10
    subject:
      namespaces:
        matchLabels: {tenant: red}
    ingress:
    - name: allow-monitoring
      action: Allow
      from:
      - namespaces:
          matchLabels: {tenant: ops}
    - name: deny-other-tenants
      action: Deny
      from:
      - namespaces: {}
`;

const podOf = (a: Analysis, id: string) => ({ kind: 'pod' as const, pod: pod(a, id) });
const verdict = (a: Analysis, from: string, to: string, port = 8080) => a.policies.verdict(podOf(a, from), podOf(a, to), port, 'TCP');

describe('AdminNetworkPolicy: first match by priority and rule order', () => {
  it('a Deny names the layer, the policy, its priority and the rule, and where the rule is', () => {
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants });
    const v = verdict(a, 'shop/web', 'bank/api');
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.decidedBy, 'admin');
    assert.equal(v.ingress.rule?.ruleName, 'deny-other-tenants');
    assert.equal(v.ingress.rule?.priority, 10);
    assert.equal(v.ingress.rule?.range?.line, lineOf(denyBetweenTenants, '- name: deny-other-tenants'));
    assert.match(v.reason, /denied by AdminNetworkPolicy tenant-isolation \(priority 10\) rule deny-other-tenants \(anp\.yaml:\d+:\d+\)/);
  });

  it('an earlier rule decides first: monitoring is allowed although the Deny below also matches it', () => {
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants });
    const v = verdict(a, 'monitoring/prometheus', 'bank/api');
    assert.equal(v.allowed, true);
    assert.equal(v.ingress.rule?.ruleName, 'allow-monitoring');
  });

  it('an Allow is final: a NetworkPolicy that denies everything does not override it', () => {
    const denyAll = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: deny-all, namespace: bank}
      spec:
        podSelector: {}
        policyTypes: [Ingress]
    `;
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants, 'np.yaml': denyAll });
    assert.equal(verdict(a, 'monitoring/prometheus', 'bank/api').allowed, true);
    // What the admin tier does not match goes on to NetworkPolicy (here the api pods reaching themselves are exempt).
    const pass = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: pass-shop}
      spec:
        priority: 5
        subject: {namespaces: {matchLabels: {tenant: red}}}
        ingress:
        - {name: to-owners, action: Pass, from: [{namespaces: {matchLabels: {tenant: blue}}}]}
    `;
    const b = analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants, 'pass.yaml': pass, 'np.yaml': denyAll });
    const v = verdict(b, 'shop/web', 'bank/api');
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.decidedBy, 'network');
    assert.equal(v.ingress.passedBy?.ruleName, 'to-owners');
    assert.match(v.reason, /AdminNetworkPolicy pass-shop \(priority 5\) rule to-owners .* passes it on/);
  });

  it('the lower priority number is asked first', () => {
    const allowShop = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: allow-shop}
      spec:
        priority: 3
        subject: {namespaces: {matchLabels: {tenant: red}}}
        ingress:
        - {action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {tenant: blue}}, podSelector: {matchLabels: {app: web}}}}]}
    `;
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants, 'allow.yaml': allowShop });
    const v = verdict(a, 'shop/web', 'bank/api');
    assert.equal(v.allowed, true);
    assert.equal(v.ingress.rule?.policy.name, 'allow-shop');
    assert.match(v.reason, /rule spec\.ingress\[0\]/, 'a rule without a name is named by its position');
  });
});

describe('BaselineAdminNetworkPolicy: only where no NetworkPolicy isolates the pod', () => {
  const banp = yaml`
    apiVersion: policy.networking.k8s.io/v1alpha1
    kind: BaselineAdminNetworkPolicy
    metadata: {name: default}
    spec:
      subject: {namespaces: {}}
      ingress:
      - {name: default-deny, action: Deny, from: [{namespaces: {}}]}
  `;
  const allowWeb = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: allow-web, namespace: bank}
    spec:
      podSelector: {}
      ingress: [{from: [{namespaceSelector: {matchLabels: {tenant: blue}}}]}]
  `;

  it('denies where nothing isolates the pod, and steps aside where a NetworkPolicy does', () => {
    const a = analyze({ 'apps.yaml': apps, 'banp.yaml': banp });
    const v = verdict(a, 'shop/web', 'bank/api');
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.decidedBy, 'baseline');
    assert.match(v.reason, /BaselineAdminNetworkPolicy default rule default-deny/);
    const b = analyze({ 'apps.yaml': apps, 'banp.yaml': banp, 'np.yaml': allowWeb });
    assert.equal(verdict(b, 'shop/web', 'bank/api').allowed, true);
    assert.equal(verdict(b, 'monitoring/prometheus', 'bank/api').ingress.decidedBy, 'network');
  });

  it('a BaselineAdminNetworkPolicy not named default is an error at its name and decides nothing', () => {
    const text = banp.replace('name: default', 'name: baseline');
    const a = analyze({ 'apps.yaml': apps, 'banp.yaml': text });
    expectDiagnostic(a, 'baseline-policy-not-default', 'banp.yaml', lineOf(text, 'name: baseline'), columnOf(text, 'baseline'));
    assert.equal(verdict(a, 'shop/web', 'bank/api').allowed, true);
  });
});

describe('networks peers of both address families', () => {
  // network-policy-api v0.1.5 AdminNetworkPolicyEgressPeer.networks: "a list of CIDRs ... IPv4 or
  // IPv6"; a rule with a peer list matches traffic to any of them.
  const egressByNetworks = yaml`
    apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: {name: egress-networks}
    spec:
      priority: 20
      subject: {namespaces: {matchLabels: {tenant: red}}}
      egress:
      - {name: deny-ula-dns, action: Deny, to: [{networks: [fd00::/8, 192.0.2.0/24]}], ports: [{portNumber: {protocol: UDP, port: 53}}]}
      - {name: deny-rest, action: Deny, to: [{networks: [0.0.0.0/0, "::/0"]}]}
  `;
  const external = (ip: string) => ({ kind: 'external' as const, ip });

  it('the engine decides IPv6 destinations by the IPv6 CIDRs, like IPv4 ones', () => {
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': egressByNetworks });
    const v6 = a.policies.verdict(podOf(a, 'bank/api'), external('fd00::53'), 53, 'UDP');
    assert.equal(v6.allowed, false);
    assert.equal(v6.egress.rule?.ruleName, 'deny-ula-dns');
    assert.equal(a.policies.verdict(podOf(a, 'bank/api'), external('2001:db8::1'), 443, 'TCP').egress.rule?.ruleName, 'deny-rest');
    assert.equal(a.policies.verdict(podOf(a, 'shop/web'), external('2001:db8::1'), 443, 'TCP').allowed, true, 'not a subject');
  });

  it('the connectivity list, like netpol-analyzer, lists IPv4 ranges only unless asked for IPv6', () => {
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': egressByNetworks });
    const dsts = (ipv6: boolean) => [
      ...new Set(
        connectivityList(a.policies, { ipv6 })
          .entries.map((e) => e.dst)
          .filter((d) => d.endsWith('[External]')),
      ),
    ];
    assert.ok(dsts(false).length > 0);
    assert.deepEqual(
      dsts(false).filter((d) => d.includes(':')),
      [],
    );
    assert.ok(dsts(false).includes('192.0.2.0-192.0.2.255[External]'), 'the IPv4 CIDR of the same peer list still cuts the ranges');
    assert.ok(dsts(true).includes('fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]'));
    const line = connectivityList(a.policies, { ipv6: true }).entries.find(
      (e) => e.src === 'bank/api[Deployment]' && e.dst === 'fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]',
    );
    assert.equal(line, undefined, 'the api reaches no IPv6 address: deny-rest denies what deny-ula-dns leaves');
  });
});

describe('cluster-wide policy diagnostics', () => {
  it('admin-policy-priority-tie: two policies at one priority selecting the same pods, at the second one', () => {
    const twin = denyBetweenTenants.replace('name: tenant-isolation', 'name: zz-twin');
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants, 'twin.yaml': twin });
    const d = expectDiagnostic(a, 'admin-policy-priority-tie', 'twin.yaml', lineOf(twin, 'priority: 10'), columnOf(twin, '10'));
    assert.match(d.message, /AdminNetworkPolicy tenant-isolation and AdminNetworkPolicy zz-twin both have priority 10/);
    assert.match(d.message, /Deployment bank\/api/);
    assert.equal(d.related?.[0]?.location.file, 'anp.yaml');
    // At another priority, or selecting other pods, there is no tie.
    expectNoDiagnostic(
      analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants, 'twin.yaml': twin.replace('priority: 10', 'priority: 11') }),
      'admin-policy-priority-tie',
    );
    expectNoDiagnostic(
      analyze({ 'apps.yaml': apps, 'anp.yaml': denyBetweenTenants, 'twin.yaml': twin.replace('tenant: red}', 'tenant: blue}') }),
      'admin-policy-priority-tie',
    );
  });

  it('admin-policy-rule-shadowed: a rule an earlier rule always decides first, at the rule', () => {
    const text = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: guard}
      spec:
        priority: 20
        subject: {namespaces: {matchLabels: {tenant: red}}}
        ingress:
        - name: deny-all
          action: Deny
          from: [{namespaces: {}}]
        - name: allow-monitoring
          action: Allow
          from: [{namespaces: {matchLabels: {tenant: ops}}}]
          ports: [{portNumber: {protocol: TCP, port: 8080}}]
    `;
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': text });
    const d = expectDiagnostic(
      a,
      'admin-policy-rule-shadowed',
      'anp.yaml',
      lineOf(text, '- name: allow-monitoring'),
      columnOf(text, 'name: allow-monitoring'),
    );
    assert.match(d.message, /Rule allow-monitoring of AdminNetworkPolicy guard never decides anything/);
    assert.match(d.message, /AdminNetworkPolicy guard \(priority 20\) rule deny-all/);
    // Swapped, each rule decides something: nothing is shadowed.
    const swapped = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: guard}
      spec:
        priority: 20
        subject: {namespaces: {matchLabels: {tenant: red}}}
        ingress:
        - name: allow-monitoring
          action: Allow
          from: [{namespaces: {matchLabels: {tenant: ops}}}]
          ports: [{portNumber: {protocol: TCP, port: 8080}}]
        - name: deny-all
          action: Deny
          from: [{namespaces: {}}]
    `;
    expectNoDiagnostic(analyze({ 'apps.yaml': apps, 'anp.yaml': swapped }), 'admin-policy-rule-shadowed');
    // A rule of a later policy shadowed by a policy of a lower priority number.
    const later = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: later}
      spec:
        priority: 30
        subject: {namespaces: {matchLabels: {tenant: red}}}
        ingress:
        - {name: allow-shop, action: Allow, from: [{namespaces: {matchLabels: {tenant: blue}}}]}
    `;
    const b = analyze({ 'apps.yaml': apps, 'anp.yaml': swapped, 'later.yaml': later });
    const e = expectDiagnostic(
      b,
      'admin-policy-rule-shadowed',
      'later.yaml',
      lineOf(later, '- {name: allow-shop'),
      columnOf(later, '{name: allow-shop'),
    );
    assert.match(e.message, /guard \(priority 20\) rule deny-all/);
  });

  it('admin-policy-pass-to-baseline: a Pass for pods no NetworkPolicy isolates (info, at the action)', () => {
    const pass = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: delegate}
      spec:
        priority: 50
        subject: {namespaces: {matchLabels: {tenant: red}}}
        egress:
        - name: owners-decide
          action: Pass
          to: [{namespaces: {}}]
    `;
    const a = analyze({ 'apps.yaml': apps, 'anp.yaml': pass });
    const d = expectDiagnostic(a, 'admin-policy-pass-to-baseline', 'anp.yaml', lineOf(pass, 'action: Pass'), columnOf(pass, 'Pass'));
    assert.equal(d.severity, 'info');
    assert.match(d.message, /passes egress of Deployment bank\/api on to NetworkPolicy, but no NetworkPolicy isolates it for egress/);
    assert.match(d.message, /no baseline policy selects them either/);
    const np = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: egress, namespace: bank}
      spec: {podSelector: {}, policyTypes: [Egress]}
    `;
    expectNoDiagnostic(analyze({ 'apps.yaml': apps, 'anp.yaml': pass, 'np.yaml': np }), 'admin-policy-pass-to-baseline');
  });

  it('admin-policy-peer-not-simulated: a ClusterNetworkPolicy domainNames peer is said, at the field', () => {
    const cnp = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha2
      kind: ClusterNetworkPolicy
      metadata: {name: egress-github}
      spec:
        tier: Admin
        priority: 5
        subject: {namespaces: {}}
        egress:
        - name: github
          action: Accept
          to:
          - domainNames: [api.github.com]
    `;
    const a = analyze({ 'apps.yaml': apps, 'cnp.yaml': cnp });
    const d = expectDiagnostic(a, 'admin-policy-peer-not-simulated', 'cnp.yaml', lineOf(cnp, 'domainNames'), columnOf(cnp, 'domainNames'));
    assert.match(d.message, /ClusterNetworkPolicy egress-github rule github names domainNames api\.github\.com/);
    assert.deepEqual(where(a, 'admin-policy-rule-shadowed'), []);
  });
});

describe('examples/tenants: a cluster-wide policy as its comments describe it', () => {
  const dir = join(__dirname, '..', '..', 'examples', 'tenants');
  const files = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [`examples/tenants/${f}`, readFileSync(join(dir, f), 'utf8')]),
  );

  it('monitoring scrapes only the metrics port, the bank decides inside the bank, other tenants are denied, the baseline denies the rest', () => {
    const a = analyze(files);
    const inside = connectivityList(a.policies)
      .entries.filter((e) => !e.src.includes('[External]') && !e.dst.includes('[External]'))
      .map((e) => `${e.src} => ${e.dst} : ${e.conn.toString()}`);
    assert.deepEqual(inside, [
      'bank/teller[Deployment] => bank/ledger[Deployment] : TCP 8080',
      'monitoring/prometheus[Deployment] => bank/ledger[Deployment] : TCP 9100',
    ]);
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.code} ${d.message.slice(0, 60)}`),
      ['connection-blocked-by-policy Deployment shop/storefront (env LEDGER_URL) cannot connect t'],
    );
    const t = tracePacket(a, from(a, 'shop/storefront'), 'http://ledger.bank:8080');
    assert.equal(t.verdict, 'dropped');
    assert.match(t.reason, /^AdminNetworkPolicy drops it on the way into bank\/ledger-.*rule deny-other-tenants/);
  });
});
