// `kube-netsim trace` and `kube-netsim rules` through the built bundle, on the fixture folders
// under test/fixtures/trace: one run per verdict kind, the JSON contract, and usage errors.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt, json } from './run';

const SHOP = 'test/fixtures/trace/shop';

interface TraceJson {
  verdict: string;
  reason: string;
  destination:
    | null
    | { kind: 'pod'; namespace: string; name: string; workload: string; ip: string; port: number; node: string; service?: string }
    | { kind: 'external'; host: string };
  sourceIPAtDestination: string | null;
  hops: Array<{ step: string; node: string | null; detail: string; range?: { file: string; line: number; column: number } }>;
  candidates: Array<{ pod: string; ip: string; port: number; node: string | null; weight: number; chosen: boolean }>;
  reply: Array<{ step: string; node: string | null; detail: string }>;
}

function trace(...args: string[]): TraceJson {
  const r = cli('trace', ...args, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return json<TraceJson>(r);
}

const steps = (t: TraceJson) => t.hops.map((h) => h.step);

function assertUsageError(args: string[], message: RegExp): void {
  const r = cli(...args);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] ?? '', message);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('cli trace', () => {
  before(() => ensureBuilt());

  it('delivered: --format json has the contract fields, hops in order, candidates with weights, and the reply', () => {
    const t = trace(SHOP, '--from', 'shop/frontend', '--to', 'http://backend:8080/api');
    assert.equal(t.verdict, 'delivered');
    assert.equal(typeof t.reason, 'string');
    assert.ok(t.destination && t.destination.kind === 'pod');
    assert.deepEqual(Object.keys(t.destination).sort(), ['ip', 'kind', 'name', 'namespace', 'node', 'port', 'service', 'workload']);
    assert.equal(t.destination.service, 'shop/backend', 'the Service the URL chose');
    assert.equal(t.destination.workload, 'shop/backend');
    assert.equal(t.destination.port, 8080);
    assert.match(t.sourceIPAtDestination ?? '', /^10\.244\.1\.\d+$/, 'the frontend pod on node-1 keeps its address');
    assert.deepEqual(
      steps(t).filter((s) => s !== 'route'),
      ['dns', 'dnat', 'policy-egress', 'policy-ingress', 'deliver'],
    );
    for (const h of t.hops)
      assert.deepEqual(
        Object.keys(h)
          .filter((k) => k !== 'range' && k !== 'verify')
          .sort(),
        ['detail', 'node', 'step'],
      );
    const dns = t.hops[0];
    assert.match(dns?.detail ?? '', /backend\.shop\.svc\.cluster\.local/);
    assert.equal(dns?.range?.file, 'test/fixtures/trace/shop/apps.yaml', 'the DNS hop points at the Service manifest');
    assert.equal(t.candidates.length, 3);
    assert.ok(t.candidates.every((c) => Math.abs(c.weight - 1 / 3) < 1e-5));
    assert.equal(t.candidates.filter((c) => c.chosen).length, 1);
    assert.ok(t.reply.some((h) => h.step === 'reverse-dnat'));
  });

  it('delivered (text): numbered hops, the verdict line, candidates and the reply', () => {
    const r = cli('trace', SHOP, '--from', 'shop/frontend', '--to', 'http://backend:8080/api');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^trace shop\/frontend-\S+ \(10\.244\.1\.\d+ on node-1\) → http:\/\/backend:8080\/api \[TCP\]/);
    assert.match(r.stdout, /\n {2}1 {2}dns /);
    assert.match(r.stdout, /\nDELIVERED: delivered to shop\/backend-/);
    assert.match(r.stdout, /\ncandidates:\n/);
    assert.match(r.stdout, /\nreply:\n/);
    assert.match(r.stdout, /KUBE-SVC-[A-Z2-7]{16} → KUBE-SEP-[A-Z2-7]{16}/);
  });

  it('dropped: NetworkPolicy denies the frontend at the database, naming the policy', () => {
    const t = trace(SHOP, '--from', 'shop/frontend', '--to', 'db:5432');
    assert.equal(t.verdict, 'dropped');
    assert.equal(steps(t).at(-1), 'drop');
    const denied = t.hops.find((h) => h.step === 'policy-ingress');
    assert.match(denied?.detail ?? '', /DENIED/);
    assert.equal(denied?.range?.file, 'test/fixtures/trace/shop/policy.yaml');
    assert.equal(t.destination, null);
    assert.equal(t.sourceIPAtDestination, null);
  });

  it('dropped: externalTrafficPolicy Local on a node without a local endpoint; delivered with the client IP on the node with one', () => {
    const t = trace(SHOP, '--from', 'external', '--to', '10.0.1.10:30080');
    assert.equal(t.verdict, 'dropped');
    assert.match(t.reason, /externalTrafficPolicy is Local and node-1 runs no endpoint/);
    const ok = trace(SHOP, '--from', 'external:192.0.2.44', '--to', '10.0.1.20:30080');
    assert.equal(ok.verdict, 'delivered');
    assert.equal(ok.sourceIPAtDestination, '192.0.2.44');
  });

  it('refused: a Service without endpoints is REJECTed', () => {
    const t = trace(SHOP, '--from', 'shop/frontend', '--to', 'http://empty');
    assert.equal(t.verdict, 'refused');
    const reject = t.hops.find((h) => h.step === 'reject');
    assert.match(reject?.detail ?? '', /shop\/empty:http has no endpoints/);
    assert.deepEqual(t.candidates, []);
  });

  it('unresolved: an unknown name, and a name whose DNS traffic a policy blocks', () => {
    const t = trace(SHOP, '--from', 'shop/frontend', '--to', 'http://nosuch');
    assert.equal(t.verdict, 'unresolved');
    assert.match(t.hops[0]?.detail ?? '', /nosuch\.shop\.svc\.cluster\.local/);
    const blocked = trace('test/fixtures/trace/dns-blocked', '--from', 'locked/client', '--to', 'http://api');
    assert.equal(blocked.verdict, 'unresolved');
    assert.match(blocked.reason, /DNS/);
    assert.ok(blocked.hops.some((h) => h.step === 'policy-egress' && /DNS query .* DENIED/.test(h.detail)));
  });

  it('unrouted: a node port nothing listens on, and an Ingress host with no matching path', () => {
    const t = trace(SHOP, '--from', 'external', '--to', '10.0.1.10:31999');
    assert.equal(t.verdict, 'unrouted');
    assert.match(t.reason, /node-1 has no NodePort 31999\/TCP/);
    const ing = trace(SHOP, '--from', 'external', '--to', 'http://shop.example.com/admin');
    assert.equal(ing.verdict, 'unrouted');
    assert.equal(steps(ing).at(-1), 'ingress-controller');
  });

  it('Ingress from external: load balancer, TLS termination, the controller, then the backend sees the controller', () => {
    const t = trace(SHOP, '--from', 'external', '--to', 'https://shop.example.com/api/orders');
    assert.equal(t.verdict, 'delivered');
    for (const s of ['dns', 'load-balancer', 'dnat', 'tls-termination', 'ingress-controller']) assert.ok(steps(t).includes(s), s);
    assert.match(t.hops.find((h) => h.step === 'tls-termination')?.detail ?? '', /Secret shop-tls/);
    assert.equal(t.hops.find((h) => h.step === 'ingress-controller')?.range?.file, 'test/fixtures/trace/shop/ingress.yaml');
    assert.ok(t.destination?.kind === 'pod' && t.destination.workload === 'shop/backend');
    assert.match(t.sourceIPAtDestination ?? '', /^10\.244\./, 'the backend sees the controller pod');
  });

  it('LoadBalancer IP and ExternalName', () => {
    const lb = trace(SHOP, '--from', 'external', '--to', 'http://198.51.100.50/');
    assert.equal(lb.verdict, 'delivered');
    assert.equal(lb.hops[0]?.step, 'load-balancer');
    const ext = trace(SHOP, '--from', 'shop/frontend', '--to', 'https://payments/charge');
    assert.equal(ext.verdict, 'delivered');
    assert.deepEqual(ext.destination, { kind: 'external', host: 'api.payments.example.com' });
  });

  it('--cluster with flannel: the policy that drops under Calico is not enforced, and the trace says so', () => {
    const t = trace(SHOP, '--cluster', 'test/fixtures/trace/flannel.yaml', '--from', 'shop/frontend', '--to', 'db:5432');
    assert.equal(t.verdict, 'delivered');
    assert.match(t.reason, /flannel does not enforce NetworkPolicy/);
    assert.match(t.hops.find((h) => h.step === 'policy-ingress')?.detail ?? '', /DENIED: .*\[not enforced/);
    assert.ok(
      t.hops.some((h) => h.step === 'encap' && /flannel\.1/.test(h.detail) && /UDP 8472/.test(h.detail)),
      'db runs on node-3, across the VXLAN',
    );
  });

  it('--cluster with IPVS: the DNAT is done by an IPVS virtual server', () => {
    const t = trace(SHOP, '--cluster', 'test/fixtures/trace/ipvs.yaml', '--from', 'shop/frontend', '--to', 'http://backend:8080');
    assert.match(t.hops.find((h) => h.step === 'dnat')?.detail ?? '', /IPVS DNAT .* IPVS virtual server TCP [\d.]+:8080 rr/);
  });

  it('bad usage exits 2 with one line', () => {
    assertUsageError(['trace', SHOP, '--from', 'shop/frontend', '--to', 'backend'], /--to backend: a target is a URL/);
    assertUsageError(['trace', SHOP, '--from', 'shop/nobody', '--to', 'backend:80'], /--from shop\/nobody: no workload or pod/);
    assertUsageError(['trace', SHOP, '--from', 'shop/frontend', '--to', 'backend:80', '--protocol', 'ICMP'], /protocol/);
  });
});

