#!/usr/bin/env python3
"""vigil.dask.profile on a dask.distributed LocalCluster of 1 and of 2
worker processes, beside vigil.profile in one process on the same data, so
Dask's overhead (task scheduling, moving partitions and profiles between
processes, the range pass) is visible next to the speed-up.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/dask_bench.py [--rows 2000000] [--cols 20]
"""
import argparse
import statistics
import time

import numpy as np
import pandas as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--cols", type=int, default=20)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import dask.dataframe as dd
    import distributed

    import vigil
    import vigil.dask

    rng = np.random.default_rng(1)
    df = pd.DataFrame({f"f{i}": rng.normal(0, 1 + i % 3, args.rows) for i in range(args.cols)})
    ddf = dd.from_pandas(df, npartitions=args.partitions).persist()
    cells = args.rows * args.cols
    print(f"{args.rows} rows x {args.cols} columns, {args.partitions} partitions, median of {args.rounds}")

    def timed(fn):
        runs = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    seconds = timed(lambda: vigil.profile(df))
    print(f"{'vigil.profile, one process':34} {seconds:6.2f} s  {cells / seconds / 1e6:6.1f} M cells/s")
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None, silence_logs=50) as cluster, \
                distributed.Client(cluster):
            data = dd.from_pandas(df, npartitions=args.partitions).persist()
            distributed.wait(data)
            seconds = timed(lambda: vigil.dask.profile(data))
            print(f"{f'vigil.dask.profile, {workers} worker(s)':34} {seconds:6.2f} s  {cells / seconds / 1e6:6.1f} M cells/s")


if __name__ == "__main__":
    main()
