#!/usr/bin/env python3
"""A real Prometheus scrapes vigil's /metrics (fixture with known values, and
`vigil serve --demo-metrics`); values are asserted through Prometheus' HTTP
API, and `promtool check metrics` must find nothing to complain about."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from testlib import Prometheus, check, free_port, http_get, process, promtool_check, wait_for  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        fixture = subprocess.Popen([args.fixture, "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            fixture_port = int(fixture.stdout.readline())
            serve_port = free_port()
            with process([args.vigil, "serve", "--listen", f"127.0.0.1:{serve_port}", "--grpc-listen", "127.0.0.1:0", "--demo-metrics",
                          "--data", os.path.join(tmp, "vigil-data"),
                          "--qps", "200"], stdout=subprocess.DEVNULL):
                wait_for("vigil serve", lambda: http_get(f"http://127.0.0.1:{serve_port}/metrics")[0] == 200, 20)
                promtool_check(f"http://127.0.0.1:{fixture_port}/metrics")
                promtool_check(f"http://127.0.0.1:{serve_port}/metrics")

                prom_port = free_port()
                config = os.path.join(tmp, "prometheus.yml")
                with open(config, "w") as f:
                    f.write(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: fixture
    static_configs: [{{targets: ['127.0.0.1:{fixture_port}']}}]
  - job_name: vigil
    static_configs: [{{targets: ['127.0.0.1:{serve_port}']}}]
""")
                with process(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp}/data",
                              f"--web.listen-address=127.0.0.1:{prom_port}", "--enable-feature=exemplar-storage"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                    prom = Prometheus(prom_port)
                    wait_for("both targets up", lambda: prom.scalar("sum(up)") == 2, 60)
                    # Prometheus negotiated OpenMetrics: _created series do not
                    # appear as samples and the exemplar is stored.
                    check(prom.scalar('fixture_requests_total{model="ranker"}') == 42, "counter value 42")
                    check(prom.scalar("fixture_queue_depth") == 3.5, "gauge value 3.5")
                    check(prom.scalar("fixture_latency_seconds_count") == 100, "histogram count 100")
                    check(abs(prom.scalar("fixture_latency_seconds_sum") - 24.5) < 1e-9, "histogram sum 24.5 = 10*0.05 + 40*0.15 + 40*0.3 + 10*0.6")
                    check(prom.scalar('fixture_latency_seconds_bucket{le="0.2"}') == 50, "cumulative bucket le=0.2 is 50")
                    check(prom.scalar('fixture_latency_seconds_bucket{le="+Inf"}') == 100, "+Inf bucket is 100")
                    q50 = prom.scalar("histogram_quantile(0.5, fixture_latency_seconds_bucket)")
                    q90 = prom.scalar("histogram_quantile(0.9, fixture_latency_seconds_bucket)")
                    check(abs(q50 - 0.2) < 1e-9, f"histogram_quantile(0.5) = 0.2 (got {q50})")
                    check(abs(q90 - 0.4) < 1e-9, f"histogram_quantile(0.9) = 0.4 (got {q90})")
                    check(prom.scalar("process_resident_memory_bytes{job='fixture'}") > 1e6, "process memory scraped")

                    now = time.time()
                    ex = prom.get_json("/api/v1/query_exemplars", query="fixture_latency_seconds_bucket",
                                       start=now - 3600, end=now + 60)
                    trace_ids = [e["labels"].get("trace_id") for s in ex["data"] for e in s["exemplars"]]
                    check("4bf92f3577b34da6a3ce929d0e0e4736" in trace_ids, f"exemplar trace_id stored ({trace_ids})")

                    wait_for("demo traffic", lambda: (prom.scalar("sum(inference_requests_total)") or 0) > 50, 30)
                    rate = wait_for("rate", lambda: prom.scalar("sum(rate(inference_requests_total[5s]))"), 30)
                    check(50 < rate < 400, f"demo request rate near 200/s (got {rate:.1f})")
                    p99 = prom.scalar("histogram_quantile(0.99, sum by (le) (rate(inference_latency_seconds_bucket[10s])))")
                    check(p99 is not None and 0.005 < p99 < 1, f"demo p99 latency plausible (got {p99})")
        finally:
            fixture.stdin.close()
            fixture.wait(timeout=10)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