describe('cli rules', () => {
  before(() => ensureBuilt());

  it('iptables: iptables-save form, grouped by node where externalTrafficPolicy Local makes them differ', () => {
    const r = cli('rules', SHOP);
    assert.equal(r.status, 0, r.stderr);
    const headers = r.stdout.split('\n').filter((l) => l.startsWith('# kube-proxy'));
    assert.deepEqual(headers, ['# kube-proxy (iptables mode) on node-1, node-3', '# kube-proxy (iptables mode) on node-2']);
    assert.match(r.stdout, /^\*filter$/m);
    assert.match(r.stdout, /^\*nat$/m);
    assert.match(
      r.stdout,
      /-A KUBE-SERVICES -m comment --comment "shop\/empty:http has no endpoints" -m tcp -p tcp -d [\d.]+ --dport 80 -j REJECT/,
    );
    assert.match(r.stdout, /"shop\/backend:http -> [\d.]+:8080" -m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/);
    assert.match(r.stdout, /-A KUBE-NODEPORTS -m comment --comment shop\/web:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-/);
    assert.match(
      r.stdout,
      /-A KUBE-SERVICES -m comment --comment "kube-system\/kube-dns:dns cluster IP" -m udp -p udp -d 10\.96\.0\.10 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU/,
    );
    assert.match(r.stdout, /-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000/);
  });

  it('ipvs for one node: ipvsadm -Ln with the NodePort on that node address, then the ipset/iptables glue', () => {
    const r = cli('rules', SHOP, '--mode', 'ipvs', '--node', 'node-2');
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^# kube-proxy \(ipvs mode\) on node-2\nIP Virtual Server version 1\.2\.1 \(size=4096\)\nProt LocalAddress:Port Scheduler Flags\n/m,
    );
    assert.match(r.stdout, /^TCP {2}10\.0\.1\.20:30080 rr\n {2}-> 10\.244\.2\.\d+:80 +Masq +1 +0 +0$/m);
    assert.match(r.stdout, /Name: KUBE-NODE-PORT-LOCAL-TCP/);
    assert.doesNotMatch(r.stdout, /node-1/);
  });

  it('an unknown node is a usage error', () => {
    assertUsageError(['rules', SHOP, '--node', 'node-9'], /--node node-9: no such node \(nodes: node-1, node-2, node-3\)/);
  });
});

