import { FieldReader, isRecord, resourceName, scalarText } from '../manifests/fields';
import { TEMPLATE_PATH } from '../manifests/kinds';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { readSelector, selectorMatches, selectorText, labelsText, mapMatches, type Labels } from './labels';
import {
  recordCut,
  type ContainerPort,
  type DnsConfig,
  type EnvValue,
  type HostAlias,
  type Origin,
  type ReplicaDecision,
  type SimContainer,
  type SimPod,
  type SimulationCut,
  type WorkloadRef,
} from './model';
import { readAutoscalers, scaledReplicas } from './autoscaling';
import { operatorPlan } from './operators';
import { isIP } from './ipam';
import type { FieldPath } from '../source';
import { type ManifestObject } from '../manifests/types';
import type { IncrementalState } from '../incremental/state';
import { keptReplicas, replicasOfWorkload, type PodBlueprint } from './replicas';

/**
 * Most pods one workspace simulates: a guard against hostile input (eleven `replicas: 100000`),
 * not a size users reach; cluster snapshots of 100,000 pods are simulated whole. Beyond it
 * replicas are left out, with one warning, and what depends on them is not reported.
 */
export const MAX_SIMULATED_PODS = 1_000_000;

/** The pod budget of one expansion and what it left out (filled in as pods are cut). */
export interface PodBudget {
  limit: number;
  cut: SimulationCut;
}

/** The API versions whose workloads are expanded (tested, not matched: it runs for every object). */
const WORKLOAD_API = /^(v1|apps\/v1|batch\/v1|batch\/v1beta1|apps\/v1beta\d|extensions\/v1beta1)$/;

/** A fresh budget of `limit` pods, nothing cut yet. */
export const podBudget = (limit = MAX_SIMULATED_PODS): PodBudget => ({ limit, cut: { namespaces: new Set(), pods: 0, endpoints: 0 } });

export { STATEFULSET_POD_INDEX, STATEFULSET_POD_NAME, type PodBlueprint, type TemplateBase } from './replicas';

