// Calico's tiers in a real VS Code, on examples/calico: the hover at the Tier says its order and
// where Calico asks it, a trace from the quarantined namespace is dropped by the security tier,
// and one from the bank's own front end is passed on to the NetworkPolicy of the default tier.
const assert = require('assert');
const vscode = require('vscode');

const { root, file, code, hoverText, waitFor } = require('../../host/util.js');

/** The hover at `word` on the first line of `name` that contains `needle`. */
async function hoverAt(name, needle, word = needle) {
  const doc = await vscode.workspace.openTextDocument(file(name));
  const lines = doc.getText().split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${name}`);
  const pos = new vscode.Position(line, lines[line].indexOf(word) + 1);
  return hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos));
}

describe('Calico tiers in the editor (examples/calico)', function () {
  this.timeout(60000);
  let ctx;

  before(async () => {
    ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('the folder analysed', () => [...ctx.models.values()].some((m) => m.report));
  });

  it('hovers the Tier with its order, default action and place before the AdminNetworkPolicies', async () => {
    const h = await waitFor('the hover', async () => {
      const t = await hoverAt('security-tier.yaml', 'name: security', 'security');
      return t.includes('Calico Tier') ? t : undefined;
    });
    assert.match(h, /\*\*Calico Tier `security`\*\* · order 100 · defaultAction `Deny`/);
    assert.match(h, /Asked before the AdminNetworkPolicies/);
    assert.match(h, /Policies in order: `security\.quarantine`/);
  });

  it('traces the quarantined pod to the summary Service: dropped by the security tier', async () => {
    const result = await vscode.commands.executeCommand('kubeNetsim.tracePacket', {
      folder: root().toString(),
      from: 'scratch/debug',
      to: 'summary.bank:8080',
    });
    assert.strictEqual(result.verdict, 'dropped');
    assert.match(result.reason, /security\.quarantine \(tier security, order 10\) rule spec\.ingress\[0\]/);
  });

  it('traces the customer front end: the security tier passes it, the NetworkPolicy allows it', async () => {
    const result = await vscode.commands.executeCommand('kubeNetsim.tracePacket', {
      folder: root().toString(),
      from: 'bank/customer',
      to: 'http://summary:8080',
    });
    assert.strictEqual(result.verdict, 'delivered', result.reason);
    const ingress = result.hops.find((h) => h.step === 'policy-ingress');
    assert.ok(ingress, result.hops.map((h) => h.step).join(','));
    assert.match(JSON.stringify(ingress), /summary-ingress/);
    assert.match(JSON.stringify(ingress), /security\.quarantine/);
  });

  it('reports no tier or kind problem: the Tier is simulated', async () => {
    for (const name of ['security-tier.yaml', 'apps.yaml']) {
      const codes = vscode.languages.getDiagnostics(file(name)).map((d) => String(code(d)));
      assert.ok(!codes.some((c) => c.includes('calico-tier-missing') || c.includes('kind-not-simulated')), codes.join(','));
    }
  });
});
