// The CLI on examples/cilium (the Star Wars demo of Cilium's getting-started guide,
// https://docs.cilium.io/en/stable/gettingstarted/demo/): trace with an L7 verdict, the matrix with
// `(HTTP rules)`, analyze under another CNI (policy-not-enforced), and diff of the demo's two policies.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt, ROOT } from './run';

const LANDING = 'http://deathstar.default.svc.cluster.local/v1/request-landing';
const EXHAUST = 'http://deathstar.default.svc.cluster.local/v1/exhaust-port';

describe('cli on examples/cilium', () => {
  before(() => ensureBuilt());

  it('trace: the tiefighter lands (POST), the exhaust port answers 403 (refused), the xwing is dropped', () => {
    const ok = cli('trace', 'examples/cilium', '--from', 'default/tiefighter', '--to', LANDING, '--method', 'POST');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Cilium Envoy proxy \(L7\) checks POST \/v1\/request-landing: allowed by default\/rule1/);
    const put = cli('trace', 'examples/cilium', '--from', 'default/tiefighter', '--to', EXHAUST, '--method', 'PUT', '--format', 'json');
    assert.equal(put.status, 0, put.stderr); // the trace ran; its verdict is in the output
    const json = JSON.parse(put.stdout) as { verdict: string; response?: { status?: number } };
    assert.equal(json.verdict, 'refused');
    assert.equal(json.response?.status, 403);
    const x = cli('trace', 'examples/cilium', '--from', 'default/xwing', '--to', LANDING, '--method', 'POST');
    assert.match(x.stdout, /^DROPPED: CiliumNetworkPolicy drops it on the way into default\/deathstar-/m);
  });

  it('matrix: the empire reaches the deathstar on TCP 80 with HTTP rules; the alliance does not', () => {
    const r = cli('matrix', 'examples/cilium');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^default\/tiefighter\[Pod\] => default\/deathstar\[Deployment\] : TCP 80 \(HTTP rules\)$/m);
    assert.doesNotMatch(r.stdout, /^default\/xwing\[Pod\] => default\/deathstar/m);
  });

  it('analyze under flannel reports the policy as not enforced; diff from L3/L4 to L7 closes the port to other requests', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-netsim-cni-'));
    try {
      const flannel = join(dir, 'flannel');
      cpSync(join(ROOT, 'examples', 'cilium'), flannel, { recursive: true });
      writeFileSync(join(flannel, 'kube-netsim.yaml'), 'cni: flannel\n');
      const a = cli('analyze', flannel, '--format', 'json', '--fail-on', 'never');
      assert.equal(a.status, 0, a.stderr);
      assert.match(a.stdout, /"code": "policy-not-enforced"/);
      const l4 = join(dir, 'l4');
      cpSync(join(ROOT, 'examples', 'cilium'), l4, { recursive: true });
      const policy = readFileSync(join(l4, 'sw_l3_l4_l7_policy.yaml'), 'utf8');
      writeFileSync(join(l4, 'sw_l3_l4_l7_policy.yaml'), policy.slice(0, policy.indexOf('          rules:')));
      const d = cli('diff', l4, 'examples/cilium');
      assert.match(d.stdout, /^- default\/tiefighter\[Pod\] => default\/deathstar\[Deployment\] : TCP 80 \(HTTP rules\)$/m, d.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
