import type { FieldPath } from '../source';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { type ManifestObject } from './types';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function resourceName(o: { kind: string; namespace?: string | undefined; name: string }): string {
  return o.namespace !== undefined ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

/** A short description of a value for messages; never expands a list or mapping (it may be a large one). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string "${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${v}`;
  return typeof v;
}

/** A scalar as YAML wrote it (numbers and booleans as their text); a list or mapping as `describe` names it. */
export function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return describe(v);
}

/**
 * Typed access to a manifest's fields. A field of the wrong type is reported (manifest-invalid,
 * at the field) and read as absent, so one bad field never stops the rest of the object.
 */
export class FieldReader {
  readonly resource: string;

  constructor(
    readonly object: ManifestObject,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.resource = resourceName({ kind: object.kind, namespace: object.namespace, name: object.name });
  }

  raw(path: FieldPath): unknown {
    let v: unknown = this.object.raw;
    for (const key of path) {
      if (typeof key === 'number') v = Array.isArray(v) ? v[key] : undefined;
      else v = isRecord(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
      if (v === undefined) return undefined;
    }
    return v;
  }

  invalid(path: FieldPath, reason: string): void {
    this.diagnostics.push(makeDiagnostic('manifest-invalid', this.object.locate(path), { reason }, this.resource));
  }

  private expect<T>(path: FieldPath, ok: (v: unknown) => v is T, what: string): T | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null) return undefined;
    if (ok(v)) return v;
    this.invalid(path, `\`${String(path[path.length - 1])}\` must be ${what}, not ${describe(v)}.`);
    return undefined;
  }

  str(path: FieldPath): string | undefined {
    return this.expect(path, (v): v is string => typeof v === 'string', 'a string');
  }

  bool(path: FieldPath): boolean | undefined {
    return this.expect(path, (v): v is boolean => typeof v === 'boolean', 'true or false');
  }

  map(path: FieldPath): Record<string, unknown> | undefined {
    return this.expect(path, isRecord, 'a mapping');
  }

  list(path: FieldPath): unknown[] | undefined {
    return this.expect(path, (v): v is unknown[] => Array.isArray(v), 'a list');
  }

  int(path: FieldPath, min: number, max: number): number | undefined {
    const v = this.expect(path, (x): x is number => typeof x === 'number' && Number.isInteger(x), 'an integer');
    if (v === undefined) return undefined;
    if (v < min || v > max) {
      this.invalid(path, `\`${String(path[path.length - 1])}\` must be between ${min} and ${max}, not ${v}.`);
      return undefined;
    }
    return v;
  }

  /** A port given as a number (1-65535) or an IANA_SVC_NAME (at most 15 characters). */
  intOrName(path: FieldPath): number | string | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return this.int(path, 1, 65535);
    if (typeof v === 'string') {
      if (/^\d+$/.test(v)) {
        const n = Number(v);
        if (n >= 1 && n <= 65535) return n;
      }
      if (/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(v) && /[a-z]/.test(v) && !v.includes('--')) return v;
      this.invalid(
        path,
        `\`${String(path[path.length - 1])}\` must be a port number (1-65535) or a port name (lower-case, at most 15 characters), not "${v}".`,
      );
      return undefined;
    }
    this.invalid(path, `\`${String(path[path.length - 1])}\` must be a port number or name, not ${describe(v)}.`);
    return undefined;
  }

  /** A label map: string keys to string values. Non-string values are reported and dropped. */
  labels(path: FieldPath): Record<string, string> {
    const m = this.map(path);
    const out: Record<string, string> = {};
    if (!m) return out;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v === 'string') out[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') {
        this.invalid([...path, k], `Label values must be strings; quote ${String(v)} ("${String(v)}").`);
      } else this.invalid([...path, k], `Label \`${k}\` must have a string value, not ${describe(v)}.`);
    }
    return out;
  }

  protocol(path: FieldPath): 'TCP' | 'UDP' | 'SCTP' {
    const p = this.str(path);
    if (p === undefined) return 'TCP';
    if (p === 'TCP' || p === 'UDP' || p === 'SCTP') return p;
    this.invalid(path, `protocol must be TCP, UDP or SCTP (upper case), not "${p}".`);
    return 'TCP';
  }
}
