#!/usr/bin/env python3
"""`vigil serve` end to end: a service instrumented with the official
OpenTelemetry JS SDK (npm @opentelemetry/sdk-trace-node, the OTLP trace
exporters over http/json and http/protobuf, @opentelemetry/exporter-logs-otlp-http)
sends to the daemon; the test reads traces and logs back through the query
API. Then: the prediction API, malformed bodies, the bearer token, log-based
alerts, cursor pagination, SIGTERM and kill -9 persistence."""
import argparse
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Daemon, check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(HERE, "..", "interop")
TOKEN = "s3cret-token"


def request(base, path, method="GET", body=None, headers=None, token=TOKEN):
    h = dict(headers or {})
    if method == "POST":  # the JSON APIs take only JSON content types
        h.setdefault("Content-Type", "application/json")
    if token:
        h["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, type(None))) else body.encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=15) as res:
            return res.status, res.read(), dict(res.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def get_json(base, path, **params):
    status, body, _ = request(base, path + ("?" + urllib.parse.urlencode(params) if params else ""))
    check(status == 200, f"GET {path} answers 200", body[:300])
    return json.loads(body)


def node_client(base, protocol, token=TOKEN):
    res = subprocess.run(["node", os.path.join(INTEROP, "otel_client.js"), base, protocol, token],
                         capture_output=True, text=True, timeout=60, cwd=INTEROP)
    check(res.returncode == 0 and res.stdout.strip(), f"OpenTelemetry JS client ({protocol}) exported",
          res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def flush(d):
    status, body, _ = request(d.base, "/api/v1/admin/flush", method="POST", body=b"")
    check(status == 200, "admin flush", body)


def verify_trace(d, protocol, ids):
    t = get_json(d.base, f"/api/v1/traces/{ids['trace_id']}")
    spans = {s["name"]: s for s in t["spans"]}
    check(set(spans) == {"POST /predict", "preprocess", "inference", "postprocess"}, f"[{protocol}] all four spans stored")
    root = spans["POST /predict"]
    check(root["span_id"] == ids["spans"]["POST /predict"] and root["parent_span_id"] == "" and root["depth"] == 0,
          f"[{protocol}] root span")
    for stage in ("preprocess", "inference", "postprocess"):
        s = spans[stage]
        check(s["span_id"] == ids["spans"][stage] and s["parent_span_id"] == root["span_id"] and s["depth"] == 1,
              f"[{protocol}] {stage} nested under the request")
    check(root["kind"] == 2 and root["attributes"]["http.route"] == "/predict", f"[{protocol}] server span attributes")
    inf = spans["inference"]["attributes"]
    check(inf["model.name"] == "resnet-v2" and inf["gpu"] is True, f"[{protocol}] string and bool attributes")
    post = spans["postprocess"]
    check(post["status_code"] == 2 and "class 7" in post["status_message"], f"[{protocol}] error status")
    check(post["events"][0]["name"] == "exception" and
          "class 7" in post["events"][0]["attributes"]["exception.message"], f"[{protocol}] exception event")
    check(root["service"] == f"node-client-{protocol}" and root["resource"]["service.version"] == "1.2.3",
          f"[{protocol}] resource")
    found = get_json(d.base, "/api/v1/traces", service=f"node-client-{protocol}", operation="inference")["traces"]
    check(any(x["trace_id"] == ids["trace_id"] and x["spans"] == 4 and x["errors"] == 1 for x in found),
          f"[{protocol}] trace search by service and operation")


def verify_logs(d, ids):
    q = '{service="node-client-json", level="error"} |= "gpu"'
    logs = get_json(d.base, "/api/v1/logs", query=q)["logs"]
    check(len(logs) == 1 and logs[0]["body"] == "gpu timeout on worker 3", "log query: selector and line filter")
    check(logs[0]["trace_id"] == ids["trace_id"] and logs[0]["span_id"] == ids["spans"]["POST /predict"],
          "log inside the span carries its trace and span ids")
    logs = get_json(d.base, "/api/v1/logs", query='{service="node-client-json"} | user_id="42"')["logs"]
    check(sorted(l["body"] for l in logs) == ["cache cold", "prediction served"], "log query: attribute filter")
    logs = get_json(d.base, "/api/v1/logs", query='{service=~"node-client-.*"} |~ "pred[a-z]+ion" | latency_ms > 10')["logs"]
    check(len(logs) == 2 and all(l["attributes"]["latency_ms"] == 12.5 for l in logs),
          "log query: regex selector, regex line filter, numeric filter")
    status, body, _ = request(d.base, "/api/v1/logs?" + urllib.parse.urlencode({"query": '{service="x" |= "y"'}))
    check(status == 400 and b"query:1:" in body, "malformed log query: 400 naming the position", body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "vigil.yaml")
        with open(config, "w") as f:
            f.write(f"""auth_token: {TOKEN}
max_body_bytes: 1MiB
monitor:
  window: 1h
log_alerts:
  - name: GpuTimeouts
    query: '{{level="error"}} |= "gpu timeout"'
    window: 1d
    threshold: 1
    severity: page
""")
        data = os.path.join(tmp, "data")
        d = Daemon(args.vigil, data, config).start()
        ids = {p: node_client(d.base, p) for p in ("json", "protobuf")}
        flush(d)
        for p in ids:
            verify_trace(d, p, ids[p])
        verify_logs(d, ids["json"])
        ops = get_json(d.base, "/api/v1/operations", service="node-client-json", window="1h")
        check({o["name"] for o in ops["operations"]} >= {"preprocess", "inference", "postprocess"},
              "per-operation latency breakdown", ops)
        check(ops["slowest"] in ("preprocess", "inference", "postprocess"), "slowest stage is a stage, not the root", ops)

        # Bearer token on ingest and queries.
        status, _, hdrs = request(d.base, "/api/v1/status", token=None)
        check(status == 401 and "Bearer" in hdrs.get("WWW-Authenticate", ""), "no token: 401")
        check(request(d.base, "/api/v1/status", token="wrong")[0] == 401, "wrong token: 401")
        check(request(d.base, "/healthz", token=None)[0] == 200, "health check needs no token")

        # Malformed bodies: each a 4xx with a message; nothing accepted earlier is lost.
        before = get_json(d.base, "/api/v1/status")
        proto_headers = {"Content-Type": "application/x-protobuf"}
        json_headers = {"Content-Type": "application/json"}
        cases = [
            ("truncated protobuf", "/v1/traces", b"\x0a\xff\xff\x03\x12", proto_headers, 400),
            ("wrong JSON types", "/v1/traces", b'{"resourceSpans": 5}', json_headers, 400),
            ("not JSON", "/v1/logs", b'{"resourceLogs": [', json_headers, 400),
            ("bad gzip", "/v1/traces", b"\x1f\x8b\x08\x00garbage", {**json_headers, "Content-Encoding": "gzip"}, 400),
            ("huge payload", "/v1/logs", b"x" * (2 * 1024 * 1024), json_headers, 413),
            ("wrong content type", "/v1/traces", b"{}", {"Content-Type": "text/plain"}, 415),
            ("prediction without a model", "/api/v1/predictions", b'{"prediction": 1}', json_headers, 400),
        ]
        for name, path, body, headers, expected in cases:
            status, resp, _ = request(d.base, path, method="POST", body=body, headers=headers)
            check(status == expected and (expected == 413 or len(resp) > 0), f"{name}: {expected} with a message",
                  f"{status} {resp[:200]}")
        gz = gzip.compress(json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [
            {"timeUnixNano": str(time.time_ns()), "severityNumber": 17, "body": {"stringValue": "gzip gpu timeout"}}]}]}]}).encode())
        status, _, _ = request(d.base, "/v1/logs", method="POST", body=gz,
                               headers={**json_headers, "Content-Encoding": "gzip"})
        check(status == 200, "gzip request body accepted")
        flush(d)
        after = get_json(d.base, "/api/v1/status")
        check(after["spans"] == before["spans"] and after["logs"] == before["logs"] + 1,
              "malformed requests changed nothing; earlier data intact", f"{before} {after}")

        # Predictions (NDJSON) with delayed labels.
        now = time.time()
        lines = []
        for i in range(40):
            lines.append(json.dumps({"model": "fraud", "version": "3", "request_id": f"r{i}", "timestamp": now,
                                     "features": {"amount": 10.0 + i, "country": "NO"},
                                     "prediction": "fraud" if i % 4 == 0 else "legit", "confidence": 0.9,
                                     "latency_ms": 4 + i % 3}))
        status, body, _ = request(d.base, "/api/v1/predictions", method="POST", body="\n".join(lines),
                                  headers={"Content-Type": "application/x-ndjson"})
        check(status == 200 and json.loads(body)["accepted"] == 40, "40 predictions as NDJSON", body)
        labels = "\n".join(json.dumps({"model": "fraud", "request_id": f"r{i}", "label": "legit"}) for i in range(40))
        status, body, _ = request(d.base, "/api/v1/labels", method="POST", body=labels)
        check(status == 200 and json.loads(body)["joined"] == 40, "labels joined by request_id", body)
        models = {m["model"]: m for m in get_json(d.base, "/api/v1/models")["models"]}
        check(abs(models["fraud"]["accuracy"] - 0.75) < 1e-9, "accuracy from the joined labels", models)
        status, body, _ = request(d.base, "/api/v1/predictions", method="POST",
                                  body='{"model":"fraud","prediction":"a"}\n{"model":"fraud","confidence":7}')
        check(status == 400 and b"line 2" in body, "a bad line names its number and rejects the batch", body)

        # Log-based alert: three "gpu timeout" errors so far (two clients, the gzip body), threshold 1.
        status, _, _ = request(d.base, "/api/v1/admin/evaluate", method="POST", body=b"")
        alerts = {a["name"]: a for a in get_json(d.base, "/api/v1/alerts")["alerts"]}
        check(alerts["GpuTimeouts"]["state"] == "firing" and alerts["GpuTimeouts"]["value"] == 3,
              "log-based alert fires", alerts)
        status, metrics, _ = request(d.base, "/metrics", token=None)
        text = metrics.decode()
        check('vigil_log_alert_firing{alertname="GpuTimeouts",severity="page"} 1' in text, "alert state as a metric")
        check('vigil_receiver_items_total{signal="spans",outcome="accepted"} 8' in text, "receiver counters", text[:500])
        check("vigil_store_size_bytes" in text and "vigil_http_requests_total" in text, "store and HTTP metrics")

        # Cursor pagination over 250 records.
        t0 = time.time_ns() - 60_000_000_000  # recent: the daemon refuses records older than its retention
        recs = [{"timeUnixNano": str(t0 + i), "severityNumber": 9,
                 "body": {"stringValue": f"page line {i}"}} for i in range(250)]
        body = json.dumps({"resourceLogs": [{"resource": {"attributes": [
            {"key": "service.name", "value": {"stringValue": "pager"}}]}, "scopeLogs": [{"logRecords": recs}]}]})
        check(request(d.base, "/v1/logs", method="POST", body=body, headers=json_headers)[0] == 200, "250 logs sent")
        flush(d)
        seen, cursor, pages = [], "", 0
        while True:
            page = get_json(d.base, "/api/v1/logs", query='{service="pager"}', limit=100, cursor=cursor)
            seen += [l["body"] for l in page["logs"]]
            pages += 1
            cursor = page["next_cursor"]
            if not cursor:
                break
        check(pages == 3 and len(seen) == 250 and len(set(seen)) == 250 and seen[0] == "page line 249",
              "cursor pagination: 3 pages, newest first, no repeats", f"{pages} {len(seen)}")

        # SIGTERM: exit 0, data survives a restart.
        rc, out = d.stop()
        check(rc == 0 and "everything accepted is stored" in out, "SIGTERM: graceful exit 0", out)
        d = Daemon(args.vigil, data, config).start()
        t = get_json(d.base, f"/api/v1/traces/{ids['protobuf']['trace_id']}")
        check(len(t["spans"]) == 4, "traces queryable after a restart")

        # kill -9: what was committed survives; only a batch in flight may be lost.
        node_client(d.base, "json")
        time.sleep(1.0)  # past the store's 100 ms commit interval
        count = get_json(d.base, "/api/v1/status")
        d.stop(signal.SIGKILL)
        d = Daemon(args.vigil, data, config).start()
        again = get_json(d.base, "/api/v1/status")
        check(again["spans"] == count["spans"] and again["logs"] == count["logs"],
              "kill -9 after the commit interval loses nothing", f"{count} {again}")
        rc, _ = d.stop()
        check(rc == 0, "final stop")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
