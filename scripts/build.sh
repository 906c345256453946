#!/usr/bin/env bash
# Configures and builds vigil (Release-ish, Ninja) into build/: every
# target, or only the ones named (scripts/demo.sh builds just `vigil_cli`).
# VIGIL_UNITY_BUILD=ON compiles the sources in batches (scripts/test.sh);
# the default builds file by file, for incremental work and the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_UNITY_BUILD=${VIGIL_UNITY_BUILD:-OFF}" >/dev/null
cmake --build build --parallel "$(nproc)" ${1:+--target "$@"}
