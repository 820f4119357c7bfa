#!/usr/bin/env bash
# Throughput and latency of GetAuthToken through the real server, with nginx
# standing in for Vercel (answering at once) and h2load sending gRPC frames.
#
#   bench/run.sh [REQUESTS] [CLIENTS] [STREAMS_PER_CLIENT]
#
# Installs nginx and nghttp2-client (h2load) when missing, builds the server,
# runs everything on loopback, and checks through the server's metrics that
# every call returned OK. Prints h2load's summary. Not part of `make test`:
# timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-20000}
clients=${2:-8}
streams=${3:-32}

for tool in nginx h2load curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light nghttp2-client curl >/dev/null
    break
  fi
done
make build >/dev/null

dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

upstream_port=$(free_port)
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$upstream_port|g" bench/nginx.conf.in >"$dir/nginx.conf"
nginx -c "$dir/nginx.conf" -p "$dir" &
pids+=($!)

build/server/vercel-tokens-server --listen=127.0.0.1:0 \
  --vercel_api_base_url="http://127.0.0.1:$upstream_port" \
  --metrics_listen=127.0.0.1:0 2>"$dir/server.log" &
pids+=($!)
for _ in $(seq 100); do
  grep -q '"msg":"listening"' "$dir/server.log" && break
  sleep 0.1
done
address=$(grep -o '"msg":"listening","address":"[^"]*"' "$dir/server.log" | sed 's/.*"address":"//; s/"$//')
metrics=$(grep -o '"msg":"metrics listening","address":"[^"]*"' "$dir/server.log" | sed 's/.*"address":"//; s/"$//')

# One gRPC message: no compression, 4-byte length, GetAuthTokenRequest
# {token_id: "current"} (field 1, length 7).
printf '\x00\x00\x00\x00\x09\x0a\x07current' >"$dir/request.bin"

echo "server $address, upstream nginx 127.0.0.1:$upstream_port, $requests calls, $clients connections x $streams streams"
h2load -n "$requests" -c "$clients" -m "$streams" -d "$dir/request.bin" \
  -H 'content-type: application/grpc' -H 'te: trailers' \
  -H 'authorization: Bearer bench-token' \
  "http://$address/vercel.authentication.v1.UserTokensService/GetAuthToken" |
  grep -E "finished in|requests:|status codes:|time for request:|req/s"

ok=$(curl -s "http://$metrics/metrics" |
  sed -n 's/^vercel_tokens_grpc_calls_total{code="OK",method="GetAuthToken"} //p')
echo "calls answered OK according to the server: ${ok:-0} of $requests"
[ "${ok:-0}" = "$requests" ]
