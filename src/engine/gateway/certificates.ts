// A listener's tls.certificateRefs, resolved as the listener's ResolvedRefs condition defines it
// (apis/v1/gateway_types.go): a reference to anything but a core Secret is InvalidCertificateRef;
// one into another namespace needs a ReferenceGrant there, else RefNotPermitted (which takes
// precedence: InvalidCertificateRef is only for references that are allowed); a Secret the
// workspace holds must carry tls.crt and tls.key. A Secret the workspace does not
// hold is not counted against the listener: certificates are usually made outside the manifests
// (cert-manager, a sealed secret, the conformance suite itself).
import { isRecord } from '../manifests/fields';
import type { ManifestObject } from '../manifests/types';
import { grantFor } from './backends';
import { GATEWAY_GROUP, type Listener, type SimGateway, type SimReferenceGrant } from './types';

export function certificateProblem(
  gw: SimGateway,
  listener: Listener,
  grants: readonly SimReferenceGrant[],
  objects: readonly ManifestObject[],
): Listener['certificateProblem'] {
  for (const ref of listener.certificateRefs) {
    const id = `${ref.namespace}/${ref.name}`;
    if (ref.namespace !== gw.namespace) {
      const grant = grantFor(
        grants,
        { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace },
        { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name },
      );
      if (!grant)
        return {
          reason: 'RefNotPermitted',
          message: `${ref.kind} ${id} is in another namespace and no ReferenceGrant in ${ref.namespace} lets Gateways of ${gw.namespace} refer to it`,
        };
    }
    if (ref.group !== '' || ref.kind !== 'Secret')
      return {
        reason: 'InvalidCertificateRef',
        message: `certificateRef ${ref.name} is a ${ref.group ? `${ref.group}/` : ''}${ref.kind}, not a core Secret`,
      };
    const secret = objects.find(
      (o) => o.apiVersion === 'v1' && o.kind === 'Secret' && o.name === ref.name && (o.namespace ?? 'default') === ref.namespace,
    );
    if (!secret) continue;
    const keys = new Set([
      ...Object.keys(isRecord(secret.raw['data']) ? secret.raw['data'] : {}),
      ...Object.keys(isRecord(secret.raw['stringData']) ? secret.raw['stringData'] : {}),
    ]);
    const missing = ['tls.crt', 'tls.key'].filter((k) => !keys.has(k));
    if (missing.length > 0)
      return {
        reason: 'InvalidCertificateRef',
        message: `Secret ${id} holds no ${missing.join(' and no ')}, so it is not a TLS certificate`,
      };
  }
  return undefined;
}
