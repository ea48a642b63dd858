// How the topology's policy layer names the layers and policies that decided an edge (design.md
// "Policy layers"): the order layers decide in, their names, a short tag for the edge label, and
// one line per deciding policy (with a cluster-wide policy's priority, rule and action).
import type { PolicyLayer } from '../src/shared/protocol';
/** The policy layers in the order they decide (design.md "Policy layers"); `none` last. */
export const LAYER_ORDER = ['admin', 'cni', 'network', 'baseline', 'none'];
export const LAYER_NAMES: Record<string, string> = {
  admin: 'the admin tier (AdminNetworkPolicy)',
  cni: "the network plugin's own policies",
  network: 'NetworkPolicy',
  baseline: 'the baseline tier (BaselineAdminNetworkPolicy)',
};
/** A short tag on the edge label for the layers other than NetworkPolicy. */
export const LAYER_TAGS: Record<string, string> = { admin: 'ANP ', cni: 'CNI ', baseline: 'BANP ' };

/** `NetworkPolicy shop/web`, or `AdminNetworkPolicy tenants (priority 10) rule deny-others: Deny`. */
export function policyLabel(p: PolicyLayer['edges'][number]['policies'][number]): string {
  if (p.kind === 'NetworkPolicy') return `NetworkPolicy ${p.namespace}/${p.name}`;
  const priority =
    p.tier !== undefined
      ? ` (tier ${p.tier}${p.priority !== undefined ? `, order ${p.priority}` : ''})`
      : p.priority !== undefined
        ? ` (priority ${p.priority})`
        : '';
  const rule = p.rule ? ` rule ${p.rule}${p.action ? `: ${p.action}` : ''}` : '';
  const kind = p.kind === 'CalicoNetworkPolicy' ? 'Calico NetworkPolicy' : p.kind;
  return `${kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}${priority}${rule}`;
}
