#!/usr/bin/env python3
"""Overload: 5x and more the sustainable span ingest rate for 60 s on loopback.

1. Measure what the daemon sustains: two clients posting as fast as they
   are answered for 10 s. The daemon is pinned to one CPU (taskset) so that
   the load generator, on both, can offer ten times that: unpinned, the
   daemon takes ~300k spans/s and no client sharing its two cores can send
   3M spans/s (400 MB/s of request bodies).
2. Offer ten times that for 60 s (paced; a refused batch is retried, an
   accepted one followed by new trace ids), seven tenths over OTLP/HTTP and
   three over OTLP/gRPC at once. Since the event-driven front door the
   pinned daemon sustains ~180k spans/s, and the generator on the other
   core tops out near 1.0-1.3M spans/s offered (the daemon must still read
   every refused body), so at least 5x is required, not 10x.
3. Check, while and after it runs:
   - memory stays bounded: the daemon's RSS, sampled every second, stays
     under a fixed ceiling and does not grow over the second half;
   - it answers 503 with Retry-After over HTTP and RESOURCE_EXHAUSTED with
     a RetryInfo over gRPC (the hints exporters back off on before they
     retry), and nothing else goes wrong (no other status, no connection
     errors);
   - refusals are counted: vigil_store_rejected_batches_total equals the
     clients' count of refusals, vigil_grpc_requests_total by code the gRPC
     client's answers, vigil_receiver_items_total{outcome="accepted"} the
     accepted spans;
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

from testlib import Daemon, check, free_port, metric, rss_mb

SPANS_PER_BATCH = 500
# Ceiling on the daemon's resident memory: the 16 MiB write queue, SQLite's
# 64 MiB page cache, request bodies in flight and the heap around them.
RSS_CEILING_MB = 300




def load(client, port, seconds, threads, rate, transport="http"):
    out = subprocess.run([client, str(port), str(seconds), str(threads), str(rate), transport], capture_output=True,
                         text=True, timeout=seconds + 60)
    check(out.returncode == 0, f"{transport} load client ran ({threads} threads, {rate:.0f} requests/s, {seconds} s)",
          out.stderr)
    return json.loads(out.stdout)


def load_both(client, port, grpc_port, seconds, rate):
    """HTTP (8 threads, 70% of `rate`) and gRPC (4 threads, 30%) at once."""
    results = {}

    def run(name, *a):
        results[name] = load(client, *a)

    threads = [threading.Thread(target=run, args=("http", port, seconds, 8, 0.7 * rate)),
               threading.Thread(target=run, args=("grpc", grpc_port, seconds, 4, 0.3 * rate, "grpc"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results["http"], results["grpc"]


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
            over, grpc = load_both(args.client, port, d.grpc_port, args.seconds, rate)
        finally:
            done.set()
            sampler.join()
        offered = (over["requests"] + grpc["requests"]) * SPANS_PER_BATCH / over["seconds"]
        print(f"overload: offered {offered:.0f} spans/s; http {over}; grpc {grpc}")
        print("rss MB per second: " + " ".join(f"{s:.0f}" for s in samples))

        check(offered >= 5 * sustained, f"offered {offered / sustained:.1f}x the sustained rate (at least 5x)")
        check(over["accepted"] > 0, f"the writer kept draining under overload ({over['accepted']} batches accepted)")
        check(over["refused"] > 0 and over["refused"] == over["refused_with_retry_after"],
              f"overload answered with 503 + Retry-After ({over['refused']} times, each batch retried)")
        check(over["errors"] == 0 and not over["other_status"], "no connection errors, no other status",
              json.dumps(over))
        check(grpc["accepted"] > 0, f"gRPC exports accepted under overload ({grpc['accepted']})")
        check(grpc["refused"] > 0 and grpc["refused"] == grpc["refused_with_retry_after"],
              f"gRPC overload answered RESOURCE_EXHAUSTED/UNAVAILABLE with a RetryInfo ({grpc['refused']} times)")
        check(grpc["errors"] == 0 and not grpc["other_status"], "gRPC: no transport errors, no other status",
              json.dumps(grpc))
        peak = max(samples)
        check(peak < RSS_CEILING_MB, f"RSS stayed under {RSS_CEILING_MB} MB (peak {peak:.0f} MB)")
        half = len(samples) // 2
        first, second = max(samples[:half]), max(samples[half:])
        check(second <= first + 32, f"no growth over the second half (peak {first:.0f} MB, then {second:.0f} MB)")

        # 3. Every refusal and acceptance counted.
        refused = calib["refused"] + over["refused"] + grpc["refused"]
        accepted = (calib["accepted"] + over["accepted"] + grpc["accepted"]) * SPANS_PER_BATCH
        text = d.get("/metrics")
        codes = {c: metric(text, "vigil_grpc_requests_total", f'{{method="TraceService/Export",code="{c}"}}')
                 for c in ("OK", "RESOURCE_EXHAUSTED", "UNAVAILABLE")}
        check(codes["OK"] == grpc["accepted"] and codes["RESOURCE_EXHAUSTED"] + codes["UNAVAILABLE"] == grpc["refused"],
              "vigil_grpc_requests_total by code = the gRPC client's answers", json.dumps(codes))
        check(metric(text, "vigil_store_rejected_batches_total") == refused,
              f"vigil_store_rejected_batches_total = the clients' refusals ({refused})")
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
