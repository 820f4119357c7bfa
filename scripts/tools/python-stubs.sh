#!/usr/bin/env bash
# Prints the path of a Python that has exactly the packages pinned in
# scripts/deps/pip-stubs.txt (grpcio-tools and its runtime), creating the
# virtualenv tools/python-stubs from PyPI when it is missing or the pins
# changed. scripts/install-deps.sh runs it once; the stub generator then works
# offline.
#
# Usage: scripts/tools/python-stubs.sh   (prints .../tools/python-stubs/bin/python)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
pins="$repo/scripts/deps/pip-stubs.txt"
venv="$repo/tools/python-stubs"
stamp="$venv/pip-stubs.txt"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$pins" "$stamp"; then
  echo "python-stubs: creating $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-virtualenv -r "$pins" >&2
  cp "$pins" "$stamp"
fi
echo "$venv/bin/python"
