#!/usr/bin/env python3
"""OTLP/gRPC into `vigil serve` from the official OpenTelemetry JS gRPC
exporters (npm @opentelemetry/exporter-{trace,logs}-otlp-grpc): traces and
logs stored and queryable, with and without gzip; no token refused
(UNAUTHENTICATED, nothing stored); a malformed message answered
INVALID_ARGUMENT while the daemon keeps serving."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import check, http_get, metric, start_daemon  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "..", "interop", "otel_grpc_client.js")
TOKEN = "grpc-s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def node(*args):
    out = subprocess.run(["node", CLIENT, *args], capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, f"node client {args[0]} ran", out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def api(d, path, **params):
    url = d.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    return json.loads(http_get(url, headers=AUTH, timeout=30)[2])


def flush(d):
    import urllib.request
    req = urllib.request.Request(d.base + "/api/v1/admin/flush", data=b"", method="POST",
                                 headers={**AUTH, "Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()


def exported_and_stored(d, address, service, gzip):
    label = f"[{'gzip' if gzip else 'plain'}]"
    out = node("export", address, service, TOKEN, "gzip" if gzip else "")
    check(out["trace_result"] == 0 and out["logs_result"] == 0, f"{label} both exports succeed", json.dumps(out))
    flush(d)
    trace = api(d, f"/api/v1/traces/{out['trace_id']}")
    spans = trace.get("spans", [])
    check(sorted(s["span_id"] for s in spans) == sorted(out["span_ids"]), f"{label} all four spans stored by id",
          json.dumps(trace)[:500])
    check({s["name"] for s in spans} == {"POST /predict", "preprocess", "inference", "postprocess"},
          f"{label} span names")
    logs = api(d, "/api/v1/logs", query=f'{{service="{service}"}}')["logs"]
    check(sorted(r["body"] for r in logs) == sorted([f"grpc log from {service}", f"grpc info from {service}"]),
          f"{label} both log records stored", json.dumps(logs)[:500])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = start_daemon(args.vigil, tmp, TOKEN)
        address = f"127.0.0.1:{d.grpc_port}"
        exported_and_stored(d, address, "grpc-plain", gzip=False)
        exported_and_stored(d, address, "grpc-gzip", gzip=True)

        anon = node("export", address, "grpc-anon", "", "")
        check(anon["trace_result"] != 0 and anon["logs_result"] != 0, "no token: both exports fail", json.dumps(anon))
        flush(d)
        check(api(d, "/api/v1/logs", query='{service="grpc-anon"}')["logs"] == [], "no token: nothing stored")

        bad = node("raw", address, "traces", "0affff0312", TOKEN)
        check(bad["code"] == 3, "malformed message: INVALID_ARGUMENT (3) with a message", json.dumps(bad))
        check("malformed" in bad["details"], "the message says what is wrong", bad["details"])
        empty = node("raw", address, "logs", "", TOKEN)
        check(empty["code"] == 0, "an empty export is OK", json.dumps(empty))
        check(http_get(d.base + "/healthz")[0] == 200, "daemon still serving after the malformed message")

        text = http_get(d.base + "/metrics")[2].decode()
        check(metric(text, "vigil_grpc_requests_total", '{method="TraceService/Export",code="OK"}') >= 2,
              "gRPC calls counted by method and code")
        check(metric(text, "vigil_grpc_requests_total", '{method="TraceService/Export",code="UNAUTHENTICATED"}') >= 1,
              "refused calls counted as UNAUTHENTICATED")
        check(metric(text, "vigil_grpc_requests_total", '{method="TraceService/Export",code="INVALID_ARGUMENT"}') == 1,
              "the malformed call counted as INVALID_ARGUMENT")
        code, out = d.stop()
        check(code == 0, "daemon stops cleanly", out[-2000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
