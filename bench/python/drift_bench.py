#!/usr/bin/env python3
"""vigil.profile + vigil.drift against a straightforward SciPy/pandas
implementation of the same tests on a DataFrame (the floor under what
Python drift tools do): per numeric column scipy.stats.ks_2samp,
scipy.stats.wasserstein_distance and scipy.spatial.distance.jensenshannon
on shared histogram bins.

vigil runs twice: profiles compared (vigil.profile of both DataFrames, then
vigil.drift of the profiles: the bounded-memory path) and DataFrames
compared row for row (vigil.drift(ref_df, cur_df), as `vigil drift` does
with CSVs). The drifted-column counts differ because the tests differ:
at a million rows SciPy's KS flags shifts too small to matter, which is why
Evidently (and vigil's auto method) use normed Wasserstein there.

Each side runs in its own process, so each reports its own peak RSS (from
getrusage) next to its wall time; the rounds alternate A B A B.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/drift_bench.py [--rows 1000000] [--cols 20]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def frames(rows, cols):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(42)
    ref = pd.DataFrame({f"f{i}": rng.normal(0, 1 + i % 3, rows) for i in range(cols)})
    cur = pd.DataFrame({f"f{i}": rng.normal(0.05 * (i % 4), 1 + i % 3, rows) for i in range(cols)})
    return ref, cur


def run_vigil(ref, cur):
    """One pass over each DataFrame into bounded profiles, then the comparison."""
    import vigil

    reference = vigil.profile(ref)
    report = vigil.drift(reference, vigil.profile(cur, reference=reference))
    return report.number_of_drifted_features


def run_vigil_full(ref, cur):
    """DataFrames compared row for row (KS and Wasserstein on every value), as `vigil drift` on CSVs."""
    import vigil

    return vigil.drift(ref, cur).number_of_drifted_features


def run_scipy(ref, cur):
    import numpy as np
    from scipy import stats
    from scipy.spatial import distance

    drifted = 0
    for col in ref.columns:
        a, b = ref[col].to_numpy(), cur[col].to_numpy()
        ks = stats.ks_2samp(a, b)
        wd = stats.wasserstein_distance(a, b) / np.std(a)
        edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=30)
        p, _ = np.histogram(a, edges)
        q, _ = np.histogram(b, edges)
        js = distance.jensenshannon(p, q)
        drifted += int(wd >= 0.1 or ks.pvalue < 0.05 or js >= 0.1)
    return drifted


def child(which, rows, cols):
    ref, cur = frames(rows, cols)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    drifted = {"vigil": run_vigil, "vigil-full": run_vigil_full, "scipy": run_scipy}[which](ref, cur)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "extra_mb": (peak - base) / 1024,
                      "drifted": drifted}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.rows, args.cols)
    results = {"scipy": [], "vigil": [], "vigil-full": []}
    for _ in range(args.rounds):
        for which in results:
            out = subprocess.run([sys.executable, __file__, "--child", which, "--rows", str(args.rows), "--cols",
                                  str(args.cols)], capture_output=True, text=True, check=True, env=os.environ)
            results[which].append(json.loads(out.stdout))
    print(f"{args.rows} rows x {args.cols} columns, median of {args.rounds} rounds (each in a fresh process)")
    for which, runs in results.items():
        print(f"{which:10} {statistics.median(r['seconds'] for r in runs):8.2f} s   peak RSS "
              f"{max(r['peak_mb'] for r in runs):7.0f} MB (+{max(r['extra_mb'] for r in runs):.0f} MB over the data)   "
              f"drifted columns {runs[0]['drifted']}")
    scipy_seconds = statistics.median(r["seconds"] for r in results["scipy"])
    for which in ("vigil", "vigil-full"):
        print(f"{which} is {scipy_seconds / statistics.median(r['seconds'] for r in results[which]):.1f}x faster than scipy")


if __name__ == "__main__":
    main()
