// Every diagnostic code the engine reports: its severity, one-line summary, documentation link,
// message template and the kubectl commands that check it on a live cluster. The README's
// catalogue, SARIF's rule metadata and the Problems panel all read from here.

export type Severity = 'error' | 'warning' | 'info';

export type Params = Record<string, string | number>;

export interface CodeInfo {
  severity: Severity;
  /** One line for the README catalogue and SARIF rule metadata. */
  summary: string;
  docs: string;
  format: (p: Params) => string;
  /** The `kubectl` commands that verify the finding on a live cluster, from the params and the resource. */
  verify?: (p: Params, r: ResourceRef | undefined) => string[];
}

/** `Kind/namespace/name` (or `Kind/name`) split up, for the kubectl commands. */
export interface ResourceRef {
  kind: string;
  namespace: string | undefined;
  name: string;
}

export function parseResource(resource: string | undefined): ResourceRef | undefined {
  if (resource === undefined) return undefined;
  const parts = resource.split('/');
  if (parts.length === 3) return { kind: parts[0] ?? '', namespace: parts[1], name: parts[2] ?? '' };
  if (parts.length === 2) return { kind: parts[0] ?? '', namespace: undefined, name: parts[1] ?? '' };
  return undefined;
}

/** `-n NS` for a kubectl command (nothing for cluster-scoped objects). */
const nsFlag = (ns: string | number | undefined) => (ns === undefined || ns === '' ? '' : ` -n ${ns}`);
/** `ns/name` of a pod named as `pod ns/name` in a message param. */
const podParam = (text: string | number | undefined) => /^pod ([^/\s]+)\/(\S+)$/.exec(String(text ?? ''));
/** `NAME -n NS` for an object given as `ns/name` in a message param. */
const named = (id: string | number | undefined) => {
  const [ns, name] = String(id ?? '').split('/');
  return name === undefined ? String(ns) : `${name}${nsFlag(ns)}`;
};
const kubectlPolicies = (ns: string | undefined) => `kubectl get networkpolicy${nsFlag(ns)}`;

const DOCS = 'https://kubernetes.io/docs';

/**
 * Every user-facing message lives here, so the Problems panel, the CLI, SARIF and the README
 * catalogue read the same.
 */
