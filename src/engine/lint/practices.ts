// The seed's best practices, checked against the simulated cluster: literal pod or Service
// addresses in configuration (hardcoded-ip), localhost:PORT that nothing in the pod serves
// (localhost-port-unbound), several HTTP LoadBalancers one Ingress could replace (prefer-ingress),
// pods behind a Service without a readinessProbe (missing-readiness-probe), and probes on
// ports the container does not declare (probe-port-not-exposed). The opinionated infos leave cluster
// snapshots alone: a dump records what runs, it is not a source to edit.
import { makeDiagnostic, withFix, type Diagnostic, type Fix, editDistance } from '../diagnostics';
import { isRecord, resourceName } from '../manifests/fields';
import { cidrContains, isIP } from '../cluster/ipam';
import { commandLinePorts } from '../cluster/served';
import { ingressExposures } from '../ingress/backends';
import { podId, serviceId, type EnvValue, type SimContainer, type SimPod, type SimService } from '../cluster/model';
import { substringRange, type FieldPath } from '../source';
import type { LintContext } from './context';
import { oneTypoAway } from './selectors';
import { yamlScalar } from './yamlEdit';
import { isLive } from '../cluster/snapshot';
import { copyDiagnostic } from '../incremental/memo';

export function lintPractices(ctx: LintContext): void {
  hardcodedIPs(ctx);
  localhostPorts(ctx);
  preferIngress(ctx);
  readinessProbes(ctx);
  probePorts(ctx);
}

const IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.]|\/\d)/g;

/**
 * Each text of the workspace that may name addresses, with its namespace: one pod per workload's
 * (only of pods whose texts `re` matches somewhere), and ConfigMaps'.
 */
function eachText(ctx: LintContext, re: RegExp, visit: (text: EnvValue, namespace: string) => void): void {
  for (const pod of ctx.representatives()) {
    if (!anyMatch(pod.containers, re)) continue;
    for (const c of pod.containers) for (const text of c.texts) if (text.origin.kind === 'manifest') visit(text, pod.namespace);
  }
  for (const cm of ctx.cluster.configMaps) for (const text of cm.texts) if (text.origin.kind === 'manifest') visit(text, cm.namespace);
}

/**
 * A regular expression's matches in a text, found once per text: a pod template's texts are kept
 * with its read across analyses (workloads.ts), and most name no address at all. Shared: not mutated.
 */
const scans = new WeakMap<EnvValue, Map<RegExp, RegExpMatchArray[]>>();

/** Whether `re` matches a text of the containers, by containers (a template read's, kept across analyses). */
const containerScans = new WeakMap<SimContainer[], Map<RegExp, boolean>>();

function anyMatch(containers: SimContainer[], re: RegExp): boolean {
  let byRe = containerScans.get(containers);
  if (!byRe) containerScans.set(containers, (byRe = new Map<RegExp, boolean>()));
  let found = byRe.get(re);
  if (found === undefined)
    byRe.set(re, (found = containers.some((c) => c.texts.some((t) => t.value.length <= 4096 && matchesIn(t, re).length > 0))));
  return found;
}

function matchesIn(text: EnvValue, re: RegExp): RegExpMatchArray[] {
  let byRe = scans.get(text);
  if (!byRe) scans.set(text, (byRe = new Map<RegExp, RegExpMatchArray[]>()));
  let found = byRe.get(re);
  if (!found) byRe.set(re, (found = [...text.value.matchAll(re)]));
  return found;
}

