import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, answers, docs, expectDiagnostic, lineOf, pod, podsOf, resolve, service, svc, workload, yaml } from '../helpers';

// A small two-namespace workspace: shop/backend (ClusterIP, named and unnamed ports), shop/db
// (headless StatefulSet), shop/ext (ExternalName), web/frontend (the client).
const WORKSPACE = {
  'shop.yaml': docs(
    workload({ name: 'backend', namespace: 'shop', replicas: 2, ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }] }),
    svc({
      name: 'backend',
      namespace: 'shop',
      ports: [
        { name: 'http', port: 8080, targetPort: 'http' },
        { name: 'grpc', port: 9090, protocol: 'TCP' },
      ],
    }),
    workload({
      kind: 'StatefulSet',
      name: 'db',
      namespace: 'shop',
      replicas: 2,
      spec: 'serviceName: db',
      ports: [{ name: 'pg', containerPort: 5432 }],
    }),
    svc({ name: 'db', namespace: 'shop', clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    svc({
      name: 'ext',
      namespace: 'shop',
      type: 'ExternalName',
      selector: null,
      ports: [],
      extra: 'externalName: api.partner.example.com',
    }),
    svc({
      name: 'alias',
      namespace: 'shop',
      type: 'ExternalName',
      selector: null,
      ports: [],
      extra: 'externalName: backend.shop.svc.cluster.local',
    }),
    svc({ name: 'unnamed', namespace: 'shop', selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] }),
  ),
  'web.yaml': workload({ name: 'frontend', namespace: 'web' }),
};
const a = analyze(WORKSPACE);
const backendIP = () => service(a, 'shop/backend').clusterIP ?? '';

describe('dns: search list and ndots', () => {
  it('a pod gets search <ns>.svc.<zone> svc.<zone> <zone>, ndots 5, and kube-dns as nameserver', () => {
    assert.deepEqual(a.dns.resolverFor(pod(a, 'web/frontend')), {
      searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      ndots: 5,
      clusterDns: true,
      nameservers: ['10.96.0.10'],
    });
  });

  it('a bare name from another namespace fails, trying every search domain then the name itself', () => {
    const r = resolve(a, 'backend', 'web/frontend');
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.deepEqual(r.searched, ['backend.web.svc.cluster.local', 'backend.svc.cluster.local', 'backend.cluster.local', 'backend']);
    assert.deepEqual(r.answers, []);
  });

  it('the same bare name resolves from its own namespace, on the first search domain', () => {
    const r = resolve(a, 'backend', 'shop');
    assert.deepEqual(answers(r), [`backend.shop.svc.cluster.local A ${backendIP()}`]);
    assert.deepEqual(r.searched, ['backend.shop.svc.cluster.local']);
  });

  it('name.namespace works from anywhere (on the second search domain)', () => {
    const r = resolve(a, 'backend.shop', 'web/frontend');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(answers(r), [`backend.shop.svc.cluster.local A ${backendIP()}`]);
    assert.deepEqual(r.searched, ['backend.shop.web.svc.cluster.local', 'backend.shop.svc.cluster.local']);
    assert.equal(r.resolvedName, 'backend.shop.svc.cluster.local');
  });

  it('name.namespace.svc works too', () => {
    assert.deepEqual(answers(resolve(a, 'backend.shop.svc', 'web/frontend')), [`backend.shop.svc.cluster.local A ${backendIP()}`]);
  });

  it('an FQDN with a trailing dot is asked once, as is', () => {
    const r = resolve(a, 'backend.shop.svc.cluster.local.', 'web/frontend');
    assert.deepEqual(r.searched, ['backend.shop.svc.cluster.local']);
    assert.equal(r.answers.length, 1);
  });

  it('a name with 4 dots (< ndots 5) still walks the search list first', () => {
    const r = resolve(a, 'backend.shop.svc.cluster.local', 'web/frontend');
    assert.equal(r.searched[0], 'backend.shop.svc.cluster.local.web.svc.cluster.local');
    assert.equal(r.searched.at(-1), 'backend.shop.svc.cluster.local');
    assert.equal(r.answers.length, 1);
  });

  it('names are compared case-insensitively', () => {
    assert.deepEqual(
      answers(resolve(a, 'BackEnd.SHOP', 'web/frontend')).map((x) => x.split(' ')[2]),
      [backendIP()],
    );
    assert.equal(resolve(a, 'DB-0.db.shop.svc.Cluster.Local.', 'web/frontend').rcode, 'NOERROR');
  });

  it('names outside the cluster domain are forwarded upstream after the search list, answered there, unknown here', () => {
    const r = resolve(a, 'www.example.org', 'web/frontend');
    assert.equal(r.forwarded, true);
    assert.equal(r.rcode, 'UNKNOWN', 'never a confident NOERROR for what upstream answers');
    assert.match(r.explanation, /answered upstream, unknown here/);
    assert.deepEqual(r.searched, [
      'www.example.org.web.svc.cluster.local',
      'www.example.org.svc.cluster.local',
      'www.example.org.cluster.local',
      'www.example.org',
    ]);
  });
});

