#!/usr/bin/env bash
# Fills bundled/wheels with the server's wheel and every dependency's, for each Python version
# the .vsix supports, so the extension installs its server environment with --no-index (offline).
# Usage: scripts/build_wheelhouse.sh PYTHON OUT_DIR "3.11 3.12 ..."
set -euo pipefail
python="$1" out="$2" versions="$3"
mkdir -p "$out"
rm -f "$out"/promptweight-*.whl
# setuptools reuses build/lib and only refreshes files it thinks are older there: a module that
# was deleted or rewritten could ship stale. Start every wheel from the sources.
rm -rf build/lib build/bdist.*
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$out" . 2>&1 | grep -v "BuildBackendWarning\|^ \|^$" || true
wheel=$(ls "$out"/promptweight-*.whl)
for version in $versions; do
  "$python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
    --python-version "$version" --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform linux_x86_64 \
    --dest "$out" "$wheel" 2>&1 | grep -v "WARNING: Location" || true
  # pip download's exit status is lost in the pipe above: check that the native wheels came.
  tag="cp${version/./}"
  for native in pydantic_core tiktoken pyyaml tokenizers; do
    # A wheel for exactly this CPython, or a stable-ABI (abi3) one that covers it.
    ls "$out"/${native}-*.whl 2>/dev/null | grep -Eq -- "-($tag-$tag|cp3[0-9]+-abi3)-" || {
      echo "error: no $native wheel for Python $version in $out" >&2
      exit 1
    }
  done
done
