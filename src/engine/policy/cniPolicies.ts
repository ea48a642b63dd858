// Which CNI-native policies the simulated network plugin enforces (design.md "Policy layers",
// layer 2): Cilium's under `cni: cilium`, Calico's under `calico` and `canal`. Every such object is read (and its errors reported) under
// any CNI; under one that does not enforce it, it is reported (`policy-not-enforced`) and left out,
// so switching the CNI shows the difference.
import type { Cluster } from '../cluster/model';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { isCiliumKind, readCiliumObject, type SimCiliumPolicy } from './ciliumParse';
import { CiliumLayer } from './cilium';
import type { CniLayerFactory } from './cniLayer';
import { isCalicoKind, readCalicoObject, type SimCalicoPolicy } from './calicoParse';
import { CalicoLayer } from './calico';
import { ADMIN_TIERS, BASELINE_TIERS, readCalicoTiers, type CalicoTier } from './calicoTiers';
import { kindText } from './explain';
import { editDistance } from '../diagnostics';

export interface CniPolicies {
  cilium: SimCiliumPolicy[];
  calico: SimCalicoPolicy[];
  /** Calico's tiers by name: the default tier and the workspace's Tier objects. */
  calicoTiers: Map<string, CalicoTier>;
  /** The layer the engine asks, when the simulated CNI enforces some of the policies read. */
  layer: CniLayerFactory | undefined;
}

export function readCniPolicies(cluster: Cluster, diagnostics: Diagnostic[]): CniPolicies {
  const cilium: SimCiliumPolicy[] = [];
  const calico: SimCalicoPolicy[] = [];
  for (const o of cluster.objects) {
    if (isCiliumKind(o)) {
      const read = readCiliumObject(o);
      for (const d of read.diagnostics) diagnostics.push(d);
      if (read.policy) cilium.push(read.policy);
    } else if (isCalicoKind(o)) {
      const read = readCalicoObject(o);
      for (const d of read.diagnostics) diagnostics.push(d);
      if (read.policy) calico.push(read.policy);
    }
  }
  const calicoTiers = readCalicoTiers(cluster.objects, diagnostics);
  const placed = calico.filter((p) => inKnownTier(p, calicoTiers, diagnostics));
  const cni = cluster.settings.cni;
  const calicoEnforced = cni === 'calico' || cni === 'canal';
  const unenforced = [...(cni === 'cilium' ? [] : cilium), ...(calicoEnforced ? [] : placed)];
  for (const p of unenforced) {
    if (p.origin.kind !== 'manifest') continue;
    const o = p.origin.object;
    const ofCilium = p.kind === 'CiliumNetworkPolicy' || p.kind === 'CiliumClusterwideNetworkPolicy';
    diagnostics.push(
      makeDiagnostic(
        'policy-not-enforced',
        o.locate(['metadata', 'name']),
        {
          cni,
          kind: kindText(p.kind),
          effect: 'none of its rules allows or denies anything',
          enforcers: ofCilium ? 'Cilium' : 'Calico, Canal',
        },
        resourceName({ kind: o.kind, namespace: p.namespace || undefined, name: p.name }),
      ),
    );
  }
  let layer: CniLayerFactory | undefined;
  if (cni === 'cilium' && cilium.length > 0) layer = (host) => new CiliumLayer(cilium, host);
  if (calicoEnforced && placed.length > 0) layer = (host) => new CalicoLayer(placed, calicoTiers, host);
  return { cilium, calico: placed, calicoTiers, layer };
}

/** Whether a Calico policy's tier is one the simulation can place; if not, says why at `spec.tier`. */
function inKnownTier(p: SimCalicoPolicy, tiers: Map<string, CalicoTier>, diagnostics: Diagnostic[]): boolean {
  if (tiers.has(p.tier)) return true;
  if (p.origin.kind !== 'manifest') return false;
  const o = p.origin.object;
  const at = o.locate(o.has(['spec', 'tier']) ? ['spec', 'tier'] : ['metadata', 'name']);
  const id = `${kindText(p.kind)} ${p.namespace ? `${p.namespace}/${p.name}` : p.name}`;
  const resource = resourceName({ kind: o.kind, namespace: p.namespace || undefined, name: p.name });
  if (ADMIN_TIERS.includes(p.tier) || BASELINE_TIERS.includes(p.tier)) {
    diagnostics.push(
      makeDiagnostic(
        'cni-policy-field-not-simulated',
        at,
        {
          field: 'tier',
          kind: kindText(p.kind),
          policy: p.namespace ? `${p.namespace}/${p.name}` : p.name,
          why: `Calico policies placed among the ${ADMIN_TIERS.includes(p.tier) ? 'AdminNetworkPolicies' : 'BaselineAdminNetworkPolicy'} in the ${p.tier} tier are not simulated: this policy is left out`,
        },
        resource,
      ),
    );
    return false;
  }
  const close = [...tiers.keys()].find((t) => editDistance(t, p.tier) <= 2);
  diagnostics.push(makeDiagnostic('calico-tier-missing', at, { policy: id, tier: p.tier, close: close ?? '' }, resource));
  return false;
}