describe('dns: dnsPolicy and dnsConfig', () => {
  const client = (podSpec: string, name = 'c') => analyze({ ...WORKSPACE, 'c.yaml': workload({ name, namespace: 'web', podSpec }) });

  it("Default uses the node's resolver: no search list, cluster names do not resolve, external ones are forwarded", () => {
    const b = client('dnsPolicy: Default');
    const r = resolve(b, 'backend.shop.svc.cluster.local', 'web/c');
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.match(r.explanation, /does not use cluster DNS/);
    assert.deepEqual(b.dns.resolverFor(pod(b, 'web/c')).searches, []);
    assert.equal(resolve(b, 'www.example.org', 'web/c').forwarded, true);
  });

  it('hostNetwork with ClusterFirst falls back to Default; ClusterFirstWithHostNet uses cluster DNS', () => {
    const host = client('hostNetwork: true');
    assert.equal(resolve(host, 'backend.shop', 'web/c').rcode, 'NXDOMAIN');
    const withHostNet = client('hostNetwork: true\ndnsPolicy: ClusterFirstWithHostNet');
    assert.equal(resolve(withHostNet, 'backend.shop', 'web/c').rcode, 'NOERROR');
  });

  it('None uses only dnsConfig: its nameservers, searches and options', () => {
    const none = client(
      'dnsPolicy: None\ndnsConfig:\n  nameservers: [10.96.0.10]\n  searches: [shop.svc.cluster.local]\n  options:\n  - {name: ndots, value: "2"}',
    );
    const cfg = none.dns.resolverFor(pod(none, 'web/c'));
    assert.deepEqual(cfg, { searches: ['shop.svc.cluster.local'], ndots: 2, clusterDns: true, nameservers: ['10.96.0.10'] });
    assert.equal(resolve(none, 'backend', 'web/c').resolvedName, 'backend.shop.svc.cluster.local');
    const upstreamOnly = client('dnsPolicy: None\ndnsConfig:\n  nameservers: [8.8.8.8]');
    assert.equal(resolve(upstreamOnly, 'backend.shop.svc.cluster.local.', 'web/c').rcode, 'NXDOMAIN');
  });

  it('None without dnsConfig is manifest-invalid at dnsPolicy', () => {
    const text = workload({ name: 'c', podSpec: 'dnsPolicy: None' });
    expectDiagnostic(analyze({ 'c.yaml': text }), 'manifest-invalid', 'c.yaml', lineOf(text, 'dnsPolicy'), 18);
  });

  it('ClusterFirst with dnsConfig appends searches and takes the ndots option', () => {
    const b = client('dnsConfig:\n  searches: [shop.svc.cluster.local]\n  options:\n  - name: ndots\n    value: "1"');
    const cfg = b.dns.resolverFor(pod(b, 'web/c'));
    assert.deepEqual(cfg.searches, ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'shop.svc.cluster.local']);
    assert.equal(cfg.ndots, 1);
    assert.equal(resolve(b, 'backend', 'web/c').resolvedName, 'backend.shop.svc.cluster.local');
    // ndots 1: a dotted name is tried as is first.
    assert.equal(resolve(b, 'backend.shop', 'web/c').searched[0], 'backend.shop');
  });
});

