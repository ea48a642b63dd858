#!/usr/bin/env bash
# Installs what the offline real-VS-Code tests need (see /work/shared/vscode-testing.md):
#   - Debian's Chromium (+ build tools for code-server's native modules), only if missing;
#   - the ripgrep download cache that @vscode/ripgrep@1.15.11 would otherwise fetch from GitHub;
#   - code-server@4.100.3 (VS Code 1.100.3) into .vscode-test/code-server, unless already there.
# Idempotent: a second run does nothing but check. Safe to call from CI and from `npm start`.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
RIPGREP_PKG_VERSION=1.18.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${CODE_SERVER_DIR:-$ROOT/.vscode-test/code-server}"
PKG="$DIR/node_modules/code-server"
log() { echo "[install-code-server] $*"; }

# 1. Chromium and the native build chain.
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium and build tools with apt-get"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    chromium libkrb5-dev pkg-config build-essential python3
fi

installed_version() {
  [ -f "$PKG/package.json" ] && node -p "require('$PKG/package.json').version" 2>/dev/null || true
}
native_ok() {
  # argon2 (and the other native modules) must have really been built; --ignore-scripts or
  # npm's install-scripts policy silently leave them out and the server then fails to start.
  (cd "$PKG" && node -e "require('argon2')" >/dev/null 2>&1) \
    && [ -n "$(find "$PKG/lib/vscode/node_modules" -path '*node-pty/build/Release/pty.node' 2>/dev/null | head -1)" ]
}

if [ "$(installed_version)" = "$CODE_SERVER_VERSION" ] && native_ok; then
  log "code-server $CODE_SERVER_VERSION already installed in $DIR"
  exit 0
fi

# 2. ripgrep cache (same binary as GitHub's release, shipped in an npm package).
cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
rg_tar="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_tar" ]; then
  log "seeding ripgrep cache $cache"
  mkdir -p "$cache"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack -q "@vscode/ripgrep-linux-x64@$RIPGREP_PKG_VERSION" >/dev/null \
    && tar xzf "vscode-ripgrep-linux-x64-$RIPGREP_PKG_VERSION.tgz" \
    && tar czf "$rg_tar.partial" -C package/bin rg && mv "$rg_tar.partial" "$rg_tar")
  rm -rf "$tmp"
fi

# 3. code-server, with install scripts enabled and native modules built against /usr/include/node.
missing=""
for p in libkrb5-dev pkg-config build-essential python3; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "installing build tools:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
fi
log "installing code-server@$CODE_SERVER_VERSION into $DIR"
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{ "name": "vscode-test-code-server", "private": true }' > "$DIR/package.json"

# npm 11 install-script policy ("npm warn install-scripts ... not yet covered by allowScripts"):
# today unreviewed scripts still run with that notice, but under strict-allow-scripts (or once npm
# blocks them by default) argon2 and VS Code's native modules are skipped and the server cannot
# start. code-server's postinstall runs nested `npm install`s in lib/vscode*, whose package.json we
# do not own, and npm exports any allow-scripts list to them as npm_config_allow_scripts, which
# they reject (EALLOWSCRIPTS: not allowed in project-scoped installs). So, for this one isolated
# install of a pinned package, let every install script run:
export npm_config_dangerously_allow_all_scripts=true
export npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_yes=true
export npm_config_ignore_scripts=false npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false
(cd "$DIR" && npm install --no-save --no-package-lock --foreground-scripts=false \
  "code-server@$CODE_SERVER_VERSION")

if [ "$(installed_version)" != "$CODE_SERVER_VERSION" ]; then
  log "ERROR: code-server $CODE_SERVER_VERSION did not install"; exit 1
fi
if ! native_ok; then
  log "ERROR: code-server's native modules (argon2, node-pty) were not built;"
  log "       were install scripts skipped (--ignore-scripts, npm's allowScripts policy)?"
  exit 1
fi

# 4. Smoke test: the server must start and answer /healthz.
log "checking that code-server starts"
CS_ENTRY="$PKG/out/node/entry.js" node - <<'JS'
const { spawn } = require('child_process');
const fs = require('fs'), os = require('os'), path = require('path'), net = require('net');
(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-smoke-'));
  const port = await new Promise((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
  let out = '';
  const child = spawn(process.execPath, [process.env.CS_ENTRY, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--config', path.join(tmp, 'config.yaml'), '--user-data-dir', path.join(tmp, 'ud'), '--extensions-dir', path.join(tmp, 'ext'),
    '--disable-telemetry', '--disable-update-check', tmp], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  let ok = false;
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) { ok = true; break; } } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  try { process.kill(-child.pid, 'SIGKILL'); } catch {}
  fs.rmSync(tmp, { recursive: true, force: true });
  if (!ok) { console.error(out); console.error('[install-code-server] ERROR: code-server did not answer /healthz'); process.exit(1); }
})();
JS
log "done: $PKG/out/node/entry.js"
