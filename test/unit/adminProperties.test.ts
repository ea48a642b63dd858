// Properties of the policy layers (design.md "Policy layers", issue 18) on random small clusters
// with NetworkPolicies, AdminNetworkPolicies and a BaselineAdminNetworkPolicy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConnSet, connectivityList, PolicyEngine, workloadId, type Analysis, type Peer, type Protocol } from '../../src/engine';
import { PROBE_IPS, build, externalLine, genCluster, userPods } from '../netpolArbitraries';
import { anpObject, banpObject, everything, genAnp, genBanp } from '../adminArbitraries';

const SAMPLES: Array<[number, Protocol]> = [
  [80, 'TCP'],
  [8080, 'TCP'],
  [9000, 'TCP'],
  [53, 'UDP'],
  [80, 'SCTP'],
  [1, 'UDP'],
];

/** Every pod pair and pod/probe-address pair, as connection sets. */
function all(engine: PolicyEngine, a: Analysis): Map<string, string> {
  const out = new Map<string, string>();
  const pods = userPods(a);
  const peer = (p: (typeof pods)[number]): Peer => ({ kind: 'pod', pod: p });
  for (const s of pods) {
    for (const d of pods)
      out.set(`${s.namespace}/${s.name} -> ${d.namespace}/${d.name}`, engine.allowedConnections(peer(s), peer(d)).toString());
    for (const ip of PROBE_IPS) {
      out.set(`${ip} -> ${s.name}`, engine.allowedConnections({ kind: 'external', ip }, peer(s)).toString());
      out.set(`${s.name} -> ${ip}`, engine.allowedConnections(peer(s), { kind: 'external', ip }).toString());
    }
  }
  return out;
}

const adminObjects = fc.record({
  anps: fc.array(genAnp, { maxLength: 3 }),
  banp: fc.option(genBanp, { nil: null }),
});
const objectsOf = (x: { anps: Parameters<typeof anpObject>[0][]; banp: Parameters<typeof banpObject>[0] | null }) => [
  ...x.anps.map((p, i) => anpObject(p, `anp${i}`)),
  ...(x.banp ? [banpObject(x.banp)] : []),
];

