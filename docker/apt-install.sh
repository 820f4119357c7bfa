#!/bin/sh
# Installs the Debian packages named in the given lists (one or more a line,
# '#' comments, the format of scripts/deps/apt-*.txt) without recommends, then
# drops apt's indexes so that they do not end up in an image layer.
#
#   docker/apt-install.sh LIST...
set -eu
packages=$(sed 's/#.*//' "$@" | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
apt-get update -qq
# shellcheck disable=SC2086  # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
rm -rf /var/lib/apt/lists/*
