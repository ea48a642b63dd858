// DnsZone adds pod records (a-b-c-d.ns.pod.<zone>) on the first lookup in that subdomain; the
// answers must be those of a zone that held them from the start.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DnsZone } from '../../src/engine/dns/zone';
import { analyze, docs, svc, workload } from '../helpers';

describe('dns: pod records added on first use', () => {
  const a = analyze({
    'w.yaml': docs(
      workload({ name: 'web', namespace: 'shop', replicas: 2 }),
      svc({ name: 'web', namespace: 'shop' }),
      workload({ name: 'host', namespace: 'shop', podSpec: 'hostNetwork: true' }),
    ),
  });
  const web = a.cluster.pods.filter((p) => p.name.startsWith('web-'));
  const host = a.cluster.pods.find((p) => p.name.startsWith('host-'));
  const podName = (ip: string) => `${ip.replace(/\./g, '-')}.shop.pod.cluster.local`;

  it('answers a pod name asked first, in any case and with a trailing dot', () => {
    const zone = new DnsZone(a.cluster);
    const ip = web[0]?.ip ?? '';
    assert.deepEqual(
      zone.lookup(`${podName(ip).toUpperCase()}.`, 'A').answers.map((r) => r.value),
      [ip],
    );
    assert.deepEqual(
      zone.lookup(podName(web[1]?.ip ?? ''), 'A').answers.map((r) => r.pod),
      [`shop/${web[1]?.name}`],
    );
  });

  it('answers a pod name asked after other names, and Service names as before', () => {
    const zone = new DnsZone(a.cluster);
    assert.equal(zone.lookup('web.shop.svc.cluster.local', 'A').answers.length, 1);
    assert.equal(zone.lookup('nothing.shop.pod.cluster.local', 'A').exists, false);
    assert.equal(zone.lookup(podName(web[0]?.ip ?? ''), 'A').exists, true);
    assert.equal(zone.lookup('web.shop.svc.cluster.local', 'A').answers.length, 1, 'Service records are not added twice');
  });

  it('has no record for a hostNetwork pod (it uses its node address)', () => {
    assert.ok(host?.ip);
    assert.equal(new DnsZone(a.cluster).lookup(podName(host.ip), 'A').exists, false);
  });
});
