// Which CNI-native policies the simulated network plugin enforces (design.md "Policy layers",
// layer 2): Cilium's under `cni: cilium`. Every such object is read (and its errors reported) under
// any CNI; under one that does not enforce it, it is reported (`policy-not-enforced`) and left out,
// so switching the CNI shows the difference.
import type { Cluster } from '../cluster/model';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { isCiliumKind, readCiliumObject, type SimCiliumPolicy } from './ciliumParse';
import { CiliumLayer } from './cilium';
import type { CniLayerFactory } from './cniLayer';

export interface CniPolicies {
  cilium: SimCiliumPolicy[];
  /** The layer the engine asks, when the simulated CNI enforces some of the policies read. */
  layer: CniLayerFactory | undefined;
}

export function readCniPolicies(cluster: Cluster, diagnostics: Diagnostic[]): CniPolicies {
  const cilium: SimCiliumPolicy[] = [];
  for (const o of cluster.objects) {
    if (!isCiliumKind(o)) continue;
    const read = readCiliumObject(o);
    for (const d of read.diagnostics) diagnostics.push(d);
    if (read.policy) cilium.push(read.policy);
  }
  const cni = cluster.settings.cni;
  if (cni !== 'cilium')
    for (const p of cilium) {
      if (p.origin.kind !== 'manifest') continue;
      const o = p.origin.object;
      diagnostics.push(
        makeDiagnostic(
          'policy-not-enforced',
          o.locate(['metadata', 'name']),
          { cni, kind: p.kind, effect: 'none of its rules allows or denies anything', enforcers: 'Cilium' },
          resourceName({ kind: p.kind, namespace: p.namespace || undefined, name: p.name }),
        ),
      );
    }
  const enforced = cni === 'cilium' ? cilium : [];
  const layer: CniLayerFactory | undefined = enforced.length > 0 ? (host) => new CiliumLayer(enforced, host) : undefined;
  return { cilium, layer };
}
