import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dump } from 'js-yaml';
import { analyze, columnOf, docs, expectDiagnostic, expectNoDiagnostic, lineOf, pod, svc, where, workload } from '../helpers';
import fc from 'fast-check';
import { ConnSet, connectivityList, PolicyEngine, workloadId, type Analysis, type Protocol } from '../../src/engine';
import {
  PROBE_IPS,
  build,
  egressRule,
  externalLine,
  genCluster,
  genPolicy,
  ingressRule,
  userPods,
  type GenPolicy,
} from '../netpolArbitraries';

const ns = (name: string, labels: Record<string, string> = {}) => dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const np = (name: string, namespace: string, spec: object) =>
  dump({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const podIn = (
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: Array<{ name?: string; containerPort: number; protocol?: string }> = [{ name: 'http', containerPort: 80 }],
  podSpec?: string,
) => workload({ kind: 'Pod', name, namespace, labels, ports, ...(podSpec ? { podSpec } : {}) });

/** Two namespaces (x labelled team=red, y team=blue), pods x/a (app=a), x/b (app=b), y/a (app=a); plus the given policies. */
function world(...policies: string[]): Analysis {
  return analyze({
    'cluster.yaml': docs(
      ns('x', { team: 'red' }),
      ns('y', { team: 'blue' }),
      podIn('x', 'a', { app: 'a' }),
      podIn('x', 'b', { app: 'b' }),
      podIn('y', 'a', { app: 'a' }),
    ),
    'policies.yaml': docs(...policies, ''),
  });
}

function allowed(a: Analysis, from: string, to: string, port = 80, protocol: Protocol = 'TCP'): boolean {
  const src = from.includes('/') ? { kind: 'pod' as const, pod: pod(a, from) } : { kind: 'external' as const, ip: from };
  const dst = to.includes('/') ? { kind: 'pod' as const, pod: pod(a, to) } : { kind: 'external' as const, ip: to };
  return a.policies.verdict(src, dst, port, protocol).allowed;
}

const denyX = np('deny', 'x', { podSelector: {}, policyTypes: ['Ingress'] });
const fromPeers = (peers: object[], ports?: object[]) =>
  np('allow', 'x', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: peers, ...(ports ? { ports } : {}) }] });

