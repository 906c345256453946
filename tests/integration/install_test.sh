#!/usr/bin/env bash
# Installs vigil into a scratch prefix and builds a consumer project with
# find_package(vigil), then runs it.
set -euo pipefail
build_dir=$1
src_dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src_dir/consumer" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
out=$("$tmp/build/consumer")
grep -q '^consumer_runs_total 1$' <<<"$out" || { echo "unexpected output: $out"; exit 1; }
test -x "$tmp/prefix/bin/vigil"
echo "1 passed, 0 failed"
