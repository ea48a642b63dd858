import * as vscode from 'vscode';
import { toRange } from './convert';
import type { WorkspaceModel } from './workspaceModel';

/** Hovers come from the analysis worker, which holds the simulation; this only turns them into VS Code's types. */
export class HoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly modelFor: (uri: vscode.Uri) => WorkspaceModel | undefined,
    private readonly log: vscode.OutputChannel,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    try {
      const model = this.modelFor(doc.uri);
      if (!model) return undefined;
      const hover = await model.hover(model.relativePath(doc.uri), { line: pos.line, character: pos.character });
      if (!hover) return undefined;
      const md = new vscode.MarkdownString(hover.lines.join('\n'), true);
      md.supportHtml = false;
      // Only the troubleshoot link may run from a hover: the rest of the text comes from manifests.
      md.isTrusted = { enabledCommands: ['kubeNetsim.troubleshoot'] };
      return new vscode.Hover(md, hover.range ? toRange(hover.range) : undefined);
    } catch (err) {
      this.log.appendLine(`[hover] ${(err as Error).stack ?? String(err)}`);
      return undefined;
    }
  }
}
