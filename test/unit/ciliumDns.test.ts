// Cilium's DNS-based policies: toFQDNs with rules.dns, after the guide "Locking Down External
// Access with DNS-Based Policies" (https://docs.cilium.io/en/stable/security/dns/) and the policy
// language's "DNS based" section (https://docs.cilium.io/en/stable/security/policy/language/#dns-based).
// A name outside the cluster stands for the test address 203.0.113.80 (its upstream answer is not known).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, docs, expectDiagnostic, lineOf, columnOf, where, workload, yaml } from '../helpers';
import { tracePacket } from '../../src/engine';
import { from } from '../traceFixtures';

const mediabot = workload({ kind: 'Pod', name: 'mediabot', labels: { org: 'empire', class: 'mediabot' } });

const fqdnPolicy = (fqdn: string, dns = "- matchPattern: '*'", ports = '') => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: fqdn
  spec:
    endpointSelector:
      matchLabels:
        org: empire
        class: mediabot
    egress:
    - toFQDNs:
      - ${fqdn}
      ${ports}
    - toEndpoints:
      - matchLabels:
          "k8s:io.kubernetes.pod.namespace": kube-system
          "k8s:k8s-app": kube-dns
      toPorts:
      - ports:
        - port: "53"
          protocol: ANY
        rules:
          dns:
          ${dns}
`;

const simulate = (policy: string) => analyze({ 'app.yaml': docs(mediabot), 'cnp.yaml': policy }, { cni: 'cilium' });
const curl = (a: ReturnType<typeof simulate>, url: string) => tracePacket(a, from(a, 'default/mediabot'), url);

describe('toFQDNs with rules.dns (Cilium DNS guide)', () => {
  it('matchName api.github.com: "curl https://api.github.com" works, support.github.com does not', () => {
    const a = simulate(fqdnPolicy('matchName: "api.github.com"'));
    assert.deepEqual(where(a, 'cilium-fqdn-without-dns-rule'), []);
    const ok = curl(a, 'https://api.github.com');
    assert.equal(ok.verdict, 'delivered', ok.reason);
    assert.match(ok.reason, /test address 203\.0\.113\.80/);
    const hop = ok.hops.find((h) => h.kind === 'policy' && h.direction === 'egress' && h.purpose === 'connection');
    assert.ok(hop?.kind === 'policy');
    assert.equal(hop.result.rule?.fqdn, 'api.github.com');
    assert.equal(hop.result.rule?.rulePath, 'spec.egress[0]');
    const no = curl(a, 'https://support.github.com');
    assert.equal(no.verdict, 'dropped');
    assert.match(no.reason, /CiliumNetworkPolicy drops it on the way out of default\/mediabot/);
  });

  it('matchPattern *.github.com: subdomains match, the bare github.com does not', () => {
    const a = simulate(fqdnPolicy('matchPattern: "*.github.com"'));
    assert.equal(curl(a, 'https://support.github.com').verdict, 'delivered');
    assert.equal(curl(a, 'https://github.com').verdict, 'dropped');
  });

  it('toFQDNs with toPorts: only port 443 is admitted ("curl http://support.github.com" fails)', () => {
    const a = simulate(
      fqdnPolicy(
        'matchPattern: "*.github.com"',
        "- matchPattern: '*'",
        'toPorts:\n      - ports:\n        - port: "443"\n          protocol: TCP',
      ),
    );
    assert.equal(curl(a, 'https://support.github.com').verdict, 'delivered');
    assert.equal(curl(a, 'http://support.github.com').verdict, 'dropped');
  });

  it('the DNS proxy answers REFUSED for a name no rules.dns pattern matches', () => {
    const a = simulate(fqdnPolicy('matchPattern: "*.github.com"', '- matchName: "api.github.com"'));
    const r = curl(a, 'https://support.github.com');
    assert.equal(r.verdict, 'unresolved');
    const dns = r.hops[0];
    assert.ok(dns?.kind === 'dns');
    assert.equal(dns.rcode, 'REFUSED');
    assert.match(
      r.reason,
      /Cilium DNS proxy \(L7\) answers REFUSED: support\.github\.com matches none of the rules\.dns patterns \(api\.github\.com\)/,
    );
  });

  it('toFQDNs without a DNS rule that lets the pod ask: reported at the name, and every lookup is dropped', () => {
    const policy = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: fqdn-only
      spec:
        endpointSelector:
          matchLabels:
            class: mediabot
        egress:
        - toFQDNs:
          - matchName: api.github.com
    `;
    const a = simulate(policy);
    const d = expectDiagnostic(a, 'cilium-fqdn-without-dns-rule', 'cnp.yaml', lineOf(policy, 'matchName'), columnOf(policy, 'matchName'));
    assert.match(d.message, /toFQDNs api\.github\.com of CiliumNetworkPolicy default\/fqdn-only admits nothing for Pod default\/mediabot/);
    const r = curl(a, 'https://api.github.com');
    assert.equal(r.verdict, 'unresolved');
    assert.equal(r.hops[0]?.kind === 'dns' && r.hops[0].rcode, 'TIMEOUT');
  });
});
