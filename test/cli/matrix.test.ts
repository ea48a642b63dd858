import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt, ROOT } from './run';

const CASES = join(ROOT, '..', 'shared', 'conformance', 'netpol-analyzer');

describe('cli matrix', () => {
  before(() => ensureBuilt());

  it('prints the connectivity list in every format the golden files use, exit 0', () => {
    for (const [format, ext] of [
      ['text', 'txt'],
      ['json', 'json'],
      ['md', 'md'],
    ] as const) {
      const r = cli('matrix', join(CASES, 'tests', 'onlineboutique'), '--format', format);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stdout.trimEnd(),
        readFileSync(join(CASES, 'expected', `onlineboutique_connlist_output.${ext}`), 'utf8').trimEnd(),
        format,
      );
    }
    const csv = cli('matrix', join(CASES, 'tests', 'k8s_ingress_test'), '--format', 'csv');
    assert.equal(csv.stdout, readFileSync(join(CASES, 'expected', 'k8s_ingress_test_connlist_output.csv'), 'utf8'));
  });

  it('lists the example shop, with the policies it has, and never the implicit CoreDNS', () => {
    const r = cli('matrix', 'examples/shop');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^shop\/\S+\[Deployment\] => shop\/\S+\[Deployment\] : /m);
    assert.doesNotMatch(r.stdout, /coredns|kube-system/);
  });

  it('--ipv6 adds the IPv6 ranges a rule names; without it the list is IPv4 only, as netpol-analyzer prints it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsim-matrix-'));
    writeFileSync(
      join(dir, 'app.yaml'),
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: default, labels: {app: a}}\nspec: {containers: [{name: c, image: i}]}',
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: default}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: "fd00::/8"}}]}]',
      ].join('\n---\n'),
    );
    const v4 = cli('matrix', dir);
    assert.equal(v4.status, 0, v4.stderr);
    assert.doesNotMatch(v4.stdout, /fd00::/);
    const v6 = cli('matrix', dir, '--ipv6');
    assert.equal(v6.status, 0, v6.stderr);
    assert.match(v6.stdout, /^default\/a\[Pod\] => fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\[External\] : All Connections$/m);
  });

  it('bad usage: one line on stderr, exit 2', () => {
    const bad = cli('matrix', 'examples/shop', '--format', 'xml');
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const missing = cli('matrix', 'no/such/folder');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^kube-netsim: no\/such\/folder: no such file or folder\n$/);
  });
});
