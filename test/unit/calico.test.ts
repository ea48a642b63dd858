// Calico NetworkPolicy and GlobalNetworkPolicy under `cni: calico` and `canal` (design.md "Policy
// layers", layer 2). Expectations come from Calico's reference
// (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
// https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy) and its tiers page
// (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy: order, Pass,
// end-of-tier deny, Kubernetes NetworkPolicies at order 1000).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, expectDiagnostic, lineOf, columnOf, where, workload, yaml } from '../helpers';
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
  ns('production', { env: 'prod' }),
  ns('dev', { env: 'dev' }),
  workload({ name: 'database', namespace: 'production', labels: { role: 'database' }, ports: [{ containerPort: 6379, name: 'redis' }] }),
  workload({ name: 'frontend', namespace: 'production', labels: { role: 'frontend' }, ports: [{ containerPort: 80 }] }),
  workload({ name: 'tool', namespace: 'dev', labels: { role: 'frontend' }, ports: [{ containerPort: 80 }] }),
);

// The reference's example: allow TCP 6379 to role == 'database' from role == 'frontend'.
const allow6379 = yaml`
  apiVersion: projectcalico.org/v3
  kind: NetworkPolicy
  metadata:
    name: allow-tcp-6379
    namespace: production
  spec:
    selector: role == 'database'
    types:
    - Ingress
    - Egress
    ingress:
    - action: Allow
      metadata:
        annotations:
          from: frontend
          to: database
      protocol: TCP
      source:
        selector: role == 'frontend'
      destination:
        ports:
        - 6379
    egress:
    - action: Allow
`;

const podOf = (a: Analysis, name: string, namespace = 'production') => {
  const p = a.cluster.pods.find((x) => x.workload.name === name && x.namespace === namespace);
  assert.ok(p, `no pod of ${namespace}/${name}`);
  return { kind: 'pod' as const, pod: p };
};
const verdict = (a: Analysis, src: [string, string], dst: [string, string], port: number) =>
  a.policies.verdict(podOf(a, src[0], src[1]), podOf(a, dst[0], dst[1]), port, 'TCP');
const FE: [string, string] = ['frontend', 'production'];
const DB: [string, string] = ['database', 'production'];
const TOOL: [string, string] = ['tool', 'dev'];
const calico = (files: Record<string, string>, cni: 'calico' | 'canal' = 'calico') => analyze(files, { cni });

