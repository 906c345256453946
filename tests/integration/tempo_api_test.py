#!/usr/bin/env python3
"""Tempo's query API and Jaeger's /api/v3 (what Grafana's Tempo datasource
and newer Jaeger clients call), on a trace sent by the real OpenTelemetry JS
SDK: the trace by id as OTLP protobuf, decoded with the OpenTelemetry JS
schema, and as OTLP/JSON (Tempo v2, Jaeger v3), each equal to what the SDK
sent; TraceQL search with spansets; the tag catalogs; bad input answered in
each API's own error format; the bearer token required."""
import datetime
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jaeger_api_test import service_graph  # noqa: E402
from testlib import check, run_otel_client, start_daemon, vigil_main  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DECODE = os.path.join(HERE, "..", "interop", "decode_traces.js")
TOKEN = "jaeger-s3cret"  # service_graph() sends with the Jaeger test's token
SERVICE = "node-client-protobuf"


def raw(d, path, accept=None, **params):
    url = d.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if accept:
        headers["Accept"] = accept
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as res:
            return res.status, res.headers.get("Content-Type", ""), res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def decode(body):
    out = subprocess.run(["node", DECODE], input=body, capture_output=True, timeout=30)
    check(out.returncode == 0, "the OpenTelemetry JS schema decodes the protobuf", out.stderr.decode()[-500:])
    return json.loads(out.stdout)


def unwrap_field1(body):
    """The bytes of field 1 (length-delimited) of a message holding only it."""
    check(body[0] == 0x0A, "field 1, length-delimited")
    n, shift, i = 0, 0, 1
    while True:
        n |= (body[i] & 0x7F) << shift
        shift += 7
        i += 1
        if body[i - 1] < 0x80:
            break
    check(len(body) == i + n, "one field only")
    return body[i:]


def pruned(value):
    """OTLP/JSON without defaults (protobufjs omits empty and zero fields)."""
    if isinstance(value, dict):
        out = {k: pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ([], {}, "", 0, "0", None)}
    if isinstance(value, list):
        return [pruned(v) for v in value]
    return value


def spans_by_name(resource_spans):
    return {s["name"]: s for rs in resource_spans for ss in rs["scopeSpans"] for s in ss["spans"]}


def check_otlp_trace(resource_spans, ids, what):
    spans = spans_by_name(resource_spans)
    check(set(spans) == {"POST /predict", "preprocess", "inference", "postprocess"}, f"{what}: the four spans")
    root, inference, post = spans["POST /predict"], spans["inference"], spans["postprocess"]
    check(root["spanId"] == ids["spans"]["POST /predict"] and root["traceId"] == ids["trace_id"] and
          "parentSpanId" not in root and root["kind"] == 2, f"{what}: the root's ids, no parent, kind SERVER")
    check(inference["parentSpanId"] == root["spanId"], f"{what}: parentSpanId")
    attrs = {a["key"]: a["value"] for a in inference["attributes"]}
    check(attrs["model.name"] == {"stringValue": "resnet-v2"} and attrs["gpu"] == {"boolValue": True} and
          attrs["stage.index"] == {"intValue": "9"}, f"{what}: typed attributes as AnyValue", json.dumps(attrs))
    check(post["status"]["code"] == 2 and post["status"]["message"] == "label map missing class 7", f"{what}: status")
    check(any(e["name"] == "exception" for e in post["events"]), f"{what}: the exception event")
    check(all(s["startTimeUnixNano"].isdigit() and abs(int(s["startTimeUnixNano"]) - time.time_ns()) < 600e9
              for s in spans.values()), f"{what}: times in nanoseconds, as strings")
    resource = {a["key"]: a["value"] for a in resource_spans[0]["resource"]["attributes"]}
    check(resource["service.name"] == {"stringValue": SERVICE} and
          resource["service.version"] == {"stringValue": "1.2.3"}, f"{what}: the resource")
    check(resource_spans[0]["scopeSpans"][0]["scope"]["name"] == "ranker-server", f"{what}: the scope")


