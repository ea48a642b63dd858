// The edge of a trace: each hop as the contract's {step, node, detail}, with the manifest range
// that decided it, so the CLI, the editor and the topology view print the same sentences.
import type { SourceRange } from '../source';
import type { Hop, PortForwardHop, TraceResult } from './types';
import { hopVerify } from './verify';
import { ruleText } from '../policy/explain';
import type { DirectionResult } from '../policy/types';

export interface RenderedHop {
  step: string;
  node: string | null;
  detail: string;
  range?: SourceRange;
  /** kubectl commands that show the same fact on a live cluster. */
  verify?: string[];
}

const pct = (w: number) => `${Math.round(w * 10000) / 100}%`;

const SNAT_WHY: Record<string, string> = {
  hairpin: 'hairpin: the pod reached itself through its Service, so the source is masqueraded for the reply to come back through the node',
  'external-cluster-policy': 'externalTrafficPolicy Cluster: the node masquerades so the reply returns through it (the client IP is lost)',
  'not-from-pod': 'the client is not in the pod network, so kube-proxy masquerades traffic to the ClusterIP',
  'from-this-node': 'the node itself is the client',
  'leaving-cluster': 'the destination is outside the pod network',
  'load-balancer': 'the load balancer proxies the connection',
};

/** One hop in the contract's shape: a step name, the node it happens on, one sentence of detail. */
export function renderHop(h: Hop): RenderedHop {
  const out = (step: string, detail: string, range?: SourceRange): RenderedHop =>
    range ? { step, node: h.node, detail, range } : { step, node: h.node, detail };
  switch (h.kind) {
    case 'dns': {
      const answer = h.answers.length
        ? h.answers.join(', ')
        : h.rcode === 'UNKNOWN'
          ? 'answered upstream, unknown here'
          : h.rcode === 'TIMEOUT'
            ? 'no answer'
            : h.rcode;
      const via = h.server ? ` via ${h.server}` : '';
      const tried = h.searched.length > 1 ? ` (tried ${h.searched.join(', ')})` : '';
      return out('dns', `${h.query} → ${h.resolvedName ?? h.query}: ${answer}${via}${tried}; ${h.meaning}`, h.range);
    }
    case 'policy': {
      const what = h.purpose === 'dns' ? 'DNS query' : 'connection';
      const where = h.enforcer ?? 'not enforced: the CNI implements no policy';
      const decision = policyDecision(h.subject, h.direction, h.result);
      const peer = h.direction === 'egress' ? `to ${h.peer}` : `from ${h.peer}`;
      const l7 = h.l7
        ? `; ${h.l7.proxy} checks ${h.l7.request}: ${h.l7.allowedBy ? `allowed by ${h.l7.allowedBy}` : h.l7.tls ? 'it cannot read HTTP inside TLS' : 'no HTTP rule matches, 403 Forbidden'}`
        : '';
      return out(
        `policy-${h.direction}`,
        `${what} ${peer} on ${h.port}/${h.protocol}: ${decision}${l7} [${where}]`,
        h.l7?.range ?? h.range,
      );
    }
    case 'dnat': {
      const how = h.path.join(' → ');
      // nftables picks with `numgen random mod N`, which the path names; iptables with a probability ladder.
      const chance =
        h.dataplane === 'nftables'
          ? ''
          : h.probability
            ? `, rule --probability ${h.probability}`
            : h.candidates > 1
              ? ', last rule (takes what the others left)'
              : '';
      const mech =
        h.dataplane === 'ebpf' && h.path[0]?.startsWith('cgroup')
          ? 'Cilium socket LB rewrites connect()'
          : h.dataplane === 'ebpf'
            ? 'Cilium eBPF DNAT'
            : h.dataplane === 'ipvs'
              ? 'IPVS DNAT'
              : h.dataplane === 'nftables'
                ? 'nftables DNAT'
                : 'iptables DNAT';
      const extra = [
        h.affinitySeconds !== undefined ? `sessionAffinity ClientIP (${h.affinitySeconds}s)` : '',
        h.localOnly ? 'local endpoints only' : '',
        h.topology ?? '',
      ]
        .filter(Boolean)
        .join(', ');
      return out(
        'dnat',
        `${mech} ${h.from} → ${h.to} (${h.service}, 1 of ${h.candidates} endpoints${chance}) via ${how}${extra ? `; ${extra}` : ''}`,
        h.range,
      );
    }
    case 'snat':
      return out('snat', `source ${h.from} → ${h.to} (${h.mechanism}): ${SNAT_WHY[h.reason] ?? h.reason}`);
    case 'route':
      return out('route', `${h.route}: ${h.note}`);
    case 'encap':
      return out('encap', `${h.protocol} on ${h.device}, outer ${h.outer}, +${h.overhead} bytes, MTU ${h.mtu}: ${h.note}`);
    case 'decap':
      return out('decap', `${h.protocol} on ${h.device}: ${h.note}`);
    case 'load-balancer':
      return out(
        'load-balancer',
        `cloud load balancer ${h.address} (Service ${h.service}) → ${h.chosenNode}:${h.nodePort}, one of ${h.nodes.map((n) => `${n.node} ${pct(n.weight)}`).join(', ')}${h.externalTrafficPolicy === 'Local' ? ` (externalTrafficPolicy Local: only nodes with a ready endpoint pass the health check${h.healthCheckNodePort !== undefined ? ` on healthCheckNodePort ${h.healthCheckNodePort}` : ''})` : ''}${h.sourceRanges ? `; the client is inside loadBalancerSourceRanges ${h.sourceRanges.join(', ')}` : ''}`,
        h.range,
      );
    case 'tls':
      if (h.gateway)
        return out(
          h.gateway.mode === 'terminated' ? 'tls-termination' : 'tls-passthrough',
          h.gateway.mode === 'terminated'
            ? `TLS for ${h.host} terminated at Gateway ${h.gateway.gateway} listener ${h.gateway.listener}${h.secretName ? ` with Secret ${h.secretName}` : ''}`
            : `TLS for ${h.host} passed through by Gateway ${h.gateway.gateway} listener ${h.gateway.listener}: the backend terminates it (SNI ${h.host})`,
          h.range,
        );
      return out(
        'tls-termination',
        h.secretName
          ? `TLS for ${h.host} terminated with Secret ${h.secretName} (Ingress ${h.ingress})`
          : `no Ingress TLS entry covers ${h.host}: the controller presents its default self-signed certificate`,
        h.range,
      );
    case 'ingress-controller':
      return out(
        'ingress-controller',
        h.ingress
          ? `${h.controller} (class ${h.className}, ${h.known ? h.product : `${h.product}: kube-netsim does not know this controller`}) routes ${h.host}${h.path} by Ingress ${h.ingress} (${h.match}) to ${h.backend}`
          : `${h.controller} (class ${h.className}, ${h.product}): ${h.match}`,
        h.range,
      );
    case 'gateway':
      return out(
        'gateway',
        h.route
          ? `Gateway ${h.gateway} listener ${h.listener}: ${h.host}${h.path} matches ${h.route} rule ${h.rule} (${h.match}), which ${h.why}`
          : `Gateway ${h.gateway}${h.listener ? ` listener ${h.listener}` : ''}: ${h.why}`,
        h.range,
      );
    case 'filter':
      return out('filter', h.detail, h.range);
    case 'redirect':
      return out('redirect', `the Gateway answers ${h.status} Location: ${h.location}`, h.range);
    case 'deliver':
      return out(
        'deliver',
        `${h.pod} accepts on ${h.ip.includes(':') ? `[${h.ip}]` : h.ip}:${h.port}${h.note ? `; ${h.note}` : ''}`,
        h.range,
      );
    case 'leave-cluster':
      return out('leave-cluster', `to ${h.host}: ${h.note}`);
    case 'reject':
      return out('reject', `${h.reason} [${h.rule}]`, h.range);
    case 'drop':
      return out('drop', `${h.reason}${h.rule ? ` [${h.rule}]` : ''}`, h.range);
    case 'reverse-nat':
      return out(
        h.nat === 'dnat' ? 'reverse-dnat' : 'reverse-snat',
        `${h.nat === 'dnat' ? 'source' : 'destination'} ${h.from} → ${h.to}: ${h.note}`,
      );
    case 'reply':
      return out('reply', `${h.from} → ${h.to}: ${h.note}`);
    case 'port-forward':
      return renderForwardHop(h);
  }
}

