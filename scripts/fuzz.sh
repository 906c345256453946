#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a
# bounded time on a copy of its seed corpus (fuzz/corpus/<name>). Any crash,
# leak or sanitizer report fails the run and leaves the reproducer in
# build-fuzz/artifacts/.
#   scripts/fuzz.sh            # 20 s per target
#   FUZZ_SECONDS=300 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-$(nproc)}

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DVIGIL_BUILD_FUZZ=ON \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF -DVIGIL_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-fuzz -j "$JOBS"

mkdir -p build-fuzz/artifacts
status=0
for dir in fuzz/corpus/*/; do
  name=$(basename "$dir")
  work=build-fuzz/corpus/$name
  mkdir -p "$work"
  cp -n "$dir"* "$work"/ 2>/dev/null || true
  echo "== fuzzing $name for ${SECONDS_PER_TARGET}s"
  if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       build-fuzz/fuzz/${name}_fuzz "$work" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 \
       -max_len=65536 -timeout=10 -artifact_prefix=build-fuzz/artifacts/${name}- -print_final_stats=1 \
       2> build-fuzz/$name.log; then
    echo "!! $name failed; see build-fuzz/$name.log and build-fuzz/artifacts/"
    tail -40 build-fuzz/$name.log
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" build-fuzz/$name.log | tail -1
  fi
done
exit $status