describe('cli trace to a load balancer hostname from a pod', () => {
  before(() => ensureBuilt());

  it('leaves through the node, masqueraded, and comes back by the balancer to a NodePort (kube-proxy has no LB IP to capture)', () => {
    const t = trace('test/fixtures/trace/lb-hostname', '--from', 'shop/client', '--to', 'a1b2c3-123.eu-west-1.elb.amazonaws.com:80');
    assert.equal(t.verdict, 'delivered', t.reason);
    const s = steps(t);
    assert.ok(s.indexOf('dns') < s.indexOf('leave-cluster') && s.indexOf('leave-cluster') < s.indexOf('load-balancer'), s.join(' '));
    assert.match(t.hops.find((h) => h.step === 'dns')?.detail ?? '', /forwards it upstream/);
    assert.match(t.hops.find((h) => h.step === 'snat')?.detail ?? '', /10\.0\.1\.10/);
    assert.match(t.hops.find((h) => h.step === 'leave-cluster')?.detail ?? '', /known by hostname only/);
    assert.equal(t.destination?.kind, 'pod');
    // The source ranges admit the node network the pod was masqueraded into.
    assert.match(t.hops.find((h) => h.step === 'load-balancer')?.detail ?? '', /10\.0\.1\.0\/24/);
  });
});
