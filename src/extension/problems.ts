import * as vscode from 'vscode';
import type { Diagnostic } from '../engine';
import { toVscodeDiagnostic } from './convert';
import type { FixStore } from './quickFix';
import type { WorkspaceModel } from './workspaceModel';

/**
 * Publishes a folder's diagnostics, clearing files that no longer have any. A file whose
 * diagnostics did not change is not set again: after a one-document edit most files are as they
 * were, and every set is an update the Problems panel and the editors must process.
 */
export class Problems {
  /** Per folder: each published file's diagnostics as JSON, to tell which changed. */
  private readonly published = new Map<string, Map<string, string>>();

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly fixes: FixStore,
  ) {}

  publish(model: WorkspaceModel, diagnostics: readonly Diagnostic[]): void {
    const byFile = new Map<string, { uri: vscode.Uri; list: Diagnostic[] }>();
    for (const d of diagnostics) {
      const uri =
        model.uriOf(d.range.file) ??
        (d.range.file === 'kube-netsim.yaml' ? vscode.Uri.joinPath(model.folder.uri, 'kube-netsim.yaml') : undefined);
      if (!uri) continue;
      const entry = byFile.get(uri.toString()) ?? { uri, list: [] };
      entry.list.push(d);
      byFile.set(uri.toString(), entry);
    }
    const key = model.folder.uri.toString();
    const before = this.published.get(key) ?? new Map<string, string>();
    const after = new Map<string, string>();
    for (const uri of before.keys()) {
      if (byFile.has(uri)) continue;
      const gone = vscode.Uri.parse(uri);
      this.collection.delete(gone);
      this.fixes.clear(gone);
    }
    for (const [uriText, { uri, list }] of byFile) {
      const signature = JSON.stringify(list);
      after.set(uriText, signature);
      if (before.get(uriText) === signature) continue;
      this.fixes.clear(uri);
      this.collection.set(
        uri,
        list.map((d) => {
          const vd = toVscodeDiagnostic(d, (p) => model.uriOf(p));
          if (d.fixes) this.fixes.set(uri, vd, d.fixes);
          return vd;
        }),
      );
    }
    this.published.set(key, after);
  }
}