describe('Calico NetworkPolicy (projectcalico.org/v3)', () => {
  it('the reference example: frontend reaches the database on 6379 only; the verdict names tier, policy, order and rule', () => {
    const a = calico({ 'apps.yaml': apps, 'calico.yaml': allow6379 });
    const ok = verdict(a, FE, DB, 6379);
    assert.equal(ok.allowed, true);
    assert.equal(ok.ingress.decidedBy, 'cni');
    assert.match(
      ok.ingress.reason,
      /allowed by Calico NetworkPolicy production\/allow-tcp-6379 \(tier default\) rule spec\.ingress\[0\] \(calico\.yaml:12:5\)/,
    );
    const other = verdict(a, FE, DB, 80);
    assert.equal(other.allowed, false);
    assert.match(
      other.reason,
      /production\/allow-tcp-6379 \(tier default\) \(calico\.yaml:7:13\), which applies to the pod for ingress, and no rule of the default tier .* so the end of the tier denies it/,
    );
    // A namespaced policy's source selector selects pods of its own namespace only.
    assert.equal(verdict(a, TOOL, DB, 6379).allowed, false);
  });

  it('is enforced under calico and canal; under another CNI it is reported policy-not-enforced and left out', () => {
    assert.equal(verdict(calico({ 'apps.yaml': apps, 'calico.yaml': allow6379 }, 'canal'), FE, DB, 80).allowed, false);
    for (const cni of ['cilium', 'flannel'] as const) {
      const a = analyze({ 'apps.yaml': apps, 'calico.yaml': allow6379 }, { cni });
      assert.equal(verdict(a, FE, DB, 80).allowed, true, cni);
      const d = expectDiagnostic(
        a,
        'policy-not-enforced',
        'calico.yaml',
        lineOf(allow6379, 'name: allow'),
        columnOf(allow6379, 'allow-tcp-6379'),
      );
      assert.match(d.message, /does not implement Calico NetworkPolicy/);
    }
  });

  it('the crd.projectcalico.org/v1 form (as kubectl shows it) reads the same', () => {
    const a = calico({ 'apps.yaml': apps, 'calico.yaml': allow6379.replace('projectcalico.org/v3', 'crd.projectcalico.org/v1') });
    assert.equal(verdict(a, FE, DB, 6379).allowed, true);
    assert.equal(verdict(a, FE, DB, 80).allowed, false);
  });

  it('namespaceSelector in a rule selects other namespaces; notPorts and nets/notNets', () => {
    const policy = yaml`
      apiVersion: projectcalico.org/v3
      kind: NetworkPolicy
      metadata:
        name: mixed
        namespace: production
      spec:
        selector: role == 'database'
        ingress:
        - action: Allow
          protocol: TCP
          source:
            namespaceSelector: env == 'dev'
          destination:
            notPorts: [80]
        - action: Allow
          protocol: TCP
          source:
            nets: [198.51.100.0/24]
            notNets: [198.51.100.128/25]
    `;
    const a = calico({ 'apps.yaml': apps, 'calico.yaml': policy });
    assert.equal(verdict(a, TOOL, DB, 6379).allowed, true);
    assert.equal(verdict(a, TOOL, DB, 80).allowed, false);
    assert.equal(verdict(a, FE, DB, 6379).allowed, false);
    const ext = (ip: string) => a.policies.verdict({ kind: 'external', ip }, podOf(a, 'database'), 6379, 'TCP').allowed;
    assert.equal(ext('198.51.100.7'), true);
    assert.equal(ext('198.51.100.200'), false);
    assert.equal(ext('203.0.113.1'), false);
  });
});

