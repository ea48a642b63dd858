import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cidrContains, podAllocator, HashAllocator, parseCidr, subnetAt } from '../../src/engine/cluster/ipam';
import { analyze, docs, expectDiagnostic, expectNoDiagnostic, lineOf, podsOf, pod, service, svc, where, workload, yaml } from '../helpers';

const SHOP = join(__dirname, '..', '..', 'examples', 'shop');
const shopFiles = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(SHOP)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [`shop/${f}`, readFileSync(join(SHOP, f), 'utf8')]),
  );
const ipsById = (a: ReturnType<typeof analyze>) => new Map(a.cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p.ip]));
const serviceIPs = (a: ReturnType<typeof analyze>) => new Map(a.cluster.services.map((s) => [`${s.namespace}/${s.name}`, s.clusterIP]));

describe('ipam: primitives', () => {
  it('cidrContains and subnetAt', () => {
    assert.equal(cidrContains('10.244.0.0/16', '10.244.255.1'), true);
    assert.equal(cidrContains('10.244.0.0/16', '10.245.0.1'), false);
    assert.equal(cidrContains('10.244.0.0/16', 'fd00::1'), false);
    assert.equal(cidrContains('10.244.0.0/16', 'not-an-ip'), false);
    assert.equal(subnetAt(parseCidr('10.244.0.0/16'), 24, 3), '10.244.3.0/24');
    assert.equal(subnetAt(parseCidr('fd00::/48'), 64, 1), 'fd00:0:0:1::/64');
  });

  it('a node allocator hands out every usable address once, never .0, .1 or broadcast, then runs out', () => {
    const alloc = podAllocator('10.244.1.0/24');
    const got = new Set<string>();
    for (let i = 0; i < 253; i++) {
      const ip = alloc.allocate(`pod-${i}`);
      assert.ok(ip);
      got.add(ip);
    }
    assert.equal(got.size, 253);
    for (const bad of ['10.244.1.0', '10.244.1.1', '10.244.1.255']) assert.equal(got.has(bad), false, bad);
    assert.equal(alloc.allocate('one-too-many'), undefined);
  });

  it('reserve() keeps an address away from allocation and reports a second reservation', () => {
    const alloc = new HashAllocator(parseCidr('10.0.0.0/30'), 1n, 2n);
    assert.equal(alloc.reserve('10.0.0.1'), true);
    assert.equal(alloc.reserve('10.0.0.1'), false);
    assert.equal(alloc.reserve('10.9.9.9'), false);
    assert.equal(alloc.allocate('x'), '10.0.0.2');
    assert.equal(alloc.allocate('y'), undefined);
  });
});

