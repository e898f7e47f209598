#!/bin/sh
# Installs code-server 4.100.3 offline-safely into $1/cs (see ../../../shared/research/vscode-offline.md):
# seeds @vscode/ripgrep's download cache with Debian's rg, and lets node-pty's postinstall fetch node-gyp
# through npx. Idempotent: does nothing when that version is already there.
set -eu
D=$(mkdir -p "$1" && cd "$1" && pwd)
CS="$D/cs/node_modules/.bin/code-server"
# Any code-server call writes ~/.config/code-server and ~/.local/share/code-server: keep those in $D/home.
# npm keeps the real HOME: its ~/.npmrc may hold settings the build needs (e.g. nodedir for node-gyp headers).
cs() { HOME="$D/home" XDG_CONFIG_HOME="$D/home/.config" XDG_DATA_HOME="$D/home/.local/share" XDG_CACHE_HOME="$D/home/.cache" "$CS" "$@"; }
if [ -x "$CS" ] && cs --version 2>/dev/null | grep -q '^4\.100\.3 '; then exit 0; fi
export TMPDIR="$D/tmp"
RGC="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RGC/stage"
cp "$(command -v rg)" "$RGC/stage/rg"
tar -C "$RGC/stage" -czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
rm -rf "$RGC/stage"
mkdir -p "$D/cs"
cd "$D/cs"
[ -f package.json ] || npm init -y >/dev/null
npm_config_unsafe_perm=true npm_config_yes=true npm install --foreground-scripts --no-audit --no-fund code-server@4.100.3 >"$D/setup.log" 2>&1 || {
  tail -40 "$D/setup.log" >&2
  exit 1
}
test -x node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg
cs --version
