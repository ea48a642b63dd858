// Service addresses: ClusterIPs, NodePorts and load-balancer IPs, explicit ones checked, the rest allocated.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { isRecord } from '../manifests/fields';
import { HashAllocator, addressAt, cidrContains, ipFamily, normalizeIP, parseCidr } from '../cluster/ipam';
import { locate, serviceId, type SimService } from '../cluster/model';
import type { ClusterSettings } from '../cluster/settings';

/**
 * Allocates ClusterIPs, NodePorts and load-balancer IPs: explicit values first (checked for range
 * and conflicts), then the rest by hash, so each Service keeps its address when others change.
 */
export function allocateServiceAddresses(services: SimService[], settings: ClusterSettings, diagnostics: Diagnostic[]): void {
  const v4 = parseCidr(settings.serviceCIDR);
  const clusterIPs = new HashAllocator(v4, 1n, v4.size - 2n);
  const v6 = settings.serviceCIDRv6 ? parseCidr(settings.serviceCIDRv6) : undefined;
  const clusterIPs6 = v6 ? new HashAllocator(v6, 1n, v6.size - 1n) : undefined;
  const owners = new Map<string, string>();
  const [lo, hi] = settings.nodePortRange;
  const nodePorts = new Map<number, string>();
  const pool = parseCidr(settings.loadBalancerPool);
  const lbIPs = new HashAllocator(pool, 1n, pool.size - 2n);
  // Implicit Services first: kubernetes (10.96.0.1) and kube-dns (10.96.0.10) exist before any
  // user Service, so a user Service asking for their address is the one in conflict.
  const rank = (s: SimService) => (s.origin.kind === 'implicit' ? 0 : 1);
  const ids = new Map(services.map((s) => [s, serviceId(s)]));
  const sorted = [...services].sort((a, b) => rank(a) - rank(b) || ((ids.get(a) as string) < (ids.get(b) as string) ? -1 : 1));
  // Node ports are set and dropped on the ports below; a Service's ports are shared with the read
  // its object keeps across analyses (read.ts), so those are copied first: an allocated port written
  // there came back at the next analysis as one the manifest asks for, and could take another's.
  for (const svc of services) if (svc.type === 'NodePort' || svc.type === 'LoadBalancer') svc.ports = svc.ports.map((p) => ({ ...p }));

  for (const svc of sorted) {
    const id = serviceId(svc);
    if (svc.clusterIP && svc.clusterIP !== 'None') {
      const ip = normalizeIP(svc.clusterIP);
      const fam = ipFamily(ip);
      const range = fam === 'ipv4' ? settings.serviceCIDR : settings.serviceCIDRv6;
      const at = locate(svc.origin, ['spec', 'clusterIP']);
      if (!range || !cidrContains(range, ip)) {
        if (at)
          diagnostics.push(makeDiagnostic('clusterip-out-of-range', at, { ip, cidr: range ?? settings.serviceCIDR }, `Service/${id}`));
        svc.clusterIP = undefined;
      } else if (owners.has(ip)) {
        if (at) diagnostics.push(makeDiagnostic('clusterip-conflict', at, { ip, other: owners.get(ip) ?? '' }, `Service/${id}`));
        svc.clusterIP = undefined;
      } else {
        (fam === 'ipv4' ? clusterIPs : clusterIPs6)?.reserve(ip);
        owners.set(ip, `Service ${id}`);
        svc.clusterIP = ip;
      }
    }
    // The other family's address of spec.clusterIPs is kept when its range holds it and no one has it.
    if (svc.secondaryClusterIP) {
      const ip = normalizeIP(svc.secondaryClusterIP);
      const fam = ipFamily(ip);
      const range = fam === 'ipv4' ? settings.serviceCIDR : settings.serviceCIDRv6;
      const primary = svc.clusterIP && svc.clusterIP !== 'None' ? ipFamily(svc.clusterIP) : undefined;
      if (fam !== primary && range && cidrContains(range, ip) && !owners.has(ip)) {
        (fam === 'ipv4' ? clusterIPs : clusterIPs6)?.reserve(ip);
        owners.set(ip, `Service ${id}`);
        svc.secondaryClusterIP = ip;
      } else delete svc.secondaryClusterIP;
    }
    if (svc.type === 'NodePort' || svc.type === 'LoadBalancer') {
      svc.ports.forEach((p) => {
        if (p.nodePort === undefined) return;
        const at = locate(svc.origin, [...p.path, 'nodePort']);
        if (p.nodePort < lo || p.nodePort > hi) {
          if (at)
            diagnostics.push(makeDiagnostic('nodeport-out-of-range', at, { nodePort: p.nodePort, range: `${lo}-${hi}` }, `Service/${id}`));
          delete p.nodePort;
        } else if (
          nodePorts.has(p.nodePort) &&
          (nodePorts.get(p.nodePort) === `${id}/${p.protocol}` || !nodePorts.get(p.nodePort)?.startsWith(`${id}/`))
        ) {
          // One Service may use a nodePort for TCP and UDP alike (DNS does); anything else is taken.
          if (at)
            diagnostics.push(
              makeDiagnostic(
                'nodeport-conflict',
                at,
                { nodePort: p.nodePort, other: (nodePorts.get(p.nodePort) ?? '').replace(/\/\w+$/, '') },
                `Service/${id}`,
              ),
            );
          delete p.nodePort;
        } else nodePorts.set(p.nodePort, `${id}/${p.protocol}`);
      });
    }
    if (svc.loadBalancerIP && cidrContains(settings.loadBalancerPool, svc.loadBalancerIP)) lbIPs.reserve(svc.loadBalancerIP);
  }
  for (const svc of sorted) {
    const id = serviceId(svc);
    // The first of spec.ipFamilies is the primary family (clusterIP); a dual-stack policy adds the other.
    const families = ipFamiliesOf(svc);
    const allocatorFor = (f: 'IPv4' | 'IPv6') => (f === 'IPv6' && clusterIPs6 ? clusterIPs6 : clusterIPs);
    if (svc.type !== 'ExternalName' && !svc.headless && svc.clusterIP === undefined) {
      svc.clusterIP = allocatorFor(families[0] ?? 'IPv4').allocate(`svc/${id}`);
    }
    if (svc.clusterIP && svc.clusterIP !== 'None') {
      svc.clusterIPs = [svc.clusterIP];
      const primary = ipFamily(svc.clusterIP) === 'ipv4' ? 'IPv4' : 'IPv6';
      for (const f of families) {
        if (f === primary || (f === 'IPv6' && !clusterIPs6)) continue;
        const given =
          svc.secondaryClusterIP && ipFamily(svc.secondaryClusterIP) === (f === 'IPv6' ? 'ipv6' : 'ipv4')
            ? svc.secondaryClusterIP
            : undefined;
        const ip = given ?? allocatorFor(f).allocate(`svc/${id}`);
        if (ip) svc.clusterIPs.push(ip);
      }
    }
    if (svc.type === 'NodePort' || svc.type === 'LoadBalancer') {
      svc.ports.forEach((p, i) => {
        if (p.nodePort !== undefined) return;
        const span = hi - lo + 1;
        // A full range looped forever (nodePortRange: 30000-30000 with two NodePort Services hung the analysis).
        if (nodePorts.size >= span) {
          const at = locate(svc.origin, p.path);
          if (at) diagnostics.push(makeDiagnostic('nodeport-range-full', at, { range: `${lo}-${hi}`, count: span }, `Service/${id}`));
          return;
        }
        let port = lo + (hashPort(`${id}/${i}`) % span);
        while (nodePorts.has(port)) port = port >= hi ? lo : port + 1;
        nodePorts.set(port, `${id}/${p.protocol}`);
        p.nodePort = port;
      });
    }
    // The API server allocates a healthCheckNodePort for a LoadBalancer with externalTrafficPolicy Local.
    if (svc.type === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local') {
      if (svc.healthCheckNodePort !== undefined && !nodePorts.has(svc.healthCheckNodePort))
        nodePorts.set(svc.healthCheckNodePort, `${id}/healthCheck`);
      else if (svc.healthCheckNodePort === undefined && nodePorts.size < hi - lo + 1) {
        let port = lo + (hashPort(`${id}/healthCheckNodePort`) % (hi - lo + 1));
        while (nodePorts.has(port)) port = port >= hi ? lo : port + 1;
        nodePorts.set(port, `${id}/healthCheck`);
        svc.healthCheckNodePort = port;
      }
    }
    if (
      svc.type === 'LoadBalancer' &&
      svc.loadBalancerIP === undefined &&
      svc.poolOrder === undefined &&
      svc.loadBalancerHostname === undefined
    ) {
      const ip = lbIPs.allocate(`lb/${id}`);
      if (ip) svc.loadBalancerIP = ip;
    }
  }
  // Gateways take the next free addresses, after what the LoadBalancer Services use.
  const taken = new Set(services.flatMap((s) => (s.loadBalancerIP ? [normalizeIP(s.loadBalancerIP)] : [])));
  let offset = 1n;
  const waiting = services
    .filter((s) => s.poolOrder !== undefined && s.loadBalancerIP === undefined)
    .sort((a, b) => ((a.poolOrder ?? '') < (b.poolOrder ?? '') ? -1 : 1));
  for (const svc of waiting) {
    while (offset < pool.size - 1n && taken.has(addressAt(pool, offset))) offset++;
    if (offset >= pool.size - 1n) break;
    svc.loadBalancerIP = addressAt(pool, offset);
    taken.add(svc.loadBalancerIP);
  }
}

/**
 * The IP families a Service asks for, primary first: spec.ipFamilies (IPv4 when absent), plus the
 * other family under PreferDualStack/RequireDualStack, only the first under SingleStack.
 */
function ipFamiliesOf(svc: SimService): Array<'IPv4' | 'IPv6'> {
  const spec = svc.origin.kind === 'manifest' ? svc.origin.object.raw['spec'] : undefined;
  const listed = isRecord(spec) && Array.isArray(spec['ipFamilies']) ? spec['ipFamilies'] : [];
  const families = [...new Set(listed.filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6'))];
  if (families.length === 0)
    families.push(svc.clusterIP && svc.clusterIP !== 'None' && ipFamily(svc.clusterIP) === 'ipv6' ? 'IPv6' : 'IPv4');
  const policy = isRecord(spec) ? spec['ipFamilyPolicy'] : undefined;
  if (policy === 'SingleStack') return families.slice(0, 1);
  if ((policy === 'PreferDualStack' || policy === 'RequireDualStack') && families.length === 1)
    families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  return families;
}

function hashPort(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return h;
}