export const CATALOGUE = {
  'yaml-syntax': {
    severity: 'error',
    summary: 'The file is not valid YAML; this document is skipped, the others are still analysed.',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `YAML syntax error: ${p.reason}. Fix it to have this document simulated.`,
  },
  'yaml-limit': {
    severity: 'error',
    summary: 'The document exceeds a safety limit (alias count or expansion, or nesting depth) and is skipped.',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `Document skipped: ${p.reason}. Manifests never need this many aliases or this much nesting.`,
  },
  'helm-template': {
    severity: 'warning',
    summary: 'A Helm/Go template (`{{ }}`) cannot be simulated before it is rendered.',
    docs: 'https://helm.sh/docs/chart_template_guide/',
    format: () =>
      'This document is a Helm/Go template ({{ }}); it is not simulated. Render it (helm template) into the workspace to have it analysed.',
  },
  'file-skipped': {
    severity: 'warning',
    summary: 'A file was not read (too large, or binary).',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `File skipped: ${p.reason}.`,
  },
  'simulation-limit': {
    severity: 'warning',
    summary: 'The workspace asks for more pods or endpoints than the simulator models; the rest are left out.',
    docs: `${DOCS}/concepts/workloads/controllers/deployment/`,
    format: (p) =>
      `${p.workload} asks for ${p.wanted} ${p.what}, but only ${p.simulated} more fit under the simulator's limit of ${p.limit} ${p.what} per workspace; the rest, and the ${p.what} of the objects after it, are not simulated. ${p.hint}`,
  },
  'manifest-invalid': {
    severity: 'error',
    summary: 'A field has the wrong type or an invalid value; the API server would reject the object.',
    docs: `${DOCS}/reference/kubernetes-api/`,
    format: (p) => `${p.reason}`,
  },
  'settings-invalid': {
    severity: 'error',
    summary: 'A key of kube-netsim.yaml is unknown or has a bad value; the default is used instead.',
    docs: `${DOCS}/concepts/cluster-administration/networking/`,
    format: (p) => `${p.reason}`,
  },
  'duplicate-resource': {
    severity: 'error',
    summary: 'Two manifests define the same object; the later one would overwrite the earlier on apply.',
    docs: `${DOCS}/concepts/overview/working-with-objects/names/`,
    format: (p) => `${p.resource} is also defined in ${p.other}; only one of them would exist in the cluster. Rename or remove one.`,
  },
  'selector-mismatch': {
    severity: 'error',
    summary: "A workload's selector does not match its own pod template's labels.",
    docs: `${DOCS}/concepts/workloads/controllers/deployment/#selector`,
    format: (p) =>
      `spec.selector (${p.selector}) does not match the pod template's labels (${p.labels}); the API server rejects this ${p.kind}. Make the template carry the selector's labels.`,
    verify: (_p, r) =>
      r
        ? [
            `kubectl get ${r.kind.toLowerCase()} ${r.name}${nsFlag(r.namespace)} -o wide`,
            `kubectl get pods${nsFlag(r.namespace)} --show-labels`,
          ]
        : [],
  },
  'service-no-endpoints': {
    severity: 'warning',
    summary: 'A Service selects no pod, so connections to it are refused.',
    docs: `${DOCS}/concepts/services-networking/service/#defining-a-service`,
    format: (p) =>
      `Service ${p.service} selects no pod: no pod in namespace ${p.namespace} has the labels ${p.selector}.${p.hint ? ' ' + p.hint : ''} Connections to it will be refused.`,
    verify: (_p, r) =>
      r
        ? [
            `kubectl get endpoints ${r.name}${nsFlag(r.namespace)}`,
            `kubectl describe svc ${r.name}${nsFlag(r.namespace)}`,
            `kubectl get pods${nsFlag(r.namespace)} --show-labels`,
          ]
        : [],
  },
  'service-target-port-unresolved': {
    severity: 'error',
    summary: "A Service's targetPort does not name or match a port of the pods it selects.",
    docs: `${DOCS}/concepts/services-networking/service/#field-spec-ports`,
    format: (p) => `targetPort ${p.targetPort} ${p.reason}${p.hint ? ' ' + p.hint : ''}`,
    verify: (_p, r) =>
      r
        ? [
            `kubectl get endpoints ${r.name}${nsFlag(r.namespace)}`,
            `kubectl describe svc ${r.name}${nsFlag(r.namespace)}`,
            `kubectl get pods${nsFlag(r.namespace)} --show-labels`,
          ]
        : [],
  },
  'service-port-mismatch': {
    severity: 'error',
    summary: 'A URL names a port that the Service does not expose.',
    docs: `${DOCS}/concepts/services-networking/service/#field-spec-ports`,
    format: (p) =>
      `${p.host} resolves to Service ${p.service}, which does not expose port ${p.port} (it exposes ${p.ports}). Use one of its ports.`,
    verify: (p) => [`kubectl describe svc ${named(p.service)}`],
  },
  'ingress-backend-missing': {
    severity: 'error',
    summary: 'An Ingress backend names a Service that does not exist.',
    docs: `${DOCS}/concepts/services-networking/ingress/#ingress-rules`,
    format: (p) =>
      `Ingress backend Service ${p.service} does not exist in namespace ${p.namespace}; requests routed here get 503.${p.hint ? ' ' + p.hint : ''}`,
    verify: (p, r) => [`kubectl get svc${nsFlag(p.namespace)}`, ...(r ? [`kubectl describe ingress ${r.name}${nsFlag(r.namespace)}`] : [])],
  },
  'ingress-backend-port-missing': {
    severity: 'error',
    summary: 'An Ingress backend names a port that its Service does not expose.',
    docs: `${DOCS}/concepts/services-networking/ingress/#ingress-rules`,
    format: (p) => `Service ${p.service} has no port ${p.port} (it exposes ${p.ports}); requests routed here get 503.`,
    verify: (_p, r) => (r ? [`kubectl describe ingress ${r.name}${nsFlag(r.namespace)}`] : []),
  },
  'ingress-class-missing': {
    severity: 'warning',
    summary: 'An Ingress names an IngressClass that does not exist (or names none and no class is default), so no controller serves it.',
    docs: `${DOCS}/concepts/services-networking/ingress/#ingress-class`,
    format: (p) =>
      `Ingress ${p.ingress} ${p.why}; no ingress controller serves it, so it gets no address and its hosts are unreachable. Name an existing IngressClass in spec.ingressClassName, or mark one default (ingressclass.kubernetes.io/is-default-class: "true").`,
  },
  'ingress-controller-implicit': {
    severity: 'info',
    summary: 'The workspace defines no IngressClass; the simulator adds an ingress controller for the class an Ingress uses.',
    docs: `${DOCS}/concepts/services-networking/ingress-controllers/`,
    format: (p) =>
      `Ingress ${p.ingress} is served by a simulated ingress-nginx controller (${p.controller}, class ${p.className}), since the workspace defines no IngressClass. Add your IngressClass to simulate your own controller's class.`,
  },
  'policy-selects-nothing': {
    severity: 'warning',
    summary: 'A NetworkPolicy selects no pod, so it has no effect.',
    docs: `${DOCS}/concepts/services-networking/network-policies/`,
    format: (p) =>
      `NetworkPolicy ${p.policy} selects no pod in namespace ${p.namespace} (podSelector ${p.selector}); it has no effect.${p.hint ? ' ' + p.hint : ''}`,
    verify: (p) => [`kubectl get pods${nsFlag(p.namespace)} --show-labels`],
  },
  'policy-blocks-dns': {
    severity: 'warning',
    summary: 'A NetworkPolicy leaves pods unable to reach cluster DNS (kube-dns) on port 53.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#default-deny-all-egress-traffic`,
    format: (p) =>
      `NetworkPolicy ${p.policy} leaves ${p.workloads} unable to reach cluster DNS (${p.dns}) on ${p.protocols}: ${p.side}, and no rule admits it, so ${p.consequence}. Add an egress rule to namespaceSelector kubernetes.io/metadata.name=kube-system with podSelector k8s-app=kube-dns, on UDP and TCP 53.`,
    verify: (p) => [kubectlPolicies(String(p.policy).split('/')[0]), 'kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide'],
  },
  'policy-dns-rule-matches-nothing': {
    severity: 'warning',
    summary: 'An egress rule meant to allow DNS does not admit the CoreDNS pods on both UDP and TCP 53, so lookups still fail.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors`,
    format: (p) =>
      `This DNS egress rule of NetworkPolicy ${p.policy} ${p.why}, so ${p.consequence}. ${p.todo}${p.example ? ' ' + p.example : ''}`,
    verify: (p, r) => [
      `kubectl get pods -n kube-system -l k8s-app=kube-dns --show-labels`,
      `kubectl get namespace kube-system --show-labels`,
      ...(r ? [`kubectl describe networkpolicy ${r.name}${nsFlag(r.namespace)}`] : []),
      ...(p.pod ? [`kubectl exec ${named(p.pod)} -- nslookup kubernetes.default`] : []),
    ],
  },
  'namespace-label-missing': {
    severity: 'warning',
    summary: 'A namespaceSelector requires a label that no namespace carries, so its peer matches nothing.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name`,
    format: (p) =>
      `No namespace carries the label ${p.label} (${p.carried}), so this namespaceSelector matches no namespace and its peer admits nothing. ${p.todo}${p.example ? ' ' + p.example : ''}`,
    verify: () => ['kubectl get namespaces --show-labels'],
  },
  'selector-near-miss': {
    severity: 'warning',
    summary: 'A selector matches nothing, but one label is a likely typo away from matching.',
    docs: `${DOCS}/concepts/overview/working-with-objects/labels/#label-selectors`,
    format: (p) =>
      `${p.what} matches no ${p.objects}, but ${p.candidate} has ${p.have}, one edit away from ${p.want}. Did you mean ${p.have}?${p.example ? ' ' + p.example : ''}`,
    verify: (p) => [
      p.objects === 'namespace' ? 'kubectl get namespaces --show-labels' : `kubectl get pods${nsFlag(p.namespace)} --show-labels`,
    ],
  },
  'policy-peer-or-and': {
    severity: 'warning',
    summary:
      'namespaceSelector and podSelector are written as two peers (ORed) where one peer (ANDed) was likely meant, or the reverse (info when no pod of the workspace tells the two readings apart).',
    docs: `${DOCS}/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors`,
    format: (p) =>
      p.variant === 'or'
        ? `These are two separate peers, so they are ORed: ${p.first} admits every pod of the namespaces it selects, whatever its labels, and ${p.second} admits pods of namespace ${p.namespace}. Written as one peer (no "-" before ${p.key}), they would be ANDed: only pods matching ${p.pods} in namespaces matching ${p.namespaces}.${p.example ? ' ' + p.example : ''}`
        : `This one peer ANDs its selectors: only pods matching ${p.pods} in namespaces matching ${p.namespaces}, and no pod in the workspace is both. Written as two peers (a "-" before ${p.key}), they would be ORed: the pods of those namespaces, or pods matching ${p.pods} in namespace ${p.namespace}.${p.example ? ' ' + p.example : ''}`,
    verify: (_p, r) =>
      r
        ? [
            `kubectl describe networkpolicy ${r.name}${nsFlag(r.namespace)}`,
            'kubectl get namespaces --show-labels',
            `kubectl get pods -A --show-labels`,
          ]
        : [],
  },
  'policy-port-is-service-port': {
    severity: 'warning',
    summary: "A NetworkPolicy port names a Service's port, but policy sees traffic after DNAT, on the pods' targetPort.",
    docs: `${DOCS}/concepts/services-networking/network-policies/#networkpolicy-resource`,
    format: (p) =>
      `Port ${p.port} is the port of Service ${p.service}, but NetworkPolicy sees its traffic after kube-proxy's DNAT, on the pods' targetPort ${p.target}; ${p.pods} do not listen on ${p.port}, so this entry admits nothing of that Service. Use ${p.target}.${p.example ? ' ' + p.example : ''}`,
    verify: (p) => [`kubectl describe svc ${named(p.service)}`, `kubectl get endpoints ${named(p.service)}`],
  },
  'policy-named-port-missing': {
    severity: 'warning',
    summary:
      'A NetworkPolicy names a port that the destination pods do not declare (or declare with another protocol), so it admits nothing.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#networkpolicy-resource`,
    format: (p) =>
      `Port name "${p.port}" (${p.protocol}) ${p.reason}, so this entry admits nothing.${p.hint ? ' ' + p.hint : ''}${p.example ? ' ' + p.example : ''}`,
    verify: (p) => [`kubectl get pods${nsFlag(p.namespace)} -o custom-columns=NAME:.metadata.name,PORTS:.spec.containers[*].ports[*].name`],
  },
  'ipblock-covers-cluster-cidr': {
    severity: 'warning',
    summary:
      'An ipBlock covers the pod or Service CIDR: Service IPs never match (policy applies after DNAT) and whether pod IPs match depends on the CNI.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors`,
    format: (p) => `ipBlock ${p.cidr} covers ${p.covers}. ${p.behaviour} ${p.todo}`,
  },
  'policy-type-drops-rules': {
    severity: 'warning',
    summary: 'policyTypes leaves out a direction whose rules the policy lists, so those rules are ignored.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#networkpolicy-resource`,
    format: (p) =>
      `NetworkPolicy ${p.policy} lists ${p.direction} rules, but its policyTypes (${p.types}) leaves out ${p.Direction}, so the API ignores them. Add ${p.Direction} to policyTypes if they should apply (the selected pods then become isolated for ${p.direction}), or delete them.`,
    verify: (_p, r) => (r ? [`kubectl describe networkpolicy ${r.name}${nsFlag(r.namespace)}`] : []),
  },
  'pod-unprotected': {
    severity: 'info',
    summary: 'Pods that no NetworkPolicy selects, in a namespace that has policies, accept traffic from everywhere.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#default-policies`,
    format: (p) =>
      `No NetworkPolicy selects the pods of ${p.workload}, though namespace ${p.namespace} has ${p.policies}: they accept connections from every pod and address. Add a policy for them, or a default-deny for the namespace.`,
    verify: (p) => [kubectlPolicies(String(p.namespace)), `kubectl get pods${nsFlag(p.namespace)} --show-labels`],
  },
  'namespace-no-default-deny': {
    severity: 'info',
    summary: 'A namespace has no default-deny NetworkPolicy; start with deny-all and allow what each workload needs.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic`,
    format: (p) =>
      `Namespace ${p.namespace} has no default-deny NetworkPolicy, so ${p.open} accept${p.plural ? '' : 's'} connections that nothing has allowed on purpose. Start with deny-all (podSelector: {}, policyTypes: [Ingress]) and allow what each workload needs.`,
    verify: (p) => [kubectlPolicies(String(p.namespace))],
  },
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
    summary: 'Several HTTP LoadBalancer Services, each with its own external IP, that one Ingress could replace.',
    docs: `${DOCS}/concepts/services-networking/ingress/`,
    format: (p) =>
      `${p.count} LoadBalancer Services serve HTTP (${p.services}); each gets its own load balancer and external IP. One Ingress in front of ClusterIP Services could route them all by host and path.`,
    verify: () => ['kubectl get svc -A --field-selector spec.type=LoadBalancer'],
  },
  'missing-readiness-probe': {
    severity: 'info',
    summary: 'Pods behind a Service reached from outside the cluster have no readinessProbe, so they get traffic before they are ready.',
    docs: `${DOCS}/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-readiness-probes`,
    format: (p) =>
      `Container ${p.container} of ${p.workload} has no readinessProbe, so ${p.services} sends it requests from clients outside the cluster as soon as it starts, before it can serve them (and during every rollout). Add a readinessProbe on the port it serves.`,
    verify: (p) => [`kubectl get endpoints ${named(p.service)}`],
  },
  'probe-port-not-exposed': {
    severity: 'warning',
    summary: "A probe's port is not a port its container declares; a port name that is not declared fails the probe.",
    docs: `${DOCS}/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#use-a-named-port`,
    format: (p) => `The ${p.probe} probes port ${p.port}, which container ${p.container} ${p.reason}${p.hint ? ' ' + p.hint : ''}`,
    verify: (p) => [`kubectl describe pod ${named(p.pod)}`],
  },
  'policy-not-enforced': {
    severity: 'warning',
    summary:
      'The CNI does not enforce this kind of policy (Flannel enforces none; only Calico and Canal implement the cluster-wide kinds), so it has no effect.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#prerequisites`,
    format: (p) =>
      `The cluster's CNI, ${p.cni}, does not implement ${p.kind ?? 'NetworkPolicy'}: this policy is accepted by the API server but enforced by nothing, so ${p.effect}. Use a CNI that enforces it (${p.enforcers ?? 'Calico, Canal, Cilium, Weave'}) for it to apply.`,
    verify: () => ['kubectl get pods -n kube-system -o wide'],
  },
  'admin-policy-priority-tie': {
    severity: 'warning',
    summary: 'Two cluster-wide policies of one tier share a priority and select the same pods, so the API leaves their order undefined.',
    docs: 'https://network-policy-api.sigs.k8s.io/api-overview/',
    format: (p) =>
      `${p.first} and ${p.second} both have priority ${p.priority} and both select ${p.pods} for ${p.direction}: the API leaves the order of policies at one priority undefined, so a cluster may apply either one's rules first. kube-netsim evaluates ${p.chosen} first (by name). Give them different priorities.`,
    verify: () => ['kubectl get adminnetworkpolicies', 'kubectl get clusternetworkpolicies'],
  },
  'admin-policy-rule-shadowed': {
    severity: 'warning',
    summary: 'A cluster-wide policy rule can never match: for every pod and peer it names, an earlier rule decides first.',
    docs: 'https://network-policy-api.sigs.k8s.io/api-overview/',
    format: (p) =>
      `Rule ${p.rule} of ${p.policy} never decides anything: every connection it matches (${p.what}) is decided first by ${p.by}, which comes before it (a lower priority, or earlier in the list). Move it up, narrow the earlier rule, or delete it.`,
    verify: () => ['kubectl get adminnetworkpolicies -o yaml'],
  },
  'admin-policy-pass-to-baseline': {
    severity: 'info',
    summary:
      'A Pass rule hands traffic to NetworkPolicy for pods that no NetworkPolicy isolates, so the baseline tier (or the default allow) decides.',
    docs: 'https://network-policy-api.sigs.k8s.io/api-overview/',
    format: (p) =>
      `Rule ${p.rule} of ${p.policy} passes ${p.direction} of ${p.pods} on to NetworkPolicy, but no NetworkPolicy isolates ${p.them} for ${p.direction}, so ${p.decider}. Add a NetworkPolicy in ${p.namespaces} if the namespace owners should decide.`,
    verify: (p) => [`kubectl get networkpolicy -n ${String(p.namespace)}`, 'kubectl get baselineadminnetworkpolicy default -o yaml'],
  },
  'admin-policy-peer-not-simulated': {
    severity: 'warning',
    summary:
      'A cluster-wide policy peer that kube-netsim does not simulate (domainNames): verdicts towards those names may differ from a real cluster.',
    docs: 'https://network-policy-api.sigs.k8s.io/api-overview/',
    format: (p) =>
      `${p.policy} names ${p.what}, which kube-netsim does not simulate (the addresses a name has outside the cluster are not known here): this peer matches nothing in the simulation, so connections it would ${p.action} are decided by the rules after it.`,
  },
  'baseline-policy-not-default': {
    severity: 'error',
    summary:
      'A BaselineAdminNetworkPolicy not named `default`: the API server accepts only the singleton `default`, so this one does not exist.',
    docs: 'https://network-policy-api.sigs.k8s.io/api-overview/',
    format: (p) =>
      `BaselineAdminNetworkPolicy ${p.name} is rejected by the API server: the only one allowed is named \`default\` (there is one baseline per cluster). Rename it to default; until then it is not simulated.`,
    verify: () => ['kubectl get baselineadminnetworkpolicies'],
  },
  'policy-splits-workload': {
    severity: 'warning',
    summary: 'A policy selector matches only some pods of one owner (pods whose labels differ), so the workload is treated in parts.',
    docs: `${DOCS}/concepts/overview/working-with-objects/labels/#label-selectors`,
    format: (p) =>
      `${p.selector} of ${p.policy} matches ${p.matched} but not ${p.unmatched}, though all are pods of ${p.owner}: their labels differ, so this policy treats the workload's pods differently and the connectivity list, which lists the workload once, shows what any of its pods may do. Align the pods' labels (or select them all) if they should be treated alike.`,
    verify: (p) => [`kubectl get pods -n ${String(p.namespace)} --show-labels`],
  },
  'pod-port-conflict': {
    severity: 'error',
    summary: 'Two containers of one pod declare the same port and protocol; they share one network namespace.',
    docs: `${DOCS}/concepts/services-networking/#the-kubernetes-network-model`,
    format: (p) =>
      `Containers ${p.first} and ${p.second} both listen on ${p.port}/${p.protocol}; containers of a pod share one network namespace, so the second cannot bind. Use another port.`,
  },
  'pod-unschedulable': {
    severity: 'warning',
    summary: "No node satisfies the pod's nodeName or nodeSelector; it stays Pending with no IP.",
    docs: `${DOCS}/concepts/scheduling-eviction/assign-pod-node/`,
    format: (p) => `No node matches ${p.constraint}; the pods of ${p.workload} stay Pending and get no IP. Known nodes: ${p.nodes}.`,
  },
  'nodeport-out-of-range': {
    severity: 'error',
    summary: "An explicit nodePort lies outside the cluster's NodePort range.",
    docs: `${DOCS}/concepts/services-networking/service/#type-nodeport`,
    format: (p) =>
      `nodePort ${p.nodePort} is outside the NodePort range ${p.range}; the API server rejects it. Pick a port in the range or omit it.`,
  },
  'nodeport-range-full': {
    severity: 'error',
    summary: 'Every port of the NodePort range is taken, so a Service that needs one gets none.',
    docs: `${DOCS}/concepts/services-networking/service/#type-nodeport`,
    format: (p) =>
      `No nodePort is left in the range ${p.range} (all ${p.count} are taken); the API server rejects this Service ("range is full"). Widen nodePortRange or use fewer NodePort and LoadBalancer ports.`,
  },
  'nodeport-conflict': {
    severity: 'error',
    summary: 'Two Services ask for the same nodePort.',
    docs: `${DOCS}/concepts/services-networking/service/#type-nodeport`,
    format: (p) =>
      `nodePort ${p.nodePort} is already taken by Service ${p.other}; the API server rejects the second. Pick another or omit it.`,
  },
  'clusterip-out-of-range': {
    severity: 'error',
    summary: 'An explicit clusterIP lies outside the service CIDR.',
    docs: `${DOCS}/concepts/services-networking/cluster-ip-allocation/`,
    format: (p) =>
      `clusterIP ${p.ip} is not in the service CIDR ${p.cidr}; the API server rejects it. Pick an address in the range or omit it.`,
  },
  'clusterip-conflict': {
    severity: 'error',
    summary: 'Two Services ask for the same clusterIP.',
    docs: `${DOCS}/concepts/services-networking/cluster-ip-allocation/`,
    format: (p) => `clusterIP ${p.ip} is already allocated to ${p.other}; the API server rejects the second. Omit it to get a free one.`,
  },
  'dns-name-unresolved': {
    severity: 'error',
    summary: 'A host named in a container env value, args or a ConfigMap does not resolve from that pod.',
    docs: `${DOCS}/concepts/services-networking/dns-pod-service/`,
    format: (p) => `${p.host} does not resolve from ${p.pod} (tried ${p.tried}).${p.hint ? ' ' + p.hint : ''}`,
    verify: (p) => {
      const m = podParam(p.pod);
      return m ? [`kubectl exec ${m[2]} -n ${m[1]} -- nslookup ${p.host}`] : [];
    },
  },
  'connection-blocked-by-policy': {
    severity: 'warning',
    summary: 'A connection named in a container env value, args or a ConfigMap is dropped by NetworkPolicy.',
    docs: `${DOCS}/concepts/services-networking/network-policies/`,
    format: (p) => `${p.from} cannot connect to ${p.to}: ${p.reason}`,
    verify: (_p, r) => (r ? [kubectlPolicies(r.namespace), `kubectl get pods${nsFlag(r.namespace)} --show-labels`] : []),
  },
  'external-traffic-local-imbalance': {
    severity: 'warning',
    summary: 'externalTrafficPolicy Local with nodes that have no endpoint: traffic to those nodes is dropped.',
    docs: `${DOCS}/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip`,
    format: (p) =>
      `externalTrafficPolicy: Local and ${p.without} of ${p.total} nodes (${p.nodes}) run no endpoint of ${p.service}: traffic arriving there is dropped, and the rest is spread unevenly. Run an endpoint on every node (a DaemonSet) or use Cluster.`,
    verify: (_p, r) =>
      r ? [`kubectl get endpoints ${r.name}${nsFlag(r.namespace)} -o wide`, `kubectl get pods${nsFlag(r.namespace)} -o wide`] : [],
  },
  'kustomize-unsupported': {
    severity: 'warning',
    summary: 'A Kustomize field that kube-netsim does not render; the simulation leaves out what it would produce or change.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/`,
    format: (p) =>
      `${p.field} is not rendered by kube-netsim (${p.why}); the simulation leaves out what it would produce or change. To include it, render the overlay with \`kubectl kustomize ${p.dir}\` into a file and analyse that.`,
  },
  'kustomize-error': {
    severity: 'error',
    summary: 'A kustomization names a resource, base or patch that cannot be loaded or applied; `kustomize build` would fail.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/`,
    format: (p) => `${p.reason}`,
  },
  'kustomize-not-rewritten': {
    severity: 'info',
    summary: 'namePrefix/nameSuffix renamed objects, and kube-netsim did not rewrite every reference to them that kustomize would.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/#setting-cross-cutting-fields`,
    format: (p) =>
      `${p.field} renamed ${p.renamed}; kube-netsim did not rewrite the references to them in ${p.where}, as kustomize would. Those references do not change the simulated network.`,
  },
  'kustomize-not-selected': {
    severity: 'info',
    summary: 'A Kustomize overlay is in the input but not selected, so its files are simulated as written, without its patches.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/`,
    format: (p) =>
      `Kustomize overlay ${p.dir} is not rendered: its files are simulated as written and its patches are left out. Select it (setting kubeNetsim.kustomizeOverlay, or \`kube-netsim analyze --kustomize ${p.dir}\`) to simulate the rendered overlay.`,
  },
  'helm-chart-not-rendered': {
    severity: 'warning',
    summary: 'A Helm chart (Chart.yaml) is not rendered, so its templates are not simulated.',
    docs: 'https://helm.sh/docs/helm/helm_template/',
    format: (p) =>
      `Helm chart ${p.chart} is not rendered${p.reason ? ` (${p.reason})` : ''}; its templates are not simulated. Run \`kube-netsim analyze --helm\` with helm on PATH, or write the output of \`helm template ${p.dir}\` into the workspace.`,
  },
  'snapshot-settings-inferred': {
    severity: 'info',
    summary: 'The live objects of a cluster snapshot use address ranges other than the default; the simulation uses the ranges they imply.',
    docs: `${DOCS}/concepts/services-networking/cluster-ip-allocation/`,
    format: (p) =>
      `The cluster snapshot's ${p.what} lie outside the default ${p.setting} ${p.default}; simulating with ${p.setting} ${p.inferred} as they imply. Set ${p.setting} in kube-netsim.yaml to choose another.`,
  },
} satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CATALOGUE;

/** The Kubernetes documentation page that explains a code. */
export function docsLink(code: DiagnosticCode): string {
  return CATALOGUE[code].docs;
}
