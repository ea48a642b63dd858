// The cluster's own objects: nodes with their pod CIDRs, namespaces with the name label, pods
// scheduled and addressed, ConfigMaps read for the hosts they name. Services and their endpoints
// are built on top of these (services/); analyze.ts runs the stages in order.
import { FieldReader, describe, isRecord } from '../manifests/fields';
import { DEFAULT_NAMESPACE, namespaceOf } from '../manifests/kinds';
import type { ManifestObject } from '../manifests/types';
import type { Diagnostic } from '../diagnostics';
import { addressAt, parseCidr, podAllocator, subnetAt, isIP, cidrContains, type HashAllocator } from './ipam';
import { MAX_PODS_PER_NODE, schedule } from './scheduling';
import type { PodBlueprint } from './workloads';
import { podId, type EnvValue, type SimConfigMap, type SimNamespace, type SimNode, type SimPod } from './model';
import { DEFAULT_NODES, isCidr, type ClusterSettings, type NodeSetting } from './settings';
import { milliCPU } from './quantity';
import type { IncrementalState } from '../incremental/state';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Whether the workspace declares its nodes (settings or kind: Node objects); if not, the default cluster is simulated. */
export function declaresNodes(objects: ManifestObject[], settings: ClusterSettings): boolean {
  return settings.nodes !== null || objects.some((o) => o.kind === 'Node');
}

/** The default cluster's N-th node (1-based): node-N at 10.0.1.10, .20, … (25 to a /24, then the next /24). */
export function defaultNode(n: number): NodeSetting {
  const known = DEFAULT_NODES[n - 1];
  if (known) return known;
  const block = Math.floor((n - 1) / 25);
  return { name: `node-${n}`, ip: `10.0.${1 + block}.${10 * ((n - 1) % 25) + 10}`, labels: {} };
}

/**
 * The nodes: kind: Node objects, else the settings' (or the default cluster's, `defaultCount` of
 * them: three unless the workspace needs more), each with its pod CIDR and the pods it can hold.
 */
