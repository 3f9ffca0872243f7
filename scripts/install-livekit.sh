#!/usr/bin/env bash
# Builds LiveKit's server once with Go (no package exists anywhere else) and caches the binary
# outside the clone, so CI runs after the first reuse it. Skips with a message when Go is missing:
# the LiveKit suites then skip with a clear message too.
set -euo pipefail
version="v1.13.5"
cache="${RAPIDO_TOOLS_DIR:-$HOME/.cache/rapido/tools}/livekit-$version"
if [ -x "$cache/server" ]; then
  echo "install-livekit: cached $cache/server"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-livekit: Go is not installed; LiveKit end-to-end tests will skip"
  exit 0
fi
mkdir -p "$cache"
echo "install-livekit: building livekit-server $version with $(go version) (first run only)"
GOBIN="$cache" GOFLAGS=-mod=mod go install "github.com/livekit/livekit-server/cmd/server@$version"
echo "install-livekit: built $cache/server"
