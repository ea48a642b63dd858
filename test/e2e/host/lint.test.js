// Runs inside the real VS Code extension host (code-server) on a copy of examples/shop: the
// kubectl counterparts in hovers, and Compare Connectivity with Last Commit through the Git extension.
const assert = require('assert');
const { execFileSync } = require('child_process');
const vscode = require('vscode');

const { root, file, ours, hoverText, waitFor } = require('./util');

describe('kube-netsim checks in the editor', function () {
  this.timeout(60000);

  before(async () => {
    await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('first analysis', () => ours(file('frontend.yaml')).length > 0);
  });

  it("a diagnostic's hover lists the kubectl commands that verify it on a live cluster", async () => {
    const d = ours(file('frontend.yaml')).find((x) => x.code.value === 'dns-name-unresolved');
    assert.ok(d);
    const hovers = await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      file('frontend.yaml'),
      d.range.start.translate(0, 2),
    );
    const text = hoverText(hovers);
    assert.match(text, /Verify on a live cluster/);
    assert.match(text, /kubectl exec frontend-\S+ -n shop -- nslookup catalog/);
  });

  it('the sample shows readiness-probe infos for the two workloads its Ingress exposes', () => {
    for (const name of ['frontend.yaml', 'backend.yaml']) {
      const d = ours(file(name)).find((x) => x.code.value === 'missing-readiness-probe');
      assert.ok(d, `missing-readiness-probe in ${name}`);
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Information);
    }
  });

  it('Compare Connectivity with Last Commit shows the connections an unsaved edit opens', async function () {
    const dir = root().fsPath;
    const git = (...args) =>
      execFileSync('git', ['-c', 'user.email=e2e@example.invalid', '-c', 'user.name=e2e', ...args], { cwd: dir, stdio: 'pipe' });
    try {
      git('init', '-q');
      git('add', '-A');
      git('commit', '-q', '-m', 'sample');
    } catch {
      this.skip(); // no git binary here: nothing to compare with
    }
    await vscode.commands.executeCommand('git.openRepository', dir).then(undefined, () => undefined);
    const doc = await vscode.workspace.openTextDocument(file('policies.yaml'));
    // An extra ingress rule admitting everything to postgres: only clients outside the cluster gain
    // from it (the sample's default-deny still isolates every workload's egress).
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, doc.lineAt(doc.lineCount - 1).range.end, '\n    - {}');
    await vscode.workspace.applyEdit(edit);
    try {
      await new Promise((r) => setTimeout(r, 1000)); // the debounced re-analysis
      const before = new Set(vscode.workspace.textDocuments);
      await vscode.commands.executeCommand('kubeNetsim.compareWithLastCommit');
      const shown = await waitFor('the comparison', () =>
        vscode.workspace.textDocuments.find((d) => !before.has(d) && d.isUntitled && d.getText().startsWith('Connectivity of')),
      );
      const text = shown.getText();
      assert.match(text, /last commit \(HEAD\) → working tree/);
      assert.match(
        text,
        /\n\+ 0\.0\.0\.0-255\.255\.255\.255\[External\] => shop\/postgres\[StatefulSet\] : All Connections\n1 opened, 0 closed\.\n$/,
      );
      assert.doesNotMatch(text, /\n- /, 'nothing is closed');
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
