// Issue 16 items 3 and 5: names that do not exist do not resolve, names outside the cluster are
// answered upstream and unknown here, dnsPolicy None asks its own nameservers, and hostAliases
// answer from /etc/hosts before any DNS. Fixtures follow the Kubernetes docs' examples ("DNS for
// Services and Pods", "Adding entries to Pod /etc/hosts with HostAliases").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findSource, renderHop, tracePacket, type Analysis, type Hop, type TraceResult } from '../../src/engine';
import { symbolHover } from '../../src/extension/analysis/hoverText';
import { analyze, answers, docs, expectDiagnostic, pod, resolve, service, svc, workload, where } from '../helpers';

const APPS = docs(
  `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}`,
  workload({ name: 'backend', namespace: 'shop', ports: [{ name: 'http', containerPort: 8080 }] }),
  svc({ name: 'backend', namespace: 'shop', ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }),
  workload({ name: 'redis', namespace: 'shop', ports: [{ containerPort: 6379 }] }),
  svc({ name: 'redis', namespace: 'shop', ports: [{ port: 6379 }] }),
);

const trace = (a: Analysis, src: string, to: string): TraceResult => {
  const f = findSource(a.cluster, src);
  assert.ok(f.ok, src);
  return tracePacket(a, f.source, to);
};
const hop = <K extends Hop['kind']>(r: TraceResult, kind: K) => r.hops.find((h): h is Extract<Hop, { kind: K }> => h.kind === kind);

describe('dns: names that do not exist do not resolve (issue 16 item 3)', () => {
  const a = analyze({ 'apps.yaml': APPS, 'web.yaml': workload({ name: 'web', namespace: 'shop' }) });

  it('a name under the cluster domain that matches nothing is NXDOMAIN', () => {
    const r = resolve(a, 'nothing.shop.svc.cluster.local.', 'shop/web');
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.equal(r.forwarded, false);
    assert.equal(resolve(a, 'backend.nowhere.svc.cluster.local', 'shop/web').rcode, 'NXDOMAIN');
  });

  it('<service>.<namespace> with an unknown namespace is NXDOMAIN, naming the likely namespace', () => {
    const r = resolve(a, 'backend.shpo', 'shop/web');
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.equal(r.forwarded, false);
    assert.deepEqual(r.unknownNamespace, { service: 'backend', namespace: 'shpo', suggestion: 'shop' });
    assert.deepEqual(r.searched, [
      'backend.shpo.shop.svc.cluster.local',
      'backend.shpo.svc.cluster.local',
      'backend.shpo.cluster.local',
      'backend.shpo',
    ]);
    assert.match(r.explanation, /no namespace shpo .*did you mean shop\? backend\.shop/);
    // Also spelt out to the zone, and a namespace far from any known one but holding a known Service's name.
    assert.equal(resolve(a, 'backend.shpo.svc', 'shop/web').unknownNamespace?.suggestion, 'shop');
    assert.equal(resolve(a, 'backend.production', 'shop/web').unknownNamespace?.suggestion, 'shop');
  });

  it('a name outside the cluster is answered upstream, unknown here: never a confident NOERROR', () => {
    for (const name of ['www.example.org', 'api.github.com', 'redis.io', 'db.internal', 'foo.bar']) {
      const r = resolve(a, name, 'shop/web');
      assert.equal(r.rcode, 'UNKNOWN', name);
      assert.equal(r.forwarded, true, name);
      assert.equal(r.answeredBy, 'upstream', name);
      assert.deepEqual(r.answers, [], name);
      assert.match(r.explanation, /answered upstream, unknown here/, name);
    }
  });

  it('a trace to a name outside the cluster says it is answered upstream, unknown here', () => {
    const t = trace(a, 'shop/web', 'https://api.github.com/repos');
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.kind, 'external');
    assert.equal(hop(t, 'dns')?.rcode, 'UNKNOWN');
    assert.match(renderHop(t.hops[0] as Hop).detail, /answered upstream, unknown here/);
    assert.match(t.reason, /answered upstream, unknown here/);
  });

  it('SRV names: the right port name answers, a wrong one is NXDOMAIN and says which ports exist', () => {
    const ok = resolve(a, '_http._tcp.backend', 'shop/web', 'SRV');
    assert.equal(ok.rcode, 'NOERROR');
    assert.equal(ok.answers[0]?.value, '0 100 8080 backend.shop.svc.cluster.local');
    for (const name of ['_grpc._tcp.backend', '_grpc._tcp.backend.shop', '_http._udp.backend.shop.svc.cluster.local.']) {
      const r = resolve(a, name, 'shop/web', 'SRV');
      assert.equal(r.rcode, 'NXDOMAIN', name);
      assert.equal(r.forwarded, false, name);
    }
    assert.match(
      resolve(a, '_grpc._tcp.backend', 'shop/web', 'SRV').explanation,
      /no port named grpc over TCP \(its named ports: http\/TCP\)/,
    );
  });

  it('the resolver goes on down the search list after NXDOMAIN, in the order ndots gives', () => {
    // dnsConfig.searches are appended to the cluster's; backend lives in shop, the pod in web.
    const b = analyze({
      'apps.yaml': APPS,
      'c.yaml': workload({ name: 'c', namespace: 'web', podSpec: 'dnsConfig:\n  searches: [shop.svc.cluster.local]' }),
    });
    const r = resolve(b, 'backend', 'web/c');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.searched, [
      'backend.web.svc.cluster.local',
      'backend.svc.cluster.local',
      'backend.cluster.local',
      'backend.shop.svc.cluster.local',
    ]);
    // Five dots reach ndots:5, so the name is tried as written first.
    const abs = resolve(b, 'backend.shop.svc.cluster.local.x', 'web/c');
    assert.equal(abs.searched[0], 'backend.shop.svc.cluster.local.x');
    // ndots:1: a name with a dot goes as written first, then down the list.
    const one = analyze({
      'apps.yaml': APPS,
      'c.yaml': workload({ name: 'c', namespace: 'shop', podSpec: 'dnsConfig:\n  options: [{name: ndots, value: "1"}]' }),
    });
    const r1 = resolve(one, 'backend.shop', 'shop/c');
    assert.equal(r1.rcode, 'NOERROR');
    assert.deepEqual(r1.searched.slice(0, 2), ['backend.shop', 'backend.shop.shop.svc.cluster.local']);
  });

  it('an env value naming <service>.<namespace> with an unknown namespace is dns-name-unresolved at the value, with the fix', () => {
    const b = analyze({
      'apps.yaml': APPS,
      'web.yaml': workload({ name: 'web', namespace: 'shop', env: { BACKEND: 'http://backend.shpo:8080/api' } }),
    });
    const d = expectDiagnostic(b, 'dns-name-unresolved', 'web.yaml', 20, 19);
    assert.match(d.message, /no namespace shpo in the cluster \(Service backend is in shop\); did you mean shop\? Use backend\.shop/);
    assert.equal(d.fixes?.[0]?.title, 'Use backend.shop');
    assert.equal(d.fixes?.[0]?.edits[0]?.newText, 'backend.shop');
    assert.equal(d.fixes?.[0]?.edits[0]?.range.column, 26, 'the edit replaces the host only');
    // A name outside the cluster is not reported: upstream may well answer it.
    const c = analyze({
      'apps.yaml': APPS,
      'web.yaml': workload({ name: 'web', namespace: 'shop', env: { API: 'https://api.github.com' } }),
    });
    assert.deepEqual(where(c, 'dns-name-unresolved'), []);
  });
});

