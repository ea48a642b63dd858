import * as vscode from 'vscode';
import type { Fix } from '../engine';
import { toRange } from './convert';
import type { WorkspaceModel } from './workspaceModel';

/** Remembers the engine's fixes for each published diagnostic, so code actions can offer them. */
export class FixStore {
  private readonly fixes = new Map<string, Fix[]>();

  private static key(uri: vscode.Uri, d: { range: vscode.Range; message: string }): string {
    return `${uri.toString()}|${d.range.start.line}:${d.range.start.character}|${d.message}`;
  }

  clear(uri: vscode.Uri): void {
    const prefix = uri.toString() + '|';
    for (const k of [...this.fixes.keys()]) if (k.startsWith(prefix)) this.fixes.delete(k);
  }

  set(uri: vscode.Uri, d: vscode.Diagnostic, fixes: Fix[]): void {
    this.fixes.set(FixStore.key(uri, d), fixes);
  }

  get(uri: vscode.Uri, d: vscode.Diagnostic): Fix[] {
    return this.fixes.get(FixStore.key(uri, d)) ?? [];
  }
}

export class QuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly store: FixStore,
    private readonly modelFor: (uri: vscode.Uri) => WorkspaceModel | undefined,
    private readonly log?: vscode.OutputChannel,
  ) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    // A failure here is logged once and offers nothing; the other providers keep working.
    try {
      return this.actions(doc, range, context);
    } catch (err) {
      this.log?.appendLine(`[quickFix] ${(err as Error).stack ?? String(err)}`);
      return [];
    }
  }

  private actions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const model = this.modelFor(doc.uri);
    if (!model) return [];
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== 'kube-netsim') continue;
      for (const fix of this.store.get(doc.uri, d)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = this.store.get(doc.uri, d).length === 1;
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) {
          const uri = model.uriOf(e.range.file);
          if (uri) edit.replace(uri, toRange(e.range), e.newText);
        }
        action.edit = edit;
        actions.push(action);
      }
    }
    return actions;
  }
}
