#!/usr/bin/env python3
"""The front door under a crowd, for 60 s: 1,000 keep-alive clients each
sending a request a second (a scrape every 10 s for MetricsServer), 200 clients trickling their headers and 200
trickling a body (cut off at their deadlines, then back again), and fresh
probes every 50 ms. Against `vigil serve` (OTLP span batches; every
accepted span must be stored) or against MetricsServer (scrapes, while a
real Prometheus scrapes too). Normal clients see no error and p99 < 100 ms;
the slow ones are cut at their deadlines and counted; RSS stays bounded."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Daemon, Prometheus, check, free_port, http_get, metric, process, rss_mb, wait_for  # noqa: E402

SECONDS = 60
CLIENTS, SLOW = 1000, 200
HEADER_S, BODY_S = 2, 3  # the deadlines configured below




def sample_rss(pid, out, stop):
    while not stop.is_set():
        out.append(rss_mb(pid))
        stop.wait(1)


def storm(args, port, extra, pid, interval_ms=1000):
    samples, stop = [], threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(pid, samples, stop))
    sampler.start()
    cmd = [args.storm, "--port", str(port), "--seconds", str(SECONDS), "--keepalive", str(CLIENTS),
           "--interval-ms", str(interval_ms), "--slow-header", str(SLOW), "--slow-body", str(SLOW)] + extra
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=SECONDS + 60)
    stop.set()
    sampler.join()
    check(out.returncode == 0, "conn_storm ran", out.stderr[-2000:])
    result = json.loads(out.stdout)
    print(json.dumps(result))
    print("rss MB per second:", " ".join(f"{m:.0f}" for m in samples))
    return result, samples


def check_crowd(result, samples, probes, min_requests, deadlines, rss_growth_mb):
    ka = result["keepalive"]
    check(ka["errors"] == 0 and result["connect_failures"] == 0, "keep-alive clients: no errors, no refused connects",
          json.dumps(ka))
    check(ka["requests"] >= min_requests, f"keep-alive clients: {ka['requests']} requests (at least {min_requests})")
    check(set(ka["status"]) == {"200"}, "keep-alive clients: every answer 200", json.dumps(ka["status"]))
    check(ka["p99_ms"] < 100, f"keep-alive clients: p99 {ka['p99_ms']:.1f} ms < 100 ms")
    for path in probes:
        p = result["probes"][path]
        check(p["errors"] == 0 and set(p["status"]) == {"200"}, f"{path}: every probe answered 200", json.dumps(p))
        check(p["p99_ms"] < 100, f"{path}: p99 {p['p99_ms']:.1f} ms < 100 ms over {p['requests']} fresh requests")
    for kind, deadline in deadlines.items():
        s = result[kind]
        check(s["closed_by_server"] >= SLOW * (SECONDS // (deadline + 1) - 1),
              f"{kind}: cut off {s['closed_by_server']} times by the server")
        check(deadline - 0.05 <= s["closed_after_min_s"] and s["closed_after_max_s"] <= deadline + 1.0,
              f"{kind}: cut at the {deadline} s deadline ({s['closed_after_min_s']:.2f}-{s['closed_after_max_s']:.2f} s)")
    grown = max(samples) - samples[1]
    check(grown < rss_growth_mb, f"RSS bounded: grew {grown:.0f} MB during the storm (under {rss_growth_mb} MB)",
          " ".join(f"{m:.0f}" for m in samples))


def check_counted(text, result):
    for kind, reason in (("slow_header", "header_timeout"), ("slow_body", "body_timeout")):
        counted = metric(text, "vigil_http_connections_closed_total", f'{{reason="{reason}"}}')
        check(counted >= result[kind]["closed_by_server"], f"{reason}: {counted:.0f} cut-offs counted in the metrics")


def against_daemon(args, tmp):
    config = os.path.join(tmp, "vigil.yaml")
    with open(config, "w") as f:
        f.write(f"http: {{header_timeout: {HEADER_S}s, body_timeout: {BODY_S}s}}\n")
    d = Daemon(args.vigil, os.path.join(tmp, "data"), config).start()
    port = d.port
    result, samples = storm(args, port, ["--spans", "10", "--probe", "/healthz", "--probe", "/ui/"], d.proc.pid)
    # The store's page cache (64 MiB) fills with the spans stored; the
    # connections themselves take a few MB (flat at ~30 MB with /healthz).
    check_crowd(result, samples, ["/healthz", "/ui/"], CLIENTS * (SECONDS - 5),
                {"slow_header": HEADER_S, "slow_body": BODY_S}, rss_growth_mb=64 + 32)
    req = urllib.request.Request(d.base + "/api/v1/admin/flush", data=b"", method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=60).read()
    stored = json.loads(http_get(d.base + "/api/v1/status")[2])["spans"]
    accepted = result["keepalive"]["status"]["200"] * result["spans_per_request"]
    check(stored == accepted, f"every accepted span stored ({stored} of {accepted})")
    check_counted(http_get(d.base + "/metrics")[2].decode(), result)
    code, out = d.stop()
    check(code == 0, "daemon stops cleanly", out[-2000:])


def against_metrics_server(args, tmp):
    fixture = subprocess.Popen([args.fixture, "0", "4096", str(HEADER_S * 1000)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        port = int(fixture.stdout.readline())
        prom_port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write(f"global: {{scrape_interval: 1s, scrape_timeout: 1s}}\nscrape_configs:\n"
                    f"  - job_name: fixture\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
        with process(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp}/prom",
                      f"--web.listen-address=127.0.0.1:{prom_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            prom = Prometheus(prom_port)
            wait_for("Prometheus scraping", lambda: prom.scalar("up") == 1, 60)
            started = time.time()
            # 1,000 scrapers, each every 10 s (Prometheus' default is 15 s).
            result, samples = storm(args, port, ["--get", "--path", "/metrics", "--probe", "/metrics"], fixture.pid,
                                    interval_ms=10_000)
            # The fixture is given one deadline for headers and body alike.
            check_crowd(result, samples, ["/metrics"], CLIENTS * (SECONDS - 10) // 10,
                        {"slow_header": HEADER_S, "slow_body": HEADER_S}, rss_growth_mb=32)
            window = f"{int(time.time() - started)}s"
            wait_for("Prometheus to see the storm", lambda: prom.scalar(f"count_over_time(up[{window}])") is not None, 10)
            check(prom.scalar(f"min_over_time(up[{window}])") == 1, "Prometheus: every scrape during the storm succeeded")
            slowest = prom.scalar(f"max_over_time(scrape_duration_seconds[{window}])")
            check(slowest < 0.1, f"Prometheus: slowest scrape {slowest * 1000:.1f} ms < 100 ms")
            check_counted(http_get(f"http://127.0.0.1:{port}/metrics")[2].decode(), result)
    finally:
        fixture.stdin.close()
        fixture.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", choices=["daemon", "metrics_server"], required=True)
    ap.add_argument("--storm", required=True)
    ap.add_argument("--vigil")
    ap.add_argument("--fixture")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.target == "daemon":
            against_daemon(args, tmp)
        else:
            against_metrics_server(args, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
