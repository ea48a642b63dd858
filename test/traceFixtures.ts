// Small manifest builders for the kube-proxy, ingress, CNI and trace tests: a workspace is a
// few one-line calls, so each test shows only what it varies.
import { analyzeWorkspace, defaultSettings, findSource, type Analysis, type ClusterSettings, type Source } from '../src/engine';

export interface DeploymentOptions {
  namespace?: string;
  replicas?: number;
  labels?: Record<string, string>;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  /** Pin every replica to one node. */
  nodeName?: string;
  kind?: 'Deployment' | 'DaemonSet';
}

/** A Deployment (or DaemonSet) whose pods carry `app: name` and declare the given ports. */
export function deployment(name: string, o: DeploymentOptions = {}): string {
  const labels = o.labels ?? { app: name };
  const labelText = `{${Object.entries(labels)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}}`;
  const ports = (o.ports ?? [{ name: 'http', containerPort: 8080 }])
    .map((p) => `{containerPort: ${p.containerPort}${p.name ? `, name: ${p.name}` : ''}${p.protocol ? `, protocol: ${p.protocol}` : ''}}`)
    .join(', ');
  return [
    'apiVersion: apps/v1',
    `kind: ${o.kind ?? 'Deployment'}`,
    `metadata: {name: ${name}, namespace: ${o.namespace ?? 'default'}}`,
    'spec:',
    ...(o.kind === 'DaemonSet' ? [] : [`  replicas: ${o.replicas ?? 1}`]),
    `  selector: {matchLabels: ${labelText}}`,
    '  template:',
    `    metadata: {labels: ${labelText}}`,
    '    spec:',
    ...(o.nodeName ? [`      nodeName: ${o.nodeName}`] : []),
    `      containers: [{name: main, image: example/${name}, ports: [${ports}]}]`,
  ].join('\n');
}

export interface ServiceOptions {
  namespace?: string;
  type?: string;
  selector?: Record<string, string> | null;
  ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string; nodePort?: number }>;
  /** Extra `spec` lines, already indented by two spaces. */
  extra?: string[];
}

export function service(name: string, o: ServiceOptions = {}): string {
  const selector = o.selector === undefined ? { app: name } : o.selector;
  const ports = o.ports ?? [{ name: 'http', port: 80, targetPort: 'http' }];
  return [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}, namespace: ${o.namespace ?? 'default'}}`,
    'spec:',
    ...(o.type ? [`  type: ${o.type}`] : []),
    ...(selector
      ? [
          `  selector: {${Object.entries(selector)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')}}`,
        ]
      : []),
    '  ports:',
    ...ports.map(
      (p) =>
        `  - {port: ${p.port}${p.name ? `, name: ${p.name}` : ''}${p.targetPort !== undefined ? `, targetPort: ${p.targetPort}` : ''}${p.protocol ? `, protocol: ${p.protocol}` : ''}${p.nodePort !== undefined ? `, nodePort: ${p.nodePort}` : ''}}`,
    ),
    ...(o.extra ?? []),
  ].join('\n');
}

/** Joins documents into one stream. */
export function stream(...docs: string[]): string {
  return docs.join('\n---\n') + '\n';
}

/** Analyses one file (or several) with the default settings overridden by `settings`. */
export function simulate(files: string | Record<string, string>, settings: Partial<ClusterSettings> = {}): Analysis {
  const map = typeof files === 'string' ? { 'manifests.yaml': files } : files;
  return analyzeWorkspace(
    Object.entries(map).map(([path, text]) => ({ path, text })),
    { settings: { ...defaultSettings(), ...settings } },
  );
}

/** The Source for a CLI-style SOURCE string; fails the test when it does not resolve. */
export function from(a: Analysis, spec: string): Source {
  const found = findSource(a.cluster, spec);
  if (!found.ok) throw new Error(found.message);
  return found.source;
}
