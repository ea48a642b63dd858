// A Service manifest read into the simulation's shape: type, ports, selector, traffic policies.
import { FieldReader, describe, isRecord } from '../manifests/fields';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { topologyAnnotation } from './topologyCache';
import { isIP } from '../cluster/ipam';
import { isCidr } from '../cluster/settings';
import { type Labels } from '../cluster/labels';
import { type ServicePort, type SimService } from '../cluster/model';
import { type ManifestObject } from '../manifests/types';

/**
 * Each Service object read once, with the diagnostics reading it reported (replayed in order at
 * every analysis): a ParseCache keeps unchanged documents' objects across analyses, so
 * re-analysis reads only edited Services. The read depends on the object and its namespace alone.
 */
const serviceReads = new WeakMap<ManifestObject, { namespace: string; svc: SimService; diagnostics: Diagnostic[] }>();

/**
 * readService, remembered per object. Every call gives a new SimService (allocation and endpoints
 * fill in its addresses and endpoint lists per analysis); its ports and selector are shared.
 */
export function readServiceObject(o: ManifestObject, namespace: string, diagnostics: Diagnostic[]): SimService {
  let read = serviceReads.get(o);
  if (!read || read.namespace !== namespace) {
    const own: Diagnostic[] = [];
    read = { namespace, svc: readService(o, namespace, own), diagnostics: own };
    serviceReads.set(o, read);
  }
  for (const d of read.diagnostics) diagnostics.push(d);
  return { ...read.svc, clusterIPs: [...read.svc.clusterIPs], endpointsByPort: read.svc.endpointsByPort.map((eps) => [...eps]) };
}

