#!/usr/bin/env bash
# Prints the path of a Go toolchain at least as new as client/go/go.mod's
# `go` line: /usr/local/go/bin/go, else the `go` on PATH, else one fetched
# from the Go module proxy (golang.org/toolchain) into tools/go-toolchain by
# whatever go is present (Debian's golang-go). Debian 12's Go 1.19 alone is
# too old for the module's dependencies.
#
# Usage: scripts/tools/go.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
want="$(sed -n 's/^go //p' "$repo/client/go/go.mod")"

new_enough() {  # go binary
  local have
  have="$("$1" env GOVERSION 2>/dev/null)" || return 1
  have="${have#go}"
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" = "$want" ]
}

for candidate in /usr/local/go/bin/go "$(command -v go || true)" \
                 "$repo"/tools/go-toolchain/golang.org/toolchain@*/bin/go; do
  if [ -x "$candidate" ] && new_enough "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

bootstrap="$(command -v go || true)"
if [ -z "$bootstrap" ]; then
  echo "go.sh: no go to fetch Go $want with (install golang-go)" >&2
  exit 1
fi
module="golang.org/toolchain@v0.0.1-go${want}.linux-$(dpkg --print-architecture)"
echo "go.sh: fetching $module from the Go module proxy" >&2
GOFLAGS=-modcacherw GOMODCACHE="$repo/tools/go-toolchain" \
  GOPROXY="${GOPROXY:-https://proxy.golang.org}" "$bootstrap" mod download "$module" >&2
go_bin="$repo/tools/go-toolchain/$module/bin/go"
chmod +x "$go_bin" "$repo/tools/go-toolchain/$module/pkg/tool/"*/* 2>/dev/null || true
echo "$go_bin"
