// Shared pieces of reading Cilium policies (ciliumParse.ts, ciliumPorts.ts): the reading context,
// and how an error, an unknown field or a field not simulated is reported.
import type { FieldReader } from '../manifests/fields';
import type { FieldPath } from '../source';
import { editDistance, makeDiagnostic, type Diagnostic } from '../diagnostics';
import type { CiliumKind } from './ciliumTypes';

export interface ReadCtx {
  r: FieldReader;
  kind: CiliumKind;
  namespace: string;
  /** Set when the agent would refuse the whole policy. */
  rejected: boolean;
  diagnostics: Diagnostic[];
}

export function reject(ctx: ReadCtx, path: FieldPath, reason: string): void {
  ctx.r.invalid(path, reason);
  ctx.rejected = true;
}

export function notSimulated(ctx: ReadCtx, path: FieldPath, field: string, why: string): void {
  ctx.diagnostics.push(
    makeDiagnostic(
      'cni-policy-field-not-simulated',
      ctx.r.object.locate(path),
      { field, kind: ctx.kind, policy: ctx.namespace ? `${ctx.namespace}/${ctx.r.object.name}` : ctx.r.object.name, why },
      ctx.r.resource,
    ),
  );
}

export function unknown(ctx: ReadCtx, path: FieldPath, key: string, known: string[]): void {
  const close = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  ctx.r.invalid(
    path,
    `Unknown field \`${key}\` in a ${ctx.kind}${close ? `; did you mean \`${close}\`?` : ` (known: ${known.join(', ')})`}. The API server drops it, which changes what the policy allows.`,
  );
}

/** `specs[1].ingress[0]` or `spec.ingress[0]`: a rule's place, as a reason names it. */
export function pathText(path: FieldPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}