describe('ipam: pod IPs', () => {
  it("every pod IP is inside its node's pod CIDR, usable, and unique", () => {
    const a = analyze({
      'w.yaml': docs(
        workload({ name: 'a', replicas: 60 }),
        workload({ name: 'b', replicas: 90, namespace: 'x' }),
        workload({ kind: 'DaemonSet', name: 'ds' }),
      ),
    });
    const nodes = new Map(a.cluster.nodes.map((n) => [n.name, n]));
    const seen = new Set<string>();
    for (const p of a.cluster.pods) {
      assert.ok(p.ip && p.node, `${p.name} placed`);
      const cidr = nodes.get(p.node)?.podCIDR ?? '';
      assert.ok(cidrContains(cidr, p.ip), `${p.ip} in ${cidr}`);
      assert.doesNotMatch(p.ip, /\.(0|1|255)$/);
      assert.equal(seen.has(p.ip), false, `duplicate ${p.ip}`);
      seen.add(p.ip);
    }
  });

  it("hostNetwork pods take their node's IP and do not use a pod address", () => {
    const a = analyze({ 'w.yaml': workload({ name: 'agent', kind: 'DaemonSet', podSpec: 'hostNetwork: true' }) });
    assert.deepEqual(
      podsOf(a, 'default/agent')
        .map((p) => `${p.node} ${p.ip}`)
        .sort(),
      ['node-1 10.0.1.10', 'node-2 10.0.1.20', 'node-3 10.0.1.30'],
    );
  });

  it('stay the same when an unrelated workload is added or removed (the shop example)', () => {
    const base = shopFiles();
    const before = ipsById(analyze(base));
    const withExtra = ipsById(
      analyze({
        ...base,
        'shop/catalog.yaml': docs(
          workload({ name: 'catalog', namespace: 'shop', replicas: 2 }),
          svc({ name: 'catalog', namespace: 'shop', ports: [{ port: 9090 }] }),
        ),
      }),
    );
    const withoutRedis = {
      ...base,
      'shop/database.yaml': (base['shop/database.yaml'] ?? '')
        .split(/^---$/m)
        .filter((d) => !/name: redis/.test(d))
        .join('---'),
    };
    const fewer = ipsById(analyze(withoutRedis));
    for (const [id, ip] of before) {
      assert.equal(withExtra.get(id), ip, `${id} kept its IP when catalog was added`);
      if (!id.startsWith('shop/redis-')) assert.equal(fewer.get(id), ip, `${id} kept its IP when redis was removed`);
    }
    assert.ok(
      [...before.keys()].some((id) => id.startsWith('shop/redis-')) && ![...fewer.keys()].some((id) => id.startsWith('shop/redis-')),
      'redis really was removed',
    );
  });

  it('stay the same when another workload is scaled, and Service ClusterIPs do too', () => {
    const files = (replicas: number) => ({
      ...shopFiles(),
      'extra.yaml': docs(workload({ name: 'worker', namespace: 'jobs', replicas }), svc({ name: 'worker', namespace: 'jobs' })),
    });
    const small = analyze(files(1));
    const big = analyze(files(12));
    for (const [id, ip] of ipsById(small)) if (!id.startsWith('jobs/')) assert.equal(ipsById(big).get(id), ip, id);
    assert.deepEqual(serviceIPs(big), serviceIPs(small));
  });

  it('custom podCIDR and nodes from settings', () => {
    const a = analyze(
      { 'w.yaml': workload({ name: 'web', replicas: 6 }) },
      yaml`
      podCIDR: 172.20.0.0/16
      nodes:
        - {name: n1, ip: 192.168.1.1}
        - {name: n2, ip: 192.168.1.2, podCIDR: 172.20.100.0/25}
    `,
    );
    assert.deepEqual(
      a.cluster.nodes.map((n) => n.podCIDR),
      ['172.20.1.0/24', '172.20.100.0/25'],
    );
    for (const p of podsOf(a, 'default/web'))
      assert.ok(cidrContains(p.node === 'n1' ? '172.20.1.0/24' : '172.20.100.0/25', p.ip ?? ''), `${p.ip} on ${p.node}`);
  });

  it('a small cluster podCIDR still gives every node a CIDR inside it', () => {
    const a = analyze({ 'w.yaml': workload({ name: 'web', replicas: 3 }) }, 'podCIDR: 10.100.0.0/24\n');
    for (const n of a.cluster.nodes) assert.ok(cidrContains('10.100.0.0/24', n.podCIDR.split('/')[0] ?? ''), `${n.name} ${n.podCIDR}`);
    assert.equal(new Set(a.cluster.nodes.map((n) => n.podCIDR)).size, 3);
    for (const p of podsOf(a, 'default/web')) assert.ok(cidrContains('10.100.0.0/24', p.ip ?? ''), p.ip);
  });

  it('kind: Node objects define the nodes: name, spec.podCIDR, InternalIP and labels', () => {
    const node = (name: string, ip: string, cidr: string, zone: string) => yaml`
      apiVersion: v1
      kind: Node
      metadata:
        name: ${name}
        labels: {topology.kubernetes.io/zone: ${zone}}
      spec:
        podCIDR: ${cidr}
      status:
        addresses:
        - {type: Hostname, address: ${name}}
        - {type: InternalIP, address: ${ip}}
    `;
    const a = analyze({
      'nodes.yaml': docs(node('kw-1', '192.168.5.11', '10.42.0.0/24', 'a'), node('kw-2', '192.168.5.12', '10.42.1.0/24', 'b')),
      'w.yaml': workload({ name: 'web', replicas: 2, podSpec: 'nodeSelector:\n  topology.kubernetes.io/zone: b' }),
    });
    assert.deepEqual(
      a.cluster.nodes.map((n) => `${n.name} ${n.ip} ${n.podCIDR}`),
      ['kw-1 192.168.5.11 10.42.0.0/24', 'kw-2 192.168.5.12 10.42.1.0/24'],
    );
    for (const p of podsOf(a, 'default/web')) {
      assert.equal(p.node, 'kw-2');
      assert.ok(cidrContains('10.42.1.0/24', p.ip ?? ''), p.ip);
    }
  });

  it('a Node with an invalid spec.podCIDR is manifest-invalid (not a crash) and gets a cut CIDR', () => {
    for (const bad of ['10.244.1.0/99', '10.244.1.300/24']) {
      const text = `apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec:\n  podCIDR: ${bad}\n`;
      const a = analyze({ 'n.yaml': text, 'w.yaml': workload({ name: 'web' }) });
      expectDiagnostic(a, 'manifest-invalid', 'n.yaml', 5, 12);
      assert.equal(a.cluster.nodes[0]?.podCIDR, '10.244.1.0/24');
      assert.ok(cidrContains('10.244.1.0/24', pod(a, 'default/web').ip ?? ''));
    }
  });

  it('a /64 IPv6 pod CIDR is cut into node CIDRs inside it', () => {
    const a = analyze({}, 'podCIDR: 10.244.0.0/16,fd00::/64\n');
    for (const n of a.cluster.nodes) assert.ok(cidrContains('fd00::/64', (n.podCIDRv6 ?? '').split('/')[0] ?? ''), n.podCIDRv6);
  });

  it("dual-stack: pods get an IPv6 address from their node's v6 CIDR when podCIDR has two families", () => {
    const a = analyze({ 'w.yaml': workload({ name: 'web', replicas: 2 }) }, 'podCIDR: 10.244.0.0/16,fd00:10:244::/56\n');
    for (const p of podsOf(a, 'default/web')) {
      const n = a.cluster.nodes.find((x) => x.name === p.node);
      assert.ok(n?.podCIDRv6 && p.ipv6 && cidrContains(n.podCIDRv6, p.ipv6), `${p.ipv6} in ${n?.podCIDRv6}`);
    }
  });
});

