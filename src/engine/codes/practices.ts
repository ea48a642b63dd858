// Practices: hard-coded addresses, probes, how traffic enters.
import { named, DOCS, type CodeInfo } from './format';

export const PRACTICE_CODES = {
  'hardcoded-ip': {
    severity: 'warning',
    summary: 'A literal pod or Service address in configuration; pod IPs change and ClusterIPs are allocated, so use a Service name.',
    docs: `${DOCS}/concepts/services-networking/dns-pod-service/`,
    format: (p) => `${p.ip} is ${p.what}; ${p.why} Use ${p.suggestion} instead.`,
    verify: (p) => [`kubectl get svc,pods -A -o wide | grep -F ${p.ip}`],
  },
  'localhost-port-unbound': {
    severity: 'warning',
    summary: 'localhost:PORT names a port that no container of the same pod declares or binds.',
    docs: `${DOCS}/concepts/workloads/pods/#pod-networking`,
    format: (p) =>
      `${p.target} reaches port ${p.port} of this pod itself (containers of a pod share localhost), but no container of ${p.workload} declares or binds it (${p.ports}). Add the container that serves it, declare its port, or name a Service instead.`,
    verify: (p) => [`kubectl exec ${named(p.pod)} -- netstat -tln`],
  },
  'prefer-ingress': {
    severity: 'info',
    summary: 'Several HTTP LoadBalancer Services, each with its own external IP, that one Ingress could replace (said once, at the first).',
    docs: `${DOCS}/concepts/services-networking/ingress/`,
    format: (p) =>
      `${p.count} LoadBalancer Services serve HTTP (${p.services}); each gets its own load balancer and external IP. One Ingress in front of ClusterIP Services could route them all by host and path.`,
    verify: () => ['kubectl get svc -A --field-selector spec.type=LoadBalancer'],
  },
  'missing-readiness-probe': {
    severity: 'info',
    summary: 'Pods behind a Service have no readinessProbe, so they get traffic before they are ready.',
    docs: `${DOCS}/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-readiness-probes`,
    format: (p) =>
      `Container ${p.container} of ${p.workload} has no readinessProbe, so ${p.services} sends it requests as soon as it starts, before it can serve them (and during every rollout). Add a readinessProbe on the port it serves.`,
    verify: (p) => [`kubectl get endpoints ${named(p.service)}`],
  },
  'probe-port-not-exposed': {
    severity: 'warning',
    summary: "A probe's port is not a port its container declares; a port name that is not declared fails the probe.",
    docs: `${DOCS}/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#use-a-named-port`,
    format: (p) => `The ${p.probe} probes port ${p.port}, which container ${p.container} ${p.reason}${p.hint ? ' ' + p.hint : ''}`,
    verify: (p) => [`kubectl describe pod ${named(p.pod)}`],
  },
} satisfies Record<string, CodeInfo>;
