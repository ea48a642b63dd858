// Helpers shared by the extension-host tests (not a test file: index.js loads *.test.js only).
const vscode = require('vscode');

const root = () => vscode.workspace.workspaceFolders[0].uri;
const file = (name) => vscode.Uri.joinPath(root(), name);
/** The diagnostic code as a string (ours carry { value, target }). */
const code = (d) => (typeof d.code === 'object' ? d.code.value : d.code);
/** kube-netsim's diagnostics of a file. */
const ours = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kube-netsim');
const hoverText = (hovers) => hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');

/** Polls `probe` every 100 ms until it returns something truthy, which it returns. */
async function waitFor(what, probe, timeoutMs = 20000) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

module.exports = { root, file, code, ours, hoverText, waitFor };
