// connection-blocked-by-policy asks policies once per workload of a Service's endpoints; these check
// that the counts of blocked endpoints stay per replica where replicas differ (hostNetwork).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dump } from 'js-yaml';
import { analyze, docs, svc, workload } from '../helpers';

const np = (name: string, namespace: string, spec: object) =>
  dump({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const nsDoc = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

function blocked(extraPolicy: string, podSpec?: string): string[] {
  const a = analyze({
    'c.yaml': docs(
      nsDoc('x'),
      nsDoc('y'),
      workload({ name: 'agent', namespace: 'x', replicas: 3, ports: [{ containerPort: 9100 }], ...(podSpec ? { podSpec } : {}) }),
      svc({ name: 'agent', namespace: 'x', ports: [{ port: 9100 }] }),
      // On node-1: the replica there is its own node's address, which NetworkPolicy always lets it reach.
      workload({ name: 'client', namespace: 'y', env: { AGENT: 'http://agent.x:9100' }, podSpec: 'nodeName: node-1' }),
    ),
    'p.yaml': docs(extraPolicy, ''),
  });
  return a.diagnostics
    .filter((d) => d.code === 'connection-blocked-by-policy')
    .map((d) => /\(Service x\/agent, ([^)]*)\)/.exec(d.message)?.[1] ?? d.message);
}

describe('connection-blocked-by-policy: endpoints of replicas', () => {
  it('counts every replica of a pod-network workload as blocked together', () => {
    assert.deepEqual(
      blocked(np('deny', 'y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })),
      ['all 3 endpoints'],
    );
    assert.deepEqual(blocked(np('allow', 'y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 9100 }] }] })), []);
  });

  it('asks per replica for hostNetwork ones, which policies see by their node address', () => {
    // Only node-1's address is admitted (and is the client's own node): the replica on node-1 is reachable, the others are not.
    const onlyNode1 = np('node-1', 'y', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.1.10/32' } }], ports: [{ port: 9100 }] }],
    });
    assert.deepEqual(blocked(onlyNode1, 'hostNetwork: true'), ['2 of 3 endpoints']);
  });
});
