// One Ingress's controller in a few sentences, for hovers: which controller serves it, where that
// controller runs, and how it reaches the backends.
import type { IngressModel } from './model';
import type { SimIngress } from './types';
import { albAnnotations } from './alb';

/** The lines that say who serves `ing` and how; empty when no controller serves it. */
export function describeController(model: IngressModel, ing: SimIngress): string[] {
  const c = model.controllers.find((x) => x.ingresses.includes(ing));
  if (!c) return [];
  const p = c.profile;
  const lines: string[] = [];
  if (p.dataPlane === 'outside') {
    const lb = model.albOf(ing);
    const mode = albAnnotations(ing)['target-type'] === 'ip' ? 'ip' : 'instance';
    lines.push(
      `Served by the ${p.product} (class ${c.className}): no proxy in the cluster, an ALB outside it${lb ? ` (${lb.hostname}, ${lb.scheme}${lb.group ? `, group ${lb.group}` : ''})` : ''}.`,
      mode === 'ip'
        ? 'target-type ip: the ALB sends straight to the backend pod IPs, which see the ALB address as the source.'
        : "target-type instance (the default): the ALB sends to each backend Service's NodePort on the nodes, and kube-proxy takes it from there.",
    );
    if (lb) lines.push(`Listener rules are evaluated in order and the first match wins (rule order: group.order, then namespace/name).`);
    return lines;
  }
  const id = c.dataPlane;
  const labels = Object.entries(id?.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  lines.push(
    `Served by ${p.known ? p.product : `${p.product} (kube-netsim does not know ${c.controller}: simulated generically)`} (class ${c.className}), running as ${c.namespace}/${c.name}${labels ? ` with labels ${labels}` : ''}${id?.configured ? ' (from kube-netsim.yaml ingressControllers)' : ''}.`,
    "It sends to the backends' pod IPs itself (not through their ClusterIP), so a NetworkPolicy on a backend sees the controller pod as the source.",
  );
  if (p.prefix === 'chars') lines.push('Prefix paths are string prefixes here (Traefik PathPrefix): /api takes /apix too.');
  return lines;
}
