#!/usr/bin/env bash
# Fills OUT_DIR with the server's wheel and every dependency's, for each Python version the
# .vsix supports on one VS Code platform, so the extension installs its server environment with
# --no-index (offline). The wheels' selection, markers included, is scripts/wheelhouse.py.
# Usage: scripts/build_wheelhouse.sh PYTHON OUT_DIR "3.11 3.12 ..." [TARGET [SERVER_WHEEL]]
# TARGET is a `vsce --target` (default linux-x64); SERVER_WHEEL reuses a built server wheel.
set -euo pipefail
python="$1" out="$2" versions="$3" target="${4:-linux-x64}" server_wheel="${5:-}"
mkdir -p "$out"
rm -f "$out"/promptweight-*.whl
if [ -n "$server_wheel" ]; then
  cp "$server_wheel" "$out/"
else
  # setuptools reuses build/lib and only refreshes files it thinks are older there: a module
  # that was deleted or rewritten could ship stale. Start every wheel from the sources.
  rm -rf build/lib build/bdist.*
  "$python" -m pip wheel --quiet --no-deps --wheel-dir "$out" . 2>&1 | grep -v "BuildBackendWarning\|^ \|^$" || true
fi
wheel=$(ls "$out"/promptweight-*.whl)
# shellcheck disable=SC2086 # one argument per version
"$python" "$(dirname "$0")/wheelhouse.py" download "$target" "$out" "$wheel" $versions
