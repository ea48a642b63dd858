// Services as Kubernetes 1.34 runs them, in a real VS Code: a dual-stack cluster on kube-proxy's
// nftables mode in two zones (kube-netsim.yaml). The Service hover says what trafficDistribution
// does and names both ClusterIPs; the Trace lens above the client's URL and the trace command to the
// IPv6 ClusterIP walk the nftables chains, the zone hints and the nodes' IPv6 routes.
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

describe('Services: dual-stack, nftables, traffic distribution (issue 23)', function () {
  this.timeout(60000);
  let ctx;
  let v6 = 'fd00:10:96::1';

  before(async () => {
    ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('the folder analysed', () => [...ctx.models.values()].some((m) => m.report));
  });

  it('hovers the Service with its traffic distribution and both ClusterIPs (one per family)', async () => {
    const doc = await vscode.workspace.openTextDocument(file('app.yaml'));
    const lines = doc.getText().split('\n');
    const line = lines.findIndex((l, i) => l.includes('name: web') && lines[i - 1] === 'kind: Service');
    assert.ok(line >= 0);
    const pos = new vscode.Position(line, lines[line].indexOf('web') + 1);
    const h = await waitFor('the hover', async () => {
      const t = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos));
      return t.includes('Traffic distribution') ? t : undefined;
    });
    assert.match(h, /Traffic distribution `PreferClose`: kube-proxy nftables keeps the endpoints hinted for the client node's zone/);
    const m = /ClusterIP: `10\.96\.20\.20, (fd00:10:96::[0-9a-f]+)`/.exec(h);
    assert.ok(m, h);
    v6 = m[1];
  });

  it('the Trace lens above the client URL traces through the nftables chains, falling back from the zone hints', async () => {
    const doc = await vscode.workspace.openTextDocument(file('app.yaml'));
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 100);
    const lens = lenses.find((l) => l.command && l.command.command === 'kubeNetsim.tracePacket' && l.command.title.includes('web.shop'));
    assert.ok(lens, lenses.map((l) => l.command && l.command.title).join(' | '));
    const result = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments || []));
    assert.strictEqual(result.verdict, 'delivered', result.reason);
    const dnat = result.hops.find((h) => h.step === 'dnat');
    assert.ok(dnat, result.hops.map((h) => h.step).join(','));
    assert.match(dnat.detail, /nftables/);
    assert.match(dnat.detail, /service-[A-Z2-7]{8}-shop\/web\/tcp\/http/);
    // The only endpoint is in zone b, so nothing is hinted for the client's zone a.
    assert.match(dnat.detail, /no endpoint is hinted for zone a, so kube-proxy falls back to all endpoints/);
  });

  it('traces to the IPv6 ClusterIP by the nodes\u2019 IPv6 addresses', async () => {
    const result = await vscode.commands.executeCommand('kubeNetsim.tracePacket', {
      folder: root().toString(),
      from: 'shop/client',
      to: `[${v6}]:80`,
    });
    assert.strictEqual(result.verdict, 'delivered', result.reason);
    assert.ok(result.destination && result.destination.ip.startsWith('fd00:10:244:'), JSON.stringify(result.destination));
    const route = result.hops.find((h) => h.step === 'route' && /proto bird/.test(h.detail));
    assert.ok(route, result.hops.map((h) => `${h.step}: ${h.detail}`).join('\n'));
    assert.match(route.detail, /^fd00:10:244:[0-9a-f:]+\/122 via fd00:10:0:1::20 dev eth0 proto bird/);
  });
});
