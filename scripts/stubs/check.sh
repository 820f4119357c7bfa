#!/usr/bin/env bash
# Fails when the committed client stubs differ from what the generators make
# from proto/ and VERSION now: it regenerates every language into a temporary
# folder and compares.
#
# A file differs when its committed copy is missing or has other content, or
# when a committed file under client/ says "DO NOT EDIT" (the mark of every
# generated file) but the generators no longer make it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
log="$(mktemp)"
trap 'rm -rf "$tmp" "$log"' EXIT

if ! "$repo/scripts/stubs/generate.sh" "$tmp" 2>"$log"; then
  cat "$log" >&2
  echo "check-stubs: generating the stubs failed" >&2
  exit 1
fi

differing=()
while IFS= read -r -d '' file; do
  rel="${file#"$tmp"/}"
  if [ ! -f "$repo/$rel" ]; then
    differing+=("$rel (not committed)")
  elif ! cmp -s "$file" "$repo/$rel"; then
    differing+=("$rel (content differs)")
  fi
done < <(find "$tmp" -type f -print0 | sort -z)

while IFS= read -r -d '' file; do
  rel="${file#"$repo"/}"
  if [ ! -f "$tmp/$rel" ]; then
    differing+=("$rel (no longer generated)")
  fi
done < <(find "$repo/client" \( -name node_modules -o -name build -o -name target \
           -o -name .venv -o -name __pycache__ \) -prune -o -type f -print0 \
         | xargs -0 -r grep -lZ --binary-files=without-match "DO NOT EDIT" \
         | sort -z)

if [ ${#differing[@]} -gt 0 ]; then
  echo "check-stubs: the committed stubs are not what proto/ and VERSION generate:" >&2
  printf '  %s\n' "${differing[@]}" >&2
  echo "check-stubs: run 'make stubs' and commit the result." >&2
  exit 1
fi
count="$(find "$tmp" -type f | wc -l)"
echo "check-stubs: all $count generated files are current"