describe('ipam: Service addresses', () => {
  it('ClusterIPs come from the service CIDR; kubernetes is 10.96.0.1 and kube-dns 10.96.0.10', () => {
    const names = Array.from({ length: 40 }, (_, i) => `s${i}`);
    const a = analyze({ 's.yaml': docs(...names.map((n) => svc({ name: n, selector: null }))) });
    assert.equal(service(a, 'default/kubernetes').clusterIP, '10.96.0.1');
    assert.equal(service(a, 'kube-system/kube-dns').clusterIP, '10.96.0.10');
    const ips = names.map((n) => service(a, `default/${n}`).clusterIP ?? '');
    for (const ip of ips) {
      assert.ok(cidrContains('10.96.0.0/12', ip), ip);
      assert.notEqual(ip, '10.96.0.1');
      assert.notEqual(ip, '10.96.0.10');
    }
    assert.equal(new Set(ips).size, ips.length);
  });

  it('a custom serviceCIDR moves the implicit Services too', () => {
    const a = analyze({}, 'serviceCIDR: 10.3.0.0/16\n');
    assert.equal(service(a, 'default/kubernetes').clusterIP, '10.3.0.1');
    assert.equal(service(a, 'kube-system/kube-dns').clusterIP, '10.3.0.10');
  });

  it('an explicit clusterIP is honoured; None makes the Service headless', () => {
    const a = analyze({
      's.yaml': docs(svc({ name: 'a', clusterIP: '10.100.0.50', selector: null }), svc({ name: 'h', clusterIP: 'None', selector: null })),
    });
    assert.equal(service(a, 'default/a').clusterIP, '10.100.0.50');
    assert.equal(service(a, 'default/h').headless, true);
    assert.deepEqual(service(a, 'default/h').clusterIPs, []);
    expectNoDiagnostic(a, 'clusterip-conflict');
  });

  it('clusterip-out-of-range at spec.clusterIP', () => {
    const text = svc({ name: 'a', clusterIP: '10.0.0.5', selector: null });
    const a = analyze({ 's.yaml': text });
    const d = expectDiagnostic(a, 'clusterip-out-of-range', 's.yaml', lineOf(text, 'clusterIP'), 14);
    assert.match(d.message, /10\.96\.0\.0\/12/);
    assert.ok(cidrContains('10.96.0.0/12', service(a, 'default/a').clusterIP ?? ''), 'a valid address is allocated instead');
  });

  it('clusterip-conflict on the second Service asking for an address, and on any asking for 10.96.0.1 or 10.96.0.10', () => {
    const first = svc({ name: 'a', clusterIP: '10.100.0.50', selector: null });
    const second = svc({ name: 'b', clusterIP: '10.100.0.50', selector: null });
    const a = analyze({ 'a.yaml': first, 'b.yaml': second });
    expectDiagnostic(a, 'clusterip-conflict', 'b.yaml', lineOf(second, 'clusterIP'), 14);
    assert.deepEqual(where(a, 'clusterip-conflict'), ['b.yaml:6:14']);
    const dns = svc({ name: 'mydns', clusterIP: '10.96.0.10', selector: null });
    const api = svc({ name: 'api', clusterIP: '10.96.0.1', selector: null });
    const b = analyze({ 'dns.yaml': dns, 'api.yaml': api });
    assert.deepEqual(where(b, 'clusterip-conflict'), ['api.yaml:6:14', 'dns.yaml:6:14']);
    assert.equal(service(b, 'kube-system/kube-dns').clusterIP, '10.96.0.10');
    assert.equal(service(b, 'default/kubernetes').clusterIP, '10.96.0.1');
  });

  it('NodePorts are allocated in the range; explicit ones are honoured', () => {
    const ports = Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, port: 1000 + i }));
    const a = analyze({
      's.yaml': docs(
        svc({ name: 'np', type: 'NodePort', selector: null, ports }),
        svc({ name: 'fixed', type: 'NodePort', selector: null, ports: [{ port: 80, nodePort: 30080 }] }),
      ),
    });
    const got = service(a, 'default/np').ports.map((p) => p.nodePort ?? 0);
    for (const n of got) assert.ok(n >= 30000 && n <= 32767, String(n));
    assert.equal(new Set(got).size, got.length);
    assert.equal(service(a, 'default/fixed').ports[0]?.nodePort, 30080);
    assert.equal(service(a, 'default/kubernetes').ports[0]?.nodePort, undefined, 'ClusterIP Services get no nodePort');
  });

  it('a custom nodePortRange is used', () => {
    const a = analyze(
      {
        's.yaml': svc({
          name: 'np',
          type: 'LoadBalancer',
          selector: null,
          ports: [
            { name: 'a', port: 1 },
            { name: 'b', port: 2 },
          ],
        }),
      },
      'nodePortRange: 31000-31001\n',
    );
    assert.deepEqual(
      service(a, 'default/np')
        .ports.map((p) => p.nodePort)
        .sort(),
      [31000, 31001],
    );
  });

  it('nodeport-out-of-range at the nodePort', () => {
    const text = svc({ name: 'np', type: 'NodePort', selector: null, ports: [{ port: 80, nodePort: 8080 }] });
    const d = expectDiagnostic(analyze({ 's.yaml': text }), 'nodeport-out-of-range', 's.yaml', lineOf(text, 'nodePort:'), 15);
    assert.match(d.message, /30000-32767/);
  });

  it("nodeport-conflict at the second Service's nodePort; TCP and UDP of one Service may share one", () => {
    const a1 = svc({ name: 'a', type: 'NodePort', selector: null, ports: [{ port: 80, nodePort: 30500 }] });
    const b1 = svc({ name: 'b', type: 'NodePort', selector: null, ports: [{ port: 81, nodePort: 30500 }] });
    const dnsLike = svc({
      name: 'c',
      type: 'NodePort',
      selector: null,
      ports: [
        { name: 'u', port: 53, protocol: 'UDP', nodePort: 30053 },
        { name: 't', port: 53, protocol: 'TCP', nodePort: 30053 },
      ],
    });
    const a = analyze({ 'a.yaml': a1, 'b.yaml': b1, 'c.yaml': dnsLike });
    assert.deepEqual(where(a, 'nodeport-conflict'), [`b.yaml:${lineOf(b1, 'nodePort')}:15`]);
    assert.equal(service(a, 'default/b').ports[0]?.nodePort !== 30500, true, 'the loser gets another port');
  });

  it('LoadBalancer Services get an IP from the pool; status.loadBalancer and loadBalancerIP are honoured', () => {
    const a = analyze(
      {
        's.yaml': docs(
          svc({ name: 'lb', type: 'LoadBalancer', selector: null }),
          svc({ name: 'fixed', type: 'LoadBalancer', selector: null, extra: 'loadBalancerIP: 198.51.100.77' }),
          svc({ name: 'live', type: 'LoadBalancer', selector: null }) + 'status:\n  loadBalancer:\n    ingress:\n    - ip: 34.1.2.3\n',
        ),
      },
      'loadBalancerPool: 198.51.100.64/26\n',
    );
    const ip = service(a, 'default/lb').loadBalancerIP ?? '';
    assert.ok(cidrContains('198.51.100.64/26', ip) && ip !== '198.51.100.64' && ip !== '198.51.100.127', ip);
    assert.equal(service(a, 'default/fixed').loadBalancerIP, '198.51.100.77');
    assert.equal(service(a, 'default/live').loadBalancerIP, '34.1.2.3');
    assert.equal(service(a, 'default/kubernetes').loadBalancerIP, undefined);
  });

  it('spec.ipFamilies orders the families: IPv6 first makes the ClusterIP IPv6; SingleStack gives one family only', () => {
    const a = analyze(
      {
        's.yaml': docs(
          svc({ name: 'v6only', selector: null, extra: 'ipFamilyPolicy: SingleStack\nipFamilies: [IPv6]' }),
          svc({ name: 'v6first', selector: null, extra: 'ipFamilyPolicy: PreferDualStack\nipFamilies: [IPv6, IPv4]' }),
          svc({ name: 'plain', selector: null }),
        ),
      },
      'serviceCIDR: 10.96.0.0/12,fd00:96::/112\n',
    );
    const fams = (id: string) => service(a, id).clusterIPs.map((ip) => (ip.includes(':') ? 'v6' : 'v4'));
    assert.deepEqual(fams('default/v6only'), ['v6']);
    assert.deepEqual(fams('default/v6first'), ['v6', 'v4']);
    assert.deepEqual(fams('default/plain'), ['v4']);
    assert.equal(service(a, 'default/v6only').clusterIP, service(a, 'default/v6only').clusterIPs[0]);
  });

  it('dual-stack Services get an IPv6 ClusterIP when they ask for it', () => {
    const a = analyze(
      { 's.yaml': svc({ name: 'ds', selector: null, extra: 'ipFamilyPolicy: PreferDualStack\nipFamilies: [IPv4, IPv6]' }) },
      'serviceCIDR: 10.96.0.0/12,fd00:96::/112\n',
    );
    const s = service(a, 'default/ds');
    assert.equal(s.clusterIPs.length, 2);
    assert.ok(cidrContains('fd00:96::/112', s.clusterIPs[1] ?? ''));
    assert.equal(pod(a, 'kube-system/coredns').namespace, 'kube-system');
  });
});
