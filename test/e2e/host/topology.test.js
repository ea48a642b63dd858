// Runs inside the real VS Code extension host (code-server) on a copy of examples/shop: the
// topology view's commands through the vscode API, with the real webview answering.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

describe('topology view', function () {
  this.timeout(60000);
  let dir;

  before(async () => {
    await vscode.extensions.getExtension('kube-netsim.kube-netsim').activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-netsim-export-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the view and exports it as SVG, with every drawn object tagged', async () => {
    await vscode.commands.executeCommand('kubeNetsim.showTopology');
    const target = path.join(dir, 'topology.svg');
    const written = await vscode.commands.executeCommand('kubeNetsim.exportTopology', { path: target });
    assert.strictEqual(written, target);
    const svg = fs.readFileSync(target, 'utf8');
    assert.match(svg, /^<\?xml[^>]*>\s*<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /data-kind="pod" data-id="shop\/postgres-0"/);
    assert.match(svg, /data-kind="service" data-id="shop\/backend"/);
    assert.match(svg, /data-kind="ingress" data-id="shop\/shop"/);
    // Colours are resolved values: CSS variables mean nothing outside VS Code.
    assert.doesNotMatch(svg, /var\(--vscode/);
    assert.match(svg, /stroke="rgb\(/);
  });

  it('exports PNG when the path ends in .png', async () => {
    const target = path.join(dir, 'topology.png');
    await vscode.commands.executeCommand('kubeNetsim.exportTopology', { path: target });
    const png = fs.readFileSync(target);
    assert.deepStrictEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.ok(png.length > 10000, `a real picture (${png.length} bytes)`);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    assert.ok(width > 800 && height > 400, `${width}x${height}`);
  });

  // Each view exports its own picture, drawn for the export if it is not the one shown.
  const exported = async (view, file) => {
    const target = path.join(dir, file);
    await vscode.commands.executeCommand('kubeNetsim.exportTopology', { path: target, view });
    return target;
  };
  const pngSize = (file) => {
    const png = fs.readFileSync(file);
    assert.deepStrictEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bytes: png.length };
  };
  const SVG_HEAD = /^<\?xml[^>]*>\s*<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/;

  it('exports the nodes view as SVG and PNG: its nodes and every pod, not the map', async () => {
    const svg = fs.readFileSync(await exported('nodes', 'nodes.svg'), 'utf8');
    assert.match(svg, SVG_HEAD);
    assert.match(svg, /data-kind="node" data-id="/);
    assert.match(svg, /data-kind="pod" data-id="shop\/postgres-0"/);
    assert.doesNotMatch(svg, /data-kind="workload"/, 'a map workload in the nodes view export');
    const png = pngSize(await exported('nodes', 'nodes.png'));
    assert.ok(png.width > 400 && png.height > 200 && png.bytes > 5000, JSON.stringify(png));
  });

  it('exports the matrix view as SVG and PNG: one matrix-cell per namespace pair the grid shows', async () => {
    const svg = fs.readFileSync(await exported('matrix', 'matrix.svg'), 'utf8');
    assert.match(svg, SVG_HEAD);
    // examples/shop: policy lets shop reach shop (the workload pairs it allows); XML writes > as &gt;.
    assert.match(svg, /data-kind="matrix-cell" data-id="shop-&gt;shop"/);
    assert.doesNotMatch(svg, /data-kind="pod"/, 'a drawing in the matrix export');
    assert.doesNotMatch(svg, /var\(--vscode/);
    const png = pngSize(await exported('matrix', 'matrix.png'));
    assert.ok(png.width > 100 && png.height > 40, JSON.stringify(png));
  });
});