describe('Calico order, actions and the Kubernetes NetworkPolicies at order 1000', () => {
  const gnp = (name: string, order: string, action: string, selector = "role == 'database'") => yaml`
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: ${name}
    spec:
      ${order}
      selector: ${selector}
      types: [Ingress]
      ingress:
      - action: ${action}
        protocol: TCP
        source:
          selector: role == 'frontend'
  `;
  const npAllow = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: allow-frontend
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

  it('lower order first: a Deny at order 10 wins over an Allow at order 20; swapped, the Allow wins', () => {
    const a = calico({
      'apps.yaml': apps,
      'deny.yaml': gnp('deny', 'order: 10', 'Deny'),
      'allow.yaml': gnp('allow', 'order: 20', 'Allow'),
    });
    const v = verdict(a, FE, DB, 6379);
    assert.equal(v.allowed, false);
    assert.match(v.reason, /GlobalNetworkPolicy deny \(tier default, order 10\) rule spec\.ingress\[0\]/);
    const b = calico({
      'apps.yaml': apps,
      'deny.yaml': gnp('deny', 'order: 30', 'Deny'),
      'allow.yaml': gnp('allow', 'order: 20', 'Allow'),
    });
    assert.equal(verdict(b, FE, DB, 6379).allowed, true);
    // A GlobalNetworkPolicy's source selector selects pods of every namespace.
    assert.equal(verdict(b, TOOL, DB, 6379).allowed, true);
  });

  it('an unset order comes last: after a Kubernetes NetworkPolicy (order 1000) that allows', () => {
    const a = calico({ 'apps.yaml': apps, 'deny.yaml': gnp('deny', '', 'Deny'), 'np.yaml': npAllow });
    const v = verdict(a, FE, DB, 6379);
    assert.equal(v.allowed, true);
    assert.equal(v.ingress.decidedBy, 'network');
    // Before 1000 the Calico Deny comes first.
    const b = calico({ 'apps.yaml': apps, 'deny.yaml': gnp('deny', 'order: 999', 'Deny'), 'np.yaml': npAllow });
    assert.equal(verdict(b, FE, DB, 6379).allowed, false);
  });

  it('Log goes on to the next rule; Pass leaves the default tier, and the namespace profile allows', () => {
    const log = calico({ 'apps.yaml': apps, 'log.yaml': gnp('log', 'order: 1', 'Log'), 'deny.yaml': gnp('deny', 'order: 2', 'Deny') });
    assert.equal(verdict(log, FE, DB, 6379).allowed, false);
    const pass = calico({ 'apps.yaml': apps, 'pass.yaml': gnp('pass', 'order: 1', 'Pass'), 'deny.yaml': gnp('deny', 'order: 2', 'Deny') });
    const v = verdict(pass, FE, DB, 6379);
    assert.equal(v.allowed, true);
    assert.match(
      v.reason,
      /GlobalNetworkPolicy pass \(tier default, order 1\) rule spec\.ingress\[0\] \(pass\.yaml:\d+:\d+\) passes it on; it leaves the default tier, and no later tier nor baseline rule decides, so the namespace's profile allows it/,
    );
  });

  it('the matrix and the trace follow the same order; the trace hop names Felix', () => {
    const a = calico({
      'apps.yaml': docs(
        apps,
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  namespace: production\nspec:\n  selector:\n    role: database\n  ports:\n  - port: 6379\n',
      ),
      'calico.yaml': allow6379,
    });
    const row = connectivityList(a.policies).entries.find(
      (e) => e.src === 'production/frontend[Deployment]' && e.dst === 'production/database[Deployment]',
    );
    assert.equal(row?.conn.toString(), 'TCP 6379');
    assert.ok(
      !connectivityList(a.policies).entries.some((e) => e.src === 'dev/tool[Deployment]' && e.dst === 'production/database[Deployment]'),
    );
    const t = tracePacket(a, from(a, 'production/Deployment/frontend'), 'db.production:6379');
    assert.equal(t.verdict, 'delivered');
    const hop = t.hops.find((h) => h.kind === 'policy' && h.direction === 'ingress');
    assert.ok(hop?.kind === 'policy');
    assert.match(hop.enforcer ?? '', /Calico Felix/);
    assert.equal(hop.result.rule?.tier, 'default');
    const no = tracePacket(a, from(a, 'dev/Deployment/tool'), 'db.production:6379');
    assert.equal(no.verdict, 'dropped');
    assert.match(no.reason, /Calico NetworkPolicy drops it on the way into production\/database-/);
  });
});

describe('Calico selectors in policies', () => {
  it('a syntax error is reported at the character and the policy is not simulated', () => {
    const policy = yaml`
      apiVersion: projectcalico.org/v3
      kind: NetworkPolicy
      metadata:
        name: broken
        namespace: production
      spec:
        selector: role = 'database'
        ingress:
        - action: Deny
    `;
    const a = calico({ 'apps.yaml': apps, 'calico.yaml': policy });
    const line = lineOf(policy, 'selector:');
    const d = expectDiagnostic(a, 'calico-selector-syntax', 'calico.yaml', line, columnOf(policy, '= '));
    assert.match(d.message, /at character 6: unexpected character "="/);
    assert.equal(verdict(a, FE, DB, 6379).allowed, true);
    assert.deepEqual(where(a, 'kind-not-simulated'), []);
  });
});

