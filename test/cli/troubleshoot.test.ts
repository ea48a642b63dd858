// `kube-netsim troubleshoot`: each walk stops at the first step that fails, with the kubectl a person
// would run, the fix and the field at fault; exit 1 when a step fails, 0 when every step passes.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt, json } from './run';

const TS = 'test/fixtures/troubleshoot';

interface StepJson {
  check: string;
  kubectl: string;
  expected: string;
  simulated: string;
  ok: boolean;
  fix?: string;
  file?: string;
  line?: number;
}

function walk(...args: string[]): { status: number | null; steps: StepJson[] } {
  const r = cli('troubleshoot', ...args, '--format', 'json');
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return { status: r.status, steps: json<StepJson[]>(r) };
}

const last = (steps: StepJson[]) => steps[steps.length - 1] as StepJson;

describe("troubleshoot --service (can't reach Service)", () => {
  before(ensureBuilt);

  it('passes every step on a Service that works, from the pod that calls it', () => {
    const { status, steps } = walk('examples/shop', '--service', 'shop/backend');
    assert.equal(status, 0);
    assert.deepEqual(
      steps.map((s) => s.kubectl.replace(/frontend-[a-z0-9-]+/, 'POD')),
      [
        'kubectl get service backend -n shop',
        'kubectl get pods -n shop -l app=backend',
        'kubectl get endpoints backend -n shop',
        'kubectl exec -n shop POD -- nslookup backend',
        'kubectl exec -n shop POD -- curl -v --max-time 5 backend:8080',
      ],
    );
    assert.ok(steps.every((s) => s.ok && s.fix === undefined));
  });

  it('stops at the missing Service and names the nearest one', () => {
    const { status, steps } = walk('examples/shop', '--service', 'shop/backendd');
    assert.equal(status, 1);
    assert.equal(steps.length, 1);
    assert.match(last(steps).fix ?? '', /did you mean shop\/backend\?/);
  });

  it('stops at the selector when no pod carries its labels, and names the typo', () => {
    const { steps } = walk(`${TS}/labels`, '--service', 'ts/api');
    assert.equal(steps.length, 2);
    assert.equal(last(steps).simulated, 'No resources found');
    assert.match(last(steps).fix ?? '', /^nearest: ts\/api has app=apii \(wants app=api\)/);
    assert.equal(last(steps).line, 20);
  });

  it('stops at the endpoints when targetPort names no container port, at the targetPort', () => {
    const { steps } = walk(`${TS}/targetport`, '--service', 'ts/api');
    assert.equal(steps.length, 3);
    assert.equal(last(steps).check, 'Does the Service api have endpoints?');
    assert.match(last(steps).fix ?? '', /targetPort web names no port of the selected pods \(they declare http \(8080\)\)/);
    assert.equal(last(steps).line, 21);
  });

  it('stops at the connection a NetworkPolicy drops, pointing at the policy', () => {
    const { status, steps } = walk(`${TS}/policy`, '--service', 'ts/api');
    assert.equal(status, 1);
    assert.equal(steps.length, 5);
    assert.match(last(steps).simulated, /^dropped: .*NetworkPolicy ts\/default-deny/);
    assert.equal(last(steps).line, 40);
  });

  it('runs the in-cluster checks from the pod --from names', () => {
    const { steps } = walk(`${TS}/policy`, '--service', 'ts/api', '--from', 'ts/api');
    assert.match(steps[3]?.check ?? '', /from ts\/api\?$/);
  });
});

