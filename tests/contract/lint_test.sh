#!/usr/bin/env bash
# The contract passes buf lint with the STANDARD and COMMENTS categories and
# no exceptions: proto/buf.yaml's lint section uses both and has no except or
# ignore. (Its breaking section may name one: breaking_test.sh checks that.)
#
# Usage: lint_test.sh BUF REPO
set -euo pipefail
buf="$1"
repo="$2"
config="$repo/proto/buf.yaml"

rules="$("$buf" config ls-lint-rules --configured-only --config "$config")"
for rule in RPC_REQUEST_STANDARD_NAME PACKAGE_VERSION_SUFFIX COMMENT_FIELD \
            COMMENT_RPC COMMENT_MESSAGE COMMENT_SERVICE; do
  if ! grep -q "^$rule " <<<"$rules"; then
    echo "lint: $config does not turn on $rule (STANDARD and COMMENTS must)" >&2
    exit 1
  fi
done
# The lint section: from "lint:" to the next top-level key.
lint_section="$(awk '/^[^[:space:]#]/ { in_lint = ($0 ~ /^lint:/) } in_lint' "$config")"
if grep -nE '^[[:space:]]*(except|ignore|ignore_only)[[:space:]]*:' <<<"$lint_section"; then
  echo "lint: $config makes exceptions; fix the proto instead" >&2
  exit 1
fi

cd "$repo"
"$buf" lint proto
echo "lint: proto/ is clean under STANDARD and COMMENTS"
