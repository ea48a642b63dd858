// Calico's tiers (projectcalico.org/v3 Tier) under `cni: calico`. Expectations come from the Tier
// reference (https://docs.tigera.io/calico/latest/reference/resources/tier: tiers in order, lowest
// first; Allow or Deny ends evaluation; Pass goes to the next tier that has a policy applying to
// the endpoint; a tier that applies but takes no action drops the packet, unless its
// defaultAction is Pass; past the last tier the endpoint's profile decides) and the tiers page
// (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy: the default
// tier at order 1,000,000 holds the Kubernetes NetworkPolicies; the AdminNetworkPolicies' tier is
// at 1,000 and the BaselineAdminNetworkPolicy's at 10,000,000, both with defaultAction Pass).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, expectDiagnostic, lineOf, columnOf, where, workload, yaml } from '../helpers';
import { connectivityList, tracePacket, type Analysis } from '../../src/engine';
import { from } from '../traceFixtures';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ns = (name: string, env: string) => yaml`
  apiVersion: v1
  kind: Namespace
  metadata:
    name: ${name}
    labels: {env: ${env}}
`;

const apps = docs(
  ns('production', 'prod'),
  ns('dev', 'dev'),
  workload({ name: 'database', namespace: 'production', labels: { role: 'database' }, ports: [{ containerPort: 6379 }] }),
  workload({ name: 'cache', namespace: 'production', labels: { role: 'cache' }, ports: [{ containerPort: 6379 }] }),
  workload({ name: 'frontend', namespace: 'production', labels: { role: 'frontend' }, ports: [{ containerPort: 80 }] }),
  workload({ name: 'tool', namespace: 'dev', labels: { role: 'tool' }, ports: [{ containerPort: 80 }] }),
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  namespace: production\nspec:\n  selector:\n    role: database\n  ports:\n  - port: 6379\n',
);

const tier = (name: string, order: number | undefined, defaultAction?: string) => yaml`
  apiVersion: projectcalico.org/v3
  kind: Tier
  metadata:
    name: ${name}
  spec:
    ${order !== undefined ? `order: ${order}` : ''}
    ${defaultAction ? `defaultAction: ${defaultAction}` : ''}
`;

/** A GlobalNetworkPolicy of one ingress rule to the selected pods from the pods `source` selects. */
const gnp = (o: { name: string; tier?: string; order?: number; selector: string; action: string; source: string }) => yaml`
  apiVersion: projectcalico.org/v3
  kind: GlobalNetworkPolicy
  metadata:
    name: ${o.name}
  spec:
    ${o.tier ? `tier: ${o.tier}` : ''}
    ${o.order !== undefined ? `order: ${o.order}` : ''}
    selector: ${o.selector}
    types: [Ingress]
    ingress:
    - action: ${o.action}
      protocol: TCP
      source:
        selector: ${o.source}
`;

// The Kubernetes NetworkPolicy the application team writes: the database admits the frontend only.
const npFrontendOnly = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: db-from-frontend
    namespace: production
  spec:
    podSelector:
      matchLabels:
        role: database
    ingress:
    - from:
      - podSelector:
          matchLabels:
            role: frontend