def trace_by_id(d, ids):
    status, ctype, body = raw(d, f"/api/traces/{ids['trace_id']}", accept="application/protobuf")
    check(status == 200 and ctype.startswith("application/protobuf"), "Tempo's trace by id: protobuf", ctype)
    proto = decode(body)["resourceSpans"]
    check_otlp_trace(proto, ids, "Tempo /api/traces (protobuf)")
    status, _, body = raw(d, f"/api/traces/{ids['trace_id']}")
    check(status == 200 and json.loads(body)["data"][0]["traceID"] == ids["trace_id"],
          "the same path without Accept: protobuf answers Jaeger's JSON")
    status, _, body = raw(d, f"/api/v2/traces/{ids['trace_id']}")
    v2 = json.loads(body)["trace"]["resourceSpans"]
    check_otlp_trace(v2, ids, "Tempo /api/v2/traces (JSON)")
    check(pruned(v2) == pruned(proto), "the JSON and the protobuf carry the same trace")
    status, _, body = raw(d, f"/api/v2/traces/{ids['trace_id']}", accept="application/protobuf")
    check(decode(unwrap_field1(body))["resourceSpans"] == proto, "v2 protobuf: TraceByIDResponse{trace} with the same trace")
    short = ids["trace_id"].lstrip("0")
    check(raw(d, f"/api/v2/traces/{short}")[0] == 200, "an id without its leading zeros is found")
    status, _, body = raw(d, "/api/v3/traces/" + ids["trace_id"])
    v3 = json.loads(body)["result"]["resourceSpans"]
    check(v3 == v2, "Jaeger /api/v3/traces/{id}: the same OTLP/JSON")
    return proto


def search(d, query, **params):
    status, _, body = raw(d, "/api/search", q=query, **params)
    check(status == 200, f"search {query}: 200", body[:300])
    out = json.loads(body)
    for t in out["traces"]:
        check({"traceID", "rootServiceName", "rootTraceName", "startTimeUnixNano", "durationMs", "spanSet",
               "spanSets"} <= set(t) and t["startTimeUnixNano"].isdigit() and isinstance(t["durationMs"], int),
              "a search result has Tempo's fields")
    return out["traces"]


def traceql(d, ids):
    tid = ids["trace_id"]
    now = int(time.time())
    found = search(d, f'{{ resource.service.name = "{SERVICE}" && span.gpu = true }}', start=str(now - 600),
                   end=str(now + 60))
    mine = [t for t in found if t["traceID"] == tid]
    check(len(mine) == 1 and mine[0]["rootServiceName"] == SERVICE and mine[0]["rootTraceName"] == "POST /predict",
          "TraceQL by resource and span attribute finds the trace", json.dumps(found)[:400])
    ss = mine[0]["spanSet"]
    check(ss["matched"] == 1 and [s["spanID"] for s in ss["spans"]] == [ids["spans"]["inference"]] and
          {"key": "gpu", "value": {"boolValue": True}} in ss["spans"][0]["attributes"],
          "the spanset: the matching span with the attribute asked about", json.dumps(ss))
    err = search(d, '{ .stage.index >= 10 && status = error && kind = internal }')
    check([s["spanID"] for t in err if t["traceID"] == tid for s in t["spanSet"]["spans"]] == [ids["spans"]["postprocess"]],
          "numeric comparison, status and kind on the same span")
    check(not [t for t in search(d, '{ .stage.index >= 12 && status = error }') if t["traceID"] == tid],
          "conditions hold for one span together, not across spans")
    check(not search(d, f'{{ resource.service.name = "{SERVICE}" && duration > 1h }}'), "duration > 1h: nothing")
    check(any(t["traceID"] == tid for t in search(d, f'{{ name =~ "infer.*" && traceDuration < 1h }}')),
          "a regex on the name, and traceDuration")
    check(any(t["traceID"] == tid for t in search(d, "", tags=f"service.name={SERVICE} model.name=resnet-v2")),
          "legacy logfmt tags")
    multi = search(d, f'{{ resource.service.name = "{SERVICE}" }}', spss="2")
    got = [t for t in multi if t["traceID"] == tid][0]["spanSet"]
    check(got["matched"] == 4 and len(got["spans"]) == 2, "spss bounds the spans shown, matched counts them all")


