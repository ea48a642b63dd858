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
import { kindText } from './explain';

export interface CniPolicies {
  cilium: SimCiliumPolicy[];
  calico: SimCalicoPolicy[];
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
  const cni = cluster.settings.cni;
  const calicoEnforced = cni === 'calico' || cni === 'canal';
  const unenforced = [...(cni === 'cilium' ? [] : cilium), ...(calicoEnforced ? [] : calico)];
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
  if (calicoEnforced && calico.length > 0) layer = (host) => new CalicoLayer(calico, host);
  return { cilium, calico, layer };
}
