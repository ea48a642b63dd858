// A multi-root workspace: folders alpha and beta each hold app.yaml (the same relative path) with
// their own cluster (beta's kube-netsim.yaml sets clusterDomain beta.local). Nothing of one folder
// may show in the other: diagnostics, hovers, Go to Definition, completion and the view.
const assert = require('assert');
const vscode = require('vscode');

const folder = (name) => vscode.workspace.workspaceFolders.find((f) => f.name === name);
const app = (name) => vscode.Uri.joinPath(folder(name).uri, 'app.yaml');
const ours = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kube-netsim');
const code = (d) => (typeof d.code === 'object' ? d.code.value : d.code);
const hoverText = (hovers) => hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');

async function waitFor(what, probe, timeoutMs = 30000) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The position `offset` characters into the first line of the document containing `needle`. */
async function at(uri, needle, offset = 0) {
  const doc = await vscode.workspace.openTextDocument(uri);
  const line = doc
    .getText()
    .split('\n')
    .findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${uri.path}`);
  return { doc, pos: new vscode.Position(line, doc.lineAt(line).text.indexOf(needle) + offset) };
}

describe('multi-root workspace', function () {
  this.timeout(60000);
  let ctx;

  before(async () => {
    ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    assert.deepEqual(
      vscode.workspace.workspaceFolders.map((f) => f.name),
      ['alpha', 'beta'],
    );
    await waitFor('both folders analysed', () => [...ctx.models.values()].length === 2 && [...ctx.models.values()].every((m) => m.report));
  });

  it('keeps one simulated cluster per folder', () => {
    const pods = Object.fromEntries([...ctx.models.values()].map((m) => [m.folder.name, m.report.summary.pods]));
    assert.deepEqual(pods, { alpha: 3, beta: 4 });
  });

  it("reports each folder's problems on its own file only", async () => {
    await waitFor('alpha diagnostics', () => ours(app('alpha')).some((d) => code(d) === 'dns-name-unresolved'));
    const alpha = ours(app('alpha')).filter((d) => code(d) === 'dns-name-unresolved');
    assert.equal(alpha.length, 1);
    assert.match(alpha[0].message, /missing/);
    assert.deepEqual(
      ours(app('beta')).filter((d) => code(d) === 'dns-name-unresolved'),
      [],
    );
  });

  it("answers hovers from the folder's own cluster", async () => {
    for (const [name, fqdn] of [
      ['alpha', 'api.alpha.svc.cluster.local'],
      ['beta', 'api.beta.svc.beta.local'],
    ]) {
      const { doc, pos } = await at(app(name), 'http://api:80', 'http://a'.length);
      const text = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos));
      assert.ok(text.includes(fqdn), `${name}: ${text}`);
      assert.ok(!text.includes(name === 'alpha' ? 'beta' : 'alpha/'), `${name} hover mentions the other folder: ${text}`);
    }
  });

  it("goes to the Service of the folder's own file", async () => {
    for (const name of ['alpha', 'beta']) {
      const { doc, pos } = await at(app(name), 'http://api:80', 'http://a'.length);
      const links = await vscode.commands.executeCommand('vscode.executeDefinitionProvider', doc.uri, pos);
      assert.equal(links.length, 1, name);
      const uri = links[0].targetUri ?? links[0].uri;
      const range = links[0].targetRange ?? links[0].range;
      assert.equal(uri.toString(), app(name).toString(), `${name} leads to its own app.yaml`);
      assert.equal(range.start.line, 3, 'the Service metadata.name');
    }
  });

  it("completes with the folder's own pods", async () => {
    for (const [name, count] of [
      ['alpha', 2],
      ['beta', 3],
    ]) {
      const doc = await vscode.workspace.openTextDocument(app(name));
      const editor = await vscode.window.showTextDocument(doc);
      const line = doc.lineAt(7); // "    app: api" of the Service selector
      assert.equal(line.text.trim(), 'app: api');
      const original = doc.getText();
      try {
        await editor.edit((e) => e.replace(new vscode.Range(7, 9, 7, line.text.length), ''));
        const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(7, 9));
        const item = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'api');
        assert.ok(item, `${name}: api offered`);
        assert.match(item.detail, new RegExp(`selects ${count} pods in namespace ${name}`));
      } finally {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
        await vscode.workspace.applyEdit(edit);
        await doc.save();
      }
    }
  });

  it('shows one tree per folder in the Kubernetes Network view', async () => {
    const view = ctx.networkView;
    const roots = await view.getChildren();
    assert.deepEqual(
      roots.map((r) => view.getTreeItem(r).label),
      ['alpha', 'beta'],
    );
    for (const root of roots) {
      const namespaces = await view.getChildren(root);
      assert.deepEqual(
        namespaces.map((n) => n.node.label),
        [root.model.folder.name],
      );
      const ids = namespaces.map((n) => view.getTreeItem(n).id);
      assert.ok(
        ids.every((id) => id.startsWith(root.model.folder.uri.toString())),
        'item ids carry their folder',
      );
    }
  });
});
