// traceVerdict (src/engine/trace/packet.ts), the map's verdict-only trace, against tracePacket: on
// every example, from each workload's first pod to every Service port, by name, by cluster IP and
// (for some) to a pod IP, under each CNI, it must end with exactly the verdict and reason of the
// full trace. The examples hold NetworkPolicy-dropped, refused (no endpoints) and unresolved calls,
// and the test checks that they do (it would prove nothing on a cluster where everything is delivered).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  analyzeWorkspace,
  defaultSettings,
  podId,
  traceVerdict,
  tracePacket,
  type Analysis,
  type Protocol,
  type SimPod,
} from '../../src/engine';

const examples = readdirSync(path.join(__dirname, '..', '..', 'examples'));
const filesOf = (name: string) => {
  const dir = path.join(__dirname, '..', '..', 'examples', name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: f, text: readFileSync(path.join(dir, f), 'utf8') }));
};

/** One pod per workload (the first by id), as the map traces from. */
function firstPods(a: Analysis): SimPod[] {
  const first = new Map<string, SimPod>();
  for (const p of [...a.cluster.pods].sort((x, y) => (podId(x) < podId(y) ? -1 : 1))) {
    const w = `${p.workload.namespace}/${p.workload.name}`;
    if (!first.has(w)) first.set(w, p);
  }
  return [...first.values()];
}

/** Every target worth tracing in the analysis: each Service port by DNS name and cluster IP, a few pod IPs, a name that does not exist. */
function targets(a: Analysis): Array<{ to: string; protocol: Protocol }> {
  const out: Array<{ to: string; protocol: Protocol }> = [];
  for (const s of a.cluster.services)
    for (const p of s.ports) {
      out.push({ to: `${s.name}.${s.namespace}:${p.port}`, protocol: p.protocol });
      if (s.clusterIP && s.clusterIP !== 'None') out.push({ to: `${s.clusterIP}:${p.port}`, protocol: p.protocol });
      out.push({ to: `http://${s.name}.${s.namespace}.svc.cluster.local:${p.port}/`, protocol: 'TCP' });
    }
  for (const p of a.cluster.pods.slice(0, 6)) if (p.ip) out.push({ to: `${p.ip}:8080`, protocol: 'TCP' });
  out.push({ to: 'no-such-service:80', protocol: 'TCP' });
  return out;
}

describe('traceVerdict agrees with tracePacket', () => {
  const seen = new Map<string, number>();
  for (const name of examples)
    for (const cni of ['calico', 'flannel', 'cilium'] as const)
      it(`examples/${name} under ${cni}`, () => {
        const a = analyzeWorkspace(filesOf(name), { settings: { ...defaultSettings(), cni } });
        const pods = firstPods(a);
        assert.ok(pods.length > 0, 'the example has pods to trace from');
        let n = 0;
        for (const pod of pods)
          for (const { to, protocol } of targets(a)) {
            const full = tracePacket(a, { kind: 'pod', pod }, to, protocol);
            const quick = traceVerdict(a, { kind: 'pod', pod }, to, protocol);
            assert.deepEqual(quick, { verdict: full.verdict, reason: full.reason }, `${podId(pod)} -> ${to} ${protocol}`);
            seen.set(full.verdict, (seen.get(full.verdict) ?? 0) + 1);
            n++;
          }
        assert.ok(n > 0);
      });

  it('covered delivered, dropped, refused and unresolved connections', () => {
    for (const v of ['delivered', 'dropped', 'refused', 'unresolved']) assert.ok((seen.get(v) ?? 0) > 0, `no ${v} trace among the cases`);
  });
});
