#!/usr/bin/env bash
# Builds the real kube-apiserver (v1.35.4) and etcd (v3.6.5) the Kubernetes
# tests run against, from the Go module proxy, as dependencies of the wrapper
# modules beside this script (apiserver/, etcd/: go.mod, go.sum, tools.go).
#
# The binaries are built once per machine into
#   ${XDG_CACHE_HOME:-$HOME/.cache}/vercel-user-tokens/kube/<key>/
# where <key> hashes the wrapper modules, this script and the Go version, so
# a change to any of them builds afresh and an unchanged second run only
# checks that the binaries are there. Go's own module and build caches
# (go env GOMODCACHE, GOCACHE) hold the downloaded sources and compiled
# packages. Concurrent callers (ctest -j) wait on one lock: one builds, the
# others reuse its result.
#
# Usage: tests/kubernetes/build.sh
# Prints the directory that holds `kube-apiserver` and `etcd`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
go_bin="$("$repo/scripts/tools/go.sh")"

kube_version=v1.35.4
key="$(cd "$here" && {
  cat build.sh apiserver/go.mod apiserver/go.sum apiserver/tools.go \
      etcd/go.mod etcd/go.sum etcd/tools.go
  "$go_bin" env GOVERSION GOOS GOARCH
} | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/vercel-user-tokens/kube"
out="$cache/$key"
mkdir -p "$cache"

exec 9>"$cache/$key.lock"
flock 9
if [ -x "$out/kube-apiserver" ] && [ -x "$out/etcd" ]; then
  echo "$out"
  exit 0
fi

staging="$(mktemp -d "$cache/$key.building.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
export GOFLAGS="-mod=readonly -buildvcs=false"
export GOTOOLCHAIN=local
started=$SECONDS
echo "build.sh: building etcd v3.6.5 and kube-apiserver $kube_version with" \
     "$("$go_bin" env GOVERSION) (minutes on a cold machine)" >&2
# -s -w: no symbol table or DWARF (a third less to link and to store);
# panics still name their functions.
(cd "$here/etcd" && "$go_bin" build -ldflags "-s -w" -o "$staging/etcd" \
   go.etcd.io/etcd/server/v3)
# Without the version stamp /version reads v0.0.0-master+$Format:%H$.
(cd "$here/apiserver" && "$go_bin" build \
   -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$kube_version
             -X k8s.io/component-base/version.gitMajor=1
             -X k8s.io/component-base/version.gitMinor=35" \
   -o "$staging/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
echo "build.sh: built in $((SECONDS - started)) s into $out" >&2
rm -rf "$out"
chmod 755 "$staging"
mv "$staging" "$out"
trap - EXIT
echo "$out"
