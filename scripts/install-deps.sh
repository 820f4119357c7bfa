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

# npm tools: reinstalled only when the lock file changed since the last
# install.
stamp=tools/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ tools/package-lock.json -nt "$stamp" ]; then
  echo "install-deps: installing npm tools" >&2
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi

# The stub generators' pinned tools (scripts/deps/pip-stubs.txt,
# scripts/deps/go-tools.txt): a grpcio-tools virtualenv from PyPI and the Go
# protoc plugins from the Go module proxy, each made once. The Go toolchain
# is the machine's current one, else one fetched by scripts/tools/go.sh.
scripts/tools/python-stubs.sh >/dev/null
# The chart tests' Kubernetes schemas (scripts/deps/pip-deploy.txt): a
# kubernetes-validate virtualenv from PyPI, made once.
scripts/tools/kubernetes-validate.sh >/dev/null
scripts/tools/go-plugins.sh >/dev/null
# The Ruby stubs' protoc (scripts/tools/protoc.sh), fetched once by Maven.
scripts/tools/protoc.sh >/dev/null
