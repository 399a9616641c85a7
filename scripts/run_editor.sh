#!/usr/bin/env bash
# `make run`: install the built .vsix and open a folder in an editor.
# VS Code when `code` is on PATH; else a local code-server on 127.0.0.1 (Ctrl+C stops it).
# Usage: scripts/run_editor.sh VSIX FOLDER
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
vsix="$(realpath "$1")"
folder="$(realpath "$2")"

if command -v code >/dev/null 2>&1; then
  code --install-extension "$vsix" --force
  code "$folder"
  exit 0
fi

"$repo/tests/e2e/install_toolchain.sh" >/dev/null
source "$repo/scripts/code-server-env.sh"
state="$HOME/.cache/promptweight-run"
mkdir -p "$state/data/User" "$state/extensions"
[ -f "$state/data/User/settings.json" ] || printf '{\n  "workbench.startupEditor": "none"\n}\n' >"$state/data/User/settings.json"
code_server "$state/data" "$state/extensions" --install-extension "$vsix" --force >/dev/null
port="${PROMPTWEIGHT_PORT:-$(free_port)}"
echo "Promptweight: open http://127.0.0.1:$port/?folder=$folder in a browser (Ctrl+C stops the editor)"
code_server "$state/data" "$state/extensions" --bind-addr "127.0.0.1:$port" "$folder"
