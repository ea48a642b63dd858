// The Gateway API in a real VS Code, on examples/gateway: the hover on a parentRef, the lenses
// above route matches and listeners, and Convert to Gateway API from the quick fix on an Ingress
// and from the palette, each opening the generated routes beside with their proof.
const assert = require('assert');
const vscode = require('vscode');

const root = () => vscode.workspace.workspaceFolders[0].uri;
const file = (name) => vscode.Uri.joinPath(root(), name);
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

/** The line (0-based) of the `nth` line containing `needle`, and the document. */
async function lineOf(name, needle, nth = 0) {
  const doc = await vscode.workspace.openTextDocument(file(name));
  const lines = doc.getText().split('\n');
  let seen = 0;
  const line = lines.findIndex((l) => l.includes(needle) && seen++ === nth);
  assert.ok(line >= 0, `${needle} in ${name}`);
  return { doc, line, character: lines[line].indexOf(needle) };
}

async function lensTitles(name) {
  await vscode.workspace.openTextDocument(file(name));
  const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', file(name), 100);
  return lenses.map((l) => l.command && l.command.title);
}

/** The untitled YAML document that Convert to Gateway API opened, once it is visible. */
const generated = (subject) =>
  waitFor('the generated document', () =>
    vscode.window.visibleTextEditors
      .map((e) => e.document)
      .find((d) => d.isUntitled && d.getText().includes(`# Gateway API for ${subject}`)),
  );

describe('Gateway API in the editor (examples/gateway)', function () {
  this.timeout(60000);
  let ctx;

  before(async () => {
    ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('the folder analysed', () => [...ctx.models.values()].some((m) => m.report));
  });

  it('hovers a parentRef with its Accepted condition: True on the storefront, NoMatchingListenerHostname on the legacy route', async () => {
    const ok = await lineOf('routes.yaml', '- name: public', 1);
    const accepted = hoverText(
      await vscode.commands.executeCommand('vscode.executeHoverProvider', ok.doc.uri, new vscode.Position(ok.line, ok.character + 10)),
    );
    assert.match(accepted, /parentRef `infra\/public` \/ `https`\*\*: Accepted True \(Accepted\)/);
    const bad = await lineOf('routes.yaml', '- name: public', 3);
    const rejected = hoverText(
      await vscode.commands.executeCommand('vscode.executeHoverProvider', bad.doc.uri, new vscode.Position(bad.line, bad.character + 10)),
    );
    assert.match(rejected, /Accepted False \(NoMatchingListenerHostname\)/);
  });

  it('puts "N routes attached" above each listener', async () => {
    const titles = await waitFor('listener lenses', async () => {
      const t = await lensTitles('gateway.yaml');
      return t.includes('1 route attached') && t;
    });
    assert.ok(titles.includes('2 routes attached'), titles.join(' | '));
  });

  it('puts "Trace packet from external to URL" above each route match, and its trace goes through the Gateway to the weighted pair', async () => {
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', file('routes.yaml'), 100);
    const titles = lenses.map((l) => l.command && l.command.title);
    assert.ok(titles.includes('Trace packet from external to https://www.store.example/api (x-canary: true)'), titles.join(' | '));
    const api = lenses.find((l) => l.command && l.command.title === 'Trace packet from external to https://www.store.example/api');
    assert.ok(api, titles.join(' | '));
    assert.equal(api.command.command, 'kubeNetsim.tracePacket');
    const json = await vscode.commands.executeCommand(api.command.command, ...api.command.arguments);
    assert.equal(json.verdict, 'delivered', JSON.stringify(json));
    assert.deepEqual([...new Set(json.candidates.map((c) => c.service))].sort(), ['store/api', 'store/api-canary']);
    assert.ok(
      json.hops.some((h) => h.step === 'gateway'),
      json.hops.map((h) => h.step).join(' '),
    );
  });

  it('offers the quick fix "Convert to Gateway API" on an Ingress\'s kind line; it opens the Gateway and HTTPRoutes beside, proved', async () => {
    const at = await lineOf('ingress.yaml', 'kind: Ingress', 1);
    await vscode.window.showTextDocument(at.doc);
    const actions = await waitFor('the code action', async () => {
      const list = await vscode.commands.executeCommand(
        'vscode.executeCodeActionProvider',
        at.doc.uri,
        new vscode.Range(at.line, 2, at.line, 2),
      );
      return list.some((a) => a.title === 'Convert to Gateway API') && list;
    });
    const fix = actions.find((a) => a.title === 'Convert to Gateway API');
    assert.equal(fix.command.command, 'kubeNetsim.convertToGatewayApi');
    const result = await vscode.commands.executeCommand(fix.command.command, ...fix.command.arguments);
    assert.equal(result.subject, 'Ingress store/legacy');
    assert.deepEqual(result.differ, []);
    const doc = await generated('Ingress store/legacy');
    assert.equal(doc.languageId, 'yaml');
    const text = doc.getText();
    assert.match(text, /# Proof: all \d+ probe requests land alike/);
    assert.match(text, /^kind: HTTPRoute$/m);
    assert.match(text, /gatewayClassName: eg/);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    assert.ok(editor && editor.viewColumn !== vscode.ViewColumn.One, `opened in column ${editor && editor.viewColumn}`);
  });

  it('from the palette converts the Ingresses of the active file', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file('ingress.yaml')), vscode.ViewColumn.One);
    const result = await vscode.commands.executeCommand('kubeNetsim.convertToGatewayApi');
    assert.equal(result.subject, 'the Ingresses of ingress.yaml');
    assert.deepEqual(result.ingresses, ['store/legacy']);
    await generated('the Ingresses of ingress.yaml');
  });
});