/** Reads the containers of a pod spec: ports (for Services and policies) and texts that may name hosts. */
export function readContainers(r: FieldReader, specPath: FieldPath, origin: Origin, diagnostics: Diagnostic[]): SimContainer[] {
  const containers: SimContainer[] = [];
  const list = r.list([...specPath, 'containers']);
  if (!list) {
    // A `containers` of the wrong type is already reported at the field; say "missing" only when it is.
    if (r.raw([...specPath, 'containers']) === undefined || r.raw([...specPath, 'containers']) === null)
      r.invalid([...specPath], 'The pod spec has no `containers` list; a pod needs at least one container.');
    return containers;
  }
  const seen = new Map<string, string>();
  list.forEach((_, ci) => {
    const cp = [...specPath, 'containers', ci];
    if (!isRecord(r.raw(cp))) return r.invalid(cp, 'Each container must be a mapping with at least `name` and `image`.');
    const name = r.str([...cp, 'name']) ?? `#${ci}`;
    const ports: ContainerPort[] = [];
    (r.list([...cp, 'ports']) ?? []).forEach((__, pi) => {
      // Kept by the port: concat makes an array of its own length (a spread literal keeps room for 20 more).
      const pp = cp.concat('ports', pi);
      const containerPort = r.int([...pp, 'containerPort'], 1, 65535);
      if (containerPort === undefined) {
        if (r.raw([...pp, 'containerPort']) === undefined) r.invalid(pp, 'A container port needs `containerPort`.');
        return;
      }
      const protocol = r.protocol([...pp, 'protocol']);
      const port: ContainerPort = { containerPort, protocol, path: pp };
      const portName = r.str([...pp, 'name']);
      if (portName !== undefined) port.name = portName;
      const hostPort = r.int([...pp, 'hostPort'], 1, 65535);
      if (hostPort !== undefined) port.hostPort = hostPort;
      const key = `${containerPort}/${protocol}`;
      const first = seen.get(key);
      if (first !== undefined && first !== name) {
        diagnostics.push(
          makeDiagnostic(
            'pod-port-conflict',
            r.object.locate([...pp, 'containerPort']),
            { first, second: name, port: containerPort, protocol },
            r.resource,
          ),
        );
      } else seen.set(key, name);
      ports.push(port);
    });
    const texts: EnvValue[] = [];
    (r.list([...cp, 'env']) ?? []).forEach((__, ei) => {
      const ep = [...cp, 'env', ei];
      const envName = r.str([...ep, 'name']);
      const value = r.raw([...ep, 'value']);
      if (typeof value === 'string' && value !== '')
        texts.push({ value, path: ep.concat('value'), origin, label: `env ${envName ?? `#${ei}`}` });
      else if (typeof value === 'number' || typeof value === 'boolean')
        r.invalid([...ep, 'value'], `env value must be a string; quote it ("${String(value)}").`);
    });
    const argv: string[] = [];
    for (const field of ['command', 'args'] as const) {
      (r.list([...cp, field]) ?? []).forEach((arg, ai) => {
        if (typeof arg === 'string') texts.push({ value: arg, path: cp.concat(field, ai), origin, label: `${field}[${ai}]` });
        if (typeof arg === 'string' || typeof arg === 'number') argv.push(String(arg));
      });
    }
    containers.push(argv.length > 0 ? { name, ports, texts, argv } : { name, ports, texts });
  });
  return containers;
}

function readDnsConfig(r: FieldReader, specPath: FieldPath): DnsConfig | undefined {
  const p = [...specPath, 'dnsConfig'];
  if (!r.map(p)) return undefined;
  const strings = (key: string) => (r.list([...p, key]) ?? []).filter((x): x is string => typeof x === 'string');
  const options = (r.list([...p, 'options']) ?? []).filter(isRecord).map((o) => {
    const opt: { name: string; value?: string } = { name: scalarText(o['name'] ?? '') };
    if (o['value'] !== undefined) opt.value = scalarText(o['value']);
    return opt;
  });
  return { nameservers: strings('nameservers'), searches: strings('searches'), options };
}

/** spec.hostAliases as kubelet writes them to /etc/hosts; an entry whose ip is not an address is invalid. */
function readHostAliases(r: FieldReader, specPath: FieldPath): HostAlias[] {
  const out: HostAlias[] = [];
  (r.list([...specPath, 'hostAliases']) ?? []).forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const path = [...specPath, 'hostAliases', i];
    const ip = typeof entry['ip'] === 'string' ? entry['ip'].trim() : undefined;
    if (!ip || !isIP(ip)) {
      r.invalid(
        [...path, ...(entry['ip'] === undefined ? [] : ['ip'])],
        `hostAliases[${i}].ip must be an IP address${ip ? `, not "${ip}"` : ''}.`,
      );
      return;
    }
    const hostnames = (Array.isArray(entry['hostnames']) ? entry['hostnames'] : []).filter((h): h is string => typeof h === 'string');
    out.push({ ip, hostnames: hostnames.map((h) => h.toLowerCase()), path });
  });
  return out;
}

/**
 * The owner a dumped pod names as its controller: the first of its `ownerReferences` with
 * `controller: true`, the managing controller as the API defines it (other owners only hold it for
 * garbage collection, so a pod whose owners are all such is a workload of its own, as netpol-analyzer
 * reads it). `kind` is empty when the reference names none (pods sharing it are still one workload).
 */
export function controllerOf(o: ManifestObject): { kind: string; name: string } | undefined {
  const refs = isRecord(o.raw['metadata']) ? o.raw['metadata']['ownerReferences'] : undefined;
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.filter(isRecord).find((x) => x['controller'] === true);
  if (!ref || typeof ref['name'] !== 'string' || ref['name'] === '') return undefined;
  return { kind: typeof ref['kind'] === 'string' ? ref['kind'] : '', name: ref['name'] };
}

/**
 * The workload a dumped pod belongs to, as netpol-analyzer groups pods from snapshots: its
 * controller's; a static (mirror) pod, whose owner is its Node, is a workload of its own; an owner
 * reference without a kind still groups the pods that share it (as Pods of that owner's name).
 */
function podWorkload(o: ManifestObject, namespace: string): WorkloadRef {
  const owner = controllerOf(o);
  if (!owner || owner.kind === 'Node') return { kind: 'Pod', namespace, name: o.name };
  return { kind: owner.kind === '' ? 'Pod' : owner.kind, namespace, name: owner.name };
}

/**
 * Expands workloads and Pods into pod blueprints, with the names a real controller would give
 * (deterministic stand-ins for the random suffixes). Workloads whose pods the input already
 * holds (a cluster dump) produce none of their own. A HorizontalPodAutoscaler's bounds decide the
 * replicas of its target; each such decision is added to `decisions`. Pods beyond `budget` are
 * left out and recorded in its `cut`, with one warning at the first workload cut.
 */
