#!/usr/bin/env bash
# The Python package installs as a user would, offline: a wheel built with
# Debian's setuptools and pip (no build isolation, no index), installed into
# a fresh venv that sees Debian's packages, then imported and used from
# outside the source tree.
#   python_wheel_test.sh <source dir> <build dir>
set -euo pipefail
src=$1 build=$2
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# pip writes its egg-info and build files next to setup.py: build from a copy.
cp -r "$src/python" "$tmp/python"
ln -s "$src"/{CMakeLists.txt,cmake,include,src,proto} "$tmp/"
VIGIL_CMAKE_BUILD_DIR="$build" PIP_NO_INDEX=1 \
  "$python" -m pip wheel --no-build-isolation --no-deps --quiet "$tmp/python" -w "$tmp/dist"
wheel=$(ls "$tmp"/dist/vigil-*.whl)
echo "built $(basename "$wheel")"
"$python" -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/pip" install --no-index --quiet "$wheel"
cd "$tmp"
"$tmp/venv/bin/python" - <<'PY'
import numpy as np
import vigil, vigil.trace, vigil.logs
from vigil.prometheus_client import CollectorRegistry, Counter, generate_latest
assert vigil.__file__.startswith(__import__("sys").prefix), vigil.__file__  # the venv's copy
r = CollectorRegistry()
Counter("wheel_checks", "Checks.", registry=r).inc(3)
assert b"wheel_checks_total 3" in generate_latest(r)
report = vigil.drift({"x": np.arange(200.0)}, {"x": np.arange(200.0) + 50})
assert report.features["x"].drifted
slo = vigil.SLOMonitor(registry=r)
slo.record_request(True, 5.0)
assert slo.check_slo_compliance()["total"] == 1
print("ok - vigil imported and used from the venv:", vigil.__file__)
PY
