// The workload connectivity list (netpol-analyzer's "connlist"): for every ordered pair of
// workloads, and between workloads and the address ranges outside the cluster, the connections
// the policy layers allow. Computed on pod classes (matrixClasses.ts) with port sets kept as ranges
// (connset.ts), so its cost follows the policies, not the number of pods or ports. Classes that
// only NetworkPolicy governs take the shortcut below (what each rule admits, per peer class);
// classes a cluster-wide policy selects are asked of the engine's layered evaluation pair by pair.
import { ConnSet } from './connset';
import { formatRange, splitAtBoundaries, rangesCover, type Family, type IpRange } from './ipRanges';
import { ingressExposures } from '../ingress/backends';
import type { GatewayModel } from '../gateway/model';
import { gatewayEntryName, gatewayExposures } from './gatewayExposures';
import { workloadId } from '../cluster/model';
import type { PolicyEngine } from './engine';
import type { Direction, PolicyRule, SimNetworkPolicy } from './parse';
import { ClassIndex, podClasses, type PodClass } from './matrixClasses';
import { type PolicyEndpoint } from './types';

export interface MatrixEntry {
  /** `ns/name[Kind]`, `a.b.c.d-w.x.y.z[External]`, `{ingress-controller}` or `{gateway/ns/name}`. */
  src: string;
  dst: string;
  conn: ConnSet;
  /** Of `conn`, the connections Cilium's proxy checks request by request (L7 HTTP rules). */
  http?: ConnSet;
}

/** `TCP 80 (HTTP rules)`: the connections, with those an L7 proxy filters marked. */
export function connText(e: Pick<MatrixEntry, 'conn' | 'http'>): string {
  if (!e.http || e.http.isEmpty()) return e.conn.toString();
  const l4 = e.conn.subtract(e.http);
  return `${l4.isEmpty() ? '' : `${l4.toString()},`}${e.http.toString()} (HTTP rules)`;
}

export interface ConnectivityList {
  entries: MatrixEntry[];
  stats: { pods: number; classes: number; workloads: number; policies: number };
}

export interface MatrixOptions {
  /** Add `{ingress-controller}` lines for what Ingress objects expose (default true). */
  ingressController?: boolean;
  /** Add `{gateway/NS/NAME}` lines for what each Gateway's routes expose (after NetworkPolicy on its data plane's hop). */
  gateways?: GatewayModel;
  /** The fewest classes a peer matches for them to be shared as a peer group (default 64; tests lower it to try that path on small clusters). */
  peerGroupMin?: number;
  /**
   * Also list IPv6 ranges outside the cluster when a rule names one (default false). The connectivity
   * list mirrors netpol-analyzer, which analyses IPv4 only: it ignores IPv6 `networks` of
   * (Baseline)AdminNetworkPolicy rules with a warning and prints IPv4 ranges only. The engine itself
   * follows the API and decides IPv6 traffic like any other; only this list leaves it out.
   */
  ipv6?: boolean;
}

export const INGRESS_CONTROLLER = '{ingress-controller}';

/** What the policies isolating one class admit, for one direction. */
interface Side {
  isolated: boolean;
  /** Admitted towards/from every peer (rules without peers). */
  base: ConnSet;
  perClass: Map<number, ConnSet>;
  /**
   * Peers matching many classes with one port set (a rule admitting every namespace): the classes
   * are shared with every other side naming the same peer, instead of one perClass entry each.
   * 800 namespaces' copies of such a rule filled 25 million perClass entries at 96,000 pods.
   */
  groups: PeerGroup[];
  perRange: ConnSet[];
}

interface PeerGroup {
  /** Indexed by class: 1 for a member. Shared by every side whose peer matched the same classes. */
  members: Uint8Array;
  conn: ConnSet;
}

/** A peer matching at least this many classes becomes a PeerGroup (below it, perClass entries cost less). */
const GROUP_MIN = 64;

interface SideContext {
  engine: PolicyEngine;
  index: ClassIndex;
  classes: readonly PodClass[];
  groupMin: number;
}

