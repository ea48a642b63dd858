import * as vscode from 'vscode';
import type { ClusterSummary } from './analysis/protocol';

/** The simulated cluster's size and its problem count, in the status bar; a click opens the topology. */
export class ClusterStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kubeNetsim.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Kubernetes Network';
    this.item.command = 'kubeNetsim.showTopology';
  }

  update(s: ClusterSummary, folders: number): void {
    this.item.text = `$(server-environment) ${s.pods} pods · ${s.services} svc · $(error) ${s.errors} $(warning) ${s.warnings}`;
    this.item.tooltip = `kube-netsim: ${s.nodes} nodes, ${s.pods} pods, ${s.services} Services (${s.cni}, kube-proxy ${s.kubeProxyMode})${folders > 1 ? ' — active folder' : ''}. Click to show the topology.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