export function buildNodes(
  objects: ManifestObject[],
  settings: ClusterSettings,
  diagnostics: Diagnostic[],
  defaultCount = DEFAULT_NODES.length,
): SimNode[] {
  const cluster = parseCidr(settings.podCIDR);
  const nodeObjects = objects.filter((o) => o.kind === 'Node');
  // node-N gets the N-th /24 (/64) as the controller-manager's default --node-cidr-mask-size does;
  // a cluster CIDR too small for that is cut finer, so node CIDRs always lie inside it.
  const count = settings.nodes?.length ?? (nodeObjects.length || defaultCount);
  // Never finer than one address: a /31 or /32 cluster CIDR asked for /33 node ranges and crashed.
  const mask = Math.min(
    cluster.family === 'ipv4' ? 32 : 128,
    Math.max(cluster.family === 'ipv4' ? 24 : 64, cluster.prefix + Math.ceil(Math.log2(count + 1))),
  );
  const cutCidr = (i: number) => subnetAt(cluster, mask, i + 1);
  const nodes: SimNode[] = [];
  if (settings.nodes === null && nodeObjects.length > 0) {
    nodeObjects.forEach((o, i) => {
      const r = new FieldReader(o, diagnostics);
      const addressList = r.list(['status', 'addresses']) ?? [];
      const addresses = addressList.filter(isRecord);
      const internal = addresses.find((a) => a['type'] === 'InternalIP' && typeof a['address'] === 'string' && isIP(a['address']));
      // An InternalIP that is not an address was silently replaced by a made-up one; say so where it is written.
      addressList.forEach((a, ai) => {
        if (
          isRecord(a) &&
          (a['type'] === 'InternalIP' || a['type'] === 'ExternalIP') &&
          !(typeof a['address'] === 'string' && isIP(a['address']))
        ) {
          r.invalid(
            ['status', 'addresses', ai, 'address'],
            `Node ${o.name}'s ${String(a['type'])} address must be an IP address such as 10.0.1.10, not ${describe(a['address'])}.`,
          );
        }
      });
      // spec.podCIDRs holds one range per family (the first is spec.podCIDR); a dual-stack node's IPv6 one routes its IPv6 pods.
      const podCIDRs = (r.list(['spec', 'podCIDRs']) ?? []).filter((c): c is string => typeof c === 'string' && isCidr(c));
      let podCIDR = r.str(['spec', 'podCIDR']) ?? podCIDRs[0];
      // Checked with ipaddr.js: a shape-only check let 10.244.1.0/99 through, and allocation then threw.
      if (podCIDR !== undefined && !isCidr(podCIDR)) {
        r.invalid(['spec', 'podCIDR'], `spec.podCIDR "${podCIDR}" is not a valid CIDR.`);
        podCIDR = undefined;
      }
      const node: SimNode = {
        name: o.name,
        ip: typeof internal?.['address'] === 'string' ? internal['address'] : addressAt(parseCidr('10.0.1.0/24'), BigInt(10 * (i + 1))),
        podCIDR: podCIDR ?? cutCidr(i),
        labels: r.labels(['metadata', 'labels']),
        origin: { kind: 'manifest', object: o },
      };
      // A dual-stack node reports an InternalIP of each family; the second family's is its IPv6 NodePort address.
      const internal6 = addresses.find(
        (a) => a['type'] === 'InternalIP' && typeof a['address'] === 'string' && isIP(a['address']) && a['address'].includes(':'),
      );
      if (typeof internal6?.['address'] === 'string' && internal6['address'] !== node.ip) node.ipv6 = internal6['address'];
      const podCIDRv6 = podCIDRs.find((c) => c.includes(':'));
      if (podCIDRv6 !== undefined && podCIDRv6 !== node.podCIDR) node.podCIDRv6 = podCIDRv6;
      // kubelet reports its --max-pods as status.allocatable.pods (a quantity, so often a string).
      const maxPods = podsQuantity(r.raw(['status', 'allocatable', 'pods'])) ?? podsQuantity(r.raw(['status', 'capacity', 'pods']));
      if (maxPods !== undefined) node.maxPods = maxPods;
      // What topology-aware hints weigh zones by (the controller reads status.allocatable.cpu).
      const cpu = milliCPU(r.raw(['status', 'allocatable', 'cpu']));
      if (cpu !== undefined) node.allocatableMilliCPU = cpu;
      nodes.push(node);
    });
  } else {
    const list = settings.nodes ?? Array.from({ length: defaultCount }, (_, i) => defaultNode(i + 1));
    list.forEach((n, i) => {
      const node: SimNode = { name: n.name, ip: n.ip, podCIDR: n.podCIDR ?? cutCidr(i), labels: n.labels, origin: { kind: 'implicit' } };
      if (n.ipv6) node.ipv6 = n.ipv6;
      if (n.podCIDRv6) node.podCIDRv6 = n.podCIDRv6;
      if (n.milliCPU !== undefined) node.allocatableMilliCPU = n.milliCPU;
      nodes.push(node);
    });
  }
  // Under host-local IPAM a node's pods take addresses of its own pod CIDR, so a small one holds
  // fewer than kubelet's 110; Calico's IPAM claims more /26 blocks from the pool as a node needs them.
  if (settings.cni !== 'calico')
    for (const n of nodes) {
      const usable = Number(podAllocator(n.podCIDR).capacity);
      if (usable < (n.maxPods ?? MAX_PODS_PER_NODE)) n.maxPods = usable;
    }
  if (settings.podCIDRv6) {
    const v6 = parseCidr(settings.podCIDRv6);
    const mask6 = Math.min(128, Math.max(64, v6.prefix + Math.ceil(Math.log2(nodes.length + 1))));
    nodes.forEach((n, i) => {
      if (n.podCIDRv6 === undefined && !n.podCIDR.includes(':')) n.podCIDRv6 = subnetAt(v6, mask6, i + 1);
      // A dual-stack node has an InternalIP of each family; one not given mirrors its IPv4 address.
      if (n.ipv6 === undefined && !n.ip.includes(':')) n.ipv6 = mirroredIPv6(n.ip);
    });
  }
  return nodes;
}

/**
 * The IPv6 InternalIP assumed for a dual-stack node whose own is not known: its IPv4 address's
 * octets as the groups of a unique local address (10.0.1.10 → fd00:10:0:1::10), so it reads as its pair.
 */
export function mirroredIPv6(ipv4: string): string {
  const [a, b, c, d] = ipv4.split('.');
  return `fd00:${a}:${b}:${c}::${d}`;
}

