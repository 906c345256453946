#!/usr/bin/env bash
# The one test command: installs dependencies, builds, runs every test
# (unit tests and integration tests against real Prometheus) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 300 -j "$(nproc)"
