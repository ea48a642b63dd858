// The ingress controllers the simulator adds itself: one data plane per IngressClass that some
// Ingress uses, as that controller's standard install runs it (profiles.ts): its pods in its own
// namespace with its own labels, behind a LoadBalancer Service; none for the AWS Load Balancer
// Controller, whose data plane is an ALB outside the cluster. The workspace rarely ships its
// controller, yet every Ingress trace goes through one.
import { isRecord } from '../manifests/fields';
import { nameSuffix } from '../hash';
import type { SimService } from '../cluster/model';
import type { PodBlueprint } from '../cluster/workloads';
import { type ManifestObject } from '../manifests/types';
import { dataPlaneIdentity, legacyClassController, type ControllerOverride, type DataPlaneIdentity } from './profiles';

export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** The class an implicit controller serves when the workspace defines no IngressClass. */
export const IMPLICIT_DEFAULT_CLASS = 'nginx';
export const NGINX_CONTROLLER = 'k8s.io/ingress-nginx';

/** One IngressClass that gets a controller, whether the workspace defines it or the simulator does. */
export interface PlannedClass {
  name: string;
  controller: string;
  isDefault: boolean;
  /** The IngressClass object, when the workspace defines it. */
  object: ManifestObject | undefined;
}

function annotation(o: ManifestObject, key: string): string | undefined {
  const meta = o.raw['metadata'];
  const ann = isRecord(meta) ? meta['annotations'] : undefined;
  const v = isRecord(ann) ? ann[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The class an Ingress asks for: spec.ingressClassName, else the legacy annotation, else none (the default class). */
export function requestedClass(o: ManifestObject): { name: string; field: 'spec' | 'annotation' } | undefined {
  const spec = o.raw['spec'];
  const fromSpec = isRecord(spec) ? spec['ingressClassName'] : undefined;
  if (typeof fromSpec === 'string' && fromSpec !== '') return { name: fromSpec, field: 'spec' };
  const legacy = annotation(o, LEGACY_CLASS_ANNOTATION);
  return legacy ? { name: legacy, field: 'annotation' } : undefined;
}

export function isIngress(o: ManifestObject): boolean {
  return (
    o.kind === 'Ingress' &&
    (o.apiVersion === 'networking.k8s.io/v1' || o.apiVersion === 'networking.k8s.io/v1beta1' || o.apiVersion === 'extensions/v1beta1')
  );
}

/**
 * The IngressClasses that get a controller. With IngressClass objects in the workspace, those
 * that an Ingress names (or the default one, for Ingresses that name none); without any, an
 * implicit class per name the Ingresses use (`alb`, `istio`, `traefik` and `haproxy` stand for
 * those controllers, as their docs' legacy annotation examples use them; any other for
 * ingress-nginx), plus `nginx` as the default.
 */
export function planClasses(objects: ManifestObject[]): { classes: PlannedClass[]; implicit: boolean } {
  const ingresses = objects.filter(isIngress);
  const defined = objects
    .filter((o) => o.kind === 'IngressClass')
    .map((o): PlannedClass => {
      const spec = o.raw['spec'];
      const controller = isRecord(spec) && typeof spec['controller'] === 'string' ? spec['controller'] : NGINX_CONTROLLER;
      return { name: o.name, controller, isDefault: annotation(o, DEFAULT_CLASS_ANNOTATION) === 'true', object: o };
    });
  if (ingresses.length === 0) return { classes: [], implicit: defined.length === 0 };
  if (defined.length > 0) {
    const used = new Set<string>();
    for (const i of ingresses) {
      const asked = requestedClass(i)?.name ?? defined.find((c) => c.isDefault)?.name;
      if (asked !== undefined) used.add(asked);
    }
    return { classes: defined.filter((c) => used.has(c.name)), implicit: false };
  }
  const names = new Set<string>();
  for (const i of ingresses) names.add(requestedClass(i)?.name ?? IMPLICIT_DEFAULT_CLASS);
  const classes = [...names].sort().map((name): PlannedClass => ({
    name,
    controller: legacyClassController(name),
    isDefault: name === IMPLICIT_DEFAULT_CLASS,
    object: undefined,
  }));
  return { classes, implicit: true };
}

/** Each planned class with where its data plane runs (undefined for one outside the cluster). */
export function plannedDataPlanes(
  objects: ManifestObject[],
  overrides: readonly ControllerOverride[] = [],
): Array<{ planned: PlannedClass; id: DataPlaneIdentity | undefined }> {
  return planClasses(objects).classes.map((planned) => ({ planned, id: dataPlaneIdentity(planned, overrides) }));
}

/** The controller pods and Services to add to the cluster for the workspace's Ingresses. */
export function implicitIngressControllers(
  objects: ManifestObject[],
  overrides: readonly ControllerOverride[] = [],
): { blueprints: PodBlueprint[]; services: SimService[] } {
  const blueprints: PodBlueprint[] = [];
  const services: SimService[] = [];
  const seen = new Set<string>();
  for (const { id } of plannedDataPlanes(objects, overrides)) {
    // Several classes of one controller that runs once (Istio's one gateway) share its pods.
    if (!id || seen.has(`${id.namespace}/${id.name}`)) continue;
    seen.add(`${id.namespace}/${id.name}`);
    blueprints.push({
      namespace: id.namespace,
      name: `${id.name}-${nameSuffix(`${id.namespace}/${id.name}/template`, 10)}-${nameSuffix(`${id.namespace}/${id.name}/0`, 5)}`,
      workload: { kind: 'Deployment', namespace: id.namespace, name: id.name },
      labels: id.labels,
      hostNetwork: false,
      ready: true,
      containers: [
        {
          name: id.container,
          ports: [
            { name: 'http', containerPort: id.httpPort, protocol: 'TCP' as const, path: [] },
            { name: 'https', containerPort: id.httpsPort, protocol: 'TCP' as const, path: [] },
          ],
          texts: [],
        },
      ],
      dnsPolicy: 'ClusterFirst',
      origin: { kind: 'implicit' },
      specPath: [],
      nodeSelector: {},
      perNode: false,
      replicaIndex: 0,
    });
    services.push({
      namespace: id.namespace,
      name: id.name,
      type: 'LoadBalancer',
      clusterIP: undefined,
      clusterIPs: [],
      headless: false,
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', path: [] },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 'https', path: [] },
      ],
      selector: id.labels,
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      sessionAffinityTimeoutSeconds: 10800,
      externalIPs: [],
      publishNotReadyAddresses: false,
      endpointsByPort: [[], []],
      origin: { kind: 'implicit' },
    });
  }
  return { blueprints, services };
}
