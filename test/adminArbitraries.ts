// fast-check generators of AdminNetworkPolicies and the BaselineAdminNetworkPolicy for the clusters
// of netpolArbitraries.ts: few values on purpose, so subjects, peers and ports hit the generated
// pods (and miss them) often. Shapes follow the v1alpha1 API (policy.networking.k8s.io).
import fc from 'fast-check';

const nsSel = fc.constantFrom<object>(
  {},
  { matchLabels: { team: 'red' } },
  { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['b'] }] },
);
const podSel = fc.constantFrom<object>(
  {},
  { matchLabels: { app: 'web' } },
  { matchLabels: { tier: 'fe' } },
  { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
);
const selection = fc.oneof(
  nsSel.map((namespaces) => ({ namespaces })),
  fc.record({ namespaceSelector: nsSel, podSelector: podSel }).map((pods) => ({ pods })),
);
const networks = fc.constantFrom<string[]>(
  ['0.0.0.0/0'],
  ['10.0.1.0/24'], // the default nodes' addresses
  ['10.244.0.0/16'], // the pod CIDR: networks peers match pods too
  ['203.0.113.0/24', '10.0.1.20/32'],
);
const egressPeer = fc.oneof(
  selection,
  networks.map((n) => ({ networks: n })),
  fc.constantFrom<object>({ nodes: {} }, { nodes: { matchLabels: { 'kubernetes.io/hostname': 'node-1' } } }),
);
const port = fc.constantFrom<object>(
  { portNumber: { protocol: 'TCP', port: 80 } },
  { portNumber: { protocol: 'UDP', port: 53 } },
  { portRange: { protocol: 'TCP', start: 80, end: 8080 } },
  { portRange: { protocol: 'SCTP', start: 1, end: 100 } },
  { namedPort: 'http' },
  { namedPort: 'dns' },
);

function rule(actions: readonly string[], peerKey: 'from' | 'to') {
  return fc
    .record({
      action: fc.constantFrom(...actions),
      peers: fc.array(peerKey === 'from' ? selection : egressPeer, { minLength: 1, maxLength: 2 }),
      ports: fc.option(fc.array(port, { minLength: 1, maxLength: 2 }), { nil: null }),
    })
    .map((r) => ({ action: r.action, [peerKey]: r.peers, ...(r.ports ? { ports: r.ports } : {}) }));
}

const ANP_ACTIONS = ['Allow', 'Deny', 'Pass'];
const BANP_ACTIONS = ['Allow', 'Deny'];

export interface GenAdmin {
  priority: number;
  subject: object;
  ingress: object[];
  egress: object[];
}

export const genAnp: fc.Arbitrary<GenAdmin> = fc.record({
  priority: fc.integer({ min: 0, max: 6 }),
  subject: selection,
  ingress: fc.array(rule(ANP_ACTIONS, 'from'), { maxLength: 3 }),
  egress: fc.array(rule(ANP_ACTIONS, 'to'), { maxLength: 3 }),
});

export const genBanp: fc.Arbitrary<Omit<GenAdmin, 'priority'>> = fc.record({
  subject: selection,
  ingress: fc.array(rule(BANP_ACTIONS, 'from'), { maxLength: 3 }),
  egress: fc.array(rule(BANP_ACTIONS, 'to'), { maxLength: 3 }),
});

export function anpObject(p: GenAdmin, name: string): object {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec: { priority: p.priority, subject: p.subject, ingress: p.ingress, egress: p.egress },
  };
}

export function banpObject(p: Omit<GenAdmin, 'priority'>): object {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default' },
    spec: { subject: p.subject, ingress: p.ingress, egress: p.egress },
  };
}

/** An AdminNetworkPolicy of every pod, for both directions, with one rule that matches every peer. */
export function everything(name: string, priority: number, action: 'Allow' | 'Deny' | 'Pass'): object {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec: {
      priority,
      subject: { namespaces: {} },
      ingress: [{ action, from: [{ namespaces: {} }] }],
      egress: [{ action, to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }] }],
    },
  };
}