const OPEN: Side = { isolated: false, base: ConnSet.ALL, perClass: new Map(), groups: [], perRange: [] };

/** What an isolated side admits towards/from class `i`: its peerless rules, the rules naming `i`, the groups holding `i`. */
function admitted(side: Side, i: number): ConnSet {
  let conn = side.base.union(side.perClass.get(i) ?? ConnSet.NONE);
  for (const g of side.groups) if (g.members[i] === 1) conn = conn.union(g.conn);
  return conn;
}

function rangeName(r: IpRange): string {
  return `${formatRange(r)}[External]`;
}

function add(map: Map<number, ConnSet>, key: number, conn: ConnSet): void {
  const prev = map.get(key);
  map.set(key, prev ? prev.union(conn) : conn);
}

/** True when a rule's admitted ports do not depend on the destination (no named ports). */
function portsAreStatic(rule: PolicyRule): boolean {
  return rule.ports === null || rule.ports.every((p) => typeof p.port !== 'string');
}

/**
 * The address ranges outside the cluster as one direction's ipBlocks (and, for egress, the
 * cluster-wide policies' networks) cut them (ingress rules cut the sources, egress rules the
 * destinations), per family; IPv6 appears when the cluster is dual-stack, or when asked for and a rule names it.
 */
function externalRanges(engine: PolicyEngine, direction: Direction, ipv6: boolean): IpRange[] {
  const blocks: IpRange[] = [];
  for (const p of engine.policies)
    for (const r of p.rules[direction]) for (const peer of r.peers ?? []) if (peer.kind === 'ipBlock') blocks.push(...peer.ranges);
  for (const tier of [engine.tiers.tiers.admin, engine.tiers.tiers.baseline])
    for (const p of tier)
      for (const r of p.rules[direction]) for (const peer of r.peers) if (peer.kind === 'networks') blocks.push(...peer.ranges);
  if (engine.cni) blocks.push(...engine.cni.externalRanges(direction));
  // A dual-stack cluster's pods reach (and are reached from) IPv6 addresses too, whether or not a rule names one;
  // a single-stack one lists IPv6 only when asked (netpol-analyzer, which the list mirrors, analyses IPv4 only).
  const dualStack = engine.cluster.settings.podCIDRv6 !== undefined;
  const families: Family[] = dualStack || (ipv6 && blocks.some((b) => b.family === 'ipv6')) ? ['ipv4', 'ipv6'] : ['ipv4'];
  return families.flatMap((f) => splitAtBoundaries(f, blocks));
}

/** Whether a class decides a direction through the first-match layers (a cluster-wide policy selects it), so the NetworkPolicy shortcut does not apply. */
function layered(engine: PolicyEngine, c: PodClass, direction: Direction): boolean {
  return c.ep.kind === 'pod' && engine.firstMatchLayers(c.rep, direction);
}

/** Whether some pod of one class and the other (an address of a node) are a pod and its own node. */
function classNodeLocal(s: PodClass, d: PodClass): boolean {
  const [address, pods] =
    s.ep.kind === 'ip' && d.ep.kind === 'pod' ? [s.ep.ip, d] : d.ep.kind === 'ip' && s.ep.kind === 'pod' ? [d.ep.ip, s] : [];
  if (address === undefined || !pods) return false;
  for (const nodes of pods.nodeAddresses.values()) if (nodes.has(address)) return true;
  return false;
}

/** The same for one workload of each class: some pod of the pod side's workload runs on the address side's node. */
function workloadsNodeLocal(s: PodClass, ws: string, d: PodClass, wd: string): boolean {
  if (s.ep.kind === 'ip' && s.ep.ip !== undefined) return d.nodeAddresses.get(wd)?.has(s.ep.ip) ?? false;
  if (d.ep.kind === 'ip' && d.ep.ip !== undefined) return s.nodeAddresses.get(ws)?.has(d.ep.ip) ?? false;
  return false;
}

/**
 * Computes the connectivity list of the workspace's workloads (implicit objects such as CoreDNS left
 * out, and Pending pods, which neither send nor receive).
 */
