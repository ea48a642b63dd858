// The Star Wars demo of Cilium's getting-started guide, "Identity-Aware and HTTP-Aware Policy
// Enforcement" (https://docs.cilium.io/en/stable/gettingstarted/demo/), traced at each of its
// three stages; each expectation is one of the guide's statements. The application and the L7
// policy are examples/cilium; the L3/L4 policy is the guide's sw_l3_l4_policy.yaml.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeWorkspace, connectivityList, connText, tracePacket, type Analysis } from '../../src/engine';
import { settingsFrom, yaml } from '../helpers';
import { from } from '../traceFixtures';

const dir = join(__dirname, '..', '..', 'examples', 'cilium');
const app = readFileSync(join(dir, 'http-sw-app.yaml'), 'utf8');
const l7 = readFileSync(join(dir, 'sw_l3_l4_l7_policy.yaml'), 'utf8');
const l3l4 = yaml`
  apiVersion: "cilium.io/v2"
  kind: CiliumNetworkPolicy
  metadata:
    name: "rule1"
  spec:
    description: "L3-L4 policy to restrict deathstar access to empire ships only"
    endpointSelector:
      matchLabels:
        org: empire
        class: deathstar
    ingress:
    - fromEndpoints:
      - matchLabels:
          org: empire
      toPorts:
      - ports:
        - port: "80"
          protocol: TCP
`;

const simulate = (policy?: string, cni: 'cilium' | 'flannel' = 'cilium'): Analysis =>
  analyzeWorkspace([{ path: 'http-sw-app.yaml', text: app }, ...(policy ? [{ path: 'policy.yaml', text: policy }] : [])], {
    settings: settingsFrom({ cni }),
  });
const LANDING = 'http://deathstar.default.svc.cluster.local/v1/request-landing';
const land = (a: Analysis, ship: string) => tracePacket(a, from(a, `default/${ship}`), LANDING, 'TCP', { method: 'POST' });

describe('the Star Wars demo (Cilium getting started)', () => {
  it("the example workspace is the guide's app and L7 policy, and it simulates under cni: cilium", () => {
    assert.deepEqual(readdirSync(dir).sort(), ['http-sw-app.yaml', 'kube-netsim.yaml', 'sw_l3_l4_l7_policy.yaml']);
    assert.match(readFileSync(join(dir, 'kube-netsim.yaml'), 'utf8'), /^cni: cilium$/m);
  });

  it('without a policy, "both the tiefighter and xwing" can request a landing', () => {
    const a = simulate();
    assert.equal(land(a, 'tiefighter').verdict, 'delivered');
    assert.equal(land(a, 'xwing').verdict, 'delivered');
  });

  it("with the L3/L4 policy the tiefighter lands, and the xwing's request is dropped (the guide: it hangs)", () => {
    const a = simulate(l3l4);
    assert.equal(land(a, 'tiefighter').verdict, 'delivered');
    const x = land(a, 'xwing');
    assert.equal(x.verdict, 'dropped');
    assert.match(
      x.reason,
      /CiliumNetworkPolicy drops it on the way into default\/deathstar-.*default\/rule1 \(policy\.yaml:\d+:\d+\), which selects the pod, so it is in default deny for ingress/,
    );
    const hop = x.hops.find((h) => h.kind === 'policy' && h.direction === 'ingress');
    assert.ok(hop?.kind === 'policy' && /Cilium eBPF/.test(hop.enforcer ?? ''));
    // L3/L4 rules say nothing of HTTP: the tiefighter may also reach the exhaust port.
    const put = tracePacket(a, from(a, 'default/tiefighter'), 'http://deathstar.default.svc.cluster.local/v1/exhaust-port', 'TCP', {
      method: 'PUT',
    });
    assert.equal(put.verdict, 'delivered');
  });

  it('with the L7 policy the tiefighter may POST /v1/request-landing, but PUT /v1/exhaust-port gets "Access denied" (403)', () => {
    const a = simulate(l7);
    const ok = land(a, 'tiefighter');
    assert.equal(ok.verdict, 'delivered');
    const hop = ok.hops.find((h) => h.kind === 'policy' && h.direction === 'ingress');
    assert.ok(hop?.kind === 'policy');
    assert.equal(hop.l7?.request, 'POST /v1/request-landing');
    assert.match(
      hop.l7?.allowedBy ?? '',
      /default\/rule1 spec\.ingress\[0\]\.toPorts\[0\]\.rules\.http\[0\] \(method POST, path \/v1\/request-landing\)/,
    );
    const put = tracePacket(a, from(a, 'default/tiefighter'), 'http://deathstar.default.svc.cluster.local/v1/exhaust-port', 'TCP', {
      method: 'PUT',
    });
    assert.equal(put.verdict, 'refused');
    assert.equal(put.response?.status, 403);
    assert.match(
      put.reason,
      /PUT \/v1\/exhaust-port matches none of the HTTP rules of CiliumNetworkPolicy default\/rule1 rule spec\.ingress\[0\]/,
    );
    // The xwing is still dropped at L3, before any HTTP is read.
    assert.equal(land(a, 'xwing').verdict, 'dropped');
  });

  it('Cilium anchors the path: a longer path or another method does not match the rule', () => {
    const a = simulate(l7);
    const longer = tracePacket(a, from(a, 'default/tiefighter'), `${LANDING}/extra`, 'TCP', { method: 'POST' });
    assert.equal(longer.verdict, 'refused');
    const get = tracePacket(a, from(a, 'default/tiefighter'), LANDING, 'TCP', { method: 'GET' });
    assert.equal(get.verdict, 'refused');
  });

  it('the matrix shows the deathstar\'s port with "(HTTP rules)" for the empire, and nothing for the alliance', () => {
    const a = simulate(l7);
    const rows = connectivityList(a.policies).entries.filter((e) => e.dst === 'default/deathstar[Deployment]');
    const line = (src: string) => rows.find((e) => e.src === src);
    const tie = line('default/tiefighter[Pod]');
    assert.ok(tie);
    assert.equal(connText(tie), 'TCP 80 (HTTP rules)');
    assert.equal(line('default/xwing[Pod]'), undefined);
  });

  it('under another CNI the policy is reported and the xwing lands', () => {
    const a = simulate(l7, 'flannel');
    assert.ok(a.diagnostics.some((d) => d.code === 'policy-not-enforced' && d.range.file === 'policy.yaml'));
    assert.equal(land(a, 'xwing').verdict, 'delivered');
  });
});

describe('the Star Wars demo: what the L7 proxy cannot read', () => {
  it('HTTPS to a port with HTTP rules fails (no TLS interception), with no 403 claimed; HOST:PORT is read as a plain request', () => {
    const a = simulate(l7);
    const tls = tracePacket(a, from(a, 'default/tiefighter'), 'https://deathstar.default.svc.cluster.local:80/v1/request-landing', 'TCP', {
      method: 'POST',
    });
    assert.equal(tls.verdict, 'refused');
    assert.equal(tls.response, undefined);
    assert.match(tls.reason, /the connection is TLS: without TLS interception/);
    const plain = tracePacket(a, from(a, 'default/tiefighter'), 'deathstar.default.svc.cluster.local:80');
    assert.equal(plain.verdict, 'refused');
    const hop = plain.hops.find((h) => h.kind === 'policy' && h.direction === 'ingress');
    assert.ok(hop?.kind === 'policy');
    assert.match(hop.l7?.request ?? '', /^GET \/ \(no URL given/);
  });
});
