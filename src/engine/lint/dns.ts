// DNS under egress isolation: an egress rule written to allow DNS that admits no CoreDNS pod (a
// pod label under namespaceSelector, the wrong k8s-app, no namespaceSelector, the kube-dns
// ClusterIP as an ipBlock) or only one of UDP and TCP 53 (policy-dns-rule-matches-nothing); and the
// quick fix "add a correct DNS egress rule" on policy-blocks-dns, which networkPolicyChecks.ts reports.
import { makeDiagnostic, withFix, type Diagnostic, type Fix } from '../diagnostics';
import { resourceName } from '../manifests/fields';
import { labelsText, selectorText } from '../cluster/labels';
import { matchesSelector } from '../cluster/selectorCache';
import { rangesContain } from '../policy/ipRanges';
import type { Protocol, SimPod } from '../cluster/model';
import type { PolicyRule, SimNetworkPolicy } from '../policy/engine';
import type { FieldPath } from '../source';
import { beforeAfter, engineAfter, type Pair } from './afterFix';
import { workloadsText, type LintContext } from './context';
import { indent, type SourceText } from './yamlEdit';
import { type ManifestObject } from '../manifests/types';

interface DnsTarget {
  pod: SimPod;
  port: number;
}

/** A correct DNS egress rule as block YAML, its "-" indented by `dash` spaces. */
export function dnsRuleLines(dash: number): string[] {
  return indent(dash, [
    '- to:',
    '    - namespaceSelector:',
    '        matchLabels:',
    '          kubernetes.io/metadata.name: kube-system',
    '      podSelector:',
    '        matchLabels:',
    '          k8s-app: kube-dns',
    '  ports:',
    '    - protocol: UDP',
    '      port: 53',
    '    - protocol: TCP',
    '      port: 53',
  ]);
}

const DNS_PORT_NAMES = new Set(['dns', 'dns-tcp', 'domain']);

/** Whether the pod's resolver asks cluster DNS first (its dnsPolicy, or dnsPolicy None naming kube-dns first). */
function usesClusterDns(ctx: LintContext, pod: SimPod): boolean {
  return ctx.dns.resolverFor(pod).clusterDns;
}

export function lintDns(ctx: LintContext): void {
  const svc = ctx.kubeDns();
  if (!svc || ctx.coreDnsPods().length === 0) return;
  const byId = new Map(ctx.coreDnsPods().map((p) => [`${p.namespace}/${p.name}`, p]));
  const targets = (protocol: Protocol): DnsTarget[] =>
    svc.ports
      .flatMap((sp, i) => (sp.port === 53 && sp.protocol === protocol ? (svc.endpointsByPort[i] ?? []) : []))
      .flatMap((e) => {
        const pod = byId.get(e.pod);
        return pod ? [{ pod, port: e.port }] : [];
      });
  const dns: Record<'UDP' | 'TCP', DnsTarget[]> = { UDP: targets('UDP'), TCP: targets('TCP') };
  const withRuleReport = new Set<SimNetworkPolicy>();
  for (const policy of ctx.engine.policies) {
    if (policy.origin.kind !== 'manifest' || !policy.affects.egress) continue;
    const clients = ctx.selectedReps(policy).filter((p) => usesClusterDns(ctx, p));
    if (clients.length === 0) continue;
    for (const rule of policy.rules.egress) if (checkRule(ctx, policy, rule, clients, dns)) withRuleReport.add(policy);
  }
  for (const d of ctx.diagnostics) if (d.code === 'policy-blocks-dns') enrichBlocksDns(ctx, d, dns, withRuleReport);
}

/** Whether the rule is meant to allow DNS: port 53 (or a DNS port name), or selectors naming kube-dns. */
function dnsIntent(ctx: LintContext, rule: PolicyRule): boolean {
  if (rule.ports?.some((p) => p.port === 53 || (typeof p.port === 'string' && DNS_PORT_NAMES.has(p.port)))) return true;
  const dnsIP = ctx.kubeDns()?.clusterIP;
  return (rule.peers ?? []).some((peer) => {
    if (peer.kind === 'ipBlock') return dnsIP !== undefined && rangesContain(peer.ranges, dnsIP);
    if (peer.kind !== 'selector') return false;
    const values = [...Object.values(peer.podSelector?.matchLabels ?? {}), ...Object.values(peer.namespaceSelector?.matchLabels ?? {})];
    return values.some((v) => /(^|-)(kube-dns|coredns)$/.test(v));
  });
}