export function connectivityList(engine: PolicyEngine, options: MatrixOptions = {}): ConnectivityList {
  const pods = engine.cluster.pods.filter((p) => p.origin.kind === 'manifest' && p.pending === undefined);
  const classes = podClasses(engine, pods);
  const index = new ClassIndex(engine, classes);
  const ipv6 = options.ipv6 === true;
  const ranges: Record<Direction, IpRange[]> = {
    ingress: externalRanges(engine, 'ingress', ipv6),
    egress: externalRanges(engine, 'egress', ipv6),
  };
  const ctx: SideContext = { engine, index, classes, groupMin: options.peerGroupMin ?? GROUP_MIN };
  const rangeNames = { ingress: ranges.ingress.map(rangeName), egress: ranges.egress.map(rangeName) };
  const sides: Record<Direction, Side[]> = {
    egress: classes.map((c) => side(ctx, c, 'egress', ranges.egress)),
    ingress: classes.map((c) => side(ctx, c, 'ingress', ranges.ingress)),
  };

  const result = new Map<string, Map<string, ConnSet>>();
  const record = (src: string, dst: string, conn: ConnSet) => {
    if (src === dst || conn.isEmpty()) return;
    let row = result.get(src);
    if (!row) result.set(src, (row = new Map<string, ConnSet>()));
    const prev = row.get(dst);
    row.set(dst, prev ? prev.union(conn) : conn);
  };
  const http = new Map<string, ConnSet>();
  const recordHttp = (src: string, dst: string, conn: ConnSet) => {
    if (src === dst) return;
    const key = `${src}\u0000${dst}`;
    http.set(key, (http.get(key) ?? ConnSet.NONE).union(conn));
  };
  const recordClasses = (s: PodClass, d: PodClass, conn: ConnSet) => {
    for (const ws of s.workloads) for (const wd of d.workloads) record(ws, wd, conn);
  };

  const all = classes.map((c) => c.index);
  const viaLayers: Record<Direction, boolean[]> = {
    egress: classes.map((c) => layered(engine, c, 'egress')),
    ingress: classes.map((c) => layered(engine, c, 'ingress')),
  };
  const addresses = classes.filter((c) => c.ep.kind === 'ip');
  const reaching = egressReach(classes, sides.egress, viaLayers.egress);
  const rangeEp = (r: IpRange): PolicyEndpoint => ({ kind: 'ip', ip: undefined, range: r });
  for (const d of classes) {
    const ing = sides.ingress[d.index] ?? OPEN;
    const ingLayered = viaLayers.ingress[d.index] === true;
    // An isolated destination is reached only from the classes its rules name (and its own node); an open one from anyone.
    // An open pod class only from the classes whose egress can reach it: trying every class there
    // made the matrix quadratic in the workloads (32,000 classes, a billion pairs).
    const sources =
      !ingLayered && ing.isolated && ing.base.isEmpty()
        ? namedSources(
            ing,
            reaching(d.index),
            addresses.filter((a) => classNodeLocal(a, d)),
          )
        : d.ep.kind === 'pod'
          ? reaching(d.index)
          : all; // an address class is also reached by its node's pods, whatever their egress policies
    for (const si of sources) {
      const s = classes[si] as PodClass;
      if (s === d && s.workloads.length < 2) continue; // a workload's pods among themselves are not listed
      const conn = (local: boolean): ConnSet => {
        const eg = sides.egress[si] ?? OPEN;
        const e = viaLayers.egress[si]
          ? engine.directionConnections('egress', s.ep, d.ep, d.ep, local)
          : eg.isolated && !local
            ? admitted(eg, d.index)
            : ConnSet.ALL;
        if (e.isEmpty()) return e;
        const i = ingLayered
          ? engine.directionConnections('ingress', d.ep, s.ep, d.ep, local)
          : ing.isolated && !local
            ? admitted(ing, si)
            : ConnSet.ALL;
        return e.intersect(i);
      };
      const far = conn(false);
      if (engine.cni && !far.isEmpty() && (viaLayers.egress[si] || ingLayered)) {
        const l7 = engine
          .l7Connections('egress', s.ep, d.ep, d.ep)
          .union(engine.l7Connections('ingress', d.ep, s.ep, d.ep))
          .intersect(far);
        if (!l7.isEmpty()) for (const ws of s.workloads) for (const wd of d.workloads) recordHttp(ws, wd, l7);
      }
      if (!classNodeLocal(s, d)) {
        recordClasses(s, d, far);
        continue;
      }
      // A hostNetwork pod (its node's address) and pods on that node: their pairs get NetworkPolicy's node exception.
      const near = conn(true);
      for (const ws of s.workloads) for (const wd of d.workloads) record(ws, wd, workloadsNodeLocal(s, ws, d, wd) ? near : far);
    }
    rangeNames.ingress.forEach((name, k) => {
      const range = ranges.ingress[k] as IpRange;
      const conn = ingLayered
        ? engine.directionConnections('ingress', d.ep, rangeEp(range), d.ep)
        : ing.isolated
          ? ing.base.union(ing.perRange[k] ?? ConnSet.NONE)
          : ConnSet.ALL;
      for (const w of d.workloads) record(name, w, conn);
    });
  }
  for (const s of classes) {
    const eg = sides.egress[s.index] ?? OPEN;
    const egLayered = viaLayers.egress[s.index] === true;
    rangeNames.egress.forEach((name, k) => {
      const range = ranges.egress[k] as IpRange;
      const conn = egLayered
        ? engine.directionConnections('egress', s.ep, rangeEp(range), rangeEp(range))
        : eg.isolated
          ? eg.base.union(eg.perRange[k] ?? ConnSet.NONE)
          : ConnSet.ALL;
      for (const w of s.workloads) record(w, name, conn);
    });
  }
  if (options.ingressController !== false) {
    for (const e of ingressExposures(engine.cluster)) {
      if (e.pod.origin.kind !== 'manifest') continue;
      record(INGRESS_CONTROLLER, workloadId(e.pod.workload), ConnSet.ports(e.protocol, e.port).intersect(engine.ingressFromAnyPod(e.pod)));
    }
  }
  if (options.gateways) {
    for (const e of gatewayExposures(options.gateways)) {
      const ports = ConnSet.ports(e.protocol, e.port);
      const allowed =
        e.dataPlane.length === 0
          ? engine.ingressFromAnyPod(e.pod)
          : e.dataPlane.reduce(
              (acc, dp) => acc.union(engine.allowedConnections({ kind: 'pod', pod: dp }, { kind: 'pod', pod: e.pod })),
              ConnSet.NONE,
            );
      record(gatewayEntryName(e.gateway), workloadId(e.pod.workload), ports.intersect(allowed));
    }
  }

  const entries: MatrixEntry[] = [];
  for (const [src, row] of result)
    for (const [dst, conn] of row) {
      const l7 = http.get(`${src}\u0000${dst}`)?.intersect(conn);
      entries.push(l7 && !l7.isEmpty() ? { src, dst, conn, http: l7 } : { src, dst, conn });
    }
  entries.sort((a, b) => compare(a.src, b.src) || compare(a.dst, b.dst));
  const workloads = new Set(pods.map((p) => workloadId(p.workload))).size;
  const policies =
    engine.policies.length + engine.tiers.tiers.admin.length + engine.tiers.tiers.baseline.length + (engine.cni?.refs.length ?? 0);
  return { entries, stats: { pods: pods.length, classes: classes.length, workloads, policies } };
}

