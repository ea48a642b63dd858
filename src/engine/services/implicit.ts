// The objects every cluster has without the workspace declaring them: the `kubernetes` Service
// (the API server on the first node), and CoreDNS as kubeadm deploys it behind `kube-dns`.
import { nameSuffix } from '../hash';
import { addressAt, parseCidr } from '../cluster/ipam';
import type { SimNode, SimService } from '../cluster/model';
import type { ClusterSettings } from '../cluster/settings';
import type { PodBlueprint } from '../cluster/workloads';

/** The `kubernetes` Service takes the service CIDR's first address, `kube-dns` its tenth, as kubeadm sets them. */
export const KUBERNETES_SERVICE_IP_OFFSET = 1n;
export const KUBE_DNS_IP_OFFSET = 10n;

const COREDNS_PORTS = [
  { name: 'dns', containerPort: 53, protocol: 'UDP' as const, path: [] },
  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' as const, path: [] },
  { name: 'metrics', containerPort: 9153, protocol: 'TCP' as const, path: [] },
];

/** CoreDNS as kubeadm deploys it: two replicas of Deployment kube-system/coredns labelled k8s-app=kube-dns. */
export function coreDnsBlueprints(): PodBlueprint[] {
  const hash = nameSuffix('kube-system/coredns/template', 10);
  return [0, 1].map((i) => ({
    namespace: 'kube-system',
    name: `coredns-${hash}-${nameSuffix(`kube-system/coredns/${i}`, 5)}`,
    workload: { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
    labels: { 'k8s-app': 'kube-dns' },
    hostNetwork: false,
    ready: true,
    containers: [{ name: 'coredns', ports: COREDNS_PORTS, texts: [] }],
    dnsPolicy: 'Default' as const,
    origin: { kind: 'implicit' as const },
    specPath: [],
    nodeSelector: {},
    perNode: false,
    replicaIndex: i,
  }));
}

/** The `kubernetes` and `kube-dns` Services, unless the workspace defines its own. */
export function implicitServices(settings: ClusterSettings, userServices: SimService[]): SimService[] {
  const cidr = parseCidr(settings.serviceCIDR);
  const base = {
    clusterIPs: [],
    headless: false,
    externalTrafficPolicy: 'Cluster' as const,
    internalTrafficPolicy: 'Cluster' as const,
    sessionAffinity: 'None' as const,
    sessionAffinityTimeoutSeconds: 10800,
    externalIPs: [],
    publishNotReadyAddresses: false,
    origin: { kind: 'implicit' as const },
  };
  const out: SimService[] = [];
  const has = (ns: string, name: string) => userServices.some((s) => s.namespace === ns && s.name === name);
  if (!has('default', 'kubernetes')) {
    out.push({
      ...base,
      namespace: 'default',
      name: 'kubernetes',
      type: 'ClusterIP',
      clusterIP: addressAt(cidr, KUBERNETES_SERVICE_IP_OFFSET),
      selector: null,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443, path: [] }],
      endpointsByPort: [[]],
    });
  }
  if (!has('kube-system', 'kube-dns')) {
    out.push({
      ...base,
      namespace: 'kube-system',
      name: 'kube-dns',
      type: 'ClusterIP',
      clusterIP: addressAt(cidr, KUBE_DNS_IP_OFFSET),
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53, path: [] },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53, path: [] },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153, path: [] },
      ],
      endpointsByPort: [[], [], []],
    });
  }
  return out;
}

/**
 * The `kubernetes` Service's endpoints are the API servers (hostNetwork, 6443): one on each node
 * labelled as control plane (`node-role.kubernetes.io/control-plane`, or the older `master`),
 * else on the first node.
 */
export function apiServerEndpoints(services: SimService[], nodes: SimNode[]): void {
  const api = services.find((s) => s.origin.kind === 'implicit' && s.name === 'kubernetes');
  const labelled = nodes.filter((n) => 'node-role.kubernetes.io/control-plane' in n.labels || 'node-role.kubernetes.io/master' in n.labels);
  const hosts = labelled.length > 0 ? labelled : nodes.slice(0, 1);
  if (api && hosts.length > 0)
    api.endpointsByPort = [
      hosts.map((n) => ({ pod: `kube-system/kube-apiserver-${n.name}`, ip: n.ip, port: 6443, node: n.name, ready: true })),
    ];
}
