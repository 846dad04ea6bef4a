#!/usr/bin/env bash
# Build (once, cached) and start FerretDB v1.24.2 with its SQLite backend on 127.0.0.1.
# Usage: source .ci/ferretdb.sh   → exports MONGO_URI and FERRETDB_PID; `ferretdb_stop` stops it.
# The module comes from the Go proxy via `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`.
# That binary panics at start-up because the published module lacks build/version/version.txt,
# so the same module source is copied from the module cache, the version file is written, and the
# command is built from it.
set -euo pipefail
FERRETDB_VERSION=v1.24.2
FERRETDB_CACHE="${FERRETDB_CACHE:-$HOME/.cache/battery-analysis/ferretdb-$FERRETDB_VERSION}"
FERRETDB_BIN="$FERRETDB_CACHE/ferretdb"

ferretdb_build() {
  if [ -x "$FERRETDB_BIN" ] && "$FERRETDB_BIN" --version >/dev/null 2>&1; then return 0; fi
  command -v go >/dev/null || { echo "ferretdb: Go is required to build FerretDB" >&2; return 1; }
  mkdir -p "$FERRETDB_CACHE"
  go install "github.com/FerretDB/FerretDB/cmd/ferretdb@$FERRETDB_VERSION" >&2
  local modcache src
  modcache="$(go env GOMODCACHE)"
  src="$(mktemp -d)"
  cp -r "$modcache/github.com/!ferret!d!b/!ferret!d!b@$FERRETDB_VERSION/." "$src/"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  (cd "$src" && go build -o "$FERRETDB_BIN" ./cmd/ferretdb) >&2
  rm -rf "$src"
}

ferretdb_start() {
  ferretdb_build
  FERRETDB_DIR="$(mktemp -d)"
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 27217)"
  mkdir -p "$FERRETDB_DIR/data"
  "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$FERRETDB_DIR/data/" \
    --listen-addr="127.0.0.1:$port" --state-dir="$FERRETDB_DIR" --telemetry=disable \
    --debug-addr=127.0.0.1:0 --log-level=error >"$FERRETDB_DIR/ferretdb.log" 2>&1 &
  FERRETDB_PID=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      export MONGO_URI="mongodb://127.0.0.1:$port/"
      export FERRETDB_PID FERRETDB_DIR
      return 0
    fi
    sleep 0.1
  done
  echo "ferretdb: did not start; log:" >&2
  cat "$FERRETDB_DIR/ferretdb.log" >&2
  return 1
}

ferretdb_stop() {
  if [ -n "${FERRETDB_PID:-}" ]; then kill "$FERRETDB_PID" 2>/dev/null || true; wait "$FERRETDB_PID" 2>/dev/null || true; fi
  if [ -n "${FERRETDB_DIR:-}" ]; then rm -rf "$FERRETDB_DIR"; fi
}