/** A pod count written as a Kubernetes quantity (`110`, `"110"`); undefined when it is not a whole number. */
function podsQuantity(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** A namespace the workspace uses without declaring it, labelled as the API server labels every namespace. */
export function implicitNamespace(name: string): SimNamespace {
  return { name, labels: { [NAMESPACE_NAME_LABEL]: name }, origin: { kind: 'implicit' } };
}

/** The namespaces: default and kube-system, and every kind: Namespace of the workspace. */
export function buildNamespaces(objects: ManifestObject[], diagnostics: Diagnostic[]): Map<string, SimNamespace> {
  const map = new Map<string, SimNamespace>();
  for (const name of [DEFAULT_NAMESPACE, 'kube-system']) map.set(name, implicitNamespace(name));
  for (const o of objects) {
    if (o.kind !== 'Namespace') continue;
    const r = new FieldReader(o, diagnostics);
    // The API server sets the name label on every namespace (since 1.21); users cannot override it.
    map.set(o.name, {
      name: o.name,
      labels: { ...r.labels(['metadata', 'labels']), [NAMESPACE_NAME_LABEL]: o.name },
      origin: { kind: 'manifest', object: o },
    });
  }
  return map;
}

/**
 * Schedules the pods and gives each its addresses from its node's pod CIDR (live addresses of a snapshot kept).
 * With `incremental`, a blueprint kept from the previous analysis (workloads.ts) that lands on the same
 * node with the same addresses becomes the same pod object as then (cluster/stable.ts then has nothing to compare).
 */
export function placePods(
  blueprints: PodBlueprint[],
  nodes: SimNode[],
  diagnostics: Diagnostic[],
  incremental?: IncrementalState,
): SimPod[] {
  const placements = schedule(blueprints, nodes, diagnostics);
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const allocators = new Map<string, HashAllocator>();
  const allocators6 = new Map<string, HashAllocator>();
  for (const n of nodes) {
    allocators.set(n.name, podAllocator(n.podCIDR));
    if (n.podCIDRv6) allocators6.set(n.name, podAllocator(n.podCIDRv6));
  }
  // Where each pod lands, decided before any pod is made.
  const count = placements.length;
  const node: Array<string | undefined> = new Array<string | undefined>(count);
  const pending: Array<string | undefined> = new Array<string | undefined>(count);
  const ip: Array<string | undefined> = new Array<string | undefined>(count);
  const ipv6: Array<string | undefined> = new Array<string | undefined>(count);
  for (let i = 0; i < count; i++) {
    const p = placements[i] as (typeof placements)[number];
    node[i] = p.node;
    pending[i] = p.pending;
  }
  // Live addresses from a cluster dump are kept as they are; they are reserved before any allocation.
  placements.forEach(({ blueprint }, i) => {
    if (!blueprint.liveIP || !isIP(blueprint.liveIP)) return;
    ip[i] = blueprint.liveIP;
    for (const [name, alloc] of allocators)
      if (cidrContains(alloc.cidr.text, blueprint.liveIP)) {
        alloc.reserve(blueprint.liveIP);
        if (node[i] === undefined) {
          node[i] = name;
          pending[i] = undefined;
        }
      }
  });
  // Each node's allocator takes its pods in id order (no address depends on another node's pods):
  // sorted per node, a few dozen each, not all pods at once.
  const byNode = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const on = node[i];
    if (on === undefined || ip[i] !== undefined) continue;
    const n = nodeByName.get(on);
    if (!n) continue;
    if ((placements[i] as (typeof placements)[number]).blueprint.hostNetwork) {
      ip[i] = n.ip;
      // A host-network pod's podIPs are its node's InternalIPs, of each family the node has.
      if (n.ipv6) ipv6[i] = n.ipv6;
      continue;
    }
    const list = byNode.get(n.name);
    if (list) list.push(i);
    else byNode.set(n.name, [i]);
  }
  const addresses = incremental?.slot('node-addresses', () => ({ byNode: new Map<string, NodeAddresses>() }));
  const nextAddresses = new Map<string, NodeAddresses>();
  for (const [name, list] of byNode) {
    const ids = list.map((i) => podId((placements[i] as (typeof placements)[number]).blueprint));
    const order = list.map((_, k) => k).sort((a, b) => compareText(ids[a] as string, ids[b] as string));
    const v4 = allocators.get(name);
    const v6 = allocators6.get(name);
    const sortedIds = order.map((k) => ids[k] as string);
    // A node's addresses follow from its ranges and its pods' ids in order (nothing reserved): the
    // previous analysis's, when those are the same, without hashing every pod again.
    const fresh = (v4?.used ?? 0) === 0 && (v6?.used ?? 0) === 0;
    const known = fresh ? addresses?.byNode.get(name) : undefined;
    const same =
      known !== undefined &&
      known.cidr === v4?.cidr.text &&
      known.cidr6 === v6?.cidr.text &&
      known.ids.length === sortedIds.length &&
      known.ids.every((id, k) => id === sortedIds[k]);
    const made: NodeAddresses = same ? known : { cidr: v4?.cidr.text, cidr6: v6?.cidr.text, ids: sortedIds, v4: [], v6: [] };
    order.forEach((k, n) => {
      const i = list[k] as number;
      const id = ids[k] as string;
      if (!same) {
        made.v4.push(v4?.allocate(id));
        made.v6.push(v6?.allocate(id));
      }
      ip[i] = made.v4[n];
      const six = made.v6[n];
      if (six) ipv6[i] = six;
    });
    if (fresh) nextAddresses.set(name, made);
  }
  if (addresses) addresses.byNode = nextAddresses;
  const kept = incremental?.slot('pods-by-blueprint', () => new WeakMap<PodBlueprint, SimPod>());
  return placements.map(({ blueprint }, i) => {
    const old = kept?.get(blueprint);
    if (old && old.node === node[i] && old.ip === ip[i] && old.ipv6 === ipv6[i] && old.pending === pending[i]) return old;
    // The fields in the order the pod has always had them: the blueprint's, node, ip, then pending and ipv6.
    const pod = podOf(blueprint, node[i]);
    const why = pending[i];
    if (why !== undefined) pod.pending = why;
    pod.ip = ip[i];
    const v6 = ipv6[i];
    if (v6 !== undefined) pod.ipv6 = v6;
    kept?.set(blueprint, pod);
    return pod;
  });
}

