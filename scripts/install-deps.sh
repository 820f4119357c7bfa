#!/usr/bin/env bash
# Installs whatever the build and the tests need and this machine lacks:
# Debian 12 packages listed in scripts/deps/apt-*.txt (one a line, '#'
# comments), the npm tools pinned in tools/package-lock.json, the stub
# generators' pinned Python and Go tools, and the protoc pinned in
# scripts/deps/protoc-version.txt (from Maven Central). Safe to run again: it
# installs nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

mapfile -t packages < <(cat scripts/deps/apt-*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The rest is mostly waiting on registries (npm, PyPI, the Go module proxy,
# Maven Central) and each part writes only its own folder under tools/, so
# the parts run side by side; the script fails if any of them fails.
pids=()
names=()
run_part() {  # name command...
  "${@:2}" >/dev/null &
  pids+=($!)
  names+=("$1")
}

# npm tools: reinstalled only when the lock file changed since the last
# install.
stamp=tools/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ tools/package-lock.json -nt "$stamp" ]; then
  echo "install-deps: installing npm tools" >&2
  run_part "npm tools" npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi
# The stub generators' pinned tools (scripts/deps/pip-stubs.txt,
# scripts/deps/go-tools.txt): a grpcio-tools virtualenv from PyPI and the Go
# protoc plugins from the Go module proxy, each made once. The Go toolchain
# is the machine's current one, else one fetched by scripts/tools/go.sh.
run_part "python stubs tools" scripts/tools/python-stubs.sh
# The chart tests' Kubernetes schemas (scripts/deps/pip-deploy.txt): a
# kubernetes-validate virtualenv from PyPI, made once.
run_part "kubernetes-validate" scripts/tools/kubernetes-validate.sh
run_part "go protoc plugins" scripts/tools/go-plugins.sh
# The Ruby stubs' protoc (scripts/tools/protoc.sh), fetched once by Maven.
run_part "protoc" scripts/tools/protoc.sh

# --kubernetes-background (make test): the Kubernetes tests' kube-apiserver
# and etcd (tests/kubernetes/build.sh, minutes of CPU on a cold machine)
# start building now, detached, while the C++ build runs; the tests'
# kubernetes_build fixture runs build.sh again, which waits on the same
# per-machine lock and finds the binaries (or builds them itself if this
# build failed, with its error in the test's output). Nothing is built when
# the binaries are cached.
if [ "${1:-}" = "--kubernetes-background" ]; then
  kube_log="${XDG_CACHE_HOME:-$HOME/.cache}/vercel-user-tokens/kube-background.log"
  mkdir -p "$(dirname "$kube_log")"
  nohup tests/kubernetes/build.sh >"$kube_log" 2>&1 </dev/null &
fi

failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "install-deps: ${names[$i]} failed" >&2
    failed=1
  fi
done
exit "$failed"
