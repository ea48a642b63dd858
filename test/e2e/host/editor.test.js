// Go to Definition, Find All References, completion, rename and the Kubernetes Network view
// through VS Code's own commands, in the real extension host on examples/shop (issue 21). Every
// answer comes from the analysis worker.
const assert = require('assert');
const vscode = require('vscode');

const { file, ours, waitFor } = require('./util');

/** The position `offset` characters into the `nth` line of a file that contains `needle`. */
async function at(name, needle, offset = 0, nth = 0) {
  const doc = await vscode.workspace.openTextDocument(file(name));
  const lines = doc.getText().split('\n');
  const hits = lines.map((l, i) => (l.includes(needle) ? i : -1)).filter((i) => i >= 0);
  const line = hits[nth];
  assert.ok(line !== undefined, `${needle} #${nth} in ${name}`);
  return { doc, pos: new vscode.Position(line, lines[line].indexOf(needle) + offset) };
}
const where = (l) => {
  const uri = l.targetUri ?? l.uri;
  const range = l.targetRange ?? l.range;
  return `${uri.path.split('/').pop()}:${range.start.line + 1}:${range.start.character + 1}`;
};
const labelOf = (i) => (typeof i.label === 'string' ? i.label : i.label.label);

async function restore(doc, original) {
  if (doc.getText() !== original) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
    await vscode.workspace.applyEdit(edit);
  }
  await vscode.workspace.fs.writeFile(doc.uri, Buffer.from(original, 'utf8'));
  if (doc.isDirty) await doc.save();
}

describe('editor navigation, completion, rename and the view', function () {
  this.timeout(60000);
  let ctx;

  before(async () => {
    ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('first analysis', () => ours(file('frontend.yaml')).length > 0);
    assert.strictEqual(ctx.client.mode, 'worker', 'answers come from the analysis worker');
  });

  it('F12 on a URL host goes to the Service it resolves to, underlining the host', async () => {
    const { doc, pos } = await at('frontend.yaml', 'http://backend:8080', 'http://ba'.length);
    const links = await vscode.commands.executeCommand('vscode.executeDefinitionProvider', doc.uri, pos);
    assert.deepEqual(links.map(where), ['backend.yaml:32:9']);
    const origin = links[0].originSelectionRange;
    assert.equal(doc.getText(origin), 'backend');
  });

  it('F12 on a named targetPort goes to the containerPort; on a selector, to every workload it picks', async () => {
    const t = await at('backend.yaml', 'targetPort: api', 13);
    assert.deepEqual((await vscode.commands.executeCommand('vscode.executeDefinitionProvider', t.doc.uri, t.pos)).map(where), [
      'backend.yaml:22:30',
    ]);
    const s = await at('policies.yaml', 'podSelector: {}', 3);
    const picked = await vscode.commands.executeCommand('vscode.executeDefinitionProvider', s.doc.uri, s.pos);
    assert.deepEqual(picked.map(where).sort(), ['backend.yaml:4:9', 'database.yaml:45:9', 'database.yaml:4:9', 'frontend.yaml:4:9']);
  });

  it('Shift+F12 on a Service name finds the URL and the Ingress backend that reach it', async () => {
    const { doc, pos } = await at('backend.yaml', 'name: backend', 7, 1);
    const refs = await vscode.commands.executeCommand('vscode.executeReferenceProvider', doc.uri, pos);
    assert.deepEqual(refs.map(where).sort(), ['backend.yaml:32:9', 'frontend.yaml:25:29', 'ingress.yaml:26:23']);
  });

  it('Ctrl+Space in a selector offers label values with how many pods each selects', async () => {
    const doc = await vscode.workspace.openTextDocument(file('backend.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l, i, all) => l === '    app: backend' && all[i + 1] === '  ports:');
    try {
      await editor.edit((e) => e.replace(new vscode.Range(line, 9, line, 16), ''));
      const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, 9));
      const ours = list.items.filter((i) => /selects/.test(i.detail ?? ''));
      assert.deepEqual(
        ours.map((i) => `${labelOf(i)}: ${i.detail}`),
        [
          'backend: app=backend selects 3 pods in namespace shop',
          'frontend: app=frontend selects 2 pods in namespace shop',
          'postgres: app=postgres selects 1 pod in namespace shop',
          'redis: app=redis selects 1 pod in namespace shop',
        ],
      );
    } finally {
      await restore(doc, original);
    }
  });

  it('F2 on a label value renames the template labels and every selector by it; refuses where unsafe', async () => {
    const { doc, pos } = await at('backend.yaml', 'app: backend', 7, 1);
    const edit = await vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', doc.uri, pos, 'api-server');
    const changes = edit
      .entries()
      .flatMap(([uri, edits]) => edits.map((e) => `${uri.path.split('/').pop()}:${e.range.start.line + 1} ${e.newText}`))
      .sort();
    assert.deepEqual(changes, [
      'backend.yaml:10 api-server',
      'backend.yaml:14 api-server',
      'backend.yaml:36 api-server',
      'policies.yaml:49 api-server',
      'policies.yaml:61 api-server',
      'policies.yaml:91 api-server',
    ]);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', doc.uri, pos, 'frontend')),
      /already carries app=frontend/,
    );
  });

  it('shows namespaces → workloads, Services, policies and Ingresses in the Kubernetes Network view', async () => {
    const view = ctx.networkView;
    const [shop] = await view.getChildren();
    assert.equal(view.getTreeItem(shop).label, 'shop');
    const groups = await view.getChildren(shop);
    assert.deepEqual(
      groups.map((g) => view.getTreeItem(g).label),
      ['Workloads', 'Services', 'Network policies', 'Ingresses'],
    );
    const workloads = await view.getChildren(groups[0]);
    const backend = workloads.find((w) => w.node.label === 'backend');
    assert.equal(view.getTreeItem(backend).description, 'Deployment · 3 pods');
    assert.match(view.getTreeItem(backend).contextValue, /traceFrom/);
    const pods = await view.getChildren(backend);
    assert.equal(pods.length, 3);
    assert.match(view.getTreeItem(pods[0]).description, /^10\.\d+\.\d+\.\d+ on node-\d/);
    // Clicking an item reveals its manifest line.
    await vscode.commands.executeCommand(view.getTreeItem(backend).command.command, ...view.getTreeItem(backend).command.arguments);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor.document.uri.path.split('/').pop(), 'backend.yaml');
    assert.equal(editor.selection.start.line, 3);
  });

  it('"Trace packet from here" traces from the item to the target picked', async () => {
    const view = ctx.networkView;
    const [shop] = await view.getChildren();
    const [workloads] = await view.getChildren(shop);
    const frontend = (await view.getChildren(workloads)).find((w) => w.node.label === 'frontend');
    const services = (await view.getChildren(shop))[1];
    const backend = (await view.getChildren(services)).find((s) => s.node.label === 'backend');
    // "to here" on a Service, with the source given: the same command the context menu runs, as its arguments would be.
    const json = await vscode.commands.executeCommand('kubeNetsim.tracePacket', {
      folder: frontend.folder,
      from: frontend.node.traceFrom,
      to: backend.node.traceTo,
    });
    assert.equal(json.verdict, 'delivered');
  });
});
