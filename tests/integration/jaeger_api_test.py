#!/usr/bin/env python3
"""Jaeger's query API (what the Jaeger UI and Grafana's Jaeger datasource
call), field by field, on a trace sent by the real OpenTelemetry JS SDK:
services, operations with span kinds, trace search by service, operation
and tags, a trace by id with typed tags, references, span logs from events
and processes, times in microseconds; the service graph across two
services; bad input answered 400 (an unknown
trace 404) in Jaeger's error envelope; the bearer token required."""
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check, run_otel_client, start_daemon, vigil_main  # noqa: E402

TOKEN = "jaeger-s3cret"
SERVICE = "node-client-protobuf"
ENVELOPE = {"data", "total", "limit", "offset", "errors"}
SPAN_FIELDS = {"traceID", "spanID", "flags", "operationName", "references", "startTime", "duration", "tags", "logs",
               "processID", "warnings"}


def get(d, path, token=TOKEN, **params):
    url = d.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def ok(d, path, **params):
    status, body = get(d, path, **params)
    check(status == 200 and set(body) == ENVELOPE and body["errors"] is None, f"GET {path}: 200 in Jaeger's envelope",
          json.dumps(body)[:300])
    check(body["total"] == len(body["data"]), f"GET {path}: total counts data")
    return body["data"]


def tag(span_or_process, key):
    found = [t for t in span_or_process["tags"] if t["key"] == key]
    return found[0] if found else None


def check_trace(t, ids):
    spans = {s["operationName"]: s for s in t["spans"]}
    check(set(spans) == {"POST /predict", "preprocess", "inference", "postprocess"}, "the trace's four spans")
    check(all(set(s) == SPAN_FIELDS for s in t["spans"]), "every span has Jaeger's fields, no more")
    root, inference, post = spans["POST /predict"], spans["inference"], spans["postprocess"]
    check(root["spanID"] == ids["spans"]["POST /predict"] and root["references"] == [], "the root: its id, no reference")
    check(inference["references"] == [{"refType": "CHILD_OF", "traceID": ids["trace_id"], "spanID": root["spanID"]}],
          "a child references its parent as CHILD_OF")
    now_us = time.time() * 1e6
    check(isinstance(root["startTime"], int) and abs(root["startTime"] - now_us) < 600e6,
          "startTime in microseconds since the epoch", root["startTime"])
    check(isinstance(root["duration"], int) and 0 <= root["duration"] < 60e6, "duration in microseconds")
    check_trace.root_duration_us = root["duration"]
    check(tag(inference, "model.name") == {"key": "model.name", "type": "string", "value": "resnet-v2"}, "string tag")
    check(tag(inference, "gpu") == {"key": "gpu", "type": "bool", "value": True}, "bool tag")
    check(tag(inference, "stage.index") == {"key": "stage.index", "type": "int64", "value": 9}, "int64 tag")
    check(tag(root, "span.kind")["value"] == "server", "span.kind from the OTLP kind")
    check(tag(post, "error") == {"key": "error", "type": "bool", "value": True}, "a failed span is tagged error=true")
    events = [{f["key"]: f["value"] for f in log["fields"]} for log in post["logs"]]
    check(any(e.get("event") == "exception" and e.get("exception.message") == "label map missing class 7"
              for e in events), "the exception event is a span log with its fields", json.dumps(post["logs"]))
    check(all(isinstance(log["timestamp"], int) and abs(log["timestamp"] - now_us) < 600e6 for log in post["logs"]),
          "log timestamps in microseconds")
    process = t["processes"][root["processID"]]
    check(process["serviceName"] == SERVICE, "the process names the service")
    check(tag(process, "service.version") == {"key": "service.version", "type": "string", "value": "1.2.3"},
          "process tags from the resource")