function hardcodedIPs(ctx: LintContext): void {
  const s = ctx.cluster.settings;
  // Built on the first address found: most workspaces write none.
  let byClusterIP: Map<string, SimService> | undefined;
  let byPodIP: Map<string, SimPod> | undefined;
  eachText(ctx, IPV4, (text, namespace) => {
    if (text.value.length > 4096 || text.origin.kind !== 'manifest') return;
    for (const m of matchesIn(text, IPV4)) {
      if (!byClusterIP || !byPodIP) {
        byClusterIP = new Map<string, SimService>();
        for (const svc of ctx.cluster.services) for (const ip of svc.clusterIPs) byClusterIP.set(ip, svc);
        byPodIP = new Map(ctx.cluster.pods.filter((p) => p.ip && !p.hostNetwork).map((p) => [p.ip as string, p]));
      }
      const ip = m[1] ?? '';
      if (!isIP(ip)) continue;
      const inServices = cidrContains(s.serviceCIDR, ip);
      const inPods = cidrContains(s.podCIDR, ip);
      if (!inServices && !inPods) continue;
      const svc = byClusterIP.get(ip) ?? (inPods ? serviceOfPod(ctx, byPodIP.get(ip)) : undefined);
      const name = svc ? (svc.namespace === namespace ? svc.name : `${svc.name}.${svc.namespace}`) : undefined;
      const what = byClusterIP.has(ip)
        ? `the ClusterIP of Service ${serviceId(svc as SimService)}`
        : inServices
          ? `inside the Service CIDR ${s.serviceCIDR} (a ClusterIP)`
          : byPodIP.has(ip)
            ? `the address of pod ${podId(byPodIP.get(ip) as SimPod)}`
            : `inside the pod CIDR ${s.podCIDR} (a pod address)`;
      const why = inServices
        ? 'ClusterIPs are allocated when a Service is created, so it changes when the Service is recreated or the manifests move to another cluster.'
        : 'pod addresses change every time a pod is rescheduled or restarted.';
      const scalar = text.origin.object.locate(text.path);
      const at = substringRange(scalar, text.value, m.index ?? 0, ip.length) ?? scalar;
      const fix: Fix | undefined =
        name && at.endColumn - at.column === ip.length
          ? { title: `Use the Service name ${name}`, edits: [{ range: at, newText: name }] }
          : undefined;
      const suggestion = name ? `the Service's DNS name ${name}` : 'the DNS name of a Service in front of it';
      ctx.report(
        withFix(
          makeDiagnostic(
            'hardcoded-ip',
            at,
            { ip, what, why, suggestion },
            resourceName({ kind: text.origin.object.kind, namespace, name: text.origin.object.name }),
          ),
          fix,
        ),
      );
    }
  });
}

function serviceOfPod(ctx: LintContext, pod: SimPod | undefined): SimService | undefined {
  if (!pod) return undefined;
  const id = podId(pod);
  return ctx.cluster.services.find(
    (s) => s.origin.kind === 'manifest' && !s.headless && s.endpointsByPort.some((eps) => eps.some((e) => e.pod === id)),
  );
}

const LOCAL_REF = /(?<![\w.-])(localhost|127\.0\.0\.1|\[::1\]):(\d{1,5})(?!\d)/gi;
const BINDING = /listen|bind/i;

/** The flag or variable a text sets (`--metrics-bind-address` of `--metrics-bind-address=:8080`, or the env name). */
function setting(t: EnvValue): string {
  const flag = /^\s*(--?[\w.-]+)=/.exec(t.value)?.[1] ?? '';
  return `${t.label} ${flag}`;
}

/** Ports the pod's configuration binds (`--listen=:8080`, `--metrics-bind-address=127.0.0.1:8080`, `PORT=8080`). */
function configPorts(pod: SimPod): Set<number> {
  const out = new Set<number>();
  for (const c of pod.containers) {
    for (const t of c.texts) {
      const key = setting(t);
      const value = t.value.replace(/^\s*--?[\w.-]+=/, '');
      if (BINDING.test(key) || /^(0\.0\.0\.0)?:\d+$/.test(value) || (/port/i.test(key) && /^\d+$/.test(value))) {
        for (const m of value.matchAll(/(?:^|:)(\d{1,5})(?!\d)/g)) out.add(Number(m[1]));
      }
    }
  }
  return out;
}

/** Ports something in the pod listens on: declared container ports, numeric probe ports, and the ports its configuration and command line bind. */
function boundPorts(pod: SimPod): Set<number> {
  const out = configPorts(pod);
  for (const c of pod.containers) for (const p of [...c.ports.map((x) => x.containerPort), ...commandLinePorts(c)]) out.add(p);
  for (const probe of probesOf(pod)) if (typeof probe.port === 'number') out.add(probe.port);
  return out;
}