// The Kubernetes docs' dnsConfig example ("Pod's DNS Config").
const DNS_EXAMPLE = `apiVersion: v1
kind: Pod
metadata:
  namespace: default
  name: dns-example
  labels: {app: dns-example}
spec:
  containers:
    - name: test
      image: nginx
  dnsPolicy: "None"
  dnsConfig:
    nameservers:
      - 192.0.2.1 # this is an example
    searches:
      - ns1.svc.cluster-domain.example
      - my.dns.search.suffix
    options:
      - name: ndots
        value: "2"
      - name: edns0
`;
const egressOnly = (to: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: default}
spec:
  podSelector: {matchLabels: {app: dns-example}}
  policyTypes: [Egress]
  egress:
  - to: [${to}]
    ports: [{protocol: UDP, port: 53}]`;

describe('dns: dnsPolicy None asks its own nameservers, not CoreDNS (issue 16 item 3)', () => {
  it('its resolver is the dnsConfig: nameserver 192.0.2.1, its searches, ndots 2', () => {
    const a = analyze({ 'apps.yaml': APPS, 'pod.yaml': DNS_EXAMPLE });
    assert.deepEqual(a.dns.resolverFor(pod(a, 'default/dns-example')), {
      searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'],
      ndots: 2,
      clusterDns: false,
      nameservers: ['192.0.2.1'],
    });
    const ext = resolve(a, 'www.example.org', 'default/dns-example');
    assert.equal(ext.rcode, 'UNKNOWN');
    assert.equal(ext.nameserver, '192.0.2.1');
    assert.match(ext.explanation, /192\.0\.2\.1/);
    const cluster = resolve(a, 'backend.shop.svc.cluster.local.', 'default/dns-example');
    assert.equal(cluster.rcode, 'NXDOMAIN');
    assert.match(cluster.explanation, /does not use cluster DNS/);
  });

  it('a trace checks policy on the query to 192.0.2.1, not to CoreDNS', () => {
    const toCoreDns = `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}`;
    const blocked = analyze({ 'apps.yaml': APPS, 'pod.yaml': DNS_EXAMPLE, 'np.yaml': egressOnly(toCoreDns) });
    const t = trace(blocked, 'default/dns-example', 'http://www.example.org');
    assert.equal(t.verdict, 'unresolved');
    const first = t.hops[0];
    assert.ok(first?.kind === 'dns' && first.rcode === 'TIMEOUT' && first.server === '192.0.2.1', JSON.stringify(first));
    assert.match(t.reason, /UDP 53 to 192\.0\.2\.1/);
    const allowed = analyze({ 'apps.yaml': APPS, 'pod.yaml': DNS_EXAMPLE, 'np.yaml': egressOnly('{ipBlock: {cidr: 192.0.2.1/32}}') });
    const u = trace(allowed, 'default/dns-example', 'http://www.example.org');
    assert.equal(hop(u, 'dns')?.rcode, 'UNKNOWN');
    assert.equal(hop(u, 'policy')?.peer, '192.0.2.1');
  });
});

// The Kubernetes docs' HostAliases example, with a Service named like one of the aliases.
const HOSTALIASES_POD = `apiVersion: v1
kind: Pod
metadata:
  name: hostaliases-pod
  namespace: shop
