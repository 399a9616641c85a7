#!/usr/bin/env bash
# The real-editor test: the built .vsix in code-server (VS Code 1.139), driven in headless
# Chromium. Usage: tests/e2e/run_editor_test.sh build/promptweight.vsix
# E2E_ONLY=<regexp> runs only the tests whose names match it (node --test-name-pattern); each
# test that can run alone says so. Every test leaves a screenshot in build/screens/<name>.png.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
vsix="$(realpath "$1")"
"$repo/tests/e2e/install_toolchain.sh" >/dev/null
source "$repo/scripts/code-server-env.sh"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    CODE_SERVER_PID="$pid" stop_code_server
  done
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

# A second editor for Restricted Mode: workspace trust on, and a folder it has never been told
# to trust (trust lives in the user data), opened without the startup prompt as a user who
# chose "Don't Trust" would see it. Trust is read once at start, so it needs its own server.
mkdir -p "$work/restricted" "$work/restricted-data/User" "$work/restricted-data/Machine"
find "$repo/examples" -maxdepth 1 -type f -exec cp {} "$work/restricted/" \;
cp "$work/data/Machine/settings.json" "$work/restricted-data/Machine/"
sed -e 's/"security.workspace.trust.enabled": false/"security.workspace.trust.enabled": true,\n  "security.workspace.trust.startupPrompt": "never"/' \
  "$work/data/User/settings.json" > "$work/restricted-data/User/settings.json"
grep -q '"security.workspace.trust.enabled": true' "$work/restricted-data/User/settings.json"
# The same installed extension, but global storage of its own: the server environment is built
# from the bundled wheels in Restricted Mode, as on a machine whose first folder is untrusted.

port="$(free_port)"
start_code_server "$work/code-server.log" "$work/data" "$work/extensions" \
  --bind-addr "127.0.0.1:$port" "$work/workspace"
pids+=("$CODE_SERVER_PID")
restricted_port="$(free_port)"
start_code_server "$work/code-server-restricted.log" "$work/restricted-data" "$work/extensions" \
  --bind-addr "127.0.0.1:$restricted_port" "$work/restricted"
pids+=("$CODE_SERVER_PID")
for p in "$port" "$restricted_port"; do
  for _ in $(seq 1 150); do
    curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
done

# One run's screenshots, not a mix with an earlier run's (or its failures).
rm -rf "$repo/build/screens"
mkdir -p "$repo/build/screens"
only=()
[ -n "${E2E_ONLY:-}" ] && only=(--test-name-pattern="$E2E_ONLY")
status=0
E2E_URL="http://127.0.0.1:$port/?folder=$work/workspace" \
E2E_WORKSPACE="$work/workspace" \
E2E_RESTRICTED_URL="http://127.0.0.1:$restricted_port/?folder=$work/restricted" \
E2E_RESTRICTED_WORKSPACE="$work/restricted" \
E2E_PLAYWRIGHT="$PLAYWRIGHT_DIR" \
E2E_PYTHON="$repo/.venv/bin/python" \
E2E_SCREENSHOT_DIR="$repo/build/screens" \
  node --test --test-reporter=spec "${only[@]}" "$repo/tests/e2e/editor.test.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  for log in "$work"/code-server*.log; do echo "--- $log"; tail -n 50 "$log"; done
  find "$work/data/logs" "$work/restricted-data/logs" -name '*Promptweight*' \
    -exec sh -c 'echo "--- $1"; tail -n 60 "$1"' _ {} \; 2>/dev/null || true
fi
exit "$status"