/** Reports a DNS rule that does not admit CoreDNS on UDP and TCP 53; returns whether it did. */
function checkRule(
  ctx: LintContext,
  policy: SimNetworkPolicy,
  rule: PolicyRule,
  clients: SimPod[],
  dns: Record<'UDP' | 'TCP', DnsTarget[]>,
): boolean {
  if (!dnsIntent(ctx, rule)) return false;
  const e = ctx.engine;
  const admits = (protocol: 'UDP' | 'TCP') =>
    dns[protocol].some((t) => {
      const ep = ctx.ep(t.pod);
      return e.matchingPeer(policy, rule, ep) !== undefined && e.portsAdmit(rule, ep, t.port, protocol);
    });
  const udp = dns.UDP.length === 0 || admits('UDP');
  const tcp = dns.TCP.length === 0 || admits('TCP');
  if (udp && tcp) return false;
  // A rule towards the workspace's own DNS server (a pod serving port 53) is not meant for CoreDNS.
  const servers = ctx.memo('dns-servers', () =>
    ctx.representatives().filter((p) => p.containers.some((c) => c.ports.some((cp) => cp.containerPort === 53))),
  );
  if (servers.some((p) => e.matchingPeer(policy, rule, ctx.ep(p)) !== undefined)) return false;
  // Only what fails in the simulation: when another rule already lets these pods resolve, this one is merely redundant.
  const resolves = (pod: SimPod, protocol: 'UDP' | 'TCP') =>
    dns[protocol].length === 0 || dns[protocol].some((t) => e.allows({ kind: 'pod', pod }, { kind: 'pod', pod: t.pod }, t.port, protocol));
  const failing = clients.filter((c) => !resolves(c, 'UDP') || !resolves(c, 'TCP'));
  const client = failing[0];
  if (!client || policy.origin.kind !== 'manifest') return false;
  const object = policy.origin.object;
  const peerMatches =
    rule.peers === null || ctx.coreDnsPods().some((p) => e.matchingPeer(policy, rule, e.endpointOf({ kind: 'pod', pod: p })) !== undefined);
  const diagnosis = peerMatches ? portsProblem(udp, tcp, rule) : peerProblem(ctx, policy, rule);
  ctx.claim(policy, rule.path);
  const src = ctx.source(object.file);
  const fix = src ? dnsRuleFix(src, object, rule, diagnosis.kind, udp) : undefined;
  const protocol = udp ? ('TCP' as const) : ('UDP' as const);
  const target = dns[protocol][0];
  const at = object.locate(diagnosis.path);
  let example = '';
  let related: Diagnostic['related'];
  let offered: Fix | undefined;
  if (fix && target) {
    const after = engineAfter(ctx, fix);
    const change = after ? beforeAfter(ctx, after, { src: client, dst: target.pod, port: target.port, protocol }, at) : undefined;
    if (change) {
      example = change.sentence;
      related = change.related;
      offered = fix;
    }
  }
  const consequence = !udp
    ? `name lookups from ${workloadsText(failing)} fail`
    : `lookups from ${workloadsText(failing)} whose answers do not fit in UDP (truncated, retried over TCP) fail`;
  const d = makeDiagnostic(
    'policy-dns-rule-matches-nothing',
    at,
    {
      policy: `${policy.namespace}/${policy.name}`,
      why: diagnosis.why,
      consequence,
      todo: diagnosis.todo,
      example,
      pod: `${client.namespace}/${client.name}`,
    },
    resourceName({ kind: 'NetworkPolicy', namespace: policy.namespace, name: policy.name }),
    related,
  );
  ctx.report(withFix(d, offered));
  return true;
}

type Diagnosis = { kind: 'peer' | 'udp' | 'tcp' | 'ports'; why: string; todo: string; path: FieldPath };

const CORRECT =
  'Allow DNS with one peer, namespaceSelector kubernetes.io/metadata.name=kube-system and podSelector k8s-app=kube-dns, on UDP and TCP 53.';

function portsProblem(udp: boolean, tcp: boolean, rule: PolicyRule): Diagnosis {
  const path = [...rule.path, 'ports'];
  if (udp) return { kind: 'tcp', why: 'admits UDP 53 but not TCP 53', todo: 'Add TCP 53 to its ports.', path };
  if (tcp) return { kind: 'udp', why: 'admits TCP 53 but not UDP 53, which lookups use first', todo: 'Add UDP 53 to its ports.', path };
  return { kind: 'ports', why: 'does not admit port 53 to the CoreDNS pods', todo: CORRECT, path };
}