describe('NetworkPolicy verdicts (table)', () => {
  const cases: Array<{
    name: string;
    policies: string[];
    probes: Array<[from: string, to: string, port: number, protocol: Protocol, expected: boolean]>;
  }> = [
    {
      name: 'no policy: everything allowed',
      policies: [],
      probes: [
        ['x/b', 'x/a', 80, 'TCP', true],
        ['203.0.113.5', 'x/a', 9999, 'UDP', true],
      ],
    },
    {
      name: 'ingress isolation applies to the selected pods only, and only to ingress',
      policies: [denyX],
      probes: [
        ['x/b', 'x/a', 80, 'TCP', false],
        ['x/a', 'y/a', 80, 'TCP', true],
        ['y/a', 'x/b', 80, 'TCP', false],
      ],
    },
    {
      name: 'policyTypes default: Egress only when the policy has egress rules',
      policies: [np('e', 'x', { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] })],
      probes: [
        ['x/a', 'x/b', 80, 'TCP', false],
        ['x/a', 'y/a', 80, 'TCP', false],
        ['y/a', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'policyTypes default: `egress: []` without policyTypes does not isolate egress',
      policies: [np('e', 'x', { podSelector: {}, ingress: [{}], egress: [] })],
      probes: [
        ['x/a', 'y/a', 80, 'TCP', true],
        ['y/a', 'x/a', 80, 'TCP', true],
      ],
    },
    {
      name: 'explicit policyTypes [Egress] ignores ingress rules',
      policies: [
        np('e', 'x', {
          podSelector: {},
          policyTypes: ['Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'zzz' } } }] }],
          egress: [{}],
        }),
      ],
      probes: [['y/a', 'x/a', 80, 'TCP', true]],
    },
    {
      name: 'a peer ANDs namespaceSelector and podSelector',
      policies: [fromPeers([{ namespaceSelector: { matchLabels: { team: 'blue' } }, podSelector: { matchLabels: { app: 'b' } } }])],
      probes: [
        ['y/a', 'x/a', 80, 'TCP', false],
        ['x/b', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'separate peers are ORed',
      policies: [fromPeers([{ namespaceSelector: { matchLabels: { team: 'blue' } } }, { podSelector: { matchLabels: { app: 'b' } } }])],
      probes: [
        ['y/a', 'x/a', 80, 'TCP', true],
        ['x/b', 'x/a', 80, 'TCP', true],
        ['203.0.113.5', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'podSelector {} alone means every pod of the policy namespace',
      policies: [fromPeers([{ podSelector: {} }])],
      probes: [
        ['x/b', 'x/a', 80, 'TCP', true],
        ['y/a', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'namespaceSelector {} means every namespace',
      policies: [fromPeers([{ namespaceSelector: {} }])],
      probes: [
        ['y/a', 'x/a', 80, 'TCP', true],
        ['203.0.113.5', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'a rule without from admits every source, outside addresses too',
      policies: [fromPeers([])],
      probes: [
        ['203.0.113.5', 'x/a', 80, 'TCP', true],
        ['y/a', 'x/a', 1, 'SCTP', true],
      ],
    },
    {
      name: 'matchExpressions: In, NotIn, Exists, DoesNotExist',
      policies: [
        fromPeers([
          {
            namespaceSelector: {
              matchExpressions: [
                { key: 'team', operator: 'NotIn', values: ['red'] },
                { key: 'team', operator: 'Exists' },
              ],
            },
            podSelector: {
              matchExpressions: [
                { key: 'app', operator: 'In', values: ['a', 'c'] },
                { key: 'legacy', operator: 'DoesNotExist' },
              ],
            },
          },
        ]),
      ],
      probes: [
        ['y/a', 'x/a', 80, 'TCP', true],
        ['x/b', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'ipBlock with except; pod addresses never match an ipBlock',
      policies: [fromPeers([{ ipBlock: { cidr: '0.0.0.0/0', except: ['198.51.100.0/24'] } }])],
      probes: [
        ['203.0.113.5', 'x/a', 80, 'TCP', true],
        ['198.51.100.7', 'x/a', 80, 'TCP', false],
        ['y/a', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'numeric port with endPort',
      policies: [fromPeers([], [{ port: 8000, endPort: 8100 }])],
      probes: [
        ['y/a', 'x/a', 8000, 'TCP', true],
        ['y/a', 'x/a', 8100, 'TCP', true],
        ['y/a', 'x/a', 8101, 'TCP', false],
        ['y/a', 'x/a', 8050, 'UDP', false],
      ],
    },
    {
      name: 'named ingress port resolves against the destination pod, name and protocol',
      policies: [fromPeers([], [{ port: 'http' }])],
      probes: [
        ['y/a', 'x/a', 80, 'TCP', true],
        ['y/a', 'x/a', 81, 'TCP', false],
      ],
    },
    {
      name: 'a named port with the wrong protocol matches nothing',
      policies: [fromPeers([], [{ port: 'http', protocol: 'UDP' }])],
      probes: [
        ['y/a', 'x/a', 80, 'UDP', false],
        ['y/a', 'x/a', 80, 'TCP', false],
      ],
    },
    {
      name: 'protocol only: every port of SCTP, nothing of TCP',
      policies: [fromPeers([], [{ protocol: 'SCTP' }])],
      probes: [
        ['y/a', 'x/a', 81, 'SCTP', true],
        ['y/a', 'x/a', 81, 'TCP', false],
      ],
    },
    {
      name: 'egress of the source and ingress of the destination are both required',
      policies: [
        np('out', 'y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] }),
        np('in', 'x', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ ports: [{ port: 81 }] }] }),
      ],
      probes: [
        ['y/a', 'x/a', 80, 'TCP', false],
        ['y/a', 'x/a', 81, 'TCP', false],
        ['y/a', 'x/b', 80, 'TCP', true],
        ['x/b', 'x/a', 81, 'TCP', true],
      ],
    },
    {
      name: 'egress named port resolves against the destination',
      policies: [np('out', 'y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
      probes: [
        ['y/a', 'x/a', 80, 'TCP', true],
        ['y/a', '203.0.113.5', 80, 'TCP', false],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = world(...c.policies);
      expectNoDiagnostic(a, 'manifest-invalid');
      for (const [from, to, port, protocol, expected] of c.probes)
        assert.equal(allowed(a, from, to, port, protocol), expected, `${from} -> ${to} ${protocol} ${port}`);
    });
  }
});

describe('NetworkPolicy verdicts: what they carry', () => {
  it('a denial names every isolating policy with its position; an allow names the rule and peer', () => {
    const policies = docs(
      denyX,
      fromPeers([{ podSelector: { matchLabels: { app: 'zzz' } } }, { podSelector: { matchLabels: { app: 'b' } } }]),
    );
    const a = analyze({
      'c.yaml': docs(ns('x'), ns('y'), podIn('x', 'a', { app: 'a' }), podIn('x', 'b', { app: 'b' }), podIn('y', 'a', { app: 'a' })),
      'p.yaml': policies,
    });
    const denied = a.policies.verdict({ kind: 'pod', pod: pod(a, 'y/a') }, { kind: 'pod', pod: pod(a, 'x/a') }, 80, 'TCP');
    assert.equal(denied.allowed, false);
    assert.equal(denied.egress.isolated, false);
    assert.deepEqual(
      denied.ingress.isolatingPolicies.map((p) => `${p.name}@${p.range?.file}:${p.range?.line}`),
      [`deny@p.yaml:${lineOf(policies, 'podSelector')}`, `allow@p.yaml:${lineOf(policies, 'podSelector', 1)}`],
    );
    assert.match(denied.reason, /NetworkPolicy x\/deny \(p\.yaml:\d+:\d+\).*NetworkPolicy x\/allow/);
    const ok = a.policies.verdict({ kind: 'pod', pod: pod(a, 'x/b') }, { kind: 'pod', pod: pod(a, 'x/a') }, 80, 'TCP');
    assert.equal(ok.allowed, true);
    assert.equal(ok.ingress.allowedBy?.policy.name, 'allow');
    assert.equal(ok.ingress.allowedBy?.ruleIndex, 0);
    assert.equal(ok.ingress.allowedBy?.peerIndex, 1);
    assert.equal(ok.ingress.allowedBy?.range?.line, lineOf(policies, 'app: b') - 2);
    assert.match(ok.reason, /spec\.ingress\[0\]\.from\[1\]/);
  });

  it('hostNetwork pods are not selected; their traffic is the node address, which ipBlock matches', () => {
    const host = podIn('x', 'agent', { app: 'a' }, [], 'hostNetwork: true\nnodeName: node-1');
    const policies = [
      np('deny-all', 'x', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      fromPeers([{ ipBlock: { cidr: '10.0.1.10/32' } }]),
    ];
    const a = analyze({ 'c.yaml': docs(ns('x'), podIn('x', 'a', { app: 'a' }), host), 'p.yaml': docs(...policies) });
    const agent = { kind: 'pod' as const, pod: pod(a, 'x/agent') };
    const web = { kind: 'pod' as const, pod: pod(a, 'x/a') };
    assert.deepEqual(a.policies.policiesSelecting(agent.pod), { ingress: [], egress: [] });
    assert.equal(a.policies.verdict(agent, web, 80, 'TCP').allowed, true, 'node address 10.0.1.10 is in the ipBlock');
    assert.equal(a.policies.verdict(web, agent, 80, 'TCP').allowed, false, "x/a's egress is denied, and the agent is an address to it");
    const asPods = new PolicyEngine(a.cluster, [], { hostNetwork: 'pod' });
    assert.equal(asPods.policiesSelecting(agent.pod).ingress.length, 2);
    assert.equal(asPods.verdict(agent, web, 80, 'TCP').allowed, false, 'selected like a pod: denied by deny-all egress');
  });

  it('verdicts for external peers: egress of an address and ingress to an address are not policed', () => {
    const a = world(np('deny', 'x', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    const v = a.policies.verdict({ kind: 'external', ip: '203.0.113.5' }, { kind: 'pod', pod: pod(a, 'y/a') }, 443, 'TCP');
    assert.equal(v.allowed, true);
    assert.match(v.egress.reason, /outside the cluster/);
    assert.equal(allowed(a, 'x/a', '8.8.8.8', 53, 'UDP'), false);
  });
});

describe('NetworkPolicy diagnostics', () => {
  it('manifest-invalid at the field for what the API server rejects or silently drops', () => {
    const bad = docs(
      np('typo', 'x', { podSelector: {}, ingress: [{ form: [{ podSelector: {} }] }] }),
      np('cidr', 'x', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0', except: ['11.0.0.0/8'] } }, {}] }] }),
      np('ports', 'x', {
        podSelector: {},
        policyTypes: ['ingress'],
        ingress: [
          {
            ports: [
              { port: 'http', endPort: 90 },
              { port: 90, endPort: 80 },
            ],
          },
        ],
      }),
    );
    const a = analyze({ 'c.yaml': docs(ns('x'), podIn('x', 'a', { app: 'a' })), 'p.yaml': bad });
    const d = expectDiagnostic(a, 'manifest-invalid', 'p.yaml', lineOf(bad, 'form:'), columnOf(bad, 'form:'));
    assert.match(d.message, /did you mean `from`/);
    assert.deepEqual(
      where(a, 'manifest-invalid')
        .map((w) => Number(w.split(':')[1]))
        .sort((x, y) => x - y),
      [
        lineOf(bad, 'form:'),
        lineOf(bad, 'cidr: 10.0.0.0'),
        lineOf(bad, '- {}'),
        lineOf(bad, '- ingress'),
        lineOf(bad, 'endPort: 90'),
        lineOf(bad, 'endPort: 80'),
      ].sort((x, y) => x - y),
    );
    // A misspelt `from` is dropped, which turns its rule into allow-all (hence the diagnostic), while
    // an invalid peer admits nothing rather than doing the same.
    assert.equal(allowed(a, '203.0.113.5', 'x/a'), true);
    const peerOnly = analyze({
      'c.yaml': docs(ns('x'), podIn('x', 'a', { app: 'a' })),
      'p.yaml': np('cidr', 'x', { podSelector: {}, ingress: [{ from: [{}] }] }),
    });
    assert.equal(allowed(peerOnly, '203.0.113.5', 'x/a'), false);
  });

  it('policy-selects-nothing at the podSelector, with a near miss', () => {
    const p = np('web', 'x', { podSelector: { matchLabels: { app: 'aa' } } });
    const a = world(p);
    const d = expectDiagnostic(a, 'policy-selects-nothing', 'policies.yaml', lineOf(p, 'podSelector'), 3);
    assert.match(d.message, /x\/web selects no pod in namespace x \(podSelector app=aa\).*app=a/);
    expectNoDiagnostic(world(np('web', 'x', { podSelector: { matchLabels: { app: 'a' } } })), 'policy-selects-nothing');
  });

  it('connection-blocked-by-policy at the env value, naming the policy, with related information at it', () => {
    const client = workload({ name: 'client', namespace: 'y', env: { API: 'http://api.x:8080/v1', OK: 'http://open.x' } });
    const policies = docs(
      np('only-from-x', 'x', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
    );
    const files = {
      'c.yaml': docs(
        ns('x'),
        ns('y'),
        workload({ name: 'api', namespace: 'x', ports: [{ name: 'web', containerPort: 9000 }] }),
        svc({ name: 'api', namespace: 'x', ports: [{ port: 8080, targetPort: 'web' }] }),
        workload({ name: 'open', namespace: 'x', ports: [{ containerPort: 80 }] }),
        svc({ name: 'open', namespace: 'x' }),
      ),
      'client.yaml': client,
      'p.yaml': policies,
    };
    const a = analyze(files);
    assert.deepEqual(where(a, 'connection-blocked-by-policy'), [
      `client.yaml:${lineOf(client, 'api.x')}:${columnOf(client, 'http://api.x')}`,
    ]);
    const d = a.diagnostics.find((x) => x.code === 'connection-blocked-by-policy')!;
    assert.match(
      d.message,
      /Deployment y\/client \(env API\) cannot connect to http:\/\/api\.x:8080 \(Service x\/api, its endpoint\).*NetworkPolicy x\/only-from-x \(p\.yaml:\d+:\d+\).*TCP 9000/,
    );
    assert.deepEqual(
      d.related?.map((r) => `${r.location.file}:${r.location.line}`),
      [`p.yaml:${lineOf(policies, 'podSelector')}`],
    );
  });

  it('policy-blocks-dns for an egress default-deny without a DNS rule, not once DNS is allowed', () => {
    const deny = np('deny-egress', 'x', { podSelector: {}, policyTypes: ['Egress'] });
    const a = world(deny);
    const d = expectDiagnostic(a, 'policy-blocks-dns', 'policies.yaml', lineOf(deny, 'policyTypes'), 3);
    assert.match(
      d.message,
      /x\/deny-egress leaves Pod x\/a, Pod x\/b unable to reach cluster DNS \(kube-system\/kube-dns\) on UDP 53 and TCP 53/,
    );
    const dns = np('dns', 'x', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
      ],
    });
    expectNoDiagnostic(world(deny, dns), 'policy-blocks-dns');
    const udpOnly = np('dns', 'x', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] });
    const tcp = world(deny, udpOnly).diagnostics.filter((x) => x.code === 'policy-blocks-dns');
    assert.equal(tcp.length, 2);
    assert.match(tcp[0]?.message ?? '', /on TCP 53: .*do not fit in UDP/);
  });

  it('never reports on implicit objects and stays quiet without policies', () => {
    const a = world();
    for (const code of ['policy-selects-nothing', 'connection-blocked-by-policy', 'policy-blocks-dns'] as const)
      expectNoDiagnostic(a, code);
  });
});

describe('NetworkPolicy properties', () => {
  /** Every pod pair and every probe address, as connection sets (the ground truth a property compares). */
  function everything(a: Analysis): Map<string, ConnSet> {
    const out = new Map<string, ConnSet>();
    const pods = userPods(a);
    for (const s of pods) {
      for (const d of pods)
        out.set(
          `${s.namespace}/${s.name} -> ${d.namespace}/${d.name}`,
          a.policies.allowedConnections({ kind: 'pod', pod: s }, { kind: 'pod', pod: d }),
        );
      for (const ip of PROBE_IPS) {
        out.set(`${ip} -> ${s.namespace}/${s.name}`, a.policies.allowedConnections({ kind: 'external', ip }, { kind: 'pod', pod: s }));
        out.set(`${s.namespace}/${s.name} -> ${ip}`, a.policies.allowedConnections({ kind: 'pod', pod: s }, { kind: 'external', ip }));
      }
    }
    return out;
  }

  it('adding an allow rule to a policy that already isolates that direction never removes a connection', () => {
    // (Adding a rule to a direction the policy does not yet isolate can: `egress` rules switch the
    // policyTypes default to Egress, which is isolation. That is the API's defaulting, not a bug.)
    fc.assert(
      fc.property(genCluster, fc.nat(), fc.nat(), ingressRule, egressRule, (c, pick, side, inRule, outRule) => {
        fc.pre(c.policies.length > 0);
        const i = pick % c.policies.length;
        const p = c.policies[i] as GenPolicy;
        const explicit = p.policyTypes && p.policyTypes.length > 0 ? p.policyTypes : null;
        const directions = explicit
          ? explicit.map((t) => t.toLowerCase())
          : ['ingress', ...((p.egress ?? []).length > 0 ? ['egress'] : [])];
        const direction = directions[side % directions.length] as 'ingress' | 'egress';
        const before = everything(build(c));
        const grown: GenPolicy = { ...p, [direction]: [...(p[direction] ?? []), direction === 'ingress' ? inRule : outRule] };
        const after = everything(build({ ...c, policies: c.policies.map((q, j) => (j === i ? grown : q)) }));
        for (const [k, conn] of before)
          assert.ok(
            conn.union(after.get(k) ?? ConnSet.NONE).equals(after.get(k) ?? ConnSet.NONE),
            `${k}: ${conn.toString()} before, ${String(after.get(k))} after`,
          );
      }),
      { numRuns: 100 },
    );
  });

  it('a policy that selects nothing changes nothing (verdicts, and the matrix pair by pair)', () => {
    fc.assert(
      fc.property(genCluster, genPolicy, (c, extra) => {
        const inert: GenPolicy = { ...extra, podSelector: { matchLabels: { app: 'nothing-has-this' } } };
        const a = build(c);
        const b = build({ ...c, policies: [...c.policies, inert] });
        assert.deepEqual(
          [...everything(b)].map(([k, v]) => `${k}: ${v.toString()}`),
          [...everything(a)].map(([k, v]) => `${k}: ${v.toString()}`),
        );
        // Its ipBlocks may cut the outside ranges finer, so compare workload pairs and each probe address's line.
        const la = connectivityList(a.policies);
        const lb = connectivityList(b.policies);
        const inside = (l: typeof la) =>
          l.entries
            .filter((e) => !e.src.includes('[External]') && !e.dst.includes('[External]'))
            .map((e) => `${e.src} => ${e.dst} : ${e.conn.toString()}`);
        assert.deepEqual(inside(lb), inside(la));
        for (const p of userPods(a)) {
          const w = workloadId(p.workload);
          for (const ip of PROBE_IPS)
            for (const side of ['from', 'to'] as const)
              assert.equal(String(externalLine(lb, ip, w, side)), String(externalLine(la, ip, w, side)), `${ip} ${side} ${w}`);
        }
        assert.ok(b.diagnostics.some((d) => d.code === 'policy-selects-nothing' && d.message.includes(`p${c.policies.length}`)));
      }),
      { numRuns: 100 },
    );
  });
});