describe('policy layers (properties)', () => {
  it('with no cluster-wide policy, or with one that only passes everything on, every verdict is what NetworkPolicy alone says', () => {
    fc.assert(
      fc.property(genCluster, adminObjects, (c, admin) => {
        const plain = build(c);
        const want = all(plain.policies, plain);
        // The cluster-wide policies read but not enforced (a plugin that lacks them) decide nothing.
        const withAdmin = build(c, objectsOf(admin));
        assert.deepEqual(all(new PolicyEngine(withAdmin.cluster, [], { adminPolicies: false }), withAdmin), want);
        // A Pass of everything, at any priority, hands every connection to NetworkPolicy: the layered path, same answers.
        const pass = build(c, [everything('pass-all', 0, 'Pass')]);
        assert.deepEqual(all(pass.policies, pass), want);
      }),
      { numRuns: 60 },
    );
  });

  it('an AdminNetworkPolicy Allow at the top priority admits whatever NetworkPolicy (and any later policy) says', () => {
    fc.assert(
      fc.property(genCluster, adminObjects, (c, admin) => {
        const a = build(c, [
          everything('allow-all', 0, 'Allow'),
          ...objectsOf({ ...admin, anps: admin.anps.map((p) => ({ ...p, priority: p.priority + 1 })) }),
        ]);
        const pods = userPods(a).filter((p) => a.policies.selectable(p));
        for (const s of pods) {
          for (const d of pods) {
            const conn = a.policies.allowedConnections({ kind: 'pod', pod: s }, { kind: 'pod', pod: d });
            assert.ok(conn.isAll(), `${s.name} -> ${d.name}: ${conn.toString()}`);
          }
          for (const ip of PROBE_IPS)
            assert.ok(a.policies.allowedConnections({ kind: 'pod', pod: s }, { kind: 'external', ip }).isAll(), `${s.name} -> ${ip}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a BaselineAdminNetworkPolicy never changes the verdict of a direction a NetworkPolicy isolates', () => {
    fc.assert(
      fc.property(genCluster, genBanp, (c, banp) => {
        const before = build(c);
        const after = build(c, [banpObject(banp)]);
        const pods = userPods(after);
        const find = (a: Analysis, name: string, ns: string) => userPods(a).find((p) => p.name === name && p.namespace === ns);
        for (const s of pods)
          for (const d of pods) {
            const s0 = find(before, s.name, s.namespace);
            const d0 = find(before, d.name, d.namespace);
            if (!s0 || !d0) continue;
            for (const [port, protocol] of SAMPLES) {
              const v1 = after.policies.verdict({ kind: 'pod', pod: s }, { kind: 'pod', pod: d }, port, protocol);
              const v0 = before.policies.verdict({ kind: 'pod', pod: s0 }, { kind: 'pod', pod: d0 }, port, protocol);
              if (v1.egress.isolated)
                assert.equal(v1.egress.allowed, v0.egress.allowed, `egress ${s.name} -> ${d.name} ${protocol} ${port}`);
              if (v1.ingress.isolated)
                assert.equal(v1.ingress.allowed, v0.ingress.allowed, `ingress ${s.name} -> ${d.name} ${protocol} ${port}`);
              if (v1.egress.isolated) assert.notEqual(v1.egress.decidedBy, 'baseline');
            }
          }
      }),
      { numRuns: 60 },
    );
  });

  for (const hostNetwork of ['node', 'pod'] as const) {
    it(`with cluster-wide policies, the connectivity list equals the pod-by-pod evaluation, and verdicts agree with connection sets (hostNetwork: ${hostNetwork})`, () => {
      fc.assert(
        fc.property(genCluster, adminObjects, (c, admin) => {
          const a = build(c, objectsOf(admin));
          const engine = new PolicyEngine(a.cluster, [], { hostNetwork });
          const list = connectivityList(engine, { ingressController: false });
          const got = new Map(
            list.entries
              .filter((e) => !e.src.includes('[External]') && !e.dst.includes('[External]'))
              .map((e) => [`${e.src} => ${e.dst}`, e.conn.toString()]),
          );
          const want = new Map<string, ConnSet>();
          const pods = userPods(a);
          for (const s of pods)
            for (const d of pods) {
              const ws = workloadId(s.workload);
              const wd = workloadId(d.workload);
              if (ws === wd) continue;
              const key = `${ws} => ${wd}`;
              want.set(
                key,
                (want.get(key) ?? ConnSet.NONE).union(engine.allowedConnections({ kind: 'pod', pod: s }, { kind: 'pod', pod: d })),
              );
            }
          assert.deepEqual(
            Object.fromEntries([...got].sort()),
            Object.fromEntries(
              [...want]
                .filter(([, v]) => !v.isEmpty())
                .map(([k, v]) => [k, v.toString()])
                .sort(),
            ),
          );
          const nodeIps = new Set(a.cluster.nodes.map((n) => n.ip));
          for (const p of pods) {
            const w = workloadId(p.workload);
            const same = pods.filter((q) => workloadId(q.workload) === w);
            for (const ip of PROBE_IPS) {
              if (nodeIps.has(ip)) continue;
              const inbound = same.reduce(
                (acc, q) => acc.union(engine.allowedConnections({ kind: 'external', ip }, { kind: 'pod', pod: q })),
                ConnSet.NONE,
              );
              const outbound = same.reduce(
                (acc, q) => acc.union(engine.allowedConnections({ kind: 'pod', pod: q }, { kind: 'external', ip })),
                ConnSet.NONE,
              );
              assert.equal((externalLine(list, ip, w, 'from') ?? ConnSet.NONE).toString(), inbound.toString(), `${ip} => ${w}`);
              assert.equal((externalLine(list, ip, w, 'to') ?? ConnSet.NONE).toString(), outbound.toString(), `${w} => ${ip}`);
            }
          }
          for (const s of pods)
            for (const d of pods) {
              const conn = engine.allowedConnections({ kind: 'pod', pod: s }, { kind: 'pod', pod: d });
              for (const [port, protocol] of SAMPLES)
                assert.equal(
                  engine.verdict({ kind: 'pod', pod: s }, { kind: 'pod', pod: d }, port, protocol).allowed,
                  conn.has(protocol, port),
                  `${s.name} -> ${d.name} ${protocol} ${port}`,
                );
            }
        }),
        { numRuns: 80 },
      );
    });
  }
});
