// Bad input in Cilium's and Calico's policies never crashes the analysis: wrong types anywhere are
// reported at the field (manifest-invalid, calico-selector-syntax) under every CNI, and verdicts still come.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../helpers';

const BAD = [
  `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: a}
spec:
  endpointSelector: {}
  ingress: {x: 1}
  egress: [1, null, "x", {toPorts: [{ports: [{port: {a: 1}, protocol: [1]}], rules: {http: [1, {method: "("}], dns: 5}}]}, {toEndpoints: [null, 1, {matchLabels: 5}]}, {toFQDNs: [{}]}, {toCIDRSet: [{cidr: 5, except: [1]}]}]`,
  `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: b}
specs: [null, 1, {endpointSelector: {}, ingressDeny: [{fromEntities: [world, 3]}], enableDefaultDeny: 7}]`,
  `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: d}
spec:
  order: "x"
  selector: 5
  types: [1]
  ingress: [1, {action: 5}, {action: Allow, protocol: {}, source: {nets: [1, "x"], selector: "(("}, destination: {ports: [{}, "1:0", -1]}}]
  egress: {}`,
  `apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: e}
spec: [1]`,
];
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n';

describe('CNI policies: hostile input', () => {
  for (const cni of ['cilium', 'calico', 'flannel'] as const)
    it(`under ${cni}: every broken policy is reported, none crashes, verdicts still come`, () => {
      BAD.forEach((text, i) => {
        const a = analyze({ 'x.yaml': text, 'p.yaml': POD }, { cni });
        const codes = a.diagnostics.filter((d) => d.range.file === 'x.yaml').map((d) => d.code);
        assert.ok(codes.includes('manifest-invalid'), `document ${i}: ${codes.join(', ')}`);
        const p = a.cluster.pods.find((x) => x.name === 'p');
        assert.ok(p);
        assert.equal(
          typeof a.policies.verdict({ kind: 'pod', pod: p }, { kind: 'external', ip: '198.51.100.1' }, 80, 'TCP').allowed,
          'boolean',
        );
      });
    });
});
