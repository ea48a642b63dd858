// Runs inside the real VS Code extension host (code-server) on examples/shop.
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');
const pkg = require('../../../package.json');

const root = () => vscode.workspace.workspaceFolders[0].uri;
const file = (name) => vscode.Uri.joinPath(root(), name);

async function waitFor(what, probe, timeoutMs = 20000) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function ours(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kube-netsim');
}

function hoverText(hovers) {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

describe('kube-netsim extension', function () {
  this.timeout(60000);

  before(async () => {
    await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('first analysis', () => ours(file('frontend.yaml')).length > 0);
  });

  it('registers every command package.json contributes', async () => {
    const registered = await vscode.commands.getCommands(true);
    for (const c of pkg.contributes.commands) assert.ok(registered.includes(c.command), `${c.command} is not registered`);
  });

  it('reports an unresolvable host at its exact range, with a docs link', () => {
    const d = ours(file('frontend.yaml')).find((x) => (typeof x.code === 'object' ? x.code.value : x.code) === 'dns-name-unresolved');
    assert.ok(d, 'dns-name-unresolved missing');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(d.range.start.line, 26, 'CATALOG_URL value is on line 27');
    assert.match(d.message, /catalog does not resolve/);
    assert.match(String(d.code.target), /kubernetes\.io\/docs/);
  });

  it('re-analyses unsaved edits and clears the problem they fix', async () => {
    const doc = await vscode.workspace.openTextDocument(file('frontend.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(26);
    const col = line.text.indexOf('catalog');
    try {
      await editor.edit((e) => e.replace(new vscode.Range(26, col, 26, col + 'catalog:9090'.length), 'backend:8080'));
      await waitFor('the diagnostic to clear', () => !ours(doc.uri).some((x) => x.code.value === 'dns-name-unresolved'));
      assert.ok(doc.isDirty, 'the fix was seen without saving');
    } finally {
      await vscode.commands.executeCommand('undo');
      await waitFor('the diagnostic to return', () => ours(doc.uri).some((x) => x.code.value === 'dns-name-unresolved'));
    }
  });

  it('explains a URL host on hover: FQDN, ClusterIP and endpoints', async () => {
    const doc = await vscode.workspace.openTextDocument(file('frontend.yaml'));
    const line = doc.getText().split('\n').findIndex((l) => l.includes('http://backend:8080'));
    const col = doc.lineAt(line).text.indexOf('backend');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col + 2));
    const text = hoverText(hovers);
    assert.match(text, /backend\.shop\.svc\.cluster\.local/);
    assert.match(text, /Service `shop\/backend`/);
    assert.match(text, /Endpoints \(3 pods\)/);
  });

  it('puts "N endpoints" above each Service and "Trace packet" above URLs', async () => {
    const backend = await vscode.workspace.openTextDocument(file('backend.yaml'));
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', backend.uri, 100);
    const titles = lenses.map((l) => l.command && l.command.title);
    assert.ok(titles.includes('3 endpoints'), `lenses: ${titles.join(' | ')}`);
    const frontend = await vscode.workspace.openTextDocument(file('frontend.yaml'));
    const fl = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', frontend.uri, 100);
    assert.ok(fl.some((l) => l.command && l.command.title.startsWith('Trace packet') && l.command.command === 'kubeNetsim.tracePacket'));
  });
});
