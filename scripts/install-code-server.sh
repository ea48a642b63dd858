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
log "installing code-server@$CODE_SERVER_VERSION into $DIR"
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{ "name": "vscode-test-code-server", "private": true }' > "$DIR/package.json"

# npm 11 install-script policy ("npm warn install-scripts ... not yet covered by allowScripts"):
# today unreviewed scripts still run with that notice, but with strict-allow-scripts (or once npm
# blocks them by default) argon2 and VS Code's native modules would be skipped and the server
# could not start. code-server's postinstall runs nested `npm install`s in lib/vscode*, which read
# no package.json of ours, so approve the exact list through a private global npmrc (the CLI/env
# form --allow-scripts is rejected in project-scoped installs).
npmrc="$DIR/npmrc"
orig_global="$(npm config get globalconfig 2>/dev/null || true)"
{ [ -f "$orig_global" ] && cat "$orig_global"; echo
  echo "allow-scripts=code-server,argon2,@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog,@vscode/windows-process-tree,@vscode/windows-registry,kerberos,native-watchdog,node-pty"
} > "$npmrc"
export npm_config_globalconfig="$npmrc"
export npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_yes=true
export npm_config_ignore_scripts=false npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false
(cd "$DIR" && npm install --no-save --no-package-lock --foreground-scripts=false \
  "code-server@$CODE_SERVER_VERSION")

if [ "$(installed_version)" != "$CODE_SERVER_VERSION" ]; then
  log "ERROR: code-server $CODE_SERVER_VERSION did not install"; exit 1
fi
if ! native_ok; then
  log "ERROR: code-server's native modules (argon2, node-pty) were not built."
  log "       npm may be blocking install scripts; see npm's 'install-scripts' warning above."
  exit 1
fi
log "done: $PKG/out/node/entry.js"
