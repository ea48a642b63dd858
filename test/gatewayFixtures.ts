// Gateway API manifests for tests: a GatewayClass served by Envoy Gateway, a backend Deployment
// and Service, and one-line builders for Gateways and routes.
import { yaml } from './helpers';

/** GatewayClass `eg`, served by Envoy Gateway. */
export const CLASS = yaml`
  apiVersion: gateway.networking.k8s.io/v1
  kind: GatewayClass
  metadata: {name: eg}
  spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
`;

/** Deployment and Service `app/web` (port 80 → 8080, two replicas). */
export const BACKEND = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: app}
  spec:
    replicas: 2
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
  ---
  apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: app}
  spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;

/** A Gateway with these listeners (a YAML flow list). */
export function gateway(listeners: string, name = 'gw', ns = 'infra', cls = 'eg'): string {
  return yaml`
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: {name: ${name}, namespace: ${ns}}
    spec:
      gatewayClassName: ${cls}
      listeners: ${listeners}
  `;
}

/** A route of `kind` with this spec (a YAML flow mapping). */
export function route(spec: string, name = 'r', ns = 'app', kind = 'HTTPRoute'): string {
  return `apiVersion: gateway.networking.k8s.io/v1\nkind: ${kind}\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: ${spec}\n`;
}
