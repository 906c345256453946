#!/usr/bin/env bash
# The one run command: installs dependencies, builds, and starts vigil with a
# simulated inference workload. Open http://127.0.0.1:9464/metrics, or point
# Prometheus at it with deploy/prometheus/prometheus.yml. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
exec build/vigil serve --demo-metrics "$@"
