import ipaddr from 'ipaddr.js';
import { parseManifestFile } from '../manifests/parse';
import { isRecord } from '../manifests/fields';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { cidrContains, isIP } from './ipam';
import { defaultSettings, type ClusterSettings } from './settings';
import { type ManifestObject } from '../manifests/types';

/** An object read back from a cluster (`kubectl get -o yaml`), not written by hand: the API server gave it a uid. */
export function isLive(o: ManifestObject): boolean {
  // Once per object: the checks ask for every workload, and a parsed object's fields never change.
  let live = liveObjects.get(o);
  if (live === undefined) {
    const md = o.raw['metadata'];
    liveObjects.set(o, (live = isRecord(md) && typeof md['uid'] === 'string' && md['uid'] !== ''));
  }
  return live;
}

const liveObjects = new WeakMap<ManifestObject, boolean>();

const toInt = (ip: string) =>
  ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((n, b) => n * 256 + b, 0);
const toIP = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const network = (n: number, prefix: number) => n - (n % 2 ** (32 - prefix));
const v4 = (ip: string) => isIP(ip) && ipaddr.parse(ip).kind() === 'ipv4';

/** The longest prefix that holds every address, widened to at least /16 (clusters hand out ranges that size or larger). */
function covering(addresses: number[]): string {
  let prefix = 32;
  const first = addresses[0] ?? 0;
  while (prefix > 0 && !addresses.every((a) => network(a, prefix) === network(first, prefix))) prefix--;
  prefix = Math.min(prefix, 16);
  return `${toIP(network(first, prefix))}/${prefix}`;
}

/**
 * The service CIDR that live ClusterIPs imply: the API server gives `kubernetes` the first address of
 * its range, so the largest aligned block starting just below it that holds every live ClusterIP;
 * without that Service, the block covering them all.
 */
function serviceRange(ips: number[], kubernetesIP: number | undefined): string {
  if (kubernetesIP !== undefined) {
    const base = kubernetesIP - 1;
    for (let prefix = 12; prefix <= 30; prefix++) {
      if (network(base, prefix) === base && ips.every((ip) => network(ip, prefix) === base)) return `${toIP(base)}/${prefix}`;
    }
  }
  return covering(ips);
}

/**
 * A cluster snapshot keeps its live addresses (pod IPs, ClusterIPs, node pod CIDRs). When they lie
 * outside the default ranges and the settings leave those at their defaults, the ranges they imply
 * are used instead, so that live ClusterIPs are honoured rather than reported as out of range and
 * re-allocated, and traffic from live pod IPs counts as pod traffic. Each change is reported (info).
 */
export function snapshotSettings(objects: ManifestObject[], settings: ClusterSettings, diagnostics: Diagnostic[]): ClusterSettings {
  const live = objects.filter(isLive);
  if (live.length === 0) return settings;
  const defaults = defaultSettings();
  const out = { ...settings };

  if (settings.serviceCIDR === defaults.serviceCIDR) {
    const services = live.filter(
      (o) =>
        o.kind === 'Service' && isRecord(o.raw['spec']) && typeof o.raw['spec']['clusterIP'] === 'string' && v4(o.raw['spec']['clusterIP']),
    );
    const ipOf = (o: ManifestObject) => (o.raw['spec'] as Record<string, unknown>)['clusterIP'] as string;
    const outside = services.filter((o) => !cidrContains(settings.serviceCIDR, ipOf(o)));
    const first = outside[0];
    if (first) {
      const k8s = services.find((o) => o.name === 'kubernetes' && (o.namespace ?? 'default') === 'default');
      out.serviceCIDR = serviceRange(
        services.map((o) => toInt(ipOf(o))),
        k8s ? toInt(ipOf(k8s)) : undefined,
      );
      const at = k8s ?? first;
      diagnostics.push(
        makeDiagnostic('snapshot-settings-inferred', at.locate(['spec', 'clusterIP']), {
          what: `Service ClusterIPs (${ipOf(at)}, …)`,
          setting: 'serviceCIDR',
          default: defaults.serviceCIDR,
          inferred: out.serviceCIDR,
        }),
      );
    }
  }

  if (settings.podCIDR === defaults.podCIDR) {
    const addresses: Array<{ n: number; object: ManifestObject; path: string[] }> = [];
    for (const o of live) {
      const spec = isRecord(o.raw['spec']) ? o.raw['spec'] : {};
      const status = isRecord(o.raw['status']) ? o.raw['status'] : {};
      if (o.kind === 'Node' && typeof spec['podCIDR'] === 'string' && /^[\d.]+\/\d+$/.test(spec['podCIDR'])) {
        const [ip] = spec['podCIDR'].split('/');
        if (ip && v4(ip)) addresses.push({ n: toInt(ip), object: o, path: ['spec', 'podCIDR'] });
      }
      if (o.kind === 'Pod' && spec['hostNetwork'] !== true && typeof status['podIP'] === 'string' && v4(status['podIP']))
        addresses.push({ n: toInt(status['podIP']), object: o, path: ['status', 'podIP'] });
    }
    const outside = addresses.find((a) => !cidrContains(settings.podCIDR, toIP(a.n)));
    if (outside) {
      out.podCIDR = covering(addresses.map((a) => a.n));
      diagnostics.push(
        makeDiagnostic('snapshot-settings-inferred', outside.object.locate(outside.path), {
          what: `${outside.path[0] === 'spec' ? 'node pod CIDRs' : 'pod IPs'} (${toIP(outside.n)}, …)`,
          setting: 'podCIDR',
          default: defaults.podCIDR,
          inferred: out.podCIDR,
        }),
      );
    }
  }
  return out;
}

/** What `kubectl get … -o yaml` printed, checked and counted, before the editor saves it into the workspace. */
export function summarizeSnapshot(
  text: string,
): { ok: true; counts: Record<string, number>; summary: string } | { ok: false; message: string } {
  const parsed = parseManifestFile({ path: 'cluster-snapshot.yaml', text });
  const syntax = parsed.diagnostics.find((d) => d.code === 'yaml-syntax' || d.code === 'yaml-limit');
  if (syntax) return { ok: false, message: `kubectl printed something that is not YAML (${syntax.message})` };
  if (parsed.objects.length === 0)
    return { ok: false, message: 'kubectl printed no objects (is the current context the cluster you meant?)' };
  const counts: Record<string, number> = {};
  for (const o of parsed.objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  const part = (kind: string, label: string) => (counts[kind] ? `${counts[kind]} ${label}` : undefined);
  const summary = [
    part('Node', 'nodes'),
    part('Namespace', 'namespaces'),
    part('Pod', 'pods'),
    part('Service', 'Services'),
    part('EndpointSlice', 'EndpointSlices'),
    part('NetworkPolicy', 'NetworkPolicies'),
    part('Ingress', 'Ingresses'),
  ]
    .filter(Boolean)
    .join(', ');
  return { ok: true, counts, summary };
}
