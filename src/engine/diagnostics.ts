import type { SourceRange } from './source';
import { CATALOGUE, parseResource, type CodeInfo, type DiagnosticCode, type Params, type Severity } from './catalogue';

export type { DiagnosticCode } from './catalogue';

export type { Severity } from './catalogue';

export interface RelatedInformation {
  message: string;
  location: SourceRange;
}

/** A problem found while simulating, at the exact field at fault. Data, never an exception. */
export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  range: SourceRange;
  /** `Kind/namespace/name` of the object concerned, when there is one. */
  resource?: string;
  related?: RelatedInformation[];
  /** Edits that fix the problem where the fix is clear (quick fixes in the editor, suggestions in the CLI's JSON). */
  fixes?: Fix[];
  /** `kubectl` commands that check the same fact on a live cluster (shown in hovers and the CLI's text). */
  verify?: string[];
}

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

/** Adds a fix to a diagnostic (returns it, for chaining where diagnostics are pushed). */
export function withFix(d: Diagnostic, fix: Fix | undefined): Diagnostic {
  if (fix) (d.fixes ??= []).push(fix);
  return d;
}

/** A diagnostic of `code` at `range`, its message and kubectl checks filled in from the catalogue. */
export function makeDiagnostic(
  code: DiagnosticCode,
  range: SourceRange,
  params: Params,
  resource?: string,
  related?: RelatedInformation[],
): Diagnostic {
  const info: CodeInfo = CATALOGUE[code];
  const d: Diagnostic = { severity: info.severity, code, message: info.format(params), range };
  if (resource !== undefined) d.resource = resource;
  if (related !== undefined && related.length > 0) d.related = related;
  const verify = info.verify?.(params, parseResource(resource));
  if (verify && verify.length > 0) d.verify = verify;
  return d;
}

/** Stable order for output: by file, position, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    cmp(a.range.file, b.range.file) ||
    a.range.line - b.range.line ||
    a.range.column - b.range.column ||
    cmp(a.code, b.code) ||
    cmp(a.message, b.message)
  );
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Levenshtein distance, for "did you mean" hints on labels and port names. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}
