// ReferenceGrants that grant nothing: no reference a route or Gateway of the workspace makes across
// namespaces is one they permit. The message says why where the cause is a common one: the grant
// sits in the namespace of the route instead of the target's, or its `from` names another
// namespace or kind than the routes that need it.
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { locate } from '../cluster/model';
import { resourceName } from '../manifests/fields';
import type { FieldPath } from '../source';
import type { GatewayModel } from './model';
import { GATEWAY_GROUP, type SimReferenceGrant } from './types';

/** One reference across namespaces that needs a ReferenceGrant in the target's namespace. */
export interface CrossReference {
  from: { group: string; kind: string; namespace: string; name: string };
  to: { group: string; kind: string; namespace: string; name: string };
}

/** Every reference across namespaces the model's routes (backendRefs, mirrors) and Gateways (certificateRefs) make. */
export function crossReferences(model: GatewayModel): CrossReference[] {
  const out: CrossReference[] = [];
  for (const route of model.routes) {
    const from = { group: GATEWAY_GROUP, kind: route.kind, namespace: route.namespace, name: route.name };
    for (const b of model.status(route).backends)
      if (b.ref.namespace !== route.namespace)
        out.push({ from, to: { group: b.ref.group, kind: b.ref.kind, namespace: b.ref.namespace, name: b.ref.name } });
  }
  for (const gw of model.gateways) {
    const from = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace, name: gw.name };
    for (const l of gw.listeners)
      for (const c of l.certificateRefs)
        if (c.namespace !== gw.namespace) out.push({ from, to: { group: '', kind: c.kind, namespace: c.namespace, name: c.name } });
  }
  return out;
}

function fromMatches(g: SimReferenceGrant, x: CrossReference): boolean {
  return g.from.some((f) => f.group === x.from.group && f.kind === x.from.kind && f.namespace === x.from.namespace);
}

function toMatches(g: SimReferenceGrant, x: CrossReference): boolean {
  return g.to.some((t) => t.group === x.to.group && t.kind === x.to.kind && (t.name === undefined || t.name === x.to.name));
}

export function grantPermits(g: SimReferenceGrant, x: CrossReference): boolean {
  return g.namespace === x.to.namespace && fromMatches(g, x) && toMatches(g, x);
}

const refText = (x: CrossReference) =>
  `${x.from.kind} ${x.from.namespace}/${x.from.name} refers to ${x.to.kind} ${x.to.namespace}/${x.to.name}`;

/** Why a grant permits none of `refs`, the field at fault, and what to do. */
function explain(g: SimReferenceGrant, refs: readonly CrossReference[]): { why: string; todo: string; path: FieldPath } {
  const misplaced = refs.find((x) => x.to.namespace !== g.namespace && fromMatches(g, x) && toMatches(g, x));
  if (misplaced)
    return {
      why: `it is in namespace ${g.namespace}, but ${refText(misplaced)}, and a ReferenceGrant only takes effect in the namespace of what it lets others refer to`,
      todo: `Move it to namespace ${misplaced.to.namespace}.`,
      path: ['metadata', 'namespace'],
    };
  const wrongFrom = refs.find((x) => x.to.namespace === g.namespace && toMatches(g, x));
  if (wrongFrom) {
    const allowed = g.from.map((f) => `${f.kind} in ${f.namespace}`).join(', ') || 'nothing';
    return {
      why: `${refText(wrongFrom)}, but its spec.from allows ${allowed}`,
      todo: `Add {group: ${wrongFrom.from.group}, kind: ${wrongFrom.from.kind}, namespace: ${wrongFrom.from.namespace}} to spec.from.`,
      path: ['spec', 'from'],
    };
  }
  const wrongTo = refs.find((x) => x.to.namespace === g.namespace && fromMatches(g, x));
  if (wrongTo) {
    const allowed = g.to.map((t) => `${t.kind}${t.name ? ` ${t.name}` : ''}`).join(', ') || 'nothing';
    return {
      why: `${refText(wrongTo)}, but its spec.to allows ${allowed}`,
      todo: `Add {group: "${wrongTo.to.group}", kind: ${wrongTo.to.kind}, name: ${wrongTo.to.name}} to spec.to.`,
      path: ['spec', 'to'],
    };
  }
  const from = g.from.map((f) => `${f.kind}s of ${f.namespace}`).join(', ') || 'nothing';
  const to = g.to.map((t) => `${t.kind}${t.name ? ` ${t.name}` : 's'}`).join(', ') || 'nothing';
  return {
    why: `no ${from} in the workspace refers to ${to} in namespace ${g.namespace}`,
    todo: 'Delete it if nothing needs it, or correct spec.from and spec.to to the references it is meant for.',
    path: ['spec'],
  };
}

export function checkGrants(model: GatewayModel, diagnostics: Diagnostic[]): void {
  const refs = crossReferences(model);
  for (const g of model.grants) {
    if (g.origin.kind !== 'manifest' || refs.some((x) => grantPermits(g, x))) continue;
    const e = explain(g, refs);
    const at = locate(g.origin, e.path);
    if (!at) continue;
    diagnostics.push(
      makeDiagnostic(
        'referencegrant-unused',
        at,
        { grant: `${g.namespace}/${g.name}`, why: e.why, todo: e.todo },
        resourceName({ kind: 'ReferenceGrant', namespace: g.namespace, name: g.name }),
      ),
    );
  }
}
