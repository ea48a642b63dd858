// What each ingress controller is on a real cluster, by its IngressClass `spec.controller`: where its
// data plane runs (namespace, workload and pod labels as its standard install creates them, or a
// load balancer outside the cluster), the ports its pods listen on, how it reaches the backends,
// how it reads Prefix and ImplementationSpecific paths, and which annotation prefix is its own.
// The Gateway API side does the same per controllerName (gateway/dataplane.ts).
import type { Labels } from '../cluster/labels';
import type { IngressControllerSetting } from '../cluster/settings';

export type ProfileKind = 'ingress-nginx' | 'traefik' | 'haproxy' | 'aws-alb' | 'istio' | 'generic';

/**
 * How a path of pathType ImplementationSpecific matches:
 * `prefix-chars` a string prefix (nginx `location /foo`, Traefik PathPrefix, HAProxy path_beg);
 * `istio` exact, unless it ends in `/*` or `.*`, then a string prefix of what comes before the `*`;
 * `alb-pattern` an ALB path pattern (the whole path, `*` any characters, `?` one);
 * `prefix-elements` as Prefix (the generic reading the API allows).
 */
export type ImplementationSpecific = 'prefix-chars' | 'istio' | 'alb-pattern' | 'prefix-elements';

export interface IngressProfile {
  kind: ProfileKind;
  /** The product, as a person names it. */
  product: string;
  /** True when the controller is a known one; false for the generic stand-in. */
  known: boolean;
  /** `pods`: it sends to the endpoints' pod IPs itself; `target-type`: an ALB, by target-type ip or instance. */
  reaches: 'pods' | 'target-type';
  /** Where requests are handled: pods inside the cluster, or a load balancer outside it. */
  dataPlane: 'in-cluster' | 'outside';
  /** Prefix read element by element as the API says, or as a string prefix (Traefik's PathPrefix). */
  prefix: 'elements' | 'chars';
  implementationSpecific: ImplementationSpecific;
  /** The annotation prefixes this controller reads; another controller's are ignored by it. */
  annotationPrefixes: string[];
  /** The installation this profile follows, for the README and hovers. */
  source: string;
}

/** Where one class's data plane runs and what it is called (the implicit pods and their LoadBalancer Service). */
export interface DataPlaneIdentity {
  namespace: string;
  /** The Deployment and its Service. */
  name: string;
  labels: Labels;
  container: string;
  /** The container ports serving HTTP and HTTPS (the Service's 80 and 443 target them). */
  httpPort: number;
  httpsPort: number;
  /** True when the settings file named this class's namespace or labels. */
  configured: boolean;
}

export const PROFILES: Record<ProfileKind, IngressProfile> = {
  'ingress-nginx': {
    kind: 'ingress-nginx',
    product: 'ingress-nginx',
    known: true,
    reaches: 'pods',
    dataPlane: 'in-cluster',
    prefix: 'elements',
    implementationSpecific: 'prefix-chars',
    annotationPrefixes: ['nginx.ingress.kubernetes.io/'],
    source: 'the ingress-nginx Helm chart and deploy/static manifests (namespace ingress-nginx, app.kubernetes.io/name=ingress-nginx)',
  },
  traefik: {
    kind: 'traefik',
    product: 'Traefik',
    known: true,
    reaches: 'pods',
    dataPlane: 'in-cluster',
    prefix: 'chars',
    implementationSpecific: 'prefix-chars',
    annotationPrefixes: ['traefik.ingress.kubernetes.io/'],
    source: 'the traefik/traefik Helm chart installed as release traefik in namespace traefik',
  },
  haproxy: {
    kind: 'haproxy',
    product: 'HAProxy Kubernetes Ingress Controller',
    known: true,
    reaches: 'pods',
    dataPlane: 'in-cluster',
    prefix: 'elements',
    implementationSpecific: 'prefix-chars',
    annotationPrefixes: ['haproxy.org/', 'ingress.kubernetes.io/'],
    source: 'the haproxytech/kubernetes-ingress Helm chart installed as release haproxy-kubernetes-ingress in namespace haproxy-controller',
  },
  'aws-alb': {
    kind: 'aws-alb',
    product: 'AWS Load Balancer Controller',
    known: true,
    reaches: 'target-type',
    dataPlane: 'outside',
    prefix: 'elements',
    implementationSpecific: 'alb-pattern',
    annotationPrefixes: ['alb.ingress.kubernetes.io/'],
    source: 'the AWS Load Balancer Controller: an Application Load Balancer outside the cluster per Ingress or IngressGroup',
  },
  istio: {
    kind: 'istio',
    product: 'Istio',
    known: true,
    reaches: 'pods',
    dataPlane: 'in-cluster',
    prefix: 'elements',
    implementationSpecific: 'istio',
    annotationPrefixes: [],
    source: 'istioctl install / the istio gateway chart: istio-system/istio-ingressgateway, labels istio=ingressgateway',
  },
  generic: {
    kind: 'generic',
    product: 'a generic ingress controller',
    known: false,
    reaches: 'pods',
    dataPlane: 'in-cluster',
    prefix: 'elements',
    implementationSpecific: 'prefix-elements',
    annotationPrefixes: [],
    source: 'no install kube-netsim knows: an in-cluster proxy in namespace ingress-system',
  },
};

