#!/usr/bin/env python3
"""The classic prometheus_client exercise (examples/python/01_metrics.py)
runs on vigil with only its import line changed: the same program on
Debian's prometheus_client and on vigil.prometheus_client, both scraped by a
real Prometheus and both clean under `promtool check metrics`, expose the
same application families with the same types."""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from testlib import Prometheus, check, free_port, http_get, process, promtool_check, wait_for  # noqa: E402

IMPORT_LINE = "from vigil.prometheus_client import Counter, Gauge, Histogram, start_http_server"


def app_families(prom, job):
    result = prom.query(f'count by (__name__) ({{job="{job}", __name__=~"app_.*"}})')
    return sorted(r["metric"]["__name__"] for r in result)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--example", required=True)
    ap.add_argument("--pythonpath", required=True)
    args = ap.parse_args()
    source = open(args.example).read()
    check(source.count(IMPORT_LINE) == 1 and source.count("vigil") == 1,
          "the exercise names vigil on its import line only")
    with tempfile.TemporaryDirectory() as tmp:
        original = os.path.join(tmp, "01_metrics_prometheus_client.py")
        with open(original, "w") as f:
            f.write(source.replace(IMPORT_LINE, IMPORT_LINE.replace("vigil.prometheus_client", "prometheus_client")))
        ours_port, theirs_port, prom_port = free_port(), free_port(), free_port()
        env = dict(os.environ, PYTHONPATH=args.pythonpath)
        python = "/usr/bin/python3"
        with process([python, args.example, str(ours_port), "60", "127.0.0.1"], env=env, stdout=subprocess.DEVNULL), \
                process([python, original, str(theirs_port), "60", "127.0.0.1"], stdout=subprocess.DEVNULL):
            for port in (ours_port, theirs_port):
                wait_for(f"/metrics on :{port}", lambda p=port: http_get(f"http://127.0.0.1:{p}/metrics")[0] == 200, 20)
            promtool_check(f"http://127.0.0.1:{ours_port}/metrics")
            promtool_check(f"http://127.0.0.1:{theirs_port}/metrics")
            config = os.path.join(tmp, "prometheus.yml")
            with open(config, "w") as f:
                f.write(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: vigil
    static_configs: [{{targets: ['127.0.0.1:{ours_port}']}}]
  - job_name: prometheus_client
    static_configs: [{{targets: ['127.0.0.1:{theirs_port}']}}]
""")
            with process(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp}/data",
                          f"--web.listen-address=127.0.0.1:{prom_port}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                prom = Prometheus(prom_port)
                wait_for("both targets up", lambda: prom.scalar("sum(up)") == 2, 60)
                wait_for("requests counted", lambda: (prom.scalar('sum(app_requests_total{job="vigil"})') or 0) > 100, 30)
                ours, theirs = app_families(prom, "vigil"), app_families(prom, "prometheus_client")
                check(ours == theirs, f"same application families in Prometheus ({ours})", f"prometheus_client: {theirs}")
                for job in ("vigil", "prometheus_client"):
                    rate = wait_for(f"{job} rate", lambda j=job: prom.scalar(f'sum(rate(app_requests_total{{job="{j}"}}[5s]))'), 30)
                    check(rate > 20, f"{job}: request rate {rate:.0f}/s")
                    p90 = prom.scalar(f'histogram_quantile(0.9, sum by (le) (rate(app_request_latency_seconds_bucket{{job="{job}"}}[10s])))')
                    check(p90 is not None and 0.001 < p90 < 0.01, f"{job}: p90 latency {p90} within the simulated 0.5-3 ms")
                    users = prom.scalar(f'app_active_users{{job="{job}"}}')
                    check(users is not None and 10 <= users <= 50, f"{job}: active users gauge {users}")
                metadata = prom.get_json("/api/v1/metadata", metric="app_request_latency_seconds")["data"]
                check([m["type"] for m in metadata["app_request_latency_seconds"]] == ["histogram"],
                      "latency is a histogram in Prometheus' metadata from both targets")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
