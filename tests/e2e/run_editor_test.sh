#!/usr/bin/env bash
# The real-editor test: the built .vsix in code-server (VS Code 1.139), driven in headless
# Chromium. Usage: tests/e2e/run_editor_test.sh build/promptweight.vsix
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
vsix="$(realpath "$1")"
"$repo/tests/e2e/install_toolchain.sh" >/dev/null
source "$repo/scripts/code-server-env.sh"

work="$(mktemp -d)"
cleanup() {
  stop_code_server
  rm -rf "$work"
}
trap cleanup EXIT

# A copy of the examples: the test types into them and saves.
mkdir -p "$work/workspace" "$work/data/User" "$work/data/Machine" "$work/extensions"
find "$repo/examples" -maxdepth 1 -type f -exec cp {} "$work/workspace/" \;
# The example run's base model, as `make run` builds it; training runs in the repository's .venv.
"$repo/.venv/bin/python" -m server.training.tiny_model "$work/workspace/tiny-model" >/dev/null
# A machine-scoped setting: code-server (VS Code's remote side) reads it from Machine/.
cat > "$work/data/Machine/settings.json" <<JSON
{ "promptweight.training.python": "$repo/.venv/bin/python" }
JSON
cat > "$work/data/User/settings.json" <<'JSON'
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "extensions.autoCheckUpdates": false,
  "telemetry.telemetryLevel": "off"
}
JSON
code_server "$work/data" "$work/extensions" --install-extension "$vsix" >/dev/null

port="$(free_port)"
start_code_server "$work/code-server.log" "$work/data" "$work/extensions" \
  --bind-addr "127.0.0.1:$port" "$work/workspace"
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

mkdir -p "$repo/build"
status=0
E2E_URL="http://127.0.0.1:$port/?folder=$work/workspace" \
E2E_WORKSPACE="$work/workspace" \
E2E_PLAYWRIGHT="$PLAYWRIGHT_DIR" \
E2E_PYTHON="$repo/.venv/bin/python" \
E2E_SCREENSHOT_DIR="$repo/build" \
  node --test --test-reporter=spec "$repo/tests/e2e/editor.test.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- code-server log ---"; tail -n 50 "$work/code-server.log"
  find "$work/data/logs" -name '*Promptweight*' -exec sh -c 'echo "--- $1"; tail -n 60 "$1"' _ {} \; 2>/dev/null || true
fi
exit "$status"
