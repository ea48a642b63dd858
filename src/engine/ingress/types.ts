// The Ingress model's data: Ingresses as read (rules, paths, backends, TLS), the controllers that
// serve them, and where a request ends up inside one. Kept apart from the model so that the
// controller-specific readings (paths.ts, nginx.ts, alb.ts, canary.ts) and the model share them.
import type { Origin, ServicePort, SimPod, SimService } from '../cluster/model';
import type { FieldPath } from '../source';
import type { DataPlaneIdentity, IngressProfile } from './profiles';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface IngressBackend {
  /** A Service backend: its name and port (number or name) as written. */
  service?: { name: string; port: number | string | undefined };
  /** A resource backend (apiGroup/kind/name), which no Service-based trace can follow. */
  resource?: string;
  /** Where the backend is written, and where its service name and port are. */
  path: FieldPath;
  namePath: FieldPath;
  portPath: FieldPath;
}

export interface IngressPath {
  path: string;
  pathType: PathType;
  backend: IngressBackend;
  fieldPath: FieldPath;
}

export interface IngressRule {
  host: string | undefined;
  paths: IngressPath[];
  fieldPath: FieldPath;
}

export interface IngressTls {
  hosts: string[];
  secretName: string | undefined;
  fieldPath: FieldPath;
}

export interface SimIngress {
  namespace: string;
  name: string;
  /** The class serving this Ingress (after defaulting); undefined when none does. */
  className: string | undefined;
  rules: IngressRule[];
  defaultBackend: IngressBackend | undefined;
  tls: IngressTls[];
  origin: Origin;
}

export interface IngressController {
  className: string;
  controller: string;
  /** What the controller is (its install, how it reaches backends and reads paths); generic for one kube-netsim does not know. */
  profile: IngressProfile;
  /** Where its pods run; undefined when its data plane is outside the cluster (an ALB). */
  dataPlane: DataPlaneIdentity | undefined;
  /** True when the simulator added the IngressClass too (the workspace defines none). */
  implicit: boolean;
  /** The data plane's namespace and Deployment/Service name (for an ALB: the class's name and the controller's). */
  namespace: string;
  name: string;
  pods: SimPod[];
  service: SimService | undefined;
  ingresses: SimIngress[];
}

/** Where a request ends up inside one controller: a backend, or the controller's own 404. */
export type IngressRoute =
  | {
      kind: 'backend';
      ingress: SimIngress;
      via: 'rule' | 'defaultBackend';
      rule?: IngressRule;
      path?: IngressPath;
      backend: IngressBackend;
      /** The Service and port the backend names, when they exist. */
      service: SimService | undefined;
      port: ServicePort | undefined;
      /** ingress-nginx read the host's paths as regular expressions (use-regex, rewrite-target). */
      regex?: boolean;
      /** The ingress-nginx canary merged into the matched path. */
      canary?: Canary;
    }
  | { kind: 'not-found'; reason: string };

/** A canary merged into one path of a main Ingress (ingress-nginx's canary annotations). */
export interface Canary {
  ingress: SimIngress;
  /** The namespace of the main Ingress, where its HTTPRoute is. */
  mainNamespace: string;
  /** The canary's backend Service (in the canary Ingress's namespace) and port. */
  service: string;
  backendRef: Record<string, unknown>;
  /** canary-weight, clamped to 0..total. */
  weight: number;
  total: number;
  /** canary-by-header: its name, and canary-by-header-value (undefined: "always"/"never" decide). */
  header: { name: string; value: string | undefined } | undefined;
}