def service_graph(d):
    """A trace crossing two services (OTLP/JSON): frontend calls ranker twice."""
    trace, root = secrets.token_hex(16), secrets.token_hex(8)
    now = time.time_ns()

    def resource_spans(service, spans):
        return {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                "scopeSpans": [{"spans": spans}]}

    def span(span_id, parent, name, start):
        s = {"traceId": trace, "spanId": span_id, "name": name, "kind": 2,
             "startTimeUnixNano": str(now + start), "endTimeUnixNano": str(now + start + 1_000_000)}
        return {**s, "parentSpanId": parent} if parent else s

    body = {"resourceSpans": [
        resource_spans("frontend", [span(root, None, "GET /", 0)]),
        resource_spans("ranker", [span(secrets.token_hex(8), root, "rank", 1000),
                                  span(secrets.token_hex(8), root, "rank", 2000)])]}
    req = urllib.request.Request(d.base + "/v1/traces", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    check(urllib.request.urlopen(req, timeout=30).status == 200, "a trace across two services sent")
    d.flush(TOKEN)
    deps = ok(d, "/api/dependencies", endTs=str(int(time.time() * 1000) + 1000), lookback="3600000")
    check({"parent": "frontend", "child": "ranker", "callCount": 2} in deps, "the service graph: frontend -> ranker, 2 calls",
          json.dumps(deps))
    check(not any(e["parent"] == e["child"] for e in deps), "calls within a service are not edges")


def bad_input(d, ids):
    cases = [
        ("/api/traces", {"service": SERVICE, "minDuration": "abc"}, "minDuration"),
        ("/api/traces", {}, "service"),
        ("/api/traces", {"service": SERVICE, "limit": "100000"}, "limit"),
        ("/api/traces", {"service": SERVICE, "start": "2000", "end": "1000"}, "after end"),
        ("/api/traces", {"service": SERVICE, "tags": "not json"}, "tags"),
        ("/api/traces/not-a-trace-id", {}, "hex"),
        ("/api/operations", {}, "service"),
        ("/api/dependencies", {"lookback": "-5"}, "positive"),
    ]
    for path, params, says in cases:
        status, body = get(d, path, **params)
        errors = body.get("errors") or [{}]
        check(status == 400 and body["data"] is None and errors[0].get("code") == 400 and says in errors[0].get("msg", ""),
              f"GET {path} {params}: 400 naming {says}", json.dumps(body))
    status, body = get(d, "/api/traces/" + "ab" * 16)
    check(status == 404 and body["errors"][0]["code"] == 404, "an unknown trace: 404 in Jaeger's envelope")
    status, _ = get(d, "/api/services", token=None)
    check(status == 401, "no token: 401")


def run(vigil, tmp):
    d = start_daemon(vigil, tmp, TOKEN)
    ids = run_otel_client(d, TOKEN)
    d.flush(TOKEN)
    check(SERVICE in ok(d, "/api/services"), "the service is listed")
    check(sorted(ok(d, f"/api/services/{SERVICE}/operations")) ==
          ["POST /predict", "inference", "postprocess", "preprocess"], "its four operations, once each")
    check(ok(d, "/api/operations", service=SERVICE, spanKind="server") ==
          [{"name": "POST /predict", "spanKind": "server"}], "operations filtered by span kind")
    found = ok(d, "/api/traces", service=SERVICE, limit="5", lookback="1h")
    mine = [t for t in found if t["traceID"] == ids["trace_id"]]
    check(len(mine) == 1, "search by service finds the trace")
    check_trace(mine[0], ids)
    check(any(t["traceID"] == ids["trace_id"] for t in
              ok(d, "/api/traces", service=SERVICE, tags=json.dumps({"model.name": "resnet-v2"}))),
          "search by tag finds it")
    check(ok(d, "/api/traces", service=SERVICE, tags=json.dumps({"model.name": "nope"})) == [],
          "a tag no span has finds nothing")
    check(any(t["traceID"] == ids["trace_id"] for t in ok(d, "/api/traces", service=SERVICE, operation="inference")),
          "search by operation finds it")
    check(ok(d, "/api/traces", service=SERVICE, minDuration="1h") == [], "minDuration above every span: nothing")
    # Durations bound the matching span, as in Jaeger: the whole trace
    # lasts longer than its inference stage, so a bound between the two
    # finds it by the root span but not by the inference span.
    root_us = check_trace.root_duration_us
    check(any(t["traceID"] == ids["trace_id"] for t in
              ok(d, "/api/traces", service=SERVICE, operation="POST /predict", minDuration=f"{root_us}us")),
          "minDuration: the root span itself is that long")
    check(ok(d, "/api/traces", service=SERVICE, operation="inference", minDuration=f"{root_us + 1}us") == [],
          "minDuration applies to the span matching the operation, not to the trace")
    by_id = ok(d, f"/api/traces/{ids['trace_id']}")
    check(len(by_id) == 1 and by_id[0]["traceID"] == ids["trace_id"], "the trace by id")
    check_trace(by_id[0], ids)
    service_graph(d)
    bad_input(d, ids)
    d.stop()


if __name__ == "__main__":
    sys.exit(vigil_main(run))
