// Calico's tiers (projectcalico.org/v3 Tier, and crd.projectcalico.org/v1 as `kubectl get -o yaml`
// shows it): ordered groups of policies. Each tier that has a policy applying to an endpoint is
// asked in turn, lowest order first (unset last, then by name); Allow or Deny ends the walk, Pass
// hands the connection to the next tier, and a tier that applies but decides nothing takes its
// `defaultAction` (Deny unless set to Pass). Past the last tier the namespace's profile allows.
// (https://docs.tigera.io/calico/latest/reference/resources/tier,
// https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy)
// Calico installs three tiers of fixed order: the AdminNetworkPolicies' at 1,000 (`kube-admin`,
// `adminnetworkpolicy` before Calico 3.31), `default` at 1,000,000 (where Kubernetes
// NetworkPolicies live) and the BaselineAdminNetworkPolicy's at 10,000,000 (`kube-baseline`,
// `baselineadminnetworkpolicy`). Their places fix where a workspace's own tiers fall among the
// layers of design.md "Policy layers".
import { FieldReader } from '../manifests/fields';
import type { ManifestObject } from '../manifests/types';
import type { Diagnostic } from '../diagnostics';
import type { Origin } from '../cluster/model';
import type { CniStage } from './cniLayer';

export type TierAction = 'Deny' | 'Pass';

/** Where a tier is asked among the engine's layers: before the admin tier, with the default tier, between default and baseline, or last. */
export type TierStage = CniStage;

export interface CalicoTier {
  name: string;
  /** Lower first; undefined comes last. */
  order: number | undefined;
  defaultAction: TierAction;
  stage: TierStage;
  /** The Tier object, or none for the tiers Calico installs. */
  origin: Origin | undefined;
}

export const DEFAULT_TIER_ORDER = 1_000_000;
export const ADMIN_TIER_ORDER = 1_000;
export const BASELINE_TIER_ORDER = 10_000_000;

/** The tiers Calico installs and owns: policies of the workspace cannot be placed in the admin ones here. */
export const ADMIN_TIERS = ['kube-admin', 'adminnetworkpolicy'];
export const BASELINE_TIERS = ['kube-baseline', 'baselineadminnetworkpolicy'];

export function isCalicoTier(o: Pick<ManifestObject, 'apiVersion' | 'kind'>): boolean {
  return o.kind === 'Tier' && /^(crd\.)?projectcalico\.org\//.test(o.apiVersion);
}

/** Tiers sort by order (unset last), then by name. */
export function compareTiers(a: Pick<CalicoTier, 'name' | 'order'>, b: Pick<CalicoTier, 'name' | 'order'>): number {
  const oa = a.order ?? Infinity;
  const ob = b.order ?? Infinity;
  if (oa !== ob) return oa < ob ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function stageOf(t: Pick<CalicoTier, 'name' | 'order'>): TierStage {
  if (t.name === 'default') return 'main';
  if (compareTiers(t, { name: 'kube-admin', order: ADMIN_TIER_ORDER }) < 0) return 'beforeAdmin';
  if (compareTiers(t, { name: 'default', order: DEFAULT_TIER_ORDER }) < 0) return 'main';
  if (compareTiers(t, { name: 'kube-baseline', order: BASELINE_TIER_ORDER }) < 0) return 'afterDefault';
  return 'afterBaseline';
}

export const DEFAULT_TIER: CalicoTier = {
  name: 'default',
  order: DEFAULT_TIER_ORDER,
  defaultAction: 'Deny',
  stage: 'main',
  origin: undefined,
};

/**
 * The workspace's Tier objects by name, with Calico's default tier. The default tier's order and
 * action are fixed (a Tier named default in the workspace does not change them).
 */
export function readCalicoTiers(objects: readonly ManifestObject[], diagnostics: Diagnostic[]): Map<string, CalicoTier> {
  const tiers = new Map<string, CalicoTier>([['default', DEFAULT_TIER]]);
  for (const o of objects) {
    if (!isCalicoTier(o) || o.name === 'default' || ADMIN_TIERS.includes(o.name) || BASELINE_TIERS.includes(o.name)) continue;
    const r = new FieldReader(o, diagnostics);
    const orderRaw = r.raw(['spec', 'order']);
    let order: number | undefined;
    if (orderRaw !== undefined && orderRaw !== null) {
      if (typeof orderRaw === 'number' && Number.isFinite(orderRaw)) order = orderRaw;
      else {
        r.invalid(
          ['spec', 'order'],
          `A Tier's order must be a number (lower tiers are asked first), not ${JSON.stringify(orderRaw)}; Calico rejects the Tier.`,
        );
        continue;
      }
    }
    const actionRaw = r.raw(['spec', 'defaultAction']);
    let defaultAction: TierAction = 'Deny';
    if (actionRaw === 'Pass' || actionRaw === 'Deny') defaultAction = actionRaw;
    else if (actionRaw !== undefined && actionRaw !== null) {
      r.invalid(
        ['spec', 'defaultAction'],
        `A Tier's defaultAction is Deny or Pass, not ${JSON.stringify(actionRaw)}; Calico rejects the Tier.`,
      );
      continue;
    }
    tiers.set(o.name, {
      name: o.name,
      order,
      defaultAction,
      stage: stageOf({ name: o.name, order }),
      origin: { kind: 'manifest', object: o },
    });
  }
  return tiers;
}
