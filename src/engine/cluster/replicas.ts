// A workload's replicas: the pod blueprints its controller makes from the template read, named
// as that controller names them, and kept across analyses (see incremental/memo.ts) while the read,
// the count and (for a DaemonSet) the nodes are the same.
import type { FieldReader } from '../manifests/fields';
import { nameSuffix } from '../hash';
import type { ManifestObject } from '../manifests/types';
import type { IncrementalState } from '../incremental/state';
import type { SimPod } from './model';
import type { Labels } from './labels';

/** The labels the StatefulSet controller puts on each of its pods (apps.kubernetes.io/pod-index since 1.28). */
export const STATEFULSET_POD_NAME = 'statefulset.kubernetes.io/pod-name';
export const STATEFULSET_POD_INDEX = 'apps.kubernetes.io/pod-index';

/** A pod to be placed: everything but its node and IP, which scheduling and IPAM decide. */
export interface PodBlueprint extends Omit<SimPod, 'node' | 'ip' | 'ipv6'> {
  nodeName?: string;
  nodeSelector: Labels;
  /** For DaemonSets: run one per eligible node. */
  perNode: boolean;
  replicaIndex: number;
  /** Addresses a cluster dump already gives (status.podIP, spec.nodeName). */
  liveIP?: string;
}

/** What a workload's replicas share: everything of a blueprint but its name and index. */
export type TemplateBase = Omit<PodBlueprint, 'name' | 'replicaIndex'>;

/** A workload's replicas as the previous analysis made them, with what they were made from. */
export interface KeptReplicas {
  base: TemplateBase;
  count: number;
  /** A DaemonSet's nodes (its replicas are one per node). */
  nodes: string;
  replicas: readonly PodBlueprint[];
}

export function keptReplicas(incremental: IncrementalState): WeakMap<ManifestObject, KeptReplicas> {
  return incremental.slot('workload-replicas', () => new WeakMap<ManifestObject, KeptReplicas>());
}

/** The `count` replicas of a workload, named as its controller names them. */
export function replicasOfWorkload(
  o: ManifestObject,
  r: FieldReader,
  base: TemplateBase,
  key: string,
  count: number,
  service: string | undefined,
  nodeNames: string[],
): PodBlueprint[] {
  const made: PodBlueprint[] = [];
  switch (o.kind) {
    case 'Pod': {
      if (count === 0) break;
      const pod: PodBlueprint = { ...base, name: o.name, replicaIndex: 0 };
      const liveIP = r.raw(['status', 'podIP']);
      if (typeof liveIP === 'string' && liveIP !== '') pod.liveIP = liveIP;
      // A pod being deleted (kubectl get shows it Terminating) still has its address until it exits.
      const deletion = r.raw(['metadata', 'deletionTimestamp']);
      if (deletion !== undefined && deletion !== null && deletion !== '') pod.terminating = true;
      made.push(pod);
      break;
    }
    case 'StatefulSet': {
      for (let i = 0; i < count; i++) {
        // StatefulSet pods get stable names, their name as hostname and the governing Service as subdomain,
        // and the labels the StatefulSet controller sets on each (a Service can select one pod by them).
        const name = `${o.name}-${i}`;
        const labels = { ...base.labels, [STATEFULSET_POD_NAME]: name, [STATEFULSET_POD_INDEX]: String(i) };
        const pod: PodBlueprint = { ...base, labels, name, replicaIndex: i, hostname: name };
        if (service !== undefined) pod.subdomain = service;
        made.push(pod);
      }
      break;
    }
    case 'DaemonSet':
      nodeNames
        .slice(0, count)
        .forEach((node, i) =>
          made.push({ ...base, name: `${o.name}-${nameSuffix(`${key}/${node}`, 5)}`, replicaIndex: i, nodeName: node }),
        );
      break;
    case 'Deployment': {
      const templateHash = nameSuffix(`${key}/template`, 10);
      for (let i = 0; i < count; i++)
        made.push({ ...base, name: `${o.name}-${templateHash}-${nameSuffix(`${key}/${i}`, 5)}`, replicaIndex: i });
      break;
    }
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      for (let i = 0; i < count; i++) made.push({ ...base, name: `${o.name}-${nameSuffix(`${key}/${i}`, 5)}`, replicaIndex: i });
      break;
    case 'CronJob': {
      // A CronJob's pods belong to a Job named after the scheduled minute; one run is simulated.
      if (count === 0) break;
      const minute = 28000000 + (nameSuffix(key, 6).charCodeAt(0) % 100000);
      made.push({ ...base, name: `${o.name}-${minute}-${nameSuffix(key, 5)}`, replicaIndex: 0 });
      break;
    }
  }
  return made;
}
