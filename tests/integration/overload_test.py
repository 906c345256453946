#!/usr/bin/env python3
"""Overload: 10x the sustainable span ingest rate for 60 s on loopback.

1. Measure what the daemon sustains: two clients posting as fast as they
   are answered for 10 s. The daemon is pinned to one CPU (taskset) so that
   the load generator, on both, can offer ten times that: unpinned, the
   daemon takes ~300k spans/s and no client sharing its two cores can send
   3M spans/s (400 MB/s of request bodies).
2. Offer ten times that for 60 s (paced, new trace ids in every request).
3. Check, while and after it runs:
   - memory stays bounded: the daemon's RSS, sampled every second, stays
     under a fixed ceiling and does not grow over the second half;
   - it answers 503 with Retry-After, and nothing else goes wrong (no 5xx
     other than 503, no connection errors);
   - refusals are counted: vigil_store_rejected_batches_total equals the
     client's count of 503s, vigil_receiver_items_total{outcome="accepted"}
     its count of accepted spans;
   - everything accepted is stored: after SIGTERM and a restart, the store
     holds exactly the accepted spans.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading

from testlib import Daemon, check, free_port, metric

SPANS_PER_BATCH = 500
# Ceiling on the daemon's resident memory: the 16 MiB write queue, SQLite's
# 64 MiB page cache, request bodies in flight and the heap around them.
RSS_CEILING_MB = 300


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def load(client, port, seconds, threads, rate):
    out = subprocess.run([client, str(port), str(seconds), str(threads), str(rate)], capture_output=True, text=True,
                         timeout=seconds + 60)
    check(out.returncode == 0, f"load client ran ({threads} threads, {rate:.0f} requests/s, {seconds} s)", out.stderr)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "vigil.yaml")
        with open(config, "w") as f:
            f.write("store: {max_queued_bytes: 16MiB}\n")
        data = os.path.join(tmp, "data")
        port = free_port()
        d = Daemon(args.vigil, data, config, port, prefix=["taskset", "-c", "0"]).start()

        # 1. What it sustains.
        calib = load(args.client, port, 10, 2, 0)
        sustained = calib["accepted"] * SPANS_PER_BATCH / calib["seconds"]
        print(f"sustained: {sustained:.0f} spans/s ({calib})")
        check(sustained > 5000, f"the daemon sustains a real rate ({sustained:.0f} spans/s)")

        # 2. Ten times that, for 60 s, with RSS sampled every second.
        rate = 10 * sustained / SPANS_PER_BATCH
        samples, done = [], threading.Event()

        def sample():
            while not done.wait(1.0):
                samples.append(rss_mb(d.proc.pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            over = load(args.client, port, args.seconds, 8, rate)
        finally:
            done.set()
            sampler.join()
        offered = over["requests"] * SPANS_PER_BATCH / over["seconds"]
        print(f"overload: offered {offered:.0f} spans/s; {over}")
        print("rss MB per second: " + " ".join(f"{s:.0f}" for s in samples))

        check(offered >= 9 * sustained, f"offered {offered / sustained:.1f}x the sustained rate (at least 9x)")
        check(over["accepted"] > 0, f"the writer kept draining under overload ({over['accepted']} batches accepted)")
        check(over["refused"] > 0 and over["refused"] == over["refused_with_retry_after"],
              f"overload answered with 503 + Retry-After ({over['refused']} times)")
        check(over["errors"] == 0 and not over["other_status"], "no connection errors, no other status",
              json.dumps(over))
        peak = max(samples)
        check(peak < RSS_CEILING_MB, f"RSS stayed under {RSS_CEILING_MB} MB (peak {peak:.0f} MB)")
        half = len(samples) // 2
        first, second = max(samples[:half]), max(samples[half:])
        check(second <= first + 32, f"no growth over the second half (peak {first:.0f} MB, then {second:.0f} MB)")

        # 3. Every refusal and acceptance counted.
        refused = calib["refused"] + over["refused"]
        accepted = (calib["accepted"] + over["accepted"]) * SPANS_PER_BATCH
        text = d.get("/metrics")
        check(metric(text, "vigil_store_rejected_batches_total") == refused,
              f"vigil_store_rejected_batches_total = the client's 503s ({refused})")
        check(metric(text, "vigil_receiver_items_total", '{signal="spans",outcome="accepted"}') == accepted,
              f"vigil_receiver_items_total accepted = the client's accepted spans ({accepted})")

        # 4. All of it stored, across a restart.
        code, out = d.stop(timeout=120)
        check(code == 0, "SIGTERM: exit 0 after flushing", out[-500:])
        d = Daemon(args.vigil, data, config, port, prefix=["taskset", "-c", "0"]).start()
        status = json.loads(d.get("/api/v1/status"))
        check(status["spans"] == accepted, f"after restart the store holds every accepted span ({status['spans']})")
        d.stop(timeout=120)
    print("overload test passed")


if __name__ == "__main__":
    sys.exit(main())