describe('troubleshoot --external (external access)', () => {
  before(ensureBuilt);

  it('reports a LoadBalancer whose EXTERNAL-IP stays <pending> and offers the NodePort on a node', () => {
    const { status, steps } = walk(`${TS}/lb-pending`, '--external', 'ts/lb-c');
    assert.equal(status, 1);
    assert.equal(last(steps).check, 'Has the load balancer an EXTERNAL-IP?');
    assert.equal(last(steps).simulated, '<pending>');
    assert.match(last(steps).fix ?? '', /loadBalancerPool 198\.51\.100\.0\/30.*curl http:\/\/10\.0\.1\.10:\d+$/);
  });

  it('tries the NodePort on a node IP and the load balancer of a Service that has an address', () => {
    const { status, steps } = walk(`${TS}/lb-pending`, '--external', 'ts/lb-a');
    assert.equal(status, 0);
    assert.deepEqual(
      steps.slice(-2).map((s) => /^curl -v http:\/\/([\d.]+):\d+\/$/.exec(s.kubectl)?.[1]),
      ['10.0.1.10', steps[2]?.simulated.split(' ')[0]],
    );
  });

  it('says a ClusterIP Service is reachable only from inside, at its spec', () => {
    const { steps } = walk(`${TS}/lb-pending`, '--external', 'ts/internal');
    assert.equal(last(steps).check, 'Is the Service exposed outside the cluster?');
    assert.match(last(steps).fix ?? '', /set spec\.type to LoadBalancer/);
  });

  it('follows a host an Ingress serves through the Ingress walk', () => {
    const { status, steps } = walk('examples/shop', '--external', 'http://shop.example.com/');
    assert.equal(status, 0);
    assert.equal(steps[0]?.simulated, 'Ingress shop/shop');
    assert.equal(steps[2]?.kubectl, 'kubectl get ingressclass');
  });

  it('says a cluster DNS name does not resolve from outside', () => {
    const { status, steps } = walk('examples/shop', '--external', 'http://backend.shop:8080/');
    assert.equal(status, 1);
    assert.match(last(steps).fix ?? '', /cluster DNS name of Service shop\/backend: it resolves only inside the cluster/);
  });
});

describe('troubleshoot --ingress (Ingress not working)', () => {
  before(ensureBuilt);

  it('stops at a class no controller serves', () => {
    const { steps } = walk(`${TS}/ingress-broken`, '--ingress', 'ts/orphan');
    assert.equal(steps.length, 2);
    assert.match(last(steps).fix ?? '', /set spec\.ingressClassName to one of nginx/);
  });

  it('stops at a backend Service that does not exist, at its name', () => {
    const { steps } = walk(`${TS}/ingress-broken`, '--ingress', 'ts/shop');
    assert.equal(last(steps).check, "Do the rules' backends name existing Services and ports?");
    assert.equal(last(steps).line, 18);
    assert.deepEqual(
      steps.map((s) => s.kubectl.split(' ').slice(0, 3).join(' ')),
      ['kubectl get ingress', 'kubectl get ingressclass', 'kubectl get pods', 'kubectl get ingress', 'kubectl describe ingress'],
    );
  });

  it("probes each rule path and stops at the one a NetworkPolicy drops (the shop's /api)", () => {
    const { steps } = walk('examples/shop', '--ingress', 'shop/shop');
    assert.match(last(steps).check, /https:\/\/shop\.example\.com\/api reach a pod\?$/);
    assert.match(last(steps).kubectl, /^curl -v --resolve shop\.example\.com:443:[\d.]+ https:\/\/shop\.example\.com\/api$/);
    assert.equal(last(steps).ok, false);
  });
});

describe('troubleshoot usage', () => {
  before(ensureBuilt);

  it('needs exactly one subject, and prints the checklist as text', () => {
    const none = cli('troubleshoot', 'examples/shop');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /exactly one of --service NS\/NAME, --ingress NS\/NAME or --external URL/);
    const text = cli('troubleshoot', 'examples/shop', '--service', 'shop/backend');
    assert.equal(text.status, 0);
    assert.match(
      text.stdout,
      /^Can't reach Service: shop\/backend\n\n 1\. \[ok\] Does the Service exist\?\n {6}\$ kubectl get service backend -n shop/,
    );
  });

  it('rejects a --from that names no workload', () => {
    const r = cli('troubleshoot', 'examples/shop', '--service', 'shop/backend', '--from', 'shop/nope');
    assert.equal(r.status, 2);
  });
});
