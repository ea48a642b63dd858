// A further check against cyclonus's explained truth tables (../shared/conformance/cyclonus/examples).
// The folder keeps cyclonus's outputs and probe inputs but not the `simple-example` policies they
// were computed from; those are rebuilt below from cyclonus's own explanation of them
// (analyze-explain.txt), one policy per row of that table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { analyzeWorkspace, type Analysis, type Peer, type Protocol, type SimPod } from '../../src/engine';

const ROOT = join(__dirname, '../../../shared/conformance/cyclonus/examples');

const np = (name: string, spec: object) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'y' },
  spec,
});
/** cyclonus's networkpolicies/simple-example, as analyze-explain.txt describes each policy. */
const SIMPLE_EXAMPLE = [
  np('allow-label-to-label', {
    podSelector: { matchLabels: { pod: 'a' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }] }],
  }),
  np('deny-all-for-label', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [] }),
  np('allow-all-for-label', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{}] }),
  np('allow-by-ip', { podSelector: { matchLabels: { pod: 'c' } }, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/24' } }] }] }),
  np('deny-all', { podSelector: {}, ingress: [] }),
  np('allow-all-egress-by-label', {
    podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] },
    policyTypes: ['Egress'],
    egress: [{}],
  }),
  np('deny-all-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [] }),
];

interface ProbeFile {
  Probes: Array<{ Protocol: string; Port: number }>;
  Resources: {
    Namespaces: Record<string, Record<string, string>>;
    Pods: Array<{
      Namespace: string;
      Name: string;
      Labels: Record<string, string>;
      IP: string;
      Containers: Array<{ Name: string; Port: number; PortName?: string; Protocol: string }>;
    }>;
  };
}

function pod(
  ns: string,
  name: string,
  labels: Record<string, string>,
  containers: ProbeFile['Resources']['Pods'][number]['Containers'] = [],
): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      containers: containers.map((c) => ({
        name: c.Name,
        image: 'agnhost',
        ports: [{ containerPort: c.Port, protocol: c.Protocol.toUpperCase(), ...(c.PortName ? { name: c.PortName } : {}) }],
      })),
    },
  };
}

function analyse(objects: object[]): Analysis {
  return analyzeWorkspace([
    { path: 'cluster.yaml', text: objects.map((o) => dump(o)).join('---\n') },
    { path: 'policies.yaml', text: SIMPLE_EXAMPLE.map((o) => dump(o)).join('---\n') },
  ]);
}

/** The tables of one section of cyclonus's probe output: `Ingress`, `Egress`, `Combined`, each `from -> to -> cell`. */
function parseTables(text: string): Array<Record<string, Map<string, string>>> {
  const blocks: Array<Record<string, Map<string, string>>> = [];
  let current: Record<string, Map<string, string>> = {};
  let title = '';
  let columns: string[] = [];
  for (const line of text.split('\n')) {
    const heading = /^(Ingress|Egress|Combined):$/.exec(line.trim());
    if (heading) {
      title = heading[1] as string;
      if (title === 'Ingress' && Object.keys(current).length) {
        blocks.push(current);
        current = {};
      }
      columns = [];
      continue;
    }
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells[0] === '') {
      columns = cells.slice(1).map((c) => c.toLowerCase());
      continue;
    }
    cells.slice(1).forEach((cell, i) => {
      const table = current[title] ?? (current[title] = new Map());
      table.set(`${cells[0]} -> ${columns[i]}`, cell);
    });
  }
  if (Object.keys(current).length) blocks.push(current);
  return blocks;
}