function localhostPorts(ctx: LintContext): void {
  for (const pod of ctx.representatives()) {
    // Many manifests declare no ports at all; only a pod that declares its ports tells us what is missing.
    if (pod.origin.kind !== 'manifest' || !pod.containers.some((c) => c.ports.length > 0) || !anyMatch(pod.containers, LOCAL_REF)) continue;
    // Read (probes, configuration) only for a pod whose texts name localhost at all: most never do.
    let bound: Set<number> | undefined;
    for (const c of pod.containers) {
      for (const t of c.texts) {
        if (t.value.length > 4096 || t.origin.kind !== 'manifest') continue;
        const refs = matchesIn(t, LOCAL_REF);
        if (refs.length === 0 || BINDING.test(setting(t))) continue;
        for (const m of refs) {
          const port = Number(m[2]);
          bound ??= boundPorts(pod);
          if (port < 1 || port > 65535 || bound.has(port)) continue;
          const scalar = t.origin.object.locate(t.path);
          const at = substringRange(scalar, t.value, m.index ?? 0, m[0].length) ?? scalar;
          const declared = [...new Set(pod.containers.flatMap((x) => x.ports.map((p) => `${p.containerPort}/${p.protocol}`)))];
          const ports = declared.length ? `its containers declare ${declared.join(', ')}` : 'its containers declare no ports';
          ctx.report(
            makeDiagnostic(
              'localhost-port-unbound',
              at,
              {
                target: m[0],
                port,
                workload: `${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name}`,
                ports,
                pod: podId(pod),
              },
              resourceName({ kind: t.origin.object.kind, namespace: pod.namespace, name: t.origin.object.name }),
            ),
          );
        }
      }
    }
  }
}

const HTTP_PORTS = new Set([80, 443, 8080, 8443]);

function servesHttp(svc: SimService): boolean {
  return svc.ports.some(
    (p) =>
      HTTP_PORTS.has(p.port) ||
      /^https?(-|$)/.test(p.name ?? '') ||
      /^(https?|kubernetes\.io\/h2c|kubernetes\.io\/wss?)$/.test(p.appProtocol ?? ''),
  );
}

function preferIngress(ctx: LintContext): void {
  const controllers = new Set(ctx.ingress.controllers.flatMap((c) => c.pods.map(podId)));
  const isController = (svc: SimService) =>
    /ingress|gateway/i.test(svc.name) || svc.endpointsByPort.flat().some((e) => controllers.has(e.pod));
  const lbs = ctx.cluster.services.filter(
    (s) => s.origin.kind === 'manifest' && !isLive(s.origin.object) && s.type === 'LoadBalancer' && servesHttp(s) && !isController(s),
  );
  if (lbs.length < 2) return;
  // One finding about the set, said once at the first of them (in apply order), the others related:
  // repeating it at every Service said the same thing N times.
  const [first, ...others] = lbs;
  if (!first || first.origin.kind !== 'manifest') return;
  const o = first.origin.object;
  const related = others.flatMap((x) =>
    x.origin.kind === 'manifest'
      ? [{ message: `LoadBalancer Service ${serviceId(x)}`, location: x.origin.object.locate(['spec', 'type']) }]
      : [],
  );
  ctx.report(
    makeDiagnostic(
      'prefer-ingress',
      o.locate(['spec', 'type']),
      { count: lbs.length, services: lbs.map(serviceId).sort().join(', ') },
      resourceName({ kind: 'Service', namespace: first.namespace, name: first.name }),
      related,
    ),
  );
}

interface RawContainer {
  index: number;
  name: string;
  raw: Record<string, unknown>;
  path: FieldPath;
}

/** The containers of a pod's manifest, raw (probes are not part of the simulation's model). */
function rawContainers(pod: SimPod): RawContainer[] {
  // An operator's pods are built by the operator, probes included; the custom resource holds no pod spec.
  if (pod.origin.kind !== 'manifest' || pod.operator !== undefined) return [];
  let spec: unknown = pod.origin.object.raw;
  for (const k of pod.specPath) spec = isRecord(spec) ? spec[k as string] : undefined;
  const list = isRecord(spec) ? spec['containers'] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((c, index) =>
    isRecord(c)
      ? [{ index, name: typeof c['name'] === 'string' ? c['name'] : `#${index}`, raw: c, path: [...pod.specPath, 'containers', index] }]
      : [],
  );
}

