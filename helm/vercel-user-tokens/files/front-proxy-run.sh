#!/bin/sh
# Runs the front proxy's nginx with TLS and keeps its certificates current:
# every INTERVAL seconds it compares a checksum of FILE... (the serving
# certificate and key, the client CAs) with the last one, and on a change
# sends nginx SIGHUP, on which nginx reads its config and certificates again
# without dropping a connection (a file it cannot read leaves the old ones
# in use, and nginx logs why). The kubelet replaces mounted Secret files
# atomically, so a reload never sees half a renewal. SIGTERM is passed on to
# nginx; the script ends with nginx's exit status.
#   front-proxy-run.sh INTERVAL FILE... -- NGINX_ARGUMENT...
# The chart's ConfigMap `<fullname>-front-proxy` holds it;
# tests/attacks/front_proxy_tls_test.py runs it against real nginx.
set -u
interval=$1
shift
files=""
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  files="$files $1"
  shift
done
shift
checksum() {
  # shellcheck disable=SC2086 # one word per file, by design
  cat $files 2>/dev/null | cksum
}
last=$(checksum)
/usr/sbin/nginx "$@" &
nginx=$!
stopping=""
trap 'stopping=1; kill -TERM "$nginx" 2>/dev/null' TERM INT
while [ -z "$stopping" ] && kill -0 "$nginx" 2>/dev/null; do
  sleep "$interval" &
  wait $!
  [ -n "$stopping" ] && break
  now=$(checksum)
  if [ "$now" != "$last" ] && kill -HUP "$nginx" 2>/dev/null; then
    last=$now
  fi
done
wait "$nginx"
