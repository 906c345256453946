#!/usr/bin/env python3
"""Per-call cost from Python: vigil.prometheus_client against Debian's
prometheus_client, the same operations in the same run, rounds interleaved
(A B A B ...) so drift in the machine's state hits both alike.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/metrics_bench.py [--rounds 7]
"""
import argparse
import statistics
import timeit

import prometheus_client as reference

import vigil.prometheus_client as ours

CASES = {
    "Counter.inc()": ("c.inc()", "c = lib.Counter('bench_c', 'C.', registry=lib.CollectorRegistry())"),
    "Histogram.observe(v)": ("h.observe(0.37)", "h = lib.Histogram('bench_h', 'H.', registry=lib.CollectorRegistry())"),
    "labels(a, b).inc()": ("c.labels('GET', '200').inc()",
                           "c = lib.Counter('bench_l', 'L.', ['method', 'code'], registry=lib.CollectorRegistry())"),
    "Gauge.set(v)": ("g.set(3.5)", "g = lib.Gauge('bench_g', 'G.', registry=lib.CollectorRegistry())"),
    "Summary.observe(v)": ("s.observe(0.37)", "s = lib.Summary('bench_s', 'S.', registry=lib.CollectorRegistry())"),
}


def per_call_ns(lib, stmt, setup, number):
    timer = timeit.Timer(stmt, setup, globals={"lib": lib})
    return timer.timeit(number) / number * 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--number", type=int, default=200_000)
    args = ap.parse_args()
    print(f"{'operation':24} {'prometheus_client':>18} {'vigil':>10} {'speedup':>8}   (median of {args.rounds} rounds)")
    for name, (stmt, setup) in CASES.items():
        theirs, mine = [], []
        for _ in range(args.rounds):
            theirs.append(per_call_ns(reference, stmt, setup, args.number))
            mine.append(per_call_ns(ours, stmt, setup, args.number))
        t, m = statistics.median(theirs), statistics.median(mine)
        print(f"{name:24} {t:15.0f} ns {m:7.0f} ns {t / m:7.1f}x")


if __name__ == "__main__":
    main()
