#!/usr/bin/env bash
# Hardening runs; scripts/test.sh runs `all` after the main test suite.
#
#   scripts/sanitize.sh asan   # unit tests under ASan + UBSan (leaks too)
#   scripts/sanitize.sh fuzz   # every libFuzzer target, FUZZ_SECONDS each (default 15), on its seed corpus
#   scripts/sanitize.sh tsan   # unit tests under TSan: per-thread cells, batch processor, async log
#                              # ring, store writer, HTTP servers
#   scripts/sanitize.sh all    # the three, in that order
#
# Two clang trees: build-asan (ASan + UBSan, also libFuzzer-instrumented, so
# the unit tests and the fuzzers share one build) and build-tsan. Both are
# unity builds at -O0/-O1 with line tables only: a few minutes each on two
# cores, where a -O2 -g sanitizer build took over ten. Any sanitizer report,
# crash or leak fails the run; fuzz reproducers land in build-asan/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
FUZZERS=(otlp otlp_grpc predictions csv log_query yaml traceparent profile_json span_block)

configure() {  # dir optimisation extra-cmake-args...
  local dir=$1 opt=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$opt -gline-tables-only" \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DVIGIL_BUILD_BENCH=OFF -DVIGIL_BUILD_EXAMPLES=OFF "$@" >/dev/null
}

build_asan() {
  configure build-asan -O0 -DVIGIL_BUILD_FUZZ=ON
  local targets=(vigil_unit_tests)
  for f in "${FUZZERS[@]}"; do targets+=("${f}_fuzz"); done
  cmake --build build-asan -j "$JOBS" --target "${targets[@]}"
}

run_asan() {
  build_asan
  echo "== unit tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build-asan/tests/vigil_unit_tests --gtest_brief=1
}

fuzz_one() {  # name
  local name=$1 work=build-asan/corpus/$1
  mkdir -p "$work"
  cp -n fuzz/corpus/"$name"/* "$work"/ 2>/dev/null || true
  if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     build-asan/fuzz/"${name}"_fuzz "$work" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 \
       -max_len=65536 -timeout=10 -artifact_prefix=build-asan/artifacts/"${name}"- -print_final_stats=1 \
       > build-asan/fuzz-"$name".log 2>&1; then
    echo "== fuzzed $name for ${FUZZ_SECONDS}s: $(grep -o 'stat::number_of_executed_units: *[0-9]*' build-asan/fuzz-"$name".log | grep -o '[0-9]*$') inputs, no crash"
  else
    echo "!! $name failed; reproducer in build-asan/artifacts/, log build-asan/fuzz-$name.log"
    tail -40 build-asan/fuzz-"$name".log
    return 1
  fi
}

run_fuzz() {
  build_asan
  mkdir -p build-asan/artifacts
  local pids=() status=0
  for name in "${FUZZERS[@]}"; do
    fuzz_one "$name" &
    pids+=($!)
    if (( ${#pids[@]} >= JOBS )); then
      wait "${pids[0]}" || status=1
      pids=("${pids[@]:1}")
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
  return $status
}

run_tsan() {
  configure build-tsan -O1 -DVIGIL_SANITIZE=thread
  cmake --build build-tsan -j "$JOBS" --target vigil_unit_tests
  echo "== unit tests under TSan"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-tsan/tests/vigil_unit_tests --gtest_brief=1
}

case "${1:-all}" in
  asan) run_asan ;;
  fuzz) run_fuzz ;;
  tsan) run_tsan ;;
  all) run_asan && run_fuzz && run_tsan ;;
  *) echo "usage: $0 [asan|fuzz|tsan|all]" >&2; exit 2 ;;
esac
