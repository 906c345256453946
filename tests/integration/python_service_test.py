#!/usr/bin/env python3
"""The Python service example end to end: FastAPI + uvicorn + scikit-learn
(examples/python/service.py) instrumented with vigil, exporting to a real
`vigil serve`. Traffic goes to the service; the test reads back from the
daemon the traces (four spans per request, the caller's traceparent kept),
the logs joined to them by trace id (with a Python traceback on the refused
request), the drift windows of the model, and the SLO figures, which must
equal the service's own SLOMonitor."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Daemon, check, free_port, http_get, http_post, process, wait_for  # noqa: E402

SERVICE = "fraud-api"


def get_json(base, path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    return json.loads(http_get(url, timeout=30)[2])


def predict(base, body, headers=None):
    import urllib.request

    req = urllib.request.Request(base + "/predict", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def send_traffic(base, n, amount_scale, seed):
    import random

    rng = random.Random(seed)
    answers = []
    for _ in range(n):
        body = {"amount": rng.lognormvariate(4, 1) * amount_scale, "age": rng.gauss(40, 12),
                "country": rng.choice(["NO", "SE", "DK", "FI"])}
        status, answer = predict(base, body)
        check(status == 200, "prediction served", answer) if not answers else None
        answers.append(answer)
    return answers


def write_config(tmp):
    path = os.path.join(tmp, "vigil.yaml")
    with open(path, "w") as f:
        f.write("""monitor:
  window: 4s
slos:
  - model: fraud
    objective: 99
    latency_threshold: 50ms
    period: 1h
""")
    return path


def verify_traces(daemon, answers, remote_trace):
    trace_id = answers[0]["trace_id"]
    spans = {s["name"]: s for s in get_json(daemon.base, f"/api/v1/traces/{trace_id}")["spans"]}
    check(set(spans) == {"predict", "preprocess", "inference", "postprocess"}, "four spans per request", spans.keys())
    root = spans["predict"]
    check(root["kind"] == 2 and root["service"] == SERVICE and root["attributes"]["model.name"] == "fraud",
          "server span with service and model")
    for stage in ("preprocess", "inference", "postprocess"):
        check(spans[stage]["parent_span_id"] == root["span_id"], f"{stage} nested under predict")
    remote = get_json(daemon.base, f"/api/v1/traces/{remote_trace}")["spans"]
    check(any(s["name"] == "predict" and s["parent_span_id"] == "00f067aa0ba902b7" for s in remote),
          "the caller's traceparent is the parent of the server span")


def verify_logs(daemon, answers):
    trace_id = answers[5]["trace_id"]
    logs = get_json(daemon.base, "/api/v1/logs", query=f'{{service="{SERVICE}"}} |= "prediction served"',
                    limit=1000)["logs"]
    by_trace = {entry["trace_id"]: entry for entry in logs}
    check(len(logs) >= len(answers), f"every served prediction logged ({len(logs)})")
    check(trace_id in by_trace and by_trace[trace_id]["attributes"]["request_id"] == answers[5]["request_id"],
          "a log line joins its trace by trace id")
    refused = get_json(daemon.base, "/api/v1/logs", query=f'{{service="{SERVICE}", level="error"}}')["logs"]
    check(refused and "Traceback" in json.dumps(refused[0]) and "unknown country" in json.dumps(refused[0]),
          "the refused request's log carries the Python traceback")


def drift_history(daemon):
    """Closes the windows that have ended (admin flush) and reads the history."""
    check(http_post(daemon.base + "/api/v1/admin/flush", b"")[0] == 200, "the daemon evaluated ended windows")
    return get_json(daemon.base, "/api/v1/models/fraud/drift")["evaluations"]


def amount_drifted(evaluations):
    return [f["drifted"] for e in evaluations for f in e["report"]["features"] if f["name"] == "amount"]


def verify_drift(daemon):
    """The first window is the reference; a later one, with amounts 8x larger, drifts. The shifted traffic can
    straddle a window boundary, and the later window closes up to a window after the first drifting one, so
    the wait is for every shifted row to be evaluated, not just for the first drifting window."""
    def settled():
        h = drift_history(daemon)
        return any(amount_drifted(h)) and sum(e["rows"] for e in h) >= 150 and h

    evaluations = wait_for("the shifted windows' evaluations", settled, timeout=30, interval=1)
    check(any(amount_drifted(evaluations)), f"the shifted window shows amount drifting ({amount_drifted(evaluations)})")
    check(sum(e["rows"] for e in evaluations) >= 150, "the evaluated windows hold the shifted traffic")


def slo_compliance(daemon):
    text = http_get(daemon.base + "/metrics")[2].decode()
    m = re.search(r'^vigil_slo_compliance_ratio\{slo="fraud-predictions"\} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--pythonpath", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        daemon = Daemon(args.vigil, os.path.join(tmp, "data"), write_config(tmp)).start()
        try:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            env = dict(os.environ, PYTHONPATH=args.pythonpath)
            with process(["/usr/bin/python3", args.service, "--port", str(port), "--vigil", daemon.base], env=env,
                         stdout=subprocess.DEVNULL):
                wait_for("the service", lambda: http_get(base + "/slo")[0] == 200, timeout=60, interval=0.2)
                answers = send_traffic(base, 150, 1.0, seed=1)
                status, _ = predict(base, {"amount": 10, "age": 30, "country": "XX"})
                check(status == 422, "a bad request is refused with 422")
                status, remote = predict(base, {"amount": 10, "age": 30, "country": "NO"},
                                         {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
                check(remote["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736", "the caller's trace id is kept")
                time.sleep(4.5)  # the next window: a shifted amount distribution
                answers += send_traffic(base, 150, 8.0, seed=2)
                check(http_post(base + "/flush", b"{}")[0] == 200, "the service flushed its exporters")
                verify_traces(daemon, answers, remote["trace_id"])
                verify_logs(daemon, answers)
                verify_drift(daemon)
                local = get_json(base, "/slo")
                check(local["total"] == 302 and local["bad"] >= 1, f"service SLO counted {local['total']} requests")
                remote_ratio = wait_for("the daemon's SLO to count every request",
                                        lambda: (r := slo_compliance(daemon)) is not None and
                                        abs(r - local["compliance"]) < 1e-9 and r, timeout=30)
                check(abs(remote_ratio - local["compliance"]) < 1e-9,
                      f"daemon and service agree on compliance ({remote_ratio:.6f})")
        finally:
            daemon.stop()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
