// Runs inside the real VS Code extension host (code-server) on examples/shop.
const assert = require('assert');
const vscode = require('vscode');
const pkg = require('../../../package.json');

const { root, file, ours, hoverText, waitFor } = require('./util');

/** Puts a document back as it was, on disk and in the editor, so later tests see the sample. */
async function restore(doc, original) {
  await vscode.workspace.fs.writeFile(doc.uri, Buffer.from(original, 'utf8'));
  if (doc.getText() !== original) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
    await vscode.workspace.applyEdit(edit);
  }
  await doc.save();
}

describe('kube-netsim extension', function () {
  this.timeout(60000);

  before(async () => {
    await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('first analysis', () => ours(file('frontend.yaml')).length > 0);
  });

  it('simulates in the analysis worker thread, not on the extension host', async () => {
    const ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    assert.strictEqual(ctx.client.mode, 'worker');
    const model = ctx.models.values().next().value;
    assert.ok(model.report && model.report.summary.pods > 0, 'the worker sent a report');
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
    const original = doc.getText();
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(26);
    const col = line.text.indexOf('catalog');
    try {
      await editor.edit((e) => e.replace(new vscode.Range(26, col, 26, col + 'catalog:9090'.length), 'backend:8080'));
      await waitFor('the diagnostic to clear', () => !ours(doc.uri).some((x) => x.code.value === 'dns-name-unresolved'));
      assert.ok(doc.isDirty, 'the fix was seen without saving');
    } finally {
      await restore(doc, original);
      await waitFor('the diagnostic to return', () => ours(doc.uri).some((x) => x.code.value === 'dns-name-unresolved'));
    }
  });

  it('explains a URL host on hover: FQDN, ClusterIP and endpoints', async () => {
    const doc = await vscode.workspace.openTextDocument(file('frontend.yaml'));
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('http://backend:8080'));
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

describe('kube-netsim commands', function () {
  this.timeout(60000);
  before(() => vscode.extensions.getExtension('kube-netsim.kube-netsim').activate());

  it('traces a packet from a lens request and returns the contract JSON', async () => {
    const result = await vscode.commands.executeCommand('kubeNetsim.tracePacket', {
      folder: root().toString(),
      from: 'shop/frontend',
      to: 'http://backend:8080/api',
    });
    assert.strictEqual(result.verdict, 'delivered', result.reason);
    assert.strictEqual(result.destination.workload, 'shop/backend');
    const steps = result.hops.map((h) => h.step);
    assert.ok(steps.includes('dns') && steps.includes('dnat') && steps.includes('deliver'), steps.join(','));
    assert.strictEqual(result.candidates.length, 3);
  });

  it('shows a dropped connection with the policy that drops it', async () => {
    const result = await vscode.commands.executeCommand('kubeNetsim.tracePacket', {
      folder: root().toString(),
      from: 'shop/backend',
      to: 'redis:6379',
    });
    assert.strictEqual(result.verdict, 'dropped');
    assert.match(JSON.stringify(result.hops), /shop\/(backend|default-deny)/);
  });

  it('shows kube-proxy rules for one Service', async () => {
    const text = await vscode.commands.executeCommand('kubeNetsim.showRules', { folder: root().toString(), service: 'shop/backend' });
    assert.match(text, /-A KUBE-SERVICES .*shop\/backend:api/);
    assert.match(text, /KUBE-SEP-/);
    assert.doesNotMatch(text, /shop\/redis/);
  });

  it('shows the connectivity matrix', async () => {
    const text = await vscode.commands.executeCommand('kubeNetsim.showMatrix', { folder: root().toString() });
    assert.match(text, /shop\/frontend\[Deployment\] => shop\/backend\[Deployment\] : TCP 8080/);
    assert.doesNotMatch(text, /shop\/backend\[Deployment\] => shop\/redis/);
  });

  it('offers a quick fix for an unresolvable host when a Service of a close name exists', async () => {
    const doc = await vscode.workspace.openTextDocument(file('frontend.yaml'));
    const original = doc.getText();
    const editor = await vscode.window.showTextDocument(doc);
    const lineNo = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('http://backend:8080/api'));
    const col = doc.lineAt(lineNo).text.indexOf('backend');
    try {
      await editor.edit((e) => e.replace(new vscode.Range(lineNo, col, lineNo, col + 'backend'.length), 'backnd'));
      const diag = await waitFor('the typo to be reported', () =>
        ours(doc.uri).find((d) => d.code.value === 'dns-name-unresolved' && d.range.start.line === lineNo),
      );
      const actions = await vscode.commands.executeCommand(
        'vscode.executeCodeActionProvider',
        doc.uri,
        diag.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = actions.find((a) => a.title === 'Use backend');
      assert.ok(fix, `actions: ${actions.map((a) => a.title).join(' | ')}`);
      await vscode.workspace.applyEdit(fix.edit);
      assert.ok(doc.lineAt(lineNo).text.includes('http://backend:8080/api'), doc.lineAt(lineNo).text);
      await waitFor(
        'the diagnostic to clear',
        () => !ours(doc.uri).some((d) => d.code.value === 'dns-name-unresolved' && d.range.start.line === lineNo),
      );
    } finally {
      await restore(doc, original);
    }
  });

  it('counts the pods a NetworkPolicy isolates and lenses each Ingress path', async () => {
    const policies = await vscode.workspace.openTextDocument(file('policies.yaml'));
    const pl = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', policies.uri, 100);
    const titles = pl.map((l) => l.command && l.command.title);
    assert.ok(titles.includes('7 pods isolated · show allowed connections'), titles.join(' | '));
    assert.ok(titles.includes('3 pods isolated · show allowed connections'), titles.join(' | '));
    const ingress = await vscode.workspace.openTextDocument(file('ingress.yaml'));
    const il = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', ingress.uri, 100);
    assert.ok(
      il.some((l) => l.command && l.command.title === 'Trace packet from external to https://shop.example.com/api'),
      il.map((l) => l.command && l.command.title).join(' | '),
    );
  });
});