`;

const podOf = (a: Analysis, name: string) => {
  const p = a.cluster.pods.find((x) => x.workload.name === name);
  assert.ok(p, `no pod of ${name}`);
  return { kind: 'pod' as const, pod: p };
};
const verdict = (a: Analysis, src: string, dst: string, port = 6379) => a.policies.verdict(podOf(a, src), podOf(a, dst), port, 'TCP');
const calico = (files: Record<string, string>) => analyze(files, { cni: 'calico' });

/** Every pod pair's verdict on the port equals what the matrix lists (partition and decide agree). */
function assertMatrixAgrees(a: Analysis, port = 6379): void {
  const rows = connectivityList(a.policies).entries;
  const names = ['database', 'cache', 'frontend', 'tool'];
  for (const s of names)
    for (const d of names) {
      if (s === d) continue;
      const src = podOf(a, s);
      const dst = podOf(a, d);
      const key = (p: typeof src) => `${p.pod.namespace}/${p.pod.workload.name}[Deployment]`;
      const row = rows.find((e) => e.src === key(src) && e.dst === key(dst));
      const listed = row ? row.conn.has('TCP', port) : false;
      assert.equal(listed, a.policies.verdict(src, dst, port, 'TCP').allowed, `${s} → ${d}: matrix and verdict disagree`);
    }
}

describe('Calico tiers: order, Pass and the default action', () => {
  it('a security tier (order 300) that passes the frontend on lets the default tier’s NetworkPolicy decide', () => {
    const a = calico({
      'apps.yaml': apps,
      'np.yaml': npFrontendOnly,
      'tier.yaml': tier('security', 300),
      'pass.yaml': gnp({ name: 'security.pass-app', tier: 'security', selector: "role == 'database'", action: 'Pass', source: 'all()' }),
    });
    const fe = verdict(a, 'frontend', 'database');
    assert.equal(fe.allowed, true);
    assert.equal(fe.ingress.decidedBy, 'network');
    assert.equal(fe.ingress.passedBy?.tier, 'security');
    assert.match(
      fe.ingress.reason,
      /GlobalNetworkPolicy security\.pass-app \(tier security\) rule spec\.ingress\[0\] \(pass\.yaml:\d+:\d+\) passes it on; /,
    );
    // The Pass hands the tool to the NetworkPolicy too, which does not admit it.
    const tool = verdict(a, 'tool', 'database');
    assert.equal(tool.allowed, false);
    assert.equal(tool.ingress.decidedBy, 'network');
    assertMatrixAgrees(a);
  });

  it('a tier that applies and decides nothing denies at its end; with defaultAction Pass it hands on', () => {
    const allowFrontend = gnp({
      name: 'security.fe',
      tier: 'security',
      selector: "role == 'database'",
      action: 'Allow',
      source: "role == 'frontend'",
    });
    const a = calico({ 'apps.yaml': apps, 'tier.yaml': tier('security', 300), 'allow.yaml': allowFrontend });
    const tool = verdict(a, 'tool', 'database');
    assert.equal(tool.allowed, false);
    assert.equal(tool.ingress.decidedBy, 'cni');
    assert.equal(tool.ingress.rule?.tier, 'security');
    assert.match(tool.ingress.reason, /no rule of the security tier allows this, so the end of the tier denies it/);
    assert.equal(verdict(a, 'frontend', 'database').allowed, true);
    // The cache is selected by no policy of the tier: the tier does not apply to it.
    assert.equal(verdict(a, 'tool', 'cache').allowed, true);
    assertMatrixAgrees(a);

    const b = calico({ 'apps.yaml': apps, 'tier.yaml': tier('security', 300, 'Pass'), 'allow.yaml': allowFrontend });
    const passed = verdict(b, 'tool', 'database');
    assert.equal(passed.allowed, true);
    assert.equal(passed.ingress.passedBy?.tier, 'security');
    assert.match(passed.ingress.reason, /the namespace's profile allows it/);
    assertMatrixAgrees(b);
  });

  it('tiers go by order, not by the policies’ own order: a Deny in tier 100 wins over an Allow of order 1 in tier 200', () => {
    const a = calico({
      'apps.yaml': apps,
      'tiers.yaml': docs(tier('first', 100), tier('second', 200)),
      'deny.yaml': gnp({
        name: 'first.deny',
        tier: 'first',
        order: 500,
        selector: "role == 'database'",
        action: 'Deny',
        source: "role == 'frontend'",
      }),
      'allow.yaml': gnp({
        name: 'second.allow',
        tier: 'second',
        order: 1,
        selector: "role == 'database'",
        action: 'Allow',
        source: 'all()',
      }),
    });
    const v = verdict(a, 'frontend', 'database');
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.rule?.policy.name, 'first.deny');
    // The first tier applies to the database: no rule of it matches the tool, and its end denies.
    assert.equal(verdict(a, 'tool', 'database').allowed, false);
    assertMatrixAgrees(a);
  });

  it('a tier after the default tier is asked only when the default tier does not decide', () => {
    const late = gnp({ name: 'late.deny-all', tier: 'late', selector: 'all()', action: 'Deny', source: 'all()' });
    const a = calico({ 'apps.yaml': apps, 'np.yaml': npFrontendOnly, 'tier.yaml': tier('late', 2_000_000), 'deny.yaml': late });
    // The NetworkPolicy isolates the database: the default tier applies, and its allow is final.
    assert.equal(verdict(a, 'frontend', 'database').allowed, true);
    assert.equal(verdict(a, 'frontend', 'database').ingress.decidedBy, 'network');
    // No policy of the default tier selects the cache: the later tier's Deny decides.
    const cache = verdict(a, 'frontend', 'cache');
    assert.equal(cache.allowed, false);
    assert.equal(cache.ingress.rule?.tier, 'late');
    assertMatrixAgrees(a);
  });

  it('a Pass out of the default tier skips its NetworkPolicies and reaches the BaselineAdminNetworkPolicy', () => {
    const banp = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: BaselineAdminNetworkPolicy
      metadata:
        name: default
      spec:
        subject:
          namespaces: {}
        ingress:
        - name: deny-dev
          action: Deny
          from:
          - namespaces:
              matchLabels:
                env: dev
    `;
    const pass = gnp({ name: 'pass-all', order: 10, selector: "role == 'database'", action: 'Pass', source: 'all()' });
    const a = calico({ 'apps.yaml': apps, 'np.yaml': npFrontendOnly, 'banp.yaml': banp, 'pass.yaml': pass });
    const tool = verdict(a, 'tool', 'database');
    assert.equal(tool.allowed, false);
    assert.equal(tool.ingress.decidedBy, 'baseline');
    assert.equal(tool.ingress.passedBy?.skipsNetworkPolicy, true);
    // The frontend passes too: the NetworkPolicy is skipped, the baseline does not deny it, the profile allows it.
    const fe = verdict(a, 'frontend', 'database');
    assert.equal(fe.allowed, true);
    assert.equal(fe.ingress.decidedBy, 'none');
    assert.match(fe.ingress.reason, /it leaves the default tier, past the NetworkPolicies there that isolate pod production\/database-/);
    assertMatrixAgrees(a);
    const t = tracePacket(a, from(a, 'dev/Deployment/tool'), 'db.production:6379');
    assert.equal(t.verdict, 'dropped');
  });

  it('a tier ordered before the AdminNetworkPolicies’ (1000) is asked before them; one after, after them', () => {
    const anp = yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata:
        name: deny-frontend
      spec:
        priority: 10
        subject:
          namespaces: {}
        ingress:
        - name: deny
          action: Deny
          from:
          - pods:
              namespaceSelector: {}
              podSelector:
                matchLabels:
                  role: frontend
    `;
    const allow = (t: string) =>
      gnp({ name: `${t}.allow`, tier: t, selector: "role == 'database'", action: 'Allow', source: "role == 'frontend'" });
    const early = calico({ 'apps.yaml': apps, 'anp.yaml': anp, 'tier.yaml': tier('platform', 100), 'allow.yaml': allow('platform') });
    const v = verdict(early, 'frontend', 'database');
    assert.equal(v.allowed, true);
    assert.equal(v.ingress.decidedBy, 'cni');
    assertMatrixAgrees(early);
    const late = calico({ 'apps.yaml': apps, 'anp.yaml': anp, 'tier.yaml': tier('app', 5000), 'allow.yaml': allow('app') });
    const w = verdict(late, 'frontend', 'database');
    assert.equal(w.allowed, false);
    assert.equal(w.ingress.decidedBy, 'admin');
    assertMatrixAgrees(late);
  });
});

describe('Calico tiers: what is not there', () => {
  it('a policy in a tier the workspace does not define is reported at spec.tier and left out', () => {
    const deny = gnp({ name: 'security.deny', tier: 'securty', selector: "role == 'database'", action: 'Deny', source: 'all()' });
    const a = calico({ 'apps.yaml': apps, 'tier.yaml': tier('security', 300), 'deny.yaml': deny });
    const d = expectDiagnostic(a, 'calico-tier-missing', 'deny.yaml', lineOf(deny, 'tier: securty'), columnOf(deny, 'securty'));
    assert.match(d.message, /did you mean tier security\?/);
    assert.equal(verdict(a, 'frontend', 'database').allowed, true);
  });

  it('a Tier object is read, not reported as a kind that is not simulated', () => {
    const a = calico({ 'apps.yaml': apps, 'tier.yaml': tier('security', 300) });
    assert.deepEqual(where(a, 'kind-not-simulated'), []);
  });

  it('a Calico policy placed in the AdminNetworkPolicies’ tier is said not simulated at spec.tier', () => {
    const p = gnp({ name: 'kube-admin.allow', tier: 'kube-admin', selector: "role == 'database'", action: 'Deny', source: 'all()' });
    const a = calico({ 'apps.yaml': apps, 'p.yaml': p });
    const d = expectDiagnostic(a, 'cni-policy-field-not-simulated', 'p.yaml', lineOf(p, 'tier: kube-admin'), columnOf(p, 'kube-admin'));
    assert.match(d.message, /left out/);
  });

  it('a Tier with an order that is not a number is reported at it, and its policies are left out as in a missing tier', () => {
    const bad = 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: first\n';
    const deny = gnp({ name: 'security.deny', tier: 'security', selector: "role == 'database'", action: 'Deny', source: 'all()' });
    const a = calico({ 'apps.yaml': apps, 'tier.yaml': bad, 'deny.yaml': deny });
    assert.ok(a.diagnostics.some((d) => d.range.file === 'tier.yaml' && d.range.line === 6 && /order must be a number/.test(d.message)));
    assert.ok(where(a, 'calico-tier-missing').length === 1);
    assert.equal(verdict(a, 'frontend', 'database').allowed, true);
  });
});

describe('examples/calico does what its comments say', () => {
  const dir = join(__dirname, '..', '..', 'examples', 'calico');
  const files = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f !== 'kube-netsim.yaml')
      .map((f) => [`examples/calico/${f}`, readFileSync(join(dir, f), 'utf8')]),
  );
  assert.match(readFileSync(join(dir, 'kube-netsim.yaml'), 'utf8'), /^cni: calico$/m);
  const a = calico(files);

  it('the quarantined namespace is denied by the security tier before the NetworkPolicy that would admit it', () => {
    const t = tracePacket(a, from(a, 'scratch/Deployment/debug'), 'summary.bank:8080');
    assert.equal(t.verdict, 'dropped');
    assert.match(t.reason, /GlobalNetworkPolicy security\.quarantine \(tier security, order 10\) rule spec\.ingress\[0\]/);
  });

  it('the rest is passed on to the default tier, where the NetworkPolicy admits it', () => {
    const t = tracePacket(a, from(a, 'bank/Deployment/customer'), 'http://summary:8080');
    assert.equal(t.verdict, 'delivered');
    const hop = t.hops.find((h) => h.kind === 'policy' && h.direction === 'ingress');
    assert.ok(hop?.kind === 'policy');
    assert.equal(hop.result.decidedBy, 'network');
    assert.equal(hop.result.passedBy?.policy.name, 'security.quarantine');
  });

  it('without the Pass, the end of the security tier would deny the front end too', () => {
    const tierFile = 'examples/calico/security-tier.yaml';
    const noPass = { ...files, [tierFile]: files[tierFile]!.replace('  - action: Pass\n', '') };
    const b = calico(noPass);
    const t = tracePacket(b, from(b, 'bank/Deployment/customer'), 'http://summary:8080');
    assert.equal(t.verdict, 'dropped');
    assert.match(t.reason, /the end of the tier denies it/);
  });

  it('has no warnings or errors', () => {
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code),
      [],
    );
  });
});
