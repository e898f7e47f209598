#!/usr/bin/env bash
# Installs the real agent CLIs (claude, codex, gemini) that test/integration/model-server-real-clis.test.ts
# runs offline against the scripted model server. Versions are pinned in test/agent-clis/package-lock.json.
#
# Idempotent: when the lock file is unchanged since the last install and every binary answers
# --version, nothing is downloaded. Only the npm registry is needed: each CLI ships its native binary
# inside a registry package, and the one install script that must run (claude's postinstall, which puts
# the native binary in place) is approved in test/agent-clis/package.json "allowScripts". gemini's
# optional native add-ons (node-pty, which would compile with node-gyp, and keytar) are denied there:
# gemini uses the prebuilt @lydell/node-pty and does not need a keychain with an API key.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=test/agent-clis
bin="$dir/node_modules/.bin"
stamp="$dir/node_modules/.ai-collab-install-stamp"
want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)"

declare -A version
# Asks each binary for its version (gemini's takes ~3 s: it loads its whole bundle); fails if one can't.
binaries_work() {
  local name
  for name in claude codex gemini; do
    version[$name]="$("$bin/$name" --version 2>/dev/null | head -1)" || return 1
    [[ -n "${version[$name]}" ]] || return 1
  done
}

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && binaries_work; then
  echo "agent CLIs already installed"
else
  npm ci --prefix "$dir" --no-audit --no-fund
  # If install scripts were skipped anyway (--ignore-scripts in a user or CI npmrc), claude's binary is
  # still its placeholder: run the same postinstall by hand. It only links a file from the installed
  # platform package, it downloads nothing.
  if ! "$bin/claude" --version >/dev/null 2>&1; then
    node "$dir/node_modules/@anthropic-ai/claude-code/install.cjs"
  fi
  binaries_work || { echo "install-agent-clis: a CLI does not start; see the output above" >&2; exit 1; }
  echo "$want" >"$stamp"
fi

for name in claude codex gemini; do
  printf '%-7s %s  (%s)\n' "$name" "$(cd "$bin" && realpath "$name")" "${version[$name]}"
done