export function expandWorkloads(
  objects: ManifestObject[],
  nodeNames: string[],
  defaultNamespace: string,
  diagnostics: Diagnostic[],
  decisions: ReplicaDecision[] = [],
  budget: PodBudget = podBudget(),
  incremental?: IncrementalState,
): PodBlueprint[] {
  const out: PodBlueprint[] = [];
  const kept = incremental ? keptReplicas(incremental) : undefined;
  const autoscalers = readAutoscalers(objects, defaultNamespace, diagnostics);
  const ownedInInput = new Set<string>();
  for (const o of objects) {
    const owner = controllerOf(o);
    if (owner && owner.kind !== '' && (o.kind === 'Pod' || o.kind === 'ReplicaSet' || o.kind === 'Job'))
      ownedInInput.add(`${o.namespace ?? defaultNamespace}/${owner.kind}/${owner.name}`);
    // `kubectl get deploy,pods` leaves out the ReplicaSet: its name is `<deployment>-<pod-template-hash>`,
    // so a dumped pod also stands for that Deployment, which must not add pods of its own.
    const hash =
      isRecord(o.raw['metadata']) && isRecord(o.raw['metadata']['labels']) ? o.raw['metadata']['labels']['pod-template-hash'] : undefined;
    if (owner && o.kind === 'Pod' && owner.kind === 'ReplicaSet' && typeof hash === 'string' && owner.name.endsWith(`-${hash}`)) {
      ownedInInput.add(`${o.namespace ?? defaultNamespace}/Deployment/${owner.name.slice(0, -hash.length - 1)}`);
    }
  }
  // The one warning names the first workload cut; the totals are known once every workload is read.
  let firstCut: { o: ManifestObject; field: FieldPath; wanted: number; left: number } | undefined;
  for (const o of objects) {
    const plan = operatorPlan(o, diagnostics);
    if (plan) {
      const namespace = o.namespace ?? defaultNamespace;
      const origin: Origin = { kind: 'manifest', object: o };
      const workload: WorkloadRef = { kind: o.kind, namespace, name: o.name };
      for (const set of plan.sets) {
        const left = Math.max(0, budget.limit - out.length);
        if (set.names.length > left) {
          recordCut(budget.cut, 'pods', namespace, set.names.length - left);
          firstCut ??= { o, field: ['spec'], wanted: set.names.length, left };
        }
        set.names.slice(0, left).forEach((name, i) => {
          const pod: PodBlueprint = {
            namespace,
            name,
            workload,
            labels: set.labels(name, i),
            hostNetwork: false,
            ready: true,
            containers: set.containers,
            dnsPolicy: 'ClusterFirst',
            origin,
            specPath: ['spec'],
            operator: plan.operator,
            nodeSelector: set.nodeSelector,
            perNode: false,
            replicaIndex: i,
          };
          if (set.subdomain !== undefined) {
            pod.hostname = name;
            pod.subdomain = set.subdomain;
          }
          out.push(pod);
        });
      }
      continue;
    }
    // Own keys only: `kind: constructor` (or toString, __proto__) found Object's members and crashed the spread below.
    const templatePath = Object.prototype.hasOwnProperty.call(TEMPLATE_PATH, o.kind) ? TEMPLATE_PATH[o.kind] : undefined;
    if (!templatePath || !WORKLOAD_API.test(o.apiVersion)) continue;
    const namespace = o.namespace ?? defaultNamespace;
    if (o.kind !== 'Pod' && ownedInInput.size > 0 && ownedInInput.has(`${namespace}/${o.kind}/${o.name}`)) continue;
    const template = readPodTemplate(o, templatePath, namespace);
    for (const d of template.diagnostics) diagnostics.push(d);
    const base = template.base;
    if (!base) continue;
    const r = new FieldReader(o, diagnostics);
    // spec.replicas bounded by the workload's autoscaler, if it has one.
    const replicasOf = (): number => {
      const { replicas, decision } = scaledReplicas(
        { kind: o.kind, namespace, name: o.name },
        r.int(['spec', 'replicas'], 0, 100000),
        autoscalers,
      );
      if (decision) decisions.push(decision);
      return replicas;
    };
    const room = (wanted: number, field: FieldPath): number => {
      const left = Math.max(0, budget.limit - out.length);
      if (wanted > left) {
        recordCut(budget.cut, 'pods', namespace, wanted - left);
        firstCut ??= { o, field, wanted, left };
      }
      return Math.min(wanted, left);
    };
    // The count is read first, with what reading it reports; the replicas themselves depend only on
    // it, the object and its template read (a DaemonSet's also on the nodes), so an unchanged workload
    // hands placePods the previous analysis's blueprints, whose pods it then keeps as they were.
    let count = 0;
    switch (o.kind) {
      case 'Pod':
        count = room(1, ['metadata', 'name']);
        break;
      case 'CronJob':
        count = room(1, ['spec']);
        break;
      case 'DaemonSet':
        count = room(nodeNames.length, ['spec']);
        break;
      case 'Job':
        count = room(r.int(['spec', 'parallelism'], 0, 100000) ?? 1, ['spec', 'parallelism']);
        break;
      case 'StatefulSet':
      case 'Deployment':
      case 'ReplicaSet':
      case 'ReplicationController':
        count = room(replicasOf(), ['spec', 'replicas']);
        break;
    }
    const service = o.kind === 'StatefulSet' ? r.str(['spec', 'serviceName']) : undefined;
    const nodesKey = o.kind === 'DaemonSet' ? nodeNames.slice(0, count).join('\u0000') : '';
    const previous = kept?.get(o);
    const same = previous && previous.base === base && previous.count === count && previous.nodes === nodesKey;
    const replicas = same
      ? previous.replicas
      : replicasOfWorkload(o, r, base, `${namespace}/${o.kind}/${o.name}`, count, service, nodeNames);
    if (!same) kept?.set(o, { base, count, nodes: nodesKey, replicas });
    for (const bp of replicas) out.push(bp);
  }
  if (firstCut) diagnostics.push(podCutWarning(firstCut, budget, defaultNamespace));
  return out;
}

