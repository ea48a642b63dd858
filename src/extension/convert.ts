import * as vscode from 'vscode';
import { docsLink, type Diagnostic, type SourceRange } from '../engine';

/** Engine ranges are 1-based; VS Code's are 0-based. */
export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(Math.max(0, r.line - 1), Math.max(0, r.column - 1), Math.max(0, r.endLine - 1), Math.max(0, r.endColumn - 1));
}

export function contains(r: SourceRange, pos: vscode.Position): boolean {
  return (
    toRange(r).contains(pos) ||
    (r.line - 1 === pos.line && r.column - 1 <= pos.character && pos.character <= r.endColumn - 1 && r.line === r.endLine)
  );
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

/** One engine diagnostic as the Problems panel shows it: code linked to the docs, related places listed. */
export function toVscodeDiagnostic(d: Diagnostic, uriOf: (path: string) => vscode.Uri | undefined): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  out.source = 'kube-netsim';
  out.code = { value: d.code, target: vscode.Uri.parse(docsLink(d.code)) };
  const related = (d.related ?? []).flatMap((r) => {
    const uri = uriOf(r.location.file);
    return uri ? [new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.location)), r.message)] : [];
  });
  if (related.length > 0) out.relatedInformation = related;
  return out;
}
