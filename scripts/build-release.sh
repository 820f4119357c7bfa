#!/usr/bin/env bash
# Builds the two release binaries, the server `vercel-tokens-server` and the
# CLI `vercel-tokens`, and installs them, stripped, into OUTDIR.
#
#   scripts/build-release.sh OUTDIR
#
# The Dockerfile's build stage runs this; so does `make test` (tests/deploy),
# outside any container, so the image's build steps are tested here.
# A Release build without tests, in its own build folder (VUT_RELEASE_BUILD_DIR,
# default build/release) so that it never disturbs the development build and
# later runs rebuild only what changed. JOBS sets the parallelism (default:
# every core). VUT_COMMIT names the commit the server reports in
# vercel_tokens_build_info (default: git's HEAD when the source is a checkout,
# else `unknown`).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${VUT_RELEASE_BUILD_DIR:-$root/build/release}
jobs=${JOBS:-$(nproc)}

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
  -DVUT_BUILD_TESTS=OFF -DVUT_COMMIT="${VUT_COMMIT:-}"
cmake --build "$build_dir" -j "$jobs" \
  --target vercel-tokens-server vercel-tokens
install -d "$out"
install -m 0755 -s "$build_dir/server/vercel-tokens-server" \
  "$build_dir/client/cpp/vercel-tokens" "$out/"