/** The addresses one node's pods were given, in id order, from these ranges. */
interface NodeAddresses {
  cidr: string | undefined;
  cidr6: string | undefined;
  ids: string[];
  v4: Array<string | undefined>;
  v6: Array<string | undefined>;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Blueprint fields that are scheduling input, not part of the pod. */
const SCHEDULING_ONLY = new Set<string>(['nodeName', 'nodeSelector', 'perNode', 'replicaIndex', 'liveIP']);

/**
 * The pod a blueprint becomes: its fields in order, less the scheduling inputs, then node and ip.
 * (An object rest pattern excluding those keys did the same, 10-20 times slower: ~30 ms for 6,000 pods.)
 */
function podOf(blueprint: PodBlueprint, node: string | undefined): SimPod {
  const pod: Record<string, unknown> = {};
  for (const key in blueprint) if (!SCHEDULING_ONLY.has(key)) pod[key] = blueprint[key as keyof PodBlueprint];
  pod['node'] = node;
  pod['ip'] = undefined;
  return pod as unknown as SimPod;
}

/** ConfigMap values are texts that may name hosts, like env values. */
export function readConfigMaps(objects: ManifestObject[], diagnostics: Diagnostic[]): SimConfigMap[] {
  const out: SimConfigMap[] = [];
  for (const o of objects) {
    if (o.kind !== 'ConfigMap') continue;
    const r = new FieldReader(o, diagnostics);
    const data = r.map(['data']) ?? {};
    const texts: EnvValue[] = [];
    const origin = { kind: 'manifest' as const, object: o };
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string') texts.push({ value, path: ['data', key], origin, label: `ConfigMap ${o.name} key ${key}` });
      // Never stringify a nested value: an alias bomb below the alias limit would expand here.
      else if (typeof value === 'object' && value !== null)
        r.invalid(['data', key], 'ConfigMap data values must be strings, not a list or mapping; write it as a block scalar (`key: |`).');
      else r.invalid(['data', key], `ConfigMap data values must be strings; quote ${String(value)} ("${String(value)}").`);
    }
    out.push({ namespace: namespaceOf(o) ?? DEFAULT_NAMESPACE, name: o.name, texts, origin });
  }
  return out;
}
