#!/usr/bin/env python3
"""Alerting end to end with the real thing: a real Prometheus (Debian's
prometheus) loads the rules `vigil gen rules` writes and sends to a real
Alertmanager (Debian's prometheus-alertmanager) configured by `vigil gen
alertmanager`. The service's error rate is driven over the threshold, the
alert must reach Alertmanager's API, and resolve once the errors stop. Then
`vigil serve` posts its own log-based alert to the same Alertmanager and
resolves it."""
import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Prometheus, check, free_port, http_get, process, wait_for  # noqa: E402


class Service:
    """A stand-in inference service exposing inference_requests_total on
    /metrics; the failing share is switched at run time."""

    def __init__(self):
        self.ok = 0
        self.errors = 0
        self.failing = False
        self.lock = threading.Lock()
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with service.lock:
                    body = ("# TYPE inference_requests_total counter\n"
                            f'inference_requests_total{{model="ranker",version="2",status="ok"}} {service.ok}\n'
                            f'inference_requests_total{{model="ranker",version="2",status="error"}} {service.errors}\n')
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.running = True
        threading.Thread(target=self.traffic, daemon=True).start()

    def traffic(self):
        while self.running:
            with self.lock:
                self.ok += 100
                if self.failing:
                    self.errors += 50  # a third of requests fail
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.server.shutdown()
        self.server.server_close()


class Webhook:
    """A generic webhook receiver: records every JSON body POSTed to it."""

    def __init__(self):
        self.bodies = []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                hook.bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self, name):
        return [a for body in self.bodies for a in body if a["labels"]["alertname"] == name]


def am_alerts(port):
    _, _, body = http_get(f"http://127.0.0.1:{port}/api/v2/alerts?active=true&silenced=false&inhibited=false")
    return json.loads(body)


