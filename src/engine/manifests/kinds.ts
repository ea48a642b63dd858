import { editDistance } from '../diagnostics';
import type { ManifestObject } from './types';
// The kinds of the built-in API groups, so that a typo (`kind: Servce`, `kind: deployment`) or a
// kind in the wrong group (`apiVersion: v1` with `kind: Deployment`) is reported where the API
// server would answer "no matches for kind". Only groups that custom resources cannot extend are
// listed (the core group and the built-in groups without a dot, plus the networking and discovery
// groups this simulator reads); kinds of any other group are custom resources and pass silently.

const GROUP_KINDS: ReadonlyMap<string, readonly string[]> = new Map([
  [
    '',
    [
      'Pod',
      'Service',
      'Namespace',
      'Node',
      'ConfigMap',
      'Secret',
      'Endpoints',
      'ServiceAccount',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'ReplicationController',
      'LimitRange',
      'ResourceQuota',
      'Event',
      'PodTemplate',
      'Binding',
      'ComponentStatus',
      'List',
    ],
  ],
  ['apps', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision']],
  ['batch', ['Job', 'CronJob']],
  ['autoscaling', ['HorizontalPodAutoscaler', 'Scale']],
  ['policy', ['PodDisruptionBudget', 'PodSecurityPolicy', 'Eviction']],
  ['extensions', ['Deployment', 'DaemonSet', 'ReplicaSet', 'Ingress', 'NetworkPolicy', 'PodSecurityPolicy']],
  ['networking.k8s.io', ['NetworkPolicy', 'Ingress', 'IngressClass', 'IPAddress', 'ServiceCIDR', 'ClusterCIDR']],
  ['discovery.k8s.io', ['EndpointSlice']],
]);

/** The apiVersion to suggest for a kind written in the wrong group (never the retired `extensions`). */
const PREFERRED: ReadonlyMap<string, string> = new Map([
  ['', 'v1'],
  ['apps', 'apps/v1'],
  ['batch', 'batch/v1'],
  ['autoscaling', 'autoscaling/v2'],
  ['policy', 'policy/v1'],
  ['networking.k8s.io', 'networking.k8s.io/v1'],
  ['discovery.k8s.io', 'discovery.k8s.io/v1'],
]);

/** Whether the apiVersion is one of the built-in groups listed here (its kinds are known). */
export function isBuiltInGroup(apiVersion: string): boolean {
  return GROUP_KINDS.has(groupOf(apiVersion));
}

/** The group of an apiVersion: `apps/v1` → `apps`, `v1` → '' (the core group). */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Why the API server would reject this kind in this apiVersion, with the fix; undefined when the
 * kind exists there or the group is not a built-in one (custom resources are not checked).
 */
export function unknownKindReason(apiVersion: string, kind: string): string | undefined {
  const group = groupOf(apiVersion);
  const kinds = GROUP_KINDS.get(group);
  if (!kinds || kinds.includes(kind) || kind.endsWith('List')) return undefined;
  const elsewhere = [...GROUP_KINDS].find(([g, ks]) => PREFERRED.has(g) && ks.includes(kind))?.[0];
  const version = elsewhere === undefined ? undefined : PREFERRED.get(elsewhere);
  if (version !== undefined) return `${apiVersion} has no kind ${kind}; ${kind} belongs to ${version}. Write apiVersion: ${version}.`;
  const close =
    kinds.find((k) => k.toLowerCase() === kind.toLowerCase()) ?? kinds.find((k) => editDistance(k.toLowerCase(), kind.toLowerCase()) <= 2);
  const known = `the kinds of ${apiVersion} are ${kinds.filter((k) => k !== 'List').join(', ')}`;
  return `${apiVersion} has no kind ${kind}; the API server rejects it (${close ? `did you mean ${close}?` : known}).`;
}

export const DEFAULT_NAMESPACE = 'default';
/** Kinds that live in no namespace (the built-in ones and the cluster-scoped custom resources this simulator knows). */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'IngressClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'GlobalNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);

/** The namespace an object lives in: its own, `default` when it names none, undefined for cluster-scoped kinds. */
export function namespaceOf(o: ManifestObject): string | undefined {
  return CLUSTER_SCOPED.has(o.kind) ? undefined : (o.namespace ?? DEFAULT_NAMESPACE);
}

export const WORKLOAD_KINDS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'] as const;

/** Where each workload kind keeps its pod template (Kustomize's transformers use it too). */
export const TEMPLATE_PATH: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};
