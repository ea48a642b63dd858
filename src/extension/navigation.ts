import * as vscode from 'vscode';
import type { SourceRange } from '../engine';
import type { CompletionEntry, CompletionKind } from './analysis/completion';
import { toRange } from './convert';
import type { WorkspaceModel } from './workspaceModel';

type ModelFor = (uri: vscode.Uri) => WorkspaceModel | undefined;

/** Where an answer's range is: the file's URI in the folder, and the range. */
function location(model: WorkspaceModel, r: SourceRange): vscode.Location | undefined {
  const uri = model.uriOf(r.file);
  return uri ? new vscode.Location(uri, toRange(r)) : undefined;
}

const position = (p: vscode.Position) => ({ line: p.line, character: p.character });

/**
 * Go to Definition, Find All References, Rename and Completion. Every answer is a query to the
 * analysis worker, which holds the simulation; these classes only turn its data into VS Code's
 * types. A query waits for an analysis under way, so an answer never describes text already edited.
 */
abstract class Provider {
  constructor(
    protected readonly modelFor: ModelFor,
    protected readonly log: vscode.OutputChannel,
    private readonly part: string,
  ) {}

  protected async guarded<T>(doc: vscode.TextDocument, fallback: T, ask: (model: WorkspaceModel, file: string) => Promise<T>): Promise<T> {
    try {
      const model = this.modelFor(doc.uri);
      if (!model) return fallback;
      await model.settled();
      return await ask(model, model.relativePath(doc.uri));
    } catch (err) {
      this.log.appendLine(`[${this.part}] ${(err as Error).stack ?? String(err)}`);
      return fallback;
    }
  }
}

export class DefinitionProvider extends Provider implements vscode.DefinitionProvider {
  constructor(modelFor: ModelFor, log: vscode.OutputChannel) {
    super(modelFor, log, 'definition');
  }

  provideDefinition(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.LocationLink[]> {
    return this.guarded(doc, [], async (model, file) => {
      const answer = await model.query('definition', { file, position: position(pos) });
      if (!answer) return [];
      const origin = toRange(answer.origin);
      return answer.targets.flatMap((t) => {
        const at = location(model, t.range);
        return at ? [{ originSelectionRange: origin, targetUri: at.uri, targetRange: at.range, targetSelectionRange: at.range }] : [];
      });
    });
  }
}

export class ReferenceProvider extends Provider implements vscode.ReferenceProvider {
  constructor(modelFor: ModelFor, log: vscode.OutputChannel) {
    super(modelFor, log, 'references');
  }

  provideReferences(doc: vscode.TextDocument, pos: vscode.Position, context: vscode.ReferenceContext): Promise<vscode.Location[]> {
    return this.guarded(doc, [], async (model, file) => {
      const answer = await model.query('references', { file, position: position(pos), includeDeclaration: context.includeDeclaration });
      return (answer?.references ?? []).flatMap((r) => location(model, r.range) ?? []);
    });
  }
}

/** F2 on a label value. A refusal is thrown: VS Code shows its message where the rename was asked. */
export class RenameProvider extends Provider implements vscode.RenameProvider {
  constructor(modelFor: ModelFor, log: vscode.OutputChannel) {
    super(modelFor, log, 'rename');
  }

  async prepareRename(doc: vscode.TextDocument, pos: vscode.Position): Promise<{ range: vscode.Range; placeholder: string }> {
    const answer = await this.guarded(doc, undefined, (model, file) => model.query('prepareRename', { file, position: position(pos) }));
    if (!answer) throw new Error('kube-netsim has not simulated this folder yet.');
    if (!answer.ok) throw new Error(answer.message);
    return { range: toRange(answer.range), placeholder: answer.placeholder };
  }

  async provideRenameEdits(doc: vscode.TextDocument, pos: vscode.Position, newName: string): Promise<vscode.WorkspaceEdit> {
    let model: WorkspaceModel | undefined;
    const answer = await this.guarded(doc, undefined, (m, file) => {
      model = m;
      return m.query('rename', { file, position: position(pos), newName });
    });
    if (!answer || !model) throw new Error('kube-netsim has not simulated this folder yet.');
    if (!answer.ok) throw new Error(answer.message);
    const edit = new vscode.WorkspaceEdit();
    for (const e of answer.edits) {
      const at = location(model, e.range);
      if (!at) continue;
      // Every edit is shown in the refactor preview with what it changes, before anything is written.
      const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: true, label: e.label };
      if (e.description) metadata.description = e.description;
      edit.replace(at.uri, at.range, e.newText, metadata);
    }
    return edit;
  }
}

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  labelKey: vscode.CompletionItemKind.Property,
  labelValue: vscode.CompletionItemKind.Value,
  service: vscode.CompletionItemKind.Reference,
  port: vscode.CompletionItemKind.EnumMember,
  namespace: vscode.CompletionItemKind.Module,
};

export class CompletionProvider extends Provider implements vscode.CompletionItemProvider {
  static readonly triggers = [':', ' ', '/'];

  constructor(modelFor: ModelFor, log: vscode.OutputChannel) {
    super(modelFor, log, 'completion');
  }

  provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.CompletionItem[]> {
    // The text as typed goes with the query: the simulation answers what it refers to.
    const text = doc.getText();
    return this.guarded(doc, [], async (model) => {
      const entries = (await model.query('completion', { text, position: position(pos) })) ?? [];
      return entries.map((e) => toItem(e));
    });
  }
}

function toItem(e: CompletionEntry): vscode.CompletionItem {
  const item = new vscode.CompletionItem({ label: e.label, description: e.detail }, KINDS[e.kind]);
  item.insertText = e.insertText;
  item.detail = e.detail;
  item.sortText = e.sortText;
  item.filterText = e.label;
  item.range = new vscode.Range(e.range.line, e.range.start, e.range.line, e.range.end);
  return item;
}
