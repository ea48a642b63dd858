// Runs inside the real extension host on a copy of examples/shop (issue 16, item 8): files.exclude
// keeps a file out of the simulation when the folder is indexed, when it appears on disk and when
// it is opened and edited; `# kube-netsim: ignore` comments and kube-netsim.yaml's ignore: list
// keep their diagnostics out of the Problems panel. Everything written is deleted afterwards.
const assert = require('assert');
const vscode = require('vscode');

const util = require('./util');

const { file, code, ours } = util;
const waitFor = (what, probe) => util.waitFor(what, probe, 30000);
const encode = (s) => new TextEncoder().encode(s);
const codes = (uri) => ours(uri).map(code).sort();

// A manifest with a syntax error: it has a diagnostic wherever it is simulated.
const BROKEN = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n';
const lonely = (name) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80}]\n`;

describe('files.exclude and ignore rules in the editor', function () {
  this.timeout(120000);
  const written = ['generated/broken.yaml', 'kept/broken.yaml', 'ignored.yaml', 'kube-netsim.yaml'];
  let exclude;

  before(async () => {
    await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('first analysis', () => ours(file('frontend.yaml')).length > 0);
    const config = vscode.workspace.getConfiguration('files');
    exclude = config.inspect('exclude').workspaceValue;
    await config.update('exclude', { ...(exclude || {}), '**/generated': true }, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const name of written) await vscode.workspace.fs.delete(file(name)).then(undefined, () => undefined);
    await vscode.workspace.getConfiguration('files').update('exclude', exclude, vscode.ConfigurationTarget.Workspace);
  });

  it('a file files.exclude covers gets no diagnostics when it appears, the same file elsewhere does', async () => {
    await vscode.workspace.fs.writeFile(file('generated/broken.yaml'), encode(BROKEN));
    await vscode.workspace.fs.writeFile(file('kept/broken.yaml'), encode(BROKEN));
    await waitFor('kept/broken.yaml analysed', () => codes(file('kept/broken.yaml')).join() === 'yaml-syntax');
    assert.deepStrictEqual(codes(file('generated/broken.yaml')), []);
  });

  it('opening and editing the excluded file does not bring it in', async () => {
    const doc = await vscode.workspace.openTextDocument(file('generated/broken.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# edited\n'));
    // Edit the kept one too, and wait for that analysis: it runs after the excluded file's edit.
    const kept = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file('kept/broken.yaml')));
    await kept.edit((e) => e.insert(new vscode.Position(0, 0), '# edited\n'));
    await waitFor('kept/broken.yaml re-analysed at its new line', () =>
      ours(file('kept/broken.yaml')).some((d) => code(d) === 'yaml-syntax' && d.range.start.line === 4),
    );
    assert.deepStrictEqual(codes(file('generated/broken.yaml')), []);
  });

  it('a # kube-netsim: ignore comment keeps its diagnostic out of Problems, and only its own', async () => {
    const text = `# kube-netsim: ignore service-no-endpoints\n${lonely('legacy')}---\n${lonely('other')}`;
    await vscode.workspace.fs.writeFile(file('ignored.yaml'), encode(text));
    await waitFor('ignored.yaml analysed', () => codes(file('ignored.yaml')).includes('service-no-endpoints'));
    const lines = ours(file('ignored.yaml'))
      .filter((d) => code(d) === 'service-no-endpoints')
      .map((d) => d.range.start.line);
    assert.deepStrictEqual(lines, [16]);
  });

  it("kube-netsim.yaml's ignore: list keeps the rest out too", async () => {
    await vscode.workspace.fs.writeFile(
      file('kube-netsim.yaml'),
      encode('ignore:\n  - {code: service-no-endpoints, resource: Service/shop/other}\n'),
    );
    await waitFor('service-no-endpoints gone from ignored.yaml', () => !codes(file('ignored.yaml')).includes('service-no-endpoints'));
    assert.ok(ours(file('frontend.yaml')).length > 0, 'the other diagnostics stay');
  });
});
