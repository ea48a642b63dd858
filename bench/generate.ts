// Realistic generated workspaces for the benchmark: N namespaces × M apps, each app a Deployment
// of 3 replicas behind a Service with named ports, env URLs between Services (same namespace and
// the next one), per-namespace default-deny plus DNS egress, per-app allow policies with
// matchExpressions and namespaceSelectors, an Ingress per namespace, and kind: Node objects enough
// for at most 110 pods per node (the kubelet default).
import { dump } from 'js-yaml';
import type { InputFile } from '../src/engine';

export interface WorkspaceSize {
  namespaces: number;
  apps: number;
  replicas?: number;
}

export interface GeneratedWorkspace {
  files: InputFile[];
  /** Kubernetes objects written (Nodes included). */
  objects: number;
  pods: number;
  policies: number;
  nodes: number;
  /** kube-netsim.yaml for workspaces too large for the default podCIDR (its text; the CLI reads it at the root). */
  settings?: InputFile;
}

const MAX_PODS_PER_NODE = 110;
const TIERS = ['frontend', 'backend', 'data'];

const yamlDocs = (objects: object[]) => objects.map((o) => dump(o, { noRefs: true })).join('---\n');

function namespace(i: number): string {
  return `team-${String(i).padStart(3, '0')}`;
}

function app(j: number): string {
  return `svc-${String(j).padStart(3, '0')}`;
}

/** One namespace's manifests: its apps, Services, policies and Ingress. */
function namespaceFile(i: number, size: Required<WorkspaceSize>): { objects: object[]; policies: number } {
  const ns = namespace(i);
  const next = namespace((i + 1) % size.namespaces);
  const objects: object[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${i % 5}`, env: i % 2 ? 'staging' : 'prod' } } },
  ];
  for (let j = 0; j < size.apps; j++) {
    const name = app(j);
    const labels = { app: name, tier: TIERS[j % 3] as string, version: 'v1' };
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, labels },
      spec: {
        replicas: size.replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'app',
                image: `registry.example.com/${name}:1.4.2`,
                ports: [
                  { name: 'http', containerPort: 8080 },
                  { name: 'metrics', containerPort: 9090 },
                ],
                env: [
                  { name: 'UPSTREAM_URL', value: `http://${app((j + 1) % size.apps)}:80/api` },
                  { name: 'PARTNER_URL', value: `http://${app(j)}.${next}.svc.cluster.local:80` },
                  { name: 'LOG_LEVEL', value: 'info' },
                  // Every seventh app also calls a Service its policy does not admit: the kind of drift the diagnostics catch.
                  ...(j % 7 === 3 ? [{ name: 'CACHE_URL', value: `http://${app((j + 2) % size.apps)}:80` }] : []),
                ],
              },
            ],
          },
        },
      },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: {
        selector: { app: name },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'metrics', port: 9090, targetPort: 'metrics' },
        ],
      },
    });
  }
  const np = (name: string, spec: object) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  });
  const policies: object[] = [
    np('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    np('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
      ],
    }),
  ];
  for (let j = 0; j < size.apps; j++) {
    policies.push(
      np(`allow-${app(j)}`, {
        podSelector: { matchLabels: { app: app(j) } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [
              { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [app((j + size.apps - 1) % size.apps)] }] } },
              {
                namespaceSelector: { matchLabels: { team: `t${((i + size.namespaces - 1) % size.namespaces) % 5}` } },
                podSelector: { matchLabels: { app: app(j) } },
              },
              ...(j === 0 ? [{ namespaceSelector: {} }] : []), // the Ingress backend admits the controller
            ],
            ports: [{ port: 'http' }],
          },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9090 }] },
        ],
        egress: [
          { to: [{ podSelector: { matchLabels: { app: app((j + 1) % size.apps) } } }], ports: [{ port: 8080 }] },
          {
            to: [
              {
                namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [next] }] },
                podSelector: { matchLabels: { app: app(j) } },
              },
            ],
            ports: [{ port: 'http' }],
          },
          ...(j % 10 === 0
            ? [
                {
                  to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
                  ports: [{ port: 443 }],
                },
              ]
            : []),
        ],
      }),
    );
  }
  objects.push(...policies);
  objects.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: ns },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: `${ns}.example.com`,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: app(0), port: { name: 'http' } } } }] },
        },
      ],
    },
  });
  return { objects, policies: policies.length };
}

/** The podCIDR of workspaces with more nodes than 10.244.0.0/16 has /24s for: clear of the nodes' 10.0/16 and the Service CIDR 10.96.0.0/12. */
const WIDE_POD_CIDR = '10.128.0.0/10';

/** Node k's /24: from 10.244.0.0/16 while it holds them all (the default podCIDR), else from WIDE_POD_CIDR. */
function nodeCidr(k: number, count: number): string {
  if (count <= 254) return `10.244.${k + 1}.0/24`;
  return `10.${128 + Math.floor(k / 256)}.${k % 256}.0/24`;
}

function nodesFile(count: number): object[] {
  return Array.from({ length: count }, (_, k) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `worker-${String(k + 1).padStart(3, '0')}`, labels: { 'topology.kubernetes.io/zone': `zone-${k % 3}` } },
    spec: { podCIDR: nodeCidr(k, count) },
    status: { addresses: [{ type: 'InternalIP', address: `10.0.${Math.floor((k + 1) / 250)}.${((k + 1) % 250) + 1}` }] },
  }));
}

/** A workspace of the given size, one file per namespace plus one for the nodes. Deterministic. */
export function generateWorkspace(input: WorkspaceSize): GeneratedWorkspace {
  const size: Required<WorkspaceSize> = { replicas: 3, ...input };
  const pods = size.namespaces * size.apps * size.replicas;
  // Scheduling spreads replicas round-robin, so leave headroom below the per-node limit.
  const nodes = Math.max(3, Math.ceil(pods / (MAX_PODS_PER_NODE * 0.8)));
  if (nodes > 64 * 256) throw new Error(`${pods} pods need ${nodes} nodes; the generator supports at most ${64 * 256}`);
  const files: InputFile[] = [{ path: 'cluster/nodes.yaml', text: yamlDocs(nodesFile(nodes)) }];
  let policies = 0;
  let objects = nodes;
  for (let i = 0; i < size.namespaces; i++) {
    const f = namespaceFile(i, size);
    policies += f.policies;
    objects += f.objects.length;
    files.push({ path: `${namespace(i)}/manifests.yaml`, text: yamlDocs(f.objects) });
  }
  const ws: GeneratedWorkspace = { files, objects, pods, policies, nodes };
  if (nodes > 254) ws.settings = { path: 'kube-netsim.yaml', text: `podCIDR: ${WIDE_POD_CIDR}\n` };
  return ws;
}
