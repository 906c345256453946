#!/usr/bin/env bash
# The one run command: installs dependencies, builds, and runs `vigil demo`:
# the daemon (store, OTLP receivers, query API, alerts) with a simulated,
# fully instrumented credit-scoring service. It prints the URLs and a live
# summary; income drifts after a minute and an error burst follows, so drift,
# log and SLO alerts fire. Extra arguments go to `vigil demo` (--qps,
# --duration, --seed, --listen). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh vigil_cli  # only what the demo runs: no tests, benchmarks or examples
exec build/vigil demo "$@"
