#!/usr/bin/env bash
# Serves the service on localhost:50051 against the project's fake Vercel API
# (tests/fake_vercel), seeded with one account, and prints what to run next.
# Ctrl-C stops both. Nothing leaves this machine; no Vercel account needed.
#
# Usage: scripts/demo.sh BUILD_DIR   (make demo)
#        DEMO_LISTEN=127.0.0.1:0 scripts/demo.sh BUILD_DIR   (another port)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)"
listen="${DEMO_LISTEN:-127.0.0.1:50051}"
token="demo-vercel-token"
team="team_demo"

fake_out="$(mktemp)"
server_log="$(mktemp --suffix=.log)"
cleanup() {
  kill "${server_pid:-}" "${fake_pid:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -f "$fake_out" "$server_log"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

python3 "$repo/tests/fake_vercel/fake_vercel.py" --port 0 >"$fake_out" 2>/dev/null &
fake_pid=$!
until grep -q '^PORT ' "$fake_out"; do
  kill -0 "$fake_pid" || { echo "demo: the fake Vercel API did not start" >&2; exit 1; }
  sleep 0.1
done
fake="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$fake_out")"
# The account: the caller's token, and an older token to delete.
python3 - "$fake/_fake/reset" <<PY
import json, sys, urllib.request
body = {"tokens": [
    {"name": "demo", "bearerToken": "$token", "teamId": "$team"},
    {"name": "old-ci", "id": "5d9f2ebd38dd", "teamId": "$team"}]}
urllib.request.urlopen(urllib.request.Request(
    sys.argv[1], data=json.dumps(body).encode(),
    headers={"Content-Type": "application/json"}), timeout=10).close()
PY

env -u VERCEL_TOKEN "$build/server/vercel-tokens-server" --listen="$listen" \
  --vercel_api_base_url="$fake" 2>"$server_log" &
server_pid=$!
until grep -q '"msg":"listening"' "$server_log"; do
  kill -0 "$server_pid" || { cat "$server_log" >&2; exit 1; }
  sleep 0.1
done
# The address the server chose (DEMO_LISTEN may say port 0).
listen="$(sed -n 's/.*"msg":"listening".*"address":"\([^"]*\)".*/\1/p' "$server_log" | head -n 1)"

cat <<TEXT
vercel-user-tokens demo: the server listens on $listen, in front of a fake
Vercel API ($fake) with one account (team $team). Its log: $server_log.
Ctrl-C stops it.

In another shell, from $repo:

  export VERCEL_TOKEN=$token VERCEL_TEAM_ID=$team VUT_ADDRESS=localhost:${listen##*:}
  export PATH="\$PWD/$(realpath --relative-to="$repo" "$build")/client/cpp:\$PATH"
  vercel-tokens --server=localhost:${listen##*:} list --format=table
  vercel-tokens get current
  vercel-tokens delete 5d9f2ebd38dd
  vercel-tokens health

Every line of the README's CLI section works here; \`login\` waits until the
email link is "opened":

  curl -X POST $fake/_fake/confirm -d '{"email": "me@example.com"}'

Each client package's example (client/<language>/README.md) runs as written,
e.g. python3 client/python/example/example.py after pip install ./client/python.
TEXT
wait "$server_pid"
