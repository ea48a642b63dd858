import * as vscode from 'vscode';
import type { ClusterSummary } from './analysis/protocol';

/** The simulated cluster's size and its problem count, in the status bar; a click opens the topology. */
export class ClusterStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kubeNetsim.status', vscode.StatusBarAlignment.Left, 10);
  private summary = '';
  private analysing = false;
  private spinTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.item.name = 'Kubernetes Network';
    this.item.command = 'kubeNetsim.showTopology';
  }

  update(s: ClusterSummary, folders: number): void {
    this.summary = `${s.pods} pods · ${s.services} svc · $(error) ${s.errors} $(warning) ${s.warnings}`;
    this.item.tooltip = `kube-netsim: ${s.nodes} nodes, ${s.pods} pods, ${s.services} Services (${s.cni}, kube-proxy ${s.kubeProxyMode})${folders > 1 ? ' — active folder' : ''}. Click to show the topology.`;
    this.render();
    this.item.show();
  }

  /**
   * Marks a re-analysis in progress. The spinner shows only when it lasts more than a moment (a
   * large workspace), so small ones do not flicker; the figures stay until the new ones arrive.
   */
  setAnalysing(on: boolean): void {
    if (this.spinTimer) clearTimeout(this.spinTimer);
    this.spinTimer = undefined;
    if (!on) {
      this.analysing = false;
      this.render();
      return;
    }
    this.spinTimer = setTimeout(() => {
      this.analysing = true;
      this.render();
    }, 400);
  }

  private render(): void {
    if (!this.summary) return;
    this.item.text = `${this.analysing ? '$(sync~spin)' : '$(server-environment)'} ${this.summary}`;
  }

  dispose(): void {
    if (this.spinTimer) clearTimeout(this.spinTimer);
    this.item.dispose();
  }
}
