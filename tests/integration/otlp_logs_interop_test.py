#!/usr/bin/env python3
"""vigil's OTLP/HTTP log export (protobuf and JSON), decoded by the official
OpenTelemetry JS protobuf schema (npm @opentelemetry/otlp-transformer) in a
real receiver: body, severity, attributes, trace context and exception."""
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


def attrs(record):
    return {kv["key"]: kv["value"] for kv in record.get("attributes", [])}


def verify(protocol, ids, request):
    rl = request["body"]["resourceLogs"]
    check(len(rl) == 1, f"[{protocol}] one resource")
    res = {kv["key"]: kv["value"] for kv in rl[0]["resource"]["attributes"]}
    check(res["service.name"] == {"stringValue": "ranker"}, f"[{protocol}] resource service.name")
    scope = rl[0]["scopeLogs"][0]
    check(scope["scope"]["name"] == "ranker.api", f"[{protocol}] scope is the logger name")
    recs = {r["body"]["stringValue"]: r for r in scope["logRecords"]}
    check(set(recs) == {"warming up", "prediction served", "postprocess failed"}, f"[{protocol}] three records")
    debug, info, err = recs["warming up"], recs["prediction served"], recs["postprocess failed"]
    check(debug["severityNumber"] == 5 and debug["severityText"] == "debug", f"[{protocol}] debug severity")
    check(info["severityNumber"] == 9 and err["severityNumber"] == 17, f"[{protocol}] info/error severity")
    a = attrs(info)
    check(a["model_id"] == {"stringValue": "resnet-v2"}, f"[{protocol}] bound field")
    check(a["latency_ms"] == {"doubleValue": 12.5}, f"[{protocol}] double field")
    check(a["cached"] == {"boolValue": True}, f"[{protocol}] bool field")
    check(attrs(debug)["batch"] in ({"intValue": "32"}, {"intValue": 32}), f"[{protocol}] int field")
    check(info.get("traceId") == ids["trace_id"] and info.get("spanId") == ids["span_id"],
          f"[{protocol}] trace context inside the span")
    check(not debug.get("traceId"), f"[{protocol}] no trace context outside a span")
    e = attrs(err)
    check(e["exception.type"] == {"stringValue": "std::out_of_range"}, f"[{protocol}] exception.type")
    check(e["exception.message"] == {"stringValue": "class index 7"}, f"[{protocol}] exception.message")
    check("log_emitter.cc:" in e["exception.stacktrace"]["stringValue"], f"[{protocol}] stack trace with file:line")
    for r in recs.values():
        check(int(r["timeUnixNano"]) > 1.6e18, f"[{protocol}] timestamp")


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
                res = subprocess.run([args.emitter, f"http://127.0.0.1:{port}/v1/logs", protocol],
                                     capture_output=True, text=True, timeout=60)
                check(res.returncode == 0, f"emitter ({protocol}) exited cleanly: {res.stderr.strip()}")
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
