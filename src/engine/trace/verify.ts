// Each hop of a trace has a counterpart on a live cluster: the `kubectl` command that shows the
// same fact (the name lookup, the Service's endpoints, the policies, where the pod runs). Data for
// the CLI, the hover and the trace view, built from the hop and the trace's source.
import type { Hop, TraceResult } from './types';

/** `NAME -n NS` from `ns/name` (a Service port name's `:port` dropped); undefined when it is not that shape. */
function named(id: string): string | undefined {
  const m = /^([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*)(:[^\s]*)?$/.exec(id);
  return m ? `${m[2]} -n ${m[1]}` : undefined;
}

const only = (...cmds: Array<string | undefined | false>): string[] => cmds.filter((c): c is string => typeof c === 'string');

/** The kubectl commands that verify one hop on a live cluster (none for hops kubectl cannot show, such as routes). */
export function hopVerify(h: Hop, trace: Pick<TraceResult, 'source'>): string[] {
  switch (h.kind) {
    case 'dns': {
      const from = trace.source.kind === 'pod' ? named(trace.source.name) : undefined;
      return only(from && h.node !== null && `kubectl exec ${from} -- nslookup ${h.query}`);
    }
    case 'policy': {
      const subject = named(h.subject);
      const ns = h.subject.split('/')[0];
      const rule = h.result.rule ?? h.result.passedBy;
      return only(
        rule &&
          `kubectl get ${kubectlKind(rule.policy.kind)} ${rule.policy.name}${rule.policy.namespace ? ` -n ${rule.policy.namespace}` : ''} -o yaml`,
        ns !== undefined && `kubectl get networkpolicy -n ${ns}`,
        subject && `kubectl get pod ${subject} --show-labels`,
      );
    }
    case 'dnat': {
      const svc = named(h.service);
      return only(svc && `kubectl get endpoints ${svc}`, svc && `kubectl describe svc ${svc}`);
    }
    case 'load-balancer': {
      const svc = named(h.service);
      return only(svc && `kubectl get svc ${svc} -o wide`);
    }
    case 'ingress-controller':
      return only(h.ingress !== undefined && named(h.ingress) !== undefined && `kubectl describe ingress ${named(h.ingress)}`);
    case 'gateway': {
      const gw = named(h.gateway);
      const route = h.route ? /^(\w+) (\S+)$/.exec(h.route) : null;
      const r = route ? named(route[2] as string) : undefined;
      return only(
        gw && `kubectl get gateway ${gw} -o yaml`,
        route !== null && r !== undefined && `kubectl get ${(route[1] as string).toLowerCase()} ${r} -o yaml`,
      );
    }
    case 'reject': {
      const svc = /^(?:Service )?([a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*)(?::\S+)? has no (?:ready )?endpoints/.exec(h.reason)?.[1];
      const n = svc ? named(svc) : undefined;
      return only(n && `kubectl get endpoints ${n}`, n && `kubectl describe svc ${n}`);
    }
    case 'deliver': {
      const pod = named(h.pod);
      return only(pod && `kubectl get pod ${pod} -o wide`);
    }
    default:
      return [];
  }
}

/** The resource name kubectl takes for a policy kind (Calico's NetworkPolicy by its full name, not the Kubernetes one). */
function kubectlKind(kind: string): string {
  return kind === 'CalicoNetworkPolicy'
    ? 'networkpolicies.projectcalico.org'
    : kind === 'GlobalNetworkPolicy'
      ? 'globalnetworkpolicies.projectcalico.org'
      : kind.toLowerCase();
}
