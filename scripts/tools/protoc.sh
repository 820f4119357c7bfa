#!/usr/bin/env bash
# Prints the path of protoc at the version in scripts/deps/protoc-version.txt
# (the protobuf-java the Java client depends on), fetched by Maven from Maven
# Central (com.google.protobuf:protoc, checksum-verified, cached in ~/.m2).
# Debian's protoc 3.21 writes Ruby code in the DSL that google-protobuf 4
# removed; this one writes the serialized-descriptor form both 3.21 and 4.x
# load.
#
# Usage: scripts/tools/protoc.sh   (prints .../tools/protoc-<version>/protoc)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
version="$(sed 's/#.*//' "$repo/scripts/deps/protoc-version.txt" | tr -d '[:space:]')"
dir="$repo/tools/protoc-$version"
protoc="$dir/protoc"

if [ ! -x "$protoc" ]; then
  case "$(uname -m)" in
    x86_64) classifier=linux-x86_64 ;;
    aarch64) classifier=linux-aarch_64 ;;
    *) echo "protoc.sh: no protoc for $(uname -m)" >&2; exit 1 ;;
  esac
  mkdir -p "$dir"
  mvn -B -q --no-transfer-progress -Dstyle.color=never \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="com.google.protobuf:protoc:$version:exe:$classifier" \
    -DoutputDirectory="$dir" -Dmdep.stripVersion=true >&2
  mv "$dir/protoc-$classifier.exe" "$protoc"
  chmod +x "$protoc"
fi
echo "$protoc"
