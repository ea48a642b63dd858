// Runs inside the real extension host on a copy of examples/shop. Hostile files written into the
// workspace at runtime (a broken, templated, alias-bombed manifest; a binary file; a file above
// the size limit) get their diagnostics at the right place, and the rest of the workspace keeps
// its diagnostics, hovers and lenses. The files are deleted afterwards.
const assert = require('assert');
const vscode = require('vscode');

const util = require('./util');

const { file, code, ours } = util;
const where = (uri) =>
  ours(uri)
    .map((d) => `${code(d)}@${d.range.start.line}:${d.range.start.character}`)
    .sort();
// Writing and analysing the hostile files takes longer than the other suites wait.
const waitFor = (what, probe) => util.waitFor(what, probe, 30000);

const laughs = ['  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
for (let i = 1; i < 10; i++)
  laughs.push(
    `  l${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(', ')}]`,
  );
const HOSTILE = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: odd',
  '  namespace: shop',
  'spec:',
  '  type: Sideways',
  '  ports:',
  '    - port: 80',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: broken',
  'spec:',
  '  ports: [{port: 80',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: {{ .Values.name }}',
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: laughs',
  '  namespace: shop',
  'data:',
  ...laughs,
  '',
].join('\n');
/** 0-based line:character of each diagnostic hostile.yaml must get. */
const EXPECTED = ['helm-template@20:8', 'manifest-invalid@6:8', 'yaml-limit@33:11', 'yaml-syntax@15:18'];

describe('robustness: hostile files in the workspace', function () {
  this.timeout(120000);
  const created = ['hostile.yaml', 'binary.yaml', 'huge.yaml'];

  before(async () => {
    await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('first analysis', () => ours(file('frontend.yaml')).length > 0);
    const encode = (s) => new TextEncoder().encode(s);
    await vscode.workspace.fs.writeFile(file('hostile.yaml'), encode(HOSTILE));
    await vscode.workspace.fs.writeFile(
      file('binary.yaml'),
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
    );
    // Above the default limit (4 MiB): skipped unread, reported at its first character.
    await vscode.workspace.fs.writeFile(file('huge.yaml'), encode(`# filler\n${'#'.repeat(120)}\n`.repeat(36000)));
  });

  after(async () => {
    for (const name of created) await vscode.workspace.fs.delete(file(name)).then(undefined, () => undefined);
  });

  it('each hostile file gets its diagnostics at the right place', async () => {
    await waitFor(
      `hostile.yaml diagnostics ${EXPECTED.join(', ')}`,
      () => JSON.stringify(where(file('hostile.yaml'))) === JSON.stringify(EXPECTED),
    );
    const limit = ours(file('hostile.yaml')).find((d) => code(d) === 'yaml-limit');
    assert.match(limit.message, /aliases expand to more than/);
    await waitFor('binary.yaml skipped', () => where(file('binary.yaml')).join() === 'file-skipped@0:0');
    await waitFor('huge.yaml skipped', () => where(file('huge.yaml')).join() === 'file-skipped@0:0');
    assert.match(ours(file('huge.yaml'))[0].message, /larger than 4194304 bytes/);
    assert.match(ours(file('binary.yaml'))[0].message, /binary/);
  });

  it('the rest of the workspace keeps its diagnostics, hovers and lenses', async () => {
    const dns = ours(file('frontend.yaml')).find((d) => code(d) === 'dns-name-unresolved');
    assert.ok(dns, 'frontend.yaml keeps dns-name-unresolved');
    assert.strictEqual(dns.range.start.line, 26);
    const doc = await vscode.workspace.openTextDocument(file('frontend.yaml'));
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('http://backend:8080'));
    assert.ok(line > 0, 'the BACKEND_URL line');
    const hovers = await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(line, doc.lineAt(line).text.indexOf('backend') + 2),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Endpoints \(3 pods\)/);
    const backend = await vscode.workspace.openTextDocument(file('backend.yaml'));
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', backend.uri, 100);
    assert.ok(
      lenses.some((l) => l.command && l.command.title === '3 endpoints'),
      lenses.map((l) => l.command && l.command.title).join(' | '),
    );
  });

  it('opening the hostile file in an editor changes nothing, and hovering over it is harmless', async () => {
    const doc = await vscode.workspace.openTextDocument(file('hostile.yaml'));
    await vscode.window.showTextDocument(doc);
    for (const line of [6, 15, 20, 33]) {
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, 9));
      assert.ok(Array.isArray(hovers));
    }
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 100);
    assert.ok(Array.isArray(lenses));
    assert.deepStrictEqual(where(doc.uri), EXPECTED);
    assert.ok(ours(file('frontend.yaml')).some((d) => code(d) === 'dns-name-unresolved'));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('deleting the hostile files clears their diagnostics', async () => {
    for (const name of created) await vscode.workspace.fs.delete(file(name));
    await waitFor('the diagnostics to clear', () => created.every((name) => ours(file(name)).length === 0));
    assert.ok(ours(file('frontend.yaml')).some((d) => code(d) === 'dns-name-unresolved'));
  });
});