describe('conformance: cyclonus examples (simple-example policies)', () => {
  const probe = JSON.parse(readFileSync(join(ROOT, 'probe.json'), 'utf8')) as ProbeFile;
  const objects: object[] = Object.entries(probe.Resources.Namespaces).map(([name, labels]) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels },
  }));
  for (const p of probe.Resources.Pods) objects.push(pod(p.Namespace, p.Name, p.Labels, p.Containers));
  const a = analyse(objects);
  const pods = new Map<string, SimPod>(
    a.cluster.pods.filter((p) => p.origin.kind === 'manifest').map((p) => [`${p.namespace}/${p.name}`, p]),
  );
  const tables = parseTables(readFileSync(join(ROOT, 'cyclonus-output/analyze-probe.txt'), 'utf8'));

  it('parses one set of tables per probe in probe.json', () => {
    assert.ok(tables.length >= probe.Probes.length, `found ${tables.length} table sets`);
  });

  probe.Probes.forEach((pr, i) => {
    const served = probe.Resources.Pods.every((p) => p.Containers.some((c) => c.Port === pr.Port));
    it(`probe ${pr.Protocol} ${pr.Port}: ingress, egress and combined tables`, () => {
      const block = tables[i];
      assert.ok(block, `no table for probe ${i}`);
      if (!served) {
        // No container serves this port: cyclonus gives no policy verdict (N and ? in every cell), so there is nothing to compare.
        for (const table of Object.values(block)) for (const cell of table.values()) assert.match(cell, /^[N?]$/);
        return;
      }
      const differences: string[] = [];
      for (const [title, table] of Object.entries(block)) {
        for (const [pair, cell] of table) {
          const [from, to] = pair.split(' -> ') as [string, string];
          const src = pods.get(from);
          const dst = pods.get(to);
          assert.ok(src && dst, `pods of ${pair}`);
          const v = a.policies.verdict(
            { kind: 'pod', pod: src },
            { kind: 'pod', pod: dst },
            pr.Port,
            pr.Protocol.toUpperCase() as Protocol,
          );
          const ours = title === 'Ingress' ? v.ingress.allowed : title === 'Egress' ? v.egress.allowed : v.allowed;
          // cyclonus's model runs a pod's traffic to itself through its policies; the API documents that a
          // pod can always reach itself (and the Kubernetes e2e suite never probes self pairs), so ours is allowed.
          if (from === to) {
            if (!ours) differences.push(`${title} ${pair}: a pod reaching itself is denied`);
            continue;
          }
          if (ours !== (cell === '.')) differences.push(`${title} ${pair}: cyclonus ${cell}, ours ${ours ? 'allowed' : 'denied'}`);
        }
      }
      assert.ok(
        [...Object.values(block)].every((t) => t.size === 81),
        'three 9x9 tables',
      );
      assert.deepEqual(differences, []);
    });
  });

  it('traffic queries (traffic.json) get the same IS ALLOWED answers', () => {
    const traffic = JSON.parse(readFileSync(join(ROOT, 'traffic.json'), 'utf8')) as Array<{
      Source: { IP?: string; Internal?: { PodLabels: Record<string, string>; NamespaceLabels: Record<string, string>; Namespace: string } };
      Destination: {
        IP?: string;
        Internal?: { PodLabels: Record<string, string>; NamespaceLabels: Record<string, string>; Namespace: string };
      };
      Protocol: string;
      ResolvedPort: number;
    }>;
    const expected = [
      ...readFileSync(join(ROOT, 'cyclonus-output/analyze-query-traffic.txt'), 'utf8').matchAll(/IS ALLOWED\? \|\s+(TRUE|FALSE)/g),
    ].map((m) => m[1] === 'TRUE');
    assert.equal(expected.length, traffic.length);
    traffic.forEach((t, i) => {
      const side = (s: typeof t.Source, name: string) =>
        s.Internal
          ? pod(s.Internal.Namespace, name, s.Internal.PodLabels, [
              { Name: 'c', Port: t.ResolvedPort, PortName: `serve-${t.ResolvedPort}-tcp`, Protocol: 'TCP' },
            ])
          : undefined;
      const objects: object[] = ['x', 'y', 'z'].map((n) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: n, labels: { ns: n } },
      }));
      const src = side(t.Source, 'client');
      const dst = side(t.Destination, 'server');
      objects.push(...[src, dst].filter((o): o is object => o !== undefined));
      const b = analyse(objects);
      const find = (name: string) => b.cluster.pods.find((p) => p.name === name) as SimPod;
      const from: Peer = src ? { kind: 'pod', pod: find('client') } : { kind: 'external', ip: t.Source.IP ?? '' };
      const to: Peer = dst ? { kind: 'pod', pod: find('server') } : { kind: 'external', ip: t.Destination.IP ?? '' };
      const v = b.policies.verdict(from, to, t.ResolvedPort, t.Protocol as Protocol);
      assert.equal(v.allowed, expected[i], `traffic ${i + 1}: ${v.reason}`);
    });
  });
});
