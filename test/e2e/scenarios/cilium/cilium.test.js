// CiliumNetworkPolicy in a real VS Code, on examples/cilium (the Star Wars demo of Cilium's
// getting-started guide): the hover at the policy's name says what it selects and that Cilium
// enforces it here, the hover at its rule shows the HTTP rules, and no problem says it is not enforced.
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

async function hoverAt(name, needle) {
  const doc = await vscode.workspace.openTextDocument(file(name));
  const lines = doc.getText().split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${name}`);
  const pos = new vscode.Position(line, lines[line].indexOf(needle) + 1);
  return hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos));
}

describe('CiliumNetworkPolicy in the editor (examples/cilium)', function () {
  this.timeout(60000);
  let ctx;

  before(async () => {
    ctx = await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    await waitFor('the folder analysed', () => [...ctx.models.values()].some((m) => m.report));
  });

  it('hovers the policy name with what it selects and that Cilium enforces it', async () => {
    const h = await waitFor('the hover', async () => {
      const t = await hoverAt('sw_l3_l4_l7_policy.yaml', 'rule1');
      return t.includes('CiliumNetworkPolicy') ? t : undefined;
    });
    assert.match(h, /\*\*CiliumNetworkPolicy `default\/rule1`\*\* selects 2 pods: `default\/deathstar`/);
    assert.match(h, /under `cni: cilium`/);
  });

  it('hovers the rule with its peers and HTTP rules', async () => {
    const h = await hoverAt('sw_l3_l4_l7_policy.yaml', 'fromEndpoints');
    assert.match(
      h,
      /ingress from endpoints `default\/deathstar`, `default\/tiefighter` on port 80 TCP \(HTTP rules: method POST, path \/v1\/request-landing\)/,
    );
  });

  it('reports no policy-not-enforced problem under cni: cilium', async () => {
    const diags = vscode.languages.getDiagnostics(file('sw_l3_l4_l7_policy.yaml'));
    assert.ok(!diags.some((d) => String(d.code && d.code.value ? d.code.value : d.code).includes('policy-not-enforced')));
  });
});