/** The annotation prefixes of every known controller, to tell which one an annotation belongs to. */
export const KNOWN_ANNOTATION_PREFIXES: Array<{ prefix: string; kind: ProfileKind }> = (
  ['ingress-nginx', 'traefik', 'haproxy', 'aws-alb'] as const
).flatMap((kind) => PROFILES[kind].annotationPrefixes.filter((p) => p !== 'ingress.kubernetes.io/').map((prefix) => ({ prefix, kind })));

/** The profile of an IngressClass's `spec.controller`. */
export function profileFor(controller: string): IngressProfile {
  if (controller === 'k8s.io/ingress-nginx') return PROFILES['ingress-nginx'];
  if (controller === 'traefik.io/ingress-controller') return PROFILES.traefik;
  // The chart writes haproxy.org/ingress-controller/CLASS (haproxy by default).
  if (controller === 'haproxy.org/ingress-controller' || controller.startsWith('haproxy.org/ingress-controller/')) return PROFILES.haproxy;
  if (controller === 'ingress.k8s.aws/alb') return PROFILES['aws-alb'];
  if (controller === 'istio.io/ingress-controller') return PROFILES.istio;
  return PROFILES.generic;
}

/** The controller a legacy `kubernetes.io/ingress.class` value stands for when no IngressClass of that name exists. */
export function legacyClassController(name: string): string {
  switch (name) {
    case 'traefik':
      return 'traefik.io/ingress-controller';
    case 'haproxy':
      return 'haproxy.org/ingress-controller/haproxy';
    case 'alb':
      return 'ingress.k8s.aws/alb';
    case 'istio':
      return 'istio.io/ingress-controller';
    default:
      return 'k8s.io/ingress-nginx';
  }
}

/** A settings entry naming where a class's controller runs on this cluster. */
export type ControllerOverride = IngressControllerSetting;

/**
 * Where a class's data plane runs, as its standard install creates it; a second class of the same
 * controller is a second release (its own name and instance label), as a second `helm install` is.
 * Undefined for a controller whose data plane is outside the cluster (the ALB).
 */
export function dataPlaneIdentity(
  c: { name: string; controller: string },
  overrides: readonly ControllerOverride[] = [],
): DataPlaneIdentity | undefined {
  const profile = profileFor(c.controller);
  const over = overrides.find((o) => o.class === c.name);
  const base = baseIdentity(profile.kind, c.name);
  if (!base) return undefined;
  if (!over) return base;
  return {
    ...base,
    namespace: over.namespace ?? base.namespace,
    labels: over.labels && Object.keys(over.labels).length > 0 ? { ...over.labels } : base.labels,
    configured: true,
  };
}

function baseIdentity(kind: ProfileKind, className: string): DataPlaneIdentity | undefined {
  const only = (standard: string, release: string) => (className === standard ? release : `${release}-${className}`);
  switch (kind) {
    case 'ingress-nginx': {
      const release = only('nginx', 'ingress-nginx');
      return {
        namespace: 'ingress-nginx',
        name: `${release}-controller`,
        labels: {
          'app.kubernetes.io/name': 'ingress-nginx',
          'app.kubernetes.io/instance': release,
          'app.kubernetes.io/component': 'controller',
        },
        container: 'controller',
        httpPort: 80,
        httpsPort: 443,
        configured: false,
      };
    }
    case 'traefik': {
      const release = only('traefik', 'traefik');
      // The chart's instance label is RELEASE-NAMESPACE; its entry points listen on 8000 and 8443.
      return {
        namespace: 'traefik',
        name: release,
        labels: { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/instance': `${release}-traefik` },
        container: 'traefik',
        httpPort: 8000,
        httpsPort: 8443,
        configured: false,
      };
    }
    case 'haproxy': {
      const release = only('haproxy', 'haproxy-kubernetes-ingress');
      // The chart runs HAProxy unprivileged (controller.unprivileged: true) on containerPort http 8080 and https 8443
      // (haproxytech/helm-charts kubernetes-ingress/values.yaml; the static deploy/haproxy-ingress.yaml too).
      return {
        namespace: 'haproxy-controller',
        name: release,
        labels: { 'app.kubernetes.io/name': 'kubernetes-ingress', 'app.kubernetes.io/instance': release },
        container: 'kubernetes-ingress-controller',
        httpPort: 8080,
        httpsPort: 8443,
        configured: false,
      };
    }
    case 'istio':
      // One gateway serves every Istio IngressClass; Envoy runs unprivileged on 8080 and 8443.
      return {
        namespace: 'istio-system',
        name: 'istio-ingressgateway',
        labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
        container: 'istio-proxy',
        httpPort: 8080,
        httpsPort: 8443,
        configured: false,
      };
    case 'aws-alb':
      return undefined;
    case 'generic': {
      const name = `ingress-${className}-controller`;
      return {
        namespace: 'ingress-system',
        name,
        labels: {
          'app.kubernetes.io/name': 'ingress-controller',
          'app.kubernetes.io/component': 'controller',
          'app.kubernetes.io/instance': name,
        },
        container: 'controller',
        httpPort: 80,
        httpsPort: 443,
        configured: false,
      };
    }
  }
}
