// One-line expectations for engine tests: build a workspace from strings, analyse it, and
// assert on pods, Services, DNS answers and diagnostics by name and exact 1-based position.
import assert from 'node:assert/strict';
import {
  analyzeWorkspace,
  parseSettings,
  defaultSettings,
  findSource,
  type Analysis,
  type ClusterSettings,
  type Diagnostic,
  type DiagnosticCode,
  type SimPod,
  type SimService,
} from '../src/engine';
import type { DnsResult, RecordType } from '../src/engine/dns/zone';

/** Strips the common indentation of a template literal, so manifests can be written indented in tests. */
export function yaml(strings: TemplateStringsArray | string, ...values: unknown[]): string {
  const raw =
    typeof strings === 'string' ? strings : strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '\n')
    .split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/** Settings from a kube-netsim.yaml text, a partial override of the defaults, or the defaults. */
export function settingsFrom(s?: string | Partial<ClusterSettings>): ClusterSettings {
  if (s === undefined) return defaultSettings();
  if (typeof s === 'string') {
    const parsed = parseSettings('kube-netsim.yaml', s);
    assert.deepEqual(
      parsed.diagnostics.map((d) => d.message),
      [],
      'test settings must be valid',
    );
    return parsed.settings;
  }
  return { ...defaultSettings(), ...s };
}

/** Analyses a workspace given as `{ path: text }`. */
export function analyze(files: Record<string, string>, settings?: string | Partial<ClusterSettings>): Analysis {
  return analyzeWorkspace(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    { settings: settingsFrom(settings) },
  );
}

export function codes(a: Analysis | Diagnostic[]): string[] {
  return ('diagnostics' in a ? a.diagnostics : a).map((d) => d.code);
}

/** Every diagnostic with this code, as `file:line:column` strings (easy to compare in one line). */
export function where(a: Analysis | Diagnostic[], code: DiagnosticCode): string[] {
  return ('diagnostics' in a ? a.diagnostics : a)
    .filter((d) => d.code === code)
    .map((d) => `${d.range.file}:${d.range.line}:${d.range.column}`);
}

/** Asserts a diagnostic with this code at exactly this 1-based position and returns it. */
export function expectDiagnostic(a: Analysis | Diagnostic[], code: DiagnosticCode, file: string, line: number, column: number): Diagnostic {
  const list = 'diagnostics' in a ? a.diagnostics : a;
  const d = list.find((x) => x.code === code && x.range.file === file && x.range.line === line && x.range.column === column);
  if (!d) {
    assert.fail(
      `expected ${code} at ${file}:${line}:${column}; got ${JSON.stringify(list.map((x) => `${x.code}@${x.range.file}:${x.range.line}:${x.range.column}`))}`,
    );
  }
  return d;
}

export function expectNoDiagnostic(a: Analysis | Diagnostic[], code?: DiagnosticCode): void {
  const list = ('diagnostics' in a ? a.diagnostics : a).filter((d) => code === undefined || d.code === code);
  assert.deepEqual(
    list.map((d) => `${d.code}@${d.range.file}:${d.range.line}:${d.range.column}: ${d.message}`),
    [],
  );
}

/**
 * The diagnostics less missing-readiness-probe, for tests of something else whose manifests (like most
 * examples in the Kubernetes docs) put pods without a readinessProbe behind a Service.
 */
export function withoutProbes(a: Analysis): Diagnostic[] {
  return a.diagnostics.filter((d) => d.code !== 'missing-readiness-probe');
}

/** The pods of a workload (`ns/name`) or the one pod of that name, sorted by name. */
export function podsOf(a: Analysis, id: string): SimPod[] {
  const [ns, name] = id.split('/');
  return a.cluster.pods
    .filter((p) => p.namespace === ns && (p.workload.name === name || p.name === name))
    .sort((x, y) => (x.name < y.name ? -1 : 1));
}

export function pod(a: Analysis, id: string): SimPod {
  const [ns, name] = id.split('/');
  const p = a.cluster.pods.find((x) => x.namespace === ns && x.name === name) ?? podsOf(a, id)[0];
  assert.ok(p, `no pod ${id}; pods: ${a.cluster.pods.map((x) => `${x.namespace}/${x.name}`).join(', ')}`);
  return p;
}

export function service(a: Analysis, id: string): SimService {
  const [ns, name] = id.split('/');
  const s = a.cluster.services.find((x) => x.namespace === ns && x.name === name);
  assert.ok(s, `no Service ${id}`);
  return s;
}

/** `ip:port` of every endpoint of a Service's port (first port by default), sorted. */
export function endpoints(a: Analysis, id: string, portIndex = 0): string[] {
  return (service(a, id).endpointsByPort[portIndex] ?? []).map((e) => `${e.ip}:${e.port}`).sort();
}

/** Resolves a name as the pod of `from` (`ns/workload`, or a bare namespace for an ad-hoc client) would. */
export function resolve(a: Analysis, name: string, from: string, type: RecordType = 'A'): DnsResult {
  if (!from.includes('/')) return a.dns.resolve(name, { namespace: from }, type);
  const found = findSource(a.cluster, from);
  assert.ok(found.ok && found.source.kind === 'pod', `no pod source ${from}`);
  return a.dns.resolve(name, found.source.pod, type);
}