describe('dns: records', () => {
  it('SRV exists for named ports only, pointing at the Service name', () => {
    const r = resolve(a, '_http._tcp.backend.shop.svc.cluster.local', 'web/frontend', 'SRV');
    assert.deepEqual(answers(r), ['_http._tcp.backend.shop.svc.cluster.local SRV 0 100 8080 backend.shop.svc.cluster.local']);
    assert.equal(resolve(a, '_grpc._tcp.backend.shop.svc.cluster.local.', 'web/frontend', 'SRV').answers.length, 1);
    assert.equal(resolve(a, '_http._udp.backend.shop.svc.cluster.local.', 'web/frontend', 'SRV').rcode, 'NXDOMAIN');
    assert.deepEqual(
      service(a, 'shop/unnamed').ports.map((p) => p.name),
      [undefined],
    );
    assert.equal(resolve(a, '_http._tcp.unnamed.shop.svc.cluster.local.', 'web/frontend', 'SRV').rcode, 'NXDOMAIN');
  });

  it('a headless Service answers one A per ready endpoint; StatefulSet pods get hostname records', () => {
    const ips = podsOf(a, 'shop/db').map((p) => p.ip ?? '');
    assert.deepEqual(answers(resolve(a, 'db.shop', 'web/frontend')), ips.map((ip) => `db.shop.svc.cluster.local A ${ip}`).sort());
    assert.deepEqual(answers(resolve(a, 'db-1.db.shop', 'web/frontend')), [`db-1.db.shop.svc.cluster.local A ${pod(a, 'shop/db-1').ip}`]);
    assert.deepEqual(answers(resolve(a, '_pg._tcp.db.shop.svc.cluster.local.', 'web/frontend', 'SRV')), [
      '_pg._tcp.db.shop.svc.cluster.local SRV 0 100 5432 db-0.db.shop.svc.cluster.local',
      '_pg._tcp.db.shop.svc.cluster.local SRV 0 100 5432 db-1.db.shop.svc.cluster.local',
    ]);
  });

  it('a headless Service with no ready endpoint is NXDOMAIN', () => {
    const b = analyze({ 'h.yaml': svc({ name: 'empty', clusterIP: 'None', selector: { app: 'none' }, ports: [{ port: 80 }] }) });
    assert.equal(resolve(b, 'empty', 'default').rcode, 'NXDOMAIN');
  });

  it("per-hostname records exist only when the pod's subdomain names the headless Service", () => {
    const b = analyze({
      'w.yaml': docs(
        workload({ kind: 'StatefulSet', name: 'db', replicas: 1, spec: 'serviceName: other', ports: [{ containerPort: 5432 }] }),
        svc({ name: 'db', clusterIP: 'None', ports: [{ port: 5432 }] }),
      ),
    });
    assert.equal(resolve(b, 'db-0.db.default.svc.cluster.local.', 'default').rcode, 'NXDOMAIN');
    const ip = pod(b, 'default/db-0').ip ?? '';
    assert.deepEqual(answers(resolve(b, `${ip.replace(/\./g, '-')}.db`, 'default')), [
      `${ip.replace(/\./g, '-')}.db.default.svc.cluster.local A ${ip}`,
    ]);
  });

  it('ExternalName is a CNAME; an in-cluster target is followed', () => {
    const ext = resolve(a, 'ext.shop', 'web/frontend');
    assert.deepEqual(answers(ext), ['ext.shop.svc.cluster.local CNAME api.partner.example.com']);
    assert.equal(ext.rcode, 'NOERROR');
    assert.deepEqual(answers(resolve(a, 'alias.shop', 'web/frontend')), [
      'alias.shop.svc.cluster.local CNAME backend.shop.svc.cluster.local',
      `backend.shop.svc.cluster.local A ${backendIP()}`,
    ]);
  });

  it('PTR for a ClusterIP names the Service; for a headless endpoint, its hostname', () => {
    const rev = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
    assert.deepEqual(answers(resolve(a, rev(backendIP()), 'web/frontend', 'PTR')), [
      `${rev(backendIP())} PTR backend.shop.svc.cluster.local`,
    ]);
    assert.deepEqual(answers(resolve(a, '10.0.96.10.in-addr.arpa.', 'web/frontend', 'PTR')), [
      '10.0.96.10.in-addr.arpa PTR kube-dns.kube-system.svc.cluster.local',
    ]);
    const ip0 = pod(a, 'shop/db-0').ip ?? '';
    assert.deepEqual(answers(resolve(a, `${rev(ip0)}.`, 'web/frontend', 'PTR')), [`${rev(ip0)} PTR db-0.db.shop.svc.cluster.local`]);
  });

  it('pods have <dashed-ip>.<ns>.pod.<zone> A records', () => {
    const ip = pod(a, 'web/frontend').ip ?? '';
    assert.deepEqual(answers(resolve(a, `${ip.replace(/\./g, '-')}.web.pod.cluster.local.`, 'shop')), [
      `${ip.replace(/\./g, '-')}.web.pod.cluster.local A ${ip}`,
    ]);
  });

  it('dns-version.<zone> is TXT "1.1.0"', () => {
    assert.deepEqual(answers(resolve(a, 'dns-version.cluster.local.', 'shop', 'TXT')), ['dns-version.cluster.local TXT "1.1.0"']);
  });

  it('a name that exists without the asked type answers NOERROR with no records', () => {
    const r = resolve(a, 'backend.shop.svc.cluster.local.', 'web/frontend', 'AAAA');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, []);
  });

  it('the kubernetes Service is kubernetes.default', () => {
    assert.deepEqual(answers(resolve(a, 'kubernetes.default', 'web/frontend')), ['kubernetes.default.svc.cluster.local A 10.96.0.1']);
  });

  it('a custom clusterDomain is the zone', () => {
    const b = analyze(WORKSPACE, 'clusterDomain: corp.local\n');
    assert.deepEqual(
      answers(resolve(b, 'backend.shop', 'web/frontend')).map((x) => x.split(' ')[0]),
      ['backend.shop.svc.corp.local'],
    );
    assert.equal(resolve(b, 'backend.shop.svc.cluster.local.', 'web/frontend').forwarded, true);
  });

  it('IPv6 ClusterIPs get AAAA records', () => {
    const b = analyze(
      { 's.yaml': svc({ name: 'v6', selector: null, extra: 'ipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]' }) },
      yaml`
      serviceCIDR: 10.96.0.0/12,fd00:96::/112
    `,
    );
    const v6 = service(b, 'default/v6').clusterIPs[1] ?? '';
    assert.deepEqual(answers(resolve(b, 'v6.default.svc.cluster.local.', 'default', 'AAAA')), [`v6.default.svc.cluster.local AAAA ${v6}`]);
  });
});