/** The hops of kubectl port-forward: kubectl's pick, the API server's proxying, the kubelet's dial. */
function renderForwardHop(h: PortForwardHop): RenderedHop {
  switch (h.stage) {
    case 'kubectl': {
      const detail = `kubectl port-forward ${h.resource}: ${h.choice}; ${h.port}`;
      return h.range ? { step: 'kubectl', node: null, detail, range: h.range } : { step: 'kubectl', node: null, detail };
    }
    case 'api-server':
      return {
        step: 'api-server',
        node: null,
        detail: `${h.request}: the API server authorizes create on pods/portforward and proxies the stream (WebSocket, SPDY as fallback) to the pod's kubelet`,
      };
    case 'kubelet':
      return {
        step: 'kubelet',
        node: h.node,
        detail: `kubelet on ${h.node} (${h.nodeIP}:10250) hands the stream to the container runtime, which dials localhost:${h.port} inside ${h.pod}'s network namespace${h.hostNetwork ? " (the node's own, for a hostNetwork pod)" : ''}`,
      };
  }
}

/** The trace as `trace --format json` prints it (the contract's fields, plus source, target and reply). */
export function traceJson(r: TraceResult): object {
  return {
    verdict: r.verdict,
    reason: r.reason,
    source: r.source,
    target: {
      text: r.target.text,
      host: r.target.host,
      port: r.target.port,
      path: r.target.path,
      ...(r.target.query !== undefined ? { query: r.target.query } : {}),
      scheme: r.target.scheme ?? null,
    },
    protocol: r.protocol,
    destination: r.destination,
    sourceIPAtDestination: r.sourceIPAtDestination,
    hops: renderHops(r),
    candidates: r.candidates,
    ...(r.response ? { response: r.response } : {}),
    ...(r.request ? { request: r.request } : {}),
    ...(r.ingressController ? { ingressController: r.ingressController } : {}),
    reply: r.reply.map(renderHop),
    ...(r.portForward ? { portForward: r.portForward } : {}),
  };
}