/**
 * What a workload's pod template reads to (everything its replicas share) and the diagnostics
 * reading it reported. Remembered per object and replayed in order: a ParseCache keeps an
 * unchanged document's ManifestObject across analyses, so re-analysis reads only edited
 * workloads. It depends on the object and its namespace alone; the replicas share its parts,
 * which nothing mutates.
 */
const templateReads = new WeakMap<ManifestObject, { namespace: string; read: TemplateRead }>();

interface TemplateRead {
  /** Undefined when the object has no pod template (reported). */
  base: Omit<PodBlueprint, 'name' | 'replicaIndex'> | undefined;
  diagnostics: Diagnostic[];
}

function readPodTemplate(o: ManifestObject, templatePath: readonly string[], namespace: string): TemplateRead {
  const known = templateReads.get(o);
  if (known && known.namespace === namespace) return known.read;
  const read = readTemplateOnce(o, templatePath, namespace);
  templateReads.set(o, { namespace, read });
  return read;
}

function readTemplateOnce(o: ManifestObject, templatePath: readonly string[], namespace: string): TemplateRead {
  const diagnostics: Diagnostic[] = [];
  const r = new FieldReader(o, diagnostics);
  const origin: Origin = { kind: 'manifest', object: o };
  const metaPath = [...templatePath, 'metadata'];
  const specPath = [...templatePath, 'spec'];
  if (o.kind !== 'Pod' && !r.map(templatePath)) {
    r.invalid(
      templatePath.length ? templatePath.slice(0, -1) : [],
      `${o.kind} ${o.name} has no pod template (\`${templatePath.join('.')}\`).`,
    );
    return { base: undefined, diagnostics };
  }
  const labels = r.labels([...metaPath, 'labels']);
  const workload: WorkloadRef = o.kind === 'Pod' ? podWorkload(o, namespace) : { kind: o.kind, namespace, name: o.name };
  if (o.kind !== 'Pod') checkWorkloadSelector(r, o.kind, labels, diagnostics);
  const containers = readContainers(r, specPath, origin, diagnostics);
  const hostNetwork = r.bool([...specPath, 'hostNetwork']) ?? false;
  const dnsPolicyRaw = r.str([...specPath, 'dnsPolicy']);
  let dnsPolicy: SimPod['dnsPolicy'] = 'ClusterFirst';
  if (
    dnsPolicyRaw === 'ClusterFirst' ||
    dnsPolicyRaw === 'ClusterFirstWithHostNet' ||
    dnsPolicyRaw === 'Default' ||
    dnsPolicyRaw === 'None'
  )
    dnsPolicy = dnsPolicyRaw;
  else if (dnsPolicyRaw !== undefined)
    r.invalid(
      [...specPath, 'dnsPolicy'],
      `dnsPolicy must be ClusterFirst, ClusterFirstWithHostNet, Default or None, not "${dnsPolicyRaw}".`,
    );
  const dnsConfig = readDnsConfig(r, specPath);
  if (dnsPolicy === 'None' && !dnsConfig)
    r.invalid([...specPath, 'dnsPolicy'], 'dnsPolicy None requires a dnsConfig with at least one nameserver.');
  const base: Omit<PodBlueprint, 'name' | 'replicaIndex'> = {
    namespace,
    workload,
    labels,
    hostNetwork,
    ready: podReady(o),
    containers,
    dnsPolicy,
    origin,
    specPath,
    nodeSelector: r.labels([...specPath, 'nodeSelector']),
    perNode: o.kind === 'DaemonSet',
  };
  if (dnsConfig) base.dnsConfig = dnsConfig;
  const hostAliases = readHostAliases(r, specPath);
  if (hostAliases.length) base.hostAliases = hostAliases;
  const nodeName = r.str([...specPath, 'nodeName']);
  if (nodeName !== undefined) base.nodeName = nodeName;
  const hostname = r.str([...specPath, 'hostname']);
  const subdomain = r.str([...specPath, 'subdomain']);
  if (hostname !== undefined) base.hostname = hostname;
  if (subdomain !== undefined) base.subdomain = subdomain;
  return { base, diagnostics };
}

