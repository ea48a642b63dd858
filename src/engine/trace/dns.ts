// The trace's first step from a pod: the name lookup. /etc/hosts answers without a query; otherwise
// the query goes to the pod's first nameserver (cluster DNS behind kube-dns, or the pod's own
// nameservers under dnsPolicy None/Default), and NetworkPolicy must let it through on UDP 53.
import { fnv1a } from '../hash';
import { decide } from '../dataplane/kubeProxy';
import { isIP } from '../cluster/ipam';
import { podId, serviceId, type SimPod, type SimService } from '../cluster/model';
import type { DirectionResult, Peer } from '../policy/oracle';
import type { RuleHit } from '../policy/types';
import { DNS_PROXY, nameMatches } from '../policy/cilium';
import { ruleText } from '../policy/explain';
import { podById, podByIp, serviceByClusterIP, serviceById } from './lookup';
import { checkPolicy, fail, type Outcome, type TraceContext } from './context';
import { round } from './steps';
import type { Hop } from './types';

export type Resolution = { ip: string } | { external: string; unknown: boolean } | { outcome: Outcome };

type DnsHop = Extract<Hop, { kind: 'dns' }>;

/** Resolves `host` as the pod's resolver does, after checking that policy lets the query reach its nameserver. */
export function resolveFromPod(ctx: TraceContext, pod: SimPod, host: string): Resolution {
  const { a } = ctx;
  const cfg = a.dns.resolverFor(pod);
  const r = a.dns.resolve(host, pod, 'A');
  const server = r.answeredBy === 'hosts' ? '/etc/hosts' : r.nameserver;
  if (r.answeredBy !== 'hosts') {
    const start = ctx.hops.length;
    const blocked = queryBlocked(ctx, pod, host, cfg.nameservers[0], r.resolvedName ?? host);
    if (blocked) {
      // The lookup is the first thing the connection needs, so the trace opens with it.
      ctx.hops.splice(start, 0, {
        kind: 'dns',
        node: pod.node ?? null,
        query: host,
        server,
        searched: [],
        rcode: blocked.rcode ?? 'TIMEOUT',
        resolvedName: undefined,
        answers: [],
        forwarded: false,
        cname: undefined,
        meaning: blocked.meaning,
        range: undefined,
      });
      return { outcome: blocked.outcome };
    }
  }
  const cname = r.answers.find((x) => x.type === 'CNAME');
  const addresses = r.answers.filter((x) => x.type === 'A' || x.type === 'AAAA');
  const svcId = addresses.find((x) => x.service)?.service ?? cname?.service;
  const svc = svcId ? serviceById(a.cluster, svcId) : undefined;
  const alias =
    r.answeredBy === 'hosts' ? pod.hostAliases?.find((h) => h.hostnames.includes(host.toLowerCase().replace(/\.$/, ''))) : undefined;
  const meaning =
    r.answeredBy === 'hosts'
      ? `the pod's /etc/hosts (${alias ? 'hostAliases' : /^(localhost|ip6-localhost|ip6-loopback)$/i.test(host) ? 'the loopback names' : 'its own hostname'}) answers before any DNS query`
      : r.forwarded
        ? cfg.clusterDns
          ? 'outside the cluster domain: CoreDNS forwards it upstream; answered upstream, unknown here'
          : `asked of the pod's own nameserver ${r.nameserver ?? ''}, not cluster DNS; answered there, unknown here`
        : cname && addresses.length === 0
          ? `ExternalName Service ${cname.service}: an alias for ${cname.value}`
          : svc?.headless
            ? `headless Service ${svcId}: the pods' own addresses, no virtual IP and no DNAT`
            : svc
              ? `Service ${svcId} (ClusterIP)`
              : addresses[0]?.pod
                ? `pod ${addresses[0].pod}`
                : r.explanation;
  const range =
    alias && pod.origin.kind === 'manifest'
      ? pod.origin.object.locate(alias.path)
      : svc && svc.origin.kind === 'manifest'
        ? svc.origin.object.locate(['metadata', 'name'])
        : undefined;
  const hop: DnsHop = {
    kind: 'dns',
    node: pod.node ?? null,
    query: host,
    server,
    searched: r.searched,
    rcode: r.rcode,
    resolvedName: r.resolvedName,
    answers: r.answers.map((x) => `${x.type} ${x.value}`),
    forwarded: r.forwarded,
    cname: cname?.value,
    meaning,
    range,
  };
  ctx.hops.push(hop);
  if (r.forwarded && r.resolvedName) return { external: r.resolvedName, unknown: true };
  if (addresses.length === 0) {
    if (cname) return { external: cname.value, unknown: true };
    return { outcome: fail('unresolved', r.explanation) };
  }
  if (addresses.length === 1 || !svc?.headless) return { ip: (addresses[0] as { value: string }).value };
  // A headless name answers with every pod; the client takes one of them (the simulation: a stable pick).
  const pick = addresses[fnv1a(`${pod.ip}|${host}`) % addresses.length] as (typeof addresses)[number];
  ctx.candidates = addresses.map((x) => {
    const p = podByIp(a.cluster, x.value);
    return { pod: x.pod ?? '', ip: x.value, port: 0, node: p?.node ?? null, weight: round(1 / addresses.length), chosen: x === pick };
  });
  return { ip: pick.value };
}

