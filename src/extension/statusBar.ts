import * as vscode from 'vscode';
import type { Analysis } from '../engine';

/** The simulated cluster's size and its problem count, in the status bar; a click opens the topology. */
export class ClusterStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kubeNetsim.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Kubernetes Network';
    this.item.command = 'kubeNetsim.showTopology';
  }

  update(analysis: Analysis, folders: number): void {
    const pods = analysis.cluster.pods.filter((p) => p.origin.kind === 'manifest').length;
    const services = analysis.cluster.services.filter((s) => s.origin.kind === 'manifest').length;
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = analysis.diagnostics.filter((d) => d.severity === 'warning').length;
    this.item.text = `$(server-environment) ${pods} pods · ${services} svc · $(error) ${errors} $(warning) ${warnings}`;
    this.item.tooltip = `kube-netsim: ${analysis.cluster.nodes.length} nodes, ${pods} pods, ${services} Services (${analysis.cluster.settings.cni}, kube-proxy ${analysis.cluster.settings.kubeProxyMode})${folders > 1 ? ' — active folder' : ''}. Click to show the topology.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