/**
 * The sources an isolated destination's rules name that can also send to it, with the address
 * classes of its own node. A rule admitting every namespace names every class; walking the
 * shorter of the two lists keeps that linear. The order is irrelevant: pairs merge by union.
 */
function namedSources(ing: Side, reaching: number[], local: PodClass[]): number[] {
  const named =
    ing.groups.length > 0
      ? reaching.filter((i) => ing.perClass.has(i) || ing.groups.some((g) => g.members[i] === 1))
      : reaching.length < ing.perClass.size
        ? reaching.filter((i) => ing.perClass.has(i))
        : [...ing.perClass.keys()];
  return [...new Set([...named, ...local.map((a) => a.index)])];
}

/**
 * The classes that may send to class `d` at all, ascending: those egress policies do not isolate
 * (or isolate with a rule for every peer), the layered ones, the address classes (a node's own
 * exception), and the isolated ones whose rules name `d`. Any other class's egress admits
 * nothing towards `d`, so its pair would be empty and is not listed. A class with peer groups
 * counts as reaching everywhere: trying a pair its rules do not admit only finds it empty.
 */
function egressReach(classes: readonly PodClass[], egress: Side[], layers: boolean[]): (d: number) => number[] {
  const everywhere: number[] = [];
  const towards = new Map<number, number[]>();
  for (const c of classes) {
    const eg = egress[c.index] ?? OPEN;
    if (layers[c.index] === true || c.ep.kind !== 'pod' || !eg.isolated || !eg.base.isEmpty() || eg.groups.length > 0)
      everywhere.push(c.index);
    else
      for (const d of eg.perClass.keys()) {
        const list = towards.get(d) ?? [];
        list.push(c.index);
        towards.set(d, list);
      }
  }
  return (d) => {
    const named = towards.get(d) ?? [];
    // Both lists ascend (classes are visited in index order); merged, the sources keep the order of trying them all.
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < everywhere.length || j < named.length) {
      const a = everywhere[i] ?? Infinity;
      const b = named[j] ?? Infinity;
      if (a <= b) {
        out.push(a);
        i++;
      } else {
        out.push(b);
        j++;
      }
    }
    return out;
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What the policies isolating class `c` admit in one direction, per peer class and per address range. */
function side(ctx: SideContext, c: PodClass, direction: Direction, ranges: IpRange[]): Side {
  const { engine } = ctx;
  if (c.ep.kind !== 'pod') return OPEN;
  const policies = engine.policiesSelecting(c.rep)[direction];
  if (policies.length === 0) return OPEN;
  const out: Side = { isolated: true, base: ConnSet.NONE, perClass: new Map(), groups: [], perRange: ranges.map(() => ConnSet.NONE) };
  for (const policy of policies) for (const rule of policy.rules[direction]) addRule(ctx, c, direction, policy, rule, ranges, out);
  return out;
}

function addRule(
  { engine, index, classes, groupMin }: SideContext,
  c: PodClass,
  direction: Direction,
  policy: SimNetworkPolicy,
  rule: PolicyRule,
  ranges: IpRange[],
  out: Side,
): void {
  const address: PolicyEndpoint = { kind: 'ip', ip: undefined };
  // Ingress ports resolve against the selected pod itself; egress ports against each destination.
  const fixed =
    direction === 'ingress' || portsAreStatic(rule) ? engine.ruleConnections(rule, direction === 'ingress' ? c.ep : address) : undefined;
  const towards = (d: PodClass) => fixed ?? engine.ruleConnections(rule, d.ep);
  if (rule.peers === null) {
    out.base = out.base.union(fixed ?? engine.ruleConnections(rule, address));
    if (!fixed) for (const d of classes) add(out.perClass, d.index, towards(d));
    return;
  }
  for (const peer of rule.peers) {
    const matched = index.match(policy, peer);
    if (fixed && matched.length >= groupMin) {
      const members = index.membership(matched);
      const same = out.groups.find((g) => g.members === members);
      if (same) same.conn = same.conn.union(fixed);
      else out.groups.push({ members, conn: fixed });
    } else for (const i of matched) add(out.perClass, i, towards(classes[i] as PodClass));
    if (peer.kind !== 'ipBlock') continue;
    const conn = fixed ?? engine.ruleConnections(rule, address);
    ranges.forEach((r, k) => {
      if (rangesCover(peer.ranges, r)) out.perRange[k] = (out.perRange[k] ?? ConnSet.NONE).union(conn);
    });
  }
}
