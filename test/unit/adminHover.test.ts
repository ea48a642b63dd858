// Hovers on cluster-wide policies and hostNetwork pods (the analysis worker's Markdown, no VS Code).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { hoverAt } from '../../src/extension/analysis/hoverText';
import { analyze, docs, lineOf, columnOf, workload, yaml } from '../helpers';

const anp = yaml`
  apiVersion: policy.networking.k8s.io/v1alpha1
  kind: AdminNetworkPolicy
  metadata:
    name: guard
  spec:
    priority: 10
    subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: bank}}}
    ingress:
    - name: deny-shop
      action: Deny
      from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
      ports: [{portNumber: {protocol: TCP, port: 8080}}]
`;
const apps = docs(
  workload({ name: 'api', namespace: 'bank', ports: [{ containerPort: 8080 }] }),
  workload({ name: 'web', namespace: 'shop' }),
  workload({ name: 'agent', namespace: 'shop', kind: 'DaemonSet', podSpec: 'hostNetwork: true' }),
);

function hover(files: Record<string, string>, file: string, text: string, needle: string, settings?: string): string {
  const a = analyze(files, settings);
  const h = hoverAt(a, new SymbolIndex(a), file, { line: lineOf(text, needle) - 1, character: columnOf(text, needle) });
  return (h?.lines ?? []).join('\n');
}

describe('hovers: cluster-wide policies and hostNetwork pods', () => {
  it('at the name: the tier and priority, what it selects, each rule with what its peers match', () => {
    const h = hover({ 'apps.yaml': apps, 'anp.yaml': anp }, 'anp.yaml', anp, 'guard');
    assert.match(h, /\*\*AdminNetworkPolicy `guard`\*\* selects 1 pod: `bank\/api`/);
    assert.match(h, /priority 10 \(lower is asked first\) · admin tier: asked before NetworkPolicy/);
    assert.match(h, /1\. `deny-shop` \*\*Deny\*\* from namespaces on TCP 8080: matches `shop\/web`/);
  });

  it('at a rule action: what it does for the pods it selects, and that it decides nothing where the CNI lacks it', () => {
    const h = hover({ 'apps.yaml': apps, 'anp.yaml': anp }, 'anp.yaml', anp, 'Deny');
    assert.match(h, /\*\*Rule `deny-shop`\*\* of AdminNetworkPolicy `guard` \(priority 10\): \*\*Deny\*\*/);
    assert.match(h, /For `bank\/api`, ingress from `shop\/web` on TCP 8080 is denied, finally/);
    const flannel = hover({ 'apps.yaml': apps, 'anp.yaml': anp }, 'anp.yaml', anp, 'Deny', 'cni: flannel');
    assert.match(flannel, /\(`flannel`\) does not implement the cluster-wide policies/);
  });

  it('on a hostNetwork workload: how policies see its pods under hostNetworkPods, and how to switch', () => {
    const node = hover({ 'apps.yaml': apps }, 'apps.yaml', apps, 'agent');
    assert.match(node, /Policies do not select them.*`hostNetworkPods: node`/);
    assert.match(node, /set `hostNetworkPods: pod` in kube-netsim\.yaml/);
    const pod = hover({ 'apps.yaml': apps }, 'apps.yaml', apps, 'agent', 'hostNetworkPods: pod');
    assert.match(pod, /Policies select them and match them by labels/);
    const web = hover({ 'apps.yaml': apps }, 'apps.yaml', apps, 'web');
    assert.match(web, /\*\*1 pod\*\*/);
    assert.doesNotMatch(web, /hostNetwork/);
  });
});