describe('Calico diagnostics', () => {
  it('a policy selector that matches no pod of its namespace is reported at the selector', () => {
    const policy = allow6379.replace("selector: role == 'database'", "selector: role == 'databse'");
    const a = calico({ 'apps.yaml': apps, 'calico.yaml': policy });
    const d = expectDiagnostic(
      a,
      'calico-selector-matches-nothing',
      'calico.yaml',
      lineOf(policy, 'selector: role'),
      columnOf(policy, "role == 'databse'"),
    );
    assert.match(d.message, /matches no pod in namespace production/);
    assert.deepEqual(where(calico({ 'apps.yaml': apps, 'calico.yaml': allow6379 }), 'calico-selector-matches-nothing'), []);
  });

  it('a Deny that a lower-order Allow shadows is reported at its action; one that still decides is not', () => {
    const gnp = (name: string, order: number, action: string, port: string) => yaml`
      apiVersion: projectcalico.org/v3
      kind: GlobalNetworkPolicy
      metadata:
        name: ${name}
      spec:
        order: ${order}
        selector: role == 'database'
        types: [Ingress]
        ingress:
        - action: ${action}
          protocol: TCP
          source:
            selector: role == 'frontend'
          ${port}
    `;
    const deny = gnp('deny-frontend', 20, 'Deny', 'destination: {ports: [6379]}');
    const a = calico({ 'apps.yaml': apps, 'allow.yaml': gnp('allow-frontend', 10, 'Allow', ''), 'deny.yaml': deny });
    const d = expectDiagnostic(a, 'calico-deny-shadowed', 'deny.yaml', lineOf(deny, 'action: Deny'), columnOf(deny, 'Deny'));
    assert.match(d.message, /GlobalNetworkPolicy allow-frontend \(order 10\) rule spec\.ingress\[0\] allows all of it first/);
    const b = calico({ 'apps.yaml': apps, 'allow.yaml': gnp('allow-frontend', 30, 'Allow', ''), 'deny.yaml': deny });
    assert.deepEqual(where(b, 'calico-deny-shadowed'), []);
  });
});

describe('Calico diagnostics: rule selectors', () => {
  it('a source selector that matches no pod in its scope is reported at it', () => {
    const policy = allow6379.replace("selector: role == 'frontend'", "selector: role == 'fronted'");
    const a = calico({ 'apps.yaml': apps, 'calico.yaml': policy });
    const d = expectDiagnostic(
      a,
      'calico-selector-matches-nothing',
      'calico.yaml',
      lineOf(policy, "role == 'fronted'"),
      columnOf(policy, "role == 'fronted'"),
    );
    assert.match(d.message, /\(rule spec\.ingress\[0\]\) matches no pod in namespace production, so this rule matches no pod/);
  });
});

describe('Calico service accounts', () => {
  it('serviceAccountSelector selects the pods running as a labelled ServiceAccount; source.serviceAccounts.names matches by name', () => {
    const sa = yaml`
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: intern
        namespace: production
        labels:
          role: intern
    `;
    const files = {
      'apps.yaml': docs(
        apps,
        sa,
        workload({
          name: 'batch',
          namespace: 'production',
          labels: { app: 'batch' },
          podSpec: 'serviceAccountName: intern',
          ports: [{ containerPort: 80 }],
        }),
        workload({ name: 'batch2', namespace: 'production', labels: { app: 'batch2' }, podSpec: 'serviceAccountName: intern' }),
      ),
      'calico.yaml': yaml`
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: interns
          namespace: production
        spec:
          serviceAccountSelector: role == 'intern'
          types: [Ingress]
          ingress:
          - action: Allow
            protocol: TCP
            source:
              serviceAccounts:
                names: [default]
      `,
    };
    const a = calico(files);
    const batch: [string, string] = ['batch', 'production'];
    assert.equal(verdict(a, FE, batch, 80).allowed, true, 'frontend runs as default');
    assert.equal(verdict(a, DB, batch, 80).allowed, true);
    assert.equal(verdict(a, batch, FE, 80).allowed, true, 'the frontend is not selected');
    assert.equal(verdict(a, ['batch2', 'production'], batch, 80).allowed, false, 'another intern is not in names');
    // The database is not an intern: no policy applies to it.
    const sel = a.policies.verdict(podOf(a, 'batch'), podOf(a, 'frontend'), 80, 'TCP');
    assert.equal(sel.ingress.decidedBy, 'none');
    const self = podOf(a, 'batch');
    assert.equal(a.policies.cni?.selects(self.pod, 'ingress'), true);
  });
});