spec:
  restartPolicy: Never
  hostAliases:
  - ip: "127.0.0.1"
    hostnames:
    - "foo.local"
    - "bar.local"
  - ip: "10.1.2.3"
    hostnames:
    - "foo.remote"
    - "bar.remote"
    - "redis"
  containers:
  - name: cat-hosts
    image: busybox:1.28
    command:
    - cat
    args:
    - "/etc/hosts"
    env:
    - {name: REMOTE, value: "http://foo.remote:8080"}
    - {name: CACHE, value: "redis:6379"}
`;

describe('hostAliases answer from /etc/hosts before any DNS (issue 16 item 5)', () => {
  const a = analyze({ 'apps.yaml': APPS, 'pod.yaml': HOSTALIASES_POD });

  it('dns: the alias answers with its address, from /etc/hosts, without a query', () => {
    const r = resolve(a, 'foo.remote', 'shop/hostaliases-pod');
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.answeredBy, 'hosts');
    assert.deepEqual(answers(r), ['foo.remote A 10.1.2.3']);
    assert.deepEqual(r.searched, ['foo.remote']);
    assert.equal(r.nameserver, undefined);
    // It wins over the Service of the same name, as /etc/hosts comes first in the pod's resolver.
    assert.deepEqual(answers(resolve(a, 'redis', 'shop/hostaliases-pod')), ['redis A 10.1.2.3']);
    // Other pods are not touched, and names not in the file go to DNS.
    assert.equal(resolve(a, 'redis', 'shop').answers[0]?.value, service(a, 'shop/redis').clusterIP);
    assert.equal(resolve(a, 'backend', 'shop/hostaliases-pod').answeredBy, 'cluster');
    // kubelet's own line: the pod's hostname is its IP.
    assert.deepEqual(answers(resolve(a, 'hostaliases-pod', 'shop/hostaliases-pod')), [
      `hostaliases-pod A ${pod(a, 'shop/hostaliases-pod').ip}`,
    ]);
  });

  it('trace: the first hop is /etc/hosts, then the packet goes to the alias address', () => {
    const t = trace(a, 'shop/hostaliases-pod', 'redis:6379');
    const d = t.hops[0];
    assert.ok(d?.kind === 'dns' && d.server === '/etc/hosts', JSON.stringify(d));
    assert.deepEqual(d.answers, ['A 10.1.2.3']);
    assert.equal(d.range?.line, 13, 'the hop points at the hostAliases entry');
    assert.equal(t.destination?.kind, 'external');
    assert.equal(hop(t, 'dnat'), undefined, 'no Service is involved');
  });

  it('the URL checks: an alias resolves, so no dns-name-unresolved; policy is judged on the alias address', () => {
    assert.deepEqual(where(a, 'dns-name-unresolved'), []);
    const ref = a.references.find((r) => r.ref.host === 'redis' && r.pod?.name === 'hostaliases-pod');
    assert.equal(ref?.dns.answeredBy, 'hosts');
    assert.equal(ref?.service, undefined);
    const deny = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {}}]`;
    const b = analyze({ 'apps.yaml': APPS, 'pod.yaml': HOSTALIASES_POD, 'np.yaml': deny });
    const blocked = b.diagnostics.filter((d) => d.code === 'connection-blocked-by-policy').map((d) => d.message);
    assert.ok(
      blocked.some((m) => m.includes('foo.remote:8080 (outside the cluster)')),
      blocked.join('\n'),
    );
  });

  it('an alias ip that is not an address is manifest-invalid at the ip', () => {
    const bad = HOSTALIASES_POD.replace('"10.1.2.3"', 'remote-host');
    expectDiagnostic(analyze({ 'pod.yaml': bad }), 'manifest-invalid', 'pod.yaml', 13, 9);
  });
});