def catalogs(d):
    status, _, body = raw(d, "/api/v2/search/tags")
    scopes = {s["name"]: s["tags"] for s in json.loads(body)["scopes"]}
    check({"service.name", "service.version"} <= set(scopes["resource"]) and
          {"model.name", "gpu", "stage.index", "http.route"} <= set(scopes["span"]) and
          {"duration", "name", "status", "kind"} <= set(scopes["intrinsic"]), "v2 tags by scope", json.dumps(scopes))
    status, _, body = raw(d, "/api/v2/search/tag/resource.service.name/values")
    values = json.loads(body)["tagValues"]
    check({"type": "string", "value": SERVICE} in values and {"type": "string", "value": "ranker"} in values,
          "v2 values of resource.service.name", json.dumps(values))
    status, _, body = raw(d, "/api/v2/search/tag/span.stage.index/values")
    check(sorted(v["value"] for v in json.loads(body)["tagValues"]) == ["10", "11", "9"] and
          all(v["type"] == "int" for v in json.loads(body)["tagValues"]), "v2 values of an int attribute, typed")
    status, _, body = raw(d, "/api/v2/search/tag/status/values")
    check([v["value"] for v in json.loads(body)["tagValues"]] == ["error", "ok", "unset"], "status values")
    check("model.name" in json.loads(raw(d, "/api/search/tags")[2])["tagNames"], "v1 tag names")
    check(SERVICE in json.loads(raw(d, "/api/search/tag/service.name/values")[2])["tagValues"], "v1 tag values")
    check(raw(d, "/api/echo")[2] == b"echo", "the echo health check")


def jaeger_v3(d, ids):
    status, _, body = raw(d, "/api/v3/services")
    check(status == 200 and SERVICE in json.loads(body)["services"], "v3 services")
    status, _, body = raw(d, "/api/v3/operations", service=SERVICE, span_kind="server")
    check(json.loads(body) == {"operations": [{"name": "POST /predict", "spanKind": "server"}]}, "v3 operations by kind")
    iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat().replace("+00:00", "Z")  # noqa
    params = {"query.service_name": SERVICE, "query.start_time_min": iso(time.time() - 600),
              "query.start_time_max": iso(time.time() + 60), "query.attributes[model.name]": "resnet-v2"}
    status, _, body = raw(d, "/api/v3/traces", **params)
    check(status == 200 and {s["traceId"] for s in spans_by_name(json.loads(body)["result"]["resourceSpans"]).values()}
          == {ids["trace_id"]}, "v3 search by service, time and attribute", body[:300])
    for params, code, says in [({"query.service_name": SERVICE}, 400, "start_time_min"),
                               ({**params, "query.start_time_min": "yesterday"}, 400, "RFC 3339"),
                               ({**params, "query.duration_min": "fast"}, 400, "duration_min")]:
        status, _, body = raw(d, "/api/v3/traces", **params)
        err = json.loads(body).get("error", {})
        check(status == code and err.get("httpCode") == code and says in err.get("message", ""),
              f"v3 bad input: {code} naming {says}", body[:300])
    status, _, body = raw(d, "/api/v3/traces/" + "ab" * 16)
    check(status == 404 and json.loads(body)["error"]["httpCode"] == 404, "v3 unknown trace: 404 in its envelope")


def bad_input(d):
    for query, says in [('{ .a = 1 || .b = 2 }', "'||'"), ('{ .a = 1 } | count() > 2', "pipelines"),
                        ('{ rootServiceName = "x" }', "rootServiceName"), ('{ .a = 1', "expected"),
                        ('{ .a =~ "(" }', "regular expression"), ('{ duration > soon }', "soon"),
                        ('{ .a = 1 } && { .b = 2 }', "spanset operators")]:
        status, ctype, body = raw(d, "/api/search", q=query)
        check(status == 400 and ctype.startswith("text/plain") and says in body.decode(),
              f"TraceQL {query}: 400 in plain text naming {says}", body[:200])
    for path, params, code in [("/api/search", {"limit": "100000"}, 400), ("/api/search", {"start": "20", "end": "10"}, 400),
                               ("/api/v2/traces/zz", {}, 400), ("/api/v2/traces/" + "cd" * 16, {}, 404),
                               ("/api/v2/search/tags", {"scope": "galaxy"}, 400)]:
        status, _, body = raw(d, path, **params)
        check(status == code, f"{path} {params}: {code}", body[:200])
    req = urllib.request.Request(d.base + "/api/search")
    try:
        urllib.request.urlopen(req, timeout=10)
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    check(status == 401, "no token: 401")


def run(vigil, tmp):
    d = start_daemon(vigil, tmp, TOKEN)
    ids = run_otel_client(d, TOKEN)
    service_graph(d)  # a second trace, across frontend and ranker
    d.flush(TOKEN)
    trace_by_id(d, ids)
    traceql(d, ids)
    catalogs(d)
    jaeger_v3(d, ids)
    bad_input(d)
    d.stop()


if __name__ == "__main__":
    sys.exit(vigil_main(run))
