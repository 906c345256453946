#!/usr/bin/env python3
"""The daemon's front door under many clients (figures for docs/benchmarks.md).

For OTLP/HTTP and OTLP/gRPC with 2, 64 and 1,000 clients, each posting
500-span batches as fast as it is answered for SECONDS: the spans accepted
per second (a refused batch is retried), the share refused, and /healthz
latency from fresh connections every 50 ms meanwhile. Then what an idle
keep-alive connection costs: the daemon's RSS with 0, 1,000 and 4,000 idle
connections. A fresh `vigil serve` (own data directory) for each row.

  /usr/bin/python3 bench/front_door_bench.py --vigil build/vigil \
      --load build/tests/load_client --storm build/tests/conn_storm [--seconds 10] [--http-only]

--http-only runs the HTTP rows alone (for a build without OTLP/gRPC).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from testlib import free_port, rss_mb  # noqa: E402

SPANS = 500






class Serve:
    def __init__(self, vigil, grpc, old_binary=False):
        self.dir = tempfile.mkdtemp(prefix="vigil-frontdoor-")
        self.port, self.grpc_port = free_port(), free_port()
        cmd = [vigil, "serve", "--data", self.dir, "--listen", f"127.0.0.1:{self.port}"]
        if grpc:
            cmd += ["--grpc-listen", f"127.0.0.1:{self.grpc_port}"]
        elif not old_binary:  # a build before OTLP/gRPC has no such flag
            cmd += ["--grpc-listen", "off"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("vigil serve did not start")

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)


def ingest_row(args, transport, clients):
    s = Serve(args.vigil, grpc=transport == "grpc", old_binary=args.http_only)
    try:
        probe = subprocess.Popen([args.storm, "--port", str(s.port), "--seconds", str(args.seconds), "--probe", "/healthz"],
                                 stdout=subprocess.PIPE, text=True)
        port = s.grpc_port if transport == "grpc" else s.port
        load = subprocess.run([args.load, str(port), str(args.seconds), str(clients), "0", transport],
                              capture_output=True, text=True, check=True)
        health = json.loads(probe.communicate()[0])["probes"]["/healthz"]
        r = json.loads(load.stdout)
        return {"transport": transport, "clients": clients,
                "spans_per_s": r["accepted"] * SPANS / r["seconds"],
                "refused_share": r["refused"] / max(1, r["requests"]), "errors": r["errors"],
                "healthz_p50_ms": health["p50_ms"], "healthz_p99_ms": health["p99_ms"],
                "healthz_errors": health["errors"]}
    finally:
        s.close()


def idle_cost(args, n):
    s = Serve(args.vigil, grpc=False)
    try:
        time.sleep(1)
        before = rss_mb(s.proc.pid)
        storm = subprocess.Popen([args.storm, "--port", str(s.port), "--seconds", "8", "--keepalive", str(n),
                                  "--idle", "--get", "--path", "/healthz"], stdout=subprocess.PIPE, text=True)
        time.sleep(6)
        during = rss_mb(s.proc.pid)
        out = json.loads(storm.communicate()[0])
        return {"connections": n, "rss_before_mb": before, "rss_idle_mb": during,
                "kb_per_connection": (during - before) * 1024 / n if n else 0,
                "answered": out["keepalive"]["requests"]}
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--storm", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--http-only", action="store_true")
    args = ap.parse_args()
    transports = ["http"] if args.http_only else ["http", "grpc"]
    print("| transport | clients | accepted spans/s | refused (retried) | /healthz p50 / p99 |")
    print("|---|---|---|---|---|")
    for transport in transports:
        for clients in (2, 64, 1000):
            r = ingest_row(args, transport, clients)
            print(f"| {transport} | {clients} | {r['spans_per_s'] / 1000:.0f} k | {100 * r['refused_share']:.0f} % "
                  f"| {r['healthz_p50_ms']:.1f} / {r['healthz_p99_ms']:.1f} ms |", flush=True)
    if args.http_only:
        return 0
    print()
    print("| idle keep-alive connections | daemon RSS | per connection |")
    print("|---|---|---|")
    for n in (1000, 4000):
        r = idle_cost(args, n)
        print(f"| {n} | {r['rss_before_mb']:.1f} -> {r['rss_idle_mb']:.1f} MB | {r['kb_per_connection']:.1f} KB |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