def active(port, name, **labels):
    return [a for a in am_alerts(port) if a["labels"].get("alertname") == name and a["status"]["state"] == "active"
            and all(a["labels"].get(k) == v for k, v in labels.items())]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules.yml")
        am_config = os.path.join(tmp, "alertmanager.yml")
        subprocess.run([args.vigil, "gen", "rules", "--for", "0s", "--rate-window", "10s", "-o", rules], check=True)
        subprocess.run([args.vigil, "gen", "alertmanager", "--webhook", "http://127.0.0.1:9/unused", "-o", am_config],
                       check=True)
        out = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
        check(out.returncode == 0, "promtool check rules on the generated rules", out.stdout + out.stderr)
        out = subprocess.run(["amtool", "check-config", am_config], capture_output=True, text=True)
        check(out.returncode == 0, "amtool check-config on the generated configuration", out.stdout + out.stderr)

        am_port = free_port()
        service = Service()
        with process(["prometheus-alertmanager", f"--config.file={am_config}", f"--storage.path={tmp}/am",
                      f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            wait_for("alertmanager", lambda: http_get(f"http://127.0.0.1:{am_port}/-/ready")[0] == 200, 30)
            prom_port = free_port()
            config = os.path.join(tmp, "prometheus.yml")
            with open(config, "w") as f:
                f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [{rules}]
alerting:
  alertmanagers:
    - static_configs: [{{targets: ['127.0.0.1:{am_port}']}}]
scrape_configs:
  - job_name: service
    static_configs: [{{targets: ['127.0.0.1:{service.port}']}}]
""")
            with process(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp}/prom",
                          f"--web.listen-address=127.0.0.1:{prom_port}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                prom = Prometheus(prom_port)
                wait_for("service scraped", lambda: prom.scalar("up") == 1, 60)
                time.sleep(4)
                check(not active(am_port, "HighErrorRate"), "healthy service: no HighErrorRate alert")
                service.failing = True
                t0 = time.time()
                alert = wait_for("HighErrorRate in Alertmanager",
                                 lambda: active(am_port, "HighErrorRate", model="ranker"), 60)[0]
                check(alert["labels"]["severity"] == "critical" and "runbook_url" in alert["annotations"],
                      f"HighErrorRate reached Alertmanager with severity and runbook ({time.time() - t0:.1f} s)")
                # The rules were generated with a 10 s rate window, so the
                # ratio falls soon after the errors stop.
                service.failing = False
                wait_for("HighErrorRate resolved", lambda: not active(am_port, "HighErrorRate"), 90)
                check(True, "HighErrorRate resolved in Alertmanager after the errors stopped")
                service.stop()

            # vigil serve's own alerting: a log-based alert posted to the same Alertmanager.
            webhook = Webhook()
            vconfig = os.path.join(tmp, "vigil.yaml")
            with open(vconfig, "w") as f:
                f.write(f"""alert_interval: 1h
log_alerts:
  - name: GpuTimeouts
    query: '{{level="error"}} |= "gpu timeout"'
    window: 3s
    threshold: 0
    severity: page
alerting:
  alertmanagers: [http://127.0.0.1:{am_port}]
  webhooks: [{webhook.url}]
metric_alerts:
  - name: FraudPredictionErrors
    metric: vigil_model_errors
    labels: {{model: fraud}}
    op: ">"
    threshold: 5
    severity: warning
slos:
  - {{model: fraud, objective: 99, period: 1h}}
""")
            vport = free_port()
            with process([args.vigil, "serve", "--config", vconfig, "--listen", f"127.0.0.1:{vport}", "--grpc-listen", "127.0.0.1:0",
                          "--data", os.path.join(tmp, "vigil-data")], stdout=subprocess.DEVNULL):
                base = f"http://127.0.0.1:{vport}"
                wait_for("vigil serve", lambda: http_get(base + "/healthz")[0] == 200, 20)
                body = json.dumps({"resourceLogs": [{"resource": {"attributes": [
                    {"key": "service.name", "value": {"stringValue": "ranker"}}]}, "scopeLogs": [{"logRecords": [
                        {"timeUnixNano": str(time.time_ns()), "severityNumber": 17,
                         "body": {"stringValue": "gpu timeout on worker 3"}}]}]}]}).encode()
                req = urllib.request.Request(base + "/v1/logs", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
                check(urllib.request.urlopen(req, timeout=10).status == 200, "error log sent to vigil serve")
                evaluate = lambda: urllib.request.urlopen(  # noqa: E731
                    urllib.request.Request(base + "/api/v1/admin/evaluate", data=b"", method="POST",
                                           headers={"Content-Type": "application/json"}), timeout=10)
                evaluate()
                alert = wait_for("GpuTimeouts in Alertmanager", lambda: active(am_port, "GpuTimeouts"), 20)[0]
                check(alert["labels"]["source"] == "vigil" and alert["labels"]["severity"] == "page",
                      "vigil's log alert reached Alertmanager with its labels")
                time.sleep(3.5)  # the 3 s window passes: no matching logs any more
                evaluate()
                wait_for("GpuTimeouts resolved", lambda: not active(am_port, "GpuTimeouts"), 20)
                check(True, "vigil's log alert resolved in Alertmanager")
                sent = webhook.alerts("GpuTimeouts")
                check(len(sent) >= 2 and sent[0]["labels"]["severity"] == "page"
                      and any(a["endsAt"] < sent[0]["endsAt"] for a in sent[1:]),
                      "the webhook received the firing alert and its resolution", json.dumps(sent)[:500])
                # Metric-threshold and SLO burn rules evaluated inside the daemon.
                lines = "\n".join(json.dumps({"model": "fraud", "request_id": f"f{i}", "prediction": "ok"} if i % 2 else
                                              {"model": "fraud", "request_id": f"f{i}", "error": "timeout"})
                                   for i in range(40))
                req = urllib.request.Request(base + "/api/v1/predictions", data=lines.encode(), method="POST",
                                             headers={"Content-Type": "application/x-ndjson"})
                check(urllib.request.urlopen(req, timeout=10).status == 200, "40 predictions, half failed")
                evaluate()
                metric_alert = wait_for("metric alert in Alertmanager",
                                        lambda: active(am_port, "FraudPredictionErrors", model="fraud"), 20)[0]
                check(metric_alert["labels"]["kind"] == "metric" and metric_alert["labels"]["category"] == "timeout",
                      "metric-threshold rule (vigil_model_errors > 5) fired inside the daemon")
                def slo_fired():  # the monitor's 5 s buckets must close first
                    evaluate()
                    return active(am_port, "SLOErrorBudgetBurn", model="fraud", severity="page")
                slo_alert = wait_for("SLO burn alert in Alertmanager", slo_fired, 30, interval=1)[0]
                check(slo_alert["labels"]["kind"] == "slo", "SLO fast-burn page from prediction events fired inside the daemon")
                _, _, metrics = http_get(base + "/metrics")
                check('vigil_alert_notifications_total{target="alertmanager",outcome="ok"}' in metrics.decode(),
                      "notifications counted")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
