#!/usr/bin/env python3
"""vigil's OTLP/HTTP span export, decoded by the official OpenTelemetry JS
protobuf schema (npm @opentelemetry/otlp-transformer) in a real receiver:
ids, nesting, attributes, events, links, status and resource must match."""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(HERE, "..", "interop")


def attr(attrs, key):
    for kv in attrs:
        if kv["key"] == key:
            return kv["value"]
    raise AssertionError(f"attribute {key} missing in {attrs}")


def verify(protocol, ids, request):
    body = request["body"]
    rs = body["resourceSpans"]
    check(len(rs) == 1, f"[{protocol}] one resource")
    check(attr(rs[0]["resource"]["attributes"], "service.name") == {"stringValue": "ranker"},
          f"[{protocol}] resource service.name")
    scope = rs[0]["scopeSpans"][0]
    check(scope["scope"]["name"] == "vigil.interop", f"[{protocol}] instrumentation scope")
    spans = {s["name"]: s for s in scope["spans"]}
    check(set(spans) == {"POST /predict", "preprocess", "inference", "postprocess"}, f"[{protocol}] all four spans")
    req = spans["POST /predict"]
    for name in ("POST /predict", "preprocess", "inference", "postprocess"):
        check(spans[name]["traceId"] == ids["trace_id"], f"[{protocol}] {name} in the propagated trace")
    check(req["spanId"] == ids["request"], f"[{protocol}] request span id")
    check(req["parentSpanId"] == "00f067aa0ba902b7", f"[{protocol}] request parent is the remote caller")
    check(req.get("traceState") == "vendor=abc", f"[{protocol}] tracestate carried")
    for child in ("preprocess", "inference", "postprocess"):
        check(spans[child]["parentSpanId"] == ids["request"], f"[{protocol}] {child} nested under request")
        check(spans[child]["spanId"] == ids[child], f"[{protocol}] {child} span id")
    check(req["kind"] == 2 and spans["inference"]["kind"] == 3 and spans["preprocess"]["kind"] == 1,
          f"[{protocol}] span kinds server/client/internal")
    check(attr(req["attributes"], "batch.size") in ({"intValue": "8"}, {"intValue": 8}), f"[{protocol}] int attribute")
    check(attr(spans["inference"]["attributes"], "model.confidence") == {"doubleValue": 0.93},
          f"[{protocol}] double attribute")
    check(attr(spans["inference"]["attributes"], "gpu") == {"boolValue": False}, f"[{protocol}] bool attribute")
    arr = attr(spans["preprocess"]["attributes"], "features")["arrayValue"]["values"]
    check([v["stringValue"] for v in arr] == ["age", "income"], f"[{protocol}] array attribute")
    check(spans["preprocess"]["events"][0]["name"] == "normalized", f"[{protocol}] event")
    link = spans["inference"]["links"][0]
    check(link["spanId"] == "00f067aa0ba902b7" and link["traceId"] == ids["trace_id"], f"[{protocol}] link")
    post = spans["postprocess"]
    check(post["status"]["code"] == 2 and "class 7" in post["status"]["message"], f"[{protocol}] error status")
    ev = post["events"][0]
    check(ev["name"] == "exception" and attr(ev["attributes"], "exception.type") == {"stringValue": "std::runtime_error"},
          f"[{protocol}] exception event with type")
    for s in spans.values():
        check(int(s["endTimeUnixNano"]) >= int(s["startTimeUnixNano"]) > 1.6e18, f"[{protocol}] {s['name']} timestamps")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--emitter", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out_file = os.path.join(tmp, "received.json")
        server = subprocess.Popen(["node", os.path.join(INTEROP, "otlp_decode_server.js"), out_file],
                                  stdout=subprocess.PIPE, text=True, cwd=INTEROP)
        try:
            port = int(server.stdout.readline())
            ids = {}
            for protocol in ("protobuf", "json"):
                res = subprocess.run([args.emitter, f"http://127.0.0.1:{port}/v1/traces", protocol],
                                     capture_output=True, text=True, timeout=60)
                check(res.returncode == 0, f"emitter ({protocol}) flushed: {res.stderr.strip()}")
                ids[protocol] = json.loads(res.stdout)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        with open(out_file) as f:
            received = json.load(f)
    check(len(received) == 2, f"receiver got two requests ({len(received)})")
    check(received[0]["contentType"] == "application/x-protobuf", "first request is protobuf")
    check(received[1]["contentType"] == "application/json", "second request is JSON")
    verify("protobuf", ids["protobuf"], received[0])
    verify("json", ids["json"], received[1])
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
