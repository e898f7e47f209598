#!/bin/bash
# The extension in real VS Code (code-server 4.100.3) with Debian's chromium, offline:
#   1. a trusted workspace: install the vsix, Plan Task → Runs view → Approve → Review Selection (screenshots),
#      then the extension-host tests (supervisor reuses the server, Execute Plan into the Runs model);
#   2. an untrusted workspace: the extension-host tests of Restricted Mode.
# The planner and the reviewers are `openai` agents on the scripted model server: no real model is called.
# usage: run-e2e.sh <code-server dir (holds cs/)> <ext.vsix>; screenshots in test-artifacts/vscode/.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
E2E=$(cd "$1" && pwd)
VSIX=$(realpath "$2")
CS="$E2E/cs/node_modules/.bin/code-server"
RUN="$E2E/run"
ART="$REPO/test-artifacts/vscode"
TSX=(node --import tsx)
rm -rf "$RUN" "$ART"
mkdir -p "$RUN/home" "$ART"
export HOME="$RUN/home" XDG_CONFIG_HOME="$RUN/home/.config" XDG_DATA_HOME="$RUN/home/.local/share" XDG_CACHE_HOME="$RUN/home/.cache"
export SCRIPTED_KEY=sk-scripted-e2e-0123456789abcdef
# Process groups to stop on exit, one per line (a file: start_code_server runs in a command substitution's subshell).
PIDS="$RUN/pids"
: >"$PIDS"
cleanup() {
  while read -r pid; do kill -- "-$pid" 2>/dev/null || true; done <"$PIDS"
  # A server the extension started outlives a killed extension host (it runs in its own process group).
  for file in "$RUN"/ws*/.ai-collab/server.json; do
    [ -f "$file" ] && kill "$(node -p "require('$file').pid")" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# The scripted model server.
# exec: $! is then setsid's process, the leader of the new process group.
(cd "$REPO" && exec setsid "${TSX[@]}" test/vscode-e2e/model-server.ts >"$RUN/model-server.log" 2>&1) &
echo $! >>"$PIDS"
for _ in $(seq 1 100); do grep -q '^model server on ' "$RUN/model-server.log" 2>/dev/null && break; sleep 0.1; done
MODEL=$(sed -n 's/^model server on //p' "$RUN/model-server.log")
[ -n "$MODEL" ] || { cat "$RUN/model-server.log"; exit 1; }

# A workspace: git, a config with openai planner and reviewers on the scripted server, a plan, code to review.
make_workspace() {
  local ws=$1
  mkdir -p "$ws"
  git -C "$ws" init -q -b main
  git -C "$ws" config user.email e2e@example.com
  git -C "$ws" config user.name e2e
  cat >"$ws/ai-collab.config.yaml" <<YAML
agents:
  planner-bot: { adapter: openai, baseUrl: "$MODEL/v1", model: scripted-planner, apiKeyEnv: SCRIPTED_KEY, capabilities: [plan] }
  rev-a: { adapter: openai, baseUrl: "$MODEL/v1", model: scripted-rev-a, apiKeyEnv: SCRIPTED_KEY, capabilities: [review] }
  rev-b: { adapter: openai, baseUrl: "$MODEL/v1", model: scripted-rev-b, apiKeyEnv: SCRIPTED_KEY, capabilities: [review] }
YAML
  printf 'name: shell-plan\nsteps:\n  - { id: one, agent: shell, run: "echo one > one.txt" }\n' >"$ws/shell-plan.yaml"
  printf 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' >"$ws/add.ts"
  printf '.ai-collab/\n' >"$ws/.gitignore"
  git -C "$ws" add -A && git -C "$ws" commit -qm start
}

# User settings: quiet workbench; the extension runs the repository's CLI from source; its settings feed the overlay.
write_settings() {
  local dir=$1 trust=$2
  mkdir -p "$dir/User"
  cat >"$dir/User/settings.json" <<JSON
{ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "update.mode": "none",
  "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false, "files.hotExit": "off",
  "security.workspace.trust.enabled": $trust, "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.emptyWindow": false,
  "aiCollab.serverCommand": "node --import $REPO/node_modules/tsx/dist/loader.mjs $REPO/src/cli/bin.ts",
  "aiCollab.planner": "planner-bot", "aiCollab.reviewers": ["rev-a", "rev-b"], "aiCollab.swarmSize": 2,
  "aiCollab.approvalPolicy": "always" }
JSON
}

# The extension host inherits code-server's environment: the host tests read their mode and result file from it.
start_code_server() {
  local name=$1 ud=$2 ext=$3 ws=$4 extra=$5 mode=$6
  local port
  port=$(free_port)
  # shellcheck disable=SC2086
  AI_COLLAB_HOST_TEST_MODE=$mode AI_COLLAB_HOST_TEST_RESULT="$RUN/host-$mode.txt" AI_COLLAB_EXPECT_REUSE=1 \
    setsid "$CS" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check $extra \
    --user-data-dir "$ud" --extensions-dir "$ext" "$ws" >"$RUN/code-server-$name.log" 2>&1 &
  echo $! >>"$PIDS"
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
  echo "http://127.0.0.1:$port"
}

rc=0
# 1. Trusted workspace.
make_workspace "$RUN/ws"
write_settings "$RUN/ud" false
"$CS" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" --install-extension "$VSIX" >"$RUN/install.log" 2>&1
URL=$(start_code_server trusted "$RUN/ud" "$RUN/ext" "$RUN/ws" --disable-workspace-trust trusted)
t0=$(date +%s%N)
(cd "$REPO" && "${TSX[@]}" test/vscode-e2e/ui-e2e.ts "$URL" "$RUN/ws" "$ART") || rc=1
t1=$(date +%s%N)
echo "ui e2e: $(((t1 - t0) / 1000000)) ms (rc=$rc)"
(cd "$REPO" && "${TSX[@]}" test/vscode-e2e/host-tests.ts "$URL" "$RUN/ws" "$REPO/vscode" "$REPO/vscode/out/host" \
  "$RUN/host-trusted.txt" "$ART/05-host-tests-trusted.png") || rc=1
t2=$(date +%s%N)
echo "host tests (trusted): $(((t2 - t1) / 1000000)) ms (rc=$rc)"

# 2. Restricted Mode: workspace trust on, the folder never trusted.
make_workspace "$RUN/ws-untrusted"
write_settings "$RUN/ud2" true
URL2=$(start_code_server restricted "$RUN/ud2" "$RUN/ext2" "$RUN/ws-untrusted" "" restricted)
(cd "$REPO" && "${TSX[@]}" test/vscode-e2e/host-tests.ts "$URL2" "$RUN/ws-untrusted" "$REPO/vscode" \
  "$REPO/vscode/out/host" "$RUN/host-restricted.txt" "$ART/06-host-tests-restricted.png") || rc=1
t3=$(date +%s%N)
echo "host tests (restricted): $(((t3 - t2) / 1000000)) ms (rc=$rc)"
cp "$RUN"/*.log "$RUN"/host-*.txt "$ART/" 2>/dev/null || true
echo "e2e rc=$rc (artifacts in $ART)"
exit $rc
