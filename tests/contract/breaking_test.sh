#!/usr/bin/env bash
# The contract keeps compatibility with the last released one: buf breaking
# (FILE category, proto/buf.yaml) against the newest baseline image in
# proto/baseline/ passes. And the check bites: a copy of proto/ with one field
# deleted fails it with FIELD_NO_DELETE, and one with another go_package fails
# it with FILE_SAME_GO_PACKAGE (buf.yaml's one exception, the Java package
# that moved off com.vercel, covers that rule alone).
#
# Usage: breaking_test.sh BUF REPO
set -euo pipefail
buf="$1"
repo="$2"
baseline="$(find "$repo/proto/baseline" -name 'v*.binpb' | sort -V | tail -n 1)"
if [ -z "$baseline" ]; then
  echo "breaking: no baseline image in proto/baseline/" >&2
  exit 1
fi

cd "$repo"
"$buf" breaking proto --against "$baseline"
echo "breaking: proto/ is compatible with $(basename "$baseline" .binpb)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$repo/proto" "$tmp/proto"
sed -i '/string origin = 4;/d' "$tmp/proto/vercel/authentication/v1/user_tokens.proto"
if "$buf" breaking "$tmp/proto" --against "$baseline" --error-format=json \
    >"$tmp/out" 2>&1; then
  echo "breaking: deleting AuthToken.origin went unnoticed" >&2
  exit 1
fi
if ! grep -q '"type":"FIELD_NO_DELETE"' "$tmp/out"; then
  cat "$tmp/out" >&2
  echo "breaking: deleting AuthToken.origin failed for another reason" >&2
  exit 1
fi
echo "breaking: deleting a field is reported (FIELD_NO_DELETE)"

cp -r "$repo/proto/." "$tmp/proto/"
sed -i 's|^option go_package = ".*";|option go_package = "example.com/moved;moved";|' \
  "$tmp/proto/vercel/authentication/v1/user_tokens.proto"
if "$buf" breaking "$tmp/proto" --against "$baseline" --error-format=json \
    >"$tmp/out" 2>&1; then
  echo "breaking: changing go_package went unnoticed" >&2
  exit 1
fi
if ! grep -q '"type":"FILE_SAME_GO_PACKAGE"' "$tmp/out"; then
  cat "$tmp/out" >&2
  echo "breaking: changing go_package failed for another reason" >&2
  exit 1
fi
echo "breaking: changing a file option other than java_package is reported"
