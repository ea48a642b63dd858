import * as vscode from 'vscode';
import { toRange } from './convert';
import type { WorkspaceModel } from './workspaceModel';

export type { TraceRequest } from './analysis/lensData';

/** Lenses come from the analysis worker as data; this turns them into VS Code's CodeLens objects. */
export class CodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly modelFor: (uri: vscode.Uri) => WorkspaceModel | undefined,
    private readonly log: vscode.OutputChannel,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    try {
      const model = this.modelFor(doc.uri);
      if (!model) return [];
      const lenses = await model.lenses(model.relativePath(doc.uri));
      return lenses.map(
        (l) => new vscode.CodeLens(toRange(l.range), { title: l.title, command: l.command, arguments: l.arguments, tooltip: l.tooltip }),
      );
    } catch (err) {
      this.log.appendLine(`[codeLens] ${(err as Error).stack ?? String(err)}`);
      return [];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
