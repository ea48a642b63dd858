// NetworkPolicy and the cluster-wide policy tiers.
import { nsFlag, named, kubectlPolicies, DOCS, type CodeInfo } from './format';

export const POLICY_CODES = {
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
  'policy-not-enforced': {
    severity: 'warning',
    summary:
      "The CNI does not enforce this kind of policy (Flannel enforces none; only Calico and Canal implement the cluster-wide kinds and Calico's own policies; only Cilium its own), so it has no effect.",
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
  'cni-policy-field-not-simulated': {
    severity: 'warning',
    summary:
      'A field of a CNI-native policy (CiliumNetworkPolicy, Calico NetworkPolicy) that kube-netsim does not simulate: verdicts that depend on it may differ from a real cluster.',
    docs: 'https://docs.cilium.io/en/stable/security/policy/language/',
    format: (p) =>
      `\`${p.field}\` of ${p.kind} ${p.policy} is not simulated: ${p.why}. Verdicts that depend on it may differ from a real cluster.`,
  },
  'cilium-fqdn-without-dns-rule': {
    severity: 'warning',
    summary:
      "A Cilium toFQDNs rule for pods whose policies send no DNS lookup through Cilium's DNS proxy (no rules.dns on port 53): Cilium never learns the name's addresses, so the rule admits nothing.",
    docs: 'https://docs.cilium.io/en/stable/security/policy/language/#dns-based',
    format: (p) =>
      `toFQDNs ${p.fqdn} of ${p.policy} admits nothing for ${p.pods}: Cilium learns a name's addresses only from the DNS answers its DNS proxy sees, and no egress rule selecting them sends lookups of ${p.fqdn} through it. The policy puts them in default deny for egress, so their DNS queries are dropped too, and with them every connection by name. Add an egress rule to kube-dns (toEndpoints k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns) with toPorts port 53, protocol ANY, and rules: {dns: [{matchPattern: '*'}]}.`,
    verify: () => ['kubectl get ciliumnetworkpolicies -A', 'cilium-dbg fqdn cache list'],
  },
  'calico-selector-syntax': {
    severity: 'error',
    summary: 'A Calico selector that does not parse: Calico rejects the policy, so it does not exist.',
    docs: 'https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors',
    format: (p) =>
      `Calico rejects this selector at character ${p.column}: ${p.message}. Calico's selectors are expressions such as app == 'web' && tier in {'a', 'b'}, has(key) or all(); the policy is not simulated until it parses.`,
  },
  'cilium-l7-port-not-served': {
    severity: 'warning',
    summary: 'A Cilium L7 (HTTP) rule on a port the pods behind it do not serve: the proxy never sees a request there.',
    docs: 'https://docs.cilium.io/en/stable/security/policy/language/#layer-7-examples',
    format: (p) =>
      `The HTTP rules of ${p.policy} apply on port ${p.port}, but ${p.pods} declare${p.declared ? ` only ${p.declared}` : ' no port'}: no request there is ever checked, and the port the pods serve is not allowed by this rule. Put the container port (after the Service's targetPort) in toPorts.`,
    verify: () => ['kubectl get pods -o custom-columns=NAME:.metadata.name,PORTS:.spec.containers[*].ports[*].containerPort'],
  },
  'cni-policy-conflicts-networkpolicy': {
    severity: 'warning',
    summary:
      'A CiliumNetworkPolicy and a Kubernetes NetworkPolicy select the same pods with opposite intent; Cilium enforces them together (allows add up, denies win).',
    docs: 'https://docs.cilium.io/en/stable/security/policy/deny/',
    format: (p) => `${p.what}. Make the two agree, or keep the rules for these pods in one of them.`,
    verify: () => ['kubectl get networkpolicies,ciliumnetworkpolicies -A'],
  },
  'calico-selector-matches-nothing': {
    severity: 'warning',
    summary: 'A Calico policy or rule selector that matches no pod of the workspace, so it applies to (or matches) nothing.',
    docs: 'https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors',
    format: (p) =>
      `The selector ${p.selector} of ${p.policy} matches no pod in ${p.scope}, so ${String(p.policy).includes('(rule ') ? 'this rule matches no pod' : 'the policy applies to nothing'}. Check the label keys and values (Calico compares them exactly; values are quoted: app == 'web').`,
    verify: () => ['kubectl get pods -A --show-labels'],
  },
  'calico-tier-missing': {
    severity: 'warning',
    summary:
      'A Calico policy in a tier the workspace does not define: the API server refuses it, and its place among the tiers is unknown, so it is not simulated.',
    docs: 'https://docs.tigera.io/calico/latest/reference/resources/tier',
    format: (p) =>
      `${p.policy} is in tier ${p.tier}, which no Tier object of the workspace defines: Calico refuses a policy in a tier that does not exist, and without the Tier's order kube-netsim cannot tell when it is asked, so the policy is left out. Add the Tier (apiVersion projectcalico.org/v3, kind Tier, spec.order) to the workspace${p.close ? `, or did you mean tier ${p.close}?` : '.'}`,
    verify: () => ['kubectl get tiers.projectcalico.org'],
  },
  'calico-deny-shadowed': {
    severity: 'warning',
    summary:
      'A Calico Deny rule that never decides: an earlier Allow (lower order, or an earlier rule) lets through everything it matches.',
    docs: 'https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy',
    format: (p) =>
      `Deny rule ${p.rule} of ${p.policy} never denies anything among the workspace's pods: ${p.by} allows all of it first (Calico applies lower orders first, and the first Allow or Deny decides). Give the Deny a lower order, or narrow the Allow.`,
    verify: () => ['calicoctl get networkpolicy,globalnetworkpolicy -o wide'],
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
  'connection-blocked-by-policy': {
    severity: 'warning',
    summary: 'A connection named in a container env value, args or a ConfigMap is dropped by NetworkPolicy.',
    docs: `${DOCS}/concepts/services-networking/network-policies/`,
    format: (p) => `${p.from} cannot connect to ${p.to}: ${p.reason}`,
    verify: (_p, r) => (r ? [kubectlPolicies(r.namespace), `kubectl get pods${nsFlag(r.namespace)} --show-labels`] : []),
  },
} satisfies Record<string, CodeInfo>;
