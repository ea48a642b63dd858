// BackendTLSPolicy (GEP-1897): a policy that makes a Gateway speak TLS to a Service's backends.
// The simulation does not model that TLS (certificate validation, SNI, the handshake); a trace that
// reaches such a Service says so, naming the policy, instead of showing the hop as plain traffic.
import { isRecord } from '../manifests/fields';
import type { ManifestObject } from '../manifests/types';
import { isGatewayApi } from './read';

export interface BackendTlsNote {
  policy: ManifestObject;
  /** The targetRef's index, for the hop's source range. */
  index: number;
  detail: string;
}

/** The BackendTLSPolicies whose targetRefs name Service `namespace/name` (port `sectionName`, when one is given). */
export function backendTlsPolicies(
  objects: readonly ManifestObject[],
  namespace: string,
  name: string,
  portName?: string,
): BackendTlsNote[] {
  const out: BackendTlsNote[] = [];
  for (const o of objects) {
    if (!isGatewayApi(o, 'BackendTLSPolicy') || (o.namespace ?? 'default') !== namespace) continue;
    const spec = o.raw['spec'];
    if (!isRecord(spec)) continue;
    const refs = Array.isArray(spec['targetRefs']) ? spec['targetRefs'] : [];
    const index = refs.findIndex(
      (t) =>
        isRecord(t) &&
        (t['group'] ?? '') === '' &&
        t['kind'] === 'Service' &&
        t['name'] === name &&
        (t['sectionName'] === undefined || t['sectionName'] === portName),
    );
    if (index < 0) continue;
    const validation = isRecord(spec['validation']) ? spec['validation'] : {};
    const hostname = typeof validation['hostname'] === 'string' ? ` for hostname ${validation['hostname']}` : '';
    out.push({
      policy: o,
      index,
      detail: `BackendTLSPolicy ${namespace}/${o.name} makes the Gateway connect to Service ${namespace}/${name} over TLS${hostname}; that TLS (SNI, certificate validation, the handshake) is not simulated, so the trace cannot tell whether the connection would be refused`,
    });
  }
  return out;
}
