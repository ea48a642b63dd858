// The names kube-proxy's nftables proxier gives its per-Service chains and sets
// (pkg/proxy/nftables/proxier.go: servicePortChainNameBase, servicePortEndpointChainNameBase,
// hashAndTruncate): readable `NS/NAME/PROTO/PORT` names, prefixed with a hash of themselves.
import { base32, sha256 } from '../hash';

/** knftables.NameLengthMax (256) minus the longest prefix kube-proxy puts before a base name (16). */
const NAME_BASE_MAX = 256 - 16;

/** `HASH-name`: the first 8 base32 characters of sha256(name), then the name, cut to 240 characters with `...`. */
export function hashAndTruncate(name: string): string {
  const out = `${base32(sha256(name)).slice(0, 8)}-${name}`;
  return out.length > NAME_BASE_MAX ? `${out.slice(0, NAME_BASE_MAX - 3)}...` : out;
}

/** A Service port as kube-proxy names it: namespace, name and port name (empty for an unnamed port). */
export interface NftServicePort {
  namespace: string;
  name: string;
  /** The Service port's name; '' when unnamed. */
  port: string;
}

/** `HASH-ns/svc/proto/port`, the base of the service-, local-, external- and firewall- chains. */
export function servicePortChainBase(spn: NftServicePort, protocol: string): string {
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${protocol.toLowerCase()}/${spn.port}`);
}

/** `HASH-ns/svc/proto/port__IP/PORT` (an IPv6 address with `.` for `:`), the base of endpoint- chains and affinity- sets. */
export function endpointChainBase(spn: NftServicePort, protocol: string, ip: string, port: number): string {
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${protocol.toLowerCase()}/${spn.port}__${ip.replaceAll(':', '.')}/${port}`);
}

export const nftServiceChain = (spn: NftServicePort, protocol: string) => `service-${servicePortChainBase(spn, protocol)}`;
export const nftLocalChain = (spn: NftServicePort, protocol: string) => `local-${servicePortChainBase(spn, protocol)}`;
export const nftExternalChain = (spn: NftServicePort, protocol: string) => `external-${servicePortChainBase(spn, protocol)}`;
export const nftFirewallChain = (spn: NftServicePort, protocol: string) => `firewall-${servicePortChainBase(spn, protocol)}`;
export const nftEndpointChain = (spn: NftServicePort, protocol: string, ip: string, port: number) =>
  `endpoint-${endpointChainBase(spn, protocol, ip, port)}`;
export const nftAffinitySet = (spn: NftServicePort, protocol: string, ip: string, port: number) =>
  `affinity-${endpointChainBase(spn, protocol, ip, port)}`;

/** The name parts of one Service port. */
export function nftPortName(svc: { namespace: string; name: string }, port: { name?: string | undefined }): NftServicePort {
  return { namespace: svc.namespace, name: svc.name, port: port.name ?? '' };
}
