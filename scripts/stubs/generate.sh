#!/usr/bin/env bash
# Regenerates the committed client stubs of every language from proto/.
#
# Usage: scripts/stubs/generate.sh [OUT_ROOT]
#
# Runs each language's scripts/stubs/<lang>.sh (every *.sh here but this file
# and check.sh), in name order, with OUT_ROOT (default: the repository). Each
# writes only its own generated files, under OUT_ROOT/client/<lang>/. Every
# file a generator writes says "DO NOT EDIT", so that check.sh can tell
# generated files from hand-written ones (READMEs, examples, go.mod).
# C++ is generated at build time by CMake (proto/CMakeLists.txt), not here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$repo}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

for script in "$here"/*.sh; do
  case "$(basename "$script")" in
    generate.sh | check.sh) continue ;;
  esac
  echo "stubs: $(basename "$script" .sh) -> $out/client/$(basename "$script" .sh)" >&2
  bash "$script" "$out"
done