/** Why no peer of the rule matches a CoreDNS pod, at the selector or block at fault. */
function peerProblem(ctx: LintContext, policy: SimNetworkPolicy, rule: PolicyRule): Diagnosis {
  const coredns = ctx.coreDnsPods()[0];
  const system = ctx.cluster.namespaces.get('kube-system')?.labels ?? {};
  const podLabels = coredns?.labels ?? {};
  for (const peer of rule.peers ?? []) {
    if (peer.kind === 'ipBlock') {
      const dnsIP = ctx.kubeDns()?.clusterIP;
      const isVip = dnsIP !== undefined && rangesContain(peer.ranges, dnsIP);
      const why = isVip
        ? `allows ipBlock ${peer.cidr}, the kube-dns Service address, but NetworkPolicy sees DNS traffic after kube-proxy's DNAT, addressed to the CoreDNS pods`
        : `allows ipBlock ${peer.cidr}, which holds no CoreDNS pod address (and this simulation never matches pod addresses by ipBlock)`;
      return { kind: 'peer', why, todo: CORRECT, path: [...peer.path, 'cidr'] };
    }
    if (peer.kind !== 'selector') continue;
    const ns = peer.namespaceSelector;
    if (ns && !matchesSelector(ns, system)) {
      const podKeys = Object.keys(ns.matchLabels).filter((k) => k in podLabels);
      const why =
        podKeys.length > 0
          ? `puts the pod label ${podKeys.map((k) => `${k}=${ns.matchLabels[k]}`).join(',')} under namespaceSelector, and namespaces do not carry pod labels`
          : `has a namespaceSelector (${selectorText(ns)}) that does not select namespace kube-system (it carries ${labelsText(system)})`;
      return { kind: 'peer', why, todo: CORRECT, path: [...peer.path, 'namespaceSelector'] };
    }
    if (!ns && policy.namespace !== 'kube-system') {
      return {
        kind: 'peer',
        why: `has no namespaceSelector, so its podSelector looks for CoreDNS in namespace ${policy.namespace}, not in kube-system`,
        todo: CORRECT,
        path: [...peer.path, peer.podSelector ? 'podSelector' : 'namespaceSelector'],
      };
    }
    if (peer.podSelector && !matchesSelector(peer.podSelector, podLabels)) {
      return {
        kind: 'peer',
        why: `has a podSelector (${selectorText(peer.podSelector)}) that matches no CoreDNS pod (they are labelled ${labelsText(podLabels)})`,
        todo: CORRECT,
        path: [...peer.path, 'podSelector'],
      };
    }
  }
  return { kind: 'peer', why: 'matches no CoreDNS pod', todo: CORRECT, path: [...rule.path, 'to'] };
}

/**
 * The fix for a broken DNS rule: the missing protocol added next to the one it has, or the rule
 * replaced by a correct one (inserted beside it when the rule also allows other things).
 */
function dnsRuleFix(src: SourceText, object: ManifestObject, rule: PolicyRule, kind: Diagnosis['kind'], hasUdp: boolean): Fix | undefined {
  if (kind === 'tcp' || kind === 'udp') {
    // The missing protocol goes in as a new first port entry, at the list's indentation.
    const first = rule.ports?.[0];
    const protocol = hasUdp ? 'TCP' : 'UDP';
    const at = first && object.has(first.path) ? object.locate(first.path) : undefined;
    const portDash = at ? src.dashColumn(at.line, at.column) : undefined;
    if (!at || portDash === undefined) return undefined;
    return {
      title: `Add ${protocol} 53 to this DNS rule`,
      edits: [src.insertLines(at.line, indent(portDash - 1, [`- protocol: ${protocol}`, '  port: 53']))],
    };
  }
  const ruleAt = object.locate(rule.path);
  const dash = src.dashColumn(ruleAt.line, ruleAt.column);
  if (dash === undefined) return undefined;
  const onlyDns =
    (rule.peers?.length ?? 0) <= 1 &&
    (rule.ports ?? []).every((p) => p.port === 53 || (typeof p.port === 'string' && DNS_PORT_NAMES.has(p.port)));
  if (onlyDns) {
    const end = src.blockEnd(ruleAt.line, dash - 1);
    return {
      title: 'Replace with a correct DNS egress rule (kube-dns, UDP and TCP 53)',
      edits: [src.replaceLines(ruleAt.line, end, dnsRuleLines(dash - 1))],
    };
  }
  return {
    title: 'Add a correct DNS egress rule (kube-dns, UDP and TCP 53)',
    edits: [src.insertLines(ruleAt.line, dnsRuleLines(dash - 1))],
  };
}

