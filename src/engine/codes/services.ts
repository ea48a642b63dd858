// Pods, Services, Ingress, addresses and names.
import { nsFlag, podParam, named, DOCS, type CodeInfo } from './format';

export const SERVICE_CODES = {
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
      `Service ${p.service} selects no pod: no pod in namespace ${p.namespace} has the labels ${p.selector}.${p.hint ? ' ' + p.hint : ''} ${p.outcome ? p.outcome : 'Connections to it will be refused.'}`,
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
      `Ingress ${p.ingress} is served by a simulated ${p.product} controller (${p.controller}, class ${p.className}), since the workspace defines no IngressClass. Add your IngressClass to simulate your own controller's class.`,
  },
  'ingress-controller-generic': {
    severity: 'info',
    summary: 'An IngressClass names a controller kube-netsim has no profile for; it is simulated as a generic in-cluster proxy.',
    docs: `${DOCS}/concepts/services-networking/ingress-controllers/`,
    format: (p) =>
      `IngressClass ${p.className}'s controller ${p.controller} is not one kube-netsim knows (it knows ${p.known}): it is simulated generically, as pods in ${p.namespace} labelled ${p.labels} that send to the backends' pod IPs and read ImplementationSpecific paths as Prefix; its annotations do nothing here. If it runs elsewhere, name its namespace and labels under ingressControllers: in kube-netsim.yaml, so NetworkPolicy judges the right source.`,
    verify: (p) => [`kubectl get ingressclass ${p.className} -o yaml`],
  },
  'ingress-annotation-foreign': {
    severity: 'warning',
    summary: "An Ingress carries another controller's annotation; the controller that serves its class ignores it.",
    docs: `${DOCS}/concepts/services-networking/ingress-controllers/`,
    format: (p) =>
      `${p.annotation} is an annotation of ${p.owner}, but this Ingress's class ${p.className} is served by ${p.product}, which ignores it: it does nothing here. Use ${p.product}'s own annotation, or move the Ingress to a class ${p.owner} serves.`,
    verify: (_p, r) => (r ? [`kubectl get ingress ${r.name}${nsFlag(r.namespace)} -o yaml`] : []),
  },
  'ingress-annotation-not-simulated': {
    severity: 'info',
    summary: 'An Ingress annotation that changes where its controller sends requests (or whom it admits) is not simulated.',
    docs: `${DOCS}/concepts/services-networking/ingress-controllers/`,
    format: (p) =>
      `${p.annotation} changes how ${p.product} routes or admits requests, and kube-netsim does not simulate it: the traces through this Ingress leave it out.`,
  },
  'ingress-regex-without-use-regex': {
    severity: 'warning',
    summary: 'An ingress-nginx path is written as a regular expression, but nothing makes the host use regex paths.',
    docs: 'https://kubernetes.github.io/ingress-nginx/user-guide/ingress-path-matching/',
    format: (p) =>
      `Path ${p.path} (${p.pathType}) looks like a regular expression, but no Ingress of this host sets nginx.ingress.kubernetes.io/use-regex: "true" (or rewrite-target), so ingress-nginx matches it as a plain string${p.pathType === 'ImplementationSpecific' ? ' prefix' : ''} and requests it was meant for get 404 (the admission webhook rejects regex characters in Prefix and Exact paths). Add use-regex: "true", with pathType ImplementationSpecific.`,
  },
  'alb-target-type-clusterip': {
    severity: 'error',
    summary: 'An ALB Ingress uses target-type instance in front of a ClusterIP Service; the AWS Load Balancer Controller rejects it.',
    docs: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#target-type',
    format: (p) =>
      `Service ${p.service} is ClusterIP, but Ingress ${p.ingress} uses target-type instance (the default), which sends to the Service's NodePort on the nodes: the AWS Load Balancer Controller rejects the Ingress and the ALB gets no target group. Make the Service NodePort, or set alb.ingress.kubernetes.io/target-type: ip.`,
    verify: (p) => [`kubectl get svc ${named(p.service)}`, `kubectl describe ingress ${named(p.ingress)}`],
  },
  'alb-group-conflict': {
    severity: 'error',
    summary:
      'Ingresses of one ALB IngressGroup conflict: an exclusive annotation disagrees, or a rule is shadowed by another Ingress of the group.',
    docs: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ingressgroup',
    format: (p) => `${p.reason}.`,
    verify: (_p, r) => (r ? [`kubectl describe ingress ${r.name}${nsFlag(r.namespace)}`] : []),
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
    summary: 'No node can take the pod (its nodeName or nodeSelector matches none, or the nodes are full); it stays Pending with no IP.',
    docs: `${DOCS}/concepts/scheduling-eviction/assign-pod-node/`,
    format: (p) =>
      `${p.count === 1 ? 'A pod' : `${p.count} pods`} of ${p.workload} cannot be placed: ${String(p.constraint).startsWith('nodeName') || String(p.constraint).startsWith('nodeSelector') ? `no node matches ${p.constraint}` : p.constraint} ("${p.reason}"). ${p.count === 1 ? 'It stays' : 'They stay'} Pending and get no IP, and no command treats ${p.count === 1 ? 'it' : 'them'} as running. Known nodes: ${p.nodes}.`,
  },
  'cluster-nodes-assumed': {
    severity: 'info',
    summary:
      'The workspace declares no nodes and its pods do not fit the default three, so the default cluster is given as many as they need.',
    docs: `${DOCS}/setup/best-practices/cluster-large/`,
    format: (p) =>
      `The workspace declares no nodes, and its ${p.pods} pods${Number(p.perNode) > 0 ? ` (${p.perNode} DaemonSet pod${p.perNode === 1 ? '' : 's'} on each node among them)` : ''} do not fit the default ${p.current} nodes at kubelet's ${p.maxPods} pods per node (${p.workload} is the first that would stay Pending): kube-netsim assumes ${p.nodes} nodes${p.ipam}. Declare your nodes (kind: Node objects, or nodes: in kube-netsim.yaml) to simulate your cluster's.`,
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
  'external-traffic-local-imbalance': {
    severity: 'warning',
    summary: 'externalTrafficPolicy Local with nodes that have no endpoint: traffic to those nodes is dropped.',
    docs: `${DOCS}/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip`,
    format: (p) =>
      `externalTrafficPolicy: Local and ${p.without} of ${p.total} nodes (${p.nodes}) run no endpoint of ${p.service}: traffic arriving there is dropped, and the rest is spread unevenly. Run an endpoint on every node (a DaemonSet) or use Cluster.`,
    verify: (_p, r) =>
      r ? [`kubectl get endpoints ${r.name}${nsFlag(r.namespace)} -o wide`, `kubectl get pods${nsFlag(r.namespace)} -o wide`] : [],
  },
  'endpointslice-disagrees': {
    severity: 'info',
    summary: "A recorded EndpointSlice lists other endpoints than the Service's selector picks from the pods beside it.",
    docs: `${DOCS}/concepts/services-networking/endpoint-slices/`,
    format: (p) =>
      `EndpointSlice ${p.slice} of Service ${p.service} ${p.differences}. kube-proxy programs what the slice says until the EndpointSlice controller rewrites it; the simulation follows the selector. A snapshot taken while pods were changing shows this; otherwise check the selector and the pods' readiness.`,
    verify: (p) => [
      `kubectl get endpointslice ${named(p.slice)} -o yaml`,
      `kubectl get pods -o wide --show-labels${nsFlag(String(p.namespace))}`,
    ],
  },
  'externalname-is-ip': {
    severity: 'warning',
    summary: 'An ExternalName Service names an IP address, which cluster DNS serves as a CNAME to a name that does not exist.',
    docs: `${DOCS}/concepts/services-networking/service/#externalname`,
    format: (p) =>
      `spec.externalName "${p.externalName}" is an IP address. The API docs warn that ExternalName takes a DNS name: CoreDNS answers ${p.fqdn} with a CNAME to "${p.externalName}.", which no resolver turns back into the address, so clients get no A record${p.hint}. Use a selector-less Service with an EndpointSlice (or Endpoints) holding ${p.externalName} instead.`,
    verify: (p) => [
      `kubectl get service ${named(p.service)} -o yaml`,
      `kubectl run -it --rm dig --image=busybox --restart=Never -- nslookup ${p.fqdn}`,
    ],
  },
  'topology-hints-dropped': {
    severity: 'info',
    summary: "A Service asks for topology-aware hints, and the EndpointSlice controller's safeguards remove them.",
    docs: `${DOCS}/concepts/services-networking/topology-aware-routing/#safeguards`,
    format: (p) =>
      `${p.annotation} asks the EndpointSlice controller to hint Service ${p.service}'s endpoints by zone, but it sets none: ${p.reason}.${p.assumed} kube-proxy then sends to endpoints in every zone. Give the nodes ${'`topology.kubernetes.io/zone`'} labels in at least two zones and enough ready endpoints per zone (in proportion to each zone's allocatable CPU).`,
    verify: (p) => [
      `kubectl get endpointslices -l kubernetes.io/service-name=${String(p.service).split('/')[1] ?? ''}${nsFlag(String(p.service).split('/')[0] ?? '')} -o yaml`,
      `kubectl get events${nsFlag(String(p.service).split('/')[0] ?? '')} --field-selector reason=TopologyAwareHintsDisabled`,
    ],
  },
} satisfies Record<string, CodeInfo>;
