#!/usr/bin/env bash
# Installs the Go stubs' protoc plugins into tools/go/bin at pinned versions
# (protoc-gen-go at client/go/go.mod's google.golang.org/protobuf,
# protoc-gen-go-grpc as scripts/deps/go-tools.txt says) unless they are
# there already, and prints that folder. scripts/install-deps.sh runs it
# once; the stub generator then works offline.
#
# Usage: scripts/tools/go-plugins.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$repo/tools/go/bin"
protobuf="$(awk '$1 == "google.golang.org/protobuf" {print $2}' "$repo/client/go/go.mod")"
mapfile -t pins < <(sed 's/#.*//' "$repo/scripts/deps/go-tools.txt" | grep -v '^\s*$')
pins+=("google.golang.org/protobuf/cmd/protoc-gen-go@$protobuf")
stamp="$bin/pins.txt"

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${pins[*]}" ]; then
  go="$("$repo/scripts/tools/go.sh")"
  for pin in "${pins[@]}"; do
    echo "go-plugins: installing $pin" >&2
    GOBIN="$bin" "$go" install "$pin" >&2
  done
  echo "${pins[*]}" >"$stamp"
fi
echo "$bin"