/** Adds the fix "add a correct DNS egress rule" to a policy-blocks-dns diagnostic, with the before/after of one pod. */
function enrichBlocksDns(
  ctx: LintContext,
  d: Diagnostic,
  dns: Record<'UDP' | 'TCP', DnsTarget[]>,
  withRuleReport: Set<SimNetworkPolicy>,
): void {
  const policy = ctx.engine.policies.find(
    (p) => d.resource === resourceName({ kind: 'NetworkPolicy', namespace: p.namespace, name: p.name }),
  );
  if (!policy || policy.origin.kind !== 'manifest' || !policy.affects.egress || d.fixes) return;
  const e = ctx.engine;
  let pair: Pair | undefined;
  for (const pod of ctx.representatives()) {
    if (!usesClusterDns(ctx, pod) || !e.selects(policy, pod)) continue;
    for (const protocol of ['UDP', 'TCP'] as const) {
      const t = dns[protocol][0];
      if (t && !e.verdict({ kind: 'pod', pod }, { kind: 'pod', pod: t.pod }, t.port, protocol).egress.allowed) {
        pair = { src: pod, dst: t.pod, port: t.port, protocol };
        break;
      }
    }
    if (pair) break;
  }
  if (!pair) return;
  d.verify = [`kubectl exec ${pair.src.name} -n ${pair.src.namespace} -- nslookup kubernetes.default`, ...(d.verify ?? [])];
  const client = pair.src;
  // A broken DNS rule of a policy selecting the same pods has its own fix, the one to take.
  if ([...withRuleReport].some((p) => e.selects(p, client))) return;
  const src = ctx.source(policy.origin.object.file);
  const fix = src ? addDnsRule(src, policy) : undefined;
  const after = fix ? engineAfter(ctx, fix) : undefined;
  const change = after ? beforeAfter(ctx, after, pair, d.range) : undefined;
  if (!fix || !change) return;
  d.message += ` ${change.sentence}`;
  d.related = [...(d.related ?? []), ...change.related];
  withFix(d, fix);
}

/** Inserts a correct DNS rule as the policy's first egress rule (creating `egress:` when absent). */
function addDnsRule(src: SourceText, policy: SimNetworkPolicy): Fix | undefined {
  if (policy.origin.kind !== 'manifest') return undefined;
  const o = policy.origin.object;
  const title = 'Add an egress rule allowing DNS (kube-dns, UDP and TCP 53)';
  if (o.has(['spec', 'egress', 0])) {
    const first = o.locate(['spec', 'egress', 0]);
    const dash = src.dashColumn(first.line, first.column);
    return dash === undefined ? undefined : { title, edits: [src.insertLines(first.line, dnsRuleLines(dash - 1))] };
  }
  if (o.has(['spec', 'egress'])) {
    const key = o.locate(['spec', 'egress']);
    const m = /^( *)egress:\s*(\[\s*\])?\s*(#.*)?$/.exec(src.line(key.line));
    if (!m) return undefined;
    const k = m[1]?.length ?? 0;
    return { title, edits: [src.replaceLines(key.line, key.line, [`${' '.repeat(k)}egress:`, ...dnsRuleLines(k + 2)])] };
  }
  // No egress key: append one at the end of spec, at the indentation of spec's fields.
  if (!o.has(['spec', 'podSelector'])) return undefined;
  const sel = o.locate(['spec', 'podSelector']);
  const spec = o.locate(['spec']);
  if (!src.startsLine(sel.line, sel.column) || !src.startsLine(spec.line, spec.column) || sel.line <= spec.line) return undefined;
  const k = sel.column - 1;
  const end = src.blockEnd(spec.line, spec.column - 1);
  return { title, edits: [src.insertLines(end + 1, [`${' '.repeat(k)}egress:`, ...dnsRuleLines(k + 2)])] };
}
