// The topology webview's page as the extension writes it (with a stand-in for the `vscode` module):
// a strict Content-Security-Policy (no inline or eval'd script, no remote origin), scripts only by
// nonce from the built bundle, local resources only from dist/ and media/, no command links; and
// the built page script itself never evaluates strings.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Module from 'node:module';
import { ensureBuilt, ROOT } from '../cli/run';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

class Uri {
  constructor(readonly path: string) {}
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.path, ...parts].join('/'));
  }
  static file(path: string): Uri {
    return new Uri(path);
  }
  toString(): string {
    return `file://${this.path}`;
  }
  get fsPath(): string {
    return this.path;
  }
}
const disposable = { dispose: () => undefined };
class EventEmitter {
  event = () => disposable;
  fire(): void {}
  dispose(): void {}
}
const vscodeStub = {
  Uri,
  EventEmitter,
  ViewColumn: { One: 1, Beside: -2 },
  ConfigurationTarget: { Workspace: 2 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  window: {},
  workspace: {},
};

/** Loads topologyPanel.ts with `vscode` resolved to the stand-in above. */
function loadPanel(): typeof import('../../src/extension/topologyPanel') {
  const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = M._load;
  M._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? vscodeStub : original(request, ...rest));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../../src/extension/topologyPanel') as typeof import('../../src/extension/topologyPanel');
  } finally {
    M._load = original;
  }
}

/** Opens a panel on a fake webview and returns the HTML the extension gave it, and its options. */
function openPanel(): { html: string; options: { enableScripts?: boolean; enableCommandUris?: boolean; localResourceRoots?: Uri[] } } {
  const { TopologyPanel } = loadPanel();
  const webview = {
    html: '',
    options: {},
    cspSource: CSP_SOURCE,
    asWebviewUri: (u: Uri) => new Uri(`/webview${u.path}`),
    onDidReceiveMessage: () => disposable,
    postMessage: () => Promise.resolve(true),
  };
  const panel = { webview, onDidDispose: () => disposable, reveal: () => undefined, iconPath: undefined };
  const host = { model: () => undefined, log: { appendLine: () => undefined }, extensionUri: new Uri('/ext') };
  new TopologyPanel(host as never, panel as never, 'file:///ws', undefined);
  return { html: webview.html, options: webview.options };
}

function csp(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(content, 'the page declares a Content-Security-Policy');
  return new Map(
    content
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name ?? '', sources]),
  );
}

describe('topology webview: CSP, nonce, local resources', () => {
  it('default-src none; scripts only by nonce; no unsafe-inline, unsafe-eval or remote origin anywhere', () => {
    const { html } = openPanel();
    const policy = csp(html);
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
    const nonce = policy.get('script-src')?.[0] ?? '';
    assert.match(nonce, /^'nonce-[A-Za-z0-9+/=]{22,}'$/, 'one nonce of at least 128 bits');
    assert.deepEqual(policy.get('script-src'), [nonce], 'script-src is the nonce alone');
    for (const [directive, sources] of policy) {
      for (const s of sources) {
        assert.ok(["'none'", nonce, CSP_SOURCE].includes(s) || (directive === 'img-src' && s === 'data:'), `${directive} allows ${s}`);
      }
    }
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|wasm-unsafe|strict-dynamic/);
  });

  it('every script and stylesheet carries the nonce and comes from the built bundle; no inline script', () => {
    const { html } = openPanel();
    const nonce = /'nonce-([^']+)'/.exec(html)?.[1];
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs ?? '', new RegExp(`nonce="${nonce?.replace(/[+/=]/g, '\\$&')}"`));
      assert.match(attrs ?? '', /src="file:\/\/\/webview\/ext\/dist\/[\w.]+\.js"/);
      assert.equal((body ?? '').trim(), '', 'no inline script');
    }
    for (const [link] of html.matchAll(/<link[^>]*>/g))
      assert.match(link, new RegExp(`nonce="${nonce?.replace(/[+/=]/g, '\\$&')}".*href="file:///webview/ext/dist/`));
    assert.doesNotMatch(html, /<style|\sstyle=/, 'no inline styles');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  });

  it('a fresh nonce per page', () => {
    const a = /'nonce-([^']+)'/.exec(openPanel().html)?.[1];
    const b = /'nonce-([^']+)'/.exec(openPanel().html)?.[1];
    assert.notEqual(a, b);
  });

  it('local resources only from dist/ and media/; no command links', () => {
    const { options } = openPanel();
    assert.equal(options.enableScripts, true);
    assert.notEqual(options.enableCommandUris, true);
    assert.deepEqual(
      options.localResourceRoots?.map((u) => u.path),
      ['/ext/dist', '/ext/media'],
    );
  });
});

describe('topology webview: the built page script', () => {
  before(() => ensureBuilt());

  it('never evaluates strings (no eval, new Function, or string timers), so the CSP needs no unsafe-eval', () => {
    const js = readFileSync(join(ROOT, 'dist', 'webview.js'), 'utf8');
    assert.ok(js.length > 10_000, 'the bundle is built');
    assert.doesNotMatch(js, /\beval\s*\(|new Function\s*\(|\bFunction\s*\(\s*["'`]|set(Timeout|Interval)\s*\(\s*["'`]/);
  });

  it('our page code builds no HTML from strings (d3 .html(), innerHTML and the like): manifest text goes in as textContent', () => {
    const dir = join(ROOT, 'webview');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      assert.doesNotMatch(src, /\.html\(|innerHTML|outerHTML|insertAdjacentHTML|document\.write|srcdoc|\beval\s*\(|new Function/, f);
    }
  });
});
