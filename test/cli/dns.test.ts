import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt, json } from './run';

interface Answer {
  name: string;
  type: string;
  value: string;
}
interface DnsOut {
  query: string;
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  searched: string[];
}
interface Analysis {
  pods: Array<{ namespace: string; name: string; workload: string; ip: string }>;
  services: Array<{ namespace: string; name: string; clusterIP: string }>;
}

const dns = (path: string, from: string, name: string, ...extra: string[]) => {
  const r = cli('dns', path, '--from', from, name, '--format', 'json', ...extra);
  assert.equal(r.status, 0, r.stderr);
  return json<DnsOut>(r);
};

function assertUsageError(args: string[], message: RegExp): void {
  const r = cli(...args);
  assert.equal(r.status, 2, `${args.join(' ')}: status`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, JSON.stringify(r.stderr));
  assert.match(lines[0] ?? '', /^kube-netsim: /);
  assert.match(lines[0] ?? '', message);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/);
}

describe('cli dns', () => {
  let shop: Analysis;
  before(() => {
    ensureBuilt();
    shop = json<Analysis>(cli('analyze', 'examples/shop', '--format', 'json'));
  });
  const clusterIP = (id: string) => shop.services.find((s) => `${s.namespace}/${s.name}` === id)?.clusterIP;

  it('--format json is {query, rcode, answers:[{name, type, value}], searched}', () => {
    const out = dns('examples/shop', 'shop/frontend', 'backend');
    assert.equal(out.query, 'backend');
    assert.equal(out.rcode, 'NOERROR');
    assert.deepEqual(out.answers, [{ name: 'backend.shop.svc.cluster.local', type: 'A', value: clusterIP('shop/backend') }]);
    assert.deepEqual(out.searched, ['backend.shop.svc.cluster.local']);
  });

  it('a name from another namespace is NXDOMAIN after the whole search list', () => {
    const out = dns('test/fixtures/clean', 'demo/web', 'backend');
    assert.equal(out.rcode, 'NXDOMAIN');
    assert.deepEqual(out.answers, []);
    assert.deepEqual(out.searched, ['backend.demo.svc.cluster.local', 'backend.svc.cluster.local', 'backend.cluster.local', 'backend']);
  });

  it('a headless Service answers with its pods; StatefulSet pods have hostname records', () => {
    const pg = shop.pods.filter((p) => p.workload === 'shop/postgres');
    assert.ok(pg.length >= 1);
    assert.deepEqual(
      dns('examples/shop', 'shop/backend', 'postgres')
        .answers.map((a) => a.value)
        .sort(),
      pg.map((p) => p.ip).sort(),
    );
    assert.deepEqual(dns('examples/shop', 'shop/backend', 'postgres-0.postgres').answers, [
      { name: 'postgres-0.postgres.shop.svc.cluster.local', type: 'A', value: pg.find((p) => p.name === 'postgres-0')?.ip },
    ]);
  });

  it('--type SRV answers the named port', () => {
    const out = dns('examples/shop', 'shop/frontend', '_api._tcp.backend.shop.svc.cluster.local.', '--type', 'SRV');
    assert.deepEqual(
      out.answers.map((a) => `${a.type} ${a.value}`),
      ['SRV 0 100 8080 backend.shop.svc.cluster.local'],
    );
  });

  it('kube-netsim.yaml at the root and --cluster FILE apply', () => {
    assert.deepEqual(
      dns('test/fixtures/clean', 'demo/web', 'kubernetes.default').answers.map((a) => a.value),
      ['10.3.0.1'],
    );
    const custom = dns('test/fixtures/clean', 'demo/web', 'kubernetes.default', '--cluster', 'test/fixtures/settings/custom.yaml');
    assert.deepEqual(custom.answers, [{ name: 'kubernetes.default.svc.example.internal', type: 'A', value: '10.200.0.1' }]);
  });

  it('--from accepts NAMESPACE/KIND/NAME and a pod name', () => {
    const pod = shop.pods.find((p) => p.workload === 'shop/frontend')?.name ?? '';
    for (const from of ['shop/Deployment/frontend', `shop/${pod}`])
      assert.equal(dns('examples/shop', from, 'backend').rcode, 'NOERROR', from);
  });

  it('text is dig-like: status, names tried, answer section', () => {
    const r = cli('dns', 'examples/shop', '--from', 'shop/frontend', 'backend');
    assert.equal(r.status, 0);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^;; backend A from shop\/frontend-\S+: NOERROR$/);
    assert.ok(lines.includes(';; ANSWER SECTION:'));
    assert.ok(lines.includes(`backend.shop.svc.cluster.local.\tIN\tA\t${clusterIP('shop/backend')}`));
  });

  it('two runs give identical bytes', () => {
    for (const format of ['json', 'text']) {
      const a = cli('dns', 'examples/shop', '--from', 'shop/frontend', 'catalog', '--format', format);
      const b = cli('dns', 'examples/shop', '--from', 'shop/frontend', 'catalog', '--format', format);
      assert.equal(a.stdout, b.stdout);
      assert.ok(a.stdout.length > 50);
    }
  });

  describe('bad usage exits 2 with one line on stderr', () => {
    const cases: Array<[string, string[], RegExp]> = [
      [
        'an unknown --from source',
        ['dns', 'examples/shop', '--from', 'shop/nothing', 'backend'],
        /shop\/nothing: no workload or pod of that name/,
      ],
      ['a malformed --from', ['dns', 'examples/shop', '--from', 'a/b/c/d', 'backend'], /NAMESPACE\/NAME/],
      ['--from external (DNS is resolved from a pod)', ['dns', 'examples/shop', '--from', 'external', 'backend'], /pod/],
      ['no --from', ['dns', 'examples/shop', 'backend'], /--from/],
      ['no NAME', ['dns', 'examples/shop', '--from', 'shop/frontend'], /NAME/],
      ['no PATH', ['dns', '--from', 'shop/frontend', 'backend'], /PATH/],
      ['a PATH that does not exist', ['dns', 'nowhere', '--from', 'shop/frontend', 'backend'], /nowhere: no such file or folder/],
      ['an unknown flag', ['dns', 'examples/shop', '--from', 'shop/frontend', 'backend', '--recurse'], /unknown option '--recurse'/],
      ['an unknown record type', ['dns', 'examples/shop', '--from', 'shop/frontend', 'backend', '--type', 'MX'], /MX/],
    ];
    for (const [what, args, message] of cases) it(what, () => assertUsageError(args, message));
  });
});