interface Probe {
  container: RawContainer;
  kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe';
  port: number | string;
  path: FieldPath;
}

/** A pod's probes, read once per pod object (a kept pod is the same object at the next analysis). Shared: not mutated. */
const probes = new WeakMap<SimPod, Probe[]>();

function probesOf(pod: SimPod): Probe[] {
  let known = probes.get(pod);
  if (!known) probes.set(pod, (known = readProbes(pod)));
  return known;
}

function readProbes(pod: SimPod): Probe[] {
  const out: Probe[] = [];
  for (const c of rawContainers(pod)) {
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      const probe = c.raw[kind];
      if (!isRecord(probe)) continue;
      for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
        const h = probe[handler];
        const port = isRecord(h) ? h['port'] : undefined;
        if (typeof port === 'number' || typeof port === 'string')
          out.push({ container: c, kind, port, path: [...c.path, kind, handler, 'port'] });
      }
    }
  }
  return out;
}

function readinessProbes(ctx: LintContext): void {
  // Every pod a Service sends connections to, as kube-linter's readiness-probe check flags every
  // serving container: without a probe the endpoint is ready as soon as the container starts, before
  // the app can answer, and again on every rollout. A Service reached from outside is named first.
  const behind = new Map<string, string>();
  const rank = (svc: SimService) => (svc.type === 'LoadBalancer' || svc.type === 'NodePort' ? 0 : 1);
  const services = ctx.cluster.services.filter((s) => s.origin.kind === 'manifest').sort((a, b) => rank(a) - rank(b));
  for (const svc of services) {
    const { label, pods } = servedPods(svc);
    for (const pod of pods) if (!behind.has(pod)) behind.set(pod, label);
  }
  // Which Service serves a pod's port, only for the pods Ingresses reach (keying every endpoint of
  // every Service cost more than the rest of the check).
  const exposures = ingressExposures(ctx.cluster);
  const reached = new Set(exposures.map((x) => podId(x.pod)));
  const serving = new Map<string, SimService>();
  for (const s of ctx.cluster.services) {
    if (!servedPods(s).pods.some((pod) => reached.has(pod))) continue;
    for (const eps of s.endpointsByPort)
      for (const e of eps) if (reached.has(e.pod) && !serving.has(`${e.pod}:${e.port}`)) serving.set(`${e.pod}:${e.port}`, s);
  }
  for (const x of exposures) {
    const id = podId(x.pod);
    const svc = serving.get(`${id}:${x.port}`);
    // Behind an Ingress or Route counts as reached from outside: it is named before a plain ClusterIP Service.
    const known = behind.get(id);
    if (known !== undefined && !known.startsWith('Service ')) continue;
    behind.set(id, svc ? `Service ${serviceId(svc)} (behind ${x.via} ${x.ingress})` : `${x.via} ${x.ingress}`);
  }
  const memo = ctx.incremental;
  for (const pod of ctx.representatives()) {
    const via = behind.get(podId(pod));
    if (!via || pod.origin.kind !== 'manifest' || isLive(pod.origin.object)) continue;
    // What the check reads of the pod: its object (raw containers, positions), its containers and namespace.
    const key = memo ? `${memo.ids.of(pod.origin.object)}|${memo.ids.of(pod.containers)}|${pod.namespace}|${via}` : undefined;
    const found =
      key !== undefined && memo
        ? memo.memo<Diagnostic[]>('missing-readiness-probe').get(key, () => missingProbes(pod, via))
        : missingProbes(pod, via);
    for (const d of found) ctx.report(memo ? copyDiagnostic(d) : d);
  }
}

/**
 * A Service as missing-readiness-probe names it, and the pods behind it (each once, in endpoint
 * order), by Service: a kept Service is the same object at the next analysis, and its endpoints do
 * not change once built.
 */
const served = new WeakMap<SimService, { label: string; pods: string[] }>();