/** The trace's hops rendered, each with the kubectl commands that verify it on a live cluster. */
export function renderHops(r: TraceResult): RenderedHop[] {
  return r.hops.map((h) => {
    const out = renderHop(h);
    const verify = hopVerify(h, r);
    return verify.length > 0 ? { ...out, verify } : out;
  });
}

/** What decided one policy hop, in a few words: the layer, the object and its rule. */
function policyDecision(subject: string, direction: 'egress' | 'ingress', r: DirectionResult): string {
  if (!r.allowed) return `DENIED: ${r.reason}`;
  const passed = r.passedBy ? ` (passed on by ${ruleText(r.passedBy)})` : '';
  switch (r.decidedBy) {
    case 'admin':
    case 'cni':
    case 'baseline':
      return r.rule ? `allowed by ${ruleText(r.rule)}` : 'allowed';
    case 'network':
      return `allowed by ${r.allowedBy ? `${r.allowedBy.policy.namespace}/${r.allowedBy.policy.name} rule ${r.allowedBy.ruleIndex}` : 'policy'}${passed}`;
    case 'node':
      return `allowed: traffic between a pod and its own node is always allowed${passed}`;
    case 'self':
      return 'allowed: a pod can always reach itself';
    case 'not-subject':
    case 'none':
      return `${subject} is not isolated for ${direction}: allowed${passed}`;
  }
}