/** Reads a Service manifest into the simulation's shape (addresses are allocated later). */
export function readService(o: ManifestObject, namespace: string, diagnostics: Diagnostic[]): SimService {
  const r = new FieldReader(o, diagnostics);
  const typeRaw = r.str(['spec', 'type']) ?? 'ClusterIP';
  let type: SimService['type'] = 'ClusterIP';
  if (typeRaw === 'ClusterIP' || typeRaw === 'NodePort' || typeRaw === 'LoadBalancer' || typeRaw === 'ExternalName') type = typeRaw;
  else r.invalid(['spec', 'type'], `Service type must be ClusterIP, NodePort, LoadBalancer or ExternalName, not "${typeRaw}".`);
  const ports: ServicePort[] = [];
  (r.list(['spec', 'ports']) ?? []).forEach((_, i) => {
    const p = ['spec', 'ports', i];
    if (!isRecord(r.raw(p))) return r.invalid(p, 'Each Service port must be a mapping with at least `port`.');
    const port = r.int([...p, 'port'], 1, 65535);
    if (port === undefined) {
      if (r.raw([...p, 'port']) === undefined) r.invalid(p, 'A Service port needs `port`.');
      return;
    }
    const sp: ServicePort = {
      port,
      protocol: r.protocol([...p, 'protocol']),
      targetPort: r.intOrName([...p, 'targetPort']) ?? port,
      path: p,
    };
    const name = r.str([...p, 'name']);
    if (name !== undefined) sp.name = name;
    const nodePort = r.int([...p, 'nodePort'], 1, 65535);
    if (nodePort !== undefined) sp.nodePort = nodePort;
    const appProtocol = r.str([...p, 'appProtocol']);
    if (appProtocol !== undefined) sp.appProtocol = appProtocol;
    ports.push(sp);
  });
  if (ports.length > 1 && ports.some((p) => p.name === undefined)) {
    r.invalid(['spec', 'ports'], 'When a Service has more than one port, every port needs a `name`.');
  }
  const selectorRaw = r.raw(['spec', 'selector']);
  const selector: Labels | null = selectorRaw === undefined || selectorRaw === null ? null : r.labels(['spec', 'selector']);
  // `clusterIP: ""` asks for an allocated address, as if it were absent (Helm charts write it so).
  const clusterIPRaw = r.str(['spec', 'clusterIP']) || undefined;
  const headless = clusterIPRaw === 'None';
  const svc: SimService = {
    namespace,
    name: o.name,
    type,
    clusterIP: type === 'ExternalName' ? undefined : headless ? 'None' : clusterIPRaw,
    clusterIPs: [],
    headless,
    ports,
    selector: type === 'ExternalName' ? null : selector,
    externalTrafficPolicy: r.str(['spec', 'externalTrafficPolicy']) === 'Local' ? 'Local' : 'Cluster',
    internalTrafficPolicy: r.str(['spec', 'internalTrafficPolicy']) === 'Local' ? 'Local' : 'Cluster',
    sessionAffinity: r.str(['spec', 'sessionAffinity']) === 'ClientIP' ? 'ClientIP' : 'None',
    sessionAffinityTimeoutSeconds: r.int(['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'], 1, 86400) ?? 10800,
    externalIPs: readExternalIPs(r),
    publishNotReadyAddresses: r.bool(['spec', 'publishNotReadyAddresses']) ?? false,
    endpointsByPort: ports.map(() => []),
    origin: { kind: 'manifest', object: o },
  };
  if (type === 'ExternalName') {
    const ext = r.str(['spec', 'externalName']);
    if (ext === undefined || ext === '')
      r.invalid(['spec'], 'A Service of type ExternalName needs spec.externalName (a DNS name such as db.example.com).');
    else {
      svc.externalName = ext.replace(/\.$/, '');
      if (isIP(svc.externalName)) {
        const at = o.locate(['spec', 'externalName']);
        const fqdn = `${o.name}.${namespace}.svc.cluster.local`;
        if (at)
          diagnostics.push(
            makeDiagnostic(
              'externalname-is-ip',
              at,
              { externalName: svc.externalName, fqdn, service: `${namespace}/${o.name}`, hint: '' },
              `Service/${namespace}/${o.name}`,
            ),
          );
      }
    }
  }
  const topologyMode = topologyAnnotation(r.labels(['metadata', 'annotations']));
  if (topologyMode) svc.topologyModeAuto = { annotation: topologyMode };
  const td = r.str(['spec', 'trafficDistribution']);
  if (td === 'PreferClose' || td === 'PreferSameZone' || td === 'PreferSameNode') svc.trafficDistribution = td;
  else if (td !== undefined)
    r.invalid(
      ['spec', 'trafficDistribution'],
      `trafficDistribution must be PreferClose, PreferSameZone or PreferSameNode, not "${td}" (the API server rejects other values).`,
    );
  const ranges = readSourceRanges(r);
  if (ranges.length > 0) svc.loadBalancerSourceRanges = ranges;
  const hc = r.int(['spec', 'healthCheckNodePort'], 1, 65535);
  if (hc !== undefined) svc.healthCheckNodePort = hc;
  const lbIP = r.str(['spec', 'loadBalancerIP']);
  // A cloud balancer known by name only (AWS ELB/NLB) reports status.loadBalancer.ingress[].hostname.
  const lbHost = r.raw(['status', 'loadBalancer', 'ingress', 0, 'hostname']);
  if (type === 'LoadBalancer' && typeof lbHost === 'string' && lbHost !== '')
    svc.loadBalancerHostname = lbHost.replace(/\.$/, '').toLowerCase();
  const statusIngress = r.raw(['status', 'loadBalancer', 'ingress', 0, 'ip']);
  if (typeof statusIngress === 'string' && isIP(statusIngress)) {
    svc.loadBalancerIP = statusIngress;
    const ipMode = r.raw(['status', 'loadBalancer', 'ingress', 0, 'ipMode']);
    if (ipMode === 'VIP' || ipMode === 'Proxy') svc.loadBalancerIPMode = ipMode;
    else if (ipMode !== undefined && ipMode !== null)
      r.invalid(['status', 'loadBalancer', 'ingress', 0, 'ipMode'], `ipMode must be VIP or Proxy, not ${describe(ipMode)}.`);
  } else if (lbIP !== undefined) {
    if (isIP(lbIP)) svc.loadBalancerIP = lbIP;
    else r.invalid(['spec', 'loadBalancerIP'], `loadBalancerIP "${lbIP}" is not an IP address.`);
  }
  const second = r.raw(['spec', 'clusterIPs', 1]);
  if (typeof second === 'string' && isIP(second) && svc.clusterIP !== 'None') svc.secondaryClusterIP = second;
  if (svc.clusterIP !== undefined && svc.clusterIP !== 'None' && !isIP(svc.clusterIP)) {
    r.invalid(
      ['spec', 'clusterIP'],
      `clusterIP "${svc.clusterIP}" is not an IP address; omit it to have one allocated, or use None for a headless Service.`,
    );
    svc.clusterIP = undefined;
  }
  return svc;
}

/**
 * spec.loadBalancerSourceRanges: CIDRs, trimmed as kube-proxy trims them (its tests keep
 * " 203.0.113.0/25" working); one that is no CIDR is reported at its place and left out.
 */
function readSourceRanges(r: FieldReader): string[] {
  const out: string[] = [];
  (r.list(['spec', 'loadBalancerSourceRanges']) ?? []).forEach((x, i) => {
    const text = typeof x === 'string' ? x.trim() : undefined;
    if (text !== undefined && isCidr(text)) out.push(text);
    else
      r.invalid(
        ['spec', 'loadBalancerSourceRanges', i],
        `loadBalancerSourceRanges entries must be CIDRs such as 203.0.113.0/24, not ${typeof x === 'string' ? `"${x}"` : describe(x)}.`,
      );
  });
  return out;
}

/** spec.externalIPs: addresses only (a non-address was kept and written into kube-proxy's rules); others reported at their place. */
function readExternalIPs(r: FieldReader): string[] {
  const out: string[] = [];
  (r.list(['spec', 'externalIPs']) ?? []).forEach((x, i) => {
    if (typeof x === 'string' && isIP(x)) out.push(x);
    else
      r.invalid(
        ['spec', 'externalIPs', i],
        `externalIPs entries must be IP addresses such as 203.0.113.10, not ${typeof x === 'string' ? `"${x}"` : describe(x)}.`,
      );
  });
  return out;
}
