#!/usr/bin/env bash
# Installs every Debian package vigil needs to build, test and benchmark.
# Idempotent: apt-get skips what is already installed. Needs root on Debian 12.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libfmt-dev libspdlog-dev
  libcpp-httplib-dev nlohmann-json3-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc libboost-dev
  libyaml-cpp-dev libdw-dev libsqlite3-dev libsimdjson-dev zlib1g-dev libssl-dev libre2-dev
  prometheus-cpp-dev
  prometheus prometheus-alertmanager curl python3 e2fsprogs
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pandas python3-scipy python3-pytest
  python3-prometheus-client python3-structlog python3-fastapi python3-uvicorn python3-sklearn
  python3-setuptools python3-pip python3-venv python3-wheel python3-dask python3-distributed
  clang chromium
)

# Node.js is on the machine image; Debian's is the fallback where it is not.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Real OpenTelemetry peers for the interop tests, pinned by package-lock.json.
here=$(cd "$(dirname "$0")/.." && pwd)
# npm packages, pinned by package-lock.json: the OpenTelemetry peers, Grafana's
# schema and the browser driver for tests; uPlot for the web UI (embedded at build).
for dir in tests/interop ui; do
  if [ ! -d "$here/$dir/node_modules" ] || [ "$here/$dir/package-lock.json" -nt "$here/$dir/node_modules" ]; then
    (cd "$here/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# Debian's prometheus package starts a system service on install; the tests run
# their own instance on a private port, so the packaged one is not needed.
if command -v systemctl >/dev/null 2>&1; then
  systemctl stop prometheus prometheus-alertmanager 2>/dev/null || true
fi
