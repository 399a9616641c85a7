#!/usr/bin/env bash
# One platform's .vsix: the files .vscodeignore lets in, with that platform's wheelhouse as
# bundled/wheels, packaged by vsce for its target. Staged in a folder of its own, so that
# bundled/wheels (the linux-x64 wheelhouse `make vsix` and the editor test use) stays as is and
# the platforms can be packaged side by side.
# Usage: scripts/package_vsix.sh TARGET WHEELHOUSE OUT.vsix [SERVER_WHEEL]
# SERVER_WHEEL replaces the wheelhouse's own server wheel (the server changed, not what it needs).
set -euo pipefail
target="$1" wheelhouse="$(realpath "$2")" out="$(realpath -m "$3")" server_wheel="${4:-}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
stage="$(dirname "$out")/stage-$target"
rm -rf "$stage"
mkdir -p "$stage/bundled/wheels"
cp "$repo/.vscodeignore" "$stage/"
# .vscodeignore excludes everything (`**`) and lets files back in with `!PATTERN`: those
# patterns are the list of what to stage, so it is written once.
shopt -s nullglob globstar
while IFS= read -r line; do
  pattern="${line#!}"
  [ "$line" != "$pattern" ] || continue
  case "$pattern" in bundled/wheels/*) continue ;; esac
  matched=0
  for file in "$repo"/$pattern; do
    relative="${file#"$repo"/}"
    mkdir -p "$stage/$(dirname "$relative")"
    cp -R "$file" "$stage/$relative"
    matched=1
  done
  # vsce itself lets a pattern match nothing (an optional build output); say so, for a typo.
  [ "$matched" = 1 ] || echo "note: .vscodeignore's !$pattern matches nothing" >&2
done < "$repo/.vscodeignore"
cp "$wheelhouse"/*.whl "$stage/bundled/wheels/"
if [ -n "$server_wheel" ]; then
  rm "$stage"/bundled/wheels/promptweight-*.whl
  cp "$server_wheel" "$stage/bundled/wheels/"
fi
(cd "$stage" && "$repo/node_modules/.bin/vsce" package --no-dependencies --target "$target" --out "$out" >/dev/null)
rm -rf "$stage"
echo "built $out ($(du -h "$out" | cut -f1))"