/** The answers as `name TYPE value` lines, sorted. */
export function answers(r: DnsResult): string[] {
  return r.answers.map((x) => `${x.name} ${x.type} ${x.value}`).sort();
}

/** A workload (Deployment by default) or bare Pod with one container; options cover what tests vary. */
export function workload(o: {
  kind?: string;
  name: string;
  namespace?: string;
  replicas?: number;
  labels?: Record<string, string>;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  env?: Record<string, string>;
  /** Extra pod-spec lines (YAML, unindented), e.g. `nodeName: node-2`. */
  podSpec?: string;
  /** Extra workload-spec lines (YAML, unindented), e.g. `serviceName: db`. */
  spec?: string;
}): string {
  const kind = o.kind ?? 'Deployment';
  const labels = o.labels ?? { app: o.name };
  const apiVersion = kind === 'Pod' ? 'v1' : kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  const at = (n: number, lines: string[]) => lines.map((l) => ' '.repeat(n) + l);
  const labelLines = Object.entries(labels).map(([k, v]) => `${k}: ${v}`);
  const podSpec: string[] = [...(o.podSpec ? o.podSpec.split('\n') : []), 'containers:', '- name: main', `  image: example/${o.name}`];
  if (o.ports?.length) {
    podSpec.push('  ports:');
    for (const p of o.ports)
      podSpec.push(
        `  - containerPort: ${p.containerPort}`,
        ...(p.name ? [`    name: ${p.name}`] : []),
        ...(p.protocol ? [`    protocol: ${p.protocol}`] : []),
      );
  }
  const env = Object.entries(o.env ?? {});
  if (env.length) {
    podSpec.push('  env:');
    for (const [k, v] of env) podSpec.push(`  - name: ${k}`, `    value: ${JSON.stringify(v)}`);
  }
  const head = [
    `apiVersion: ${apiVersion}`,
    `kind: ${kind}`,
    'metadata:',
    `  name: ${o.name}`,
    ...(o.namespace ? [`  namespace: ${o.namespace}`] : []),
  ];
  if (kind === 'Pod') return [...head, '  labels:', ...at(4, labelLines), 'spec:', ...at(2, podSpec)].join('\n') + '\n';
  const template = ['metadata:', '  labels:', ...at(4, labelLines), 'spec:', ...at(2, podSpec)];
  const body: string[] = [...(o.spec ? o.spec.split('\n') : []), ...(o.replicas !== undefined ? [`replicas: ${o.replicas}`] : [])];
  if (kind === 'CronJob') body.push('schedule: "*/5 * * * *"', 'jobTemplate:', '  spec:', '    template:', ...at(6, template));
  else if (kind === 'Job') body.push('template:', ...at(2, template));
  else body.push('selector:', '  matchLabels:', ...at(4, labelLines), 'template:', ...at(2, template));
  return [...head, 'spec:', ...at(2, body)].join('\n') + '\n';
}

/** A Service selecting `selector` with the given ports. */
export function svc(o: {
  name: string;
  namespace?: string;
  selector?: Record<string, string> | null;
  ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string; nodePort?: number }>;
  type?: string;
  clusterIP?: string;
  extra?: string;
}): string {
  const selector = o.selector === undefined ? { app: o.name } : o.selector;
  const lines = [`apiVersion: v1`, `kind: Service`, `metadata:`, `  name: ${o.name}`];
  if (o.namespace) lines.push(`  namespace: ${o.namespace}`);
  lines.push('spec:');
  if (o.type) lines.push(`  type: ${o.type}`);
  if (o.clusterIP) lines.push(`  clusterIP: ${o.clusterIP}`);
  if (selector) lines.push('  selector:', ...Object.entries(selector).map(([k, v]) => `    ${k}: ${v}`));
  const ports = o.ports ?? [{ port: 80 }];
  if (ports.length) {
    lines.push('  ports:');
    for (const p of ports) {
      lines.push(`  - port: ${p.port}`);
      if (p.name) lines.push(`    name: ${p.name}`);
      if (p.targetPort !== undefined) lines.push(`    targetPort: ${p.targetPort}`);
      if (p.protocol) lines.push(`    protocol: ${p.protocol}`);
      if (p.nodePort !== undefined) lines.push(`    nodePort: ${p.nodePort}`);
    }
  }
  if (o.extra) lines.push(...o.extra.split('\n').map((l) => `  ${l}`));
  return lines.join('\n') + '\n';
}

/** Joins manifests into one multi-document stream. */
export function docs(...parts: string[]): string {
  return parts.map((p) => p.replace(/\n*$/, '\n')).join('---\n');
}

/** The 1-based line of the first line containing `needle` (for position assertions that survive edits to the fixture). */
export function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if ((lines[i] ?? '').includes(needle) && seen++ === nth) return i + 1;
  assert.fail(`${JSON.stringify(needle)} not in text`);
}

/** The 1-based column where `needle` starts on its line. */
export function columnOf(text: string, needle: string, nth = 0): number {
  const line = text.split('\n')[lineOf(text, needle, nth) - 1] ?? '';
  return line.indexOf(needle) + 1;
}
