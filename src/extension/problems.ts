import * as vscode from 'vscode';
import type { Diagnostic } from '../engine';
import { toVscodeDiagnostic } from './convert';
import type { FixStore } from './quickFix';
import type { WorkspaceModel } from './workspaceModel';

/** Publishes a folder's diagnostics, clearing files that no longer have any. */
export class Problems {
  private readonly published = new Map<string, Set<string>>();

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly fixes: FixStore,
  ) {}

  publish(model: WorkspaceModel, diagnostics: readonly Diagnostic[]): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of diagnostics) {
      const uri = model.uriOf(d.range.file) ?? (d.range.file === 'kube-netsim.yaml' ? vscode.Uri.joinPath(model.folder.uri, 'kube-netsim.yaml') : undefined);
      if (!uri) continue;
      const list = byFile.get(uri.toString()) ?? [];
      if (list.length === 0) this.fixes.clear(uri);
      const vd = toVscodeDiagnostic(d, (p) => model.uriOf(p));
      if (d.fixes) this.fixes.set(uri, vd, d.fixes);
      list.push(vd);
      byFile.set(uri.toString(), list);
    }
    const key = model.folder.uri.toString();
    const before = this.published.get(key) ?? new Set<string>();
    for (const uri of before) if (!byFile.has(uri)) this.collection.delete(vscode.Uri.parse(uri));
    for (const [uri, list] of byFile) this.collection.set(vscode.Uri.parse(uri), list);
    this.published.set(key, new Set(byFile.keys()));
  }
}
