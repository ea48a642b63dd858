// `kube-netsim rules --mode nftables` and `kubeProxyMode: nftables` through the built bundle.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt } from './run';

const SHOP = 'test/fixtures/trace/shop';

describe('cli rules --mode nftables', () => {
  before(() => ensureBuilt());

  it('prints table ip kube-proxy per node in nft list form, with the per-Service chains kube-proxy names', () => {
    const r = cli('rules', SHOP, '--mode', 'nftables', '--node', 'node-2');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# kube-proxy \(nftables mode\) on node-2\ntable ip kube-proxy \{\n\tcomment "rules for kube-proxy"\n/);
    assert.match(r.stdout, /\tmap service-ips \{\n\t\ttype ipv4_addr \. inet_proto \. inet_service : verdict\n/);
    // kube-dns's chains as kube-proxy hashes them (servicePortChainNameBase).
    assert.match(r.stdout, /10\.96\.0\.10 \. udp \. 53 : goto service-FY5PMXPG-kube-system\/kube-dns\/udp\/dns/);
    assert.match(r.stdout, /"shop\/empty:http" : goto reject-chain/);
    assert.match(r.stdout, /numgen random mod 3 vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-shop\/backend\/tcp\/http__/);
    assert.match(r.stdout, /tcp \. 30080 : goto external-[A-Z2-7]{8}-shop\/web\/tcp\/http/);
    assert.match(r.stdout, /set nodeport-ips \{[^}]*elements = \{ 10\.0\.1\.20 \}/);
    assert.doesNotMatch(r.stdout, /-A KUBE-|node-1/);
  });

  it('kubeProxyMode: nftables in kube-netsim.yaml makes nftables the default mode', () => {
    const r = cli('rules', 'test/fixtures/nftables/overall');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# kube-proxy \(nftables mode\) on test-node\ntable ip kube-proxy \{/);
    assert.match(r.stdout, /chain firewall-HVFWP5L3-ns5\/svc5\/tcp\/p80 \{\n\t\tip saddr != \{ 203\.0\.113\.0\/25 \} drop\n\t\}/);
    const ipt = cli('rules', 'test/fixtures/nftables/overall', '--mode', 'iptables');
    assert.match(ipt.stdout, /^# kube-proxy \(iptables mode\)/);
  });
});
