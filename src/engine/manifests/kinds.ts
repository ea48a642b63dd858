// The kinds of the built-in API groups, so that a typo (`kind: Servce`, `kind: deployment`) or a
// kind in the wrong group (`apiVersion: v1` with `kind: Deployment`) is reported where the API
// server would answer "no matches for kind". Only groups that custom resources cannot extend are
// listed (the core group and the built-in groups without a dot, plus the networking and discovery
// groups this simulator reads); kinds of any other group are custom resources and pass silently.
import { editDistance } from '../cluster/labels';

const GROUP_KINDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['', ['Pod', 'Service', 'Namespace', 'Node', 'ConfigMap', 'Secret', 'Endpoints', 'ServiceAccount', 'PersistentVolume', 'PersistentVolumeClaim', 'ReplicationController', 'LimitRange', 'ResourceQuota', 'Event', 'PodTemplate', 'Binding', 'ComponentStatus', 'List']],
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
  const close = kinds.find((k) => k.toLowerCase() === kind.toLowerCase()) ?? kinds.find((k) => editDistance(k.toLowerCase(), kind.toLowerCase()) <= 2);
  const known = `the kinds of ${apiVersion} are ${kinds.filter((k) => k !== 'List').join(', ')}`;
  return `${apiVersion} has no kind ${kind}; the API server rejects it (${close ? `did you mean ${close}?` : known}).`;
}
