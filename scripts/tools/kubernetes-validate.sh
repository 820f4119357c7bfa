#!/usr/bin/env bash
# Prints the path of a Python that has exactly the packages pinned in
# scripts/deps/pip-deploy.txt (kubernetes-validate and what it needs),
# creating the virtualenv tools/kubernetes-validate from PyPI when it is
# missing or the pins changed. scripts/install-deps.sh runs it once; the
# chart tests then work offline.
#
# Usage: scripts/tools/kubernetes-validate.sh   (prints .../bin/python)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
pins="$repo/scripts/deps/pip-deploy.txt"
venv="$repo/tools/kubernetes-validate"
stamp="$venv/pip-deploy.txt"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$pins" "$stamp"; then
  echo "kubernetes-validate: creating $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-virtualenv -r "$pins" >&2
  cp "$pins" "$stamp"
fi
echo "$venv/bin/python"
