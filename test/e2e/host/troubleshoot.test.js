// Runs inside the real VS Code extension host on examples/shop: the Troubleshoot command opens its
// checklist, a Service's hover links to it, and the port-forward lens traces kubectl port-forward.
const assert = require('assert');
const vscode = require('vscode');

const { root, file, hoverText } = require('./util');

describe('kube-netsim troubleshooting', function () {
  this.timeout(60000);
  before(() => vscode.extensions.getExtension('kube-netsim.kube-netsim').activate());

  it("walks an Ingress and opens the checklist, stopping at the drop on the shop's /api", async () => {
    const result = await vscode.commands.executeCommand('kubeNetsim.troubleshoot', { folder: root().toString(), ingress: 'shop/shop' });
    assert.strictEqual(result.title, 'Ingress not working');
    assert.strictEqual(result.ok, false);
    const last = result.steps[result.steps.length - 1];
    assert.match(last.check, /https:\/\/shop\.example\.com\/api/);
    assert.match(last.simulated, /^dropped: NetworkPolicy/);
    const checklist = vscode.workspace.textDocuments.find(
      (d) => d.languageId === 'markdown' && d.getText().startsWith('# Ingress not working'),
    );
    assert.ok(checklist, 'the checklist document is open');
    assert.match(checklist.getText(), /❌ \*\*Does a request from outside/);
    assert.match(checklist.getText(), /\]\(file:\/\/.*policies\.yaml#L8(,|%2C)3\)/);
  });

  it('offers "Troubleshoot this Service" in a Service\'s hover', async () => {
    const doc = await vscode.workspace.openTextDocument(file('backend.yaml'));
    const lines = doc.getText().split('\n');
    const kind = lines.findIndex((l) => l.startsWith('kind: Service'));
    const name = lines.findIndex((l, i) => i > kind && /^\s+name: backend/.test(l));
    const col = lines[name].indexOf('backend');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(name, col + 2));
    assert.match(hoverText(hovers), /\[Troubleshoot this Service\]\(command:kubeNetsim\.troubleshoot\?/);
  });

  it('puts a port-forward lens above a Service port, and its trace bypasses the Service and NetworkPolicy', async () => {
    const backend = await vscode.workspace.openTextDocument(file('backend.yaml'));
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', backend.uri, 100);
    const forward = lenses.find((l) => l.command && l.command.title === 'Trace packet · Port-forward 8080:8080');
    assert.ok(forward, `lenses: ${lenses.map((l) => l.command && l.command.title).join(' | ')}`);
    const result = await vscode.commands.executeCommand(forward.command.command, ...forward.command.arguments);
    assert.strictEqual(result.verdict, 'delivered', result.reason);
    assert.deepStrictEqual(
      result.hops.map((h) => h.step),
      ['kubectl', 'api-server', 'kubelet', 'deliver'],
    );
    assert.strictEqual(result.destination.workload, 'shop/backend');
  });

  it('traces a port-forward from the palette command with a target given', async () => {
    const result = await vscode.commands.executeCommand('kubeNetsim.tracePortForward', {
      folder: root().toString(),
      to: 'svc/redis.shop:6379',
    });
    assert.strictEqual(result.verdict, 'delivered', result.reason);
    assert.match(result.portForward.command, /^kubectl port-forward -n shop svc\/redis 6379/);
  });
});