describe("the editor's hover on a host says the same (issue 16 items 3, 5)", () => {
  const hoverOf = (a: Analysis, host: string): string => {
    const r = a.references.find((x) => x.ref.host === host);
    assert.ok(r, host);
    return symbolHover(a, {
      kind: 'reference',
      range: r.text.origin.kind === 'manifest' ? r.text.origin.object.locate(r.text.path) : (undefined as never),
      reference: r,
    }).join('\n');
  };
  const a = analyze({
    'apps.yaml': APPS,
    'web.yaml': workload({ name: 'web', namespace: 'shop', env: { A: 'http://backend.shpo:8080', B: 'https://api.github.com' } }),
    'pod.yaml': HOSTALIASES_POD,
  });

  it('an unknown namespace: does not resolve, with the name meant', () => {
    const h = hoverOf(a, 'backend.shpo');
    assert.match(h, /Does not resolve\*\* \(NXDOMAIN\)/);
    assert.match(h, /No namespace `shpo` in the cluster: did you mean `backend\.shop`\?/);
  });

  it('a name outside the cluster: answered upstream, unknown here; an alias: from /etc/hosts', () => {
    assert.match(hoverOf(a, 'api.github.com'), /Answered upstream, unknown here/);
    assert.match(hoverOf(a, 'foo.remote'), /From the pod's `\/etc\/hosts` \(hostAliases\), before any DNS query: `10\.1\.2\.3`/);
  });
});

describe('a trace to a name answered upstream still meets egress policy (issue 16 item 3)', () => {
  const np = (egress: string) =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n${egress}`;
  const dnsOnly = '  - ports: [{port: 53, protocol: UDP}]\n';
  const run = (egress: string) =>
    trace(
      analyze({ 'apps.yaml': APPS, 'web.yaml': workload({ name: 'web', namespace: 'shop' }), 'np.yaml': np(egress) }),
      'shop/web',
      'https://api.github.com',
    );

  it('dropped whatever the address, when no rule admits any address outside the cluster on the port', () => {
    const t = run(dnsOnly);
    assert.equal(t.verdict, 'dropped');
    assert.match(t.reason, /whatever address api\.github\.com has/);
  });

  it('delivered, saying it depends on the address, when only some outside addresses are admitted', () => {
    const t = run(`${dnsOnly}  - to: [{ipBlock: {cidr: 140.82.112.0/20}}]\n`);
    assert.equal(t.verdict, 'delivered');
    assert.match(t.reason, /admits only some outside addresses on 443\/TCP/);
    const all = run(`${dnsOnly}  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n`);
    assert.equal(all.verdict, 'delivered');
    assert.doesNotMatch(all.reason, /only some/);
  });
});

describe('<hostname>.<service> of a headless Service (the StatefulSet docs: web, nginx) (issue 16 item 3)', () => {
  const sts = docs(
    svc({ name: 'nginx', clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }),
    workload({
      kind: 'StatefulSet',
      name: 'web',
      replicas: 2,
      labels: { app: 'nginx' },
      spec: 'serviceName: nginx',
      ports: [{ name: 'web', containerPort: 80 }],
    }),
  );
  const a = analyze({ 'web.yaml': sts, 'client.yaml': workload({ name: 'client' }) });

  it('web-0.nginx answers; web-5.nginx (no such replica) is NXDOMAIN, not forwarded', () => {
    assert.equal(resolve(a, 'web-0.nginx', 'default/client').rcode, 'NOERROR');
    const r = resolve(a, 'web-5.nginx', 'default/client');
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.equal(r.forwarded, false);
    assert.equal(trace(a, 'default/client', 'http://web-5.nginx/').verdict, 'unresolved');
  });
});
