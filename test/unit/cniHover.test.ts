// Hovers on the CNI's own policies (the analysis worker's Markdown, no VS Code): at the name, the
// layer and whether the simulated CNI enforces it; at selectors, what they match; at rules, what
// they do with the workspace's pods.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { hoverAt } from '../../src/extension/analysis/hoverText';
import { analyze, docs, lineOf, columnOf, workload, yaml } from '../helpers';

const apps = docs(
  workload({ name: 'frontend', labels: { role: 'frontend' }, ports: [{ containerPort: 80 }] }),
  workload({ name: 'backend', labels: { role: 'backend' }, ports: [{ containerPort: 80 }] }),
);
const cnp = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: l7
  spec:
    endpointSelector:
      matchLabels:
        role: backend
    ingress:
    - fromEndpoints:
      - matchLabels:
          role: frontend
      toPorts:
      - ports:
        - port: "80"
          protocol: TCP
        rules:
          http:
          - method: GET
            path: /public
`;
const gnp = yaml`
  apiVersion: projectcalico.org/v3
  kind: GlobalNetworkPolicy
  metadata:
    name: allow-frontend
  spec:
    order: 10
    selector: role == 'backend'
    ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: role == 'frontend'
`;

function hover(files: Record<string, string>, file: string, text: string, needle: string, cni: string): string {
  const a = analyze(files, { cni: cni as 'cilium' });
  const h = hoverAt(a, new SymbolIndex(a), file, { line: lineOf(text, needle) - 1, character: columnOf(text, needle) });
  return (h?.lines ?? []).join('\n');
}

describe('hovers: CNI policies', () => {
  it('a CiliumNetworkPolicy at its name: what it selects, its layer and its default deny; under flannel, that it is not enforced', () => {
    const h = hover({ 'apps.yaml': apps, 'cnp.yaml': cnp }, 'cnp.yaml', cnp, 'l7', 'cilium');
    assert.match(h, /\*\*CiliumNetworkPolicy `default\/l7`\*\* selects 1 pod: `default\/backend`/);
    assert.match(h, /Layer 2 of the policy layers .* under `cni: cilium`/);
    assert.match(h, /default deny for ingress/);
    assert.match(hover({ 'apps.yaml': apps, 'cnp.yaml': cnp }, 'cnp.yaml', cnp, 'l7', 'flannel'), /does not enforce it: only Cilium does/);
  });

  it('at a rule: the peers it matches, its ports and HTTP rules', () => {
    const h = hover({ 'apps.yaml': apps, 'cnp.yaml': cnp }, 'cnp.yaml', cnp, 'fromEndpoints', 'cilium');
    assert.match(h, /\*\*Rule `spec\.ingress\[0\]`\*\* .*\*\*Allow\*\*/);
    assert.match(h, /ingress from endpoints `default\/frontend` on port 80 TCP \(HTTP rules: method GET, path \/public\) is allowed/);
  });

  it('a GlobalNetworkPolicy at its name, its selector and its rule', () => {
    const files = { 'apps.yaml': apps, 'gnp.yaml': gnp };
    const name = hover(files, 'gnp.yaml', gnp, 'allow-frontend', 'calico');
    assert.match(name, /\*\*GlobalNetworkPolicy `allow-frontend`\*\* applies to 1 pod for ingress: `default\/backend`/);
    assert.match(name, /tier `default` · order 10 · 1 of 1 Calico policies/);
    assert.match(
      hover(files, 'gnp.yaml', gnp, "role == 'backend'", 'calico'),
      /\*\*selector\*\* `role == 'backend'` matches `default\/backend`/,
    );
    assert.match(
      hover(files, 'gnp.yaml', gnp, 'Allow', 'calico'),
      /From selector `role == 'frontend'` on TCP: matches `default\/frontend`/,
    );
  });
});

describe('hovers: Calico tiers', () => {
  const tier = yaml`
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: security
    spec:
      order: 300
      defaultAction: Pass
  `;
  const inTier = yaml`
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: security.quarantine
    spec:
      tier: security
      order: 1
      selector: role == 'backend'
      ingress:
      - action: Deny
        source:
          selector: role == 'frontend'
  `;
  it('a Tier at its name: order, default action, where it is asked and the policies in it', () => {
    const files = { 'apps.yaml': apps, 'tier.yaml': tier, 'p.yaml': inTier };
    const h = hover(files, 'tier.yaml', tier, 'security', 'calico');
    assert.match(h, /\*\*Calico Tier `security`\*\* · order 300 · defaultAction `Pass`/);
    assert.match(h, /Asked before the AdminNetworkPolicies \(their tier is at order 1,000\)\. It applies to 1 pod \(`default\/backend`\)/);
    assert.match(h, /what no rule matches is passed to the next tier/);
    assert.match(h, /Policies in order: `security\.quarantine`/);
  });

  it('a policy in a tier says the tier’s order and place', () => {
    const files = { 'apps.yaml': apps, 'tier.yaml': tier, 'p.yaml': inTier };
    const h = hover(files, 'p.yaml', inTier, 'security.quarantine', 'calico');
    assert.match(h, /tier `security` · order 1 · 1 of 1 Calico policies/);
    assert.match(h, /The `security` tier \(order 300, defaultAction `Pass`\) is asked before the AdminNetworkPolicies/);
  });
});