function servedPods(svc: SimService): { label: string; pods: string[] } {
  let known = served.get(svc);
  if (!known) {
    const label = svc.type === 'ClusterIP' ? `Service ${serviceId(svc)}` : `${svc.type} Service ${serviceId(svc)}`;
    known = { label, pods: [...new Set(svc.endpointsByPort.flat().map((e) => e.pod))] };
    served.set(svc, known);
  }
  return known;
}

/** missing-readiness-probe for each serving container of a workload without a readiness probe. */
function missingProbes(pod: SimPod, via: string): Diagnostic[] {
  if (pod.origin.kind !== 'manifest') return [];
  const serviceOf = (text: string) => /Service (\S+)/.exec(text)?.[1] ?? '';
  const out: Diagnostic[] = [];
  const containers = rawContainers(pod);
  const withPorts = containers.filter((c) => pod.containers[c.index]?.ports.length);
  const without = (withPorts.length > 0 ? withPorts : containers.slice(0, 1)).filter((c) => !isRecord(c.raw['readinessProbe']));
  for (const c of without) {
    const o = pod.origin.object;
    out.push(
      makeDiagnostic(
        'missing-readiness-probe',
        o.locate([...c.path, 'name']),
        {
          container: c.name,
          workload: `${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name}`,
          services: via,
          service: serviceOf(via),
        },
        resourceName({ kind: o.kind, namespace: pod.namespace, name: o.name }),
      ),
    );
  }
  return out;
}

function probePorts(ctx: LintContext): void {
  for (const pod of ctx.representatives()) {
    if (pod.origin.kind !== 'manifest') continue;
    const o = pod.origin.object;
    for (const probe of probesOf(pod)) {
      const declared = pod.containers[probe.container.index]?.ports ?? [];
      // What a report needs, made only for one: most probes name a declared port.
      const report = () => ({
        at: o.locate(probe.path),
        base: {
          probe: `${probe.kind} of container ${probe.container.name}`,
          port: typeof probe.port === 'string' ? `"${probe.port}"` : probe.port,
          container: probe.container.name,
          pod: podId(pod),
        },
        resource: resourceName({ kind: o.kind, namespace: pod.namespace, name: o.name }),
      });
      if (typeof probe.port === 'string') {
        if (/^\d+$/.test(probe.port) || declared.some((p) => p.name === probe.port)) continue;
        const { at, base, resource } = report();
        const names = declared.map((p) => p.name).filter((n): n is string => n !== undefined);
        const close =
          names.find((n) => oneTypoAway(probe.port as string, n)) ?? names.find((n) => editDistance(n, probe.port as string) <= 2);
        const reason = `does not declare (it names ${names.length ? names.join(', ') : 'no ports'}): kubelet cannot resolve the name, so the probe fails${probe.kind === 'livenessProbe' ? ' and the container is restarted over and over' : probe.kind === 'readinessProbe' ? ' and the pod never becomes ready' : ''}.`;
        const fix: Fix | undefined = close
          ? { title: `Use port name "${close}"`, edits: [{ range: at, newText: yamlScalar(close) }] }
          : undefined;
        ctx.report(
          withFix(
            makeDiagnostic(
              'probe-port-not-exposed',
              at,
              { ...base, reason, hint: close ? `Did you mean "${close}"?` : 'Name one of its ports.' },
              resource,
            ),
            fix,
          ),
        );
        continue;
      }
      // A numeric port works whether declared or not; report it only when the container declares
      // other ports and nothing in its configuration binds this one (most likely a wrong number).
      if (declared.length === 0 || declared.some((p) => p.containerPort === probe.port) || configPorts(pod).has(probe.port)) continue;
      const { at, base, resource } = report();
      const d: Diagnostic = makeDiagnostic(
        'probe-port-not-exposed',
        at,
        {
          ...base,
          reason: `does not declare (it declares ${declared.map((p) => p.containerPort).join(', ')}), and nothing in its configuration binds it.`,
          hint: 'If the probe should hit the served port, use that; if another port serves health checks, declare it.',
        },
        resource,
      );
      d.severity = 'info';
      ctx.report(d);
    }
  }
}
