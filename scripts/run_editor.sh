#!/usr/bin/env bash
# `make run`: install the built .vsix and open a folder in an editor.
# VS Code when `code` is on PATH; else a local code-server on 127.0.0.1 (Ctrl+C stops it).
# Usage: scripts/run_editor.sh VSIX FOLDER [TRAINING_PYTHON]
# TRAINING_PYTHON (the repository's .venv with the [train] extra) becomes the user setting
# promptweight.training.python in the code-server profile, so the example run can train.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
vsix="$(realpath "$1")"
folder="$(realpath "$2")"
training_python="${3:-}"

if command -v code >/dev/null 2>&1; then
  code --install-extension "$vsix" --force
  [ -z "$training_python" ] || echo "Promptweight: to train the example, set promptweight.training.python to $training_python"
  code "$folder"
  exit 0
fi

"$repo/tests/e2e/install_toolchain.sh" >/dev/null
source "$repo/scripts/code-server-env.sh"
state="$HOME/.cache/promptweight-run"
mkdir -p "$state/data/User" "$state/extensions"
[ -f "$state/data/User/settings.json" ] || printf '{\n  "workbench.startupEditor": "none"\n}\n' >"$state/data/User/settings.json"
if [ -n "$training_python" ]; then
  # A machine-scoped setting: code-server (VS Code's remote side) reads it from Machine/.
  mkdir -p "$state/data/Machine"
  [ -f "$state/data/Machine/settings.json" ] || echo '{}' >"$state/data/Machine/settings.json"
  "$training_python" - "$state/data/Machine/settings.json" "$training_python" <<'PY'
import json, sys
path, python = sys.argv[1], sys.argv[2]
settings = json.load(open(path, encoding="utf-8"))
settings["promptweight.training.python"] = python
json.dump(settings, open(path, "w", encoding="utf-8"), indent=2)
PY
fi
code_server "$state/data" "$state/extensions" --install-extension "$vsix" --force >/dev/null
port="${PROMPTWEIGHT_PORT:-$(free_port)}"
# A password of its own each time: 127.0.0.1 is reachable by every user of this machine.
PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
export PASSWORD
echo "Promptweight: open http://127.0.0.1:$port/?folder=$folder in a browser (Ctrl+C stops the editor)"
echo "Promptweight: the editor's password is $PASSWORD"
CODE_SERVER_AUTH=password code_server "$state/data" "$state/extensions" --bind-addr "127.0.0.1:$port" "$folder"
