#!/usr/bin/env bash
# Configures and builds vigil (Release-ish, Ninja) into build/: every
# target, or only the ones named (scripts/demo.sh builds just `vigil_cli`).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --parallel "$(nproc)" ${1:+--target "$@"}
