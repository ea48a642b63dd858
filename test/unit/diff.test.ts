import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnSet, connectivityList, diffConnectivity, subtractConns, type ConnectivityDiff } from '../../src/engine';
import { analyze, docs, workload } from '../helpers';
import { np, ns } from '../lintHelpers';

const lines = (d: ConnectivityDiff) => [
  ...d.opened.map((e) => `+ ${e.src} => ${e.dst} : ${e.conn.toString()}`),
  ...d.closed.map((e) => `- ${e.src} => ${e.dst} : ${e.conn.toString()}`),
];
const app = docs(
  ns('x'),
  workload({ name: 'web', namespace: 'x', ports: [{ containerPort: 8080 }] }),
  workload({ name: 'client', namespace: 'x' }),
);
const deny = np('deny', 'x', { podSelector: {}, policyTypes: ['Ingress'] });
const allow = (ports: object[], extraPeers: object[] = []) =>
  np('web', 'x', {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }, ...extraPeers], ports }],
  });
const diff = (before: string, after: string) =>
  diffConnectivity(
    connectivityList(analyze({ 'app.yaml': app, 'p.yaml': before }).policies),
    connectivityList(analyze({ 'app.yaml': app, 'p.yaml': after }).policies),
  );

describe('diff: connections opened and closed', () => {
  it('a port added to a rule is opened; removed, it is closed; nothing else changes', () => {
    const one = docs(deny, allow([{ port: 8080 }]));
    const two = docs(deny, allow([{ port: 8080 }, { port: 9090 }]));
    assert.deepEqual(lines(diff(one, two)), ['+ x/client[Deployment] => x/web[Deployment] : TCP 9090']);
    assert.deepEqual(lines(diff(two, one)), ['- x/client[Deployment] => x/web[Deployment] : TCP 9090']);
    assert.deepEqual(lines(diff(one, one)), []);
  });

  it('removing the default deny opens the rest of every port to web, and from every other source', () => {
    const d = diff(docs(deny, allow([{ port: 8080 }])), '');
    assert.ok(
      d.opened.some(
        (e) =>
          e.src === 'x/client[Deployment]' &&
          e.dst === 'x/web[Deployment]' &&
          e.conn.toString() === 'SCTP 1-65535,TCP 1-8079,8081-65535,UDP 1-65535',
      ),
    );
    assert.ok(d.opened.some((e) => e.src === '0.0.0.0-255.255.255.255[External]' && e.dst === 'x/web[Deployment]' && e.conn.isAll()));
    assert.deepEqual(d.closed, []);
  });

  it('an ipBlock cuts the outside address space differently on each side; only the block itself is reported', () => {
    const before = docs(deny, allow([{ port: 8080 }]));
    const after = docs(deny, allow([{ port: 8080 }], [{ ipBlock: { cidr: '203.0.113.0/24' } }]));
    assert.deepEqual(lines(diff(before, after)), ['+ 203.0.113.0-203.0.113.255[External] => x/web[Deployment] : TCP 8080']);
    assert.deepEqual(lines(diff(after, before)), ['- 203.0.113.0-203.0.113.255[External] => x/web[Deployment] : TCP 8080']);
  });

  it('adjacent outside ranges with the same change merge back into one', () => {
    const split = docs(
      deny,
      allow([{ port: 8080 }], [{ ipBlock: { cidr: '198.51.100.0/25' } }, { ipBlock: { cidr: '198.51.100.128/25' } }]),
    );
    assert.deepEqual(lines(diff(docs(deny, allow([{ port: 8080 }])), split)), [
      '+ 198.51.100.0-198.51.100.255[External] => x/web[Deployment] : TCP 8080',
    ]);
  });

  it('the fixture pair: one path opened from outside, one closed between workloads', () => {
    const read = (side: string) => {
      const dir = join(__dirname, '..', 'fixtures', 'diff', side);
      return analyze(Object.fromEntries(readdirSync(dir).map((f) => [`${side}/${f}`, readFileSync(join(dir, f), 'utf8')])));
    };
    const d = diffConnectivity(connectivityList(read('before').policies), connectivityList(read('after').policies));
    assert.deepEqual(lines(d), [
      '+ 203.0.113.0-203.0.113.255[External] => x/web[Deployment] : TCP 8080',
      '- x/web[Deployment] => x/db[Deployment] : TCP 5432',
    ]);
  });

  it('subtractConns removes ranges protocol by protocol', () => {
    assert.equal(subtractConns(ConnSet.ALL, ConnSet.ports('TCP', 80)).toString(), 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535');
    assert.equal(
      subtractConns(ConnSet.ports('TCP', 1, 100), ConnSet.ports('TCP', 10, 20).union(ConnSet.ports('TCP', 50, 200))).toString(),
      'TCP 1-9,21-49',
    );
    assert.ok(subtractConns(ConnSet.ports('UDP', 53), ConnSet.protocol('UDP')).isEmpty());
  });
});
