#!/bin/bash
# The VS Code extension's CI: idempotent installs (apt: ripgrep, chromium, libkrb5-dev; code-server 4.100.3 into
# .vscode-e2e/; npm ci in vscode/), then package, unit + vsix tests, and the code-server e2e with the
# extension-host tests. Exits non-zero on any failure. Needs the root's node_modules (tsx, playwright-core).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
started=$(date +%s)
phase() { echo "== ci-vscode: $1 ($(($(date +%s) - started)) s)"; }

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  phase "apt install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

phase 'code-server 4.100.3'
test/vscode-e2e/setup-code-server.sh "$REPO/.vscode-e2e"

phase 'npm ci in vscode/'
if [ ! -d vscode/node_modules ] || [ vscode/package-lock.json -nt vscode/node_modules/.package-lock.json ]; then
  (cd vscode && npm ci --no-audit --no-fund >/dev/null)
fi

phase 'typecheck, package'
(cd vscode && npx tsc -p tsconfig.json --noEmit)
npm run --silent package:vscode
(cd vscode && node scripts/build.mjs --host-tests)

phase 'unit and vsix tests'
(cd vscode && node scripts/run-unit-tests.mjs)

phase 'code-server e2e and extension-host tests'
test/vscode-e2e/run-e2e.sh "$REPO/.vscode-e2e" vscode/ai-collab-0.1.0.vsix

phase 'done'
