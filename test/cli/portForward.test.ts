// `kube-netsim trace --from local --to svc/…` through the built bundle: kubectl port-forward to a
// Service that a default-deny policy isolates is delivered, while the same connection from a pod is
// dropped; and the usage errors of the port-forward forms.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt, json } from './run';

const PF = 'test/fixtures/portforward';

interface ForwardJson {
  verdict: string;
  reason: string;
  source: { kind: string };
  sourceIPAtDestination: string | null;
  destination: { kind: string; workload: string; port: number } | null;
  hops: Array<{ step: string; node: string | null; detail: string }>;
  portForward: {
    command: string;
    pod: string;
    remotePort: number;
    bypassed: string[];
    fromPod: { verdict: string; reason: string; source: string };
  };
}

describe('trace --from local (kubectl port-forward)', () => {
  before(ensureBuilt);

  it('delivers to the Service pod through the API server and the kubelet, and reports the drop from a pod', () => {
    const r = cli('trace', PF, '--from', 'local', '--to', 'svc/api.pf:web', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const t = json<ForwardJson>(r);
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.source.kind, 'local');
    assert.deepEqual(
      t.hops.map((h) => h.step),
      ['kubectl', 'api-server', 'kubelet', 'deliver'],
    );
    assert.equal(t.destination?.workload, 'pf/api');
    assert.equal(t.destination?.port, 8080);
    assert.equal(t.sourceIPAtDestination, '127.0.0.1');
    assert.equal(t.portForward.command, 'kubectl port-forward -n pf svc/api 80:web');
    assert.equal(t.portForward.fromPod.verdict, 'dropped');
    assert.match(t.portForward.fromPod.reason, /pf\/default-deny/);
    const normal = json<ForwardJson>(cli('trace', PF, '--from', t.portForward.fromPod.source, '--to', 'api.pf:80', '--format', 'json'));
    assert.equal(normal.verdict, 'dropped');
    assert.equal(normal.reason, t.portForward.fromPod.reason);
  });

  it('prints the hops, what is bypassed and the drop from a pod in one line', () => {
    const r = cli('trace', PF, '--from', 'local', '--to', 'svc/api.pf:80');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^DELIVERED: delivered by kubectl port-forward to pf\/api-/m);
    assert.match(r.stdout, /^ {2}NetworkPolicy: /m);
    assert.match(r.stdout, /^ {2}Service load balancing: /m);
    const line = r.stdout.split('\n').filter((l) => l.startsWith('from a pod:'));
    assert.equal(line.length, 1);
    assert.match(
      line[0] ?? '',
      /^from a pod: DROPPED \(trace --from pf\/Deployment\/client --to api\.pf:80; 1 of 1 workloads fail\): NetworkPolicy drops it/,
    );
  });

  it("ends with kubectl's error when kubectl would fail", () => {
    const t = json<ForwardJson>(cli('trace', PF, '--from', 'local', '--to', 'svc/nope.pf:80', '--format', 'json'));
    assert.equal(t.verdict, 'unresolved');
    assert.match(t.reason, /services "nope" not found/);
  });

  it('refuses mixed or malformed forms with one line', () => {
    for (const [args, message] of [
      [['--from', 'pf/client', '--to', 'svc/api.pf:80'], /port-forward target; trace it with --from local/],
      [['--from', 'local', '--to', 'http://api.pf/'], /a port-forward target is svc\/NAME/],
      [['--from', 'local', '--to', 'svc/api.pf:80', '--protocol', 'UDP'], /TCP only/],
    ] as const) {
      const r = cli('trace', PF, ...args);
      assert.equal(r.status, 2, r.stdout);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, message);
    }
  });
});
