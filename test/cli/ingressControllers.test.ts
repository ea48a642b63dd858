// `trace` and `analyze` through the built bundle on test/fixtures/ingress-controllers: one
// backend behind an Istio, an ingress-nginx and an ALB Ingress, with a NetworkPolicy that admits
// only the Istio gateway's pods (and the load-balancer pool, where the ALB's address is).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt, json } from './run';

const DIR = 'test/fixtures/ingress-controllers';

interface TraceJson {
  verdict: string;
  reason: string;
  sourceIPAtDestination: string | null;
  hops: Array<{ step: string; detail: string }>;
  ingressController?: { className: string; controller: string; profile: string; dataPlane: string; reaches: string };
}

function trace(url: string): TraceJson {
  const r = cli('trace', DIR, '--from', 'external', '--to', url, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  return json<TraceJson>(r);
}

describe('ingress controllers as they run (CLI)', () => {
  before(() => ensureBuilt());

  it('istio: through istio-system/istio-ingressgateway, which the policy admits', () => {
    const t = trace('http://mesh.example.com/');
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.deepEqual(t.ingressController, {
      className: 'istio',
      controller: 'istio.io/ingress-controller',
      profile: 'istio',
      dataPlane: 'istio-system/istio-ingressgateway',
      reaches: 'pods',
    });
  });

  it('ingress-nginx: the same policy drops its controller pod, judged by its own namespace and labels', () => {
    const t = trace('http://edge.example.com/');
    assert.equal(t.verdict, 'dropped', t.reason);
    assert.equal(t.ingressController?.dataPlane, 'ingress-nginx/ingress-nginx-controller');
    assert.match(t.reason, /NetworkPolicy/);
  });

  it('alb target-type ip: no in-cluster hop, the pod sees the ALB address (admitted by the ipBlock)', () => {
    const t = trace('http://aws.example.com/');
    assert.equal(t.verdict, 'delivered', t.reason);
    assert.equal(t.ingressController?.reaches, 'ip');
    assert.match(t.sourceIPAtDestination ?? '', /^198\.51\.100\./);
    assert.ok(!t.hops.some((h) => h.step === 'dnat'), t.hops.map((h) => h.step).join(','));
  });

  it('analyze --format json: each Ingress with its controller profile, data plane and reach', () => {
    const r = cli('analyze', DIR, '--format', 'json');
    const a = json<{ ingresses: Array<{ name: string; controllerProfile: string; reaches: string; address: string | null }> }>(r);
    const by = Object.fromEntries(a.ingresses.map((i) => [i.name, i]));
    assert.equal(by['mesh']?.controllerProfile, 'istio');
    assert.equal(by['edge']?.controllerProfile, 'ingress-nginx');
    assert.equal(by['aws']?.controllerProfile, 'aws-alb');
    assert.equal(by['aws']?.reaches, 'target-type');
    assert.match(by['aws']?.address ?? '', /\.elb\.amazonaws\.com$/);
  });
});
