#!/usr/bin/env python3
"""Writes a reference and a current CSV for timing `vigil drift`:
ROWS rows x 20 columns (15 numeric, 5 categorical), drift in 3 columns of
the current file. Deterministic (seeded).
  bench/make_drift_csv.py OUTDIR [ROWS]"""
import os
import random
import sys

out, rows = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
os.makedirs(out, exist_ok=True)
cats = [["NO", "SE", "DK", "FI"], ["ios", "android", "web"], ["a", "b", "c", "d", "e", "f"], ["x", "y"], ["p", "q", "r"]]
header = [f"n{i}" for i in range(15)] + [f"c{i}" for i in range(5)]
for name, seed, drift in (("reference.csv", 1, False), ("current.csv", 2, True)):
    rng = random.Random(seed)
    with open(os.path.join(out, name), "w") as f:
        f.write(",".join(header) + "\n")
        for _ in range(rows):
            nums = [rng.gauss(1.5 if drift and i < 3 else 0, 1) for i in range(15)]
            f.write(",".join(f"{x:.5f}" for x in nums) + "," + ",".join(rng.choice(c) for c in cats) + "\n")
