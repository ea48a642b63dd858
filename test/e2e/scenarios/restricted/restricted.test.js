// Restricted Mode (an untrusted workspace): kube-netsim still reads and simulates the manifests
// (it executes nothing from them), the file limits come from the user's settings only (the
// workspace's .vscode/settings.json tries to lift kubeNetsim.maxFileBytes and is ignored), and
// Import Cluster Snapshot, which runs kubectl, is refused with its message.
const assert = require('assert');
const vscode = require('vscode');

const root = () => vscode.workspace.workspaceFolders[0].uri;
const file = (name) => vscode.Uri.joinPath(root(), name);
const ours = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kube-netsim');
const code = (d) => (typeof d.code === 'object' ? d.code.value : d.code);

async function waitFor(what, probe, timeoutMs = 30000) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Restricted Mode', function () {
  this.timeout(60000);
  let ctx;

  before(async () => {
    ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('first analysis', () => ours(file('frontend.yaml')).length > 0);
  });

  it('runs untrusted', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
  });

  it('still analyses the manifests and answers hovers, navigation and the view', async () => {
    assert.ok(ours(file('frontend.yaml')).some((d) => code(d) === 'dns-name-unresolved'));
    const doc = await vscode.workspace.openTextDocument(file('frontend.yaml'));
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('http://backend:8080'));
    const pos = new vscode.Position(line, doc.lineAt(line).text.indexOf('backend') + 2);
    const links = await vscode.commands.executeCommand('vscode.executeDefinitionProvider', doc.uri, pos);
    assert.equal(links.length, 1);
    const namespaces = await ctx.networkView.getChildren();
    assert.deepEqual(
      namespaces.map((n) => n.node.label),
      ['shop'],
    );
  });

  it('takes kubeNetsim.maxFileBytes from the user settings, not the workspace', async () => {
    // The workspace does try to lift it; Restricted Mode leaves the workspace value out.
    const written = Buffer.from(await vscode.workspace.fs.readFile(file('.vscode/settings.json'))).toString('utf8');
    assert.match(written, /"kubeNetsim.maxFileBytes": 10000000/);
    assert.equal(vscode.workspace.getConfiguration('kubeNetsim').inspect('maxFileBytes').workspaceValue, undefined);
    assert.equal(vscode.workspace.getConfiguration('kubeNetsim').get('maxFileBytes'), 4096);
    const skipped = await waitFor('big.yaml skipped', () => ours(file('big.yaml')).find((d) => code(d) === 'file-skipped'));
    assert.match(skipped.message, /4096/);
  });

  it('refuses Import Cluster Snapshot with its message, and writes nothing', async () => {
    // The test shares the extension's vscode API object: catch the message the command shows.
    const shown = [];
    const original = vscode.window.showErrorMessage;
    vscode.window.showErrorMessage = (message) => {
      shown.push(message);
      return Promise.resolve(undefined);
    };
    try {
      await vscode.commands.executeCommand('kubeNetsim.importSnapshot');
    } finally {
      vscode.window.showErrorMessage = original;
    }
    assert.ok(
      shown.some((m) => /Restricted Mode does not allow/.test(m)),
      `shown: ${JSON.stringify(shown)}`,
    );
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(file('cluster-snapshot.yaml'))));
  });
});
