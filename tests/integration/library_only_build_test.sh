#!/usr/bin/env bash
# A library-only build (no daemon, UI or examples) from a copy of the source
# without ui/node_modules: it configures, builds the library, and registers
# no test of a target it did not build.
set -euo pipefail
src=$1
out=$2
rm -rf "$out"
mkdir -p "$out/src"
# Everything the build reads, but not node_modules or build trees.
for p in CMakeLists.txt cmake include src proto tests bench examples fuzz; do cp -r "$src/$p" "$out/src/"; done
mkdir -p "$out/src/ui" && cp "$src"/ui/*.js "$src"/ui/*.html "$src"/ui/*.css "$out/src/ui/" 2>/dev/null || true
test ! -e "$out/src/ui/node_modules"
cmake -S "$out/src" -B "$out/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 \
  -DCMAKE_UNITY_BUILD=ON -DVIGIL_BUILD_DAEMON=OFF -DVIGIL_BUILD_EXAMPLES=OFF -DVIGIL_BUILD_BENCH=OFF >/dev/null
cmake --build "$out/build" --target vigil >/dev/null
listed=$(cd "$out/build" && ctest -N)
for group in examples cli; do
  n=$(cd "$out/build" && ctest -N -L "^$group\$" | sed -n 's/^Total Tests: //p')
  [ "$n" = 0 ] || { echo "a build without them still registers $n $group tests"; exit 1; }
done
grep -q "integration.otlp_interop_js" <<<"$listed" || { echo "library integration tests missing: $listed"; exit 1; }
echo "1 passed, 0 failed"
