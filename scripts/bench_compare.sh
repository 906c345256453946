#!/bin/bash
# Compares benchmark binaries on this noisy shared VM: runs them in turn,
# 3 rounds, 15 short repetitions each, and prints the fastest and the
# median repetition of every benchmark. Interleaving matters more than
# run length here: the VM drifts between a fast and a slow state that
# changes every figure by 1.5-2x.
#   scripts/bench_compare.sh FILTER BINARY [BINARY...]
#   e.g. scripts/bench_compare.sh 'Vigil_Async' /tmp/old/vigil_bench_log build/bench/vigil_bench_log
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 FILTER BINARY [BINARY...]" >&2
  exit 2
fi
filter=$1
shift
for round in 1 2 3; do
  for bin in "$@"; do
    "$bin" --benchmark_min_time=0.05 --benchmark_repetitions=15 --benchmark_filter="$filter" \
      --benchmark_format=json 2>/dev/null | python3 -c '
import collections, json, sys
runs = collections.defaultdict(list)
for b in json.load(sys.stdin)["benchmarks"]:
    if b.get("run_type") == "iteration":
        runs[b["run_name"]].append(b["real_time"])
for name, times in runs.items():
    times.sort()
    print("round %s  %-40s %-50s min %8.1f  med %8.1f" % (sys.argv[1], sys.argv[2], name, times[0], times[len(times) // 2]))
' "$round" "$bin"
  done
done