function podReady(o: ManifestObject): boolean {
  if (o.kind !== 'Pod') return true;
  const status = o.raw['status'];
  if (!isRecord(status)) return true;
  const conditions = status['conditions'];
  if (Array.isArray(conditions)) {
    const ready = conditions.filter(isRecord).find((c) => c['type'] === 'Ready');
    if (ready) return ready['status'] === 'True';
  }
  return status['phase'] === undefined || status['phase'] === 'Running';
}

function checkWorkloadSelector(r: FieldReader, kind: string, labels: Labels, diagnostics: Diagnostic[]): void {
  if (kind === 'Job' || kind === 'CronJob') return; // their selectors are generated
  if (kind === 'ReplicationController') {
    const sel = r.labels(['spec', 'selector']);
    if (Object.keys(sel).length > 0 && !mapMatches(sel, labels)) {
      diagnostics.push(
        makeDiagnostic(
          'selector-mismatch',
          r.object.locate(['spec', 'selector']),
          { selector: labelsText(sel), labels: labelsText(labels), kind },
          r.resource,
        ),
      );
    }
    return;
  }
  const selector = readSelector(r, ['spec', 'selector']);
  if (!selector) {
    if (r.raw(['spec', 'selector']) === undefined)
      r.invalid(['spec'], `${kind} needs spec.selector (apps/v1 requires it); set it to the template's labels.`);
    return;
  }
  if (!selectorMatches(selector, labels)) {
    diagnostics.push(
      makeDiagnostic(
        'selector-mismatch',
        r.object.locate(['spec', 'selector']),
        { selector: selectorText(selector), labels: labelsText(labels), kind },
        r.resource,
      ),
    );
  }
}

/** The one warning of a pod budget hit: at the first workload cut, with what was cut in all. */
function podCutWarning(
  first: { o: ManifestObject; field: FieldPath; wanted: number; left: number },
  budget: PodBudget,
  defaultNamespace: string,
): Diagnostic {
  const { o } = first;
  const namespace = o.namespace ?? defaultNamespace;
  const namespaces = [...budget.cut.namespaces].sort();
  const listed = namespaces.slice(0, 3).join(', ') + (namespaces.length > 3 ? ` and ${namespaces.length - 3} more` : '');
  return makeDiagnostic(
    'simulation-limit',
    o.locate(first.field),
    {
      workload: `${o.kind} ${namespace}/${o.name}`,
      wanted: first.wanted,
      simulated: first.left,
      limit: budget.limit,
      what: 'pods',
      cut: `${budget.cut.pods} pods in all, in namespace${namespaces.length === 1 ? '' : 's'} ${listed}`,
      hint: 'Lower replicas to simulate them all.',
    },
    resourceName({ kind: o.kind, namespace: o.namespace, name: o.name }),
  );
}
