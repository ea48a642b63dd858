import type { SourceRange } from './source';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInformation {
  message: string;
  location: SourceRange;
}

/** A problem found while simulating, at the exact field at fault. Data, never an exception. */
export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  range: SourceRange;
  /** `Kind/namespace/name` of the object concerned, when there is one. */
  resource?: string;
  related?: RelatedInformation[];
  /** Edits that fix the problem where the fix is clear (quick fixes in the editor, suggestions in the CLI's JSON). */
  fixes?: Fix[];
}

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

/** Adds a fix to a diagnostic (returns it, for chaining where diagnostics are pushed). */
export function withFix(d: Diagnostic, fix: Fix | undefined): Diagnostic {
  if (fix) (d.fixes ??= []).push(fix);
  return d;
}

type Params = Record<string, string | number>;

interface CodeInfo {
  severity: Severity;
  /** One line for the README catalogue and SARIF rule metadata. */
  summary: string;
  docs: string;
  format: (p: Params) => string;
}

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
    summary: 'The document exceeds a safety limit (alias count or nesting depth) and is skipped.',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `Document skipped: ${p.reason}. Manifests never need this many aliases or this much nesting.`,
  },
  'helm-template': {
    severity: 'warning',
    summary: 'A Helm/Go template (`{{ }}`) cannot be simulated before it is rendered.',
    docs: 'https://helm.sh/docs/chart_template_guide/',
    format: () => 'This document is a Helm/Go template ({{ }}); it is not simulated. Render it (helm template) into the workspace to have it analysed.',
  },
  'file-skipped': {
    severity: 'warning',
    summary: 'A file was not read (too large, or binary).',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `File skipped: ${p.reason}.`,
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
    format: (p) => `spec.selector (${p.selector}) does not match the pod template's labels (${p.labels}); the API server rejects this ${p.kind}. Make the template carry the selector's labels.`,
  },
  'service-no-endpoints': {
    severity: 'warning',
    summary: 'A Service selects no pod, so connections to it are refused.',
    docs: `${DOCS}/concepts/services-networking/service/#defining-a-service`,
    format: (p) => `Service ${p.service} selects no pod: no pod in namespace ${p.namespace} has the labels ${p.selector}.${p.hint ? ' ' + p.hint : ''} Connections to it will be refused.`,
  },
  'service-target-port-unresolved': {
    severity: 'error',
    summary: "A Service's targetPort does not name or match a port of the pods it selects.",
    docs: `${DOCS}/concepts/services-networking/service/#field-spec-ports`,
    format: (p) => `targetPort ${p.targetPort} ${p.reason}${p.hint ? ' ' + p.hint : ''}`,
  },
  'service-port-mismatch': {
    severity: 'error',
    summary: 'A URL names a port that the Service does not expose.',
    docs: `${DOCS}/concepts/services-networking/service/#field-spec-ports`,
    format: (p) => `${p.host} resolves to Service ${p.service}, which does not expose port ${p.port} (it exposes ${p.ports}). Use one of its ports.`,
  },
  'ingress-backend-missing': {
    severity: 'error',
    summary: 'An Ingress backend names a Service that does not exist.',
    docs: `${DOCS}/concepts/services-networking/ingress/#ingress-rules`,
    format: (p) => `Ingress backend Service ${p.service} does not exist in namespace ${p.namespace}; requests routed here get 503.${p.hint ? ' ' + p.hint : ''}`,
  },
  'ingress-backend-port-missing': {
    severity: 'error',
    summary: "An Ingress backend names a port that its Service does not expose.",
    docs: `${DOCS}/concepts/services-networking/ingress/#ingress-rules`,
    format: (p) => `Service ${p.service} has no port ${p.port} (it exposes ${p.ports}); requests routed here get 503.`,
  },
  'ingress-class-missing': {
    severity: 'warning',
    summary: 'An Ingress names an IngressClass that does not exist (or names none and no class is default), so no controller serves it.',
    docs: `${DOCS}/concepts/services-networking/ingress/#ingress-class`,
    format: (p) => `Ingress ${p.ingress} ${p.why}; no ingress controller serves it, so it gets no address and its hosts are unreachable. Name an existing IngressClass in spec.ingressClassName, or mark one default (ingressclass.kubernetes.io/is-default-class: "true").`,
  },
  'ingress-controller-implicit': {
    severity: 'info',
    summary: 'The workspace defines no IngressClass; the simulator adds an ingress controller for the class an Ingress uses.',
    docs: `${DOCS}/concepts/services-networking/ingress-controllers/`,
    format: (p) => `Ingress ${p.ingress} is served by a simulated ingress-nginx controller (${p.controller}, class ${p.className}), since the workspace defines no IngressClass. Add your IngressClass to simulate your own controller's class.`,
  },
  'policy-selects-nothing': {
    severity: 'warning',
    summary: 'A NetworkPolicy selects no pod, so it has no effect.',
    docs: `${DOCS}/concepts/services-networking/network-policies/`,
    format: (p) => `NetworkPolicy ${p.policy} selects no pod in namespace ${p.namespace} (podSelector ${p.selector}); it has no effect.${p.hint ? ' ' + p.hint : ''}`,
  },
  'policy-blocks-dns': {
    severity: 'warning',
    summary: 'A NetworkPolicy leaves pods unable to reach cluster DNS (kube-dns) on port 53.',
    docs: `${DOCS}/concepts/services-networking/network-policies/#default-deny-all-egress-traffic`,
    format: (p) => `NetworkPolicy ${p.policy} leaves ${p.workloads} unable to reach cluster DNS (${p.dns}) on ${p.protocols}: ${p.side}, and no rule admits it, so ${p.consequence}. Add an egress rule to namespaceSelector kubernetes.io/metadata.name=kube-system with podSelector k8s-app=kube-dns, on UDP and TCP 53.`,
  },
  'pod-port-conflict': {
    severity: 'error',
    summary: 'Two containers of one pod declare the same port and protocol; they share one network namespace.',
    docs: `${DOCS}/concepts/services-networking/#the-kubernetes-network-model`,
    format: (p) => `Containers ${p.first} and ${p.second} both listen on ${p.port}/${p.protocol}; containers of a pod share one network namespace, so the second cannot bind. Use another port.`,
  },
  'pod-unschedulable': {
    severity: 'warning',
    summary: 'No node satisfies the pod\'s nodeName or nodeSelector; it stays Pending with no IP.',
    docs: `${DOCS}/concepts/scheduling-eviction/assign-pod-node/`,
    format: (p) => `No node matches ${p.constraint}; the pods of ${p.workload} stay Pending and get no IP. Known nodes: ${p.nodes}.`,
  },
  'nodeport-out-of-range': {
    severity: 'error',
    summary: 'An explicit nodePort lies outside the cluster\'s NodePort range.',
    docs: `${DOCS}/concepts/services-networking/service/#type-nodeport`,
    format: (p) => `nodePort ${p.nodePort} is outside the NodePort range ${p.range}; the API server rejects it. Pick a port in the range or omit it.`,
  },
  'nodeport-conflict': {
    severity: 'error',
    summary: 'Two Services ask for the same nodePort.',
    docs: `${DOCS}/concepts/services-networking/service/#type-nodeport`,
    format: (p) => `nodePort ${p.nodePort} is already taken by Service ${p.other}; the API server rejects the second. Pick another or omit it.`,
  },
  'clusterip-out-of-range': {
    severity: 'error',
    summary: 'An explicit clusterIP lies outside the service CIDR.',
    docs: `${DOCS}/concepts/services-networking/cluster-ip-allocation/`,
    format: (p) => `clusterIP ${p.ip} is not in the service CIDR ${p.cidr}; the API server rejects it. Pick an address in the range or omit it.`,
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
  },
  'connection-blocked-by-policy': {
    severity: 'warning',
    summary: 'A connection named in a container env value, args or a ConfigMap is dropped by NetworkPolicy.',
    docs: `${DOCS}/concepts/services-networking/network-policies/`,
    format: (p) => `${p.from} cannot connect to ${p.to}: ${p.reason}`,
  },
  'external-traffic-local-imbalance': {
    severity: 'warning',
    summary: 'externalTrafficPolicy Local with nodes that have no endpoint: traffic to those nodes is dropped.',
    docs: `${DOCS}/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip`,
    format: (p) => `externalTrafficPolicy: Local and ${p.without} of ${p.total} nodes (${p.nodes}) run no endpoint of ${p.service}: traffic arriving there is dropped, and the rest is spread unevenly. Run an endpoint on every node (a DaemonSet) or use Cluster.`,
  },
} satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CATALOGUE;

export function makeDiagnostic(code: DiagnosticCode, range: SourceRange, params: Params, resource?: string, related?: RelatedInformation[]): Diagnostic {
  const info: CodeInfo = CATALOGUE[code];
  const d: Diagnostic = { severity: info.severity, code, message: info.format(params), range };
  if (resource !== undefined) d.resource = resource;
  if (related !== undefined && related.length > 0) d.related = related;
  return d;
}

export function docsLink(code: DiagnosticCode): string {
  return CATALOGUE[code].docs;
}

/** Stable order for output: by file, position, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    cmp(a.range.file, b.range.file) ||
    a.range.line - b.range.line ||
    a.range.column - b.range.column ||
    cmp(a.code, b.code) ||
    cmp(a.message, b.message)
  );
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
