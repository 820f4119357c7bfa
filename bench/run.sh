#!/usr/bin/env bash
# The performance table of issue 9 in one run (see bench/README.md):
#
#   bench/run.sh [--seconds N] [--server_cpus LIST] [--server BINARY]
#                [--skip_memory] [--only METHOD,...]
#
# Installs nginx, h2load (nghttp2-client), curl and openssl when missing,
# builds the server, and runs bench/bench.py. Not part of `make test`:
# timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nginx h2load openssl ss taskset; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      nginx-light nghttp2-client openssl iproute2 util-linux >/dev/null
    break
  fi
done
case " $* " in
  *" --server "* | *" --server="*) ;;
  *) make build >/dev/null ;;
esac
ulimit -n "$(ulimit -Hn)"
exec python3 bench/bench.py "$@"
