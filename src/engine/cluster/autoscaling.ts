// HorizontalPodAutoscalers and the replicas they keep. Without metrics the simulation cannot know
// what an autoscaler would scale to, but it knows its bounds: the HPA controller never leaves its
// target below minReplicas or above maxReplicas (and does nothing for a target scaled to 0). So a
// Deployment written with `replicas: 1` (or none, as the docs advise under an HPA) behind
// `minReplicas: 2` runs 2 pods. The sources: the HorizontalPodAutoscaler walkthrough and API
// reference (autoscaling/v2 and v1 spec.minReplicas, maxReplicas, scaleTargetRef), and the
// controller's "scaling is disabled" rule for spec.replicas 0.
import { FieldReader } from '../manifests/fields';
import type { ManifestObject } from '../manifests/types';
import type { Diagnostic } from '../diagnostics';
import type { ReplicaDecision, WorkloadRef } from './model';

/** One autoscaler's bounds for its target. */
export type Autoscaler = ReplicaDecision['autoscaler'];

/** Kinds an HPA can scale that the simulation expands (their scale subresource is spec.replicas). */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/** The API's bound on replica counts (int32), as the fields are validated. */
const MAX_REPLICAS = 2147483647;

/** The autoscalers of the input by target (`NAMESPACE/KIND/NAME`); bad fields are reported at their place. */
export function readAutoscalers(objects: ManifestObject[], defaultNamespace: string, diagnostics: Diagnostic[]): Map<string, Autoscaler> {
  const out = new Map<string, Autoscaler>();
  for (const o of objects) {
    if (o.kind !== 'HorizontalPodAutoscaler' || !o.apiVersion.startsWith('autoscaling/')) continue;
    const r = new FieldReader(o, diagnostics);
    const kind = r.str(['spec', 'scaleTargetRef', 'kind']);
    const name = r.str(['spec', 'scaleTargetRef', 'name']);
    if (kind === undefined || name === undefined || !SCALABLE.has(kind)) continue;
    const namespace = o.namespace ?? defaultNamespace;
    // minReplicas 0 needs the HPAScaleToZero feature gate; the API defaults it to 1.
    let min = r.int(['spec', 'minReplicas'], 0, MAX_REPLICAS) ?? 1;
    const max = r.int(['spec', 'maxReplicas'], 1, MAX_REPLICAS);
    if (max !== undefined && min > max) {
      r.invalid(['spec', 'minReplicas'], `minReplicas (${min}) must not exceed maxReplicas (${max}); the API server rejects it.`);
      min = max;
    }
    out.set(`${namespace}/${kind}/${name}`, {
      namespace,
      name: o.name,
      minReplicas: min,
      maxReplicas: max,
      origin: { kind: 'manifest', object: o },
    });
  }
  return out;
}

/**
 * The replicas a scalable workload runs: spec.replicas (1 when left out), raised to its autoscaler's
 * minReplicas and lowered to its maxReplicas; the decision is returned whenever an autoscaler
 * targets the workload, for hovers and the CLI to explain.
 */
export function scaledReplicas(
  workload: WorkloadRef,
  declared: number | undefined,
  autoscalers: Map<string, Autoscaler>,
): { replicas: number; decision?: ReplicaDecision } {
  const base = declared ?? 1;
  const hpa = autoscalers.get(`${workload.namespace}/${workload.kind}/${workload.name}`);
  if (!hpa) return { replicas: base };
  const id = `HorizontalPodAutoscaler ${hpa.namespace}/${hpa.name}`;
  const written = declared === undefined ? 'spec.replicas is not set (1)' : `spec.replicas is ${declared}`;
  let replicas = base;
  let reason: string;
  if (base === 0) reason = `${written}: ${id} does not scale a workload scaled to 0.`;
  else if (base < hpa.minReplicas) {
    replicas = hpa.minReplicas;
    reason = `${id} keeps at least minReplicas ${hpa.minReplicas} (${written}).`;
  } else if (hpa.maxReplicas !== undefined && base > hpa.maxReplicas) {
    replicas = hpa.maxReplicas;
    reason = `${id} scales it down to maxReplicas ${hpa.maxReplicas} (${written}).`;
  } else {
    const range = `${hpa.minReplicas}–${hpa.maxReplicas ?? '?'}`;
    reason = `${written}, within ${id}'s range ${range}; under load the autoscaler may run up to ${hpa.maxReplicas ?? 'maxReplicas'}.`;
  }
  return { replicas, decision: { workload, declared, replicas, autoscaler: hpa, reason } };
}
