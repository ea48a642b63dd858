// Replays every truth table of the Kubernetes e2e NetworkPolicy suite (as transcribed in
// ../shared/conformance/k8s-e2e-netpol/cases.yaml) through analyzeWorkspace and the PolicyEngine.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { analyzeWorkspace, type Protocol, type SimPod } from '../../src/engine';

const DATA = join(__dirname, '../../../shared/conformance/k8s-e2e-netpol/cases.yaml');

interface Probe {
  protocol: Protocol;
  port: number;
  after: string;
  expected: Record<string, Record<string, boolean | null>>;
}

interface Case {
  source: { it: string };
  pods: string[];
  pod_labels: string;
  namespace_labels: string;
  server_ports: number[];
  server_protocols: Protocol[];
  policies: Array<Record<string, unknown>>;
  probes: Probe[];
  note?: string;
}

const cases = load(readFileSync(DATA, 'utf8')) as Case[];

/** The manifests of one case, as the README describes the e2e setup: pods labelled pod=<name>, one container per served port and protocol. */
function manifests(c: Case, policies: Array<Record<string, unknown>>): Array<{ path: string; text: string }> {
  assert.equal(c.pod_labels, 'pod=<name>', 'the replay builds pod labels as pod=<name>');
  assert.equal(c.namespace_labels, 'kubernetes.io/metadata.name=<ns>', 'the API server sets this label on every namespace');
  const namespaces = [...new Set(c.pods.map((p) => p.split('/')[0] as string))];
  const objects: unknown[] = namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  for (const id of c.pods) {
    const [ns, name] = id.split('/') as [string, string];
    const containers = c.server_ports.flatMap((port) =>
      c.server_protocols.map((protocol) => ({
        name: `cont-${port}-${protocol.toLowerCase()}`,
        image: 'registry.k8s.io/e2e-test-images/agnhost:2.43',
        ports: [{ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol }],
      })),
    );
    objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { pod: name } }, spec: { containers } });
  }
  return [
    { path: 'cluster.yaml', text: objects.map((o) => dump(o)).join('---\n') },
    { path: 'policies.yaml', text: policies.map((o) => dump(o, { noRefs: true })).join('---\n') },
  ];
}

/** Which policies a probe runs against: the multi-step case probes after its first policy alone. */
function policiesFor(c: Case, probe: Probe): Array<Record<string, unknown>> {
  if (/first policy only/i.test(probe.after)) return c.policies.slice(0, 1);
  assert.match(probe.after, /all policies above applied|both policies/i, `unknown probe stage "${probe.after}"`);
  return c.policies;
}

describe('conformance: Kubernetes e2e NetworkPolicy truth tables', () => {
  it('has the 15 cases and 21 truth tables the README announces', () => {
    assert.equal(cases.length, 15);
    assert.equal(
      cases.reduce((n, c) => n + c.probes.length, 0),
      21,
    );
  });

  cases.forEach((c, ci) => {
    describe(`${ci + 1}. ${c.source.it}`, () => {
      c.probes.forEach((probe) => {
        it(`${probe.protocol} ${probe.port}, ${probe.after}`, () => {
          const a = analyzeWorkspace(manifests(c, policiesFor(c, probe)));
          const invalid = a.diagnostics.filter((d) => d.code === 'manifest-invalid' || d.code === 'yaml-syntax');
          assert.deepEqual(
            invalid.map((d) => d.message),
            [],
            'the case manifests must be valid',
          );
          const podById = new Map<string, SimPod>(
            a.cluster.pods.filter((p) => p.origin.kind === 'manifest').map((p) => [`${p.namespace}/${p.name}`, p]),
          );
          const differences: string[] = [];
          let probed = 0;
          for (const [from, row] of Object.entries(probe.expected)) {
            for (const [to, want] of Object.entries(row)) {
              if (want === null) continue;
              const src = podById.get(from);
              const dst = podById.get(to);
              assert.ok(src && dst, `pods ${from} and ${to} must exist`);
              const v = a.policies.verdict({ kind: 'pod', pod: src }, { kind: 'pod', pod: dst }, probe.port, probe.protocol);
              probed++;
              if (v.allowed !== want)
                differences.push(
                  `${from} -> ${to}: expected ${want ? 'connect' : 'blocked'}, got ${v.allowed ? 'connect' : 'blocked'} (${v.reason})`,
                );
            }
          }
          assert.ok(probed > 0, 'a truth table probes at least one pair');
          assert.deepEqual(differences, [], `pairs that differ from the e2e expectation:\n${differences.join('\n')}`);
        });
      });
    });
  });
});