/**
 * Whether the query to `nameserver` (UDP 53) cannot get through: a DNS Service with no ready
 * endpoint, or NetworkPolicy on the way to the server that answers. Pushes the policy hops it checks.
 */
function queryBlocked(
  ctx: TraceContext,
  pod: SimPod,
  host: string,
  nameserver: string | undefined,
  asked: string,
): { meaning: string; outcome: Outcome; rcode?: 'REFUSED' } | undefined {
  const { a } = ctx;
  if (!nameserver || !isIP(nameserver) || !pod.node) return undefined;
  const dnsSvc = serviceByClusterIP(a.cluster, nameserver);
  let server: Peer;
  let port = 53;
  if (dnsSvc) {
    const found = serviceEndpoint(ctx, pod, dnsSvc);
    if (found === 'none') {
      const meaning = `no answer: Service ${serviceId(dnsSvc)} (${nameserver}) has no ready endpoint on UDP 53, so the query times out`;
      return {
        meaning,
        outcome: fail('unresolved', `${host}: DNS Service ${serviceId(dnsSvc)} has no ready endpoints, so lookups time out`),
      };
    }
    if (!found) return undefined;
    server = { kind: 'pod', pod: found.pod };
    port = found.port;
  } else {
    const p = podByIp(a.cluster, nameserver, true);
    server = p ? { kind: 'pod', pod: p } : { kind: 'external', ip: nameserver };
  }
  const serverName = server.kind === 'pod' ? podId(server.pod) : server.ip;
  const verdict = ctx.oracle.verdict({ kind: 'pod', pod }, server, port, 'UDP');
  const open = (d: typeof verdict.egress) => !d.isolated && d.decidedBy !== 'cni';
  if (open(verdict.egress) && open(verdict.ingress)) return undefined;
  const out = checkPolicy(ctx, 'egress', pod.node, { kind: 'pod', pod }, server, port, 'UDP', 'dns');
  const into =
    out &&
    (server.kind !== 'pod' || checkPolicy(ctx, 'ingress', server.pod.node ?? null, { kind: 'pod', pod }, server, port, 'UDP', 'dns'));
  if (out && into) return dnsProxyRefuses(verdict.egress, podId(pod), asked);
  ctx.hops.push({
    kind: 'drop',
    node: out && server.kind === 'pod' ? (server.pod.node ?? null) : pod.node,
    rule: undefined,
    reason: `DNS query to ${serverName} (UDP ${port}) dropped by NetworkPolicy`,
    range: undefined,
  });
  const what = dnsSvc
    ? `${dnsSvc.name === 'kube-dns' && dnsSvc.namespace === 'kube-system' ? 'cluster DNS' : `DNS Service ${serviceId(dnsSvc)}`}`
    : `its nameserver`;
  return {
    meaning: `no answer: NetworkPolicy drops the query to ${serverName} (UDP ${port}) on the ${out ? 'way in' : 'way out'}, so the lookup times out`,
    outcome: fail(
      'unresolved',
      `${host} cannot be resolved: NetworkPolicy blocks ${podId(pod)}'s DNS queries to ${what} (UDP ${port} to ${serverName}): ${verdict.reason}`,
    ),
  };
}

/**
 * Cilium's DNS proxy: when the rule letting the query out has rules.dns, a name none of its
 * patterns matches is answered REFUSED (https://docs.cilium.io/en/stable/security/policy/language/#dns-based).
 */
function dnsProxyRefuses(
  egress: DirectionResult,
  pod: string,
  asked: string,
): { meaning: string; outcome: Outcome; rcode: 'REFUSED' } | undefined {
  const rules = egress.allowed ? egress.rule?.dns : undefined;
  if (!rules || rules.some((r) => nameMatches(r.rule.matchName, r.rule.matchPattern, asked))) return undefined;
  const patterns = rules.map((r) => r.rule.matchName ?? r.rule.matchPattern ?? '').join(', ');
  const why = `${DNS_PROXY} answers REFUSED: ${asked} matches none of the rules.dns patterns (${patterns}) of ${ruleText(egress.rule as RuleHit)}`;
  return { meaning: why, outcome: fail('unresolved', `${asked} cannot be resolved from ${pod}: ${why}`), rcode: 'REFUSED' };
}

/** The endpoint kube-proxy picks for the pod's query to a DNS Service; 'none' when it has no ready one. */
function serviceEndpoint(ctx: TraceContext, pod: SimPod, svc: SimService): { pod: SimPod; port: number } | 'none' | undefined {
  const portIndex = svc.ports.findIndex((p) => p.port === 53 && p.protocol === 'UDP');
  if (portIndex < 0 || !pod.node) return undefined;
  const d = decide({
    service: svc,
    portIndex,
    node: pod.node,
    traffic: 'internal',
    entry: 'clusterIP',
    clientIP: pod.ip ?? '',
    clientKind: 'pod',
    clientIsThisNode: false,
    settings: ctx.a.cluster.settings,
  });
  if (d.kind !== 'dnat') return 'none';
  const p = podById(ctx.a.cluster, d.chosen.endpoint.pod);
  return p ? { pod: p, port: d.chosen.endpoint.port } : undefined;
}
